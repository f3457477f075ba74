"""Who may open what in the certification planning: every URL of the planning and documents ×
every role.

The RUPN plans; the direction reads; a teacher opens the sessions they invigilate (another
session is a 404) and their schedule; a pupil their own convocation. Another establishment's
ids answer 404; a role that may not act answers 403; anonymous visitors go to the login page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from certification import results_urls
from certification import urls as certification_urls
from tests.certification.planning_world import build_planned
from tests.conftest import make_user

ROLES = ("anonymous", "rupn", "direction", "teacher", "other_teacher", "pupil", "outsider",
         "nomember")


@pytest.fixture
def planned(world):
    return build_planned(world)


def client_as(client, world, planned, role):
    if role == "nomember":
        client.force_login(make_user("nobody@test.fr"))
    elif role == "pupil":  # a 3A candidate, placed in the session
        client.force_login(planned.pupil_user)
    elif role == "other_teacher":  # a teacher who invigilates nothing
        client.force_login(world.other_teacher)
    elif role != "anonymous":
        client.force_login(world.member(role))
    return client


def args_of(planned, keys):
    values = {
        "candidate": planned.candidate.pk, "room": planned.room.pk,
        "availability": planned.availability.pk, "session": planned.session.pk,
        "other_candidate": planned.other_candidate.pk, "other_room": planned.other_room.pk,
        "other_availability": planned.other_availability.pk,
        "other_session": planned.other_session.pk,
    }
    return [values[key] for key in keys]


L = "login"
# url name, method, arguments, then the expected status for each of ROLES:
#  anonymous, rupn, direction, teacher, other_teacher, pupil, outsider, nomember
TABLE = [
    ("plan", "get", (), [L, 200, 200, 403, 403, 403, 200, 403]),
    ("plan_start", "post", (), [L, 302, 403, 403, 403, 403, 302, 403]),
    ("plan_settings", "get", (), [L, 200, 403, 403, 403, 403, 200, 403]),
    ("candidates", "get", (), [L, 200, 200, 403, 403, 403, 200, 403]),
    ("candidates_refresh", "post", (), [L, 302, 403, 403, 403, 403, 302, 403]),
    ("candidate_extra_time", "post", ("candidate",), [L, 302, 403, 403, 403, 403, 404, 403]),
    ("candidate_move", "post", ("candidate",), [L, 302, 403, 403, 403, 403, 404, 403]),
    ("rooms", "get", (), [L, 200, 200, 403, 403, 403, 200, 403]),
    ("room_edit", "get", ("room",), [L, 200, 403, 403, 403, 403, 404, 403]),
    ("room_delete", "post", ("room",), [L, 302, 403, 403, 403, 403, 404, 403]),
    ("availabilities", "get", (), [L, 200, 200, 403, 403, 403, 200, 403]),
    ("availability_delete", "post", ("availability",),
     [L, 302, 403, 403, 403, 403, 404, 403]),
    ("proposal", "get", (), [L, 200, 403, 403, 403, 403, 200, 403]),
    ("session_create", "get", (), [L, 200, 403, 403, 403, 403, 200, 403]),
    ("session", "get", ("session",), [L, 200, 200, 200, 404, 403, 404, 403]),
    ("session_edit", "get", ("session",), [L, 200, 403, 403, 403, 403, 404, 403]),
    ("session_delete", "post", ("session",), [L, 302, 403, 403, 403, 403, 404, 403]),
    ("session_add_candidates", "post", ("session",), [L, 302, 403, 403, 403, 403, 404, 403]),
    ("documents", "get", (), [L, 200, 200, 403, 403, 403, 200, 403]),
    ("session_candidates_csv", "get", ("session",), [L, 200, 200, 403, 403, 403, 404, 403]),
    ("session_candidates_xlsx", "get", ("session",), [L, 200, 200, 403, 403, 403, 404, 403]),
    ("attendance_sheet", "get", ("session",), [L, 200, 200, 200, 404, 403, 404, 403]),
    ("convocations", "get", (), [L, 200, 200, 403, 403, 403, 200, 403]),
    ("convocations_pdf", "get", (), [L, 200, 200, 403, 403, 403, 200, 403]),
    ("invigilation", "get", (), [L, 200, 200, 200, 200, 403, 200, 403]),
    ("invigilation_pdf", "get", (), [L, 200, 200, 200, 200, 403, 200, 403]),
    ("my_convocation", "get", (), [L, 403, 403, 403, 403, 200, 403, 403]),
    ("my_convocation_pdf", "get", (), [L, 403, 403, 403, 403, 200, 403, 403]),
]
# The same object of the outsider's establishment, for the roles of the world's: never seen.
FOREIGN = [
    ("candidate_extra_time", "post", ("other_candidate",)),
    ("candidate_move", "post", ("other_candidate",)),
    ("room_edit", "get", ("other_room",)),
    ("room_delete", "post", ("other_room",)),
    ("availability_delete", "post", ("other_availability",)),
    ("session", "get", ("other_session",)),
    ("session_edit", "get", ("other_session",)),
    ("session_delete", "post", ("other_session",)),
    ("session_add_candidates", "post", ("other_session",)),
    ("session_candidates_csv", "get", ("other_session",)),
    ("session_candidates_xlsx", "get", ("other_session",)),
    ("attendance_sheet", "get", ("other_session",)),
]


def test_the_table_covers_every_planning_url():
    results = {p.name for p in results_urls.urlpatterns}
    names = {p.name for p in certification_urls.urlpatterns if getattr(p, "name", None)}
    assert {row[0] for row in TABLE} == names - results


CASES = [
    pytest.param(name, method, keys, role, expected, id=f"{name}-{role}")
    for name, method, keys, statuses in TABLE
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("name", "method", "keys", "role", "expected"), CASES)
def test_access(client, world, planned, name, method, keys, role, expected):
    client = client_as(client, world, planned, role)
    url = reverse(f"certification:{name}", args=args_of(planned, keys))
    data = {"percent": "33", "session": "aucune",
            "candidates": [planned.candidate.pk]} if method == "post" else None
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize(("name", "method", "keys"), FOREIGN)
@pytest.mark.parametrize("role", ["rupn", "direction", "teacher"])
def test_another_establishments_objects_are_not_found(client, world, planned, name, method,
                                                      keys, role):
    client = client_as(client, world, planned, role)
    response = getattr(client, method)(reverse(f"certification:{name}",
                                               args=args_of(planned, keys)))
    # the RUPN gets 404; the others may not act at all (403) or do not see it (404)
    assert response.status_code in ((404,) if role == "rupn" else (403, 404))
    if role == "rupn" or name in ("session", "attendance_sheet"):
        assert response.status_code == 404


def test_a_teacher_sees_only_their_sessions_in_their_schedule(client, world, planned):
    other = client_as(client, world, planned, "other_teacher")
    page = other.get(reverse("certification:invigilation")).content.decode()
    assert "Vous n’avez aucune surveillance" in page
    client.force_login(world.teacher)
    page = client.get(reverse("certification:invigilation")).content.decode()
    assert reverse("certification:session", args=[planned.session.pk]) in page
    assert "Mes surveillances" in page


def test_the_direction_reads_the_plan_without_edit_controls(client, world, planned):
    client.force_login(world.direction)
    plan_page = client.get(reverse("certification:plan")).content.decode()
    session_page = client.get(reverse("certification:session",
                                      args=[planned.session.pk])).content.decode()
    for page in (plan_page, session_page):
        assert reverse("certification:proposal") not in page
        assert reverse("certification:session_edit", args=[planned.session.pk]) not in page
        assert 'name="percent"' not in page and 'name="session"' not in page


def test_the_direction_cannot_post_a_room_or_an_availability(client, world, planned):
    client.force_login(world.direction)
    room = client.post(reverse("certification:rooms"), {"name": "X", "computers": 3})
    slot = client.post(reverse("certification:availabilities"), {})
    assert (room.status_code, slot.status_code) == (403, 403)
