"""Pages read the stored compliance: their number of queries does not grow with pupils."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from establishments.models import Membership, Pupil, SchoolClass
from progression.compliance import compliance_rebuild
from progression.rules import TEMPLATES
from tests.conftest import import_fake_pupils, make_establishment, make_user
from tests.progression.helpers import at, import_profiles, make_objective, profile_row

User = get_user_model()


def _school(uai: str, per_class: int, seed: int):
    est = make_establishment(uai, f"Collège {uai}")
    import_fake_pupils(est, (("5A", "5e", per_class), ("5B", "5e", per_class),
                             ("3A", "3e", per_class), ("3B", "3e", per_class)), seed=seed)
    for grade in ("5e", "3e"):
        make_objective(est, grade, TEMPLATES[grade].rules)
    year = est.current_year.start_year
    pupils = list(Pupil.objects.filter(establishment=est).order_by("pk"))
    import_profiles(est, [
        profile_row(p, {"1.1": i % 3, "2.1": 1, "3.4": i % 2}, shared_at=at(year, 10, 2))
        for i, p in enumerate(pupils)
    ])
    compliance_rebuild(est)
    rupn = make_user(f"rupn@{uai}.fr")
    Membership.objects.create(user=rupn, establishment=est, role=Membership.Role.RUPN)
    teacher = make_user(f"prof@{uai}.fr")
    membership = Membership.objects.create(user=teacher, establishment=est,
                                           role=Membership.Role.TEACHER)
    membership.taught_classes.set(SchoolClass.objects.filter(establishment=est,
                                                             code__in=("5A", "3A")))
    pupil = pupils[0]
    pupil_user = make_user(f"eleve@{uai}.fr")
    pupil.user = pupil_user
    pupil.save(update_fields=["user"])
    Membership.objects.create(user=pupil_user, establishment=est, role=Membership.Role.PUPIL)
    return {"rupn": rupn, "teacher": teacher, "pupil": pupil_user, "pupil_id": pupil.pk}


PAGES = [
    ("rupn", "progression:overview", {}),
    ("rupn", "progression:overview", {"niveau": "3e"}),
    ("teacher", "progression:overview", {}),
    ("rupn", "progression:pupils", {"status": "all"}),
    ("teacher", "progression:pupils", {"status": "all"}),
    ("rupn", "progression:pupils", {"competence": "3.4", "niveau": "5e"}),
    ("rupn", "progression:comparison", {}),
    ("rupn", "progression:plan", {}),
    ("rupn", "progression:checklist", {}),
    ("rupn", "progression:objectives", {}),
    ("pupil", "home", {}),
    ("rupn", "pupil_detail", {}),
]


def _count(client, user, name, params, pupil_id) -> int:
    client.force_login(user)
    url = (reverse("pupils:detail", args=[pupil_id]) if name == "pupil_detail"
           else reverse(name))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("role", "name", "params"), PAGES,
                         ids=[f"{r}-{n.split(':')[-1]}-{'-'.join(p)}" for r, n, p in PAGES])
def test_queries_do_not_grow_with_pupils(db, client, role, name, params):
    small = _school("0170001A", 3, seed=11)
    large = _school("0170002B", 30, seed=12)

    few = _count(client, small[role], name, params, small["pupil_id"])
    many = _count(client, large[role], name, params, large["pupil_id"])

    assert many == few
    assert many <= 40
