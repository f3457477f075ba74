"""`manage.py export_progression --year`: the current year by default, last year's table when
asked (last year's classes, objectives and levels only), and a French refusal that writes
nothing for a year written wrong or one the establishment does not have."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import replace

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from audit.models import AuditEvent
from establishments.imports import pupil_base_import
from establishments.models import Pupil
from pix.fakes import fake_establishment_pupils
from pix.pupils import write_siecle_xml
from progression import services
from progression.rules import RuleKind, RuleSpec
from tests.conftest import make_establishment
from tests.progression.helpers import at, import_profiles, make_objective, profile_row

UAI = "0170457L"


def _siecle(establishment, rows, start_year):
    data = write_siecle_xml(rows, uai=establishment.uai, school_year=start_year)
    report = pupil_base_import(establishment=establishment, data=data, filename="siecle.xml")
    assert report.ok, [str(e) for e in report.errors]


def _pupil(ine: str) -> Pupil:
    # fresh, so that `pupil.establishment.current_year` is the one stored now
    return Pupil.objects.select_related("establishment__current_year").get(ine=ine)


@pytest.fixture
def two_years(db):
    """Year N: 6A and 5A of three pupils; objectives 6e « niveau 1 dans 2 compétences »,
    5e « niveau 2 dans 2 compétences »; a profiles collection in October N. Then year N+1
    opened (objectives carried over, none for 4e), the classes moved up (6A → 5A, 5A → 4A)
    and a second collection in October N+1, where the pupil `late` reaches level 2."""
    establishment = make_establishment(UAI, "Collège des Deux Années")
    first = establishment.current_year
    n = first.start_year
    rows = fake_establishment_pupils([("6A", "6e", 3), ("5A", "5e", 3)], school_year=n,
                                     rng=random.Random(11))
    _siecle(establishment, rows, n)
    sixth = [_pupil(r.ine) for r in rows if r.division == "6A"]
    fifth = [_pupil(r.ine) for r in rows if r.division == "5A"]
    make_objective(establishment, "6e", [RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=1, count=2)])
    make_objective(establishment, "5e", [RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=2, count=2)])
    import_profiles(establishment, [
        profile_row(sixth[0], {"1.1": 1, "2.1": 1}, shared_at=at(n, 10, 1)),
        profile_row(sixth[1], {"1.1": 1}, shared_at=at(n, 10, 1)),
        profile_row(fifth[0], {"1.1": 2, "2.1": 2}, shared_at=at(n, 10, 1)),
        profile_row(fifth[1], {"1.1": 2, "2.1": 1}, shared_at=at(n, 10, 1)),
    ], name="Collecte N")
    second = services.school_year_open_next(establishment=establishment, by=None)
    establishment.refresh_from_db()
    _siecle(establishment, [replace(r, division={"6A": "5A", "5A": "4A"}[r.division])
                            for r in rows], second.start_year)
    late = _pupil(sixth[1].ine)
    import_profiles(establishment, [
        profile_row(late, {"1.1": 2, "2.1": 2, "3.1": 2}, shared_at=at(n + 1, 10, 1)),
    ], name="Collecte N+1")
    return establishment, first, second, sixth, fifth


def _table(path) -> dict[str, list[str]]:
    lines = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0] == "INE"
    return {row[0]: row[3:] for row in lines[1:]}  # INE → classe, niveau, O/N, manquantes


def test_without_year_the_current_year_is_written(two_years, tmp_path):
    establishment, first, second, sixth, fifth = two_years
    output = tmp_path / "progression.csv"
    out = io.StringIO()

    call_command("export_progression", "--uai", UAI, "--output", str(output), stdout=out)

    # Year N+1, by hand: the former 6A are in 5A (level 2 in 2 competences wanted); `late`
    # has three at 2 (N+1), sixth[0] still 1.1=1, 2.1=1 (N), sixth[2] nothing; 4e: no objective.
    assert _table(output) == {
        sixth[0].ine: ["5A", "5e", "N", "niveau 2 dans 2 compétences de plus"],
        sixth[1].ine: ["5A", "5e", "O", ""],
        sixth[2].ine: ["5A", "5e", "N", "niveau 2 dans 2 compétences de plus"],
        fifth[0].ine: ["4A", "4e", "", ""],
        fifth[1].ine: ["4A", "4e", "", ""],
        fifth[2].ine: ["4A", "4e", "", ""],
    }
    assert out.getvalue().strip() == (
        f"Progression {second} de {UAI} : 6 élèves écrits dans {output}.")
    event = AuditEvent.objects.get(establishment=establishment)
    assert event.details["school_year"] == second.start_year


def test_last_year_is_written_with_last_years_classes_objectives_and_levels(two_years,
                                                                            tmp_path):
    establishment, first, second, sixth, fifth = two_years
    output = tmp_path / "progression-n.csv"

    call_command("export_progression", "--uai", UAI, "--year", str(first), "--output",
                 str(output), stdout=io.StringIO())

    # Year N, by hand: 6e wants level 1 in 2 competences, 5e level 2 in 2; `late`'s level 2 of
    # October N+1 does not count in N: one competence at 1, one more wanted.
    assert _table(output) == {
        sixth[0].ine: ["6A", "6e", "O", ""],
        sixth[1].ine: ["6A", "6e", "N", "niveau 1 dans 1 compétence de plus"],
        sixth[2].ine: ["6A", "6e", "N", "niveau 1 dans 2 compétences de plus"],
        fifth[0].ine: ["5A", "5e", "O", ""],
        fifth[1].ine: ["5A", "5e", "N", "niveau 2 dans 1 compétence de plus"],
        fifth[2].ine: ["5A", "5e", "N", "niveau 2 dans 2 compétences de plus"],
    }
    event = AuditEvent.objects.get(establishment=establishment)
    assert event.summary == (f"Export CSV de la progression des élèves {first} (élèves : 6), "
                             "par la commande du serveur")
    assert event.details["school_year"] == first.start_year


@pytest.mark.parametrize("year", ["2025", "2025-2027", "2025/2026", "25-26", "2026-2025", ""])
def test_a_year_written_wrong_is_refused_in_french_and_nothing_is_written(two_years, tmp_path,
                                                                         year):
    output = tmp_path / "x.csv"

    with pytest.raises(CommandError) as raised:
        call_command("export_progression", "--uai", UAI, "--year", year, "--output",
                     str(output))

    assert str(raised.value) == (f"Année scolaire « {year} » : écrivez-la comme 2025-2026, "
                                 "deux années qui se suivent.")
    assert raised.value.returncode == 1
    assert not output.exists()
    assert not AuditEvent.objects.exists()


def test_a_year_the_establishment_does_not_have_is_refused_with_its_years(two_years, tmp_path):
    _establishment, first, second, _sixth, _fifth = two_years
    output = tmp_path / "x.csv"

    with pytest.raises(CommandError) as raised:
        call_command("export_progression", "--uai", UAI, "--year", "2010-2011", "--output",
                     str(output))

    assert str(raised.value) == (f"{UAI} n’a aucune classe pour l’année 2010-2011. Années "
                                 f"possibles avec --year : {second}, {first}.")
    assert raised.value.returncode == 1
    assert not output.exists()
    assert not AuditEvent.objects.exists()


def test_from_the_command_line_the_error_goes_to_stderr_with_exit_status_1(
        two_years, tmp_path, monkeypatch, capsys):
    # run_from_argv closes the connections when it ends: that would end the test's transaction
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    output = tmp_path / "x.csv"
    command = load_command_class("progression", "export_progression")

    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "export_progression", "--uai", UAI, "--year",
                               "2025-26", "--output", str(output)])

    assert exited.value.code == 1
    assert capsys.readouterr().err.strip() == (
        "CommandError: Année scolaire « 2025-26 » : écrivez-la comme 2025-2026, deux années "
        "qui se suivent.")
    assert not output.exists()
