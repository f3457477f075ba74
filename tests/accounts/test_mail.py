"""Password-reset mails: sent by a task after commit, naming pixorga, no sign-up invitation."""

from __future__ import annotations

import json
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from accounts.mail import email_from_payload, email_to_payload
from tests.conftest import make_user

RESET = "/accounts/password/reset/"


def test_the_reset_mail_is_enqueued_on_commit_not_sent_in_the_request(
    client, db, django_capture_on_commit_callbacks
):
    # given a member of staff
    make_user("prof@test.fr", first="Claire")
    # when they ask for a password reset
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(RESET, {"email": "prof@test.fr"})
    # then the request answers without having sent anything: one send waits for the commit
    assert response.status_code == 302
    assert mail.outbox == []
    assert len(callbacks) == 1
    # and the task sends it once run
    callbacks[0]()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["prof@test.fr"]
    assert message.subject == "[pixorga] Réinitialisation de votre mot de passe"
    assert "/accounts/password/reset/key/" in message.body
    assert "compte pixorga" in message.body
    assert message.body.rstrip().endswith("pixorga — testserver")
    assert "Merci d" not in message.body


def test_an_unknown_address_gets_the_same_answer_and_a_mail_without_sign_up(
    client, db, django_capture_on_commit_callbacks
):
    # given an address with no account
    # when someone asks for a password reset for it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(RESET, {"email": "inconnu@example.fr"})
    # then the page answers as for a known address, and one mail goes out after commit
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(callbacks) == 1
    (message,) = mail.outbox
    # which says no account exists and to ask the establishment's RUPN, never to sign up
    assert message.subject == "[pixorga] Aucun compte pour cette adresse"
    assert "Aucun compte pixorga n’existe pour cette adresse" in message.body
    assert "demandez-le au RUPN de votre établissement" in message.body
    assert "signup" not in message.body
    assert "inscri" not in message.body.lower()
    assert "http" not in message.body


def test_a_mail_survives_the_trip_through_the_broker_unchanged():
    message = EmailMultiAlternatives(
        "Sujet é", "Corps\n", "pixorga <no-reply@test.fr>", ["a@test.fr"],
        headers={"Reply-To": "rupn@test.fr"},
    )
    message.attach_alternative("<p>Corps</p>", "text/html")
    # a JSON round trip, as the broker does it
    copy = email_from_payload(json.loads(json.dumps(email_to_payload(message))))
    assert (copy.subject, copy.body, copy.from_email, copy.to, copy.extra_headers) == (
        message.subject, message.body, message.from_email, message.to, message.extra_headers
    )
    assert [tuple(a) for a in copy.alternatives] == [tuple(a) for a in message.alternatives]


def test_too_many_reset_requests_get_a_french_page(client, db):
    for _ in range(3):
        client.post(RESET, {"email": "prof@test.fr"})
    response = client.post(RESET, {"email": "prof@test.fr"})
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()


def _allauth_mail_prefixes() -> list[str]:
    folder = Path(allauth.__file__).parent / "templates" / "account" / "email"
    return sorted(
        f"account/email/{path.name.removesuffix('_subject.txt')}"
        for path in folder.glob("*_subject.txt")
    )


@pytest.mark.parametrize("prefix", _allauth_mail_prefixes())
def test_every_allauth_mail_names_pixorga_not_the_host(
    rf, db, django_capture_on_commit_callbacks, prefix
):
    # given a request that reached the server under a bare address
    request = rf.get("/", HTTP_HOST="127.0.0.1")
    adapter = get_adapter(request)
    user = get_user_model()(username="claire", email="a@test.fr")
    # when allauth sends it (the adapter builds the context, a task sends after commit)
    with (allauth_context.request_context(request),
          django_capture_on_commit_callbacks(execute=True)):
        adapter.send_mail(prefix, "a@test.fr", {"user": user, "email": "a@test.fr"})
    # then subject and body name pixorga, never the host as the site's name
    (message,) = mail.outbox
    assert message.subject.startswith("[pixorga] ")
    assert message.body.rstrip().endswith("pixorga — 127.0.0.1")
    assert "127.0.0.1!" not in message.body and "using 127.0.0.1" not in message.body
    assert "Merci d" not in message.body
