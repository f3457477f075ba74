"""Thin Celery tasks: they take ids, call a service, and are safe to run twice."""

from celery import shared_task
from django.utils.translation import gettext_noop

from audit.services import audit_job_outcome
from establishments.models import Establishment, SchoolYear
from jobs.models import Job
from jobs.services import JobOutcome, Progress, job_run, serialise_errors

from .analysis import certification_analysis_rebuild
from .imports import certification_results_import, unpack_uploads


def _import_certification_results(job: Job, progress: Progress) -> JobOutcome:
    progress.stage(gettext_noop("Lecture et vérification des fichiers"))
    report = certification_results_import(
        establishment=job.establishment,
        files=unpack_uploads(bytes(job.payload)),
        progress=progress,
        # the RUPN went on with a file that seemed another establishment's
        force=bool(job.params.get("confirmed")),
    )
    # Warnings are listed under the counts; a file that seemed another establishment's is
    # offered to be confirmed (jobs.services.job_confirm).
    params = {**job.params, "needs_confirmation": report.needs_confirmation}
    if report.warnings:
        params["warnings"] = serialise_errors(report.warnings)
    if params != job.params:
        Job.objects.filter(pk=job.pk).update(params=params)
        job.params = params
    counts = dict(report.counts)
    if report.ok:
        counts["school_years"] = report.school_years
    return JobOutcome(counts=counts, errors=report.errors)


@shared_task
def import_certification_results_task(job_id: int) -> None:
    # Imported inside: progression sits above this app in the import direction.
    from progression.hooks import rebuild_compliance_after

    job = job_run(job_id, _import_certification_results)
    audit_job_outcome(job)
    rebuild_compliance_after(job)


@shared_task
def rebuild_certification_analysis_task(establishment_id: int, start_year: int) -> None:
    establishment = Establishment.objects.filter(pk=establishment_id).first()
    school_year = SchoolYear.objects.filter(start_year=start_year).first()
    if establishment is not None and school_year is not None:  # deleted since: nothing to do
        certification_analysis_rebuild(establishment=establishment, school_year=school_year)
