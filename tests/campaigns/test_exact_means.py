"""Issue 10, "exact decimals": a campaign's means on the page, in the CSV and in the workbook
are the exact means rounded half up, as a person computes them by hand."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from campaigns.imports import campaign_results_import
from campaigns.summaries import campaign_summaries_rebuild
from tests.campaigns.factories import assessment, assessment_export, when

# Pix writes mastered / targeted rounded to 2 places: 2/7 → 0,29; 4/7 → 0,57; 5/7 → 0,71. On
# 1.1 and 2.1 alike, so the whole parcours too: 4/14 → 0,29; 8/14 → 0,57; 10/14 → 0,71.
SKILLS = [(7, 2), (7, 2), (7, 4), (7, 5)]
# By hand: 0,29 + 0,29 + 0,57 + 0,71 = 1,86; 1,86 / 4 = 0,465, written 0,47 (47 %).
# A binary float sum gives 0.46499999999999997, which was written 0,46.


def rows():
    return [
        assessment(f"NOM{i}", "Prénom", "5A", started_at=when(9, 15, 9),
                   shared_at=when(9, 15, 10 + i),
                   skills={"1.1": skills, "2.1": skills}, stage=1, badges={"Badge A": False})
        for i, skills in enumerate(SKILLS)
    ]


def imported(world):
    report = campaign_results_import(establishment=world.establishment,
                                     data=assessment_export(rows()))
    assert report.ok, [str(e) for e in report.errors]
    campaign_summaries_rebuild(report.campaign)
    return report.campaign


def test_the_float_mean_was_below_the_half():
    # given the values of the file as floats, the old computation
    assert sum([0.29, 0.29, 0.57, 0.71]) / 4 < 0.465


def test_the_page_shows_47_percent(client, world):
    campaign = imported(world)
    client.force_login(world.rupn)

    html = client.get(reverse("campaigns:results", args=[campaign.pk])).content.decode()

    text = re.sub(r"\s+", " ", html)
    assert "Maîtrise moyenne de l’ensemble des acquis du parcours : 47 %." in text
    # each competence's row and the heatmap's table
    assert text.count(">47 %</span>") == 2
    assert "46 %" not in text
    assert re.search(r'class="level-cell"[^>]*>47 %</td>', text)


def test_the_csv_writes_0_47(client, world):
    campaign = imported(world)
    client.force_login(world.rupn)

    text = client.get(reverse("campaigns:results_csv", args=[campaign.pk])).content.decode()

    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[1].startswith("5A;4;4;;0,47;;;0,47;")
    assert lines[2].startswith("Établissement;4;4;;0,47;;;0,47;")


def test_the_workbook_holds_0_47(client, world):
    campaign = imported(world)
    client.force_login(world.rupn)

    data = client.get(reverse("campaigns:results_xlsx", args=[campaign.pk])).content
    sheet = load_workbook(io.BytesIO(data)).active

    assert [sheet["E2"].value, sheet["H2"].value] == [0.47, 0.47]
    assert sheet["E2"].number_format == "0.00"


def test_the_summary_keeps_the_exact_mean(world):
    campaign = imported(world)

    summary = campaign.summaries.get(division="")

    assert summary.mean_mastery == Decimal("0.465")
    assert summary.competences["1.1"]["mean_mastery"] == "0.465000"
