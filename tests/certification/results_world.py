"""Certification results for the test establishments, written by the project's generator
(`pix.fake_results`, `pix.certification`) and imported through the real import.

Results are dated in May of the establishment's current school year, so that they belong to
it (`SchoolYear.start_year_of`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from certification.analysis import certification_analysis_rebuild
from certification.imports import certification_results_import
from establishments.models import Enrolment, Establishment, Pupil, SchoolYear
from pix.certification import CertificationRow, CertificationStatus
from pix.fake_results import (
    fake_certification_files,
    fake_certification_results,
    fake_certification_zip,
)
from pix.referential import COMPETENCE_CODES
from tests.conftest import import_fake_pupils, make_establishment

YEAR = SchoolYear.start_year_of_today()  # the test establishments' current school year


def taken_on(year: int = YEAR) -> date:
    return date(year + 1, 5, 5)


def file_date(year: int = YEAR) -> date:
    return date(year + 1, 5, 12)


@dataclass(frozen=True)
class Candidate:
    """A person as certification results name them (`CertificationCandidateLike`)."""

    last_name: str
    first_name: str
    division: str
    birthdate: date | None
    grade: str = "3e"


def candidates_of(establishment: Establishment, division: str) -> list[Candidate]:
    """The pupils of a class this year, as Pix Certif writes them (last name in capitals)."""
    enrolments = (
        Enrolment.objects.filter(school_year=establishment.current_year,
                                 school_class__code=division,
                                 pupil__establishment=establishment)
        .select_related("pupil").order_by("pupil__last_name", "pupil__first_name", "pupil_id")
    )
    return [Candidate(e.pupil.display_last_name.upper(), e.pupil.first_name, division,
                      e.pupil.birthdate) for e in enrolments]


def as_candidate(pupil: Pupil, division: str, **changes) -> Candidate:
    values = {"last_name": pupil.display_last_name.upper(), "first_name": pupil.first_name,
              "division": division, "birthdate": pupil.birthdate}
    values.update(changes)
    return Candidate(**values)


def generated_rows(candidates: Sequence[Candidate], *, seed: int = 1, newer: bool = False,
                   validated_rate: float = 0.8, session: str = "7001",
                   year: int = YEAR) -> list[CertificationRow]:
    return fake_certification_results(
        candidates, rng=random.Random(seed), taken_on=taken_on(year), session=session,
        validated_rate=validated_rate, newer_layout=newer,
    )


def levels(spec: Sequence[int | None] | Mapping[str, int | None] | int | None
           ) -> dict[str, int | None]:
    """16 levels: one value for all, a list in CRCN order, or {code: level} (others `-`)."""
    if isinstance(spec, Mapping):
        return {code: spec.get(code) for code in COMPETENCE_CODES}
    if isinstance(spec, int) or spec is None:
        return dict.fromkeys(COMPETENCE_CODES, spec)
    return dict(zip(COMPETENCE_CODES, spec, strict=True))


def cert_row(candidate: Candidate, *, number: str, status: str = "validated",
             pix: int | None = None, competences=None, line: int = 2, session: str = "7001",
             year: int = YEAR, newer: bool = False, when: date | None = None,
             comment: str = "") -> CertificationRow:
    """One hand-written certification (what Pix would write for it)."""
    status = CertificationStatus(status)
    return CertificationRow(
        line=line, certification_number=number, first_name=candidate.first_name,
        last_name=candidate.last_name, birthdate=candidate.birthdate, birth_place="LA ROCHELLE",
        external_id="", status=status, status_label=status.layout_label(newer_layout=newer),
        pix=pix, competence_levels=levels(competences), jury_comment=comment, session=session,
        taken_on=when or taken_on(year), certification_type="Pix" if newer else "",
        score_pix=pix if newer else None, centre="Collège Test" if newer else "",
    )


def files_of(rows_by_division: Mapping[str, Sequence[CertificationRow]], *, newer: bool = False,
             year: int = YEAR) -> dict[str, bytes]:
    """{`YYYYMMDD_resultats_<class>.csv`: bytes} as Pix writes them (lines renumbered)."""
    numbered = {
        division: [_renumbered(row, index) for index, row in enumerate(rows, start=2)]
        for division, rows in rows_by_division.items()
    }
    return fake_certification_files(numbered, file_date=file_date(year), newer_layout=newer)


def zip_of(files: Mapping[str, bytes], year: int = YEAR) -> bytes:
    return fake_certification_zip(files, file_date=file_date(year))


def _renumbered(row: CertificationRow, line: int) -> CertificationRow:
    return replace(row, line=line)


def import_files(establishment: Establishment, files: Mapping[str, bytes] | Sequence,
                 *, rebuild: bool = True, force: bool = False):
    """Imports through the real import (and rebuilds the analysis, as the task would)."""
    uploads = list(files.items()) if isinstance(files, Mapping) else list(files)
    report = certification_results_import(establishment=establishment, files=uploads,
                                          force=force)
    assert report.ok, [str(e) for e in report.errors]
    if rebuild:
        for start_year in report.school_years:
            certification_analysis_rebuild(
                establishment=establishment,
                school_year=SchoolYear.objects.get(start_year=start_year),
            )
    return report


# --- a small case computed by hand (test_analysis, test_bilans) ----------------------------

OTHERS = [c for c in COMPETENCE_CODES if c not in ("1.1", "1.2", "1.3", "5.2")]


def spec(l11, l12, l13, rest, l52="same"):
    """Levels of 1.1, 1.2, 1.3, then one value for 2.1 … 5.1, and 5.2 (default: the same)."""
    values = {"1.1": l11, "1.2": l12, "1.3": l13}
    values.update(dict.fromkeys(OTHERS, rest))
    values["5.2"] = rest if l52 == "same" else l52
    return values


@dataclass
class Case:
    establishment: object
    a: list  # the pupils of 3A
    b: list  # the pupils of 3B


def build_case() -> Case:
    """Two classes of 3e, certified by hand:

    3A  A1 validated 300 pix   1.1=3  1.2=2  1.3=-  others 2
        A2 validated 150 pix   1.1=1  1.2=0  1.3=2  others 1
        A3 rejected    0 pix   every level 0
        A4 cancelled   -       every level -
    3B  B1 validated 520 pix   1.1=4  1.2=3  1.3=4  others 3
        B2 in error    -       every level -
        B3 validated  60 pix   1.1=-  1.2=1  1.3=-  others 1, 5.2=-
    """
    establishment = make_establishment("0170300B", "Collège Calcul")
    import_fake_pupils(establishment, divisions=(("3A", "3e", 4), ("3B", "3e", 3)), seed=8)
    a = list(Pupil.objects.filter(enrolments__school_class__code="3A").order_by("pk"))
    b = list(Pupil.objects.filter(enrolments__school_class__code="3B").order_by("pk"))
    rows = {
        "3A": [
            cert_row(as_candidate(a[0], "3A"), number="500001", pix=300,
                     competences=spec(3, 2, None, 2)),
            cert_row(as_candidate(a[1], "3A"), number="500002", pix=150,
                     competences=spec(1, 0, 2, 1)),
            cert_row(as_candidate(a[2], "3A"), number="500003", status="rejected", pix=0,
                     competences=0),
            cert_row(as_candidate(a[3], "3A"), number="500004", status="cancelled",
                     competences=None),
        ],
        "3B": [
            cert_row(as_candidate(b[0], "3B"), number="500005", pix=520,
                     competences=spec(4, 3, 4, 3)),
            cert_row(as_candidate(b[1], "3B"), number="500006", status="error",
                     competences=None),
            cert_row(as_candidate(b[2], "3B"), number="500007", pix=60,
                     competences=spec(None, 1, None, 1, l52=None)),
        ],
    }
    import_files(establishment, files_of(rows))
    return Case(establishment, a, b)
