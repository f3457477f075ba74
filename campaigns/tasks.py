"""Thin Celery tasks: they take ids, call a service, and are safe to run twice."""

from celery import shared_task
from django.utils.translation import gettext_noop

from audit.services import audit_job_outcome
from jobs.models import Job
from jobs.services import JobOutcome, Progress, job_run
from pix.files import RowError

from .imports import campaign_results_import
from .models import Campaign
from .summaries import campaign_summaries_rebuild


def _import_campaign_results(job: Job, progress: Progress) -> JobOutcome:
    progress.stage(gettext_noop("Lecture et vérification du fichier"))
    campaign = None
    campaign_id = job.params.get("campaign_id")
    if campaign_id is not None:
        campaign = Campaign.objects.filter(pk=campaign_id, establishment=job.establishment).first()
        if campaign is None:
            return JobOutcome(errors=[RowError(None, gettext_noop(
                "La campagne n’existe plus : rien n’a été importé."))])
    report = campaign_results_import(
        establishment=job.establishment,
        data=bytes(job.payload),
        filename=job.filename,
        by=job.created_by,
        campaign=campaign,
        progress=progress,
        confirmed=bool(job.params.get("confirmed")),
    )
    flags = {"needs_confirmation": report.needs_confirmation,
             "needs_campaign": report.needs_campaign}
    if any(bool(job.params.get(name)) != value for name, value in flags.items()):
        # the job page offers a second step: confirm a file that seems another
        # establishment's, or say which campaign a file without "Code" belongs to
        params = {**job.params, **flags}
        Job.objects.filter(pk=job.pk).update(params=params)
        job.params = params
    if report.ok and report.campaign is not None and campaign_id is None:
        # The job page links to the campaign the file created or completed.
        params = {**job.params, "campaign_id": report.campaign.pk}
        Job.objects.filter(pk=job.pk).update(params=params)
        job.params = params
    return JobOutcome(counts=report.counts, errors=report.errors)


@shared_task
def import_campaign_results_task(job_id: int) -> None:
    # Imported inside: progression sits above this app in the import direction.
    from progression.hooks import rebuild_compliance_after

    job = job_run(job_id, _import_campaign_results)
    audit_job_outcome(job)
    rebuild_compliance_after(job)


@shared_task
def rebuild_campaign_summaries_task(campaign_id: int) -> None:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is not None:  # deleted since: nothing to summarise
        campaign_summaries_rebuild(campaign)
