"""Complementary certifications (CléA Numérique, Pix+ Droit) from Pix's files to the bilans: a
class file with CléA and a session file with CléA and Pix+ Droit, written by the project's
writer in Pix's newer layout (as `SessionCertificationResultsCsvBuilder` writes them), imported
through the real import; figures counted by hand below, the same on the page, in the CSV, the
workbook and the PDF."""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from certification.analysis import certification_analysis_rebuild
from certification.imports import certification_results_import
from certification.models import CertificationResult
from establishments.models import Membership, Pupil, SchoolYear
from pix.certification import write_certification_results
from pix.certification_format import CLEA_TYPE, complementary_status_from_label
from pix.fake_results import fake_certification_results
from reports.exports import write_analysis_csv, write_bilan_xlsx
from reports.pdf import write_bilan_pdf
from tests.certification.results_world import (
    YEAR,
    as_candidate,
    cert_row,
    files_of,
    import_files,
    taken_on,
)
from tests.certification.test_access_results import results  # noqa: F401 (a fixture)
from tests.certification.test_hostile_names_in_files import pdf_text
from tests.conftest import import_fake_pupils, make_establishment, make_user

CLEA = "CléA"
DROIT = "Pix+ Droit Maître"
SESSION_FILE = f"{YEAR + 1}0505_1430_resultats_session_7002.csv"


def with_complementary(row, certification_type="Pix", **outcomes):
    return replace(row, certification_type=certification_type, complementary=outcomes)


@pytest.fixture
def case(db):
    """3A (class file, CléA column):
        a0 validated 300  CléA Validée      a1 validated 150  CléA Non obtenue
        a2 rejected    0  CléA Non obtenue  a3 cancelled      CléA Annulée
    3B (session file, CléA and Pix+ Droit Maître columns):
        b0 validated 520  CléA Validée   Droit Validée
        b1 in error       CléA En erreur Droit En erreur
        b2 validated  60  CléA Non passée Droit Non obtenue
    """
    establishment = make_establishment("0170500D", "Collège Complémentaire")
    import_fake_pupils(establishment, divisions=(("3A", "3e", 4), ("3B", "3e", 3)), seed=8)
    a = list(Pupil.objects.filter(enrolments__school_class__code="3A").order_by("pk"))
    b = list(Pupil.objects.filter(enrolments__school_class__code="3B").order_by("pk"))
    newer = {"newer": True}
    class_rows = {"3A": [
        with_complementary(cert_row(as_candidate(a[0], "3A"), number="600001", pix=300,
                                    competences=2, **newer), CLEA_TYPE, **{CLEA: "Validée"}),
        with_complementary(cert_row(as_candidate(a[1], "3A"), number="600002", pix=150,
                                    competences=1, **newer), CLEA_TYPE,
                           **{CLEA: "Non obtenue"}),
        with_complementary(cert_row(as_candidate(a[2], "3A"), number="600003",
                                    status="rejected", pix=0, **newer), CLEA_TYPE,
                           **{CLEA: "Non obtenue"}),
        with_complementary(cert_row(as_candidate(a[3], "3A"), number="600004",
                                    status="cancelled", **newer), CLEA_TYPE,
                           **{CLEA: "Annulée"}),
    ]}
    session_rows = [
        with_complementary(cert_row(as_candidate(b[0], ""), number="600005", pix=520,
                                    competences=4, line=2, session="7002", **newer),
                           CLEA_TYPE, **{CLEA: "Validée", DROIT: "Validée"}),
        with_complementary(cert_row(as_candidate(b[1], ""), number="600006", status="error",
                                    line=3, session="7002", **newer),
                           CLEA_TYPE, **{CLEA: "En erreur", DROIT: "En erreur"}),
        with_complementary(cert_row(as_candidate(b[2], ""), number="600007", pix=60,
                                    competences=1, line=4, session="7002", **newer),
                           **{CLEA: "Non passée", DROIT: "Non obtenue"}),
    ]
    files = files_of(class_rows, newer=True)
    files[SESSION_FILE] = write_certification_results(session_rows, newer_layout=True)
    report = import_files(establishment, files)
    return establishment, report


