"""One-time passwords of pupils exist only in the response that shows the login cards."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse

forget = importlib.import_module("establishments.migrations.0003_forget_login_cards_in_sessions")


def decoded_sessions() -> list[str]:
    return [repr(s.get_decoded()) for s in Session.objects.all()]


def test_generated_passwords_are_kept_in_no_session(client, world):
    # Given a RUPN logged in through a real session
    client.force_login(world.rupn)

    # When they create a class's accounts
    response = client.post(reverse("team:pupil_accounts"),
                           {"classes": [world.untaught_class.pk]})

    # Then the cards are in the answer itself, never to be cached
    passwords = [card["password"] for card in response.context["classes"]["5B"]]
    assert passwords and all(p in response.content.decode() for p in passwords)
    assert "no-store" in response["Cache-Control"]
    # and no session holds any of the passwords
    for data in decoded_sessions():
        assert not any(p in data for p in passwords)
    # and the next page shows none of them
    page = client.get(reverse("team:pupil_accounts")).content.decode()
    assert not any(p in page for p in passwords)


def test_a_reset_password_is_kept_in_no_session(client, world):
    client.force_login(world.rupn)

    response = client.post(reverse("pupils:password_reset", args=[world.pupil.pk]))

    [card] = response.context["classes"]["5A"]
    assert card["password"] in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert not any(card["password"] in data for data in decoded_sessions())
    world.pupil_user.refresh_from_db()
    assert world.pupil_user.check_password(card["password"])


def test_cards_kept_by_an_earlier_version_are_removed_from_sessions(db):
    # Given a session written by an earlier version, with cards in it
    store = SessionStore()
    store["pupil_login_cards"] = [{"username": "lea.dupont", "password": "Xk3-secret"}]
    store["_auth_user_id"] = "1"
    store.create()

    # When the migration runs
    forget.forget_cards(apps, None)

    # Then the cards are gone and the rest of the session is kept
    data = SessionStore(session_key=store.session_key).load()
    assert "pupil_login_cards" not in data
    assert data["_auth_user_id"] == "1"
