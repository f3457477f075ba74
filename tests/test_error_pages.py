"""Error pages are French pages of the site, with the way back and no technical detail."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

WAY_BACK = ("Retour à l’accueil", "data-back")


def assert_error_page(html: str, code: int, title: str) -> None:
    assert f"Erreur {code}" in html and title in html
    assert all(part in html for part in WAY_BACK)
    assert 'href="/static/favicon.svg"' in html
    assert "Traceback" not in html and "Exception" not in html


def test_an_unknown_address_is_a_french_404_in_the_layout(client, world):
    client.force_login(world.teacher)

    response = client.get("/nulle-part/")

    assert response.status_code == 404
    html = response.content.decode()
    assert_error_page(html, 404, "Page introuvable")
    assert 'id="nav-main"' in html  # the site's menu, for a logged-in person


def test_another_establishments_object_is_the_same_404(client, world):
    client.force_login(world.rupn)
    response = client.get(reverse("pupils:detail", args=[world.outsider_pupil.pk]))

    assert response.status_code == 404
    assert_error_page(response.content.decode(), 404, "Page introuvable")


def test_a_page_closed_to_the_role_is_a_french_403(client, world):
    client.force_login(world.teacher)

    response = client.get(reverse("audit:log"))

    assert response.status_code == 403
    assert_error_page(response.content.decode(), 403, "Accès refusé")


def test_a_bad_request_is_a_french_400(client, world, settings):
    client.force_login(world.rupn)
    settings.ALLOWED_HOSTS = ["testserver"]

    response = client.get("/", HTTP_HOST="ailleurs.example")  # a host not allowed: 400

    assert response.status_code == 400
    assert_error_page(response.content.decode(), 400, "Demande incorrecte")


@pytest.mark.parametrize("language, title", [("fr", "Erreur du serveur"),
                                             ("en", "Server error")])
def test_the_500_page_needs_no_context_and_says_nothing_technical(db, language, title):
    from django.utils import translation

    with translation.override(language):
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert title in html
    assert 'href="/"' in html and "data-back" in html
    assert "Traceback" not in html

