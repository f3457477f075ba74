"""Campaign results seen through a real browser: a RUPN imports a Pix Orga export and reads the
collective results; a teacher sees only the classes they teach."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from jobs.models import Job
from pix.campaign_format import CampaignKind
from pix.fake_results import fake_campaign_export_bytes
from tests.campaigns.results_world import pupils_of, start
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

CODE = "COLLEC501"


@pytest.fixture
def shots(page, artifacts):
    """Like the `screenshot` fixture, but gives charts time to redraw at each width (Plotly
    resizes a responsive chart a moment after the window changes)."""

    def _shots(name: str) -> None:
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            page.wait_for_timeout(700)
            page.screenshot(path=str(artifacts / f"{name}-{size}.png"), full_page=True)
        page.set_viewport_size(VIEWPORTS["desktop"])
        page.wait_for_timeout(300)

    return _shots


@pytest.fixture
def export(world, tmp_path):
    """A profiles collection of the world's 5A and 5B, as Pix Orga writes it."""
    path = tmp_path / f"Resultats-Collecte-5e-{CODE}.csv"
    path.write_bytes(fake_campaign_export_bytes(
        CampaignKind.PROFILES_COLLECTION, pupils_of(world.establishment, ["5A", "5B"]),
        rng=random.Random(4), code=CODE, name="Collecte de profils 5e", start=start(),
        organisation=world.establishment.name,
    ))
    return path


def test_rupn_imports_results_and_a_teacher_sees_their_class(
        page, live_server, log_in, shots, world, export):
    # Given the RUPN on the import page
    log_in(world.rupn.username, PASSWORD)
    page.goto(f"{live_server.url}/campagnes/importer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer des résultats Pix")

    # When they send the Pix Orga export
    page.set_input_files("input[name=file]", str(export))
    page.get_by_role("button", name="Importer", exact=True).click()

    # Then the job page follows the import to its end and tells what was found
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/traitements/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Terminé", timeout=30_000)
    job = Job.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert job.status == Job.Status.SUCCEEDED, job.errors
    participants = page.locator("dt", has_text="Participants").locator(
        "xpath=following-sibling::dd[1]")
    expect(participants).to_have_text(str(job.counts["participants"]))
    shots("campaign-import-done")

    # And the collective results show the charts with their titles and tables
    page.get_by_role("link", name="Voir les résultats").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Résultats", timeout=15_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=15_000)
    expect(page.locator("figcaption", has_text="Répartition des niveaux par compétence")
           ).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
    expect(page.get_by_role("link", name="Télécharger (CSV)")).to_be_visible()
    division = page.get_by_label("Résultats de")
    assert division.locator("option").all_inner_texts() == [
        "Tout l’établissement", "5A", "5B"]
    shots("campaign-results-rupn")

    # When a teacher of 5A opens the same results
    campaign = Campaign.objects.get(code=CODE)
    page.context.clear_cookies()
    log_in(world.teacher.username, PASSWORD)
    page.goto(f"{live_server.url}/campagnes/{campaign.pk}/resultats/")

    # Then they see their class only, and no download of every class
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=15_000)
    assert page.get_by_label("Résultats de").locator("option").all_inner_texts() == ["5A"]
    expect(page.get_by_text("Vous voyez les résultats des classes que vous enseignez.")
           ).to_be_visible()
    expect(page.get_by_role("link", name="Télécharger (CSV)")).to_have_count(0)
    forbidden = page.request.get(
        f"{live_server.url}/campagnes/{campaign.pk}/resultats/?division=5B")
    assert forbidden.status == 403
    shots("campaign-results-teacher")


def test_pages_fit_a_phone(page, live_server, log_in, world, export):
    """At 390 px wide, no page scrolls sideways: wide tables scroll inside their box."""
    from tests.campaigns.results_world import import_campaign

    campaign = import_campaign(world.establishment, pupils_of(world.establishment, ["5A", "5B"]),
                               code="PHONES101", owner=world.rupn, classes=["5A", "5B"])
    log_in(world.rupn.username, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ["/campagnes/", f"/campagnes/{campaign.pk}/",
                 f"/campagnes/{campaign.pk}/resultats/", f"/campagnes/{campaign.pk}/fiches/",
                 "/campagnes/nouvelle/", "/campagnes/importer/", "/campagnes/rapprochement/",
                 "/campagnes/niveaux/", f"/eleves/{world.pupil.pk}/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide"
