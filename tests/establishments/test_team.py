"""The team: invitations, members, establishments of a cité scolaire, pupil accounts, logins."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from establishments.models import (
    Enrolment,
    Invitation,
    Membership,
    Pupil,
    SchoolClass,
    SchoolYear,
)
from establishments.services import invitation_create
from tests.conftest import PASSWORD, make_user

User = get_user_model()
NEW_PASSWORD = "Mon-nouveau-mot-de-passe-2025"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    """Logins are counted in the cache (a database table in tests): each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def logged_in_user(client):
    response = client.get(reverse("home"))
    return response.wsgi_request.user if response.status_code == 200 else None


def invite(client, capture, **data):
    fields = {"first_name": "Anne", "last_name": "Prof", "email": "anne.prof@ac-test.fr",
              "role": Membership.Role.TEACHER, **data}
    with capture(execute=True):
        return client.post(reverse("team:invite"), fields)


def pending_invitation(world, email="anne.prof@ac-test.fr", role=Membership.Role.TEACHER,
                       establishment=None) -> Invitation:
    return invitation_create(
        establishment=establishment or world.establishment, email=email, first_name="Anne",
        last_name="Prof", role=role, by=world.rupn, base_url="http://testserver/",
    )


# --- invitations ------------------------------------------------------------------------


def test_rupn_invites_a_teacher_who_receives_the_link_by_email(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    # Given the RUPN on the team page
    client.force_login(world.rupn)

    # When they invite a teacher
    response = invite(client, django_capture_on_commit_callbacks, email="Anne.Prof@ac-test.fr")

    # Then an invitation is pending and an e-mail carries its link
    assert response.status_code == 302
    assert response.url == reverse("team:list")
    invitation = Invitation.objects.get(establishment=world.establishment)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "anne.prof@ac-test.fr", Membership.Role.TEACHER, world.rupn
    )
    assert invitation.is_pending
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["anne.prof@ac-test.fr"]
    assert "Collège Test" in mail.subject
    link = "http://testserver" + reverse("invitation_accept", args=[invitation.token])
    assert link in mail.body
    assert client.get(reverse("team:list")).context["invitations"][0] == invitation


def test_inviting_the_same_person_again_replaces_the_pending_invitation(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.rupn)
    invite(client, django_capture_on_commit_callbacks)
    first = Invitation.objects.get()

    invite(client, django_capture_on_commit_callbacks, role=Membership.Role.DIRECTION)

    invitation = Invitation.objects.get()
    assert invitation.pk != first.pk
    assert invitation.role == Membership.Role.DIRECTION
    assert len(mailoutbox) == 2
    assert first.token not in mailoutbox[1].body


def test_a_member_cannot_be_invited_again(client, world, mailoutbox,
                                          django_capture_on_commit_callbacks):
    client.force_login(world.rupn)

    response = invite(client, django_capture_on_commit_callbacks, email="PROF@test.fr")

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Cette personne est déjà membre de l’établissement."
    ]
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_pupils_cannot_be_invited(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.rupn)

    response = invite(client, django_capture_on_commit_callbacks, role=Membership.Role.PUPIL)

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["direction", "teacher", "pupil"])
def test_only_the_rupn_invites(client, world, mailoutbox, django_capture_on_commit_callbacks,
                               role):
    client.force_login(world.member(role))

    response = invite(client, django_capture_on_commit_callbacks)

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_accepting_an_invitation_creates_the_account_and_logs_in(client, world):
    # Given an invitation and its link
    invitation = pending_invitation(world, role=Membership.Role.DIRECTION)
    url = reverse("invitation_accept", args=[invitation.token])
    assert client.get(url).status_code == 200

    # When the invited person chooses a password
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    # Then their account exists, named by their e-mail, with the role, and they are logged in
    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(username="anne.prof@ac-test.fr")
    assert (user.email, user.first_name, user.last_name) == (
        "anne.prof@ac-test.fr", "Anne", "Prof"
    )
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user).role == Membership.Role.DIRECTION
    assert Membership.objects.get(user=user).establishment == world.establishment
    assert logged_in_user(client) == user
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # And the link is used up
    client.logout()
    assert client.get(url).status_code == 410


