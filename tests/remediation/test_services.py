"""From the rentrée results to groups: the proposal, editing, validation, sessions and
attendance, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from remediation import services
from remediation.models import Attendance, Group, GroupMember, Period
from tests.remediation.conftest import groups_of


def ids(group: Group) -> set[int]:
    return set(group.members.values_list("pupil_id", flat=True))


def test_proposal_groups_the_pupils_below_the_threshold(period, fifth):
    groups = groups_of(period)
    assert set(groups) == {"3.4", "1.1"}
    assert ids(groups["3.4"]) == {p.pk for p in fifth[:4]}
    assert ids(groups["1.1"]) == {p.pk for p in fifth[4:8]}
    assert groups["3.4"].competences == ["3.4"]
    assert groups["3.4"].parcours == "Parcours thématique — Programmer"
    assert groups["3.4"].name == "5e · 3.4 Programmer"
    assert all(g.status == Group.Status.DRAFT for g in groups.values())
    member = groups["3.4"].members.get(pupil=fifth[0])
    assert member.values == {"1.1": 0.75, "3.4": 0.25, "4.2": 0.75}
    assert period.measure == Period.Measure.MASTERY
    assert period.mastery_threshold == 50


def test_a_pupil_is_never_in_two_groups_of_a_period(period, fifth):
    groups = groups_of(period)
    with pytest.raises(ValidationError):
        services.member_add(group=groups["1.1"], pupil=fifth[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMember.objects.create(group=groups["1.1"], period=period, pupil=fifth[0])


def test_move_split_merge(period, fifth):
    groups = groups_of(period)
    member = groups["3.4"].members.get(pupil=fifth[0])
    services.member_move(member=member, target=groups["1.1"])
    assert fifth[0].pk in ids(groups["1.1"])

    new = services.group_split(group=groups["1.1"], pupil_ids=[fifth[0].pk, fifth[4].pk])
    assert ids(new) == {fifth[0].pk, fifth[4].pk}
    assert new.competences == groups["1.1"].competences
    assert len(ids(groups["1.1"])) == 3

    services.group_merge(group=groups["3.4"], other=new)
    assert not Group.objects.filter(pk=new.pk).exists()
    assert ids(groups["3.4"]) == {p.pk for p in fifth[1:4]} | {fifth[0].pk, fifth[4].pk}
    groups["3.4"].refresh_from_db()
    assert groups["3.4"].competences == ["3.4", "1.1"]

    member = groups["3.4"].members.get(pupil=fifth[4])
    services.member_move(member=member, target=None)
    assert fifth[4].pk not in ids(groups["3.4"])


def test_split_in_halves_by_default(period):
    group = groups_of(period)["3.4"]
    new = services.group_split(group=group)
    assert len(ids(group)) == 2 and len(ids(new)) == 2


def test_validated_groups_are_not_edited_until_reopened(period, world, fifth):
    groups = groups_of(period)
    services.group_validate(group=groups["3.4"], by=world.rupn)
    member = groups["3.4"].members.get(pupil=fifth[0])
    with pytest.raises(ValidationError):
        services.member_move(member=member, target=groups["1.1"])
    with pytest.raises(ValidationError):
        services.group_merge(group=groups["1.1"], other=groups["3.4"])
    services.group_reopen(group=groups["3.4"])
    services.member_move(member=member, target=groups["1.1"])


def test_validate_all_then_plan_weekly_sessions(period, world, room, teacher_membership):
    assert services.period_validate_all(period=period, by=world.rupn) == 2
    group = groups_of(period)["3.4"]
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    sessions = services.sessions_plan(group=group, weeks=3, plan=services.SessionPlan(
        starts_at=start, minutes=55, room_id=room.pk, leader_id=teacher_membership.pk,
        competences=("3.4",), campaign_code="qwrtzk482"))
    assert [timezone.localtime(s.starts_at).time() for s in sessions] == [
        timezone.localtime(start).time()] * 3
    assert sessions[2].starts_at.date() - sessions[0].starts_at.date() == timedelta(weeks=2)
    assert sessions[0].campaign_code == "QWRTZK482"


def test_sessions_only_for_validated_groups(period, room):
    group = groups_of(period)["3.4"]
    with pytest.raises(ValidationError):
        services.sessions_plan(group=group, plan=services.SessionPlan(
            starts_at=timezone.now(), minutes=55, room_id=room.pk, leader_id=None,
            competences=("3.4",)))


def test_attendance_marks_only_the_groups_pupils(period, world, fifth):
    group = groups_of(period)["3.4"]
    services.group_validate(group=group, by=world.rupn)
    (session,) = services.sessions_plan(group=group, plan=services.SessionPlan(
        starts_at=timezone.now(), minutes=55, room_id=None, leader_id=None,
        competences=("3.4",)))
    services.attendance_mark(session=session, pupil_id=fifth[0].pk, present=True, by=world.rupn)
    services.attendance_mark(session=session, pupil_id=fifth[1].pk, present=False,
                             by=world.rupn)
    with pytest.raises(ValidationError):
        services.attendance_mark(session=session, pupil_id=fifth[9].pk, present=True,
                                 by=world.rupn)
    assert dict(Attendance.objects.values_list("pupil_id", "present")) == {
        fifth[0].pk: True, fifth[1].pk: False}
    services.attendance_mark(session=session, pupil_id=fifth[1].pk, present=None,
                             by=world.rupn)
    assert Attendance.objects.count() == 1
    session.refresh_from_db()
    assert session.attendance_taken_at is not None
