"""Names are text in every PDF: reportlab's markup in an establishment's, a room's or a pupil's
name is shown as typed, never read as an image, a link or a tag."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from certification.models import Room
from establishments.models import Establishment, Pupil, SchoolYear
from reports.pdf import write_bilan_pdf
from tests.certification.planning_world import build_planned
from tests.certification.results_world import YEAR, build_case

HOSTILE = [
    '<img src="/etc/passwd" width="100" height="100"/>',
    '<a href="javascript:alert(1)">clic</a>',
    "<b>sans fin",
    "Lycée &amp; <para>",
]


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def assert_inert(content: bytes, name: str) -> None:
    """The name is in the text as typed, and the PDF has no image nor link made from it."""
    assert content.startswith(b"%PDF")
    assert " ".join(name.split()) in text_of(content)
    reader = PdfReader(io.BytesIO(content))
    for page in reader.pages:
        assert "/Annots" not in page  # no link
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        assert not any(xobjects[key].get("/Subtype") == "/Image" for key in xobjects)
    assert b"/URI" not in content and b"/JavaScript" not in content  # no action either


@pytest.mark.parametrize("name", HOSTILE)
def test_the_bilan_shows_a_hostile_establishment_name_as_text(db, name):
    case = build_case()
    Establishment.objects.filter(pk=case.establishment.pk).update(name=name)
    case.establishment.refresh_from_db()

    content = write_bilan_pdf(case.establishment, SchoolYear.objects.get(start_year=YEAR))

    assert_inert(content, name)


@pytest.mark.parametrize("name", HOSTILE)
def test_certification_documents_show_hostile_names_as_text(client, world, name):
    # Given a planned session whose establishment, room and candidate carry markup
    planned = build_planned(world)
    Establishment.objects.filter(pk=world.establishment.pk).update(name=name)
    Room.objects.filter(pk=planned.session.room_id).update(name=name)
    pupil = Pupil.objects.get(pk=planned.session.candidates.first().pupil_id)
    pupil.last_name = name
    pupil.save(update_fields=["last_name"])

    # When the RUPN and the invigilator download each document
    client.force_login(world.rupn)
    convocations = client.get(reverse("certification:convocations_pdf"))
    schedule = client.get(reverse("certification:invigilation_pdf"))
    client.force_login(world.teacher)
    sheet = client.get(reverse("certification:attendance_sheet", args=[planned.session.pk]))

    # Then every name is written as typed
    for response in (convocations, schedule, sheet):
        assert response.status_code == 200
        assert_inert(response.content, name)
