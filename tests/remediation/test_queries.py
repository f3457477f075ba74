"""Every page reads in a number of queries that does not grow with pupils, groups, sessions,
workshops or teachers: a small school and one three times larger take the same count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.models import Room
from establishments.models import Membership, Pupil, SchoolClass
from remediation import services
from remediation.models import Group, Registration, Workshop
from remediation.selectors import Source
from tests.conftest import import_fake_pupils, make_establishment, make_user
from tests.remediation.helpers import import_mastery, when

CODES = ("1.1", "3.4", "4.2", "5.1")


def _school(uai: str, per_class: int, seed: int) -> dict:
    est = make_establishment(uai, f"Collège {uai}")
    import_fake_pupils(est, (("5A", "5e", per_class), ("5B", "5e", per_class),
                             ("3A", "3e", per_class)), seed=seed)
    fifth = list(Pupil.objects.filter(enrolments__school_class__grade="5e",
                                      establishment=est).order_by("pk"))
    weak = [{"1.1": (4, 1), "3.4": (4, 3), "4.2": (4, 3), "5.1": (4, 3)},
            {"1.1": (4, 3), "3.4": (4, 0), "4.2": (4, 3), "5.1": (4, 3)},
            {"1.1": (4, 3), "3.4": (4, 3), "4.2": (4, 1), "5.1": (4, 1)},
            {"1.1": (4, 4), "3.4": (4, 4), "4.2": (4, 4), "5.1": (4, 4)}]
    campaign = import_mastery(est, {p: weak[i % 4] for i, p in enumerate(fifth)}, codes=CODES,
                              shared_at=when(9, 20), name="Parcours de rentrée 5e")
    rupn = make_user(f"rupn@{uai}.fr")
    Membership.objects.create(user=rupn, establishment=est, role=Membership.Role.RUPN)
    direction = make_user(f"dir@{uai}.fr")
    Membership.objects.create(user=direction, establishment=est,
                              role=Membership.Role.DIRECTION)
    teachers = []
    for index in range(per_class // 2):
        user = make_user(f"prof{index}@{uai}.fr", email=f"prof{index}@{uai}.fr")
        member = Membership.objects.create(user=user, establishment=est,
                                           role=Membership.Role.TEACHER)
        member.taught_classes.set(SchoolClass.objects.filter(establishment=est))
        teachers.append(member)
        services.pix_edu_update(member=member, by=rupn, newly_tenured=index % 2 == 0,
                                steps={"positioning": (True, None)})
    today = timezone.localdate()
    period = services.period_propose(
        establishment=est, by=rupn, grade="5e", name="Remédiation", starts_on=today,
        ends_on=today + timedelta(weeks=6), source=Source(campaign), threshold=0.5,
        max_group_size=max(per_class // 4, 2))
    services.period_validate_all(period=period, by=rupn)
    rooms = [Room.objects.create(establishment=est, name=f"Salle {i}", computers=15)
             for i in range(3)]
    teacher = teachers[0]
    sessions = []
    for index, group in enumerate(Group.objects.filter(period=period).order_by("pk")):
        services.group_set_leader(group=group, leader=teacher)
        sessions += services.sessions_plan(group=group, weeks=2, plan=services.SessionPlan(
            starts_at=when(10, 1, 8) + timedelta(hours=index), minutes=55,
            room_id=rooms[index % 3].pk, leader_id=teacher.pk, competences=("3.4",)))
        sessions += services.sessions_plan(group=group, weeks=1, plan=services.SessionPlan(
            starts_at=timezone.now() + timedelta(days=1, hours=index), minutes=55,
            room_id=rooms[0].pk, leader_id=teacher.pk, competences=("3.4",)))
    for session in sessions:
        services.attendance_save(session=session, by=rupn, notes=None, marks={
            m.pupil_id: True for m in session.group.members.all()})
    import_mastery(est, {p: weak[(i + 1) % 4] for i, p in enumerate(fifth)}, codes=CODES,
                   shared_at=when(11, 10), name="Parcours thématique")
    for index in range(per_class // 3):
        workshop = Workshop.objects.create(
            establishment=est, school_year=est.current_year, topic=f"Atelier {index}",
            starts_at=timezone.now() + timedelta(days=index + 1), capacity=30,
            room=rooms[1])
        Registration.objects.bulk_create(Registration(workshop=workshop, member=m)
                                         for m in teachers)
    pupil = Group.objects.filter(period=period).first().members.first().pupil
    pupil_user = make_user(f"eleve@{uai}.fr")
    pupil.user = pupil_user
    pupil.save(update_fields=["user"])
    Membership.objects.create(user=pupil_user, establishment=est, role=Membership.Role.PUPIL)
    group = Group.objects.filter(period=period).first()
    return {
        "users": {"rupn": rupn, "teacher": teacher.user, "direction": direction,
                  "pupil": pupil_user},
        "period": period.pk, "group": group.pk, "session": group.sessions.first().pk,
        "workshop": Workshop.objects.filter(establishment=est).first().pk,
        "feed": services.calendar_feed_renew(user=teacher.user).token,
        "groups": Group.objects.filter(period=period).count(), "sessions": len(sessions),
    }


PAGES = [
    ("rupn", "remediation:home", ()),
    ("teacher", "remediation:home", ()),
    ("pupil", "remediation:home", ()),
    ("rupn", "remediation:needs", ()),
    ("rupn", "remediation:needs", (), {"niveau": "5e"}),
    ("teacher", "remediation:needs", (), {"niveau": "5e", "competence": "3.4"}),
    ("rupn", "remediation:period_propose", ()),
    ("rupn", "remediation:period", ("period",)),
    ("teacher", "remediation:period", ("period",)),
    ("rupn", "remediation:group", ("group",)),
    ("rupn", "remediation:sessions", ()),
    ("rupn", "remediation:sessions", (), {"passees": "1"}),
    ("teacher", "remediation:session", ("session",)),
    ("teacher", "remediation:attendance", ("session",)),
    ("rupn", "remediation:effect", ("period",)),
    ("direction", "remediation:effect", ("period",)),
    ("direction", "remediation:indicators", ()),
    ("teacher", "remediation:workshops", ()),
    ("rupn", "remediation:workshop", ("workshop",)),
    ("direction", "remediation:pix_edu", ()),
    ("teacher", "remediation:agenda", ()),
    ("rupn", "progression:plan", ()),
    ("teacher", "home", ()),
    ("pupil", "home", ()),
]


def _count(client, school, page) -> int:
    role, name, args, *rest = page
    params = rest[0] if rest else {}
    client.force_login(school["users"][role])
    url = reverse(name, args=[school[a] for a in args])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (page, response.status_code)
    return len(queries)


@pytest.fixture
def schools(db):
    return _school("0170001A", 4, 1), _school("0170002B", 12, 2)


def test_page_queries_do_not_grow(schools, client):
    small, large = schools
    assert large["groups"] > small["groups"] and large["sessions"] > small["sessions"]
    grown = []
    for page in PAGES:
        counts = (_count(client, small, page), _count(client, large, page))
        if counts[1] > counts[0]:
            grown.append((page[:2], counts))
    assert not grown, grown


def test_the_feed_reads_in_a_fixed_number_of_queries(schools, client):
    counts = []
    for school in schools:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("remediation:feed", args=[school["feed"]]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4
