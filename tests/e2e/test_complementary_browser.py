"""Complementary certifications in a real browser: the RUPN uploads a class file with CléA and a
Pix Certif session file with CléA and Pix+ Droit (as Pix writes them, from the project's
generator); the principal reads them on the results page and in the analysis table."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from demo.builder import DEMO_PASSWORD, DEMO_UAI, build_demo
from establishments.models import Establishment
from pix.certification import write_certification_results
from pix.fake_results import fake_certification_results
from tests.certification.results_world import YEAR, candidates_of, files_of, taken_on

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RUPN = "rupn@demo.pixorga.fr"
PRINCIPAL = "principal@demo.pixorga.fr"


@pytest.fixture
def demo():
    build_demo(classes_per_grade=2, pupils_per_class=8, teachers=3)
    return Establishment.objects.get(uai=DEMO_UAI)


def test_complementary_certifications_from_upload_to_the_analysis(
        page, live_server, log_in, screenshot, demo, tmp_path):
    class_rows = fake_certification_results(
        candidates_of(demo, "3A"), rng=random.Random(1), taken_on=taken_on(), session="7001",
        newer_layout=True, complementary={"CléA": 0.6})
    session_rows = fake_certification_results(
        candidates_of(demo, "3B"), rng=random.Random(2), taken_on=taken_on(), session="7002",
        newer_layout=True, complementary={"CléA": 0.5, "Pix+ Droit Maître": 0.9})
    files = files_of({"3A": class_rows}, newer=True)
    files[f"{YEAR + 1}0505_1430_resultats_session_7002.csv"] = write_certification_results(
        session_rows, newer_layout=True)
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))

    log_in(RUPN, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/certification/resultats/importer/")
    page.set_input_files("input[name=files]", paths)
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page).to_have_url(re.compile(r".*/certification/resultats/importer/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Terminé", timeout=30_000)
    read = page.locator("dt", has_text="Certifications complémentaires").locator(
        "xpath=following-sibling::dd[1]")
    expect(read).to_have_text("CléA, Pix+ Droit Maître")

    page.context.clear_cookies()
    log_in(PRINCIPAL, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/certification/resultats/")
    expect(page.get_by_role("columnheader", name="Certifications complémentaires")).to_be_visible()
    screenshot("complementary-results")
    page.goto(f"{live_server.url}/certification/analyse/")
    table = page.locator("#complementary-table")
    expect(table).to_be_visible()
    clea = sum(v != "Non passée" for r in class_rows + session_rows
               for k, v in r.complementary.items() if k == "CléA")
    whole = table.locator("tr.table-light", has_text="CléA")
    expect(whole.locator("td").nth(1)).to_have_text(str(clea))
    droit = sum(r.complementary["Pix+ Droit Maître"] != "Non passée" for r in session_rows)
    assert droit > 0
    expect(table.locator("tr.table-light", has_text="Pix+ Droit Maître").locator("td").nth(1)
           ).to_have_text(str(droit))
    table.scroll_into_view_if_needed()
    screenshot("complementary-analysis")
