"""Double bookings: the pure rule, then sessions checked against other remediation sessions,
workshops and certification sessions, and the form that asks before saving a conflict."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from certification.models import Candidate, CertificationPlan, Room
from certification.models import Session as CertificationSession
from pix.files import PARIS
from remediation import services
from remediation.conflicts import Booking, ConflictKind, find_conflicts
from remediation.models import Registration, Session, Workshop
from remediation.selectors import planned_conflicts, session_conflicts
from tests.remediation.conftest import groups_of
from tests.remediation.helpers import when


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, 18, hour, minute, tzinfo=PARIS)


def booking(key, start, end, *, room=None, people=(), pupils=()):
    return Booking(key, key, start, end, room, frozenset(people), frozenset(pupils))


def kinds(conflicts):
    return sorted((c.kind.value, c.first.key, c.second.key, c.ids) for c in conflicts)


def test_overlapping_bookings_sharing_a_room_a_person_or_a_pupil():
    bookings = [
        booking("a", at(10), at(11), room=1, people={7}, pupils={1, 2}),
        booking("b", at(10, 30), at(11, 30), room=1, people={8}, pupils={2, 3}),
        booking("c", at(10, 45), at(12), room=2, people={7}),
        booking("d", at(11), at(12), room=1, pupils={1}),  # starts as "a" ends
    ]
    assert kinds(find_conflicts(bookings)) == [
        ("person", "a", "c", (7,)),
        ("pupil", "a", "b", (2,)),
        ("room", "a", "b", (1,)),
        ("room", "b", "d", (1,)),
    ]


def test_only_the_conflicts_of_the_given_bookings():
    bookings = [
        booking("old1", at(10), at(11), room=1),
        booking("old2", at(10), at(11), room=1),
        booking("new", at(14), at(15), room=1),
        booking("new2", at(14, 30), at(15), room=1),
    ]
    assert kinds(find_conflicts(bookings, only={"new"})) == [("room", "new", "new2", (1,))]
    assert find_conflicts(bookings, only={"nothing"}) == []


def test_no_conflict_without_overlap_or_sharing():
    bookings = [booking("a", at(8), at(9), room=1, people={1}, pupils={1}),
                booking("b", at(9), at(10), room=1, people={1}, pupils={1}),
                booking("c", at(8), at(9), room=2, people={2}, pupils={2})]
    assert find_conflicts(bookings) == []


@pytest.fixture
def booked(period, world, room, teacher_membership, fifth):
    """The 3.4 group meets on a Tuesday at 10:00 in the room, led by the teacher; the same
    morning the room hosts a certification session with pupil 0 as candidate and the teacher
    invigilating, and the teacher attends a workshop at 10:30."""
    group = groups_of(period)["3.4"]
    services.group_validate(group=group, by=world.rupn)
    (session,) = services.sessions_plan(group=group, plan=services.SessionPlan(
        starts_at=when(11, 17, 10), minutes=55, room_id=room.pk,
        leader_id=teacher_membership.pk, competences=("3.4",)))
    plan = CertificationPlan.objects.create(establishment=world.establishment,
                                            school_year=world.establishment.current_year,
                                            grades=["3e"])
    certification = CertificationSession.objects.create(plan=plan, room=room,
                                                        starts_at=when(11, 17, 9), minutes=120)
    certification.invigilators.add(teacher_membership)
    certification.candidates.add(Candidate.objects.create(plan=plan, pupil=fifth[0]))
    workshop = Workshop.objects.create(
        establishment=world.establishment, school_year=world.establishment.current_year,
        topic="Sécuriser ses mots de passe", starts_at=when(11, 17, 10, 30), minutes=60,
        room=Room.objects.create(establishment=world.establishment, name="CDI", computers=4),
        capacity=10,
    )
    Registration.objects.create(workshop=workshop, member=teacher_membership)
    return session, certification, workshop


def test_sessions_checked_against_certification_and_workshops(world, booked, fifth,
                                                                teacher_membership, room):
    session, certification, workshop = booked
    conflicts = session_conflicts(world.establishment, [session])[f"session:{session.pk}"]
    assert kinds(conflicts) == [
        ("person", f"certification:{certification.pk}", f"session:{session.pk}",
         (teacher_membership.pk,)),
        ("person", f"session:{session.pk}", f"workshop:{workshop.pk}",
         (teacher_membership.pk,)),
        ("pupil", f"certification:{certification.pk}", f"session:{session.pk}",
         (fifth[0].pk,)),
        ("room", f"certification:{certification.pk}", f"session:{session.pk}", (room.pk,)),
    ]


def test_a_pupil_booked_twice_in_remediation(world, period, room, fifth):
    services.period_validate_all(period=period, by=world.rupn)
    groups = groups_of(period)
    start = when(11, 18, 14)
    services.sessions_plan(group=groups["3.4"], plan=services.SessionPlan(
        starts_at=start, minutes=55, room_id=room.pk, leader_id=None, competences=("3.4",)))
    # pupil 0 moves to the 1.1 group's session at the same time, elsewhere: a pupil conflict
    planned = [Booking("new:0", "new", start + timedelta(minutes=30),
                       start + timedelta(minutes=85), None, frozenset(),
                       frozenset({fifth[0].pk}))]
    found = planned_conflicts(world.establishment, planned)
    assert [(c.kind, c.ids) for c in found] == [(ConflictKind.PUPIL, (fifth[0].pk,))]


def test_the_form_asks_before_saving_a_conflict(world, login, booked, teacher_membership, room):
    session, _certification, _workshop = booked
    client = login(world.rupn)
    url = reverse("remediation:session_create", args=[session.group_id])
    data = {"day": session.starts_at.astimezone(PARIS).date().isoformat(), "start": "10:15",
            "minutes": 30, "weeks": 1, "room": room.pk, "leader": teacher_membership.pk,
            "competences": ["3.4"], "campaign_code": "", "notes": ""}
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Salle Salle info 1 réservée deux fois" in html
    assert "Enregistrer malgré les conflits" in html
    assert Session.objects.count() == 1
    response = client.post(url, {**data, "confirm": "on"})
    assert response.status_code == 302
    assert Session.objects.count() == 2
    # the session page lists its conflicts
    page = client.get(reverse("remediation:session", args=[session.pk])).content.decode()
    assert "conflits" in page and "Certification" in page
