"""A certification file of another school, through a real browser: the import stops before
writing and says how many candidates matched; the RUPN confirms, the job runs again, and the
analysis says in words that the candidates count in no class."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from certification.models import CertificationResult
from demo.builder import DEMO_PASSWORD, DEMO_UAI, build_demo
from establishments.models import Establishment
from tests.certification.results_world import files_of
from tests.certification.test_foreign_files import stranger_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RUPN = "rupn@demo.pixorga.fr"


def test_the_rupn_is_stopped_then_confirms_another_schools_file(
        page, live_server, log_in, screenshot, tmp_path):
    build_demo(classes_per_grade=1, pupils_per_class=6, teachers=1)
    demo = Establishment.objects.get(uai=DEMO_UAI)
    paths = []
    for name, data in files_of({"301": stranger_rows(6)}).items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))

    log_in(RUPN, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/certification/resultats/importer/")
    page.set_input_files("input[name=files]", paths)
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page).to_have_url(re.compile(r".*/certification/resultats/importer/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text("rien n’a été enregistré",
                                                      timeout=30_000)
    expect(page.locator("table")).to_contain_text("0 sur 6")
    assert CertificationResult.objects.filter(establishment=demo).count() == 0
    screenshot("certification-foreign-file-stopped")

    page.get_by_role("button", name="Ce sont bien nos élèves : importer quand même").click()
    expect(page.get_by_role("status")).to_contain_text("Terminé", timeout=30_000)
    assert CertificationResult.objects.filter(establishment=demo).count() == 6

    page.goto(f"{live_server.url}/certification/analyse/")
    expect(page.get_by_role("note").first).to_contain_text(
        "6 candidats du fichier n’ont pas encore été reconnus : ils ne sont comptés dans "
        "aucune classe.")
    screenshot("certification-foreign-file-analysis")