# passed, obtained, not obtained, cancelled or in error — counted by hand from the fixture
EXPECTED = {
    (CLEA, "3A"): (4, 1, 2, 1),
    (CLEA, "3B"): (2, 1, 0, 1),
    (CLEA, "Établissement"): (6, 2, 2, 2),
    (DROIT, "3A"): (0, 0, 0, 0),
    (DROIT, "3B"): (3, 1, 1, 1),
    (DROIT, "Établissement"): (3, 1, 1, 1),
}


@pytest.fixture
def direction(case, client):
    establishment, _report = case
    user = make_user("principal@complementaire.fr", first="Paule", last="Principale")
    Membership.objects.create(user=user, establishment=establishment,
                              role=Membership.Role.DIRECTION)
    client.force_login(user)
    return user


def test_results_are_stored_with_their_complementary_certifications(case):
    establishment, report = case

    stored = {r.certification_number: r for r in
              CertificationResult.objects.filter(establishment=establishment)}
    assert report.counts["certifications"] == 7
    assert report.counts["complementary"] == [CLEA, DROIT]
    assert {r.division for r in stored.values()} == {"3A", "3B"}  # the session's from pupils
    assert stored["600001"].complementary == {CLEA: "validated"}
    assert stored["600001"].certification_type == CLEA_TYPE
    assert stored["600005"].complementary == {CLEA: "validated", DROIT: "validated"}
    assert stored["600006"].complementary == {CLEA: "error", DROIT: "error"}
    assert stored["600007"].complementary == {CLEA: "not_taken", DROIT: "rejected"}
    assert stored["600007"].certification_type == "Pix"


def test_the_analysis_page_shows_the_hand_counted_figures(case, client, direction):
    page = client.get("/certification/analyse/").content.decode()

    table = page[page.index('id="complementary-table"'):]
    table = table[:table.index("</table>")]
    lines = [_cells(tr) for tr in table.split("<tr")[2:]]
    assert {(name, label): tuple(int(n) for n in counts)
            for name, label, *counts in lines} == EXPECTED


def test_the_results_page_shows_what_each_candidate_sat(case, client, direction):
    page = client.get("/certification/resultats/").content.decode()

    assert "Certifications complémentaires" in page
    assert "CléA : <span class=\"badge text-bg-success\">Validée</span>" in page
    assert "Pix+ Droit Maître : <span class=\"badge text-bg-danger\">Non obtenue</span>" in page
    assert "Non passée" not in page  # a certification not sat is not listed


