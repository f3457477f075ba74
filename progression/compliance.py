"""The compliance rebuild: every pupil's current levels and whether they meet their grade's
objective, stored with class and grade aggregates for the pages to read.

Run by `compliance_rebuild_task` after each import. A year is rebuilt in one transaction with
a fixed number of queries (enrolments, objectives, two reads of level sources, then bulk
writes), whatever the number of pupils; the establishment's row is locked first, so two
rebuilds of the same establishment never interleave.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, Sending
from certification.models import CertificationResult
from establishments.models import Enrolment, Establishment, SchoolYear
from pix.numbers import stored_mean
from pix.referential import COMPETENCE_CODES

from .levels import (
    CurrentLevel,
    LevelSource,
    Source,
    current_levels,
    plain_levels,
    provenance,
)
from .models import ComplianceSummary, Objective, PupilCompliance
from .rules import evaluate

MATCHED_CERTIFICATIONS = (CertificationResult.Match.AUTO, CertificationResult.Match.CONFIRMED)


# --- level sources -------------------------------------------------------------------------------


def _day(moment) -> date:
    return timezone.localdate(moment) if moment is not None else date.min


def profile_sources(sendings: Iterable[tuple]) -> Iterable[tuple[int, LevelSource]]:
    """(pupil id, source) from rows (sending id, pupil id, shared_at, competences, name)."""
    for ref, pupil_id, shared_at, competences, name in sendings:
        levels = {code: value.get("level") for code, value in competences.items()}
        yield pupil_id, LevelSource(Source.PROFILES, _day(shared_at), levels, name, shared_at,
                                    ref)


def certification_sources(results: Iterable[tuple]) -> Iterable[tuple[int, LevelSource]]:
    """(pupil id, source) from rows (result id, pupil id, taken_on, levels, session)."""
    for ref, pupil_id, taken_on, levels, session in results:
        yield pupil_id, LevelSource(Source.CERTIFICATION, taken_on or date.min, levels,
                                    session, None, ref)


def level_sources(establishment: Establishment, *, up_to: int | None = None,
                  pupil_ids: Iterable[int] | None = None) -> dict[int, list[LevelSource]]:
    """Every pupil's level sources: their shared profiles collections and their validated
    certifications, of school years up to `up_to` (a start year; all when None). Two
    queries."""
    sendings = Sending.objects.filter(
        is_result=True,
        participant__pupil__isnull=False,
        participant__campaign__establishment=establishment,
        participant__campaign__kind=Campaign.Kind.PROFILES_COLLECTION,
    )
    results = CertificationResult.objects.filter(
        establishment=establishment,
        status=CertificationResult.Status.VALIDATED,
        pupil__isnull=False,
        match__in=MATCHED_CERTIFICATIONS,
    )
    if up_to is not None:
        sendings = sendings.filter(participant__campaign__school_year__start_year__lte=up_to)
        results = results.filter(school_year__start_year__lte=up_to)
    if pupil_ids is not None:
        pupil_ids = list(pupil_ids)
        sendings = sendings.filter(participant__pupil_id__in=pupil_ids)
        results = results.filter(pupil_id__in=pupil_ids)
    by_pupil: dict[int, list[LevelSource]] = defaultdict(list)
    rows = sendings.values_list("pk", "participant__pupil_id", "shared_at", "competences",
                                "participant__campaign__name")
    for pupil_id, source in profile_sources(rows):
        by_pupil[pupil_id].append(source)
    rows = results.values_list("pk", "pupil_id", "taken_on", "competence_levels",
                               "session_number")
    for pupil_id, source in certification_sources(rows):
        by_pupil[pupil_id].append(source)
    return by_pupil


# --- aggregates ----------------------------------------------------------------------------------


@dataclass
class _Totals:
    pupils: int = 0
    measured: int = 0
    met: int = 0
    sums: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    known: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    missing: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, levels: dict[str, int], met: bool | None, missing: Iterable[str]) -> None:
        self.pupils += 1
        self.measured += bool(levels)
        self.met += met is True
        for code, level in levels.items():
            self.sums[code] += level
            self.known[code] += 1
        for code in missing:
            self.missing[code] += 1

    def figures(self) -> dict:
        return {
            "pupils": self.pupils, "measured": self.measured, "met": self.met,
            # exact (`pix.numbers.stored`), rounded half up where shown; the sums for means
            # of several classes taken together
            "mean_levels": {c: stored_mean(self.sums[c], self.known[c])
                            for c in COMPETENCE_CODES if self.known.get(c)},
            "level_sums": {c: self.sums[c] for c in COMPETENCE_CODES if self.known.get(c)},
            "known": {c: self.known[c] for c in COMPETENCE_CODES if self.known.get(c)},
            "missing": {c: self.missing[c] for c in COMPETENCE_CODES if self.missing.get(c)},
        }


# --- the rebuild ---------------------------------------------------------------------------------


@dataclass
class RebuildReport:
    pupils: dict[int, int] = field(default_factory=dict)  # start year → pupils computed
    seconds: float = 0.0


def default_years(establishment: Establishment) -> list[SchoolYear]:
    """The current year, and the one before when it has pupils (the year-on-year
    comparison reads it)."""
    current = establishment.current_year
    previous = SchoolYear.objects.filter(
        start_year=current.start_year - 1,
    ).first()
    years = [current]
    if previous is not None and Enrolment.objects.filter(
        school_year=previous, school_class__establishment=establishment
    ).exists():
        years.append(previous)
    return years


def compliance_rebuild(establishment: Establishment, *,
                       school_years: Iterable[SchoolYear] | None = None) -> RebuildReport:
    """Recomputes and stores the compliance of `school_years` (default: `default_years`)."""
    started = time.perf_counter()
    report = RebuildReport()
    for year in school_years if school_years is not None else default_years(establishment):
        report.pupils[year.start_year] = _rebuild_year(establishment, year)
    report.seconds = time.perf_counter() - started
    return report


@transaction.atomic
def _rebuild_year(establishment: Establishment, year: SchoolYear) -> int:
    # Serialises rebuilds of one establishment: the second waits, then rewrites everything.
    list(Establishment.objects.select_for_update().filter(pk=establishment.pk).values("pk"))
    enrolments = list(
        Enrolment.objects.filter(
            school_year=year, school_class__establishment=establishment, left_on__isnull=True
        ).values_list("pupil_id", "school_class_id", "school_class__grade")
    )
    objectives = {
        o.grade: o
        for o in Objective.objects.filter(establishment=establishment, school_year=year)
        .prefetch_related("rules")
    }
    specs = {grade: objective.specs() for grade, objective in objectives.items()}
    sources = level_sources(establishment, up_to=year.start_year)
    now = timezone.now()

    rows: list[PupilCompliance] = []
    by_class: dict[tuple[str, int], _Totals] = defaultdict(_Totals)
    by_grade: dict[str, _Totals] = defaultdict(_Totals)
    for pupil_id, class_id, grade in enrolments:
        current: dict[str, CurrentLevel] = current_levels(sources.get(pupil_id, ()))
        levels = plain_levels(current)
        objective = objectives.get(grade)
        met, missing, codes = None, [], ()
        if objective is not None:
            result = evaluate(levels, specs[grade])
            met = result.met
            missing = [s.as_json() for s in result.shortfalls]
            codes = result.missing_competences
        rows.append(PupilCompliance(
            establishment=establishment, pupil_id=pupil_id, school_year=year,
            school_class_id=class_id, grade=grade, objective=objective, met=met,
            missing=missing, missing_codes=f" {' '.join(codes)} " if codes else "",
            levels=levels, provenance=provenance(current),
            measured_on=max((v.on for v in current.values()), default=None),
            computed_at=now,
        ))
        by_class[(grade, class_id)].add(levels, met, codes)
        by_grade[grade].add(levels, met, codes)

    PupilCompliance.objects.filter(establishment=establishment, school_year=year).delete()
    PupilCompliance.objects.bulk_create(rows, batch_size=500)
    summaries = [
        ComplianceSummary(establishment=establishment, school_year=year, grade=grade,
                          school_class_id=class_id, objective=objectives.get(grade),
                          computed_at=now, **totals.figures())
        for (grade, class_id), totals in by_class.items()
    ] + [
        ComplianceSummary(establishment=establishment, school_year=year, grade=grade,
                          school_class=None, objective=objectives.get(grade), computed_at=now,
                          **totals.figures())
        for grade, totals in by_grade.items()
    ]
    ComplianceSummary.objects.filter(establishment=establishment, school_year=year).delete()
    ComplianceSummary.objects.bulk_create(summaries, batch_size=500)
    return len(rows)
