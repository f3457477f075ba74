"""Reads assembled for the progression pages, each in a fixed number of queries.

Collective figures come from `ComplianceSummary` and lists from `PupilCompliance`, both rebuilt
by a job after each import; only one pupil's page reads that pupil's sources directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from campaigns.models import Campaign, Participant, Sending
from campaigns.selectors import division_sort_key
from certification.models import CertificationResult, Session
from establishments.models import (
    Enrolment,
    Establishment,
    Membership,
    Pupil,
    SchoolClass,
    SchoolYear,
)
from pix.grades import GRADE_CODES
from pix.referential import COMPETENCE_CODES

from .compliance import level_sources
from .levels import CurrentLevel, current_levels, plain_levels
from .models import ComplianceSummary, Objective, PupilCompliance, Rule
from .rules import Compliance, evaluate


def grade_order(grade: str) -> int:
    return GRADE_CODES.index(grade) if grade in GRADE_CODES else len(GRADE_CODES)


# --- objectives -----------------------------------------------------------------------------------


def objectives_by_grade(establishment: Establishment,
                        school_year: SchoolYear) -> dict[str, Objective]:
    """The year's objectives with their rules, by grade (two queries)."""
    objectives = Objective.objects.filter(
        establishment=establishment, school_year=school_year
    ).prefetch_related(Prefetch("rules", queryset=Rule.objects.order_by("position", "pk")))
    return {o.grade: o for o in sorted(objectives, key=lambda o: grade_order(o.grade))}


def year_grades(classes: QuerySet[SchoolClass]) -> list[str]:
    """The grades of `classes`, in school order (one query)."""
    grades = set(classes.exclude(grade="").values_list("grade", flat=True))
    return sorted(grades, key=grade_order)


# --- compliance lists -----------------------------------------------------------------------------


def pupils_not_meeting(establishment: Establishment, school_year: SchoolYear,
                       grade: str | None = None,
                       school_class: SchoolClass | None = None) -> QuerySet[PupilCompliance]:
    """Pupils who do not meet their grade's objective in `school_year`, as stored by the last
    rebuild: `PupilCompliance` rows with their pupil and class, by class then name.
    `row.shortfalls` (or `row.missing_texts`) says what each one lacks; `row.levels` gives
    their levels. For remediation to pick its groups from."""
    rows = compliance_rows(establishment, school_year).filter(met=False)
    if grade:
        rows = rows.filter(grade=grade)
    if school_class is not None:
        rows = rows.filter(school_class=school_class)
    return rows


def compliance_rows(establishment: Establishment,
                    school_year: SchoolYear) -> QuerySet[PupilCompliance]:
    # Grades in school order (6e first), then classes and names.
    rank = Case(*[When(grade=g, then=Value(i)) for i, g in enumerate(GRADE_CODES)],
                default=Value(len(GRADE_CODES)))
    return (
        PupilCompliance.objects.filter(establishment=establishment, school_year=school_year)
        .select_related("pupil", "school_class")
        .annotate(grade_rank=rank)
        .order_by("grade_rank", "school_class__code", "pupil__last_name", "pupil__first_name",
                  "pupil_id")
    )


def visible_compliance(membership: Membership, school_year: SchoolYear,
                       classes: QuerySet[SchoolClass]) -> QuerySet[PupilCompliance]:
    rows = compliance_rows(membership.establishment, school_year)
    if not membership.sees_whole_establishment:
        rows = rows.filter(school_class__in=classes)
    return rows


# --- aggregates -----------------------------------------------------------------------------------


@dataclass
class GradeProgress:
    grade: str
    total: ComplianceSummary | None  # None for a reader who sees only some classes
    classes: list[ComplianceSummary]
    objective: Objective | None

    @property
    def computed_at(self) -> datetime | None:
        rows = [self.total] if self.total else self.classes
        return max((r.computed_at for r in rows), default=None)


def grade_progress(establishment: Establishment, school_year: SchoolYear, grade: str,
                   *, classes: QuerySet[SchoolClass] | None = None,
                   objective: Objective | None = None) -> GradeProgress:
    """The grade's summary and its classes' (only `classes` when given). One query."""
    summaries = list(
        ComplianceSummary.objects.filter(
            establishment=establishment, school_year=school_year, grade=grade
        ).select_related("school_class")
    )
    allowed = None if classes is None else set(classes.values_list("pk", flat=True))
    total = None
    per_class = []
    for summary in summaries:
        if summary.school_class_id is None:
            total = summary if allowed is None else None
        elif allowed is None or summary.school_class_id in allowed:
            per_class.append(summary)
    per_class.sort(key=lambda s: division_sort_key(s.school_class.code))
    return GradeProgress(grade, total, per_class, objective)


