from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobQuerySet(models.QuerySet):
    def for_membership(self, membership) -> "JobQuerySet":
        """RUPN and direction see every job of their establishment; a teacher, their own."""
        if membership is None or not membership.is_staff_member:
            return self.none()
        qs = self.filter(establishment_id=membership.establishment_id)
        if membership.sees_whole_establishment:
            return qs
        return qs.filter(created_by_id=membership.user_id)


class Job(models.Model):
    """A long piece of work (an import, a rebuild) run by Celery, followed by its page.

    The uploaded file is kept in the row so that a worker on another machine reads exactly
    what the user sent, and a retried task starts from the same bytes.
    """

    class Kind(models.TextChoices):
        PUPIL_IMPORT = "pupil_import", _("Import de la base élèves")
        CAMPAIGN_IMPORT = "campaign_import", _("Import de résultats de campagne")
        CERTIFICATION_IMPORT = "certification_import", _("Import de résultats de certification")
        PIX_EDU_IMPORT = "pix_edu_import", _("Import du suivi Pix+ Édu")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        SUCCEEDED = "succeeded", _("Terminé")
        FAILED = "failed", _("Échec")

    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    stage = models.CharField(_("étape"), max_length=100, blank=True)
    filename = models.CharField(_("fichier"), max_length=255, blank=True)
    payload = models.BinaryField(editable=False, default=b"")
    params = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    # [{"line": int | None, "column": str | None, "message": str, "params": {...}}]: French
    # messages with their parameters, translated when shown.
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Touched while a worker runs the job: a running job whose heartbeat stops was lost with
    # its worker, and the sweep retries it or fails it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The Celery task that runs the job, by name: the sweep enqueues it again without knowing
    # the apps above this one.
    task_name = models.CharField(max_length=200, blank=True)
    # Last time the task was handed to the broker; None while no broker took it (Redis down).
    # The sweep hands a pending job again only when this is None or old, so that the queue is
    # not flooded with copies of a job waiting for a free worker.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # When the stored file was deleted (retention): the job can no longer be run again.
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("traitement")
        verbose_name_plural = _("traitements")
        indexes = [
            # The sweep reads the unfinished jobs every minute; finished ones are most rows.
            models.Index(
                fields=["status"], name="jobs_job_unfinished",
                condition=models.Q(status__in=["pending", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def has_file(self) -> bool:
        return self.file_deleted_at is None

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(99, round(100 * self.progress_done / self.progress_total))
