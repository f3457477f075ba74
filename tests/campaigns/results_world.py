"""Campaigns with results in the shared test world, imported through the real import.

Used by the access, views and queries tests of the campaign pages: the world's establishment
(pupils in 5A, 5B and 3A; the teacher teaches 5A) gets campaigns whose exports are written by
`pix.fake_results`, imported by `campaigns.imports` and summarised by `campaigns.summaries`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from campaigns.imports import campaign_results_import
from campaigns.models import Campaign, Participant
from campaigns.summaries import campaign_summaries_rebuild
from establishments.models import Enrolment, Establishment, SchoolClass
from pix.campaign_format import CampaignKind
from pix.fake_results import Participant as FakeParticipant
from pix.fake_results import fake_campaign_export_bytes
from pix.files import PARIS
from tests.campaigns.factories import YEAR


def start() -> datetime:
    """Early in the current school year: the import files the campaign in that year."""
    return datetime(YEAR, 9, 15, 8, 0, tzinfo=PARIS)


def pupils_of(establishment: Establishment, divisions: Sequence[str]) -> list[FakeParticipant]:
    """The establishment's pupils of these classes, as a Pix export names them."""
    enrolments = (
        Enrolment.objects.filter(
            school_year=establishment.current_year, school_class__code__in=divisions,
            pupil__establishment=establishment,
        )
        .select_related("pupil", "school_class")
        .order_by("school_class__code", "pupil__last_name", "pupil__first_name")
    )
    return [
        FakeParticipant(e.pupil.display_last_name.upper(), e.pupil.first_name,
                        e.school_class.code, e.school_class.grade or "5e")
        for e in enrolments
    ]


def strangers(count: int, division: str = "5A", *, seed: int = 3) -> list[FakeParticipant]:
    """Participants who are nobody's pupils (they wait in the matching queue)."""
    rng = random.Random(seed)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [
        FakeParticipant("ZZ" + "".join(rng.choice(letters) for _ in range(8)),
                        f"Inconnu{index}", division, "5e")
        for index in range(count)
    ]


def misspelt(participant: FakeParticipant) -> FakeParticipant:
    """The same pupil with one letter more in their last name: a candidate, never automatic."""
    return FakeParticipant(participant.last_name + "E", participant.first_name,
                           participant.division, participant.grade)


def import_campaign(
    establishment: Establishment,
    participants: Sequence[FakeParticipant],
    *,
    code: str,
    owner=None,
    kind: CampaignKind = CampaignKind.PROFILES_COLLECTION,
    name: str | None = None,
    seed: int = 1,
    classes: Sequence[str] | None = None,
    confirmed: bool = False,
) -> Campaign:
    """A campaign of `establishment` with the results of `participants`, summarised;
    `confirmed` imports a file of mostly strangers (a queue to fill)."""
    data = fake_campaign_export_bytes(
        kind, participants, rng=random.Random(seed), code=code,
        name=name or f"Campagne {code}", start=start(), share_rate=1.0,
        organisation=establishment.name,
        stage_count=4 if kind is not CampaignKind.PROFILES_COLLECTION else None,
        badge_names=("Prêt pour la suite",) if kind is CampaignKind.ASSESSMENT else (),
    )
    report = campaign_results_import(establishment=establishment, data=data,
                                     filename=f"{code}.csv", by=owner, confirmed=confirmed)
    assert report.ok, [str(e) for e in report.errors]
    campaign = report.campaign
    if classes is not None:
        campaign.classes.set(SchoolClass.objects.filter(
            establishment=establishment, school_year=campaign.school_year, code__in=classes,
        ))
    campaign_summaries_rebuild(campaign)
    return campaign


def pending(campaign: Campaign) -> Participant:
    return campaign.participants.filter(match=Participant.Match.PENDING).order_by("pk").first()
