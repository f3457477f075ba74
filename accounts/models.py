from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: staff member or pupil.

    What they may see depends on their memberships (establishments.Membership), not on the
    user itself; a user may belong to several establishments (cités scolaires).
    """

    # Pupil accounts get a one-time password printed on a login card and must choose their own.
    must_change_password = models.BooleanField(_("doit changer son mot de passe"), default=False)

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
