"""The RUPN prints a class's login cards in a real browser; going back and forth afterwards
shows no password again (the cards page is sent with `Cache-Control: no-store`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from demo.builder import DEMO_PASSWORD, DEMO_UAI, build_demo
from establishments.models import Establishment, SchoolClass

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RUPN = "rupn@demo.pixorga.fr"


@pytest.fixture
def demo():
    build_demo(classes_per_grade=1, pupils_per_class=8, teachers=1)
    return Establishment.objects.get(uai=DEMO_UAI)


def test_rupn_prints_a_class_cards_once(page, live_server, log_in, screenshot, demo):
    school_class = SchoolClass.objects.filter(
        establishment=demo, school_year=demo.current_year).order_by("code").last()
    log_in(RUPN, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/equipe/comptes-eleves/")
    expect(page.get_by_label("Réimprimer aussi les cartes perdues")).to_be_visible()
    screenshot("pupil-accounts")

    page.get_by_label(school_class.code, exact=True).check()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Créer les comptes et imprimer les cartes").click()
    page.wait_for_load_state()

    assert "no-store" in answer.value.headers["cache-control"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Cartes de connexion")
    expect(page.get_by_text("ne seront plus jamais affichés")).to_be_visible()
    cards = page.locator(".login-card")
    expect(cards.first).to_be_visible()
    passwords = [text.strip() for text in page.locator(
        ".login-card div:has-text('Mot de passe provisoire') .secret").all_inner_texts()]
    assert len(passwords) == cards.count() > 0
    screenshot("login-cards")

    # back to the form, then forward: the browser may not show the kept page again
    page.go_back()
    page.wait_for_load_state()
    back = page.content()
    assert not [p for p in passwords if p in back]
    try:
        page.go_forward()
        page.wait_for_load_state()
        forward = page.content()
    except Exception as error:  # Chromium refuses to resend the form without asking
        forward = str(error)
    assert not [p for p in passwords if p in forward]
