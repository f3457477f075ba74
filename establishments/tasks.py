from celery import shared_task
from django.utils.translation import gettext_noop

from audit.services import audit_job_outcome
from jobs.services import JobOutcome, Progress, job_run

from .imports import pupil_base_import


def _import_pupils(job, progress: Progress) -> JobOutcome:
    progress.stage(gettext_noop("Lecture et vérification du fichier"))
    report = pupil_base_import(
        establishment=job.establishment,
        data=bytes(job.payload),
        filename=job.filename,
        progress=progress,
    )
    counts = dict(report.counts)
    if report.school_year is not None:
        counts["school_year"] = report.school_year.start_year
    return JobOutcome(counts=counts, errors=report.errors)


@shared_task
def import_pupils_task(job_id: int) -> None:
    # Imported inside: progression sits above this app in the import direction.
    from progression.hooks import rebuild_compliance_after

    job = job_run(job_id, _import_pupils)
    audit_job_outcome(job)
    rebuild_compliance_after(job)
