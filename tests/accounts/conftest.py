from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts import throttle
from tests.conftest import PASSWORD, make_user

SCHOOL = "203.0.113.10"  # one address for a whole school: its NAT


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The throttle's time, moved forward by the test instead of waited for."""
    clock = Clock()
    monkeypatch.setattr(throttle, "_now", lambda: clock.now)
    return clock


@pytest.fixture
def pupils(db):
    """Two pupils of one school, who log in from the same address."""
    return make_user("lea.martin", email=""), make_user("hugo.bernard", email="")


def log_in(client, login: str, password: str = PASSWORD, *, address: str = SCHOOL,
           path: str = "/accounts/login/", **headers):
    return client.post(path, {"login": login, "password": password},
                       REMOTE_ADDR=address, **headers)


def logged_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return str(user_id) if user_id else None
