"""Reads assembled for the results pages, each in a fixed number of queries.

Collective figures come from `ResultSummary` (rebuilt after each import), never from the
sendings themselves; individual views read result sendings (`Sending.is_result`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch
from django.utils import timezone

from establishments.models import Enrolment, Establishment, Pupil, SchoolClass, SchoolYear
from pix.grades import GRADE_CODES, grade_from_division
from pix.numbers import decimal

from .models import Campaign, Participant, ResultSummary, Sending


def division_sort_key(division: str) -> tuple:
    """Classes as schools list them: by grade (6e, 5e, 4e, 3e, then lycée), then in natural
    order within a grade (3A, 3B, 301, 302: numbers compare as numbers)."""
    grade = grade_from_division(division)
    natural = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.findall(r"\d+|\D+", division)
    )
    return (GRADE_CODES.index(grade) if grade else len(GRADE_CODES), natural)


# --- a campaign's collective results -----------------------------------------------------------


def campaign_summary(campaign: Campaign, division: str | None = None) -> ResultSummary | None:
    """The summary of one class as the export names it, or of the whole establishment."""
    wanted = ResultSummary.ESTABLISHMENT if division is None else division
    return ResultSummary.objects.filter(campaign=campaign, division=wanted).first()


def campaign_class_summaries(campaign: Campaign) -> list[ResultSummary]:
    """The summaries of every class, in natural order, without the establishment's."""
    summaries = ResultSummary.objects.filter(campaign=campaign).exclude(
        division=ResultSummary.ESTABLISHMENT
    )
    return sorted(summaries, key=lambda s: division_sort_key(s.division))


def summary_value(summary: ResultSummary, code: str, *, gives_mastery: bool) -> Decimal | None:
    """A competence's figure: mean mastery (0–1) for an assessment, else mean level; exact to
    six places, for pages and files to round half up (`pix.numbers`)."""
    figures = summary.competences.get(code) or {}
    return decimal(figures.get("mean_mastery" if gives_mastery else "mean_level"))


class Heatmap(NamedTuple):
    divisions: list[str]
    codes: list[str]
    matrix: list[list[Decimal | None]]  # matrix[division][code]


def campaign_heatmap(campaign: Campaign) -> Heatmap:
    """Classes × competences: mean level (profiles collection) or mean mastery (assessment)."""
    summaries = campaign_class_summaries(campaign)
    codes = list(campaign.competence_codes)
    matrix = [
        [summary_value(s, code, gives_mastery=campaign.gives_mastery) for code in codes]
        for s in summaries
    ]
    return Heatmap([s.division for s in summaries], codes, matrix)


# --- a pupil -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PupilParticipation:
    """A pupil's participation in a campaign and its result (their latest shared sending)."""

    campaign: Campaign
    participant: Participant
    shared: bool
    date: datetime | None  # of the result; else when they started
    kind: str
    pix: int | None
    certifiable: bool | None
    mastery: float | None  # assessment: whole parcours, 0–1
    stage: int | None
    badges: dict[str, bool] = field(default_factory=dict)
    # code → level (profiles collection) or mastery 0–1 (assessment)
    competences: dict[str, float | int] = field(default_factory=dict)


def pupil_campaign_history(pupil: Pupil) -> list[PupilParticipation]:
    """Every participation of the pupil, all school years, oldest first (two queries)."""
    participants = (
        Participant.objects.filter(pupil=pupil)
        .select_related("campaign__school_year")
        .prefetch_related(
            Prefetch("sendings", queryset=Sending.objects.order_by("pk"),
                     to_attr="all_sendings"),
        )
    )
    history = []
    for participant in participants:
        campaign = participant.campaign
        result = next((s for s in participant.all_sendings if s.is_result), None)
        history.append(
            PupilParticipation(
                campaign=campaign,
                participant=participant,
                shared=result is not None,
                date=result.shared_at if result else _started(participant),
                kind=campaign.kind,
                pix=result.pix_total if result else None,
                certifiable=result.certifiable if result else None,
                mastery=float(result.mastery) if result and result.mastery is not None
                else None,
                stage=result.stage if result else None,
                badges=dict(result.badges) if result else {},
                competences=_values(result, campaign.gives_mastery) if result else {},
            )
        )
    return sorted(history, key=_chronological)


def _started(participant: Participant) -> datetime | None:
    """An unshared participation is dated by its latest start (assessments give one)."""
    starts = [s.started_at for s in participant.all_sendings if s.started_at is not None]
    return max(starts) if starts else None


def _chronological(item: PupilParticipation) -> tuple:
    campaign = item.campaign
    day = (timezone.localdate(item.date) if item.date
           else campaign.opens_on or timezone.localdate(campaign.created_at))
    return (campaign.school_year.start_year, day, campaign.pk)


def _values(sending: Sending, gives_mastery: bool) -> dict[str, float | int]:
    key = "rate" if gives_mastery else "level"
    return {code: value[key] for code, value in sending.competences.items() if key in value}


class LatestLevel(NamedTuple):
    level: int
    pix: int | None
    date: datetime | None
    campaign: Campaign


