"""Who may open what: every URL of pixorga/urls.py × every role.

Another establishment's object answers 404 (its existence is not revealed); a role that may not
act answers 403; anonymous visitors are sent to the login page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from establishments.models import Invitation, Membership, Pupil, SchoolClass
from jobs.models import Job
from tests.conftest import make_user

ROLES = ("anonymous", "rupn", "direction", "teacher", "pupil", "outsider", "nomember")


@pytest.fixture
def objects(world):
    """One object of each kind in the world's establishment, and one in the outsider's."""
    establishment, other = world.establishment, world.outsider_establishment

    def invitation(est, email):
        return Invitation.objects.create(
            establishment=est, email=email, first_name="Ines", last_name="Vitée",
            role=Membership.Role.TEACHER, token=f"token-{email}", invited_by=None,
            expires_at=timezone.now() + timedelta(days=3),
        )

    return {
        "pupil": world.pupil.pk,
        "class": world.taught_class.pk,
        "member": Membership.objects.get(user=world.teacher).pk,
        "invitation": invitation(establishment, "new@test.fr").pk,
        "job": Job.objects.create(establishment=establishment, kind=Job.Kind.PUPIL_IMPORT,
                                  created_by=world.rupn).pk,
        "token": Invitation.objects.get(email="new@test.fr").token,
        "other_pupil": world.outsider_pupil.pk,
        "other_class": SchoolClass.objects.filter(establishment=other).first().pk,
        "other_member": Membership.objects.get(user=world.outsider).pk,
        "other_invitation": invitation(other, "new@ailleurs.fr").pk,
        "other_job": Job.objects.create(establishment=other, kind=Job.Kind.PUPIL_IMPORT,
                                        created_by=world.outsider).pk,
    }


def client_as(client, world, role):
    if role == "nomember":
        client.force_login(make_user("nobody@test.fr"))
    elif role != "anonymous":
        client.force_login(world.member(role))
    return client


# url name, method, arguments (keys of `objects`), then the expected status for each of ROLES.
# "login" means a redirect to the login page.
TABLE = [
    ("home", "get", (), ["login", 200, 200, 200, 200, 200, 200]),
    ("switch_establishment", "post", (), ["login", 302, 302, 302, 302, 404, 404]),
    ("establishment_settings", "get", (), ["login", 200, 403, 403, 403, 200, 403]),
    ("pupils:list", "get", (), ["login", 200, 200, 200, 403, 200, 403]),
    ("pupils:import", "get", (), ["login", 200, 403, 403, 403, 200, 403]),
    ("pupils:detail", "get", ("pupil",), ["login", 200, 200, 200, 200, 404, 403]),
    ("pupils:password_reset", "post", ("pupil",), ["login", 200, 403, 403, 403, 404, 403]),
    ("classes:list", "get", (), ["login", 200, 200, 200, 403, 200, 403]),
    ("classes:detail", "get", ("class",), ["login", 200, 200, 200, 403, 404, 403]),
    ("team:list", "get", (), ["login", 200, 200, 200, 403, 200, 403]),
    ("team:invite", "get", (), ["login", 200, 403, 403, 403, 200, 403]),
    ("team:invitation_cancel", "post", ("invitation",),
     ["login", 302, 403, 403, 403, 404, 403]),
    ("team:member_edit", "get", ("member",), ["login", 200, 403, 403, 403, 404, 403]),
    ("team:member_remove", "post", ("member",), ["login", 302, 403, 403, 403, 404, 403]),
    ("team:pupil_accounts", "get", (), ["login", 200, 403, 403, 403, 200, 403]),
    # A teacher sees the jobs they started, not the RUPN's: scoped away, hence 404.
    ("jobs:detail", "get", ("job",), ["login", 200, 200, 404, 403, 404, 403]),
    ("jobs:status", "get", ("job",), ["login", 200, 200, 404, 403, 404, 403]),
    # "Relancer": the RUPN and the direction (a job that has not failed is left as it is).
    ("jobs:relaunch", "post", ("job",), ["login", 302, 302, 404, 403, 404, 403]),
    # The token is the secret: anyone holding it sees the invitation.
    ("invitation_accept", "get", ("token",), [200, 403, 403, 403, 403, 403, 403]),
    # For the container orchestrator: anonymous.
    ("health", "get", (), [200, 200, 200, 200, 200, 200, 200]),
]


def state(world):
    """What a refused request must leave as it was."""
    world.pupil.user.refresh_from_db()
    return (
        list(Invitation.objects.order_by("pk").values_list("pk", "accepted_at")),
        list(Membership.objects.order_by("pk").values_list("pk", "role")),
        world.pupil.user.password,
    )


def outcome(response) -> int | str:
    login = reverse("account_login") + "?next="
    if response.status_code == 302 and response.url.startswith(login):
        return "login"
    return response.status_code


def test_the_table_covers_every_url_of_the_project():
    """Every page of the project but those of included apps with their own tests (campaigns,
    allauth, admin, i18n, the first-password page)."""
    from django.urls import URLPattern, get_resolver

    from pixorga.urls import urlpatterns

    resolver = get_resolver()
    names = {p.name for p in urlpatterns if isinstance(p, URLPattern)}
    for namespace in ("pupils", "classes", "team", "jobs"):
        names |= {f"{namespace}:{name}" for name in resolver.namespace_dict[namespace][1]
                  .reverse_dict if isinstance(name, str)}

    assert names == {name for name, *_rest in TABLE}


@pytest.mark.parametrize(("name", "method", "args", "statuses"), TABLE, ids=[t[0] for t in TABLE])
def test_access(client, world, objects, name, method, args, statuses):
    url = reverse(name, args=[objects[a] for a in args])
    seen, changed = {}, []
    for role in ROLES:
        # Each role starts from the same world: its request is rolled back afterwards.
        with transaction.atomic():
            # Given a user of `role` (the outsider is the RUPN of another establishment)
            client.logout()
            client_as(client, world, role)
            before = state(world)

            # When they open the page (or post to it)
            if method == "post":
                response = client.post(url, {"id": world.establishment.pk})
            else:
                response = client.get(url)

            seen[role] = outcome(response)
            if seen[role] in ("login", 403, 404) and state(world) != before:
                changed.append(role)
            transaction.set_rollback(True)

    # Then each role gets the status of the table, and a refusal changes nothing
    assert seen == dict(zip(ROLES, statuses, strict=True))
    assert changed == []


@pytest.mark.parametrize("name", ["switch_establishment", "pupils:password_reset",
                                  "team:invitation_cancel", "team:member_remove",
                                  "jobs:relaunch"])
def test_state_changing_urls_refuse_get(client, world, objects, name):
    args = {"pupils:password_reset": ["pupil"], "team:invitation_cancel": ["invitation"],
            "team:member_remove": ["member"], "jobs:relaunch": ["job"]}.get(name, [])
    client.force_login(world.rupn)

    response = client.get(reverse(name, args=[objects[a] for a in args]))

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("name", "method", "key", "role"),
    [
        ("pupils:detail", "get", "other_pupil", "rupn"),
        ("pupils:detail", "get", "other_pupil", "direction"),
        ("pupils:detail", "get", "other_pupil", "teacher"),
        ("pupils:detail", "get", "other_pupil", "pupil"),
        ("pupils:password_reset", "post", "other_pupil", "rupn"),
        ("classes:detail", "get", "other_class", "rupn"),
        ("classes:detail", "get", "other_class", "direction"),
        ("classes:detail", "get", "other_class", "teacher"),
        ("team:member_edit", "get", "other_member", "rupn"),
        ("team:member_remove", "post", "other_member", "rupn"),
        ("team:invitation_cancel", "post", "other_invitation", "rupn"),
        ("jobs:detail", "get", "other_job", "rupn"),
        ("jobs:detail", "get", "other_job", "direction"),
        ("jobs:status", "get", "other_job", "rupn"),
        ("jobs:status", "get", "other_job", "direction"),
        ("jobs:relaunch", "post", "other_job", "rupn"),
        ("jobs:relaunch", "post", "other_job", "direction"),
    ],
)
def test_another_establishments_ids_answer_404(client, world, objects, name, method, key, role):
    # Given a member of the world's establishment allowed to use the page
    client.force_login(world.member(role))
    url = reverse(name, args=[objects[key]])

    # When they ask for an object of another establishment by its id
    response = client.post(url) if method == "post" else client.get(url)

    # Then its existence is not revealed, and it is left alone
    assert response.status_code == 404
    assert Membership.objects.filter(pk=objects["other_member"]).exists()
    assert Invitation.objects.filter(pk=objects["other_invitation"]).exists()


def test_switching_to_an_establishment_one_does_not_belong_to_answers_404(client, world):
    client.force_login(world.rupn)

    response = client.post(reverse("switch_establishment"),
                           {"id": world.outsider_establishment.pk})

    assert response.status_code == 404
    assert client.get(reverse("home")).context["membership"].establishment == world.establishment


@pytest.mark.parametrize("forged", ["abc", "", "1.5"])
def test_switching_with_a_malformed_id_answers_404(client, world, forged):
    client.force_login(world.rupn)

    response = client.post(reverse("switch_establishment"), {"id": forged})

    assert response.status_code == 404


# --- a teacher: the classes they teach ---------------------------------------------------


def test_teacher_sees_the_class_they_teach_and_its_pupils(client, world):
    client.force_login(world.teacher)
    pupil = Pupil.objects.filter(enrolments__school_class=world.taught_class).last()

    assert client.get(reverse("classes:detail", args=[world.taught_class.pk])).status_code == 200
    assert client.get(reverse("pupils:detail", args=[pupil.pk])).status_code == 200


def test_teacher_gets_404_for_an_untaught_class_and_its_pupils(client, world):
    client.force_login(world.teacher)
    pupil = Pupil.objects.filter(enrolments__school_class=world.untaught_class).first()

    assert client.get(reverse("classes:detail", args=[world.untaught_class.pk])).status_code == 404
    assert client.get(reverse("pupils:detail", args=[pupil.pk])).status_code == 404


def test_teacher_lists_only_the_classes_and_pupils_they_teach(client, world):
    client.force_login(world.teacher)
    taught = set(
        Pupil.objects.filter(enrolments__school_class=world.taught_class).values_list("pk",
                                                                                    flat=True)
    )

    classes = client.get(reverse("classes:list")).context["classes"]
    pupils = client.get(reverse("pupils:list")).context["page"]
    home = client.get(reverse("home")).context["classes"]

    assert [c.pk for c in classes] == [world.taught_class.pk]
    assert [c.pk for c in home] == [world.taught_class.pk]
    assert {p.pk for p in pupils} == taught


def test_teacher_without_classes_sees_no_pupil(client, world):
    client.force_login(world.other_teacher)

    assert list(client.get(reverse("classes:list")).context["classes"]) == []
    assert list(client.get(reverse("pupils:list")).context["page"]) == []
    assert client.get(reverse("pupils:detail", args=[world.pupil.pk])).status_code == 404


def test_rupn_and_direction_see_every_class(client, world):
    every = set(SchoolClass.objects.filter(establishment=world.establishment)
                .values_list("pk", flat=True))
    for user in (world.rupn, world.direction):
        client.force_login(user)
        assert {c.pk for c in client.get(reverse("classes:list")).context["classes"]} == every


# --- a pupil: themselves only ------------------------------------------------------------


def test_pupil_sees_only_their_own_page(client, world):
    client.force_login(world.pupil_user)
    classmate = (Pupil.objects.filter(enrolments__school_class=world.taught_class)
                 .exclude(pk=world.pupil.pk).first())

    own = client.get(reverse("pupils:detail", args=[world.pupil.pk]))
    other = client.get(reverse("pupils:detail", args=[classmate.pk]))

    assert own.status_code == 200
    assert own.context["pupil"] == world.pupil
    assert other.status_code == 404


def test_pupil_home_shows_their_class(client, world):
    client.force_login(world.pupil_user)

    response = client.get(reverse("home"))

    assert response.context["pupil"] == world.pupil
    assert response.context["enrolment"].school_class == world.taught_class


# --- invitations ---------------------------------------------------------------------------


def test_invitation_with_an_unknown_token_answers_404(client, world):
    assert client.get(reverse("invitation_accept", args=["no-such-token"])).status_code == 404


def test_used_invitation_answers_410(client, world, objects):
    Invitation.objects.filter(token=objects["token"]).update(accepted_at=timezone.now())

    response = client.get(reverse("invitation_accept", args=[objects["token"]]))

    assert response.status_code == 410


def test_expired_invitation_answers_410_and_accepts_nothing(client, world, objects):
    Invitation.objects.filter(token=objects["token"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    url = reverse("invitation_accept", args=[objects["token"]])

    assert client.get(url).status_code == 410
    response = client.post(url, {"password1": "Un-mot-de-passe-42", "password2":
                                 "Un-mot-de-passe-42"})
    assert response.status_code == 410
    assert not Membership.objects.filter(user__email="new@test.fr").exists()


@pytest.mark.parametrize("role", ["direction", "teacher"])
def test_managing_a_member_is_refused_to_non_rupn_by_the_access_helper(rf, world, role):
    # The views are behind rupn_required too: the helper must refuse on its own.
    from django.core.exceptions import PermissionDenied

    from establishments.access import get_member_for_user

    request = rf.get("/")
    request.membership = Membership.objects.get(user=world.member(role))
    member = Membership.objects.get(user=world.teacher)

    assert get_member_for_user(request, member.pk) == member
    with pytest.raises(PermissionDenied):
        get_member_for_user(request, member.pk, manage=True)
