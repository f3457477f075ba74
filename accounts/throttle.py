"""Login throttling that slows a password guesser without locking a school out.

Two counters, both in the shared cache (Redis in production, the database cache by default),
so that every gunicorn worker and every server sees the same figures:

- per account (the login as typed, lower-cased): the first failures are free, then each
  attempt waits for a short back-off (1, 2, 4, then at most 5 minutes). Anyone can type a
  pupil's predictable login, so the back-off has to stay short: it slows a guesser to a dozen
  passwords an hour without keeping the owner out for more than a few minutes.
- per address: a high ceiling of failures in a sliding window. A school's pupils all come from
  one address (its NAT), so this ceiling is set for a whole school mistyping at the start of a
  lesson; it only stops someone trying many accounts from one place.

An attempt refused by the throttle checks no password and counts nothing. Both logins (the
site's and the Django admin's, which redirects to it) go through `accounts.adapter`, the only
caller of this module.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.translation import ngettext
from redis.exceptions import RedisError

from .client_ip import client_network

logger = logging.getLogger(__name__)

ACCOUNT = "account"
ADDRESS = "address"
_BUCKET_SECONDS = 60
_LOCK_WAIT_SECONDS = 1.0
# What an unreachable cache raises: Redis, or the database cache's table.
_CACHE_DOWN = (RedisError, DatabaseError, OSError)


class LoginThrottled(Exception):  # noqa: N818 - a refusal, not an error of ours
    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(scope, retry_after)
        self.scope = scope  # ACCOUNT or ADDRESS
        self.retry_after = retry_after  # seconds

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        if self.scope == ACCOUNT:
            text = ngettext(
                "Trop d’essais pour ce compte. Réessayez dans %(minutes)d minute.",
                "Trop d’essais pour ce compte. Réessayez dans %(minutes)d minutes.",
                minutes,
            )
        else:
            text = ngettext(
                "Trop d’essais de connexion depuis votre réseau. "
                "Réessayez dans %(minutes)d minute.",
                "Trop d’essais de connexion depuis votre réseau. "
                "Réessayez dans %(minutes)d minutes.",
                minutes,
            )
        return text % {"minutes": minutes}


def login_attempt_start(request: HttpRequest, *, login: str) -> None:
    """Raises LoginThrottled when this attempt may not check a password now.

    The attempt is counted against the account before the password is checked, and given
    back on success: a burst of parallel guesses cannot all slip in before the first failure
    is recorded.
    """
    try:
        _address_check(client_network(request))
        _account_reserve(_account_key(login))
    except _CACHE_DOWN:
        # The cache is down: logins keep working (a school cannot stop for a cache outage);
        # the error log says that throttling is off meanwhile.
        logger.exception("login throttle unavailable, attempt not counted")


def login_failure_record(request: HttpRequest, *, login: str) -> None:
    """Counts a failed attempt against the client's address (the account's is already)."""
    key = _address_key(client_network(request), int(_now() // _BUCKET_SECONDS))
    try:
        # add-then-incr: incr is atomic on Redis, and add never resets a running count. The
        # database cache's incr rewrites the row with the default timeout (5 minutes, shorter
        # than the window): touch sets it back.
        timeout = _config("ADDRESS_WINDOW_SECONDS") + _BUCKET_SECONDS
        cache.add(key, 0, timeout=timeout)
        cache.incr(key)
        cache.touch(key, timeout=timeout)
    except _CACHE_DOWN:
        logger.exception("login throttle unavailable, failure not counted")


def login_success_record(request: HttpRequest, *, login: str) -> None:
    """The owner is in: their account's failures are forgotten (not the address's)."""
    try:
        cache.delete(_account_key(login))
    except _CACHE_DOWN:
        logger.exception("login throttle unavailable")


def _account_reserve(key: str) -> None:
    now = _now()
    with _cache_lock(key) as locked:
        if not locked:  # another attempt on this account is being counted right now
            raise LoginThrottled(ACCOUNT, _config("ACCOUNT_BACKOFF_SECONDS")[0])
        state = cache.get(key) or {"failures": 0, "until": 0.0}
        if state["until"] > now:
            raise LoginThrottled(ACCOUNT, math.ceil(state["until"] - now))
        state["failures"] += 1
        free = _config("ACCOUNT_FREE_FAILURES")
        if state["failures"] >= free:
            # Set before the password is checked, so that attempts arriving meanwhile wait.
            state["until"] = now + _backoff(state["failures"] - free)
        cache.set(key, state, timeout=_config("ACCOUNT_MEMORY_SECONDS"))


def _backoff(step: int) -> int:
    steps = _config("ACCOUNT_BACKOFF_SECONDS")
    return steps[min(step, len(steps) - 1)]


def _address_check(network: str) -> None:
    now = _now()
    window = _config("ADDRESS_WINDOW_SECONDS")
    current = int(now // _BUCKET_SECONDS)
    buckets = list(range(current - window // _BUCKET_SECONDS + 1, current + 1))
    counts = cache.get_many([_address_key(network, b) for b in buckets])
    per_bucket = [(b, counts.get(_address_key(network, b), 0)) for b in buckets]
    total = sum(count for _, count in per_bucket)
    ceiling = _config("ADDRESS_MAX_FAILURES")
    if total < ceiling:
        return
    # Wait until enough of the oldest minutes have left the window to go below the ceiling.
    for bucket, count in per_bucket:
        total -= count
        if total < ceiling:
            leaves_at = bucket * _BUCKET_SECONDS + window
            raise LoginThrottled(ADDRESS, max(1, math.ceil(leaves_at - now)))


def _account_key(login: str) -> str:
    # Hashed: the cache holds no login of a pupil, and any length or character is a valid key.
    digest = hashlib.sha256(login.strip().lower().encode()).hexdigest()
    return f"login-throttle:account:{digest}"


def _address_key(network: str, bucket: int) -> str:
    return f"login-throttle:address:{network}:{bucket}"


@contextmanager
def _cache_lock(key: str) -> Iterator[bool]:
    lock = f"{key}:lock"
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    while not cache.add(lock, 1, timeout=10):
        if time.monotonic() > deadline:
            yield False
            return
        time.sleep(0.01)
    try:
        yield True
    finally:
        cache.delete(lock)


def _config(name: str):
    return settings.LOGIN_THROTTLE[name]


def _now() -> float:
    return time.time()
