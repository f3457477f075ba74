from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def for_membership(self, membership) -> "AuditEventQuerySet":
        """The establishment's RUPN and direction read its log; nobody else does."""
        if membership is None or not membership.sees_whole_establishment:
            return self.none()
        return self.filter(establishment_id=membership.establishment_id)


class AuditEvent(models.Model):
    """One thing that matters for pupils' data: who did it, when, to what.

    `summary` is written in French when the event happens (a document's title, a pupil's
    name at the time), so the log still reads right after the object is gone or anonymised.
    """

    class Action(models.TextChoices):
        DOWNLOAD = "download", _("Téléchargement")
        IMPORT = "import", _("Import")
        ROLE_CHANGE = "role_change", _("Changement de rôle")
        MEMBER_REMOVAL = "member_removal", _("Retrait d’un membre")
        INVITATION = "invitation", _("Invitation")
        PUPIL_ACCOUNTS = "pupil_accounts", _("Comptes élèves générés")
        PASSWORD_RESET = "password_reset", _("Mot de passe réinitialisé")
        MATCHING = "matching", _("Décision d’appariement")
        PUPIL_EXPORT = "pupil_export", _("Export des données d’un élève")
        PUPIL_ERASURE = "pupil_erasure", _("Effacement d’un élève")
        ANONYMISATION = "anonymisation", _("Anonymisation")

    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # The actor's name when it happened: kept when the account is gone.
    actor_name = models.CharField(_("par"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    summary = models.CharField(_("objet"), max_length=300)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["establishment", "-at"])]
        verbose_name = _("événement du journal")
        verbose_name_plural = _("journal")

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.summary}"
