"""Certification documents: the Pix Certif candidate list (exact headers, read back by
`pix.candidates` and openpyxl), attendance sheets of 25 candidates a page, convocations and the
invigilators' schedule, as PDF and printable pages."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook

from certification import pdf, selectors, services
from certification.models import Candidate, Room
from certification.selectors import CandidateRow, SessionRow
from establishments.models import Membership, Pupil
from pix.candidates import (
    CANDIDATE_HEADERS,
    EXTRA_TIME,
    INSEE_CODE,
    read_candidates_csv,
    write_candidates_csv,
)
from tests.certification.planning_world import at, build_planned

BOM = "\ufeff"


def page_count(content: bytes) -> int:
    """Pages of a reportlab PDF: its page objects, not the page tree (`/Pages`)."""
    assert content.startswith(b"%PDF")
    return len(re.findall(rb"/Type /Page(?!s)", content))


# --- the Pix Certif candidate list ------------------------------------------------------------


def test_candidate_list_csv_has_pix_certif_headers_and_the_pupils(client, world):
    planned = build_planned(world)
    services.candidate_set_extra_time(candidate=planned.candidate, percent=33)
    client.force_login(world.rupn)
    response = client.get(reverse("certification:session_candidates_csv",
                                  args=[planned.session.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="candidats-pix-certif_' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    lines = text.removeprefix(BOM).split("\n")
    assert lines[0] == ";".join(CANDIDATE_HEADERS)
    assert lines[0] == (
        "* Nom de naissance;* Prénom;* Date de naissance (format : jj/mm/aaaa);"
        "* Sexe (M ou F);Code Insee;Code postal;Nom de la commune;Pays;Identifiant local;"
        "Temps majoré ?;E-mail du destinataire des résultats (formateur, enseignant…);"
        "E-mail de convocation"
    )
    pupils = {c.pupil.ine: c.pupil for c in planned.session.candidates.select_related("pupil")}
    assert len(lines) == 1 + len(pupils) + 1 and lines[-1] == ""  # LF after the last row
    pupil = planned.pupil
    expected = (f"{pupil.last_name};{pupil.first_name};{pupil.birthdate:%d/%m/%Y};{pupil.sex};"
                f";;{pupil.birth_place};FRANCE;{pupil.ine};33%;;")
    assert expected in lines


def test_candidate_list_reads_back_once_the_insee_code_is_filled_in(client, world):
    planned = build_planned(world)
    services.candidate_set_extra_time(candidate=planned.candidate, percent=33)
    client.force_login(world.rupn)
    content = client.get(reverse("certification:session_candidates_csv",
                                 args=[planned.session.pk])).content
    row, _page = selectors.session_page(planned.plan, planned.session)
    expected = selectors.session_pix_candidates(row)

    # as written: Pix Certif's rules ask for the INSEE code of a pupil born in France, which
    # the pupil base does not hold — every row says so, and nothing else
    read, errors = read_candidates_csv(content)
    assert read == []
    assert len(errors) == len(expected)
    assert {e.column for e in errors} == {INSEE_CODE}

    # completed by the RUPN, the list reads back exactly as written
    completed = [replace(c, insee_code="17300") for c in expected]
    read, errors = read_candidates_csv(write_candidates_csv(completed))
    assert errors == []
    assert read == completed
    by_name = {(c.last_name, c.first_name): c for c in read}
    pupil = planned.pupil
    mine = by_name[(pupil.last_name, pupil.first_name)]
    assert (mine.birthdate, mine.sex, mine.commune, mine.local_id, mine.extra_time) == (
        pupil.birthdate, pupil.sex, pupil.birth_place, pupil.ine, 33)


def test_candidate_list_xlsx_through_openpyxl(client, world):
    planned = build_planned(world)
    services.candidate_set_extra_time(candidate=planned.candidate, percent=33)
    client.force_login(world.direction)  # the direction may download it too
    response = client.get(reverse("certification:session_candidates_xlsx",
                                  args=[planned.session.pk]))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == CANDIDATE_HEADERS
    assert len(rows) == 1 + planned.session.candidates.count()
    pupil = planned.pupil
    mine = next(r for r in rows[1:] if r[CANDIDATE_HEADERS.index("Identifiant local")]
                == pupil.ine)
    values = dict(zip(CANDIDATE_HEADERS, mine, strict=True))
    assert values["* Nom de naissance"] == pupil.last_name
    assert values["* Date de naissance (format : jj/mm/aaaa)"] == f"{pupil.birthdate:%d/%m/%Y}"
    assert values["* Sexe (M ou F)"] == pupil.sex
    assert values["Nom de la commune"] == pupil.birth_place
    assert values[INSEE_CODE] is None and values["Code postal"] is None
    assert values[EXTRA_TIME] == 0.33
    column = CANDIDATE_HEADERS.index(EXTRA_TIME) + 1
    row_index = rows.index(mine) + 1
    assert sheet.cell(row=row_index, column=column).number_format == "0%"


def test_documents_page_says_which_columns_stay_empty(client, world):
    build_planned(world)
    client.force_login(world.rupn)
    page = client.get(reverse("certification:documents")).content.decode()
    assert "ni son code Insee ni son code postal" in page
    assert "complétez-les avant l’import" in page


# --- attendance sheets ------------------------------------------------------------------------


def _session_of(count: int, *, extra: int | None = None, long_names: bool = False
                ) -> SessionRow:
    """A session of `count` candidates, built without the database."""
    rows = []
    for n in range(count):
        last = "DE LA FONTAINE-MARTINEZ Y GARCIA DEL CASTILLO" if long_names else f"NOM-{n:02d}"
        first = "Marie-Anne-Joséphine-Bénédicte" if long_names else "Élève"
        pupil = Pupil(last_name=last, first_name=first, sex="F",
                      birthdate=date(2012, 3, 4), ine=f"{n:010d}A")
        candidate = Candidate(pk=n + 1, extra_time_percent=extra if n == 0 else None)
        rows.append(CandidateRow(candidate, pupil, "3A"))
    invigilator = Membership(pk=1)
    return SessionRow(key=1, room=Room(name="Salle informatique du bâtiment B", computers=30),
                      starts_at=at(8), minutes=120, candidates=rows, invigilators=[invigilator],
                      pix_number="123456")  # the longest header: three lines


def test_attendance_sheet_is_one_a4_page_per_25_candidates(monkeypatch):
    monkeypatch.setattr(SessionRow, "invigilator_names", property(lambda self: ["Mme Arnaud"]))
    for count, pages in ((0, 1), (1, 1), (25, 1), (26, 2), (50, 2), (51, 3)):
        content = pdf.attendance_sheet_pdf(_session_of(count, extra=33),
                                           establishment_name="Collège Test",
                                           session_minutes=120)
        assert page_count(content) == pages, count
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in content  # A4


def test_attendance_sheet_keeps_25_rows_a_page_with_long_names(monkeypatch):
    names = ["Marie-Christine Dupont-Aignan", "Jean-Baptiste de La Rochefoucauld-Liancourt",
             "Anne Hidalgo-Martinez"]
    monkeypatch.setattr(SessionRow, "invigilator_names", property(lambda self: names))
    for count, pages in ((25, 1), (26, 2)):
        content = pdf.attendance_sheet_pdf(
            _session_of(count, extra=33, long_names=True), session_minutes=120,
            establishment_name="Lycée polyvalent régional Jean-Baptiste Poquelin dit Molière "
                               "— section d’enseignement professionnel et technologique")
        assert page_count(content) == pages, count


def test_attendance_sheet_view_for_the_invigilator(client, world):
    planned = build_planned(world)
    client.force_login(world.teacher)
    response = client.get(reverse("certification:attendance_sheet", args=[planned.session.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert page_count(response.content) == 1


# --- convocations and the invigilators' schedule ----------------------------------------------


def test_convocations_one_page_per_pupil(client, world):
    planned = build_planned(world)
    client.force_login(world.rupn)
    count = planned.session.candidates.count()
    response = client.get(reverse("certification:convocations_pdf"))
    assert page_count(response.content) == count
    response = client.get(reverse("certification:convocations_pdf") + "?classe=5A")
    assert page_count(response.content) == 1  # "no candidate" page
    page = client.get(reverse("certification:convocations")).content.decode()
    assert page.count("Convocation à la certification Pix") == count
    assert page.count('class="card convocation mb-4 print-page"') == count
    assert "Salle info" in page and "08:00" in page


def test_pupil_convocation_pdf(client, world):
    planned = build_planned(world)
    client.force_login(planned.pupil_user)
    response = client.get(reverse("certification:my_convocation_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert page_count(response.content) == 1


def test_invigilation_schedule_page_and_pdf(client, world):
    planned = build_planned(world)
    client.force_login(world.rupn)
    page = client.get(reverse("certification:invigilation")).content.decode()
    assert selectors.member_name(planned.teacher) in page  # the world's teacher, by name
    assert "08:00–10:00" in page
    response = client.get(reverse("certification:invigilation_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert page_count(response.content) == 1
    # a teacher's PDF holds their schedule only
    client.force_login(world.other_teacher)
    response = client.get(reverse("certification:invigilation_pdf"))
    assert page_count(response.content) == 1
    assert planned.session.invigilators.count() == 1


def test_pdfs_are_built_from_the_selectors_rows(world):
    planned = build_planned(world)
    schedules = selectors.invigilation_schedules(planned.plan)
    assert [s.member for s in schedules] == [planned.teacher]
    assert [len(s.sessions) for s in schedules] == [1]
    content = pdf.invigilation_schedule_pdf(schedules, establishment_name="Collège Test")
    assert page_count(content) == 1
    convocations = selectors.convocations(planned.plan)
    assert len(convocations) == planned.session.candidates.count()
    assert page_count(pdf.convocations_pdf(convocations)) == len(convocations)
