"""Certification results through a real browser: the RUPN uploads the per-class files of the
demo collège's 3e classes at once, then the principal opens the analysis and downloads the
Excel bilan, which the test opens with openpyxl."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from audit.models import AuditEvent
from certification.models import AnalysisSummary, CertificationResult
from demo.builder import DEMO_PASSWORD, DEMO_UAI, build_demo
from establishments.models import Establishment
from tests.certification.results_world import YEAR, candidates_of, files_of, generated_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RUPN = "rupn@demo.pixorga.fr"
PRINCIPAL = "principal@demo.pixorga.fr"


@pytest.fixture
def demo():
    """A small demo collège: two classes a grade (3A and 3B are the 3e) of about 8 pupils."""
    build_demo(classes_per_grade=2, pupils_per_class=8, teachers=3)
    return Establishment.objects.get(uai=DEMO_UAI)


def test_rupn_imports_results_and_the_principal_downloads_the_bilan(
        page, live_server, log_in, screenshot, demo, tmp_path):
    rows = {division: generated_rows(candidates_of(demo, division), seed=index + 1,
                                     session=str(7001 + index))
            for index, division in enumerate(("3A", "3B"))}
    paths = []
    for name, data in files_of(rows).items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))

    # the RUPN sends both class files at once
    log_in(RUPN, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/certification/resultats/importer/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Importer des résultats de certification")
    page.set_input_files("input[name=files]", paths)
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page).to_have_url(re.compile(r".*/certification/resultats/importer/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Terminé", timeout=30_000)
    certified = sum(len(r) for r in rows.values())
    total = page.locator("dt", has_text="Certifications dans les fichiers").locator(
        "xpath=following-sibling::dd[1]")
    expect(total).to_have_text(str(certified))
    assert CertificationResult.objects.filter(establishment=demo).count() == certified
    screenshot("certification-import-done")

    # the principal reads the analysis and downloads the workbook
    page.context.clear_cookies()
    log_in(PRINCIPAL, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/certification/analyse/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Analyse de la certification")
    expect(page.locator(".stat-card").first.locator(".stat")).to_have_text(str(certified))
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    screenshot("certification-analysis")

    page.goto(f"{live_server.url}/bilans/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Classeur (Excel)").first.click()
    download = download_info.value
    assert download.suggested_filename == (
        f"bilan-certification-{DEMO_UAI}-{YEAR}-{YEAR + 1}.xlsx")
    target = tmp_path / "bilan.xlsx"
    download.save_as(target)
    workbook = load_workbook(target)

    whole = AnalysisSummary.objects.get(establishment=demo, division="").figures
    classes = {row[0]: row for row in workbook["Classes"].iter_rows(min_row=2, values_only=True)}
    assert classes["Établissement"][1] == certified
    assert classes["Établissement"][2] == whole["statuses"]["validated"]
    # the exact mean kept with six places, rounded half up to the two the workbook shows
    two_places = Decimal(whole["mean_pix"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert classes["Établissement"][7] == float(two_places)
    assert len(list(workbook["Élèves"].iter_rows(min_row=2))) == certified

    # the download is in the log the principal sees
    assert AuditEvent.objects.filter(establishment=demo, actor__email=PRINCIPAL,
                                     action=AuditEvent.Action.DOWNLOAD).count() == 1
    page.goto(f"{live_server.url}/bilans/")
    expect(page.get_by_role("region", name="Derniers téléchargements")).to_contain_text(
        "Bilan de certification")
    screenshot("certification-bilans")