def grades_overview(establishment: Establishment,
                    school_year: SchoolYear) -> dict[str, ComplianceSummary]:
    """Every grade's summary, by grade (one query)."""
    return {
        s.grade: s
        for s in ComplianceSummary.objects.filter(
            establishment=establishment, school_year=school_year, school_class__isnull=True
        )
    }


def last_computed(establishment: Establishment, school_year: SchoolYear) -> datetime | None:
    row = (
        ComplianceSummary.objects.filter(establishment=establishment, school_year=school_year)
        .order_by("-computed_at").values_list("computed_at", flat=True).first()
    )
    return row


# --- year on year ---------------------------------------------------------------------------------


@dataclass
class YearFigures:
    year: SchoolYear
    summary: ComplianceSummary | None
    objective: Objective | None
    met_current_objective: int | None  # pupils meeting this year's objective (same yardstick)

    @property
    def pupils(self) -> int:
        return self.summary.pupils if self.summary else 0

    @property
    def share_met(self) -> float | None:
        return self.summary.share_met if self.summary else None

    @property
    def share_current(self) -> float | None:
        if self.met_current_objective is None or not self.pupils:
            return None
        return self.met_current_objective / self.pupils


def year_on_year(establishment: Establishment, grade: str, years: list[SchoolYear],
                 current_objective: Objective | None) -> list[YearFigures]:
    """The grade in each of `years`: its summary against that year's objective, and how
    many of its pupils meet `current_objective` (with their levels of that year). Three
    queries."""
    summaries = {
        s.school_year_id: s
        for s in ComplianceSummary.objects.filter(
            establishment=establishment, grade=grade, school_class__isnull=True,
            school_year__in=years,
        ).select_related("objective")
    }
    met_current: dict[int, int] = {}
    if current_objective is not None:
        specs = current_objective.specs()
        for year_id, levels in PupilCompliance.objects.filter(
            establishment=establishment, grade=grade, school_year__in=years
        ).values_list("school_year_id", "levels").iterator(chunk_size=2000):
            met_current.setdefault(year_id, 0)
            met_current[year_id] += evaluate(levels, specs).met
    return [
        YearFigures(
            year=year, summary=summaries.get(year.pk),
            objective=summaries[year.pk].objective if year.pk in summaries else None,
            met_current_objective=(met_current.get(year.pk, 0)
                                   if current_objective is not None and year.pk in summaries
                                   else None),
        )
        for year in years
    ]


# --- one pupil ------------------------------------------------------------------------------------


def pupil_current_levels(pupil: Pupil, *, up_to: int | None = None) -> dict[str, CurrentLevel]:
    """The pupil's latest level per competence, with its date and source (two queries)."""
    sources = level_sources(pupil.establishment, up_to=up_to, pupil_ids=[pupil.pk])
    return current_levels(sources.get(pupil.pk, ()))


@dataclass
class PupilYear:
    """A school year of the pupil's timeline: their stored compliance (class, levels, what is
    missing), their shared campaign results and their certifications."""

    year: SchoolYear
    compliance: PupilCompliance | None
    results: list[Sending] = field(default_factory=list)
    certifications: list[CertificationResult] = field(default_factory=list)

    @property
    def school_class(self) -> SchoolClass | None:
        return self.compliance.school_class if self.compliance else None

    @property
    def at_level_one(self) -> int | None:
        if self.compliance is None:
            return None
        return sum(1 for level in self.compliance.levels.values() if level >= 1)

    @property
    def events(self) -> list[tuple[date | None, str, object]]:
        """(day, "campaign" or "certification", the result sending or the certification),
        in date order; undated ones last."""
        items = [(_local_day(s.shared_at), "campaign", s) for s in self.results]
        items += [(r.taken_on, "certification", r) for r in self.certifications]
        return sorted(items, key=lambda item: (item[0] is None, item[0] or date.min))