def test_accepting_with_mismatched_passwords_creates_nothing(client, world):
    invitation = pending_invitation(world)

    response = client.post(reverse("invitation_accept", args=[invitation.token]),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})

    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(username="anne.prof@ac-test.fr").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accepting_with_a_weak_password_creates_nothing(client, world):
    invitation = pending_invitation(world)

    response = client.post(reverse("invitation_accept", args=[invitation.token]),
                           {"password1": "12345678", "password2": "12345678"})

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(username="anne.prof@ac-test.fr").exists()


def test_someone_with_an_account_must_log_in_to_accept(client, world):
    # Given a teacher of another establishment invited here, not logged in
    invitation = pending_invitation(world, email="rupn@ailleurs.fr")

    # When they fill in the new-account form instead of logging in
    response = client.post(reverse("invitation_accept", args=[invitation.token]),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    # Then they are told to log in; nothing is created or changed
    assert response.status_code == 200
    assert "Un compte existe déjà pour rupn@ailleurs.fr" in response.content.decode()
    assert not Membership.objects.filter(user=world.outsider,
                                         establishment=world.establishment).exists()
    world.outsider.refresh_from_db()
    assert world.outsider.check_password(PASSWORD)
    assert logged_in_user(client) is None


def test_an_existing_user_joins_a_second_establishment_and_switches(client, world):
    # Given the RUPN of another establishment, invited here as a teacher (a cité scolaire)
    invitation = pending_invitation(world, email="rupn@ailleurs.fr")
    client.force_login(world.outsider)
    url = reverse("invitation_accept", args=[invitation.token])
    page = client.get(url)
    assert page.status_code == 200
    assert "establishments/invitation_join.html" in [t.name for t in page.templates]

    # When they accept while logged in
    response = client.post(url)

    # Then they belong to both establishments, with their roles
    assert response.status_code == 302
    roles = dict(Membership.objects.filter(user=world.outsider)
                 .values_list("establishment__uai", "role"))
    assert roles == {"0330001B": "rupn", "0170124T": "teacher"}
    home = client.get(reverse("home"))
    assert home.context["membership"].establishment == world.outsider_establishment
    assert [m.establishment for m in home.context["other_memberships"]] == [world.establishment]

    # And they can switch to the other one and back
    switched = client.post(reverse("switch_establishment"), {"id": world.establishment.pk})
    assert switched.status_code == 302
    home = client.get(reverse("home"))
    assert home.context["membership"].establishment == world.establishment
    assert home.context["membership"].role == Membership.Role.TEACHER
    assert "establishments/home_teacher.html" in [t.name for t in home.templates]
    assert client.get(reverse("pupils:import")).status_code == 403  # a teacher here

    client.post(reverse("switch_establishment"), {"id": world.outsider_establishment.pk})
    assert client.get(reverse("pupils:import")).status_code == 200  # the RUPN there


def test_cancelling_an_invitation_kills_its_link(client, world):
    invitation = pending_invitation(world)
    client.force_login(world.rupn)

    response = client.post(reverse("team:invitation_cancel", args=[invitation.pk]))

    assert response.status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    client.logout()
    assert client.get(reverse("invitation_accept", args=[invitation.token])).status_code == 404


# --- members --------------------------------------------------------------------------------


def membership_of(user) -> Membership:
    return Membership.objects.get(user=user)


def test_team_page_lists_staff_with_their_classes(client, world):
    client.force_login(world.direction)

    members = client.get(reverse("team:list")).context["members"]

    assert {m.user for m in members} == {world.rupn, world.direction, world.teacher,
                                          world.other_teacher}
    teacher = next(m for m in members if m.user == world.teacher)
    assert [c.code for c in teacher.taught_classes.all()] == ["5A"]


def test_rupn_changes_the_classes_a_teacher_teaches(client, world):
    client.force_login(world.rupn)
    member = membership_of(world.teacher)
    url = reverse("team:member_edit", args=[member.pk])
    assert set(client.get(url).context["form"].initial["taught_classes"]) == {world.taught_class}

    response = client.post(url, {"role": "teacher", "taught_classes": [
        world.untaught_class.pk, SchoolClass.objects.get(code="3A").pk]})

    assert response.status_code == 302
    assert {c.code for c in member.taught_classes.all()} == {"5B", "3A"}
    client.force_login(world.teacher)
    assert client.get(reverse("classes:detail", args=[world.taught_class.pk])).status_code == 404
    assert client.get(reverse("classes:detail", args=[world.untaught_class.pk])).status_code == 200


def test_rupn_changes_a_teachers_role_which_drops_their_classes(client, world):
    client.force_login(world.rupn)
    member = membership_of(world.teacher)

    client.post(reverse("team:member_edit", args=[member.pk]),
                {"role": "direction", "taught_classes": [world.taught_class.pk]})

    member.refresh_from_db()
    assert member.role == Membership.Role.DIRECTION
    assert list(member.taught_classes.all()) == []


def test_member_edit_offers_only_this_years_classes_of_the_establishment(client, world):
    old = SchoolClass.objects.create(establishment=world.establishment, code="OLD",
                                     school_year=SchoolYear.objects.create(start_year=2001))
    client.force_login(world.rupn)
    member = membership_of(world.teacher)

    response = client.post(reverse("team:member_edit", args=[member.pk]),
                           {"role": "teacher", "taught_classes": [old.pk]})

    assert response.status_code == 200
    assert "taught_classes" in response.context["form"].errors
    assert list(member.taught_classes.all()) == [world.taught_class]


def test_rupn_cannot_change_their_own_role(client, world):
    client.force_login(world.rupn)
    own = membership_of(world.rupn)

    response = client.post(reverse("team:member_edit", args=[own.pk]), {"role": "teacher"})

    assert response.status_code == 200
    assert "Vous ne pouvez pas changer votre propre rôle." in response.content.decode()
    own.refresh_from_db()
    assert own.role == Membership.Role.RUPN


def test_rupn_cannot_remove_themselves(client, world):
    client.force_login(world.rupn)
    own = membership_of(world.rupn)

    response = client.post(reverse("team:member_remove", args=[own.pk]), follow=True)

    assert Membership.objects.filter(pk=own.pk).exists()
    assert "Vous ne pouvez pas vous retirer vous-même." in response.content.decode()


def test_rupn_removes_a_teacher_who_then_sees_nothing(client, world):
    client.force_login(world.rupn)
    member = membership_of(world.teacher)

    response = client.post(reverse("team:member_remove", args=[member.pk]))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert User.objects.filter(pk=world.teacher.pk).exists()
    assert SchoolClass.objects.filter(pk=world.taught_class.pk).exists()
    client.force_login(world.teacher)
    home = client.get(reverse("home"))
    assert "establishments/home_no_establishment.html" in [t.name for t in home.templates]
    assert client.get(reverse("classes:detail", args=[world.taught_class.pk])).status_code == 403


def test_editing_a_pupil_member_leads_to_the_pupils_page(client, world):
    client.force_login(world.rupn)

    response = client.get(reverse("team:member_edit", args=[membership_of(world.pupil_user).pk]))

    assert response.status_code == 302
    assert response.url == reverse("pupils:detail", args=[world.pupil.pk])


# --- pupil accounts -------------------------------------------------------------------------


def generate(client, *classes):
    return client.post(reverse("team:pupil_accounts"), {"classes": [c.pk for c in classes]})


def pupils_of(school_class):
    return Pupil.objects.filter(enrolments__school_class=school_class)


def test_generating_accounts_for_a_class(client, world):
    # Given a class where one pupil already has an account
    client.force_login(world.rupn)
    without = list(pupils_of(world.taught_class).filter(user__isnull=True))
    assert len(without) == 5

    # When the RUPN creates the class's accounts
    response = generate(client, world.taught_class)

    # Then each pupil without one gets an account with a one-time password
    assert response.status_code == 200
    for pupil in without:
        pupil.refresh_from_db()
        assert pupil.user is not None
        assert pupil.user.must_change_password
        assert (pupil.user.first_name, pupil.user.last_name) == (pupil.first_name,
                                                                  pupil.display_last_name)
        membership = Membership.objects.get(user=pupil.user)
        assert (membership.establishment, membership.role) == (world.establishment, "pupil")
    world.pupil.refresh_from_db()
    assert world.pupil.user == world.pupil_user  # kept
    assert not pupils_of(world.untaught_class).filter(user__isnull=False).exists()

    # And the answer shows the cards with each login and password, grouped by class
    assert list(response.context["classes"]) == ["5A"]
    html = response.content.decode()
    printed = response.context["classes"]["5A"]
    assert {c.pupil_id for c in printed} == {p.pk for p in without}
    for card in printed:
        user = Pupil.objects.get(pk=card.pupil_id).user
        assert card.username == user.username
        assert user.check_password(card.password)
        assert card.username in html
        assert card.password in html


def test_cards_of_several_classes_are_grouped_by_class(client, world):
    client.force_login(world.rupn)
    three_a = SchoolClass.objects.get(code="3A")

    classes = generate(client, world.untaught_class, three_a).context["classes"]

    assert list(classes) == ["3A", "5B"]
    assert {c.class_code for c in classes["3A"]} == {"3A"}
    assert len(classes["5B"]) == 6


def test_generating_again_creates_no_account(client, world):
    client.force_login(world.rupn)
    generate(client, world.taught_class)
    users = User.objects.count()

    response = generate(client, world.taught_class)

    assert response.status_code == 302
    assert response.url == reverse("team:pupil_accounts")
    assert User.objects.count() == users


def test_left_pupils_get_no_account(client, world):
    client.force_login(world.rupn)
    gone = pupils_of(world.untaught_class).first()
    Enrolment.objects.filter(pupil=gone).update(left_on=timezone.localdate())

    generate(client, world.untaught_class)

    gone.refresh_from_db()
    assert gone.user is None
    assert pupils_of(world.untaught_class).filter(user__isnull=False).count() == 5


def test_usernames_are_unique_even_for_homonyms(client, world):
    # Given two pupils of two classes with the same names, and that login already taken
    a = pupils_of(world.taught_class).filter(user__isnull=True).first()
    b = pupils_of(world.untaught_class).first()
    for pupil in (a, b):
        pupil.last_name, pupil.usage_name, pupil.first_name = "DUPONT", "", "Léa"
        pupil.save()
    make_user("leadupont", email="")
    client.force_login(world.rupn)

    # When their accounts are created
    generate(client, world.taught_class, world.untaught_class)

    # Then every login is different
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.user.username != b.user.username
    assert {a.user.username, b.user.username} <= {"leadupont2", "leadupont3"}
    usernames = list(User.objects.values_list("username", flat=True))
    assert len(usernames) == len(set(usernames))


def test_password_reset_gives_a_new_one_time_password(client, world):
    # Given a pupil who chose their password, and was in another class a year before
    old_year = SchoolYear.objects.create(start_year=world.establishment.current_year.start_year - 1)
    old_class = SchoolClass.objects.create(establishment=world.establishment,
                                           school_year=old_year, code="6C")
    Enrolment.objects.create(pupil=world.pupil, school_year=old_year, school_class=old_class)
    client.force_login(world.rupn)

    # When the RUPN resets their password
    response = client.post(reverse("pupils:password_reset", args=[world.pupil.pk]))

    # Then a card with a new one-time password is shown, with this year's class
    assert response.status_code == 200
    classes = response.context["classes"]
    assert list(classes) == ["5A"]
    [card] = classes["5A"]
    world.pupil_user.refresh_from_db()
    assert card.username == "eleve.test"
    assert world.pupil_user.check_password(card.password)
    assert not world.pupil_user.check_password(PASSWORD)
    assert world.pupil_user.must_change_password


def test_password_reset_of_a_pupil_without_account(client, world):
    pupil = pupils_of(world.untaught_class).first()
    client.force_login(world.rupn)

    response = client.post(reverse("pupils:password_reset", args=[pupil.pk]))

    assert response.status_code == 302
    assert response.url == reverse("pupils:detail", args=[pupil.pk])
    pupil.refresh_from_db()
    assert pupil.user is None


# --- logging in -------------------------------------------------------------------------------


def login(client, login_name, password):
    return client.post(reverse("account_login"), {"login": login_name, "password": password})


def test_pupil_logs_in_with_the_card_and_must_choose_a_password(client, world):
    # Given a pupil's card
    client.force_login(world.rupn)
    card = generate(client, world.taught_class).context["classes"]["5A"][0]
    client.logout()

    # When the pupil logs in with it
    response = login(client, card.username, card.password)

    # Then every page sends them to the first-password page until they choose one
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home.url == reverse("accounts:first_password")
    assert client.get(reverse("pupils:detail", args=[card.pupil_id])).url == reverse(
        "accounts:first_password"
    )
    assert client.get(reverse("accounts:first_password")).status_code == 200

    chosen = client.post(reverse("accounts:first_password"),
                         {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert chosen.status_code == 302
    assert chosen.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["pupil"].pk == card.pupil_id
    user = User.objects.get(username=card.username)
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:first_password")).url == reverse("home")


def test_first_password_refuses_mismatched_passwords(client, world):
    world.pupil_user.must_change_password = True
    world.pupil_user.save()
    client.force_login(world.pupil_user)

    response = client.post(reverse("accounts:first_password"),
                           {"new_password1": NEW_PASSWORD, "new_password2": "autre-chose-42"})

    assert response.status_code == 200
    world.pupil_user.refresh_from_db()
    assert world.pupil_user.must_change_password
    assert client.get(reverse("home")).status_code == 302


def test_login_by_email_and_by_username(client, world):
    staff = make_user("jdupont", email="j.dupont@ac-test.fr")
    Membership.objects.create(user=staff, establishment=world.establishment, role="teacher")

    for name in ("j.dupont@ac-test.fr", "jdupont", "eleve.test"):
        client.logout()
        response = login(client, name, PASSWORD)
        assert response.status_code == 302, name
        assert logged_in_user(client) in (staff, world.pupil_user), name


def test_a_wrong_password_does_not_log_in(client, world):
    response = login(client, "rupn@test.fr", "pas-le-bon")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_user(client) is None


def test_open_signup_is_closed(client, db):
    page = client.get("/accounts/signup/")

    assert "account/signup_closed.html" in [t.name for t in page.templates]
    assert 'name="password1"' not in page.content.decode()
    client.post("/accounts/signup/", {"email": "intrus@test.fr", "username": "intrus",
                                      "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not User.objects.filter(username="intrus").exists()


def test_logins_are_throttled_after_five_failures(client, world):
    # Given five failed logins
    for _attempt in range(5):
        assert login(client, "rupn@test.fr", "pas-le-bon").status_code == 200

    # When the right password comes sixth
    response = login(client, "rupn@test.fr", PASSWORD)

    # Then it is refused too
    assert logged_in_user(client) is None
    assert response.status_code == 200
    assert "Trop d’essais pour ce compte. Réessayez dans 1\u00a0minute." in (
        response.content.decode()
    )


def test_the_login_page_offers_no_signup_nor_password_reset_by_email(client, db):
    html = client.get(reverse("account_login")).content.decode()

    assert reverse("account_signup") not in html
    assert re.search(r'name="login"', html)


def test_a_forwarded_invitation_does_not_change_anyone_s_role(client, world):
    # Given an invitation addressed to a new teacher, forwarded to a pupil of the school
    invitation = pending_invitation(world, email="nouveau.prof@test.fr")
    client.force_login(world.pupil_user)
    url = reverse("invitation_accept", args=[invitation.token])

    # When the pupil opens it and posts it
    page = client.get(url)
    response = client.post(url)

    # Then they are refused and stay a pupil; the invitation is still pending
    assert page.status_code == 403
    assert response.status_code == 403
    membership = Membership.objects.get(user=world.pupil_user)
    assert membership.role == Membership.Role.PUPIL
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
