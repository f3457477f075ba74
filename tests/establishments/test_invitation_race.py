"""One invitation accepted by two requests at once (a double click, two tabs): never a 500.

The racing requests are replayed deterministically (the other request wins just before this
one's write), and for real with two threads against PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from establishments import services
from establishments.models import Invitation, Membership
from establishments.services import InvitationAlreadyAccepted, invitation_accept
from tests.conftest import PASSWORD
from tests.establishments.test_team import NEW_PASSWORD, logged_in_user, pending_invitation

User = get_user_model()


@pytest.fixture
def other_request_wins(monkeypatch):
    """The service as it runs when another request accepted the invitation an instant before:
    the other request's acceptance, then this one's."""
    real = services.invitation_accept

    def racing(*, invitation, user=None, password=None, other=None):
        real(invitation=Invitation.objects.get(pk=invitation.pk), user=user,
             password=racing.other_password or password)
        return real(invitation=invitation, user=user, password=password)

    racing.other_password = None
    monkeypatch.setattr(services, "invitation_accept", racing)
    return racing


def test_the_service_called_twice_accepts_once(world):
    invitation = pending_invitation(world)
    stale = Invitation.objects.get(pk=invitation.pk)

    invitation_accept(invitation=invitation, password=NEW_PASSWORD)
    with pytest.raises(InvitationAlreadyAccepted):
        invitation_accept(invitation=stale, password=NEW_PASSWORD)

    assert User.objects.filter(username="anne.prof@ac-test.fr").count() == 1
    assert Membership.objects.filter(user__username="anne.prof@ac-test.fr").count() == 1


def test_a_double_click_on_the_new_account_form_logs_in_once(client, world,
                                                             other_request_wins):
    # Given the invitation form, sent twice with the same password (a double click)
    invitation = pending_invitation(world)

    # When this request arrives just after the first one created the account
    response = client.post(reverse("invitation_accept", args=[invitation.token]),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    # Then it has the same outcome: logged in, at home; one account, one membership
    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(username="anne.prof@ac-test.fr")
    assert logged_in_user(client) == user
    assert Membership.objects.filter(user=user).count() == 1


def test_someone_else_winning_the_race_is_sent_to_log_in(client, world, other_request_wins):
    invitation = pending_invitation(world)
    other_request_wins.other_password = NEW_PASSWORD + "-other"

    response = client.post(reverse("invitation_accept", args=[invitation.token]),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)

    assert response.status_code == 200
    assert "Cette invitation vient d’être acceptée : connectez-vous" in response.content.decode()
    assert logged_in_user(client) is None
    assert User.objects.filter(username="anne.prof@ac-test.fr").count() == 1


def test_a_logged_in_member_accepting_twice_is_told_they_are_in(client, world,
                                                                other_request_wins):
    invitation = pending_invitation(world, email="rupn@ailleurs.fr")
    client.force_login(world.outsider)

    response = client.post(reverse("invitation_accept", args=[invitation.token]), follow=True)

    assert response.status_code == 200
    assert "Vous êtes déjà membre de Collège Test." in response.content.decode()
    assert Membership.objects.get(user=world.outsider, establishment=world.establishment).role \
        == Membership.Role.TEACHER


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_against_postgresql(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite takes one writer at a time")
    # Given one invitation, and two requests that both passed the form's checks
    invitation = pending_invitation(world)
    both_checked = threading.Barrier(2, timeout=10)
    real = services._invitation_accept

    def after_both_checked(**kwargs):
        both_checked.wait()  # neither has written yet: the writes race for real
        return real(**kwargs)

    monkeypatch.setattr(services, "_invitation_accept", after_both_checked)
    url = reverse("invitation_accept", args=[invitation.token])
    responses = [None, None]
    clients = [Client(raise_request_exception=False) for _ in range(2)]

    def accept(i):
        try:
            responses[i] = clients[i].post(
                url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        finally:
            connection.close()

    # When they write at the same instant
    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then both answer as the first would: logged in, at home; one account, one membership
    assert [r.status_code for r in responses] == [302, 302]
    assert {r.url for r in responses} == {reverse("home")}
    user = User.objects.get(username="anne.prof@ac-test.fr")
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert Membership.objects.filter(user=user).count() == 1
    assert all(logged_in_user(c) == user for c in clients)
