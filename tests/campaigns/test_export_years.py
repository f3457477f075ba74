"""`manage.py export_campaign_results --year`: the campaign is looked for in the current year
by default; last year's campaign is written with `--year` and its own figures; a campaign of
another year, a year written wrong or one without campaigns is refused in French, and nothing
is written."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from campaigns.exports import write_collective_csv
from campaigns.imports import campaign_results_import
from campaigns.models import Campaign
from pix.files import PARIS
from tests.campaigns.factories import CODE, YEAR, profile, profiles_export
from tests.campaigns.test_summaries import PROFILES

UAI = "0170099X"
OLD = "ANCIEN123"
THIS_YEAR, LAST_YEAR = f"{YEAR}-{YEAR + 1}", f"{YEAR - 1}-{YEAR}"


def _import(establishment, data: bytes) -> Campaign:
    report = campaign_results_import(establishment=establishment, data=data,
                                     filename="export.csv")
    assert report.ok, [str(e) for e in report.errors]
    return report.campaign


@pytest.fixture
def campaigns(school):
    """This year's profiles collection (`CODE`), and last year's (`OLD`): three profiles
    shared in October of last year."""
    october = datetime(YEAR - 1, 10, 6, 10, 0, tzinfo=PARIS)
    current = _import(school, profiles_export(PROFILES))
    old = _import(school, profiles_export([
        profile("ALPHA", "Anna", "5A", shared_at=october, pix={"1.1": 30, "2.1": 12}),
        profile("BRAVO", "Bob", "5A", shared_at=october, pix={"1.1": 9, "2.1": 17}),
        profile("DELTA", "Dina", "5B", shared_at=october, pix={"1.1": 45, "2.1": 8}),
    ], code=OLD, name="Collecte de l’an dernier", campaign_id=100002))
    assert (str(current.school_year), str(old.school_year)) == (THIS_YEAR, LAST_YEAR)
    return current, old


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("export_campaign_results", "--uai", UAI, *args, stdout=out)
    return out.getvalue()


def _rows(path) -> dict[str, dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return {row["Classe"]: row for row in csv.DictReader(io.StringIO(text), delimiter=";")}


def test_without_year_this_years_campaign_is_written(campaigns, tmp_path):
    current, _old = campaigns
    output = tmp_path / "r.csv"

    run("--code", CODE, "--output", str(output))

    assert output.read_bytes() == write_collective_csv(current)
    assert _rows(output)["Établissement"]["Pix moyen"] == "40,25"


def test_last_years_campaign_is_written_with_its_year(campaigns, tmp_path):
    _current, old = campaigns
    output = tmp_path / "r.csv"

    out = run("--code", OLD.lower(), "--year", LAST_YEAR, "--output", str(output))

    rows = _rows(output)
    # by hand, levels = pix // 8: ALPHA 42 pix (1.1=3, 2.1=1), BRAVO 26 (1, 2), DELTA 53 (5, 1)
    assert [rows["5A"][c] for c in ("Participants", "Envois", "Pix moyen", "1.1", "2.1")] == [
        "2", "2", "34,00", "2,00", "1,50"]
    assert [rows["5B"][c] for c in ("Participants", "Envois", "Pix moyen", "1.1", "2.1")] == [
        "1", "1", "53,00", "5,00", "1,00"]
    # (42 + 26 + 53) / 3 = 40.333…; (3 + 1 + 5) / 3 = 3; (1 + 2 + 1) / 3 = 1.333…
    assert [rows["Établissement"][c] for c in ("Participants", "Pix moyen", "1.1", "2.1")] == [
        "3", "40,33", "3,00", "1,33"]
    assert out.strip() == f"Résultats de {OLD} écrits dans {output}."
    assert AuditEvent.objects.get().details["campaign_id"] == old.pk


@pytest.mark.parametrize(("code", "year", "message"), [
    (OLD, None, f"La campagne {OLD} est de l’année {LAST_YEAR}, pas de {THIS_YEAR} : "
                f"ajoutez --year {LAST_YEAR}."),
    (CODE, LAST_YEAR, f"La campagne {CODE} est de l’année {THIS_YEAR}, pas de {LAST_YEAR} : "
                      f"ajoutez --year {THIS_YEAR}."),
    (CODE, "2010-2011", f"{UAI} n’a aucune campagne pour l’année 2010-2011. Années possibles "
                        f"avec --year : {THIS_YEAR}, {LAST_YEAR}."),
    (CODE, f"{YEAR}-{YEAR + 2}", f"Année scolaire « {YEAR}-{YEAR + 2} » : écrivez-la comme "
                                 "2025-2026, deux années qui se suivent."),
    (CODE, f"{YEAR}", f"Année scolaire « {YEAR} » : écrivez-la comme 2025-2026, deux années "
                      "qui se suivent."),
])
def test_another_year_is_refused_in_french_and_nothing_is_written(campaigns, tmp_path, code,
                                                                  year, message):
    output = tmp_path / "r.xlsx"
    args = ["--code", code, "--output", str(output)] + (["--year", year] if year else [])

    with pytest.raises(CommandError) as raised:
        run(*args)

    assert str(raised.value) == message
    assert raised.value.returncode == 1
    assert not output.exists()
    assert not AuditEvent.objects.exists()
