"""The counters live in the shared cache: failures counted by one process stop another.

Needs a Redis server: TEST_REDIS_URL, else CELERY_BROKER_URL when it is a redis:// URL (the
keys get a prefix of their own, so the broker's queues are never touched):

    TEST_REDIS_URL=redis://127.0.0.1:6379/12 PIXORGA_ALLOW_DEV_SECRET=1 \\
        .venv/bin/pytest tests/accounts/test_shared_counters.py -q
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches

from accounts.throttle import ACCOUNT, ADDRESS, LoginThrottled, login_attempt_start
from tests.accounts.conftest import SCHOOL, log_in, logged_in_as


def _redis_url() -> str | None:
    for name in ("TEST_REDIS_URL", "CELERY_BROKER_URL"):
        url = os.environ.get(name, "")
        if url.startswith("redis://"):
            return url
    return None


pytestmark = pytest.mark.skipif(
    _redis_url() is None, reason="needs Redis: set TEST_REDIS_URL=redis://127.0.0.1:6379/<db>"
)

ROOT = Path(__file__).resolve().parents[2]

# Another process, like another gunicorn worker: five wrong passwords for one pupil, from the
# school's address.
OTHER_PROCESS = textwrap.dedent(
    """
    import sys
    from django.conf import settings
    settings.CACHES["default"]["KEY_PREFIX"] = sys.argv[1]
    import django
    django.setup()
    from django.test import RequestFactory
    from accounts import throttle
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=sys.argv[2])
    for _ in range(5):
        throttle.login_attempt_start(request, login="lea.martin")
        throttle.login_failure_record(request, login="lea.martin")
    print("counted")
    """
)


@pytest.fixture
def redis_cache(settings):
    prefix = f"pixorga-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url(),
            "KEY_PREFIX": prefix,
        },
        # A second client with its own connection pool, to read what was written elsewhere.
        "other": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url(),
            "KEY_PREFIX": prefix,
        },
    }
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "ADDRESS_MAX_FAILURES": 5}
    yield prefix
    client = caches["default"]._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_failures_counted_in_another_process_stop_this_one(redis_cache, client, pupils):
    # given five wrong passwords for a pupil, typed through another process
    result = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, redis_cache, SCHOOL],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "CACHE_URL": _redis_url(), "LOGIN_FAILURES_PER_ADDRESS": "5",
             "DJANGO_SETTINGS_MODULE": "pixorga.settings", "PIXORGA_ALLOW_DEV_SECRET": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "counted"
    # then this process sees the account waiting, whatever the address
    with pytest.raises(LoginThrottled) as refusal:
        login_attempt_start(_request("198.51.100.20"), login="lea.martin")
    assert refusal.value.scope == ACCOUNT
    # and the school's address at its ceiling, whatever the account
    with pytest.raises(LoginThrottled) as refusal:
        login_attempt_start(_request(SCHOOL), login="hugo.bernard")
    assert refusal.value.scope == ADDRESS
    # and through the login page the right password waits too
    response = log_in(client, "lea.martin", address="198.51.100.20")
    assert "Trop d’essais pour ce compte" in response.content.decode()
    assert logged_in_as(client) is None


def test_two_cache_connections_share_one_count(redis_cache):
    # given failures counted through one connection
    for _ in range(5):
        login_attempt_start(_request("198.51.100.30"), login="Hugo.Bernard")
    # then a separate connection reads the same state
    other = caches["other"]
    keys = [key for key in _keys(redis_cache) if ":account:" in key and not key.endswith("lock")]
    assert len(keys) == 1
    state = other.get(keys[0].split(":", 2)[2])
    assert state["failures"] == 5


def _keys(prefix: str) -> list[str]:
    client = caches["default"]._cache.get_client()
    return [key.decode() for key in client.scan_iter(match=f"{prefix}:*")]


def _request(address: str):
    from django.test import RequestFactory

    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
