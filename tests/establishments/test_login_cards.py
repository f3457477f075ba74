"""Pupils' one-time passwords live only in the page that prints them: not in the session, the
cache, any table, a URL or a log; a reload shows them no more; a lost card is reprinted with a
new password."""

from __future__ import annotations

import importlib
import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.views.debug import ExceptionReporter

from establishments import team_views
from establishments.models import Pupil
from tests.conftest import PASSWORD

User = get_user_model()
NEW_PASSWORD = "Mon-nouveau-mot-de-passe-2025"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def generate(client, *classes, reissue: bool = False):
    data = {"classes": [c.pk for c in classes]}
    if reissue:
        data["reissue"] = "on"
    return client.post(reverse("team:pupil_accounts"), data)


def printed(response) -> list:
    return [card for cards in response.context["classes"].values() for card in cards]


def decoded_sessions() -> list[str]:
    return [json.dumps(s.get_decoded(), default=str) + s.session_data
            for s in Session.objects.all()]


def stored_anywhere(secret: str) -> list[str]:
    """Tables (the session and cache tables included) holding `secret` in any column."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            if any(secret in str(value) for row in cursor.fetchall() for value in row):
                found.append(table)
    return found


def assert_secret_nowhere(password: str) -> None:
    assert not [text for text in decoded_sessions() if password in text]
    assert stored_anywhere(password) == []
    local = getattr(cache, "_cache", {})  # the in-memory cache of the test settings, if so
    assert not [key for key, value in local.items() if password.encode() in bytes(value)]


def test_generated_passwords_are_in_the_answer_only(client, world, caplog):
    # Given the RUPN, logged in (their session is a row of django_session)
    caplog.set_level(logging.DEBUG)
    client.force_login(world.rupn)

    # When they create a class's accounts
    response = generate(client, world.taught_class)

    # Then the answer itself is the printable page, which no cache may keep
    assert response.status_code == 200
    assert "Location" not in response
    assert "no-store" in response["Cache-Control"]
    cards = printed(response)
    assert len(cards) == 5
    html = response.content.decode()
    # And no password is kept anywhere: session, tables, cache, URL, log
    for card in cards:
        assert card.password in html
        assert card.password not in response.wsgi_request.get_full_path()
        assert_secret_nowhere(card.password)
        assert not [r for r in caplog.records if card.password in r.getMessage()]


def test_a_second_look_shows_no_password(client, world):
    client.force_login(world.rupn)
    cards = printed(generate(client, world.taught_class))

    # the accounts page, and the old address of the cards, show none of them
    page = client.get(reverse("team:pupil_accounts")).content.decode()
    assert not [card for card in cards if card.password in page]
    assert client.get("/equipe/comptes-eleves/cartes/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("team:login_cards")

    # sending the form again (a reload) creates nothing and shows no password
    again = generate(client, world.taught_class)
    assert again.status_code == 302
    assert again.url == reverse("team:pupil_accounts")
    followed = client.get(again.url).content.decode()
    assert "Tous les élèves de ces classes ont déjà un compte." in followed
    assert not [card for card in cards if card.password in followed]


def test_the_page_says_the_passwords_will_not_be_shown_again(client, world):
    client.force_login(world.rupn)

    html = generate(client, world.taught_class).content.decode()

    assert "ces mots de passe provisoires ne seront plus jamais affichés" in html
    assert "réimprimer une carte, c’est créer un nouveau mot de passe provisoire" in html


def test_a_pupil_logs_in_with_the_printed_password(client, world):
    client.force_login(world.rupn)
    card = printed(generate(client, world.taught_class))[0]
    client.logout()

    response = client.post(reverse("account_login"),
                           {"login": card.username, "password": card.password})

    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("accounts:first_password")
    chosen = client.post(reverse("accounts:first_password"),
                         {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert chosen.url == reverse("home")
    assert client.get(reverse("home")).context["pupil"].pk == card.pupil_id


def test_a_reset_password_is_in_the_answer_only(client, world, caplog):
    # Given a pupil with an account
    caplog.set_level(logging.DEBUG)
    client.force_login(world.rupn)

    # When the RUPN resets their password
    response = client.post(reverse("pupils:password_reset", args=[world.pupil.pk]))

    # Then the card is the answer, not kept by any cache nor store
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    [card] = printed(response)
    assert card.password in response.content.decode()
    assert_secret_nowhere(card.password)
    assert not [r for r in caplog.records if card.password in r.getMessage()]
    # and the pupil's page, seen again, does not show it
    detail = client.get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()
    assert card.password not in detail
    # and it logs in, once the old one no longer does
    client.logout()
    assert client.post(reverse("account_login"),
                       {"login": "eleve.test", "password": PASSWORD}).status_code == 200
    response = client.post(reverse("account_login"),
                           {"login": "eleve.test", "password": card.password})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("accounts:first_password")


def test_lost_cards_are_reprinted_with_new_passwords(client, world):
    # Given a class's cards, printed, and one pupil who has since chosen their password
    client.force_login(world.rupn)
    first = {card.pupil_id: card for card in printed(generate(client, world.taught_class))}
    chosen = Pupil.objects.get(pk=next(iter(first))).user
    chosen.set_password(NEW_PASSWORD)
    chosen.must_change_password = False
    chosen.save()

    # When the RUPN reprints the class's lost cards
    response = generate(client, world.taught_class, reissue=True)

    # Then the pupils who never chose a password get new cards, the others keep theirs
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "4 cartes réimprimées avec un nouveau mot de passe provisoire." in (
        response.content.decode())
    again = {card.pupil_id: card for card in printed(response)}
    assert set(again) == set(first) - {chosen.pupil.pk}
    assert world.pupil.pk not in again  # their own password, chosen long ago
    for pupil_id, card in again.items():
        user = Pupil.objects.get(pk=pupil_id).user
        assert card.username == first[pupil_id].username
        assert user.check_password(card.password)
        assert not user.check_password(first[pupil_id].password)
        assert user.must_change_password
        assert_secret_nowhere(card.password)
    chosen.refresh_from_db()
    assert chosen.check_password(NEW_PASSWORD)


def test_reprinting_is_offered_and_explained(client, world):
    client.force_login(world.rupn)

    html = client.get(reverse("team:pupil_accounts")).content.decode()

    assert 'name="reissue"' in html
    assert "l’ancien ne fonctionne plus" in html


def test_the_upgrade_removes_cards_left_in_sessions_by_the_old_version(world):
    # Given a session where the old version kept login cards, and another session
    old = SessionStore()
    old["pupil_login_cards"] = [{"username": "lea.dupont", "password": "k3mnp8qrst"}]
    old["_auth_user_id"] = str(world.rupn.pk)
    old.create()
    other = SessionStore()
    other["something"] = "kept"
    other.create()

    # When the data migration runs
    migration = importlib.import_module(
        "accounts.migrations.0002_drop_login_cards_from_sessions")
    from django.apps import apps

    migration.drop_login_cards(apps, connection.schema_editor())

    # Then the cards are gone, and the rest of each session is kept
    assert stored_anywhere("k3mnp8qrst") == []
    assert SessionStore(session_key=old.session_key).load() == {
        "_auth_user_id": str(world.rupn.pk)}
    assert SessionStore(session_key=other.session_key).load() == {"something": "kept"}


def test_an_error_report_prints_no_password(client, world, monkeypatch):
    # Given a failure while the cards page is rendered (the accounts are already written)
    shown = []

    def failing_render(request, template, context):
        shown.extend(card.password for cards in context["classes"].values() for card in cards)
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(team_views, "render", failing_render)
    client.force_login(world.rupn)

    # When the error is reported (the 500 mail to the admins holds this report)
    with pytest.raises(RuntimeError) as failure:
        generate(client, world.taught_class)
    # (from the test client's call on: this test's own frame holds what it collected)
    report = ExceptionReporter(None, failure.type, failure.value, failure.tb.tb_next)

    # Then no frame of it shows a password
    assert len(shown) == 5
    html, text = report.get_traceback_html(), report.get_traceback_text()
    assert "rendering failed" in text
    assert not [p for p in shown if p in html or p in text]
