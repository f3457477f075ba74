"""Who may see what, for every progression URL (domain.md §3): RUPN and direction the whole
establishment, teachers their classes, a pupil only themselves, nobody another
establishment (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from progression.compliance import compliance_rebuild
from progression.models import ChecklistTick
from progression.rules import TEMPLATES
from tests.progression.helpers import at, import_profiles, make_objective, profile_row, pupils_of

ROLES = ("rupn", "direction", "teacher", "pupil", "outsider")


@pytest.fixture
def progression_world(world):
    est = world.establishment
    objective = make_objective(est, "5e", TEMPLATES["5e"].rules, name="Objectif de 5e")
    year = est.current_year.start_year
    import_profiles(est, [
        profile_row(p, {"1.1": 1}, shared_at=at(year, 10, 3))
        for p in pupils_of(est, "5A")[:2] + pupils_of(est, "5B")[:2]
    ])
    compliance_rebuild(est)
    world.objective = objective
    return world


# (url name, args, method, expected status by role)
OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
MATRIX = [
    ("overview", (), "get", {"rupn": OK, "direction": OK, "teacher": OK, "pupil": FORBIDDEN,
                             "outsider": OK}),
    ("rebuild", (), "post", {"rupn": REDIRECT, "direction": FORBIDDEN, "teacher": FORBIDDEN,
                             "pupil": FORBIDDEN, "outsider": REDIRECT}),
    ("objectives", (), "get", {"rupn": OK, "direction": OK, "teacher": OK, "pupil": FORBIDDEN,
                               "outsider": OK}),
    ("apply_templates", (), "post", {"rupn": REDIRECT, "direction": FORBIDDEN,
                                     "teacher": FORBIDDEN, "pupil": FORBIDDEN,
                                     "outsider": REDIRECT}),
    ("objective_create", (), "get", {"rupn": OK, "direction": FORBIDDEN, "teacher": FORBIDDEN,
                                     "pupil": FORBIDDEN, "outsider": OK}),
    ("objective_edit", ("objective",), "get", {"rupn": OK, "direction": FORBIDDEN,
                                               "teacher": FORBIDDEN, "pupil": FORBIDDEN,
                                               "outsider": NOT_FOUND}),
    ("objective_delete", ("objective",), "post", {"rupn": REDIRECT, "direction": FORBIDDEN,
                                                  "teacher": FORBIDDEN, "pupil": FORBIDDEN,
                                                  "outsider": NOT_FOUND}),
    ("pupils", (), "get", {"rupn": OK, "direction": OK, "teacher": OK, "pupil": FORBIDDEN,
                           "outsider": OK}),
    ("pupils_csv", (), "get", {"rupn": OK, "direction": OK, "teacher": OK, "pupil": FORBIDDEN,
                               "outsider": OK}),
    ("comparison", (), "get", {"rupn": OK, "direction": OK, "teacher": FORBIDDEN,
                               "pupil": FORBIDDEN, "outsider": OK}),
    ("plan", (), "get", {"rupn": OK, "direction": OK, "teacher": OK, "pupil": FORBIDDEN,
                         "outsider": OK}),
    ("checklist", (), "get", {"rupn": OK, "direction": OK, "teacher": FORBIDDEN,
                              "pupil": FORBIDDEN, "outsider": OK}),
    ("checklist_tick", ("teachers_informed",), "post", {
        "rupn": REDIRECT, "direction": FORBIDDEN, "teacher": FORBIDDEN, "pupil": FORBIDDEN,
        "outsider": REDIRECT}),
    ("year_open", (), "get", {"rupn": OK, "direction": FORBIDDEN, "teacher": FORBIDDEN,
                              "pupil": FORBIDDEN, "outsider": OK}),
]


def _url(world, name, args):
    values = [world.objective.pk if a == "objective" else a for a in args]
    return reverse(f"progression:{name}", args=values)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "method", "expected"), MATRIX,
                         ids=[m[0] for m in MATRIX])
def test_every_url_by_role(progression_world, login, role, name, args, method, expected):
    client = login(progression_world.member(role))

    response = getattr(client, method)(_url(progression_world, name, args))

    assert response.status_code == expected[role]


@pytest.mark.parametrize(("name", "args", "method", "expected"), MATRIX,
                         ids=[m[0] for m in MATRIX])
def test_anonymous_is_sent_to_login(progression_world, client, name, args, method, expected):
    response = getattr(client, method)(_url(progression_world, name, args))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_checklist_step_is_404(progression_world, login):
    client = login(progression_world.rupn)

    response = client.post(reverse("progression:checklist_tick", args=["pupils_imported"]))

    assert response.status_code == 404
    assert not ChecklistTick.objects.exists()


def test_teacher_sees_only_their_classes(progression_world, login):
    w = progression_world
    client = login(w.teacher)
    taught, untaught = pupils_of(w.establishment, "5A"), pupils_of(w.establishment, "5B")

    page = client.get(reverse("progression:pupils"), {"status": "all"}).content.decode()
    csv = client.get(reverse("progression:pupils_csv"), {"status": "all"}).content.decode()
    overview = client.get(reverse("progression:overview")).content.decode()

    for text in (page, csv):
        assert taught[0].ine in text or taught[0].first_name in text
        assert untaught[0].ine not in text
    assert ">5A<" in overview and ">5B<" not in overview


def test_outsider_sees_nothing_of_another_establishment(progression_world, login):
    w = progression_world
    client = login(w.outsider)

    for name in ("overview", "pupils", "objectives", "comparison", "plan", "checklist"):
        text = client.get(reverse(f"progression:{name}"), {"status": "all"}).content.decode()
        assert w.pupil.ine not in text and w.pupil.last_name not in text
        assert "Objectif de 5e" not in text
    csv = client.get(reverse("progression:pupils_csv"), {"status": "all"}).content.decode()
    assert csv.count("\n") == 1  # the header only


def test_pupil_page_shows_the_timeline_to_who_may_see_the_pupil(progression_world, login):
    w = progression_world
    url = reverse("pupils:detail", args=[w.pupil.pk])

    for role, status in (("rupn", 200), ("teacher", 200), ("pupil", 200), ("outsider", 404)):
        response = login(w.member(role)).get(url)
        assert response.status_code == status
        if status == 200:
            assert "Année après année" in response.content.decode()
    other = pupils_of(w.establishment, "5B")[0]
    assert login(w.teacher).get(reverse("pupils:detail", args=[other.pk])).status_code == 404
    assert login(w.pupil_user).get(reverse("pupils:detail", args=[other.pk])).status_code == 404


def test_pupil_home_shows_their_space(progression_world, login):
    response = login(progression_world.pupil_user).get(reverse("home"))

    text = response.content.decode()
    assert "Ton objectif de" in text
    assert "Il te manque" in text
