"""Issue 10, "exact decimals": progression's percentages and mean levels are rounded half up
on their exact value (Django's `widthratio` rounded 1 pupil of 8 to "12 %")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from establishments.models import Membership
from progression.compliance import compliance_rebuild
from progression.rules import TEMPLATES
from tests.conftest import import_fake_pupils, make_establishment, make_user
from tests.progression.helpers import at, import_profiles, make_objective, profile_row, pupils_of

MEETS = {"1.1": 1, "2.1": 1, "3.1": 1, "4.1": 1, "5.1": 2}  # level 1 in 5, one per domain


@pytest.fixture
def school(db):
    establishment = make_establishment("0170600E", "Collège Arrondi")
    import_fake_pupils(establishment, divisions=(("5A", "5e", 8),), seed=6)
    year = establishment.current_year.start_year
    make_objective(establishment, "5e", TEMPLATES["5e"].rules)
    pupils = pupils_of(establishment, "5A")
    # one pupil of 8 meets the objective: 12,5 % → "13 %"
    # 1.1 known for four: 1, 1, 1 and 2 → 5 / 4 = 1,25 → "1,3"
    import_profiles(establishment, [
        profile_row(pupils[0], MEETS, shared_at=at(year, 10, 5)),
        *(profile_row(p, {"1.1": level}, shared_at=at(year, 10, 5))
          for p, level in zip(pupils[1:4], (1, 1, 2), strict=True)),
    ])
    compliance_rebuild(establishment)
    return establishment


def test_the_overview_rounds_half_up(school, client):
    user = make_user("rupn@arrondi.fr")
    Membership.objects.create(user=user, establishment=school, role=Membership.Role.RUPN)
    client.force_login(user)

    html = client.get(reverse("progression:overview"), {"niveau": "5e"}).content.decode()

    text = re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))
    assert '<div class="stat text-success">13 %</div>' in text
    assert "(13 %)" in text and "12 %" not in text
    assert re.search(r'<th scope="row" class="sticky-name">5A</th><td[^>]*>1,3</td>', text)
