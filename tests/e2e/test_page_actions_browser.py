"""What inline handlers did before the Content-Security-Policy forbade them, now done by
static/js/page-actions.js and static/js/objective-form.js: asking before a deletion, printing,
selecting a link to copy, showing a rule's fields."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from progression.models import Objective
from progression.services import objectives_apply_templates
from tests.campaigns.results_world import import_campaign, pupils_of
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_deleting_an_objective_asks_first(page, live_server, log_in, world):
    # Given objectives set from the templates
    objectives_apply_templates(establishment=world.establishment,
                               school_year=world.establishment.current_year, by=world.rupn)
    before = Objective.objects.count()
    assert before >= 1
    log_in(world.rupn.username, PASSWORD)
    page.goto(f"{live_server.url}/progression/objectifs/")
    asked: list[str] = []

    # When the RUPN deletes one and answers "Annuler" to the question
    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Supprimer").first.click()

    # Then nothing is deleted
    page.wait_for_timeout(300)
    assert asked == ["Supprimer cet objectif ? La progression de ce niveau sera recalculée sans "
                     "objectif."]
    assert Objective.objects.count() == before

    # When they answer "OK"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Supprimer").first.click()

    # Then the objective is gone
    expect(page.locator(".alert-success")).to_be_visible()
    assert Objective.objects.count() == before - 1


def test_the_print_button_prints(page, live_server, log_in, world):
    campaign = import_campaign(world.establishment, pupils_of(world.establishment, ["5A"]),
                               code="FICHES101", owner=world.rupn, classes=["5A"])
    log_in(world.rupn.username, PASSWORD)
    page.goto(f"{live_server.url}/campagnes/{campaign.pk}/fiches/")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")

    page.get_by_role("button", name="Imprimer").click()

    assert page.evaluate("window.printed") == 1


def test_the_agenda_link_is_selected_for_copying(page, live_server, log_in, world):
    log_in(world.teacher.username, PASSWORD)
    page.goto(f"{live_server.url}/remediation/agenda/")
    page.get_by_role("button", name="Créer mon lien d’agenda").click()
    link = page.get_by_label("Votre lien d’agenda (iCalendar)")

    link.focus()

    value = link.input_value()
    assert "/remediation/agenda/" in value
    assert page.evaluate("window.getSelection().toString() || "
                         "document.activeElement.value.substring("
                         "document.activeElement.selectionStart,"
                         " document.activeElement.selectionEnd)") == value


def test_a_rule_shows_only_the_fields_its_kind_uses(page, live_server, log_in, world):
    log_in(world.rupn.username, PASSWORD)
    page.goto(f"{live_server.url}/progression/objectifs/nouveau/")
    rule = page.locator("[data-rule]").first
    kind = rule.locator("select[name$='-kind']")

    kind.select_option("certifiable")
    expect(rule.locator("[data-for=level]")).to_be_hidden()
    expect(rule.locator("[data-for=competences]")).to_be_hidden()

    kind.select_option("named")
    expect(rule.locator("[data-for=level]")).to_be_visible()
    expect(rule.locator("[data-for=competences]")).to_be_visible()
    expect(rule.locator("[data-for=count]")).to_be_hidden()
