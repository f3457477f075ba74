"""Issue 10 in a real browser: a 2020-2021 export (no "Code") asks for its campaign in a
second step; a file of another establishment asks the RUPN to confirm."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign, Participant
from jobs.models import Job
from tests.campaigns.factories import profile, profiles_export
from tests.campaigns.test_eras import at
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def shots(page, artifacts, name):
    for size, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)
        page.screenshot(path=str(artifacts / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size(VIEWPORTS["desktop"])


def send(page, live_server, path):
    page.goto(f"{live_server.url}/campagnes/importer/")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/traitements/\d+/$"))
    expect(page.get_by_role("alert").first).to_contain_text("n’a pas été importé",
                                                           timeout=30_000)


def test_a_2020_2021_file_is_imported_after_naming_its_campaign(
        page, live_server, log_in, world, tmp_path, artifacts):
    rows = [profile("MARTIN", "Léa", "5A", shared_at=at(2021, 3, 2), pix={"1.1": 24},
                    external_id="ENT-2021-001"),
            profile("PETIT", "Noé", "5A", shared_at=at(2021, 3, 3), pix={"1.1": 10},
                    external_id="ENT-2021-002")]
    path = tmp_path / "Resultats-2021.csv"
    path.write_bytes(profiles_export(rows, older_format=True, without_code=True,
                                     organisation=world.establishment.name,
                                     external_id_label="Classe"))
    log_in(world.rupn.username, PASSWORD)

    send(page, live_server, path)
    page.get_by_role("link", name="Indiquer la campagne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "De quelle campagne est ce fichier ?")
    shots(page, artifacts, "campaign-import-step2")

    page.get_by_label("une campagne à enregistrer maintenant").check()
    page.get_by_label("Code de la campagne").fill("ANCIEN301")
    page.get_by_label("Année scolaire").fill("2020-2021")
    page.get_by_label("Nom", exact=True).fill("Collecte 2021")
    page.get_by_label("Type de campagne").select_option("profiles_collection")
    page.get_by_role("button", name="Importer le fichier dans cette campagne").click()

    expect(page.get_by_role("status")).to_contain_text("Terminé", timeout=30_000)
    campaign = Campaign.objects.get(code="ANCIEN301")
    assert str(campaign.school_year) == "2020-2021"
    assert Participant.objects.filter(campaign=campaign).count() == 2
    page.goto(f"{live_server.url}/campagnes/{campaign.pk}/participants/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Participants")
    expect(page.get_by_role("row")).to_have_count(3)  # header and two participants
    shots(page, artifacts, "campaign-participants")


def test_a_file_of_another_school_is_confirmed_by_the_rupn(
        page, live_server, log_in, world, tmp_path, artifacts):
    rows = [profile("MARTIN", "Léa", "5A", shared_at=at(2025, 10, 2), pix={"1.1": 24})]
    path = tmp_path / "Resultats-ailleurs.csv"
    path.write_bytes(profiles_export(rows, code="AILLEU301", organisation="Lycée Victor Hugo"))
    log_in(world.rupn.username, PASSWORD)

    send(page, live_server, path)
    expect(page.get_by_text("« Lycée Victor Hugo »").first).to_be_visible()
    shots(page, artifacts, "campaign-import-other-school")
    page.get_by_role("button", name="C’est bien notre fichier : importer quand même").click()

    expect(page.get_by_role("status")).to_contain_text("Terminé", timeout=30_000)
    assert Job.objects.latest("pk").status == Job.Status.SUCCEEDED
    assert Campaign.objects.filter(code="AILLEU301").exists()
