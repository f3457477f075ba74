"""Container health checks (the image has no curl): `python docker/healthcheck.py web|beat`.

web:  GET /sante/ on gunicorn, as the reverse proxy would send it: with a Host from
      ALLOWED_HOSTS and X-Forwarded-Proto: https (else SECURE_SSL_REDIRECT answers 301).
beat: its schedule file exists (beat got as far as opening it) and the broker accepts a
      connection (beat has no remote control to ping).
The worker is checked with `celery inspect ping` instead (see docker-compose.yml).
Exit 0 when healthy, 1 otherwise.
"""

import os
import sys
import urllib.error
import urllib.request


def _host() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip()
        if host and host != "*":
            return ("healthcheck" + host) if host.startswith(".") else host
    return "localhost"


def web() -> int:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/sante/",
        headers={"Host": _host(), "X-Forwarded-Proto": "https", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            body = response.read(200)
            print(response.status, body.decode(errors="replace"))
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(error.code, error.read(200).decode(errors="replace"))
    except OSError as error:
        print(f"no answer: {error}")
    return 1


def beat() -> int:
    from pathlib import Path

    from kombu import Connection

    schedule = Path(os.environ.get("BEAT_SCHEDULE", "/app/var/celerybeat-schedule"))
    if not list(schedule.parent.glob(schedule.name + "*")):
        print(f"no beat schedule file at {schedule}")
        return 1
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url:
        print("CELERY_BROKER_URL is not set")
        return 1
    try:
        with Connection(url, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:  # noqa: BLE001
        print(f"broker unreachable: {error}")
        return 1
    print("broker ok")
    return 0


if __name__ == "__main__":
    checks = {"web": web, "beat": beat}
    if len(sys.argv) != 2 or sys.argv[1] not in checks:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(checks)}")
    sys.exit(checks[sys.argv[1]]())
