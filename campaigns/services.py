"""Writes on campaigns and matching: keyword-only arguments, one transaction each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.models import AuditEvent
from audit.services import audit_record
from establishments.models import Establishment, Pupil, SchoolClass, SchoolYear
from jobs.models import Job
from jobs.services import JobNotConfirmable, job_confirm, job_create, job_enqueue, job_relaunch

from .matching import PupilIndex, match_participant
from .models import Campaign, MatchDecision, Participant


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()  # campaign_update: leave this field as it is


# --- campaigns ---------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    establishment: Establishment,
    by,
    code: str,
    name: str,
    kind: str,
    parcours: str = "",
    purpose: str = Campaign.Purpose.OTHER,
    classes: Iterable[SchoolClass] = (),
    opens_on: date | None = None,
    closes_on: date | None = None,
    school_year: SchoolYear | None = None,
) -> Campaign:
    """A campaign created in Pix Orga, recorded here before its results come (owned by `by`)."""
    campaign = Campaign(
        establishment=establishment,
        school_year=school_year or establishment.current_year,
        code=code.strip().upper(),
        name=name.strip(),
        kind=kind,
        parcours=parcours.strip(),
        purpose=purpose,
        owner=by,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    classes = list(classes)
    _validate(campaign, classes)
    campaign.save()
    campaign.classes.set(classes)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    by=None,
    code=UNCHANGED,
    name=UNCHANGED,
    kind=UNCHANGED,
    parcours=UNCHANGED,
    purpose=UNCHANGED,
    classes=UNCHANGED,
    opens_on=UNCHANGED,
    closes_on=UNCHANGED,
) -> Campaign:
    """Changes the fields given. Once results are imported, the code and the type are those of
    the Pix export and cannot change."""
    values = {"code": code, "name": name, "kind": kind, "parcours": parcours,
              "purpose": purpose, "opens_on": opens_on, "closes_on": closes_on}
    changed = {field: value for field, value in values.items() if value is not UNCHANGED}
    for field in ("code", "name", "parcours"):
        if field in changed:
            changed[field] = changed[field].strip()
    if "code" in changed:
        changed["code"] = changed["code"].upper()
    locked = [f for f in ("code", "kind") if f in changed and changed[f] != getattr(campaign, f)]
    if locked and campaign.participants.exists():
        raise ValidationError({
            field: _("Des résultats de cette campagne sont déjà importés : son code et son type "
                     "sont ceux de l’export Pix.")
            for field in locked
        })
    for field, value in changed.items():
        setattr(campaign, field, value)
    new_classes = list(classes) if classes is not UNCHANGED else None
    _validate(campaign, new_classes)
    if changed:
        campaign.save(update_fields=list(changed))
    if new_classes is not None:
        campaign.classes.set(new_classes)
    return campaign


def _validate(campaign: Campaign, classes: list[SchoolClass] | None) -> None:
    errors: dict[str, list[str]] = {}
    try:
        campaign.full_clean(exclude=["establishment", "school_year", "owner", "classes"],
                            validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    taken = Campaign.objects.filter(establishment_id=campaign.establishment_id,
                                    code=campaign.code).exclude(pk=campaign.pk)
    if "code" not in errors and taken.exists():
        errors["code"] = [_("Une campagne de l’établissement a déjà le code %(code)s.")
                          % {"code": campaign.code}]
    if campaign.opens_on and campaign.closes_on and campaign.closes_on < campaign.opens_on:
        errors["closes_on"] = [_("La clôture ne peut pas précéder l’ouverture.")]
    if classes is not None and any(
        c.establishment_id != campaign.establishment_id
        or c.school_year_id != campaign.school_year_id
        for c in classes
    ):
        errors["classes"] = [_("Les classes visées doivent être des classes de l’établissement "
                               "pour l’année de la campagne.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_archive(*, campaign: Campaign, by=None) -> Campaign:
    if campaign.archived_at is None:
        campaign.archived_at = timezone.now()
        campaign.save(update_fields=["archived_at"])
    return campaign


@transaction.atomic
def campaign_unarchive(*, campaign: Campaign, by=None) -> Campaign:
    if campaign.archived_at is not None:
        campaign.archived_at = None
        campaign.save(update_fields=["archived_at"])
    return campaign


def campaign_import_start(
    *, establishment: Establishment, by, filename: str, data: bytes,
    campaign: Campaign | None = None,
) -> Job:
    """Stores the file in a job and imports it in Celery once the job row is committed.

    With `campaign`, the file must be this campaign's export; its id is in the job's params
    from the start (else once the import has found or created the campaign).
    """
    from .tasks import import_campaign_results_task

    with transaction.atomic():
        job = job_create(
            establishment=establishment,
            kind=Job.Kind.CAMPAIGN_IMPORT,
            by=by,
            filename=filename,
            payload=data,
            params={"campaign_id": campaign.pk} if campaign is not None else {},
        )
        job_enqueue(job, import_campaign_results_task)
    return job


def campaign_import_confirm(*, job: Job, by) -> Job:
    """The RUPN confirms that a file stopped as another establishment's is theirs: the job
    runs again on its stored file, this time without that check."""
    if job.kind != Job.Kind.CAMPAIGN_IMPORT:
        raise JobNotConfirmable(job.pk)
    with transaction.atomic():
        job = job_confirm(job=job, by=by)  # JobNotRelaunchable (file gone) rolls back
        audit_record(
            establishment=job.establishment, by=by, action=AuditEvent.Action.IMPORT,
            summary=gettext_noop("Import du fichier « %(filename)s » confirmé malgré "
                                 "l’avertissement (fichier d’un autre établissement ?)"),
            params={"filename": job.filename}, details={"job_id": job.pk},
        )
    return job


def campaign_import_assign(
    *, job: Job, by, campaign: Campaign | None = None, new: dict | None = None,
) -> Job:
    """Second step of importing a file without "Code" (2020-2021): the campaign it belongs to,
    chosen among the establishment's or created now (`new`: code, name, kind, school_year),
    then the job runs again on its stored file into that campaign. Nothing is created
    before this step; a `ValidationError` on `new` creates nothing."""
    with transaction.atomic():
        job = Job.objects.select_for_update().defer("payload").get(pk=job.pk)
        if (job.kind != Job.Kind.CAMPAIGN_IMPORT or job.status != Job.Status.FAILED
                or not job.params.get("needs_campaign")):
            raise JobNotConfirmable(job.pk)
        if campaign is None:
            campaign = campaign_create(establishment=job.establishment, by=by, **(new or {}))
        elif campaign.establishment_id != job.establishment_id:
            raise ValueError("the campaign belongs to another establishment")
        job.params = {**job.params, "campaign_id": campaign.pk, "needs_campaign": False}
        job.save(update_fields=["params"])
        return job_relaunch(job=job, by=by)


# --- matching ----------------------------------------------------------------------------------


@transaction.atomic
def match_confirm(*, participant: Participant, pupil: Pupil, by) -> MatchDecision:
    """This participant is this pupil: decided for every campaign of the school year."""
    campaign = participant.campaign
    if pupil.establishment_id != campaign.establishment_id:
        raise ValidationError(_("Cet élève n’est pas un élève de l’établissement."))
    return _decide(participant, by, pupil=pupil)


@transaction.atomic
def match_reject(*, participant: Participant, by) -> MatchDecision:
    """This participant is not a pupil of ours (a teacher trying the campaign, a visitor)."""
    return _decide(participant, by, pupil=None)


@transaction.atomic
def match_reset(*, participant: Participant, by=None) -> None:
    """Forgets the decision on this participant's identity: matching decides again."""
    from .imports import pupil_identities

    campaign = participant.campaign
    MatchDecision.objects.filter(
        establishment_id=campaign.establishment_id, school_year_id=campaign.school_year_id,
        last_name_key=participant.last_name_key, first_name_key=participant.first_name_key,
        division=participant.division,
    ).delete()
    pupils = PupilIndex.build(pupil_identities(campaign.establishment, campaign.school_year))
    same = list(_same_identity(participant))
    for other in same:
        result = match_participant(
            last_name_key=other.last_name_key, first_name_key=other.first_name_key,
            division=other.division, pupils=pupils, decisions={},
        )
        other.pupil_id, other.match = result.pupil_id, result.status
        other.candidates = list(result.candidates)
    Participant.objects.bulk_update(same, ["pupil", "match", "candidates"])
    _refresh_in_memory(participant, same)
    _rebuild_summaries_on_commit({p.campaign_id for p in same})


