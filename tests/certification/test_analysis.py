"""The analysis table against a hand computation on a small case, the export command's exact
CSV on that case, previous years, the profiles collection forecast, and the rebuild."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, Participant, Sending
from certification.analysis import (
    certification_analysis_rebuild,
    results_frame,
    summarise,
)
from certification.models import AnalysisSummary, CertificationResult
from certification.results_selectors import analysis_rows, year_on_year
from establishments.models import SchoolYear
from pix.files import PARIS
from tests.certification.results_world import (
    OTHERS,
    YEAR,
    as_candidate,
    build_case,
    cert_row,
    files_of,
    import_files,
)


@pytest.fixture
def case(db):
    return build_case()


def figures(case, division=""):
    return AnalysisSummary.objects.get(establishment=case.establishment,
                                       school_year__start_year=YEAR, division=division).figures


def test_class_figures_by_hand(case):
    a, b = figures(case, "3A"), figures(case, "3B")

    assert a["candidates"] == 4
    assert a["statuses"] == {"validated": 2, "rejected": 1, "cancelled": 1, "error": 0,
                             "started": 0}
    assert a["mean_pix"] == "225.000000"  # (300 + 150) / 2, validated only
    assert a["competences"]["1.1"]["mean_level"] == "2.000000"  # (3 + 1) / 2
    assert a["competences"]["1.2"]["mean_level"] == "1.000000"  # (2 + 0) / 2: a 0 counts
    assert a["competences"]["1.3"]["mean_level"] == "2.000000"  # A1's "-" left out: 2 / 1
    assert a["competences"]["1.3"]["count"] == 1
    assert a["competences"]["2.1"]["mean_level"] == "1.500000"  # (2 + 1) / 2
    assert a["competences"]["1.1"]["at_least"] == {
        "1": "1.000000", "2": "0.500000", "3": "0.500000"}
    assert a["competences"]["1.2"]["at_least"] == {
        "1": "0.500000", "2": "0.500000", "3": "0.000000"}
    assert a["levels"] == {"Pré-niveau": 0, "Novice 1": 0, "Novice 2": 1, "Indépendant 1": 1,
                           "Indépendant 2": 0, "Avancé 1": 0, "Avancé 2": 0, "Expert 1": 0}

    assert b["candidates"] == 3
    assert b["statuses"] == {"validated": 2, "rejected": 0, "cancelled": 0, "error": 1,
                             "started": 0}
    assert b["mean_pix"] == "290.000000"  # (520 + 60) / 2
    assert b["competences"]["1.1"]["mean_level"] == "4.000000"  # B3's "-" left out
    assert b["competences"]["1.2"]["mean_level"] == "2.000000"  # (3 + 1) / 2
    assert b["competences"]["5.2"]["mean_level"] == "3.000000"
    assert b["competences"]["2.1"]["mean_level"] == "2.000000"
    assert b["levels"]["Pré-niveau"] == 1  # 60 pix: under Novice 1's 64
    assert b["levels"]["Avancé 1"] == 1


def test_establishment_figures_by_hand(case):
    whole = figures(case)

    assert whole["candidates"] == 7
    assert whole["statuses"] == {"validated": 4, "rejected": 1, "cancelled": 1, "error": 1,
                                 "started": 0}
    assert whole["mean_pix"] == "257.500000"  # (300 + 150 + 520 + 60) / 4
    means = {code: values["mean_level"] for code, values in whole["competences"].items()}
    assert means["1.1"] == "2.666666"  # 3, 1, 4: 8 / 3, six places
    assert means["1.2"] == "1.500000"  # 2, 0, 3, 1
    assert means["1.3"] == "3.000000"  # 2, 4
    assert means["5.2"] == "2.000000"  # 2, 1, 3
    assert all(means[code] == "1.750000" for code in OTHERS)  # 2, 1, 3, 1
    assert whole["competences"]["1.2"]["distribution"][:5] == [1, 1, 1, 1, 0]
    assert whole["competences"]["1.2"]["at_least"] == {
        "1": "0.750000", "2": "0.500000", "3": "0.250000"}
    assert whole["weakest"] == ["1.2", "2.1", "2.2"]  # 1.5, then 1.75 in CRCN order
    assert (whole["matched"], whole["pending"]) == (7, 0)
    assert sum(whole["levels"].values()) == 4


def test_the_export_command_writes_the_hand_computed_table(case, tmp_path):
    output = tmp_path / "analyse.csv"

    call_command("export_certification_analysis", "--uai", "0170300B",
                 "--year", f"{YEAR}-{YEAR + 1}", "--output", str(output))

    others_a = ";".join(["1,50"] * len(OTHERS))
    others_b = ";".join(["2,00"] * len(OTHERS))
    others_all = ";".join(["1,75"] * len(OTHERS))
    assert output.read_bytes().decode("utf-8") == (
        "\ufeffClasse;Candidats;Validées;Rejetées;Annulées;En erreur;Pix moyen;1.1;1.2;1.3;"
        "2.1;2.2;2.3;2.4;3.1;3.2;3.3;3.4;4.1;4.2;4.3;5.1;5.2\r\n"
        f"3A;4;2;1;1;0;225,00;2,00;1,00;2,00;{others_a};1,50\r\n"
        f"3B;3;2;0;0;1;290,00;4,00;2,00;4,00;{others_b};3,00\r\n"
        f"Établissement;7;4;1;1;1;257,50;2,67;1,50;3,00;{others_all};2,00\r\n"
    )


def test_the_export_command_refuses_a_year_without_results(case, tmp_path):
    with pytest.raises(CommandError, match="aucun résultat de certification importé"):
        call_command("export_certification_analysis", "--uai", "0170300B",
                     "--year", f"{YEAR - 3}-{YEAR - 2}", "--output", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="écrivez-la comme 2025-2026"):
        call_command("export_certification_analysis", "--uai", "0170300B",
                     "--year", "2025", "--output", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="Aucun établissement"):
        call_command("export_certification_analysis", "--uai", "0999999Z",
                     "--year", f"{YEAR}-{YEAR + 1}", "--output", str(tmp_path / "x.csv"))


def test_the_csv_download_is_the_command_output(case, client, tmp_path):
    from establishments.models import Membership
    from tests.conftest import make_user

    direction = make_user("chef@calcul.fr")
    Membership.objects.create(user=direction, establishment=case.establishment,
                              role=Membership.Role.DIRECTION)
    client.force_login(direction)
    output = tmp_path / "analyse.csv"
    call_command("export_certification_analysis", "--uai", "0170300B",
                 "--year", f"{YEAR}-{YEAR + 1}", "--output", str(output))

    response = client.get(f"/bilans/certification/{YEAR}/analyse.csv")

    assert response.status_code == 200
    assert response.content == output.read_bytes()


# --- what is left out, and what comes along ---------------------------------------------------


def test_results_marked_not_ours_are_left_out_and_pending_ones_count(case):
    stranger = cert_row(as_candidate(case.a[0], "3A", last_name="ZZAUTRE", first_name="Ex",
                                     birthdate=None), number="500008", pix=800,
                        competences=6)
    import_files(case.establishment, files_of({"3A": [stranger]}))
    assert figures(case, "3A")["candidates"] == 5
    assert figures(case, "3A")["pending"] == 1

    result = CertificationResult.objects.get(certification_number="500008")
    result.match = CertificationResult.Match.NOT_OURS
    result.save(update_fields=["match"])
    certification_analysis_rebuild(establishment=case.establishment,
                                   school_year=SchoolYear.objects.get(start_year=YEAR))

    assert figures(case, "3A")["candidates"] == 4
    assert figures(case, "3A")["mean_pix"] == "225.000000"


def test_rebuilding_twice_changes_nothing_and_stale_classes_go(case):
    year = SchoolYear.objects.get(start_year=YEAR)
    before = {s.division: (s.pk, s.built_at) for s in AnalysisSummary.objects.all()}

    certification_analysis_rebuild(establishment=case.establishment, school_year=year)

    assert {s.division: (s.pk, s.built_at) for s in AnalysisSummary.objects.all()} == before
    CertificationResult.objects.filter(division="3B").delete()
    certification_analysis_rebuild(establishment=case.establishment, school_year=year)
    assert set(AnalysisSummary.objects.values_list("division", flat=True)) == {"", "3A"}


def test_rebuild_queries_do_not_depend_on_the_number_of_candidates(case):
    year = SchoolYear.objects.get(start_year=YEAR)

    def rebuild_after_adding(count, start):
        extra = [cert_row(as_candidate(case.a[0], "3A", last_name=f"ZZ{start + i}"),
                          number=f"6{start + i:05d}", pix=100 + i, competences=1)
                 for i in range(count)]
        # (candidates unknown to the pupil list: the import goes on as a RUPN confirmed)
        import_files(case.establishment, files_of({"3A": extra}), rebuild=False, force=True)
        with CaptureQueriesContext(connection) as queries:
            certification_analysis_rebuild(establishment=case.establishment, school_year=year)
        return len(queries)

    assert rebuild_after_adding(1, 0) == rebuild_after_adding(20, 100)


def test_previous_years_come_side_by_side(case):
    previous = [
        cert_row(as_candidate(case.a[0], "3A", last_name="ANCIEN"), number="400001", pix=200,
                 competences=2, year=YEAR - 1),
        cert_row(as_candidate(case.a[1], "3A", last_name="ANCIENNE"), number="400002",
                 pix=100, competences=1, year=YEAR - 1),
    ]
    import_files(case.establishment, files_of({"3A": previous}, year=YEAR - 1))
    year = SchoolYear.objects.get(start_year=YEAR)

    history = year_on_year(case.establishment, year)
    classes = year_on_year(case.establishment, year, "3A")

    assert [(h.school_year.start_year, h.candidates, h.mean_pix) for h in history] == [
        (YEAR - 1, 2, 150.0), (YEAR, 7, 257.5)]
    assert [h.mean_level("1.1") for h in classes] == [1.5, 2.0]
    # this year's figures are untouched by last year's import
    assert figures(case)["candidates"] == 7


def test_forecast_compares_the_latest_profiles_collection_of_the_same_pupils(case):
    """A1 and B1 sent a profile (A1 twice: the latest counts); A2 never did."""
    year = SchoolYear.objects.get(start_year=YEAR)

    def collection(code, when, levels_by_pupil):
        campaign = Campaign.objects.create(
            establishment=case.establishment, school_year=year, code=code, name=code,
            kind=Campaign.Kind.PROFILES_COLLECTION)
        for pupil, levels in levels_by_pupil:
            participant = Participant.objects.create(
                campaign=campaign, last_name=pupil.last_name, first_name=pupil.first_name,
                division="3A", last_name_key=pupil.last_name_key,
                first_name_key=pupil.first_name_key, pupil=pupil,
                match=Participant.Match.AUTO, has_shared=True)
            Sending.objects.create(
                participant=participant, shared=True, shared_at=when, is_result=True,
                competences={code: {"level": level, "pix": 8 * level}
                             for code, level in levels.items()},
                fingerprint=code)

    a1, b1 = case.a[0], case.b[0]
    collection("OLDOLD111", datetime(YEAR, 12, 1, tzinfo=PARIS),
               [(a1, {"1.1": 0, "1.2": 0, "1.3": 0})])
    collection("NEWNEW222", datetime(YEAR + 1, 3, 1, tzinfo=PARIS),
               [(a1, {"1.1": 2, "1.2": 2, "1.3": 3}), (b1, {"1.1": 4, "1.2": 2})])

    certification_analysis_rebuild(establishment=case.establishment, school_year=year)

    whole = figures(case)
    forecast = whole["forecast"]
    # 1.1: A1 collected 2, certified 3; B1 collected 4, certified 4
    assert forecast["1.1"] == {"pupils": 2, "forecast": "3.000000", "certified": "3.500000",
                               "forecast_sum": 6, "certified_sum": 7}
    # 1.2: A1 2 → 2; B1 2 → 3
    assert forecast["1.2"] == {"pupils": 2, "forecast": "2.000000", "certified": "2.500000",
                               "forecast_sum": 4, "certified_sum": 5}
    # 1.3: A1 certified "-": left out; B1 has no collected 1.3
    assert forecast["1.3"] == {"pupils": 0, "forecast": None, "certified": None,
                               "forecast_sum": 0, "certified_sum": 0}
    assert whole["forecast_pupils"] == 2
    assert figures(case, "3B")["forecast"]["1.1"] == {
        "pupils": 1, "forecast": "4.000000", "certified": "4.000000", "forecast_sum": 4,
        "certified_sum": 4}


# --- the pure functions, without a database ----------------------------------------------------


def test_summarise_is_pure_and_empty_gives_nothing():
    assert summarise(results_frame([])) == {}
    frame = results_frame([
        {"division": "", "status": "validated", "pix": 100, "pupil_id": None,
         "match": "pending", "competence_levels": {"1.1": 1}},
        {"division": "3A", "status": "started", "pix": None, "pupil_id": 4, "match": "auto",
         "competence_levels": {}},
    ])

    figures = summarise(frame)

    assert set(figures) == {"", "3A"}  # a result without class counts for the whole only
    assert figures[""]["candidates"] == 2
    assert figures[""]["statuses"]["started"] == 1
    assert figures["3A"]["mean_pix"] is None
    assert figures["3A"]["weakest"] == []
    assert figures[""]["competences"]["1.1"] == {
        "count": 1, "mean_level": "1.000000", "level_sum": 1,
        "at_least": {"1": "1.000000", "2": "0.000000", "3": "0.000000"},
        "distribution": [0, 1, 0, 0, 0, 0, 0, 0, 0]}
    assert figures[""]["competences"]["1.2"]["at_least"] == {"1": None, "2": None, "3": None}


def test_analysis_rows_put_classes_in_natural_order_then_the_establishment(case):
    year = SchoolYear.objects.get(start_year=YEAR)
    assert [r.label for r in analysis_rows(case.establishment, year)] == [
        "3A", "3B", "Établissement"]
