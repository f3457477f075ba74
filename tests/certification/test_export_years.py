"""`manage.py export_certification_analysis --year`: the current year by default, last year's
table when asked (last year's certifications only, checked by hand), and a French refusal
that writes nothing for a year written wrong or one without imported results."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from certification.models import CertificationResult
from establishments.models import Enrolment, SchoolClass, SchoolYear
from tests.certification.results_world import (
    YEAR,
    as_candidate,
    build_case,
    cert_row,
    files_of,
    import_files,
)
from tests.conftest import make_establishment

UAI = "0170300B"
THIS_YEAR, LAST_YEAR = f"{YEAR}-{YEAR + 1}", f"{YEAR - 1}-{YEAR}"


@pytest.fixture
def case(db):
    """`build_case` (this year, 3A and 3B: 7 candidates), and last year two pupils of 3A,
    then in 4A, certified at 200 and 100 pix, every level 2 and 1."""
    case = build_case()
    last_year, _created = SchoolYear.objects.get_or_create(start_year=YEAR - 1)
    fourth = SchoolClass.objects.create(establishment=case.establishment, school_year=last_year,
                                        code="4A", grade="4e")
    for pupil in case.a[:2]:
        Enrolment.objects.create(pupil=pupil, school_year=last_year, school_class=fourth)
    import_files(case.establishment, files_of({"4A": [
        cert_row(as_candidate(case.a[0], "4A"), number="400001", pix=200, competences=2,
                 year=YEAR - 1),
        cert_row(as_candidate(case.a[1], "4A"), number="400002", pix=100, competences=1,
                 year=YEAR - 1),
    ]}, year=YEAR - 1))
    return case


def _rows(path) -> dict[str, dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return {row["Classe"]: row for row in csv.DictReader(io.StringIO(text), delimiter=";")}


def test_without_year_the_current_year_is_written(case, tmp_path):
    output = tmp_path / "analyse.csv"

    call_command("export_certification_analysis", "--uai", UAI, "--output", str(output),
                 stdout=io.StringIO())

    rows = _rows(output)
    # the figures of test_analysis's hand computation: (300 + 150 + 520 + 60) / 4
    assert set(rows) == {"3A", "3B", "Établissement"}
    assert (rows["Établissement"]["Candidats"], rows["Établissement"]["Pix moyen"]) == (
        "7", "257,50")
    assert AuditEvent.objects.get().details["school_year"] == YEAR


def test_last_year_is_written_with_last_years_results_only(case, tmp_path):
    output = tmp_path / "analyse.csv"
    out = io.StringIO()

    call_command("export_certification_analysis", "--uai", UAI, "--year", LAST_YEAR,
                 "--output", str(output), stdout=out)

    rows = _rows(output)
    assert set(rows) == {"4A", "Établissement"}
    for label in ("4A", "Établissement"):
        row = rows[label]
        # two validated: (200 + 100) / 2 pix; every competence (2 + 1) / 2
        assert [row[c] for c in ("Candidats", "Validées", "Rejetées", "Pix moyen")] == [
            "2", "2", "0", "150,00"]
        assert row["1.1"] == row["5.2"] == "1,50"
    assert out.getvalue().strip() == (
        f"Analyse de la certification {LAST_YEAR} de {UAI} écrite dans {output}.")
    assert AuditEvent.objects.get().summary == (
        f"Tableau d’analyse de certification {LAST_YEAR} (CSV), par la commande du serveur")


@pytest.mark.parametrize(("year", "message"), [
    ("2010-2011", f"{UAI} n’a aucun résultat de certification importé pour l’année 2010-2011. "
                  f"Années possibles avec --year : {THIS_YEAR}, {LAST_YEAR}."),
    (f"{YEAR}/{YEAR + 1}", f"Année scolaire « {YEAR}/{YEAR + 1} » : écrivez-la comme "
                           "2025-2026, deux années qui se suivent."),
    (f"{YEAR + 1}-{YEAR}", f"Année scolaire « {YEAR + 1}-{YEAR} » : écrivez-la comme "
                           "2025-2026, deux années qui se suivent."),
])
def test_a_wrong_or_unknown_year_is_refused_in_french_and_nothing_is_written(case, tmp_path,
                                                                             year, message):
    output = tmp_path / "analyse.csv"

    with pytest.raises(CommandError) as raised:
        call_command("export_certification_analysis", "--uai", UAI, "--year", year,
                     "--output", str(output))

    assert str(raised.value) == message
    assert raised.value.returncode == 1
    assert not output.exists()
    assert not AuditEvent.objects.exists()


def test_without_year_a_current_year_without_results_is_refused_with_the_years(case,
                                                                               tmp_path):
    CertificationResult.objects.filter(school_year__start_year=YEAR).delete()
    output = tmp_path / "analyse.csv"

    with pytest.raises(CommandError) as raised:
        call_command("export_certification_analysis", "--uai", UAI, "--output", str(output))

    assert str(raised.value) == (
        f"{UAI} n’a aucun résultat de certification importé pour l’année en cours "
        f"{THIS_YEAR}. Années possibles avec --year : {LAST_YEAR}.")
    assert not output.exists()


def test_an_establishment_without_any_result_is_told_so(db, tmp_path):
    make_establishment("0170301C", "Collège Sans Certification")
    output = tmp_path / "analyse.csv"

    with pytest.raises(CommandError) as raised:
        call_command("export_certification_analysis", "--uai", "0170301c", "--output",
                     str(output))

    assert str(raised.value) == (
        f"0170301C n’a aucun résultat de certification importé pour l’année en cours "
        f"{THIS_YEAR}, ni pour une autre.")
    assert not output.exists()
