"""Login throttling through the real login page: per account and per address, shared cache."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts import throttle
from accounts.throttle import (
    LoginThrottled,
    _address_key,
    login_attempt_start,
    login_failure_record,
)
from tests.accounts.conftest import SCHOOL, log_in, logged_in_as
from tests.conftest import PASSWORD

ACCOUNT_WAIT_1 = "Trop d’essais pour ce compte. Réessayez dans 1 minute."
ACCOUNT_WAIT_2 = "Trop d’essais pour ce compte. Réessayez dans 2 minutes."
NETWORK_WAIT = "Trop d’essais de connexion depuis votre réseau."


def test_twenty_failures_behind_one_address_do_not_stop_a_classmate(client, pupils, clock):
    # given a pupil whose login was tried 20 times with wrong passwords, and 20 made-up logins,
    # all from the school's single address
    lea, hugo = pupils
    for attempt in range(20):
        assert log_in(client, "lea.martin", f"wrong-{attempt}").status_code == 200
        assert log_in(client, f"eleve.{attempt}", "wrong").status_code == 200
    # when a classmate logs in from the same address with the right password
    response = log_in(client, "hugo.bernard")
    # then they are in
    assert response.status_code == 302
    assert logged_in_as(client) == str(hugo.pk)


def test_the_owner_waits_a_short_back_off_then_gets_in(client, pupils, clock):
    # given five wrong passwords for one account
    lea, _ = pupils
    for attempt in range(5):
        log_in(client, "lea.martin", f"wrong-{attempt}")
    # when the owner types the right one at once
    response = log_in(client, "lea.martin")
    # then it is refused with a French message saying when to retry
    assert response.status_code == 200
    assert ACCOUNT_WAIT_1 in response.content.decode()
    assert logged_in_as(client) is None
    # and a minute later the owner gets in
    clock.advance(61)
    assert log_in(client, "lea.martin").status_code == 302
    assert logged_in_as(client) == str(lea.pk)


def test_the_back_off_grows_to_five_minutes_at_most(client, pupils, clock):
    # given an account under a guessing attack that retries as soon as it may
    for attempt in range(5):
        log_in(client, "lea.martin", f"wrong-{attempt}")
    waits = []
    for attempt in range(5):
        clock.advance(301)
        log_in(client, "lea.martin", f"still-wrong-{attempt}")
        response = log_in(client, "lea.martin", "another")
        waits.append(response.content.decode())
    # then each further failure waits longer, up to five minutes
    assert ACCOUNT_WAIT_2 in waits[0]
    assert "Réessayez dans 4 minutes." in waits[1]
    assert all("Réessayez dans 5 minutes." in page for page in waits[2:])


def test_a_refused_attempt_checks_no_password_and_does_not_extend_the_wait(
    client, pupils, clock
):
    # given an account waiting its first back-off
    lea, _ = pupils
    for attempt in range(5):
        log_in(client, "lea.martin", f"wrong-{attempt}")
    # when someone keeps trying during the wait
    for _ in range(10):
        clock.advance(5)
        assert ACCOUNT_WAIT_1 in log_in(client, "lea.martin", "guess").content.decode()
    # then the wait still ends a minute after the last counted failure
    clock.advance(11)
    assert log_in(client, "lea.martin").status_code == 302


def test_the_account_is_throttled_whatever_the_casing_of_its_login(client, pupils, clock):
    for login in ("lea.martin", "Lea.Martin", "LEA.MARTIN", " lea.martin", "lea.MARTIN"):
        log_in(client, login, "wrong")
    assert ACCOUNT_WAIT_1 in log_in(client, "lea.martin").content.decode()


def test_a_success_forgets_the_account_s_failures(client, pupils, clock):
    # given four failures, then the owner logs in and out
    for attempt in range(4):
        log_in(client, "lea.martin", f"wrong-{attempt}")
    assert log_in(client, "lea.martin").status_code == 302
    client.logout()
    # when the owner mistypes four more times
    for attempt in range(4):
        log_in(client, "lea.martin", f"typo-{attempt}")
    # then they are not made to wait
    assert log_in(client, "lea.martin").status_code == 302


def test_many_failures_from_one_address_stop_that_address_for_a_while(
    client, pupils, settings, clock
):
    # given the address ceiling reached with made-up logins (someone sweeping accounts)
    ceiling = settings.LOGIN_THROTTLE["ADDRESS_MAX_FAILURES"]
    for attempt in range(ceiling):
        clock.advance(2)
        log_in(client, f"compte.{attempt}", "wrong")
    # then a correct login from that address is refused, with a French message
    response = log_in(client, "hugo.bernard")
    assert NETWORK_WAIT in response.content.decode()
    assert logged_in_as(client) is None
    # while the same pupil from elsewhere gets in
    assert log_in(client, "hugo.bernard", address="198.51.100.20").status_code == 302
    client.logout()
    # and the address gets in again once those failures have left the window
    clock.advance(settings.LOGIN_THROTTLE["ADDRESS_WINDOW_SECONDS"])
    assert log_in(client, "hugo.bernard").status_code == 302


def test_a_forged_x_forwarded_for_does_not_change_the_counted_address(
    client, pupils, settings, clock
):
    # given no trusted proxy (the default) and a low address ceiling
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "ADDRESS_MAX_FAILURES": 3}
    # when an attacker sends each failure with another forged X-Forwarded-For
    for attempt in range(3):
        log_in(client, f"compte.{attempt}", "wrong",
               headers={"X-Forwarded-For": f"10.0.0.{attempt}"})
    # then the failures all counted against the real address
    response = log_in(client, "hugo.bernard", headers={"X-Forwarded-For": "10.9.9.9"})
    assert NETWORK_WAIT in response.content.decode()


def test_behind_one_trusted_proxy_the_address_it_saw_is_counted(client, pupils, settings, clock):
    # given one trusted reverse proxy: every request comes from it (REMOTE_ADDR), and it
    # appends the address it saw to whatever X-Forwarded-For the client sent
    proxy = "10.0.0.2"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "ADDRESS_MAX_FAILURES": 3}
    # when an attacker at 198.51.100.7 fails three times, forging a different left-most entry
    for attempt in range(3):
        log_in(client, f"compte.{attempt}", "wrong", address=proxy,
               headers={"X-Forwarded-For": f"192.0.2.{attempt}, 198.51.100.7"})
    # then the attacker's address is stopped
    response = log_in(client, "hugo.bernard", address=proxy,
                      headers={"X-Forwarded-For": "192.0.2.99, 198.51.100.7"})
    assert NETWORK_WAIT in response.content.decode()
    # and a school behind the same proxy is not
    response = log_in(client, "hugo.bernard", address=proxy,
                      headers={"X-Forwarded-For": SCHOOL})
    assert response.status_code == 302


def test_the_admin_login_page_sends_to_the_throttled_site_login(client, db):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # a password posted to the admin's own login is never checked
    from tests.conftest import make_user

    admin = make_user("admin@test.fr")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    response = client.post("/admin/login/", {"username": "admin@test.fr", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_as(client) is None


def test_the_admin_login_is_throttled_like_any_other(client, db, clock):
    # given an administrator whose password is being guessed through the admin's login
    from tests.conftest import make_user

    admin = make_user("admin@test.fr")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    login_page = client.get("/admin/login/?next=/admin/")["Location"]
    for attempt in range(5):
        log_in(client, "admin@test.fr", f"wrong-{attempt}", path=login_page)
    # then the right password waits the back-off too
    response = log_in(client, "admin@test.fr", path=login_page)
    assert ACCOUNT_WAIT_1 in response.content.decode()
    # and after it the administrator reaches the admin
    clock.advance(61)
    response = log_in(client, "admin@test.fr", path=login_page)
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # and going back to the admin's login page goes on to the admin
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_a_logged_in_user_without_admin_rights_is_refused_not_looped(client, pupils):
    client.force_login(pupils[0])
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_a_parallel_burst_cannot_slip_past_the_back_off(rf, pupils, clock):
    # given the fifth attempt on an account under way (counted before its password is checked)
    request = rf.post("/accounts/login/", REMOTE_ADDR=SCHOOL)
    for _ in range(5):
        login_attempt_start(request, login="lea.martin")
    # then an attempt arriving meanwhile waits, before any password is checked
    with pytest.raises(LoginThrottled) as refusal:
        login_attempt_start(request, login="lea.martin")
    assert refusal.value.scope == "account"
    assert refusal.value.retry_after == 60


def test_an_unreachable_cache_does_not_stop_logins(client, pupils, settings, caplog):
    # given the cache's Redis down (nothing listens on that port)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # when a pupil mistypes then logs in
    assert log_in(client, "hugo.bernard", "wrong").status_code == 200
    response = log_in(client, "hugo.bernard")
    # then the login works, and the log says throttling is off
    assert response.status_code == 302
    assert "login throttle unavailable" in caplog.text


def test_an_address_count_is_kept_for_the_whole_window(rf, db):
    # given a failure counted in the database cache, whose incr rewrites the row with the
    # cache's default timeout (300 s)
    request = rf.post("/accounts/login/", REMOTE_ADDR=SCHOOL)
    login_failure_record(request, login="x")
    # then the count still outlives the 600 s window
    key = cache.make_and_validate_key(_address_key(SCHOOL, int(throttle._now() // 60)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM pixorga_cache WHERE cache_key = %s", [key])
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):
        expires = datetime.fromisoformat(expires)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, UTC)
    assert (expires - timezone.now()).total_seconds() > 600
