"""Builders for the remediation tests: results reach the database through the real campaign
import (exports written byte for byte as Pix does), with values chosen pupil by pupil so that
expected groups and effects can be computed by hand."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from campaigns.imports import campaign_results_import
from campaigns.models import Campaign
from establishments.models import Enrolment, Establishment, Pupil, SchoolYear
from pix.campaign_format import NOT_SHARED_MASTERY
from pix.campaign_writer import write_assessment_export
from pix.campaigns import Mastery, ParticipationRow, mastery_rate
from pix.files import PARIS

_codes = itertools.count(100)
YEAR = SchoolYear.start_year_of_today()


def campaign_code() -> str:
    return f"REMEDI{next(_codes) % 1000:03d}"


def when(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of the current school year (September → August), Paris time."""
    year = YEAR if month >= 9 else YEAR + 1
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def class_code(pupil: Pupil) -> str:
    return Enrolment.objects.get(pupil=pupil, school_year=pupil.establishment.current_year
                                 ).school_class.code


def pupils_of(establishment: Establishment, division: str) -> list[Pupil]:
    return list(
        Pupil.objects.filter(establishment=establishment,
                             enrolments__school_year=establishment.current_year,
                             enrolments__school_class__code=division).order_by("pk")
    )


def import_mastery(establishment: Establishment,
                   results: Mapping[Pupil, Mapping[str, tuple[int, int] | None]], *,
                   codes: Sequence[str], shared_at: datetime, name: str = "Parcours",
                   code: str | None = None) -> Campaign:
    """An assessment: for each pupil, code → (skills targeted, mastered); None: started, not
    shared."""
    rows = []
    for pupil, skills in results.items():
        common = {"line": 0, "last_name": pupil.display_last_name,
                  "first_name": pupil.first_name, "division": class_code(pupil),
                  "started_at": shared_at}
        if skills is None:
            rows.append(ParticipationRow(
                **common, progression=Decimal("0.4"),
                competence_mastery=dict.fromkeys(codes, NOT_SHARED_MASTERY)))
            continue
        mastery = {c: Mastery(mastery_rate(skills[c][1], skills[c][0]), *skills[c])
                   for c in codes}
        rows.append(ParticipationRow(
            **common, progression=Decimal(1), shared=True, shared_at=shared_at,
            mastery=mastery_rate(sum(m.skills_mastered for m in mastery.values()),
                                 sum(m.skills_total for m in mastery.values())),
            competence_mastery=mastery,
        ))
    data = write_assessment_export(
        organisation=establishment.name, campaign_id=None, code=code or campaign_code(),
        name=name, parcours=name, competence_codes=codes, participations=rows,
        stage_count=None, badge_names=(),
    )
    report = campaign_results_import(establishment=establishment, data=data,
                                     filename="export.csv")
    assert report.ok, [str(e) for e in report.errors]
    return report.campaign
