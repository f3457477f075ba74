"""Issue 10: campaign exports of every era imported, figures checked against a hand count.

Eras and variants, each written by the project's writers, which follow Pix's
api/src/prescription/campaign/infrastructure/serializers/csv/
campaign-profiles-collection-export.js and campaign-assessment-export.js (1024pix/pix):
2020-2021 without "Code" (older labels, dates YYYY-MM-DD), 2022-2023, today; assessments
with stages, badges and several sendings; an external id labelled "Classe"; a file of another
organisation.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from campaigns.belonging import same_organisation
from campaigns.imports import campaign_results_import
from campaigns.models import Campaign, Participant, ResultSummary, Sending
from campaigns.summaries import campaign_summaries_rebuild
from establishments.models import SchoolYear
from pix.files import PARIS
from tests.campaigns.factories import (
    add_pupil,
    assessment,
    assessment_export,
    profile,
    profiles_export,
    when,
)


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def establishment_summary(campaign: Campaign) -> ResultSummary:
    campaign_summaries_rebuild(campaign)
    return ResultSummary.objects.get(campaign=campaign, division="")


# --- 2020-2021, no "Code" ------------------------------------------------------------------

ROWS_2020 = [
    profile("PETIT", "Noé", "5A", shared_at=at(2021, 1, 12), pix={"1.1": 30, "2.1": 12}),
    profile("PETIT", "Noé", "5A", shared_at=at(2021, 1, 5), pix={"1.1": 20}),
    profile("ROBERT", "Éloïse", "5A", shared_at=None),
    profile("GARCIA", "Yanis", "5B", shared_at=at(2021, 1, 8), pix={"1.1": 9}),
    profile("LEROY", "Inès", "5B", shared_at=at(2021, 1, 9), pix={"1.1": 40, "3.1": 5}),
]


def file_2020() -> bytes:
    return profiles_export(ROWS_2020, older_format=True, without_code=True,
                           name="Collecte 2020")


def test_a_file_without_code_is_refused_without_a_campaign(school):
    report = campaign_results_import(establishment=school, data=file_2020())

    assert not report.ok
    assert "colonne « Code »" in str(report.errors[0])
    assert not Campaign.objects.exists()


def test_a_2020_2021_file_imports_with_its_campaign_created_by_command(school):
    # given the campaign recorded from the command line
    out = StringIO()
    call_command("create_campaign", uai=school.uai, code="ANCIEN101", name="Collecte 2020",
                 kind="profiles_collection", year="2020-2021", stdout=out)
    campaign = Campaign.objects.get(code="ANCIEN101")
    assert str(campaign.school_year) == "2020-2021"
    assert "créée" in out.getvalue()

    # when the file of that year is imported into it
    report = campaign_results_import(establishment=school, data=file_2020(), campaign=campaign)

    # then by hand: 5 rows, 4 participants, 3 shared; results 42 (Noé's newest), 9 and 45
    assert report.ok, [str(e) for e in report.errors]
    assert (report.counts["rows"], report.counts["participants"],
            report.counts["shared"], report.counts["new_sendings"]) == (5, 4, 3, 5)
    noe = Sending.objects.get(participant__last_name="PETIT", is_result=True)
    assert noe.pix_total == 42
    summary = establishment_summary(campaign)
    # (42 + 9 + 45) / 3 = 96 / 3 = 32
    assert summary.mean_pix == Decimal("32")
    assert summary.shared == 3


def test_the_command_imports_a_file_without_code_with_code(school, tmp_path):
    call_command("create_campaign", uai=school.uai, code="ANCIEN102", name="Collecte 2020",
                 kind="profiles_collection", year="2020-2021", stdout=StringIO())
    path = tmp_path / "export-2020.csv"
    path.write_bytes(file_2020())

    out = StringIO()
    call_command("import_campaign_results", str(path), uai=school.uai, code="ANCIEN102",
                 stdout=out)

    assert "5 lignes, 4 participants, 3 ayant partagé" in out.getvalue()
    assert Participant.objects.filter(campaign__code="ANCIEN102").count() == 4


def test_create_campaign_says_what_is_wrong(school):
    with pytest.raises(CommandError, match="2020-2021"):
        call_command("create_campaign", uai=school.uai, code="ANCIEN103", name="X",
                     kind="assessment", year="2020-2022")
    with pytest.raises(CommandError, match="6 lettres"):
        call_command("create_campaign", uai=school.uai, code="ABC", name="X",
                     kind="assessment", year="2020-2021")
    assert not Campaign.objects.exists()


# --- 2022-2023: an assessment with stages, badges and several sendings ----------------------


def test_a_2022_2023_assessment_with_stages_badges_and_two_sendings(school):
    rows = [
        # Léa shared twice: the newest (6 + 4 of 8 + 8) is her result, not the older one
        assessment("MARTIN", "Léa", "4A", started_at=at(2022, 9, 12),
                   shared_at=at(2022, 10, 3), skills={"1.1": (8, 6), "2.1": (8, 4)}, stage=2,
                   badges={"Badge A": True}),
        assessment("MARTIN", "Léa", "4A", started_at=at(2022, 9, 12),
                   shared_at=at(2022, 9, 14), skills={"1.1": (8, 2), "2.1": (8, 1)}, stage=1,
                   badges={"Badge A": False}),
        assessment("DUBOIS", "Jean", "4A", started_at=at(2022, 9, 13),
                   shared_at=at(2022, 9, 15), skills={"1.1": (8, 3), "2.1": (8, 2)}, stage=1,
                   badges={"Badge A": False}),
        assessment("BERNARD", "Enzo", "4B", started_at=at(2022, 9, 13),
                   shared_at=at(2022, 9, 16), skills={"1.1": (8, 8), "2.1": (8, 7)}, stage=3,
                   badges={"Badge A": True}),
        assessment("PETIT", "Noé", "4B", started_at=at(2022, 9, 14)),  # started, not shared
    ]
    data = assessment_export(rows, code="PARCRS223", stage_count=3)

    report = campaign_results_import(establishment=school, data=data)

    assert report.ok, [str(e) for e in report.errors]
    campaign = report.campaign
    assert str(campaign.school_year) == "2022-2023"
    summary = establishment_summary(campaign)
    # by hand: masteries 10/16 = 0,63 (Pix writes 0.625 rounded: 0,63); 5/16 = 0,31;
    # 15/16 = 0,94. Mean: (0,63 + 0,31 + 0,94) / 3 = 1,88 / 3 = 0,626666… → 0,63
    assert (summary.participants, summary.shared) == (4, 3)
    assert summary.mean_mastery.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal("0.63")
    assert summary.stages == {"0": 0, "1": 1, "2": 1, "3": 1}
    assert summary.badges == {"Badge A": 2}
    assert Sending.objects.filter(participant__campaign=campaign).count() == 5


# --- today: an external id labelled "Classe" ---------------------------------------------------


def test_an_external_id_labelled_classe_is_stored_beside_the_class(school):
    pupils = [add_pupil(school, "MARTIN", "Léa", "5A"), add_pupil(school, "PETIT", "Noé", "5B")]
    rows = [profile("MARTIN", "Léa", "5A", shared_at=when(10, 2), pix={"1.1": 16},
                    external_id="ENT-001"),
            profile("PETIT", "Noé", "5B", shared_at=when(10, 3), pix={"1.1": 24},
                    external_id="ENT-002")]

    report = campaign_results_import(
        establishment=school, data=profiles_export(rows, external_id_label="Classe"))

    assert report.ok, [str(e) for e in report.errors]
    assert report.campaign.external_id_label == "Classe"
    stored = {p.last_name: (p.division, p.external_id, p.pupil_id)
              for p in Participant.objects.all()}
    assert stored == {"MARTIN": ("5A", "ENT-001", pupils[0].pk),
                      "PETIT": ("5B", "ENT-002", pupils[1].pk)}
    assert sorted(report.campaign.classes.values_list("code", flat=True)) == ["5A", "5B"]
    # (16 + 24) / 2 = 20
    assert establishment_summary(report.campaign).mean_pix == Decimal("20")


# --- a file of another establishment -----------------------------------------------------------


@pytest.mark.parametrize(("file_name", "ours", "same"), [
    ("Collège Test", "COLLEGE TEST", True),
    ("Clg Jean-Moulin - Rochefort", "Collège Jean Moulin", True),
    ("Lycée Victor Hugo (0170099X)", "LPO Victor Hugo", True),
    ("Collège Victor Hugo", "Collège Jean Moulin", False),
    ("", "Collège Jean Moulin", True),
])
def test_organisation_names_are_compared_folded(file_name, ours, same):
    assert same_organisation(file_name, ours, "0170099X") is same


def test_a_file_of_another_organisation_stops_before_writing(school):
    rows = [profile("MARTIN", "Léa", "5A", shared_at=when(10, 2), pix={"1.1": 16})]
    data = profiles_export(rows, organisation="Collège Victor Hugo")

    report = campaign_results_import(establishment=school, data=data)

    assert not report.ok and report.needs_confirmation
    assert "« Collège Victor Hugo »" in str(report.errors[0])
    assert "Rien n’a été enregistré" in str(report.errors[0])
    assert not Campaign.objects.exists() and not Participant.objects.exists()

    confirmed = campaign_results_import(establishment=school, data=data, confirmed=True)

    assert confirmed.ok and Participant.objects.count() == 1


def test_a_file_whose_participants_are_not_our_pupils_stops(school, tmp_path):
    # given 10 pupils of ours, and a file of 10 participants of whom 1 is ours: 10 % < 20 %
    for i in range(10):
        add_pupil(school, f"ELEVE{i}", "Prénom", "5A")
    rows = [profile("ELEVE0", "Prénom", "5A", shared_at=when(10, 2), pix={"1.1": 8})]
    rows += [profile(f"AUTRE{i}", "Quelqu’un", "5A", shared_at=when(10, 2), pix={"1.1": 8})
             for i in range(9)]
    path = tmp_path / "ailleurs.csv"
    path.write_bytes(profiles_export(rows))

    # when imported from the command line
    err = StringIO()
    with pytest.raises(CommandError, match="--force"):
        call_command("import_campaign_results", str(path), uai=school.uai, stderr=err)

    # then nothing is written and the numbers are told
    assert "Seuls 1 participants sur 10" in err.getvalue()
    assert "« Collège Test »" in err.getvalue()
    assert not Campaign.objects.exists()

    out = StringIO()
    call_command("import_campaign_results", str(path), uai=school.uai, force=True, stdout=out)
    assert "10 participants" in out.getvalue() and "1 reconnus" in out.getvalue()


def test_two_of_ten_recognised_is_enough(school):
    # 2 of 10 is 20 %: not "under 20 %", the file is imported
    for i in range(10):
        add_pupil(school, f"ELEVE{i}", "Prénom", "5A")
    rows = [profile(f"ELEVE{i}", "Prénom", "5A", shared_at=when(10, 2), pix={"1.1": 8})
            for i in range(2)]
    rows += [profile(f"AUTRE{i}", "Quelqu’un", "5A", shared_at=when(10, 2), pix={"1.1": 8})
             for i in range(8)]

    report = campaign_results_import(establishment=school, data=profiles_export(rows))

    assert report.ok and report.counts["matched"] == 2


def test_without_pupils_that_year_matching_cannot_tell(school):
    # the establishment has pupils, but none in 2020-2021: the old file is not held against it
    add_pupil(school, "MARTIN", "Léa", "5A")
    campaign = Campaign.objects.create(
        establishment=school, code="ANCIEN104", name="Collecte 2020",
        kind=Campaign.Kind.PROFILES_COLLECTION,
        school_year=SchoolYear.objects.get_or_create(start_year=2020)[0])

    report = campaign_results_import(establishment=school, data=file_2020(), campaign=campaign)

    assert report.ok and report.counts["matched"] == 0
