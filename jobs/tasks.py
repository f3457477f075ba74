"""Thin Celery tasks: they take ids, call a service, and are safe to run twice."""

from celery import shared_task

from .models import Job
from .sweep import jobs_sweep


@shared_task
def sweep_jobs_task() -> None:
    # Imported here: the audit log sits above jobs in the import direction.
    from audit.services import audit_job_outcome

    report = jobs_sweep()
    # An import ended by the sweep (its worker lost too often, or never run) is in the audit
    # log like one that ends in its own task; audit_job_outcome records each job once.
    for job in Job.objects.filter(pk__in=[*report.failed, *report.abandoned]).defer("payload"):
        audit_job_outcome(job)
