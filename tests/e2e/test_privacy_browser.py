"""Pupils' data in a real browser: the privacy page from the login page, and the RUPN exporting
then erasing one pupil from the pupil's page."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit.models import AuditEvent
from demo.builder import DEMO_NAME, DEMO_PASSWORD, DEMO_UAI, build_demo
from establishments.models import Establishment, Pupil

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RUPN = "rupn@demo.pixorga.fr"


@pytest.fixture
def demo():
    build_demo(classes_per_grade=1, pupils_per_class=6, teachers=2)
    return Establishment.objects.get(uai=DEMO_UAI)


def test_the_privacy_page_is_one_click_from_the_login_page(page, live_server, screenshot, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Données personnelles").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Données personnelles")
    expect(page.get_by_role("heading", name="Vos droits")).to_be_visible()
    expect(page.locator("main")).to_contain_text("l’établissement scolaire qui utilise pixorga")
    screenshot("privacy-notice-anonymous")


def test_the_rupn_exports_then_erases_a_pupil(page, live_server, log_in, screenshot, demo):
    pupil = Pupil.objects.filter(establishment=demo, user__isnull=False).first()
    name = f"{pupil.display_last_name} {pupil.first_name}"
    log_in(RUPN, DEMO_PASSWORD)

    page.goto(f"{live_server.url}/donnees-personnelles/")
    expect(page.locator("main")).to_contain_text(DEMO_NAME)
    screenshot("privacy-notice-rupn")

    page.goto(f"{live_server.url}/eleves/{pupil.pk}/")
    screenshot("pupil-detail-privacy-buttons")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter ses données (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename == f"eleve-{pupil.pk}-donnees.zip"
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    assert "donnees.json" in archive.namelist()

    page.get_by_role("link", name="Effacer l’élève…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Effacer {name} ?")
    screenshot("pupil-erase-confirmation")
    page.get_by_role("button", name="Effacer définitivement").click()

    expect(page.get_by_role("alert")).to_contain_text("L’élève et toutes ses données")
    expect(page.locator("main")).not_to_contain_text(name)
    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    assert list(AuditEvent.objects.filter(establishment=demo).order_by("at", "pk")
                .values_list("action", flat=True))[-2:] == [
        AuditEvent.Action.PUPIL_EXPORT, AuditEvent.Action.PUPIL_ERASURE]
