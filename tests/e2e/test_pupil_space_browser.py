"""The pupil's space on a phone: a 5e pupil logs in and sees their levels, their grade's
objective and what remains, in words a 12-year-old reads on a 390 px wide screen."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from progression.rules import TEMPLATES
from tests.conftest import PASSWORD
from tests.e2e.conftest import VIEWPORTS
from tests.progression.helpers import at, import_profiles, make_objective, profile_row

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pupil_with_results(world):
    est = world.establishment
    make_objective(est, "5e", TEMPLATES["5e"].rules, name="Niveau 1 dans 5 compétences")
    # three competences at level 1 or more, none in domains 4 and 5
    import_profiles(est, [profile_row(world.pupil, {"1.1": 2, "2.1": 1, "3.4": 1},
                                      shared_at=at(est.current_year.start_year, 10, 6))])
    return world


def test_pupil_sees_levels_and_what_remains_on_a_phone(page, live_server, log_in, screenshot,
                                                        pupil_with_results):
    page.set_viewport_size(VIEWPORTS["phone"])

    log_in("eleve.test", PASSWORD)
    page.goto(f"{live_server.url}{reverse('home')}")

    objective = page.get_by_role("region", name="Ton objectif de Cinquième")
    expect(objective).to_be_visible()
    expect(objective).to_contain_text("Avoir au moins le niveau 1 dans 5 compétences")
    remains = objective.get_by_role("status")
    expect(remains).to_contain_text("Il te manque :")
    expect(remains).to_contain_text("le niveau 1 dans 2 compétences de plus")
    expect(remains).to_contain_text(
        "le niveau 1 dans une compétence du domaine « Protection et sécurité »")
    expect(remains).to_contain_text(
        "le niveau 1 dans une compétence du domaine « Environnement numérique »")

    levels = page.get_by_role("region", name="Tes niveaux dans les 16 compétences")
    expect(levels).to_be_visible()
    search = levels.locator(".skill").filter(has_text="Mener une recherche")
    expect(search).to_contain_text("niveau 2")
    programming = levels.locator(".skill").filter(has_text="Programmer")
    expect(programming).to_contain_text("niveau 1")
    expect(levels.locator(".skill")).to_have_count(16)
    expect(search.locator(".bar span.filled")).to_have_count(2)

    # fits the phone: nothing wider than the screen, text at least 16 px
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS["phone"]["width"]
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.pupil-space .skill-name'))"
        ".fontSize)")
    assert size >= 16
    screenshot("pupil-space")


def test_pupil_who_met_the_objective_is_congratulated(page, live_server, log_in, world):
    est = world.establishment
    make_objective(est, "5e", TEMPLATES["5e"].rules)
    import_profiles(est, [profile_row(
        world.pupil, {"1.1": 1, "2.1": 1, "3.1": 1, "4.1": 1, "5.1": 1},
        shared_at=at(est.current_year.start_year, 10, 6))])
    page.set_viewport_size(VIEWPORTS["phone"])

    log_in("eleve.test", PASSWORD)

    objective = page.get_by_role("region", name="Ton objectif de Cinquième")
    expect(objective.get_by_role("status")).to_contain_text(
        "Tu as atteint ton objectif de l’année.")
