"""Reminders the day before, sent by the beat task: once each, again after a reschedule, and
retried after a failure."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from remediation import services
from remediation.models import Membership, Registration, Reminder, Workshop
from remediation.tasks import send_reminders_task
from tests.conftest import make_user
from tests.remediation.conftest import groups_of


def tomorrow_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def tomorrow(period, world, room, teacher_membership, fifth):
    """The 3.4 group meets tomorrow at 10:00 with the teacher; pupil 1 has an e-mail address
    (pupil 0's account has none). A workshop tomorrow at 17:00, led by the RUPN, has the
    teacher signed up."""
    group = groups_of(period)["3.4"]
    services.group_validate(group=group, by=world.rupn)
    (session,) = services.sessions_plan(group=group, plan=services.SessionPlan(
        starts_at=tomorrow_at(10), minutes=55, room_id=room.pk,
        leader_id=teacher_membership.pk, competences=("3.4",), campaign_code="QWRTZK482"))
    services.sessions_plan(group=group, plan=services.SessionPlan(  # in two days: not yet
        starts_at=tomorrow_at(10) + timedelta(days=1), minutes=55, room_id=None,
        leader_id=teacher_membership.pk, competences=("3.4",)))
    pupil = fifth[1]
    pupil.user = make_user("eleve2", email="eleve2@test.fr")
    pupil.save(update_fields=["user"])
    workshop = Workshop.objects.create(
        establishment=world.establishment, school_year=world.establishment.current_year,
        topic="Les données personnelles", starts_at=tomorrow_at(17), minutes=60, capacity=5,
        led_by=Membership.objects.get(user=world.rupn))
    Registration.objects.create(workshop=workshop, member=teacher_membership)
    return session, workshop


def test_the_task_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["remediation-reminders"]
    assert entry["task"] == "remediation.tasks.send_reminders_task"


def test_reminders_are_sent_once(tomorrow, world, mailoutbox):
    result = send_reminders_task.delay().get()
    assert result == {"sent": 4, "skipped": 0, "failed": 0}
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["eleve2@test.fr", "prof@test.fr", "prof@test.fr", "rupn@test.fr"]
    session_mail = next(m for m in mailoutbox if m.to == ["eleve2@test.fr"])
    assert "Rappel" in session_mail.subject
    assert "QWRTZK482" in session_mail.body and "Salle info 1" in session_mail.body
    assert "10:00" in session_mail.body

    again = send_reminders_task.delay().get()
    assert again == {"sent": 0, "skipped": 4, "failed": 0}
    assert len(mailoutbox) == 4
    assert Reminder.objects.count() == 4


def test_a_rescheduled_session_is_reminded_again(tomorrow, mailoutbox):
    session, _workshop = tomorrow
    services.reminders_send()
    session.starts_at = tomorrow_at(14)
    session.save(update_fields=["starts_at"])
    report = services.reminders_send()
    assert (report.sent, report.skipped) == (2, 2)


def test_a_failed_sending_is_retried_next_run(tomorrow, mailoutbox):
    with mock.patch("remediation.services.send_mail", side_effect=OSError("smtp down")):
        report = services.reminders_send()
    assert (report.sent, report.failed) == (0, 4)
    assert Reminder.objects.count() == 0
    assert services.reminders_send().sent == 4
