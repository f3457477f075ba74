"""The iCalendar feed: written by hand per RFC 5545, read back by the `icalendar` parser; a
private link that needs no login and can be renewed or revoked; sessions in the year plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from pix.files import PARIS
from remediation import services
from remediation.ics import CalendarEvent, calendar, escape_text, fold
from remediation.models import CalendarFeed, Registration, Workshop
from tests.remediation.conftest import groups_of

NOW = datetime(2025, 11, 17, 8, 0, tzinfo=UTC)


def test_escaping_and_folding():
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 60  # 8 + 120 octets
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_a_calendar_parses_back_with_its_text_intact():
    event = CalendarEvent(
        uid="remediation-session-1@pixorga.example",
        starts_at=datetime(2025, 11, 18, 10, 0, tzinfo=PARIS),
        ends_at=datetime(2025, 11, 18, 10, 55, tzinfo=PARIS),
        summary="Accompagnement Pix — 5e · 3.4 Programmer",
        description="Compétences : 3.4 Programmer, 1.1 Mener une recherche et une veille "
                    "d’information\nCode de campagne : QWRTZK482; salle B,12",
        location="Salle info 1", url="https://pixorga.example/remediation/seances/1/",
    )
    text = calendar([event], name="pixorga — mes séances", now=NOW)
    assert text.endswith("\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\n" not in text.replace("\r\n", "")
    parsed = icalendar.Calendar.from_ical(text)
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["UID"]) == event.uid
    assert vevent.decoded("DTSTART") == datetime(2025, 11, 18, 9, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND") - vevent.decoded("DTSTART") == timedelta(minutes=55)
    assert vevent.decoded("DTSTAMP") == NOW
    assert str(vevent["SUMMARY"]) == event.summary
    assert str(vevent["DESCRIPTION"]) == event.description
    assert str(vevent["LOCATION"]) == "Salle info 1"
    assert parsed["VERSION"] == "2.0" and "PRODID" in parsed


@pytest.fixture
def scheduled(period, world, room, teacher_membership, fifth):
    group = groups_of(period)["3.4"]
    services.group_validate(group=group, by=world.rupn)
    (session,) = services.sessions_plan(group=group, plan=services.SessionPlan(
        starts_at=timezone.now() + timedelta(days=2), minutes=55, room_id=room.pk,
        leader_id=teacher_membership.pk, competences=("3.4",), campaign_code="QWRTZK482"))
    workshop = Workshop.objects.create(
        establishment=world.establishment, school_year=world.establishment.current_year,
        topic="Classe virtuelle, mode d’emploi", domain="2",
        starts_at=timezone.now() + timedelta(days=4), minutes=90, capacity=8)
    Registration.objects.create(workshop=workshop, member=teacher_membership)
    return session, workshop


def _feed(client, user):
    feed = services.calendar_feed_renew(user=user)
    client.logout()
    response = client.get(reverse("remediation:feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return feed, icalendar.Calendar.from_ical(response.content)


def test_the_teachers_feed_has_their_session_and_workshop(scheduled, world, client):
    session, workshop = scheduled
    _feed_row, parsed = _feed(client, world.teacher)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {f"remediation-session-{session.pk}@testserver",
                           f"remediation-workshop-{workshop.pk}@testserver"}
    vevent = events[f"remediation-session-{session.pk}@testserver"]
    assert vevent.decoded("DTSTART") == session.starts_at.replace(microsecond=0)
    assert "QWRTZK482" in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "Salle info 1"


def test_the_pupils_feed_has_their_session_only(scheduled, world, client):
    session, _workshop = scheduled
    _feed_row, parsed = _feed(client, world.pupil_user)  # pupil 0, in the 3.4 group
    assert [str(e["UID"]) for e in parsed.walk("VEVENT")] == [
        f"remediation-session-{session.pk}@testserver"]


def test_a_renewed_or_revoked_link_stops_working(world, client, login):
    client = login(world.teacher)
    client.post(reverse("remediation:agenda_renew"))
    old = CalendarFeed.objects.get(user=world.teacher).token
    client.post(reverse("remediation:agenda_renew"))
    new = CalendarFeed.objects.get(user=world.teacher).token
    assert new != old and len(new) >= 40
    assert client.get(reverse("remediation:feed", args=[old])).status_code == 404
    assert client.get(reverse("remediation:feed", args=[new])).status_code == 200
    client.post(reverse("remediation:agenda_revoke"))
    assert client.get(reverse("remediation:feed", args=[new])).status_code == 404
    assert client.get(reverse("remediation:feed", args=["guess"])).status_code == 404


def test_sessions_and_workshops_in_the_year_plan(scheduled, world, login):
    session, workshop = scheduled
    html = login(world.rupn).get(reverse("progression:plan")).content.decode()
    assert reverse("remediation:session", args=[session.pk]) in html
    assert "Classe virtuelle, mode d’emploi" in html
    # a teacher who leads nothing sees the workshops but not the session
    html = login(world.other_teacher).get(reverse("progression:plan")).content.decode()
    assert reverse("remediation:session", args=[session.pk]) not in html
    assert "Classe virtuelle, mode d’emploi" in html
    # the direction sees when sessions happen, without their pages
    html = login(world.direction).get(reverse("progression:plan")).content.decode()
    assert session.group.name in html
    assert reverse("remediation:session", args=[session.pk]) not in html


def test_homes_show_sessions(scheduled, world, login):
    session, workshop = scheduled
    html = login(world.teacher).get(reverse("home")).content.decode()
    assert reverse("remediation:attendance", args=[session.pk]) in html
    assert "Classe virtuelle, mode d’emploi" in html
    html = login(world.pupil_user).get(reverse("home")).content.decode()
    assert "Mes séances d’accompagnement Pix" in html and "QWRTZK482" in html