def _local_day(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def pupil_years(pupil: Pupil) -> list[PupilYear]:
    """Every school year with something of the pupil, newest first: their stored compliance,
    shared campaign results and certifications. Three queries (the pupil's page shows their
    enrolments and every participation already)."""
    compliances = {
        c.school_year_id: c
        for c in PupilCompliance.objects.filter(pupil=pupil)
        .select_related("school_year", "school_class", "objective")
    }
    results = list(
        Sending.objects.filter(participant__pupil=pupil, is_result=True)
        .select_related("participant__campaign__school_year")
        .order_by("shared_at", "pk")
    )
    certifications = list(
        CertificationResult.objects.filter(pupil=pupil).select_related("school_year")
        .order_by("taken_on", "pk")
    )
    years: dict[int, SchoolYear] = {pk: c.school_year for pk, c in compliances.items()}
    for sending in results:
        campaign = sending.participant.campaign
        years.setdefault(campaign.school_year_id, campaign.school_year)
    for result in certifications:
        years.setdefault(result.school_year_id, result.school_year)
    return [
        PupilYear(
            year=year,
            compliance=compliances.get(year.pk),
            results=[s for s in results if s.participant.campaign.school_year_id == year.pk],
            certifications=[r for r in certifications if r.school_year_id == year.pk],
        )
        for year in sorted(years.values(), key=lambda y: -y.start_year)
    ]


def worked_competences(years: Iterable[PupilYear]) -> dict[str, list[str]]:
    """Competence code → names of the assessment campaigns in which the pupil worked it
    (shared results): assessments tell what was worked, not a level."""
    worked: dict[str, list[str]] = {}
    for year in years:
        for sending in year.results:
            campaign = sending.participant.campaign
            if campaign.gives_mastery:
                for code in sending.competences:
                    worked.setdefault(code, []).append(campaign.name)
    return {code: worked[code] for code in COMPETENCE_CODES if code in worked}


@dataclass
class PupilObjective:
    objective: Objective | None
    compliance: Compliance | None
    levels: dict[str, CurrentLevel]
    stored: bool = True  # read from the last rebuild, or evaluated here

    @property
    def plain(self) -> dict[str, int]:
        return plain_levels(self.levels)


def stored_objective(row: PupilCompliance) -> PupilObjective:
    """A pupil's objective as the last rebuild stored it (no query but `row.objective`'s)."""
    compliance = (Compliance(met=bool(row.met), shortfalls=tuple(row.shortfalls))
                  if row.objective_id is not None else None)
    return PupilObjective(row.objective, compliance, row.current_levels())


def pupil_objective(pupil: Pupil, enrolment: Enrolment | None) -> PupilObjective:
    """The pupil's grade objective this year, evaluated on their current levels: for a page
    of one pupil whose compliance was never computed (four queries)."""
    levels = pupil_current_levels(pupil)
    objective = None
    if enrolment is not None and enrolment.school_class.grade:
        objective = (
            Objective.objects.filter(
                establishment_id=pupil.establishment_id, school_year_id=enrolment.school_year_id,
                grade=enrolment.school_class.grade,
            ).prefetch_related("rules").first()
        )
    compliance = evaluate(plain_levels(levels), objective.specs()) if objective else None
    return PupilObjective(objective, compliance, levels, stored=False)


def pupil_next_campaigns(pupil: Pupil, enrolment: Enrolment | None,
                         today: date | None = None) -> list[tuple[Campaign, bool]]:
    """Campaigns aimed at the pupil's class that are open or coming (not closed, not
    archived), each with whether the pupil already sent their results. Two queries."""
    if enrolment is None:
        return []
    today = today or timezone.localdate()
    campaigns = list(
        Campaign.objects.filter(classes=enrolment.school_class, archived_at__isnull=True)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .order_by("opens_on", "name")
    )
    shared = set(
        Participant.objects.filter(pupil=pupil, has_shared=True, campaign__in=campaigns)
        .values_list("campaign_id", flat=True)
    ) if campaigns else set()
    return [(c, c.pk in shared) for c in campaigns]


def pupil_next_sessions(pupil: Pupil, now: datetime | None = None) -> list[Session]:
    """Certification sessions the pupil is a candidate in, from today on. One query."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Session.objects.filter(candidates__pupil=pupil, starts_at__gte=start_of_day)
        .select_related("room").order_by("starts_at").distinct()
    )
