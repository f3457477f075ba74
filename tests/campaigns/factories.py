"""Builders of Pix exports and pupils for the campaigns tests.

Files are written by `pix.campaign_writer`, byte for byte as Pix writes them, from rows given
value by value, so that tests can compute expected figures by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from establishments.models import Enrolment, Establishment, Pupil, SchoolClass, SchoolYear
from pix.campaign_format import NOT_SHARED_LEVEL, NOT_SHARED_MASTERY
from pix.campaign_writer import write_assessment_export, write_profiles_collection_export
from pix.campaigns import CompetenceLevel, Mastery, ParticipationRow, mastery_rate
from pix.files import PARIS
from pix.referential import COMPETENCES
from pix.rules import certifiable_competences, is_certifiable, level_from_pix

CODE = "TESTAB123"
ORGANISATION = "Collège Test"
YEAR = SchoolYear.start_year_of_today()  # the test establishments' current school year


def when(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of the current school year (September → August)."""
    year = YEAR if month >= 9 else YEAR + 1
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


# --- profiles collection --------------------------------------------------------------------


def profile(last: str, first: str, division: str, *, shared_at: datetime | None,
            pix: Mapping[str, int] | None = None, external_id: str = "") -> ParticipationRow:
    """A profiles collection row; `pix` by competence code (others 0); unshared when
    `shared_at` is None."""
    common = {"line": 0, "last_name": last, "first_name": first, "division": division,
              "external_id": external_id}
    if shared_at is None:
        return ParticipationRow(**common, levels={c.code: NOT_SHARED_LEVEL for c in COMPETENCES})
    pix = pix or {}
    levels = {c.code: CompetenceLevel(level_from_pix(pix.get(c.code, 0)), pix.get(c.code, 0))
              for c in COMPETENCES}
    by_code = {code: value.level for code, value in levels.items()}
    return ParticipationRow(
        **common, shared=True, shared_at=shared_at,
        pix_total=sum(value.pix for value in levels.values()),
        certifiable=is_certifiable(by_code),
        certifiable_competences=certifiable_competences(by_code), levels=levels,
    )


def profiles_export(rows: Sequence[ParticipationRow], *, code: str = CODE,
                    name: str = "Collecte de profils test", campaign_id: int = 100001,
                    external_id_label: str | None = None, older_format: bool = False,
                    without_code: bool = False, organisation: str = ORGANISATION) -> bytes:
    return write_profiles_collection_export(
        organisation=organisation, campaign_id=campaign_id, code=code, name=name,
        participations=rows, external_id_label=external_id_label, older_format=older_format,
        without_code=without_code,
    )


# --- assessment --------------------------------------------------------------------------------


def assessment(last: str, first: str, division: str, *, started_at: datetime | None,
               shared_at: datetime | None = None,
               skills: Mapping[str, tuple[int, int]] | None = None,
               stage: int | None = None, badges: Mapping[str, bool] | None = None,
               progression: str = "0.5", codes: Sequence[str] = ("1.1", "2.1"),
               external_id: str = "") -> ParticipationRow:
    """An assessment row; `skills` maps a code to (targeted, mastered); unshared when
    `shared_at` is None."""
    common = {"line": 0, "last_name": last, "first_name": first, "division": division,
              "external_id": external_id, "started_at": started_at}
    if shared_at is None:
        return ParticipationRow(
            **common, progression=Decimal(progression),
            competence_mastery=dict.fromkeys(codes, NOT_SHARED_MASTERY),
        )
    skills = skills or {}
    mastery = {code: Mastery(mastery_rate(skills[code][1], skills[code][0]), *skills[code])
               for code in codes}
    total = sum(s[0] for s in skills.values())
    mastered = sum(s[1] for s in skills.values())
    return ParticipationRow(
        **common, progression=Decimal(1), shared=True, shared_at=shared_at,
        mastery=mastery_rate(mastered, total), competence_mastery=mastery, stage=stage,
        badges=dict(badges or {}),
    )


def assessment_export(rows: Sequence[ParticipationRow], *, code: str = CODE,
                      name: str = "Parcours thématique test", parcours: str | None = None,
                      codes: Sequence[str] = ("1.1", "2.1"), stage_count: int | None = 3,
                      badge_names: Sequence[str] = ("Badge A",), campaign_id: int = 200002,
                      older_format: bool = False, exam: bool = False,
                      without_code: bool = False, external_id_label: str | None = None,
                      organisation: str = ORGANISATION) -> bytes:
    return write_assessment_export(
        organisation=organisation, campaign_id=campaign_id, code=code, name=name,
        parcours=parcours or name, competence_codes=codes, participations=rows,
        stage_count=stage_count, badge_names=badge_names, older_format=older_format, exam=exam,
        without_code=without_code, external_id_label=external_id_label,
    )


def break_line(data: bytes, line: int, old: bytes, new: bytes) -> bytes:
    """`data` with `old` replaced by `new` on one line of the file (the header is line 1)."""
    lines = data.split(b"\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return b"\n".join(lines)


# --- pupils -----------------------------------------------------------------------------------


def add_pupil(establishment: Establishment, last: str, first: str, division: str, *,
              usage: str = "", year: SchoolYear | None = None, left: bool = False,
              ine: str | None = None) -> Pupil:
    """A pupil enrolled in `division` (created if needed) in `year` (default: current)."""
    year = year or establishment.current_year
    school_class, _created = SchoolClass.objects.get_or_create(
        establishment=establishment, school_year=year, code=division,
    )
    count = Pupil.objects.count()
    pupil = Pupil.objects.create(
        establishment=establishment, ine=ine or f"{count + 1:010d}A", last_name=last,
        usage_name=usage, first_name=first, sex="F", birthdate=date(2012, 1, 1),
    )
    Enrolment.objects.create(pupil=pupil, school_year=year, school_class=school_class,
                             left_on=date(YEAR + 1, 1, 10) if left else None)
    return pupil
