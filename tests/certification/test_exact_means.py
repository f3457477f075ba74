"""Issue 10, "exact decimals": the certification analysis rounds its means half up on their
exact value, the same on the page, in the CSV, the workbook and the PDF bilan."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from reportlab.platypus import Paragraph, Table

from establishments.models import Membership, Pupil, SchoolYear
from reports.pdf import _Bilan
from tests.certification.results_world import YEAR, as_candidate, cert_row, files_of, import_files
from tests.conftest import import_fake_pupils, make_establishment, make_user

# By hand:
#   3A: 300 and 301 pix → 601 / 2 = 300,5 → "300,50"; 1.1 levels 2 and 3 → 2,5 → "2,50"
#   3B: seven at 100 pix, one at 101 → 801 / 8 = 100,125 → "100,13" (a float gives the same
#       here, but Python's round(100.125, 2) gives 100.12); 1.1 levels: seven 1, one 2 →
#       9 / 8 = 1,125 → "1,13"; level 2 or more in 1.1: 1 of 8 = 12,5 % → "13 %"
#   the establishment: (601 + 801) / 10 = 140,2 → "140,20"; 1.1: (5 + 9) / 10 = 1,4 → "1,40"
A_PIX, B_PIX = [300, 301], [100] * 7 + [101]
A_11, B_11 = [2, 3], [1] * 7 + [2]


@pytest.fixture
def school(db):
    establishment = make_establishment("0170500D", "Collège Exact")
    import_fake_pupils(establishment, divisions=(("3A", "3e", 2), ("3B", "3e", 8)), seed=4)
    rows = {}
    number = 600000
    for division, pixes, levels in (("3A", A_PIX, A_11), ("3B", B_PIX, B_11)):
        pupils = Pupil.objects.filter(enrolments__school_class__code=division).order_by("pk")
        rows[division] = []
        for pupil, pix, level in zip(pupils, pixes, levels, strict=True):
            number += 1
            rows[division].append(cert_row(as_candidate(pupil, division), number=str(number),
                                           pix=pix, competences={"1.1": level}))
    import_files(establishment, files_of(rows))
    return establishment


@pytest.fixture
def direction(school, client):
    user = make_user("principal@exact.fr", first="Paule", last="Principale")
    Membership.objects.create(user=user, establishment=school, role=Membership.Role.DIRECTION)
    client.force_login(user)
    return user


def text_of(response) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", response.content.decode()))


def test_the_page_shows_the_means_rounded_half_up(client, direction):
    whole = text_of(client.get("/certification/analyse/", {"annee": YEAR}))
    of_3b = text_of(client.get("/certification/analyse/", {"annee": YEAR, "classe": "3B"}))

    # the classes' table
    assert re.search(r">3A</a></th>(<td[^>]*>[^<]*</td>){5}<td class=\"text-end\">300,50</td>",
                     whole)
    assert re.search(r">3B</a></th>(<td[^>]*>[^<]*</td>){5}<td class=\"text-end\">100,13</td>",
                     whole)
    assert '<div class="stat">140,20</div>' in whole
    # the class's key figure, its mean level and its share at level 2 or more in 1.1
    assert '<div class="stat">100,13</div>' in of_3b
    assert re.search(r"1\.1</span>[^<]*(<span[^>]*>[^<]*</span>)?</th>"
                     r"<td[^>]*>8</td><td[^>]*>1,13</td>"
                     r"<td[^>]*>100 %</td><td[^>]*>13 %</td><td[^>]*>0 %</td>", of_3b)


def test_the_csv_writes_the_same_figures(client, direction):
    text = client.get(f"/bilans/certification/{YEAR}/analyse.csv").content.decode()

    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[1].startswith("3A;2;2;0;0;0;300,50;2,50;")
    assert lines[2].startswith("3B;8;8;0;0;0;100,13;1,13;")
    assert lines[3].startswith("Établissement;10;10;0;0;0;140,20;1,40;")


def test_the_workbook_holds_the_same_figures(client, direction):
    data = client.get(f"/bilans/certification/{YEAR}/bilan.xlsx").content
    book = load_workbook(io.BytesIO(data))

    rows = {r[0]: r for r in book["Classes"].iter_rows(min_row=2, values_only=True)}
    assert (rows["3A"][7], rows["3A"][8]) == (300.5, 2.5)
    assert (rows["3B"][7], rows["3B"][8]) == (100.13, 1.13)
    assert (rows["Établissement"][7], rows["Établissement"][8]) == (140.2, 1.4)
    synthesis = {r[0]: r[1] for r in book["Synthèse"].iter_rows(values_only=True) if r[0]}
    assert synthesis["Pix moyen (certifications validées)"] == 140.2


def pdf_texts(flowables) -> list[str]:
    """Every text the PDF bilan prints, from the story it is built from."""
    texts: list[str] = []
    for flowable in flowables:
        if isinstance(flowable, Paragraph):
            texts.append(flowable.text)
        elif isinstance(flowable, Table):
            for row in flowable._cellvalues:
                for cell in row:
                    texts.extend(pdf_texts([cell]) if not isinstance(cell, str) else [cell])
        elif hasattr(flowable, "_content"):  # KeepTogether
            texts.extend(pdf_texts(flowable._content))
    return texts


def test_the_pdf_bilan_prints_the_same_figures(school):
    year = SchoolYear.objects.get(start_year=YEAR)
    texts = pdf_texts(_Bilan(school, year, datetime(YEAR + 1, 6, 1)).story())

    assert "140,20" in texts  # the key figure
    assert any("score moyen de 140,20 pix" in t for t in texts)
    # the classes' table: class, candidates, validated, rate, …, Pix moyen
    assert ["3A", "2", "2", "100 %", "0", "0", "0", "300,50", "1.1"] in _rows(texts)
    assert ["3B", "8", "8", "100 %", "0", "0", "0", "100,13", "1.1"] in _rows(texts)
    # the competences' table (establishment), 1.1: 10 candidates, mean 1,40, at level 1 or
    # more 10 of 10, at 2 or more 3 of 10, at 3 or more 1 of 10
    assert _after(texts, "1.1") == ["10", "1,40", "100 %", "30 %", "10 %"]


def _rows(texts: list[str]) -> list[list[str]]:
    rows, index = [], 0
    while index < len(texts):
        if texts[index] in ("3A", "3B"):
            rows.append(texts[index:index + 9])
        index += 1
    return rows


def _after(texts: list[str], code: str) -> list[str]:
    """The five figures after the competence 1.1's name in the competences' table."""
    index = texts.index(code)
    return texts[index + 2:index + 7]