def pupil_latest_levels(pupil: Pupil) -> dict[str, LatestLevel]:
    """Per competence, the pupil's level in their latest shared profiles collection (one
    query)."""
    sendings = (
        Sending.objects.filter(
            participant__pupil=pupil,
            is_result=True,
            participant__campaign__kind=Campaign.Kind.PROFILES_COLLECTION,
        )
        .select_related("participant__campaign")
        .order_by("-shared_at", "-pk")
    )
    latest: dict[str, LatestLevel] = {}
    for sending in sendings:
        for code, value in sending.competences.items():
            if code not in latest and value.get("level") is not None:
                latest[code] = LatestLevel(value["level"], value.get("pix"), sending.shared_at,
                                           sending.participant.campaign)
    return dict(sorted(latest.items()))


# --- a grade, school-wide ----------------------------------------------------------------------


@dataclass(frozen=True)
class GradePupilLevels:
    pupil: Pupil
    school_class: SchoolClass
    levels: dict[str, int]  # code → latest known level; absent when never measured
    measured_on: date | None = None  # date of the latest sending read


@dataclass
class GradeLevels:
    """The rows of `grade_latest_levels`, in class then name order; `get(pupil_id)` gives a
    pupil's {code: level} for pages that list pupils their own way."""

    rows: list[GradePupilLevels]

    def __post_init__(self) -> None:
        self._by_pupil = {row.pupil.pk: row for row in self.rows}

    def __iter__(self) -> Iterator[GradePupilLevels]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, pupil_id: int, default: dict[str, int] | None = None) -> dict[str, int] | None:
        row = self._by_pupil.get(pupil_id)
        return row.levels if row is not None else default


def grade_latest_levels(
    establishment: Establishment, school_year: SchoolYear, grade: str
) -> GradeLevels:
    """Each pupil of a grade that year (still enrolled), with their latest known level in each
    competence from profiles collections up to that year. Two queries whatever the number of
    pupils."""
    of_grade = Enrolment.objects.filter(
        school_year=school_year,
        school_class__establishment=establishment,
        school_class__grade=grade,
        left_on__isnull=True,
    )
    enrolments = sorted(
        of_grade.select_related("pupil", "school_class"),
        key=lambda e: (division_sort_key(e.school_class.code), e.pupil.last_name,
                       e.pupil.first_name, e.pupil_id),
    )
    pupil_ids = of_grade.values("pupil_id")
    sendings = (
        Sending.objects.filter(
            is_result=True,
            participant__pupil_id__in=pupil_ids,
            participant__campaign__establishment=establishment,
            participant__campaign__kind=Campaign.Kind.PROFILES_COLLECTION,
            participant__campaign__school_year__start_year__lte=school_year.start_year,
        )
        .order_by("-shared_at", "-pk")
        .values_list("participant__pupil_id", "competences", "shared_at")
    )
    levels: dict[int, dict[str, int]] = {}
    measured: dict[int, date] = {}
    for pupil_id, competences, shared_at in sendings:
        known = levels.setdefault(pupil_id, {})
        if pupil_id not in measured and shared_at is not None:
            measured[pupil_id] = timezone.localdate(shared_at)
        for code, value in competences.items():
            if code not in known and value.get("level") is not None:
                known[code] = value["level"]
    return GradeLevels([
        GradePupilLevels(
            pupil=e.pupil,
            school_class=e.school_class,
            levels=dict(sorted(levels.get(e.pupil_id, {}).items())),
            measured_on=measured.get(e.pupil_id),
        )
        for e in enrolments
    ])


# --- the matching queue ------------------------------------------------------------------------


class Candidate(NamedTuple):
    pupil: Pupil
    class_code: str  # in the campaign's school year; "" when not enrolled that year
    left: bool


def matching_queue(
    establishment: Establishment, *, campaign: Campaign | None = None
) -> list[Participant]:
    """Participants waiting for a person's decision, each with `candidate_pupils`: a list of
    `Candidate` (the pupil and their class in the campaign's year), most plausible first.
    Three queries, whatever the length of the queue."""
    participants = (
        Participant.objects.filter(
            campaign__establishment=establishment, match=Participant.Match.PENDING
        )
        .select_related("campaign__school_year")
        .order_by("-campaign__school_year__start_year", "campaign__name", "division",
                  "last_name", "first_name")
    )
    if campaign is not None:
        participants = participants.filter(campaign=campaign)
    participants = list(participants)
    ids = {pupil_id for p in participants for pupil_id in p.candidates}
    pupils = {p.pk: p for p in Pupil.objects.filter(establishment=establishment, pk__in=ids)}
    classes: dict[tuple[int, int], tuple[str, bool]] = {
        (pupil_id, year_id): (code, left_on is not None)
        for pupil_id, year_id, code, left_on in Enrolment.objects.filter(
            pupil_id__in=pupils
        ).values_list("pupil_id", "school_year_id", "school_class__code", "left_on")
    } if pupils else {}
    for participant in participants:
        year_id = participant.campaign.school_year_id
        participant.candidate_pupils = [
            Candidate(pupils[pupil_id], *classes.get((pupil_id, year_id), ("", False)))
            for pupil_id in participant.candidates
            if pupil_id in pupils
        ]
    return participants
