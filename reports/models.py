from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Download(models.Model):
    """Who downloaded what, when: the direction sees this log."""

    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="downloads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    what = models.CharField(_("document"), max_length=200)
    filename = models.CharField(_("fichier"), max_length=255)
    at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("téléchargement")
        verbose_name_plural = _("téléchargements")

    def __str__(self) -> str:
        return f"{self.what} — {self.user} — {self.at:%d/%m/%Y %H:%M}"
