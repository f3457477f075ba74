"""A teacher takes attendance on a phone (390 × 844): from their home to the roll call, each tap
saved without reloading, the state still there after a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo.builder import DEMO_PASSWORD, DEMO_UAI, build_demo
from establishments.models import Establishment, Membership, Pupil
from remediation import services
from remediation.models import Attendance, Group, GroupMember, Period
from tests.e2e.conftest import VIEWPORTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEACHER = "prof1@demo.pixorga.fr"


@pytest.fixture
def session():
    """The demo collège (small) with a validated group of 5A pupils (five or six), led by
    prof1, whose session starts in ten minutes."""
    build_demo(classes_per_grade=1, pupils_per_class=8, teachers=3)
    establishment = Establishment.objects.get(uai=DEMO_UAI)
    teacher = Membership.objects.get(user__username=TEACHER)
    today = timezone.localdate()
    period = Period.objects.create(
        establishment=establishment, school_year=establishment.current_year, grade="5e",
        name="Remédiation 5e", starts_on=today, ends_on=today + timedelta(weeks=4),
        measure=Period.Measure.MASTERY)
    group = Group.objects.create(period=period, name="5e · 3.4 Programmer",
                                 competences=["3.4"], leader=teacher,
                                 parcours="Parcours thématique — Programmer")
    pupils = Pupil.objects.filter(establishment=establishment,
                                  enrolments__school_class__code="5A").order_by(
        "last_name", "first_name")[:6]
    GroupMember.objects.bulk_create(GroupMember(group=group, period=period, pupil=p)
                                    for p in pupils)
    services.group_validate(group=group, by=teacher.user)
    (created,) = services.sessions_plan(group=group, plan=services.SessionPlan(
        starts_at=timezone.now() + timedelta(minutes=10), minutes=55, room_id=None,
        leader_id=teacher.pk, competences=("3.4",), campaign_code="PROGRA123"))
    return created


def test_teacher_takes_attendance_on_a_phone(page, live_server, log_in, artifacts, session):
    page.set_viewport_size(VIEWPORTS["phone"])
    log_in(TEACHER, DEMO_PASSWORD)

    # from the home page, the session to lead and its roll call
    section = page.get_by_role("region", name="Accompagnement Pix")
    expect(section).to_contain_text("5e · 3.4 Programmer")
    section.get_by_role("link", name="Faire l’appel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appel")

    count = session.group.members.count()
    assert count >= 5
    rows = page.locator(".roll-row")
    expect(rows).to_have_count(count)
    first_present = rows.nth(0).get_by_text("Présent", exact=True)
    box = first_present.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a thumb's target
    assert box["x"] + box["width"] <= VIEWPORTS["phone"]["width"]  # nothing off screen

    # everyone present, then two absent: each tap saved at once
    page.get_by_role("button", name="Tous présents").click()
    expect(page.locator("#roll-count")).to_contain_text(f"{count} présents · 0 absents")
    for index in (2, 4):
        rows.nth(index).get_by_text("Absent", exact=True).click()
    expect(page.locator("#roll-count")).to_contain_text(f"{count - 2} présents · 2 absents")
    expect(rows.nth(4).locator(".roll-saved")).to_contain_text("Enregistré")
    page.fill("#id_notes", "Deux élèves en sortie scolaire.")
    page.locator("#id_notes").blur()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / "attendance-phone.png"), full_page=True)

    marks = dict(Attendance.objects.filter(session=session).values_list("pupil_id", "present"))
    assert sorted(marks.values()) == [False, False] + [True] * (count - 2)
    session.refresh_from_db()
    assert session.notes == "Deux élèves en sortie scolaire."

    # the state is the same after a reload
    page.reload()
    expect(rows.nth(2).locator("input[value='0']")).to_be_checked()
    expect(rows.nth(0).locator("input[value='1']")).to_be_checked()
    expect(page.locator("#roll-count")).to_contain_text(f"{count - 2} présents · 2 absents")
