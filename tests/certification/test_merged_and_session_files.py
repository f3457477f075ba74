"""Certification files that are not one class's file: the per-class files merged into one by a
teachers' tool (last column `Classe`), and Pix Certif's session files
(`AAAAMMJJ_HHMM_resultats_session_N.csv`, `get-session-certification-results-csv.js`). Files
are written by the project's generator; figures are computed by hand below."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from certification.imports import certification_results_import
from certification.models import AnalysisSummary, CertificationResult
from establishments.models import Pupil
from pix.certification import read_certification_archive, read_certification_results
from pix.certification_writer import write_certification_results
from pix.fake_results import (
    fake_merged_certification_file,
    fake_session_results_file,
    session_results_filename,
)
from pix.numbers import decimal
from tests.certification.results_world import (
    YEAR,
    as_candidate,
    cert_row,
    files_of,
    import_files,
    spec,
    taken_on,
    zip_of,
)
from tests.conftest import import_fake_pupils, make_establishment

SESSION_START = datetime(YEAR + 1, 5, 5, 14, 30)


def hand_rows(*, newer: bool = False):
    """3A: 300, 150 validated, one rejected, one cancelled; 3B: 520 validated, one in error,
    60 validated. Pupils of a fresh establishment (4 in 3A, 3 in 3B)."""
    establishment = make_establishment("0170301C", "Collège Fusion")
    import_fake_pupils(establishment, divisions=(("3A", "3e", 4), ("3B", "3e", 3)), seed=8)
    a = list(Pupil.objects.filter(enrolments__school_class__code="3A").order_by("pk"))
    b = list(Pupil.objects.filter(enrolments__school_class__code="3B").order_by("pk"))
    rows = {
        "3A": [
            cert_row(as_candidate(a[0], "3A"), number="600001", pix=300,
                     competences=spec(3, 2, None, 2), newer=newer),
            cert_row(as_candidate(a[1], "3A"), number="600002", pix=150,
                     competences=spec(1, 0, 2, 1), newer=newer),
            cert_row(as_candidate(a[2], "3A"), number="600003", status="rejected", pix=0,
                     competences=0, newer=newer),
            cert_row(as_candidate(a[3], "3A"), number="600004", status="cancelled",
                     competences=None, newer=newer),
        ],
        "3B": [
            cert_row(as_candidate(b[0], "3B"), number="600005", pix=520,
                     competences=spec(4, 3, 4, 3), newer=newer),
            cert_row(as_candidate(b[1], "3B"), number="600006", status="error",
                     competences=None, newer=newer),
            cert_row(as_candidate(b[2], "3B"), number="600007", pix=60,
                     competences=spec(None, 1, None, 1, l52=None), newer=newer),
        ],
    }
    return establishment, rows


def assert_hand_figures(establishment):
    """The figures of `hand_rows`, by hand: 3A (300 + 150) / 2 = 225; 3B (520 + 60) / 2 = 290;
    establishment (300 + 150 + 520 + 60) / 4 = 1030 / 4 = 257.5; 4 validated of 7."""
    figures = {s.division: s.figures for s in AnalysisSummary.objects.filter(
        establishment=establishment, school_year__start_year=YEAR)}
    assert set(figures) == {"", "3A", "3B"}
    assert [figures[d]["candidates"] for d in ("3A", "3B", "")] == [4, 3, 7]
    assert [figures[d]["statuses"]["validated"] for d in ("3A", "3B", "")] == [2, 2, 4]
    assert [figures[d]["statuses"]["rejected"] for d in ("3A", "3B", "")] == [1, 0, 1]
    assert [decimal(figures[d]["mean_pix"]) for d in ("3A", "3B", "")] == [
        Decimal("225"), Decimal("290"), Decimal("257.5")]
    assert figures[""]["unclassed"] == 0
    assert set(CertificationResult.objects.filter(establishment=establishment)
               .values_list("match", flat=True)) == {CertificationResult.Match.AUTO}


# --- one file for all classes -----------------------------------------------------------------


@pytest.mark.parametrize("newer", [False, True], ids=["older layout", "newer layout"])
def test_a_merged_file_reads_each_rows_class_from_its_last_column(db, newer):
    _establishment, rows = hand_rows(newer=newer)
    merged = fake_merged_certification_file(files_of(rows, newer=newer))
    assert not merged.startswith(b"\xef\xbb\xbf") and not merged.endswith(b"\n")
    assert b"\n\n" in merged  # the blank line between the two classes

    results = read_certification_results(merged, filename="resultats_toutes_classes.csv")

    assert results.errors == [] and results.warnings == []
    assert results.kind == "merged"
    assert [(r.certification_number, r.division) for r in results.rows] == [
        ("600001", "3A"), ("600002", "3A"), ("600003", "3A"), ("600004", "3A"),
        ("600005", "3B"), ("600006", "3B"), ("600007", "3B")]
    assert [r.pix for r in results.rows] == [300, 150, 0, None, 520, None, 60]


def test_a_merged_file_imports_each_row_in_its_class_with_figures_by_hand(db):
    establishment, rows = hand_rows()
    merged = fake_merged_certification_file(files_of(rows), bom=True, final_newline=True,
                                            blank_line=False)

    report = import_files(establishment, [("certif 3e.csv", merged)])

    assert report.warnings == []
    assert (report.counts["certifications"], report.counts["matched"]) == (7, 7)
    assert dict(CertificationResult.objects.values_list("certification_number", "division")) == {
        "600001": "3A", "600002": "3A", "600003": "3A", "600004": "3A",
        "600005": "3B", "600006": "3B", "600007": "3B"}
    assert_hand_figures(establishment)


def test_a_merged_files_class_cell_wins_over_its_name(db):
    establishment, rows = hand_rows()
    merged = fake_merged_certification_file(files_of(rows))

    import_files(establishment, [("20260512_resultats_3A.csv", merged)])

    assert CertificationResult.objects.get(certification_number="600005").division == "3B"


# --- session files ----------------------------------------------------------------------------


def test_a_session_file_is_recognised_and_its_classes_come_from_the_pupils(db):
    establishment, rows = hand_rows(newer=True)
    session_rows = [row for division in ("3A", "3B") for row in rows[division]]
    name = session_results_filename("7001", SESSION_START)
    data = write_certification_results(session_rows, newer_layout=True)
    assert name == f"{YEAR + 1}0505_1430_resultats_session_7001.csv"

    results = read_certification_results(data, filename=name)
    report = import_files(establishment, [(name, data)])

    assert results.kind == "session" and results.warnings == [] and results.division == ""
    assert report.warnings == []
    assert CertificationResult.objects.get(certification_number="600007").division == "3B"
    assert_hand_figures(establishment)


def test_a_renamed_session_file_is_known_by_its_centre_column(db):
    establishment, rows = hand_rows(newer=True)
    data = write_certification_results(rows["3A"] + rows["3B"], newer_layout=True)

    results = read_certification_results(data, filename="session du 5 mai.csv")

    assert results.kind == "session" and results.warnings == []


def test_a_generated_session_file_in_a_zip_imports_with_counts_by_hand(db):
    establishment, _rows = hand_rows()
    pupils = list(Pupil.objects.filter(establishment=establishment).order_by("pk"))
    candidates = [as_candidate(p, "") for p in pupils]
    name, rows, data = fake_session_results_file(
        candidates, rng=random.Random(4), session="7002", starts_at=SESSION_START,
        validated_rate=0.6)
    validated = [r.pix for r in rows if r.status.value == "validated"]
    archive = zip_of({name: data})

    [results] = read_certification_archive(archive, filename="sessions.zip")
    report = import_files(establishment, [("sessions.zip", archive)])

    assert results.kind == "session" and report.warnings == []
    assert report.counts["matched"] == len(pupils) == 7
    figures = AnalysisSummary.objects.get(establishment=establishment, division="").figures
    assert figures["statuses"]["validated"] == len(validated)
    hand_mean = (Decimal(sum(validated)) / len(validated)).quantize(Decimal("0.01"),
                                                                     rounding=ROUND_HALF_UP)
    assert decimal(figures["mean_pix"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == (
        hand_mean)
    by_class = {s.division: s.figures["candidates"]
                for s in AnalysisSummary.objects.filter(establishment=establishment)}
    assert by_class == {"": 7, "3A": 4, "3B": 3}


def test_a_session_file_without_its_name_still_imports_without_a_class_warning(db):
    establishment, rows = hand_rows(newer=True)
    data = write_certification_results(rows["3B"], newer_layout=True)

    report = certification_results_import(establishment=establishment,
                                          files=[("export.csv", data)])

    assert report.ok and report.warnings == []
    assert taken_on().year == YEAR + 1


def test_a_merged_file_that_kept_each_files_header_reads_the_same_rows(db):
    _establishment, rows = hand_rows()
    files = files_of(rows)
    merged = fake_merged_certification_file(files)
    header = merged.split(b"\n", 1)[0]
    repeated = merged.replace(b"\n\n", b"\n" + header + b"\n")  # the 3B file's header kept

    results = read_certification_results(repeated, filename="toutes.csv")

    assert results.errors == [] and len(results.rows) == 7
    assert [r.line for r in results.rows][-3:] == [7, 8, 9]  # the header's line counted


@pytest.mark.parametrize(("name", "session"), [
    ("20260505_1430_resultats_session_7001.csv", True),
    ("20260505_1430_resultats_session_7001 (1).csv", True),
    ("dossier/20260505_0900_RESULTATS_SESSION_12.csv", True),
    ("20260512_resultats_3A.csv", False),
    ("20260505_resultats_session_7001.csv", False),  # a class named "session_7001"
    ("resultats.csv", False),
])
def test_session_file_names_are_pix_certifs(name, session):
    from pix.certification_format import is_session_filename

    assert is_session_filename(name) is session
