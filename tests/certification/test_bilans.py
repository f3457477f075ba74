"""The direction's bilans: the workbook (four sheets, values, ready to print), the PDF, the CSV,
and the log of every download."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from audit.models import AuditEvent
from establishments.models import Membership, SchoolYear
from pix.referential import COMPETENCE_CODES
from reports.exports import write_bilan_xlsx
from reports.pdf import fr, write_bilan_pdf
from tests.certification.results_world import YEAR, as_candidate, build_case, cert_row, files_of
from tests.certification.results_world import import_files as import_results
from tests.conftest import make_user

XLSX = f"/bilans/certification/{YEAR}/bilan.xlsx"
PDF = f"/bilans/certification/{YEAR}/bilan.pdf"
CSV = f"/bilans/certification/{YEAR}/analyse.csv"


@pytest.fixture
def case(db):
    return build_case()


@pytest.fixture
def direction(case, client):
    user = make_user("principal@calcul.fr", first="Paule", last="Principale")
    Membership.objects.create(user=user, establishment=case.establishment,
                              role=Membership.Role.DIRECTION)
    client.force_login(user)
    return user


def workbook_of(case):
    year = SchoolYear.objects.get(start_year=YEAR)
    return load_workbook(io.BytesIO(write_bilan_xlsx(case.establishment, year)))


def test_the_workbook_has_four_sheets_of_values(case):
    book = workbook_of(case)

    assert book.sheetnames == ["Synthèse", "Classes", "Compétences", "Élèves"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), \
                    (sheet.title, cell.coordinate)
    classes = book["Classes"]
    header = [c.value for c in classes[1]]
    assert header[:8] == ["Classe", "Candidats", "Validées", "Taux de validation", "Rejetées",
                          "Annulées", "En erreur", "Pix moyen"]
    assert header[8:] == list(COMPETENCE_CODES)
    rows = {r[0]: r for r in classes.iter_rows(min_row=2, values_only=True)}
    # figures rounded half up as the page prints them (shares: to the whole percent)
    assert rows["3A"][:8] == ("3A", 4, 2, 0.5, 1, 1, 0, 225.0)
    assert rows["3B"][:8] == ("3B", 3, 2, 0.67, 0, 0, 1, 290.0)  # 2 / 3 → 67 %
    assert rows["Établissement"][1:8] == (7, 4, 0.57, 1, 1, 1, 257.5)  # 4 / 7 → 57 %
    assert rows["Établissement"][8] == 2.67  # 1.1: 8 / 3
    assert classes["H4"].number_format == "0.00"
    assert classes["D2"].number_format == "0%"


def test_the_workbook_is_ready_to_print(case):
    book = workbook_of(case)

    for title, freeze in (("Classes", "B2"), ("Compétences", "C2"), ("Élèves", "D2")):
        sheet = book[title]
        assert sheet.freeze_panes == freeze
        assert sheet.print_title_rows == "$1:$1"
        assert sheet[1][0].font.b and sheet[1][0].fill.fgColor.rgb.endswith("4A2A7A")
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.column_dimensions["A"].width >= 7


def test_the_synthesis_competences_and_pupils_sheets(case):
    book = workbook_of(case)

    synthesis = {r[0]: r[1] for r in book["Synthèse"].iter_rows(values_only=True) if r[0]}
    assert synthesis["Candidats"] == 7
    assert synthesis["Certifications validées"] == 4
    assert synthesis["Pix moyen (certifications validées)"] == 257.5
    assert synthesis["Avancé 1"] == 1
    assert synthesis["1.2 Gérer des données"] == 1.5  # the weakest competence

    competences = list(book["Compétences"].iter_rows(min_row=2, values_only=True))
    assert [c[0] for c in competences] == list(COMPETENCE_CODES)
    assert competences[1][:7] == ("1.2", "Gérer des données", 4, 1.5, 0.75, 0.5, 0.25)

    pupils = list(book["Élèves"].iter_rows(min_row=2, values_only=True))
    assert len(pupils) == 7
    a4 = next(p for p in pupils if p[4] == "Annulée")
    assert a4[0] == "3A" and a4[5] is None and set(a4[7:23]) == {"-"}
    a3 = next(p for p in pupils if p[4] == "Rejetée")
    assert a3[5] == 0 and set(a3[7:23]) == {0}  # 0 and "-" keep their meaning
    b3 = next(p for p in pupils if p[5] == 60)
    assert b3[6] == "Pré-niveau"


def test_a_formula_in_a_name_stays_text(case):
    evil = cert_row(as_candidate(case.a[0], "3A", last_name="=HYPERLINK(1)"), number="700001",
                    pix=100, competences=1)
    import_results(case.establishment, files_of({"3A": [evil]}))

    pupils = list(workbook_of(case)["Élèves"].iter_rows(min_row=2, values_only=True))

    # Pix writes '=HYPERLINK(1) (a guarded formula); the workbook keeps it text
    assert any(p[1] == "'=HYPERLINK(1)" for p in pupils)


def test_the_pdf_has_a_few_pages_with_charts(case):
    year = SchoolYear.objects.get(start_year=YEAR)

    data = write_bilan_pdf(case.establishment, year)

    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert 2 <= pages <= 5
    assert f"Bilan de la certification Pix {year}".encode() in data  # the document's title


def test_the_pdf_of_a_year_without_results_says_so(db):
    from tests.conftest import make_establishment

    establishment = make_establishment("0170400C", "Collège Vide")
    data = write_bilan_pdf(establishment, establishment.current_year)
    assert data.startswith(b"%PDF")


def test_french_decimals_round_half_up_as_the_csv():
    assert [fr(2.625), fr(8 / 3), fr(257.5, 0), fr(None)] == ["2,63", "2,67", "258", "–"]


# --- downloads and their log ----------------------------------------------------------------------


def test_every_download_is_recorded_and_the_log_shows_it(case, client, direction):
    for url, content_type in ((XLSX, "spreadsheetml"), (PDF, "application/pdf"),
                              (CSV, "text/csv")):
        response = client.get(url)
        assert response.status_code == 200
        assert content_type in response["Content-Type"]
        assert response["Content-Disposition"].startswith("attachment; filename=")

    log = list(AuditEvent.objects.filter(establishment=case.establishment,
                                         action=AuditEvent.Action.DOWNLOAD).order_by("pk"))
    assert [(d.actor, d.details["filename"]) for d in log] == [
        (direction, f"bilan-certification-0170300B-{YEAR}-{YEAR + 1}.xlsx"),
        (direction, f"bilan-certification-0170300B-{YEAR}-{YEAR + 1}.pdf"),
        (direction, f"analyse-certification-0170300B-{YEAR}-{YEAR + 1}.csv"),
    ]
    assert log[0].summary == f"Bilan de certification {YEAR}-{YEAR + 1} (classeur Excel)"
    assert [d.details["document"] for d in log] == ["bilan_xlsx", "bilan_pdf", "analysis_csv"]
    page = client.get("/bilans/").content.decode()
    assert "Paule Principale" in page
    assert f"Tableau d’analyse de certification {YEAR}-{YEAR + 1} (CSV)" in page
    # the former log of downloads is the audit log's downloads now
    response = client.get("/bilans/telechargements/")
    assert response.status_code == 301
    assert response["Location"] == "/journal/?action=download"
    assert "Paule Principale" in client.get(response["Location"]).content.decode()


def test_the_downloaded_workbook_is_the_page_figure(case, client, direction):
    workbook = load_workbook(io.BytesIO(client.get(XLSX).content))
    page = client.get("/certification/analyse/").content.decode()

    whole = workbook["Classes"]["H4"].value  # Établissement, Pix moyen
    assert whole == 257.5
    assert "257,50" in page  # two places, as the workbook and the CSV


def test_a_year_without_analysis_is_a_404(case, client, direction):
    assert client.get(f"/bilans/certification/{YEAR - 5}/bilan.xlsx").status_code == 404
    assert not AuditEvent.objects.exists()