def _decide(participant: Participant, by, *, pupil: Pupil | None) -> MatchDecision:
    campaign = participant.campaign
    decision, _created = MatchDecision.objects.update_or_create(
        establishment_id=campaign.establishment_id,
        school_year_id=campaign.school_year_id,
        last_name_key=participant.last_name_key,
        first_name_key=participant.first_name_key,
        division=participant.division,
        defaults={"pupil": pupil, "not_ours": pupil is None, "decided_by": by},
    )
    same = _same_identity(participant)
    campaign_ids = set(same.values_list("campaign_id", flat=True))
    match = Participant.Match.CONFIRMED if pupil is not None else Participant.Match.NOT_OURS
    same.update(pupil=pupil, match=match)
    participant.pupil, participant.match = pupil, match
    _rebuild_summaries_on_commit(campaign_ids)
    audit_record(
        establishment=campaign.establishment, by=by, action=AuditEvent.Action.MATCHING,
        summary=gettext_noop(
            "Campagne %(code)s : %(name)s (%(division)s) rapproché de %(pupil)s"
        ) if pupil is not None else gettext_noop(
            "Campagne %(code)s : %(name)s (%(division)s) n’est pas un élève de l’établissement"
        ),
        params={"code": campaign.code, "name": f"{participant.last_name} "
                f"{participant.first_name}", "division": participant.division or "—",
                "pupil": str(pupil) if pupil is not None else ""},
        details={"queue": "campaign", "participant_id": participant.pk,
                 "campaign_id": campaign.pk, "pupil_id": pupil.pk if pupil else None,
                 "campaign_ids": sorted(campaign_ids)},
    )
    return decision


def _same_identity(participant: Participant):
    """Participants with the same names and class in every campaign of the school year."""
    campaign = participant.campaign
    return Participant.objects.filter(
        campaign__establishment_id=campaign.establishment_id,
        campaign__school_year_id=campaign.school_year_id,
        last_name_key=participant.last_name_key,
        first_name_key=participant.first_name_key,
        division=participant.division,
    )


def _refresh_in_memory(participant: Participant, updated: list[Participant]) -> None:
    for other in updated:
        if other.pk == participant.pk:
            participant.pupil_id, participant.match = other.pupil_id, other.match
            participant.candidates = other.candidates


def _rebuild_summaries_on_commit(campaign_ids: set[int]) -> None:
    from .tasks import rebuild_campaign_summaries_task

    for campaign_id in sorted(campaign_ids):
        transaction.on_commit(
            lambda campaign_id=campaign_id: rebuild_campaign_summaries_task.delay(campaign_id)
        )
