"""Builders for the progression tests: pupils' levels reach the database through the real
campaign import (a profiles collection written byte for byte as Pix does), certification
results as the certification import stores them."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from campaigns.imports import campaign_results_import
from certification.models import CertificationResult
from establishments.models import Enrolment, Establishment, Pupil, SchoolYear
from pix.campaign_format import NOT_SHARED_LEVEL, CompetenceLevel, ParticipationRow
from pix.campaign_writer import write_assessment_export, write_profiles_collection_export
from pix.campaigns import Mastery, mastery_rate
from pix.files import PARIS
from pix.referential import COMPETENCE_CODES
from pix.rules import certifiable_competences, is_certifiable
from progression.models import Objective, Rule
from progression.rules import RuleSpec

_codes = itertools.count(100)


def campaign_code() -> str:
    return f"PROGRE{next(_codes) % 1000:03d}"


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=PARIS)


def class_code(pupil: Pupil, year: SchoolYear | None = None) -> str:
    year = year or pupil.establishment.current_year
    return Enrolment.objects.get(pupil=pupil, school_year=year).school_class.code


def profile_row(pupil: Pupil, levels: Mapping[str, int] | None, *, shared_at: datetime | None,
                division: str | None = None) -> ParticipationRow:
    """A profiles collection row for `pupil`: `levels` by code (others 0); unshared when
    `shared_at` is None."""
    common = {"line": 0, "last_name": pupil.display_last_name, "first_name": pupil.first_name,
              "division": division if division is not None else class_code(pupil)}
    if shared_at is None:
        return ParticipationRow(**common, levels=dict.fromkeys(COMPETENCE_CODES,
                                                               NOT_SHARED_LEVEL))
    levels = {code: (levels or {}).get(code, 0) for code in COMPETENCE_CODES}
    values = {code: CompetenceLevel(level, level * 8 + 1) for code, level in levels.items()}
    return ParticipationRow(
        **common, shared=True, shared_at=shared_at,
        pix_total=sum(v.pix for v in values.values()), certifiable=is_certifiable(levels),
        certifiable_competences=certifiable_competences(levels), levels=values,
    )


def import_profiles(establishment: Establishment, rows: Sequence[ParticipationRow], *,
                    name: str = "Collecte de profils", code: str | None = None):
    data = write_profiles_collection_export(
        organisation=establishment.name, campaign_id=None, code=code or campaign_code(),
        name=name, participations=rows,
    )
    report = campaign_results_import(establishment=establishment, data=data,
                                     filename="export.csv")
    assert report.ok, [str(e) for e in report.errors]
    return report.campaign


def import_assessment(establishment: Establishment, pupils: Sequence[Pupil], *,
                      codes: Sequence[str], started_at: datetime, name: str = "Parcours"):
    rows = []
    for pupil in pupils:
        mastery = {code: Mastery(mastery_rate(3, 4), 4, 3) for code in codes}
        rows.append(ParticipationRow(
            line=0, last_name=pupil.display_last_name, first_name=pupil.first_name,
            division=class_code(pupil), started_at=started_at, progression=Decimal(1), shared=True,
            shared_at=started_at, mastery=mastery_rate(3 * len(codes), 4 * len(codes)),
            competence_mastery=mastery,
        ))
    data = write_assessment_export(
        organisation=establishment.name, campaign_id=None, code=campaign_code(), name=name,
        parcours=name, competence_codes=codes, participations=rows, stage_count=None,
        badge_names=(),
    )
    report = campaign_results_import(establishment=establishment, data=data,
                                     filename="export.csv")
    assert report.ok, [str(e) for e in report.errors]
    return report.campaign


_numbers = itertools.count(500_000)


def add_certification(pupil: Pupil, levels: Mapping[str, int | None], *, taken_on: date,
                      status: str = CertificationResult.Status.VALIDATED,
                      year: SchoolYear | None = None) -> CertificationResult:
    """A matched certification result; codes absent from `levels` are `-` (None)."""
    year = year or pupil.establishment.current_year
    return CertificationResult.objects.create(
        establishment=pupil.establishment, school_year=year,
        certification_number=str(next(_numbers)), division=class_code(pupil, year),
        last_name=pupil.last_name, first_name=pupil.first_name, birthdate=pupil.birthdate,
        last_name_key=pupil.last_name_key, first_name_key=pupil.first_name_key, pupil=pupil,
        match=CertificationResult.Match.AUTO, status=status,
        pix=sum(v or 0 for v in levels.values()) * 8,
        competence_levels={code: levels.get(code) for code in COMPETENCE_CODES},
        session_number="7001", taken_on=taken_on,
    )


def make_objective(establishment: Establishment, grade: str, rules: Sequence[RuleSpec], *,
                   year: SchoolYear | None = None, name: str = "Objectif") -> Objective:
    objective = Objective.objects.create(
        establishment=establishment, school_year=year or establishment.current_year,
        grade=grade, name=name,
    )
    Rule.objects.bulk_create([
        Rule(objective=objective, position=i, kind=spec.kind.value, level=spec.level,
             count=spec.count, competences=list(spec.competences))
        for i, spec in enumerate(rules)
    ])
    return objective


def pupils_of(establishment: Establishment, division: str,
              year: SchoolYear | None = None) -> list[Pupil]:
    year = year or establishment.current_year
    return list(
        Pupil.objects.filter(establishment=establishment, enrolments__school_year=year,
                             enrolments__school_class__code=division).order_by("pk")
    )


def school_year_dates(establishment: Establishment) -> int:
    """The calendar year of the current school year's autumn."""
    return establishment.current_year.start_year
