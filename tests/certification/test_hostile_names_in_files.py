"""Names are printed as written in every file. reportlab parses paragraph text as markup, so an
establishment, class, room or pupil named with tags must neither embed a file of the server's
disk, nor add a link, nor break a PDF; and a name starting like a formula stays text in the CSV
and the workbook."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import SimpleDocTemplate

from certification.analysis import certification_analysis_rebuild
from certification.models import CertificationResult, Room
from establishments.models import Establishment, Membership, Pupil, SchoolClass, SchoolYear
from pixorga.pdf import paragraph, pdf_escape
from reports.exports import write_analysis_csv, write_bilan_xlsx
from reports.pdf import write_bilan_pdf
from tests.certification.planning_world import build_planned
from tests.certification.results_world import YEAR, build_case
from tests.conftest import make_user

ESTABLISHMENT = 'Collège <img src="/etc/passwd"/> <a href="javascript:alert(1)">x</a>'
ROOM = "<b>Salle <para>"
PUPIL_LAST = "&amp; <i>NOM"
PUPIL_FIRST = '<font size="40">Léa'
DIVISION = "3A</b>"


def pdf_text(content: bytes) -> str:
    """The document's text, whitespace folded (a long name may wrap)."""
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def assert_nothing_from_markup(content: bytes) -> None:
    """No image (only vector charts are drawn) and no link annotation in any page."""
    reader = PdfReader(io.BytesIO(content))
    for page in reader.pages:
        assert "/Annots" not in page
        assert list(page.images) == []


@pytest.mark.parametrize("text", [
    '<img src="/etc/passwd"/>', '<a href="javascript:alert(1)">x</a>', "<b>unclosed",
    "&amp;", "<para>", "<br/>", "<font name=\"nope\">x</font>", "&#x41;",
])
def test_a_paragraph_prints_its_text_as_it_is(text):
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([paragraph(text, getSampleStyleSheet()["BodyText"])])

    assert pdf_escape(text).count("<") == 0
    expected = " ".join(text.split())
    assert expected in pdf_text(buffer.getvalue())
    assert_nothing_from_markup(buffer.getvalue())


def test_certification_documents_print_hostile_names_literally(client, world):
    # Given a certification session whose establishment, room, class and pupil have
    # names made of markup
    planned = build_planned(world)
    Establishment.objects.filter(pk=world.establishment.pk).update(name=ESTABLISHMENT)
    Room.objects.filter(pk=planned.room.pk).update(name=ROOM)
    division = planned.pupil.enrolments.get().school_class
    SchoolClass.objects.filter(pk=division.pk).update(code=DIVISION)
    Pupil.objects.filter(pk=planned.pupil.pk).update(last_name=PUPIL_LAST,
                                                     first_name=PUPIL_FIRST)

    # When each certification PDF is downloaded by those who may
    client.force_login(world.rupn)
    documents = {
        "attendance sheet": client.get(reverse("certification:attendance_sheet",
                                               args=[planned.session.pk])),
        "convocations": client.get(reverse("certification:convocations_pdf")),
        "invigilators' schedule": client.get(reverse("certification:invigilation_pdf")),
    }
    client.force_login(planned.pupil_user)
    documents["own convocation"] = client.get(reverse("certification:my_convocation_pdf"))

    # Then each one is a PDF printing the names as they are, with no image nor link
    expected = {
        "attendance sheet": [ESTABLISHMENT, ROOM, PUPIL_LAST, PUPIL_FIRST, DIVISION],
        "convocations": [ESTABLISHMENT, ROOM, f"{PUPIL_LAST} {PUPIL_FIRST}", DIVISION],
        "invigilators' schedule": [ESTABLISHMENT, ROOM, DIVISION],
        "own convocation": [ESTABLISHMENT, ROOM, f"{PUPIL_LAST} {PUPIL_FIRST}", DIVISION],
    }
    for kind, response in documents.items():
        assert response.status_code == 200, kind
        assert response["Content-Type"] == "application/pdf", kind
        text = pdf_text(response.content)
        for name in expected[kind]:
            assert name in text, (kind, name)
        assert_nothing_from_markup(response.content)


def test_the_bilan_prints_hostile_names_literally(db):
    # Given an establishment and a class named with markup, with certification results
    case = build_case()
    year = SchoolYear.objects.get(start_year=YEAR)
    Establishment.objects.filter(pk=case.establishment.pk).update(name=ESTABLISHMENT)
    CertificationResult.objects.filter(division="3A").update(division=DIVISION)
    # (a result counts only in a class the establishment has)
    SchoolClass.objects.filter(establishment=case.establishment, code="3A").update(code=DIVISION)
    case.establishment.refresh_from_db()
    certification_analysis_rebuild(establishment=case.establishment, school_year=year)

    # When the bilan is written
    content = write_bilan_pdf(case.establishment, year)

    # Then it prints them as they are, and nothing comes from the markup
    text = pdf_text(content)
    assert f"{ESTABLISHMENT} · UAI 0170300B" in text
    assert DIVISION in text
    assert_nothing_from_markup(content)


def test_the_bilan_download_with_a_hostile_name(client, db):
    case = build_case()
    Establishment.objects.filter(pk=case.establishment.pk).update(name="<b>unclosed & <para>")
    user = make_user("principal@calcul.fr", first="Paule", last="Principale")
    Membership.objects.create(user=user, establishment=case.establishment,
                              role=Membership.Role.DIRECTION)
    client.force_login(user)

    response = client.get(reverse("reports:bilan_pdf", args=[YEAR]))

    assert response.status_code == 200
    # the heading's paragraph, not only the footer (drawn as plain text on the canvas)
    assert "<b>unclosed & <para> · UAI 0170300B" in pdf_text(response.content)


@pytest.mark.parametrize("division", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_the_analysis_csv_and_workbook_keep_class_names_as_text(db, division):
    # Given a class whose name a spreadsheet would run as a formula
    case = build_case()
    year = SchoolYear.objects.get(start_year=YEAR)
    CertificationResult.objects.filter(division="3A").update(division=division)
    SchoolClass.objects.filter(establishment=case.establishment, code="3A").update(code=division)
    certification_analysis_rebuild(establishment=case.establishment, school_year=year)

    # When the analysis CSV and the bilan workbook are written
    csv_text = write_analysis_csv(case.establishment, year).decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(write_bilan_xlsx(case.establishment, year)))

    # Then the name is quoted in the CSV, and a text (never a formula) in every sheet
    assert f"\n'{division};" in csv_text
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and division in cell.value]
    assert cells
    assert all(cell.data_type == "s" and cell.value == f"'{division}" for cell in cells)
