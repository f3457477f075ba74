"""Thin Celery tasks: they call a service and are safe to run twice."""

from celery import shared_task
from django.utils.translation import gettext_noop

from audit.services import audit_job_outcome
from jobs.models import Job
from jobs.services import JobOutcome, Progress, job_run

from .services import pix_edu_import, reminders_send


@shared_task
def send_reminders_task() -> dict:
    """Run daily by Celery beat (CELERY_BEAT_SCHEDULE): reminders for tomorrow's sessions and
    workshops, each sent once."""
    report = reminders_send()
    return {"sent": report.sent, "skipped": report.skipped, "failed": report.failed}


def _import_pix_edu(job: Job, progress: Progress) -> JobOutcome:
    progress.stage(gettext_noop("Lecture et vérification du fichier"))
    report = pix_edu_import(establishment=job.establishment, data=bytes(job.payload),
                            by=job.created_by)
    counts = {"teachers": report.updated} if report.ok else {}
    return JobOutcome(counts=counts, errors=report.errors)


@shared_task
def import_pix_edu_task(job_id: int) -> None:
    audit_job_outcome(job_run(job_id, _import_pix_edu))
