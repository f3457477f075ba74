"""Management commands: import_campaign_results and export_campaign_results."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.exports import write_collective_csv
from campaigns.models import Campaign, Participant, ResultSummary
from campaigns.services import campaign_create
from tests.campaigns.factories import CODE, add_pupil, break_line, profiles_export
from tests.campaigns.test_summaries import PROFILES


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def export_file(tmp_path):
    path = tmp_path / "Resultats-test.csv"
    path.write_bytes(profiles_export(PROFILES))
    return path


def test_import_prints_its_counts_and_builds_the_summaries(school, export_file):
    add_pupil(school, "ALPHA", "Anna", "5A")

    out, _err = run("import_campaign_results", "--uai", "0170099x", str(export_file))

    campaign = Campaign.objects.get()
    assert out.strip() == (
        f"Campagne {CODE} « Collecte de profils test » (Collecte de profils, "
        f"{campaign.school_year}) : 7 lignes, 5 participants, 4 ayant partagé, 1 reconnus, "
        "4 à vérifier, 0 hors établissement, 7 nouveaux envois."
    )
    assert ResultSummary.objects.get(campaign=campaign, division="").participants == 5


def test_import_of_a_bad_file_lists_every_error_exits_1_and_writes_nothing(school, tmp_path):
    data = break_line(profiles_export(PROFILES), 2, b";42;", b";quarante;")
    data = break_line(data, 5, b'"Non"', b'"Peut-\xc3\xaatre"')
    path = tmp_path / "casse.csv"
    path.write_bytes(data)
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_campaign_results", "--uai", "0170099X", str(path),
                     stdout=StringIO(), stderr=err)

    assert raised.value.returncode == 1  # what manage.py exits with
    assert str(raised.value) == ("2 erreur(s) : le fichier n’a pas été importé, rien n’a été "
                                 "enregistré.")
    assert err.getvalue().splitlines() == [
        "Ligne 2, colonne « Nombre de pix total » : nombre entier attendu, « quarante » trouvé",
        "Ligne 5, colonne « Envoi (O/N) » : « Oui » ou « Non » attendu, « Peut-être » trouvé",
    ]
    assert not Campaign.objects.exists() and not Participant.objects.exists()


def test_import_into_a_given_campaign_refuses_another_campaigns_file(school, export_file):
    campaign_create(establishment=school, by=None, code="AUTRES999", name="Autre",
                    kind=Campaign.Kind.PROFILES_COLLECTION)
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_campaign_results", "--uai", "0170099X", "--code", "autres999",
                     str(export_file), stdout=StringIO(), stderr=err)

    assert "Ce fichier est l’export de la campagne TESTAB123" in err.getvalue()
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--uai", "9999999Z"], "Aucun établissement n’a l’UAI 9999999Z."),
        (["--uai", "0170099X", "--code", "NOPENO000"],
         "Aucune campagne de 0170099X n’a le code NOPENO000."),
    ],
)
def test_import_refuses_an_unknown_uai_or_code(school, export_file, args, message):
    with pytest.raises(CommandError, match=message):
        run("import_campaign_results", *args, str(export_file))

    assert not Campaign.objects.exists()


def test_import_of_a_missing_file(school, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire"):
        run("import_campaign_results", "--uai", "0170099X", str(tmp_path / "absent.csv"))


def test_export_writes_the_collective_csv(school, export_file, tmp_path):
    run("import_campaign_results", "--uai", "0170099X", str(export_file))
    output = tmp_path / "resultats.csv"

    out, _err = run("export_campaign_results", "--uai", "0170099X", "--code", CODE.lower(),
                    "--output", str(output))

    campaign = Campaign.objects.get()
    assert output.read_bytes() == write_collective_csv(campaign)
    assert output.read_bytes().decode("utf-8").splitlines()[-1].startswith(
        "Établissement;5;4;40,25;2,75")
    assert out.strip() == f"Résultats de {CODE} écrits dans {output}."


def test_export_builds_missing_summaries_and_writes_xlsx(school, export_file, tmp_path):
    run("import_campaign_results", "--uai", "0170099X", str(export_file))
    ResultSummary.objects.all().delete()
    output = tmp_path / "resultats.xlsx"

    run("export_campaign_results", "--uai", "0170099X", "--code", CODE, "--output", str(output))

    assert output.read_bytes()[:2] == b"PK"
    assert ResultSummary.objects.count() == 3


@pytest.mark.parametrize(
    ("uai", "code", "message"),
    [
        ("9999999Z", CODE, "Aucun établissement n’a l’UAI 9999999Z."),
        ("0170099X", "NOPENO000", "Aucune campagne de 0170099X n’a le code NOPENO000."),
    ],
)
def test_export_refuses_an_unknown_uai_or_code(school, tmp_path, uai, code, message):
    output = tmp_path / "x.csv"

    with pytest.raises(CommandError, match=message):
        run("export_campaign_results", "--uai", uai, "--code", code, "--output", str(output))

    assert not output.exists()
