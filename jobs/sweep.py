"""The periodic care of jobs, so that a fault loses nothing and heals without anyone acting.

Run every minute by Celery beat and once when a worker starts (pixorga.celery):
- a running job whose heartbeat stopped lost its worker: it is run again, or failed with a
  message once it has been tried JOB_MAX_ATTEMPTS times;
- a pending job that no broker took (Redis down at upload) or whose message is long gone is
  handed to the broker again;
- files are deleted JOB_FILE_RETENTION_DAYS after their job ended, and a job that never ended
  is failed after as long, its file deleted with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from pix.files import RowError

from .models import Job
from .services import (
    enqueue_again_after,
    job_fail_interrupted,
    job_publish,
    serialise_errors,
    stale_after,
)

logger = logging.getLogger(__name__)

ABANDONED = gettext_noop(
    "Ce fichier n’a pas pu être traité dans les %(days)s jours qui ont suivi son envoi : il a "
    "été supprimé et rien n’a été enregistré. Importez-le à nouveau."
)


@dataclass
class SweepReport:
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    enqueued: list[int] = field(default_factory=list)
    abandoned: list[int] = field(default_factory=list)
    files_deleted: int = 0


def retention() -> timedelta:
    return timedelta(days=settings.JOB_FILE_RETENTION_DAYS)


def jobs_sweep(*, now=None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    _recover_lost(now, report)
    _expire_abandoned(now, report)
    _enqueue_waiting(now, report)
    report.files_deleted = job_files_purge(now=now)
    if report.retried or report.failed or report.enqueued or report.abandoned:
        logger.info("job sweep: %s", report)
    return report


def _recover_lost(now, report: SweepReport) -> None:
    stale = now - stale_after()
    with transaction.atomic():
        lost = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=Job.Status.RUNNING)
            .filter(Q(heartbeat_at__lt=stale)
                    | Q(heartbeat_at__isnull=True, started_at__lt=stale))
            .defer("payload")
        )
        for job in lost:
            if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                job_fail_interrupted(job)
                report.failed.append(job.pk)
                continue
            # Nothing of the dead run was committed (one transaction): start again from zero.
            job.status = Job.Status.PENDING
            job.stage = ""
            job.progress_done = job.progress_total = 0
            job.enqueued_at = None
            job.save(update_fields=["status", "stage", "progress_done", "progress_total",
                                    "enqueued_at"])
            report.retried.append(job.pk)


def _expire_abandoned(now, report: SweepReport) -> None:
    days = settings.JOB_FILE_RETENTION_DAYS
    errors = serialise_errors([RowError(None, ABANDONED, params={"days": days})])
    with transaction.atomic():
        abandoned = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=Job.Status.PENDING, created_at__lt=now - retention())
            .values_list("pk", flat=True)
        )
        Job.objects.filter(pk__in=abandoned).update(
            status=Job.Status.FAILED, errors=errors, finished_at=now, payload=b"",
            file_deleted_at=now,
        )
    report.abandoned = abandoned


def _enqueue_waiting(now, report: SweepReport) -> None:
    waiting = (
        Job.objects.filter(status=Job.Status.PENDING)
        .exclude(enqueued_at__gte=now - enqueue_again_after())
        .exclude(task_name="")
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for job_id in waiting:
        if job_publish(job_id):
            report.enqueued.append(job_id)
        elif Job.objects.filter(pk=job_id, enqueued_at__isnull=True).exists():
            break  # the broker is still down: the next sweep tries again


def job_files_purge(*, now=None) -> int:
    """Deletes the files of jobs that ended more than JOB_FILE_RETENTION_DAYS ago."""
    now = now or timezone.now()
    return (
        Job.objects.filter(status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED],
                           finished_at__lt=now - retention(), file_deleted_at__isnull=True)
        .update(payload=b"", file_deleted_at=now)
    )
