"""The collective results files, against figures computed by hand (see test_summaries)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from campaigns.exports import (
    collective_rows,
    french_decimal,
    write_collective_csv,
    write_collective_xlsx,
)
from campaigns.imports import campaign_results_import
from campaigns.selectors import division_sort_key
from campaigns.summaries import campaign_summaries_rebuild
from tests.campaigns.factories import assessment, assessment_export, profile, profiles_export, when
from tests.campaigns.test_summaries import ASSESSMENT, PROFILES

HEADER = ("\ufeffClasse;Participants;Envois;Pix moyen;1.1;1.2;1.3;2.1;2.2;2.3;2.4;3.1;3.2;3.3;"
          "3.4;4.1;4.2;4.3;5.1;5.2\r\n")
ZEROS = ";0,00"


def imported(school, data):
    report = campaign_results_import(establishment=school, data=data)
    assert report.ok, [str(e) for e in report.errors]
    campaign_summaries_rebuild(report.campaign)
    return report.campaign


def test_profiles_collection_csv_by_hand(school):
    campaign = imported(school, profiles_export(PROFILES))

    text = write_collective_csv(campaign).decode("utf-8")

    assert text == (
        HEADER
        # 5A: A (42 pix; 1.1 level 3, 2.1 level 1) and B (26; 1.1 level 1, 2.1 level 2)
        + "5A;3;2;34,00;2,00;0,00;0,00;1,50" + ZEROS * 12 + "\r\n"
        # 5B: D (77; 1.1 level 5, 1.2 1.3 2.1 2.2 level 1) and E (16; 1.1 level 2)
        + "5B;2;2;46,50;3,50;0,50;0,50;0,50;0,50" + ZEROS * 11 + "\r\n"
        + "Établissement;5;4;40,25;2,75;0,25;0,25;1,00;0,25" + ZEROS * 11 + "\r\n"
    )


def test_assessment_csv_by_hand(school):
    campaign = imported(school, assessment_export(ASSESSMENT))

    text = write_collective_csv(campaign).decode("utf-8")

    empty_after_1_1, empty_after_2_1 = ";" * 3, ";" * 12  # 2 then 12 empty cells
    assert text == (
        HEADER
        + "5A;3;2;;0,38" + empty_after_1_1 + "0,38" + empty_after_2_1 + "\r\n"  # 0.375
        + "5B;1;1;;1,00" + empty_after_1_1 + "1,00" + empty_after_2_1 + "\r\n"
        + "Établissement;4;3;;0,58" + empty_after_1_1 + "0,58" + empty_after_2_1 + "\r\n"
    )


def test_rows_are_values_for_pages_and_files(school):
    campaign = imported(school, assessment_export(ASSESSMENT))

    rows = collective_rows(campaign)

    assert [row["Classe"] for row in rows] == ["5A", "5B", "Établissement"]
    assert rows[0]["1.1"] == pytest.approx(0.375)
    assert (rows[0]["Pix moyen"], rows[0]["3.4"], rows[2]["Participants"]) == (None, None, 4)


def test_class_names_cannot_run_as_formulas(school):
    rows = [assessment("X", "Y", "=SOMME(A1)", started_at=when(9, 15, 9),
                       shared_at=when(9, 15, 10), skills={"1.1": (2, 1), "2.1": (2, 2)},
                       stage=1, badges={"Badge A": False})]
    campaign = imported(school, assessment_export(rows))

    text = write_collective_csv(campaign).decode("utf-8")
    sheet = load_workbook(io.BytesIO(write_collective_xlsx(campaign))).active

    assert "\r\n'=SOMME(A1);1;1;;0,50" in text
    assert sheet["A2"].value == "'=SOMME(A1)"


def test_an_empty_campaign_gives_the_header_only(school):
    campaign = imported(school, profiles_export([profile("A", "B", "5A", shared_at=None)]))
    campaign.summaries.all().delete()

    assert write_collective_csv(campaign).decode("utf-8") == HEADER


def test_the_workbook_holds_the_same_table(school):
    campaign = imported(school, profiles_export(PROFILES))

    sheet = load_workbook(io.BytesIO(write_collective_xlsx(campaign))).active

    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER.lstrip("\ufeff").rstrip("\r\n").split(";")
    assert values[1][:8] == ["5A", 3, 2, 34.0, 2.0, 0.0, 0.0, 1.5]
    assert values[3][:5] == ["Établissement", 5, 4, 40.25, 2.75]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["D2"].number_format == "0.00"
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width >= len("Établissement")


@pytest.mark.parametrize(
    ("value", "text"),
    [(2.125, "2,13"), (0.375, "0,38"), (2.675, "2,68"), (1 / 3, "0,33"), (2 / 3, "0,67"),
     (34.0, "34,00"), (0.0, "0,00"), (None, "")],
)
def test_decimals_are_rounded_half_up_as_by_hand(value, text):
    assert french_decimal(value) == text


def test_classes_are_listed_by_grade_then_in_natural_order():
    divisions = ["3B", "301", "5A", "3A", "6E2", "6E10", "TG1", "2nde 3"]

    assert sorted(divisions, key=division_sort_key) == [
        "6E2", "6E10", "5A", "3A", "3B", "301", "2nde 3", "TG1"]
