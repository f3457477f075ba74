"""Who sees what, for every URL of the app: RUPN everything; teachers what they lead and their
classes' pupils; pupils their own sessions; direction the indicators (read-only); another
establishment's ids answer 404, anonymous visitors go to the login page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from establishments.models import Membership
from remediation import services
from remediation.models import Group, Registration, Workshop
from tests.remediation.conftest import groups_of


@dataclass
class Objects:
    period: int
    group: int  # validated, led by the teacher, with a session
    draft: int  # proposed, led by the teacher
    draft2: int  # proposed, led by the teacher, split from `draft`
    member: int  # a pupil of `draft`
    pupil: int  # a pupil without group
    session: int
    workshop: int
    teacher_membership: int


@pytest.fixture
def objects(period, world, room, teacher_membership, fifth):
    groups = groups_of(period)
    for group in groups.values():
        services.group_set_leader(group=group, leader=teacher_membership)
    validated, draft = groups["3.4"], groups["1.1"]
    services.group_validate(group=validated, by=world.rupn)
    draft2 = services.group_split(group=draft)
    (session,) = services.sessions_plan(group=validated, plan=services.SessionPlan(
        starts_at=timezone.now() + timedelta(days=2), minutes=55, room_id=room.pk,
        leader_id=teacher_membership.pk, competences=("3.4",)))
    services.member_move(member=draft2.members.first(), target=None)
    workshop = Workshop.objects.create(
        establishment=world.establishment, school_year=world.establishment.current_year,
        topic="Atelier", starts_at=timezone.now() + timedelta(days=3), capacity=5)
    Registration.objects.create(workshop=workshop, member=teacher_membership)
    return Objects(
        period=period.pk, group=validated.pk, draft=draft.pk, draft2=draft2.pk,
        member=draft.members.first().pk,
        pupil=next(p.pk for p in fifth[4:8] if not Group.objects.filter(
            members__pupil=p).exists()),
        session=session.pk, workshop=workshop.pk, teacher_membership=teacher_membership.pk,
    )


ROLES = ("rupn", "direction", "teacher", "other_teacher", "pupil", "outsider")


def user_of(world, role):
    return world.other_teacher if role == "other_teacher" else world.member(role)


# name, args from Objects, {role: status}; every other role gets `default`
GETS = [
    ("home", (), {"direction": 302}, 200),
    ("needs", (), {"direction": 403, "pupil": 403}, 200),
    ("indicators", (), {"teacher": 403, "other_teacher": 403, "pupil": 403}, 200),
    ("period_propose", (), {"direction": 403, "teacher": 403, "other_teacher": 403,
                            "pupil": 403}, 200),
    ("period", ("period",), {"direction": 403, "other_teacher": 404, "pupil": 403,
                             "outsider": 404}, 200),
    ("period_edit", ("period",), {"direction": 403, "teacher": 403, "other_teacher": 403,
                                  "pupil": 403, "outsider": 404}, 200),
    ("effect", ("period",), {"other_teacher": 404, "pupil": 403, "outsider": 404}, 200),
    ("group", ("group",), {"direction": 403, "other_teacher": 404, "pupil": 403,
                           "outsider": 404}, 200),
    ("group_edit", ("draft",), {"direction": 403, "other_teacher": 404, "pupil": 403,
                                "outsider": 404}, 200),
    ("session_create", ("group",), {"direction": 403, "other_teacher": 404, "pupil": 403,
                                    "outsider": 404}, 200),
    ("sessions", (), {"direction": 403, "pupil": 403}, 200),
    ("session", ("session",), {"direction": 403, "other_teacher": 404, "outsider": 404}, 200),
    ("session_edit", ("session",), {"direction": 403, "other_teacher": 404, "pupil": 403,
                                    "outsider": 404}, 200),
    ("attendance", ("session",), {"direction": 403, "other_teacher": 404, "pupil": 403,
                                  "outsider": 404}, 200),
    ("workshops", (), {"pupil": 403}, 200),
    ("workshop_create", (), {"direction": 403, "teacher": 403, "other_teacher": 403,
                             "pupil": 403}, 200),
    ("workshop", ("workshop",), {"pupil": 403, "outsider": 404}, 200),
    ("workshop_edit", ("workshop",), {"direction": 403, "teacher": 403, "other_teacher": 403,
                                      "pupil": 403, "outsider": 404}, 200),
    ("pix_edu", (), {"teacher": 403, "other_teacher": 403, "pupil": 403}, 200),
    ("pix_edu_import", (), {"direction": 403, "teacher": 403, "other_teacher": 403,
                            "pupil": 403}, 200),
    ("pix_edu_mine", (), {"direction": 403, "pupil": 403}, 200),
    ("pix_edu_edit", ("teacher_membership",), {"direction": 403, "teacher": 403,
                                               "other_teacher": 403, "pupil": 403,
                                               "outsider": 404}, 200),
    ("agenda", (), {}, 200),
]

ONLY_RUPN = {"direction": 403, "teacher": 403, "other_teacher": 403, "pupil": 403,
             "outsider": 404}
LEADER = {"direction": 403, "other_teacher": 404, "pupil": 403, "outsider": 404}
# name, args, data, {role: status} for roles refused, the role allowed (302)
POSTS = [
    ("period_validate", ("period",), {}, ONLY_RUPN, "rupn"),
    ("period_add", ("period",), {"group": "draft", "pupil": "pupil"}, ONLY_RUPN, "rupn"),
    ("period_delete", ("period",), {}, ONLY_RUPN, "rupn"),
    ("group_leader", ("draft",), {"gDRAFT-leader": ""}, LEADER, "teacher"),
    ("group_validate", ("draft",), {}, LEADER, "teacher"),
    ("group_reopen", ("group",), {}, LEADER, "teacher"),
    ("group_split", ("draft",), {}, LEADER, "teacher"),
    ("group_merge", ("draft",), {"other": "draft2"}, LEADER, "teacher"),
    ("group_delete", ("draft",), {}, ONLY_RUPN, "rupn"),
    ("member_move", ("member",), {"target": "draft2"}, LEADER, "teacher"),
    ("session_delete", ("session",), {}, LEADER, "teacher"),
    ("attendance", ("session",), {}, LEADER, "teacher"),
    ("workshop_register", ("workshop",), {}, {"direction": 403, "pupil": 403,
                                             "outsider": 404}, "other_teacher"),
    ("workshop_unregister", ("workshop",), {}, {"direction": 403, "pupil": 403,
                                               "outsider": 404}, "teacher"),
    ("workshop_attendance", ("workshop",), {}, ONLY_RUPN, "rupn"),
    ("workshop_delete", ("workshop",), {}, ONLY_RUPN, "rupn"),
    ("agenda_renew", (), {}, {}, "pupil"),
    ("agenda_revoke", (), {}, {}, "direction"),
]


def url_of(name, args, objects):
    return reverse(f"remediation:{name}", args=[getattr(objects, a) for a in args])


@pytest.mark.parametrize(("name", "args", "statuses", "default"), GETS,
                         ids=[g[0] for g in GETS])
def test_pages(name, args, statuses, default, objects, world, client):
    url = url_of(name, args, objects)
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for role in ROLES:
        client.force_login(user_of(world, role))
        assert client.get(url).status_code == statuses.get(role, default), (role, url)


@pytest.mark.parametrize(("name", "args", "data", "refused", "allowed"), POSTS,
                         ids=[p[0] for p in POSTS])
def test_actions(name, args, data, refused, allowed, objects, world, client):
    url = url_of(name, args, objects)
    data = {key.replace("DRAFT", str(objects.draft)):
            getattr(objects, value) if isinstance(value, str) and hasattr(objects, value)
            else value for key, value in data.items()}
    response = client.post(url, data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for role, status in refused.items():
        client.force_login(user_of(world, role))
        assert client.post(url, data).status_code == status, (role, url)
    client.force_login(user_of(world, allowed))
    assert client.post(url, data).status_code == 302, (allowed, url)


def test_a_teacher_sees_needs_of_their_classes_only(objects, world, login, fifth):
    html = login(world.teacher).get(reverse("remediation:needs"), {"niveau": "5e"}
                                    ).content.decode()
    assert fifth[0].first_name in html  # 5A
    assert reverse("pupils:detail", args=[fifth[7].pk]) not in html  # 5B


def test_a_pupil_sees_only_their_sessions(objects, world, login, fifth):
    other = Membership.objects.get(user=world.pupil_user)
    assert other.role == Membership.Role.PUPIL
    member = Group.objects.get(pk=objects.group).members.get(pupil=fifth[0])
    services.group_reopen(group=member.group)
    services.member_move(member=member, target=None)
    response = login(world.pupil_user).get(reverse("remediation:session",
                                                   args=[objects.session]))
    assert response.status_code == 404


def test_feed_needs_no_login_but_a_token(objects, world, client):
    feed = services.calendar_feed_renew(user=world.teacher)
    assert client.get(reverse("remediation:feed", args=[feed.token])).status_code == 200
    assert client.get(reverse("remediation:feed", args=["x" * 43])).status_code == 404
