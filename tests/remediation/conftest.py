"""The remediation world, on top of the shared `world`: the twelve 5e pupils (5A then 5B, the
teacher teaches 5A), a rentrée assessment with values chosen pupil by pupil, a room, and a
period proposed from that assessment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from certification.models import Room
from establishments.models import Membership
from remediation import services
from remediation.selectors import Source
from tests.remediation.helpers import import_mastery, pupils_of, when

CODES = ("1.1", "3.4", "4.2")


@pytest.fixture
def fifth(world):
    """5A's six pupils then 5B's; world.pupil (with an account) is the first."""
    pupils = pupils_of(world.establishment, "5A") + pupils_of(world.establishment, "5B")
    assert pupils[0] == world.pupil
    return pupils


@pytest.fixture
def rentree(world, fifth):
    """Pupils 0–3 weak in 3.4 (25 %), 4–7 weak in 1.1 (25 %), 8–9 fine, 10 started without
    sending, 11 never started."""
    results = {}
    for index, pupil in enumerate(fifth[:11]):
        if index < 4:
            results[pupil] = {"1.1": (4, 3), "3.4": (4, 1), "4.2": (4, 3)}
        elif index < 8:
            results[pupil] = {"1.1": (4, 1), "3.4": (4, 3), "4.2": (4, 2)}
        elif index < 10:
            results[pupil] = {"1.1": (4, 4), "3.4": (4, 4), "4.2": (4, 4)}
        else:
            results[pupil] = None
    return import_mastery(world.establishment, results, codes=CODES,
                          shared_at=when(9, 20), name="Parcours de rentrée 5e")


@pytest.fixture
def room(world):
    return Room.objects.create(establishment=world.establishment, name="Salle info 1",
                               computers=16)


@pytest.fixture
def teacher_membership(world):
    return Membership.objects.get(user=world.teacher, establishment=world.establishment)


@pytest.fixture
def period(world, rentree):
    today = timezone.localdate()
    return services.period_propose(
        establishment=world.establishment, by=world.rupn, grade="5e",
        name="Remédiation 5e", starts_on=today, ends_on=today + timedelta(weeks=6),
        source=Source(rentree), threshold=0.5, max_group_size=15,
    )


def groups_of(period):
    return {g.competences[0]: g for g in period.groups.all()}