def test_csv_workbook_and_pdf_give_the_same_figures(case):
    establishment, _report = case
    year = SchoolYear.objects.get(start_year=YEAR)

    rows = list(csv.reader(io.StringIO(
        write_analysis_csv(establishment, year).decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[-8:] == [f"{name} {figure}" for name in (CLEA, DROIT) for figure in (
        "passée", "obtenue", "non obtenue", "annulée ou en erreur")]
    from_csv = {}
    for line in rows[1:]:
        from_csv[(CLEA, line[0])] = tuple(int(n) for n in line[-8:-4])
        from_csv[(DROIT, line[0])] = tuple(int(n) for n in line[-4:])
    assert from_csv == EXPECTED

    sheet = load_workbook(io.BytesIO(write_bilan_xlsx(establishment, year)))["Complémentaires"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Certification complémentaire", "Classe", "Passée", "Obtenue",
                         "Non obtenue", "Annulée ou en erreur")
    assert {(name, label): tuple(counts) for name, label, *counts in values[1:]} == EXPECTED

    text = pdf_text(write_bilan_pdf(establishment, year))
    assert "Certifications complémentaires" in text
    for (name, label), counts in EXPECTED.items():
        assert f"{name} {label} {' '.join(map(str, counts))}" in text
    assert "CléA : 2 obtenue(s) sur 6 passée(s)." in text
    assert "Pix+ Droit Maître : 1 obtenue(s) sur 3 passée(s)." in text


def test_a_year_without_complementary_certifications_keeps_its_files_as_before(db):
    establishment = make_establishment("0170600E", "Collège Simple")
    import_fake_pupils(establishment, divisions=(("3A", "3e", 3),), seed=2)
    pupils = list(Pupil.objects.order_by("pk"))
    import_files(establishment, files_of({"3A": [
        cert_row(as_candidate(p, "3A"), number=f"70000{i}", pix=100, competences=1)
        for i, p in enumerate(pupils)]}))
    year = SchoolYear.objects.get(start_year=YEAR)

    header = write_analysis_csv(establishment, year).decode("utf-8-sig").split("\r\n")[0]
    assert header.endswith(";5.1;5.2")
    assert "Complémentaires" not in load_workbook(
        io.BytesIO(write_bilan_xlsx(establishment, year))).sheetnames


def test_generated_school_with_clea_agrees_with_a_count_of_its_file(db):
    """The generator's CléA column, imported: the establishment's figures are a plain count
    of the file's cells."""
    establishment = make_establishment("0170700F", "Collège Généré")
    import_fake_pupils(establishment, divisions=(("3A", "3e", 30),), seed=5)
    candidates = [as_candidate(p, "3A") for p in Pupil.objects.order_by("pk")]
    rows = fake_certification_results(candidates, rng=random.Random(5), taken_on=taken_on(),
                                      session="7001", newer_layout=True,
                                      complementary={CLEA: 0.6})
    files = files_of({"3A": rows}, newer=True)
    report = certification_results_import(establishment=establishment,
                                          files=list(files.items()))
    assert report.ok
    year = SchoolYear.objects.get(start_year=YEAR)
    certification_analysis_rebuild(establishment=establishment, school_year=year)

    cells = [complementary_status_from_label(r.complementary[CLEA]).value for r in rows]
    expected = (len(cells) - cells.count("not_taken"), cells.count("validated"),
                cells.count("rejected"), cells.count("cancelled") + cells.count("error"))
    assert expected[0] > 0 and expected[1] > 0
    line = write_analysis_csv(establishment, year).decode("utf-8-sig").split("\r\n")[2]
    assert line.startswith("Établissement;")
    assert tuple(int(n) for n in line.split(";")[-4:]) == expected


def _cells(tr: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr)]


def test_an_unknown_column_is_told_to_the_user_and_a_formula_name_stays_text(db):
    establishment = make_establishment("0170800G", "Collège Prudent")
    import_fake_pupils(establishment, divisions=(("3A", "3e", 2),), seed=3)
    pupils = list(Pupil.objects.order_by("pk"))
    name = "=HYPERLINK(\"http://x\")"
    rows = [with_complementary(cert_row(as_candidate(p, "3A"), number=f"80000{i}", pix=100,
                                        competences=1, line=i + 2, newer=True),
                               **{name: "Validée"}) for i, p in enumerate(pupils)]
    data = write_certification_results(rows, newer_layout=True).decode("utf-8").split("\n")
    data = [data[0] + ';"Remarque"'] + [line + ';"à revoir"' for line in data[1:]]
    files = {f"{YEAR + 1}0512_resultats_3A.csv": "\n".join(data).encode("utf-8")}

    report = import_files(establishment, files)

    assert [(w.column, w.params["file"]) for w in report.warnings] == [
        ("Remarque", f"{YEAR + 1}0512_resultats_3A.csv")]
    year = SchoolYear.objects.get(start_year=YEAR)
    header = next(csv.reader(io.StringIO(
        write_analysis_csv(establishment, year).decode("utf-8-sig")), delimiter=";"))
    assert header[-4:] == [f"'{name} {figure}" for figure in (
        "passée", "obtenue", "non obtenue", "annulée ou en erreur")]
    sheet = load_workbook(io.BytesIO(write_bilan_xlsx(establishment, year)))["Complémentaires"]
    assert sheet["A2"].value == "'" + name and sheet["A2"].data_type == "s"
    assert f"{name} 3A 2 2 0 0" in pdf_text(write_bilan_pdf(establishment, year))


def test_a_pupil_sees_the_complementary_certifications_they_sat(world, results, login):  # noqa: F811
    result = CertificationResult.objects.get(certification_number="900001")  # the pupil's
    result.complementary = {CLEA: "validated", DROIT: "not_taken"}
    result.save(update_fields=["complementary"])

    page = login(world.pupil_user).get("/").content.decode()

    assert "Certifications complémentaires :" in page
    assert 'CléA : <span class="badge text-bg-success">Validée</span>' in page
    assert DROIT not in page
