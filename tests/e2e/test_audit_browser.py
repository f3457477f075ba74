"""The audit log in a real browser: the RUPN reads what happened (downloads, accounts, a role
change), filters it, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from audit.models import AuditEvent
from establishments.models import Membership
from tests.campaigns.results_world import import_campaign, pupils_of
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def named(user, first: str, last: str) -> None:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])


@pytest.fixture
def history(world, client):
    """A morning at the collège, through the real pages."""
    named(world.rupn, "Rita", "Upen")
    named(world.direction, "Paule", "Principale")
    named(world.teacher, "Tom", "Professeur")
    campaign = import_campaign(world.establishment, pupils_of(world.establishment, ["5A", "5B"]),
                               code="QWRTZK482", name="Rentrée 5e")
    client.force_login(world.rupn)
    client.post(reverse("team:pupil_accounts"), {"classes": [world.untaught_class.pk]})
    member = Membership.objects.get(user=world.teacher)
    client.post(reverse("team:member_edit", args=[member.pk]), {
        "role": "teacher", "taught_classes": [world.taught_class.pk, world.untaught_class.pk]})
    client.force_login(world.direction)
    client.get(reverse("campaigns:results_xlsx", args=[campaign.pk]))
    client.get(reverse("progression:pupils_csv"))
    client.logout()
    return world


def test_the_rupn_reads_and_filters_the_log(page, live_server, log_in, screenshot, history):
    assert AuditEvent.objects.filter(establishment=history.establishment).count() == 5

    log_in(history.rupn.username, PASSWORD)
    page.get_by_role("link", name="Journal").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Journal de l’établissement")
    events = page.get_by_role("list", name="Événements, du plus récent au plus ancien")
    expect(events.get_by_role("listitem")).to_have_count(5)
    expect(events.get_by_role("listitem").first).to_contain_text("Export CSV de la progression")
    expect(events).to_contain_text(
        "Export Excel des résultats de la campagne « Rentrée 5e » (QWRTZK482)")
    expect(events).to_contain_text("Tom Professeur : Enseignant (5A) → Enseignant (5A, 5B)")
    screenshot("audit-log")

    page.get_by_label("Action").select_option(label="Téléchargement")
    page.get_by_label("Par").select_option(label="Paule Principale")
    page.get_by_role("button", name="Filtrer").click()

    expect(events.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_text("2 événements")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the filtered log scrolls sideways on a phone"
    screenshot("audit-log-filtered")
