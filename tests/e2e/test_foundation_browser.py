"""The foundation seen through a real browser: the demo RUPN logs in and imports a SIECLE file."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from demo.builder import DEMO_NAME, DEMO_PASSWORD, DEMO_UAI, build_demo
from establishments.models import Establishment, Pupil
from establishments.selectors import establishment_overview
from jobs.models import Job
from pix.fakes import fake_establishment_pupils
from pix.pupils import write_siecle_xml

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RUPN = "rupn@demo.pixorga.fr"


@pytest.fixture
def demo():
    """A small demo collège: 4 classes of about 8 pupils, 3 teachers."""
    build_demo(classes_per_grade=1, pupils_per_class=8, teachers=3)
    return Establishment.objects.get(uai=DEMO_UAI)


def test_rupn_logs_in_and_sees_the_dashboard(page, live_server, log_in, screenshot, demo):
    pupils = establishment_overview(demo).pupils
    assert pupils > 0

    log_in(RUPN, DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Tableau de bord")
    expect(heading).to_contain_text(DEMO_NAME)
    pupil_card = page.locator(".stat-card").filter(has_text="élèves cette année")
    expect(pupil_card.locator(".stat")).to_have_text(str(pupils))
    steps = page.get_by_role("region", name="Prochaines étapes de l’année")
    expect(steps).to_be_visible()
    expect(steps.get_by_role("listitem").first).to_contain_text("Importer la base élèves")
    screenshot("rupn-dashboard")


def test_rupn_imports_a_siecle_file(page, live_server, log_in, screenshot, demo, tmp_path):
    year = demo.current_year.start_year
    rows = fake_establishment_pupils(
        [("6A", "6e", 5), ("6B", "6e", 4), ("3A", "3e", 6)], school_year=year,
        rng=random.Random(7),
    )
    siecle = tmp_path / f"ElevesSansAdresses-{year}.xml"
    siecle.write_bytes(write_siecle_xml(rows, uai=DEMO_UAI, school_year=year))

    log_in(RUPN, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/eleves/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer la base élèves")
    page.set_input_files("input[name=file]", str(siecle))
    page.get_by_role("button", name="Importer", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/traitements/\d+/$"))
    # Celery runs eagerly in tests; with a worker, job.js reloads the page once finished.
    expect(page.get_by_role("status")).to_contain_text("Terminé", timeout=30_000)
    added = page.locator("dt", has_text="Élèves ajoutés").locator("xpath=following-sibling::dd[1]")
    expect(added).to_have_text(str(len(rows)))
    job = Job.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.filename == siecle.name
    ines = {row.ine for row in rows}
    assert set(
        Pupil.objects.filter(establishment=demo, ine__in=ines).values_list("ine", flat=True)
    ) == ines
    screenshot("rupn-import-done")
