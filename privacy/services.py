"""Writes on pupils' personal data: anonymising pupils gone long ago, erasing one pupil on
request, recording one pupil's export.

Anonymisation keeps every row and replaces the identity with neutral values: campaign
summaries, the certification analysis (and its forecast, which joins results to profiles by
pupil), compliance and the remediation effect are all computed from rows linked to the pupil,
so keeping the links keeps the figures, whether they are read as built or rebuilt later.

Erasure removes the pupil and every row about them, then rebuilds the aggregates they counted
in (after commit, by the usual tasks): "gone everywhere" includes the figures, and a page
never shows a count that its own list of rows contradicts.

No audit summary written here names a pupil, and the events written earlier that did (a
password reset, a matching decision) lose the name too: the log outlives both.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from campaigns.models import MatchDecision, Participant
from certification.models import Candidate, CertificationResult
from establishments.models import Enrolment, Establishment, Pupil
from progression.hooks import compliance_rebuild_on_commit
from progression.models import PupilCompliance
from remediation.models import Attendance, GroupMember

from .selectors import pupils_gone_before, retention_cutoff

ANONYMOUS_NAME = "ANONYME"


def neutral_ine(pupil_id: int) -> str:
    """Unique per pupil (the INE is unique per establishment) and never a real INE, which
    starts with a digit."""
    return f"A{pupil_id:010d}"


def _class_of(pupil: Pupil) -> str:
    enrolment = (Enrolment.objects.filter(pupil=pupil).select_related("school_class")
                 .order_by("-school_year__start_year").first())
    return enrolment.school_class.code if enrolment else "—"


def _name_variants(pupil: Pupil) -> set[str]:
    names = {pupil.display_last_name, pupil.last_name} - {""}
    return {f"{last} {pupil.first_name}" for last in names} | {
        f"{pupil.first_name} {last}" for last in names}


def _scrub_audit(establishment_id: int, pupils: list[Pupil]) -> int:
    """Replaces these pupils' names in the establishment's audit events (summary and
    details), in the orders a summary writes them. One pass over the log, which its
    retention keeps short; JSON details are read in Python, as databases store them
    differently. Returns the number of events changed."""
    variants = set().union(*(_name_variants(p) for p in pupils)) if pupils else set()
    if not variants:
        return 0
    pattern = re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)),
                         re.IGNORECASE)
    erased = _("[élève effacé]")
    changed = []
    for event in AuditEvent.objects.filter(establishment_id=establishment_id).only(
            "summary", "details").iterator():
        summary = pattern.sub(erased, event.summary)
        details = json.loads(pattern.sub(erased, json.dumps(event.details, ensure_ascii=False)))
        if (summary, details) != (event.summary, event.details):
            event.summary, event.details = summary, details
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["summary", "details"], batch_size=500)
    return len(changed)


# --- anonymisation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnonymisationCounts:
    pupils: int = 0
    accounts: int = 0
    participations: int = 0
    certification_results: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"pupils": self.pupils, "accounts": self.accounts,
                "participations": self.participations,
                "certification_results": self.certification_results}


def _anonymise_rows(pupils: list[Pupil], now) -> AnonymisationCounts:
    ids = [p.pk for p in pupils]
    user_ids = [p.user_id for p in pupils if p.user_id is not None]
    _scrub_audit(pupils[0].establishment_id, pupils)
    for pupil in pupils:
        pupil.ine = neutral_ine(pupil.pk)
        pupil.last_name = ANONYMOUS_NAME
        pupil.usage_name = ""
        pupil.first_name = f"#{pupil.pk}"
        pupil.sex = ""
        pupil.birthdate = None
        pupil.birth_place = ""
        pupil.user = None
        pupil.anonymised_at = now
        pupil.updated_at = now
        pupil.set_name_keys()
    Pupil.objects.bulk_update(pupils, [
        "ine", "last_name", "usage_name", "first_name", "sex", "birthdate", "birth_place",
        "user", "anonymised_at", "updated_at", "last_name_key", "first_name_key",
    ])

    # Pix's files named the pupil too. The neutral keys stay unique per participant, as the
    # campaign's constraint on identities asks.
    participants = list(Participant.objects.filter(pupil_id__in=ids))
    for participant in participants:
        participant.last_name = ANONYMOUS_NAME
        participant.first_name = f"#{participant.pupil_id}"
        participant.last_name_key = ANONYMOUS_NAME.lower()
        participant.first_name_key = f"{participant.pupil_id}-{participant.pk}"
        participant.external_id = ""
    Participant.objects.bulk_update(participants, [
        "last_name", "first_name", "last_name_key", "first_name_key", "external_id",
    ])
    results = list(CertificationResult.objects.filter(pupil_id__in=ids))
    for result in results:
        result.last_name = ANONYMOUS_NAME
        result.first_name = f"#{result.pupil_id}"
        result.last_name_key = ANONYMOUS_NAME.lower()
        result.first_name_key = str(result.pupil_id)
        result.birthdate = None
        result.certification_number = f"A{result.pk}"
    CertificationResult.objects.bulk_update(results, [
        "last_name", "first_name", "last_name_key", "first_name_key", "birthdate",
        "certification_number",
    ])
    # Decisions are keyed by names, and a past plan's candidate list is a list of identities:
    # neither feeds a figure.
    MatchDecision.objects.filter(pupil_id__in=ids).delete()
    Candidate.objects.filter(pupil_id__in=ids).delete()
    # The login account goes with its membership and anything else tied to it.
    get_user_model().objects.filter(pk__in=user_ids).delete()
    return AnonymisationCounts(len(pupils), len(user_ids), len(participants), len(results))


def departed_pupils_anonymise(*, today: date | None = None,
                              years: int | None = None) -> dict[int, AnonymisationCounts]:
    """Anonymises every pupil gone for more than `years` (PUPIL_RETENTION_YEARS) years,
    establishment by establishment, one transaction each. Running it again changes nothing:
    anonymised pupils are not selected again. Returns the counts by establishment id."""
    today = today or timezone.localdate()
    years = settings.PUPIL_RETENTION_YEARS if years is None else years
    by_establishment: dict[int, list[Pupil]] = defaultdict(list)
    for pupil in pupils_gone_before(retention_cutoff(today, years)):
        by_establishment[pupil.establishment_id].append(pupil)
    done = {}
    for establishment_id, selected in by_establishment.items():
        with transaction.atomic():
            # Locked and read again: a run that overlaps this one (a retried task) skips
            # the pupils this one has done.
            pupils = list(Pupil.objects.select_for_update().filter(
                pk__in=[p.pk for p in selected], anonymised_at__isnull=True).order_by("pk"))
            if not pupils:
                continue
            counts = _anonymise_rows(pupils, timezone.now())
            audit_record(
                establishment=Establishment(pk=establishment_id), by=None,
                action=AuditEvent.Action.ANONYMISATION,
                summary=_("%(count)s élève(s) parti(s) depuis plus de %(years)s an(s) "
                          "anonymisé(s)") % {"count": counts.pupils, "years": years},
                details=counts.as_dict(),
            )
        done[establishment_id] = counts
    return done


# --- one pupil: export and erasure -----------------------------------------------------------


def pupil_export_record(*, pupil: Pupil, by) -> None:
    """The export leaves a trace without the pupil's name: the log outlives an erasure that
    often follows an export."""
    audit_record(
        establishment=pupil.establishment, by=by, action=AuditEvent.Action.PUPIL_EXPORT,
        summary=_("Données d’un élève exportées (classe %(class)s, élève n° %(id)s)")
        % {"class": _class_of(pupil), "id": pupil.pk},
        details={"pupil_id": pupil.pk},
    )


@dataclass(frozen=True)
class ErasurePreview:
    """What an erasure removes, counted for the confirmation page."""

    enrolments: int
    participations: int
    certification_results: int
    candidacies: int
    compliances: int
    remediation_groups: int
    attendances: int
    account: bool

    def as_dict(self) -> dict[str, int]:
        return {
            "enrolments": self.enrolments, "participations": self.participations,
            "certification_results": self.certification_results,
            "candidacies": self.candidacies, "compliances": self.compliances,
            "remediation_groups": self.remediation_groups, "attendances": self.attendances,
            "account": int(self.account),
        }


def erasure_preview(pupil: Pupil) -> ErasurePreview:
    return ErasurePreview(
        enrolments=Enrolment.objects.filter(pupil=pupil).count(),
        participations=Participant.objects.filter(pupil=pupil).count(),
        certification_results=CertificationResult.objects.filter(pupil=pupil).count(),
        candidacies=Candidate.objects.filter(pupil=pupil).count(),
        compliances=PupilCompliance.objects.filter(pupil=pupil).count(),
        remediation_groups=GroupMember.objects.filter(pupil=pupil).count(),
        attendances=Attendance.objects.filter(pupil=pupil).count(),
        account=pupil.user_id is not None,
    )


@transaction.atomic
def pupil_erase(*, pupil: Pupil, by) -> ErasurePreview:
    """Removes the pupil and every row about them (Pix's rows matched to them included), then
    rebuilds, once committed, the campaign summaries, certification analyses and compliance
    figures they counted in."""
    from campaigns.tasks import rebuild_campaign_summaries_task
    from certification.tasks import rebuild_certification_analysis_task

    establishment = pupil.establishment
    removed = erasure_preview(pupil)
    class_code = _class_of(pupil)
    campaign_ids = sorted(set(
        Participant.objects.filter(pupil=pupil).values_list("campaign_id", flat=True)))
    certified_years = sorted(set(CertificationResult.objects.filter(pupil=pupil)
                                 .values_list("school_year__start_year", flat=True)))
    compliance_years = sorted(set(PupilCompliance.objects.filter(pupil=pupil)
                                  .values_list("school_year_id", flat=True)))
    user = pupil.user

    _scrub_audit(establishment.pk, [pupil])
    Participant.objects.filter(pupil=pupil).delete()  # their sendings go with them
    CertificationResult.objects.filter(pupil=pupil).delete()
    pupil.delete()  # enrolments, compliance, groups, attendance, candidacies, decisions
    if user is not None:
        user.delete()
    audit_record(
        establishment=establishment, by=by, action=AuditEvent.Action.PUPIL_ERASURE,
        summary=_("Élève effacé (classe %(class)s)") % {"class": class_code},
        details=removed.as_dict(),
    )

    for campaign_id in campaign_ids:
        transaction.on_commit(lambda c=campaign_id: rebuild_campaign_summaries_task.delay(c))
    for start_year in certified_years:
        transaction.on_commit(lambda y=start_year: rebuild_certification_analysis_task.delay(
            establishment.pk, y))
    if compliance_years:
        compliance_rebuild_on_commit(establishment.pk, compliance_years)
    return removed
