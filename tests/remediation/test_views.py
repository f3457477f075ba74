"""The RUPN's path through the pages, from the rentrée results to validated groups and their
sessions, then the teacher's roll call with and without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from remediation.models import Attendance, Group, Period, Session


def test_from_results_to_groups_and_sessions(world, rentree, fifth, room, login,
                                             teacher_membership):
    client = login(world.rupn)
    needs = client.get(reverse("remediation:needs"), {"niveau": "5e"})
    html = needs.content.decode()
    assert needs.status_code == 200
    assert "Parcours de rentrée 5e" in html
    # 8 below 50 % somewhere; 2 never sent (one started)
    assert re.search(r'<div class="stat">8</div><div class="small">sous le seuil', html)
    assert re.search(r'<div class="stat">2</div><div class="small">aucun résultat', html)
    propose = reverse("remediation:period_propose")
    assert f"{propose}?niveau=5e&amp;source={rentree.pk}&amp;seuil=50" in html

    form = client.get(propose, {"niveau": "5e", "source": rentree.pk, "seuil": "50"})
    assert form.status_code == 200
    today = timezone.localdate()
    response = client.post(propose, {
        "grade": "5e", "source": str(rentree.pk), "threshold": "50", "max_group_size": "15",
        "name": "Remédiation 5e — rentrée", "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(weeks=6)).isoformat(),
    })
    period = Period.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "remediation:period", args=[period.pk])
    assert period.groups.count() == 2

    page = client.get(response["Location"]).content.decode()
    assert "5e · 3.4 Programmer" in page and "Parcours thématique — Programmer" in page
    assert "25\u202f%" in page  # a pupil's mastery shown beside their name
    group = period.groups.get(competences=["3.4"])
    client.post(reverse("remediation:group_leader", args=[group.pk]),
                {f"g{group.pk}-leader": teacher_membership.pk})
    client.post(reverse("remediation:period_validate", args=[period.pk]))
    group.refresh_from_db()
    assert group.leader == teacher_membership and group.status == Group.Status.VALIDATED

    day = today + timedelta(days=7)
    response = client.post(reverse("remediation:session_create", args=[group.pk]), {
        "day": day.isoformat(), "start": "13:30", "minutes": "55", "weeks": "3",
        "room": room.pk, "leader": teacher_membership.pk, "competences": ["3.4"],
        "campaign_code": "qwrtzk482", "notes": "",
    })
    assert response.status_code == 302
    sessions = list(Session.objects.order_by("starts_at"))
    assert len(sessions) == 3 and sessions[0].campaign_code == "QWRTZK482"
    assert timezone.localtime(sessions[0].starts_at).strftime("%H:%M") == "13:30"


def test_needs_filters(world, rentree, fifth, login):
    client = login(world.rupn)
    html = client.get(reverse("remediation:needs"),
                      {"niveau": "5e", "competence": "3.4"}).content.decode()
    listed = {p.pk for p in fifth if reverse("pupils:detail", args=[p.pk]) in html}
    assert listed == {p.pk for p in fifth[:4]}
    html = client.get(reverse("remediation:needs"),
                      {"niveau": "5e", "motif": "never_shared"}).content.decode()
    listed = {p.pk for p in fifth if reverse("pupils:detail", args=[p.pk]) in html}
    assert listed == {fifth[10].pk, fifth[11].pk}
    assert "a commencé sans envoyer" in html
    html = client.get(reverse("remediation:needs"),
                      {"niveau": "5e", "seuil": "80"}).content.decode()
    listed = {p.pk for p in fifth if reverse("pupils:detail", args=[p.pk]) in html}
    assert listed == {p.pk for p in fifth[:8]} | {fifth[10].pk, fifth[11].pk}


def _session(period, world, teacher_membership):
    from remediation import services

    group = period.groups.get(competences=["3.4"])
    services.group_validate(group=group, by=world.rupn)
    (session,) = services.sessions_plan(group=group, plan=services.SessionPlan(
        starts_at=timezone.now(), minutes=55, room_id=None, leader_id=teacher_membership.pk,
        competences=("3.4",)))
    return session


def test_roll_call_with_javascript(period, world, fifth, login, teacher_membership):
    session = _session(period, world, teacher_membership)
    client = login(world.teacher)
    url = reverse("remediation:attendance", args=[session.pk])
    page = client.get(url).content.decode()
    assert page.count('class="btn-check"') == 8  # present and absent for 4 pupils
    headers = {"X-Requested-With": "fetch", "Accept": "application/json"}
    response = client.post(url, {"pupil": fifth[0].pk, "present": "1"}, headers=headers)
    assert response.json() == {"ok": True, "present": 1, "absent": 0, "total": 4}
    response = client.post(url, {"pupil": fifth[1].pk, "present": "0"}, headers=headers)
    assert response.json()["absent"] == 1
    response = client.post(url, {"pupil": fifth[9].pk, "present": "1"}, headers=headers)
    assert response.status_code == 400 and not response.json()["ok"]
    response = client.post(url, {"pupil": "0", "notes": "Salle trop chaude"}, headers=headers)
    session.refresh_from_db()
    assert session.notes == "Salle trop chaude"


def test_roll_call_without_javascript(period, world, fifth, login, teacher_membership):
    session = _session(period, world, teacher_membership)
    client = login(world.teacher)
    url = reverse("remediation:attendance", args=[session.pk])
    response = client.post(url, {f"p{fifth[0].pk}": "1", f"p{fifth[1].pk}": "0",
                                 f"p{fifth[2].pk}": "1", "notes": "RAS"})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("pupil_id", "present")) == {
        fifth[0].pk: True, fifth[1].pk: False, fifth[2].pk: True}
    page = client.get(url).content.decode()
    assert f'id="p{fifth[0].pk}-1" value="1" autocomplete="off" checked' in page
    assert "2 présents · 1 absents · 4 élèves" in page
