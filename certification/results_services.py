"""Writes around certification results: starting an import job, and people's match decisions.

A decision is stored on the result itself (`match` = confirmed or not_ours, and `pupil`): the
result is keyed by its certification number, which Pix never reuses, so the decision holds
for exactly this certification and survives every re-import of its file.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_noop

from audit.models import AuditEvent
from audit.services import audit_record
from establishments.models import Enrolment, Establishment, Pupil
from jobs.models import Job
from jobs.services import JobNotConfirmable, job_confirm, job_create, job_enqueue

from .imports import Upload, enqueue_analysis, pack_uploads, uploads_label
from .models import CertificationResult

Match = CertificationResult.Match


def certification_import_start(*, establishment: Establishment, by,
                               files: Sequence[Upload]) -> Job:
    """Stores the files in a job; the import runs in Celery once the job row is committed."""
    from .tasks import import_certification_results_task

    with transaction.atomic():
        job = job_create(
            establishment=establishment,
            kind=Job.Kind.CERTIFICATION_IMPORT,
            by=by,
            filename=uploads_label(files),
            payload=pack_uploads(files),
            params={"files": [name for name, _data in files]},
        )
        job_enqueue(job, import_certification_results_task)
    return job


def certification_import_confirm(*, job: Job, by) -> Job:
    """Runs a stopped import again, going on with the files that seemed another
    establishment's: the person confirmed that their candidates are the establishment's."""
    if job.kind != Job.Kind.CERTIFICATION_IMPORT:
        raise JobNotConfirmable(job.pk)
    with transaction.atomic():
        job = job_confirm(job=job, by=by)
        audit_record(
            establishment=job.establishment, by=by, action=AuditEvent.Action.IMPORT,
            summary=gettext_noop("Import n° %(job)s confirmé malgré des candidats qui ne "
                                 "sont pas des élèves de l’établissement"),
            params={"job": job.pk}, details={"job": job.pk, "files": job.params.get("files", [])},
        )
    return job


@transaction.atomic
def result_match_confirm(*, result: CertificationResult, pupil: Pupil, by) -> None:
    if pupil.establishment_id != result.establishment_id:
        raise ValueError("the pupil belongs to another establishment")
    result.pupil = pupil
    result.match = Match.CONFIRMED
    update_fields = ["pupil", "match"]
    if not result.division:  # a file whose name gave no class: the pupil's class that year
        code = (Enrolment.objects.filter(pupil=pupil, school_year_id=result.school_year_id)
                .values_list("school_class__code", flat=True).first())
        if code:
            result.division = code
            update_fields.append("division")
    result.save(update_fields=update_fields)
    _audit_decision(result, by, gettext_noop(
        "Certification n° %(number)s : %(name)s rapproché de %(pupil)s"), pupil=pupil)
    _rebuild_after_commit(result)


@transaction.atomic
def result_match_reject(*, result: CertificationResult, by) -> None:
    """Not a pupil of the establishment: left out of the analysis."""
    result.pupil = None
    result.match = Match.NOT_OURS
    result.save(update_fields=["pupil", "match"])
    _audit_decision(result, by, gettext_noop(
        "Certification n° %(number)s : %(name)s n’est pas un élève de l’établissement"))
    _rebuild_after_commit(result)


def _audit_decision(result: CertificationResult, by, summary: str, *,
                    pupil: Pupil | None = None) -> None:
    audit_record(
        establishment=result.establishment, by=by, action=AuditEvent.Action.MATCHING,
        summary=summary,
        params={"number": result.certification_number,
                "name": f"{result.last_name} {result.first_name}",
                "pupil": str(pupil) if pupil is not None else ""},
        details={"queue": "certification", "result_id": result.pk,
                 "certification_number": result.certification_number,
                 "pupil_id": pupil.pk if pupil is not None else None},
    )


def _rebuild_after_commit(result: CertificationResult) -> None:
    establishment_id = result.establishment_id
    start_year = result.school_year.start_year
    transaction.on_commit(lambda: enqueue_analysis(establishment_id, [start_year]))
