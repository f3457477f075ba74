"""Faults through the real stack: Redis stopped during an upload, a worker killed mid-import.

A private `redis-server` on a free port is started, stopped and started again by the tests;
real `celery worker` and `celery beat` processes run on the test database. Skipped unless
CELERY_BROKER_URL is set (as the round trip in tests/test_celery_roundtrip.py) and the test
database is PostgreSQL, which the worker processes share with the test:

    CELERY_BROKER_URL=redis://127.0.0.1:6379/11 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pixorga_faults \\
    PIXORGA_ALLOW_DEV_SECRET=1 .venv/bin/pytest tests/test_faults_real_stack.py -q -s

Nothing here waits a fixed time for an outcome: the tests poll the job's row, with generous
deadlines. The delays are shortened through the environment (heartbeat 1 s, so a worker is
taken for dead after 6 s; a sweep every second); the figures measured are printed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import kombu.pools
import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from establishments.models import Establishment, Membership, Pupil
from establishments.services import establishment_create, pupil_import_start
from jobs.models import Job
from jobs.services import INTERRUPTED, STALE_AFTER_BEATS
from pix.fakes import fake_establishment_pupils
from pix.pupils import write_siecle_xml
from pixorga.celery import app as celery_app

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="needs a real broker: set CELERY_BROKER_URL (and DATABASE_URL to PostgreSQL)",
    ),
    pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason="needs redis-server"),
]

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30  # seconds for a process to be up
JOB_TIMEOUT = 120  # seconds for a job to get where it is expected
FAST = {"JOB_HEARTBEAT_SECONDS": "1", "JOB_SWEEP_SECONDS": "1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, what: str, timeout: float = JOB_TIMEOUT, logs=()):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not after {timeout} s\n" + "\n".join(p.output() for p in logs))
        time.sleep(0.05)


class RedisServer:
    """A redis-server of this test only, without persistence, on a port of its own."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(lambda: self._answers(client), "redis-server up", START_TIMEOUT, [self])

    def _answers(self, client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            assert self.process.poll() is None, self.output()
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def output(self) -> str:
        return "redis-server: " + (self.log.read_text(errors="replace")[-2000:]
                                   if self.log.exists() else "")


class CeleryProcess:
    """`celery worker` or `celery beat` on the test database and the private Redis."""

    def __init__(self, command: list[str], log: Path, env: dict[str, str], ready: str) -> None:
        self.command = command
        self.log = log
        self.env = env
        self.ready = ready
        self.process: subprocess.Popen | None = None

    def start(self, wait: bool = True) -> CeleryProcess:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "pixorga", *self.command], cwd=ROOT,
                env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        if wait:
            wait_for(self._ready, f"{self.command[0]} ready", START_TIMEOUT, [self])
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"{self.command[0]} exited with {self.process.returncode}:\n"
                        f"{self.output()}")
        return self.ready in self.output()

    def output(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.log.name}:\n{text[-6000:]}"

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine: no shutdown, no ack."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


class Stack:
    """Starts the processes of one test, and stops all of them after it."""

    def __init__(self, tmp_path: Path, redis_server: RedisServer, queue: str) -> None:
        self.tmp_path = tmp_path
        self.redis = redis_server
        self.queue = queue
        self.processes: list[CeleryProcess] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ, **FAST, **extra,
            "DJANGO_SETTINGS_MODULE": "pixorga.settings",
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": self.redis.url,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "PYTHONUNBUFFERED": "1",
        }
        if not env.get("SECRET_KEY"):
            env["PIXORGA_ALLOW_DEV_SECRET"] = "1"
        return env

    def worker(self, name: str, wait: bool = True, **extra: str) -> CeleryProcess:
        process = CeleryProcess(
            ["worker", "--pool=solo", "--loglevel=INFO", "-Q", self.queue,
             "-n", f"{name}-{self.queue}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            self.tmp_path / f"{name}.log", self.env(**extra), " ready.",
        )
        self.processes.append(process)
        return process.start(wait)

    def beat(self, **extra: str) -> CeleryProcess:
        process = CeleryProcess(
            ["beat", "--loglevel=INFO", "--schedule", str(self.tmp_path / "beat-schedule"),
             "--pidfile", str(self.tmp_path / "beat.pid")],
            self.tmp_path / "beat.log", self.env(**extra), "beat: Starting",
        )
        self.processes.append(process)
        return process.start()

    def logs(self) -> list:
        return [*self.processes, self.redis]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.redis.stop()


def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def stack(transactional_db, tmp_path, monkeypatch):
    """A private Redis (started), this process's Celery pointed at it, and room for workers
    and beat; everything stopped before the tables are flushed."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker processes must share the test database: set DATABASE_URL "
                    "to PostgreSQL")
    assert not celery_app.conf.task_always_eager
    redis_server = RedisServer(free_port(), tmp_path / "redis.log")
    redis_server.start()
    previous = (celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    queue = f"pixorga-faults-{uuid.uuid4().hex[:8]}"
    # Celery reads the variable before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    _point_celery_at(redis_server.url, queue)
    stack = Stack(tmp_path, redis_server, queue)
    try:
        yield stack
    finally:
        stack.stop()
        monkeypatch.undo()
        _point_celery_at(*previous)


def _point_celery_at(broker_url: str, queue: str) -> None:
    celery_app.conf.broker_url = broker_url
    celery_app.conf.task_default_queue = queue
    # The connection and producer pools were made for the previous broker. kombu keeps them in
    # a registry of its own: closed and forgotten there, or a closed pool would be handed out.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def school(rupn_email: str = "rupn@faults.test"):
    establishment = establishment_create(uai="0170999X", name="Collège Panne",
                                         kind=Establishment.Kind.COLLEGE)
    rupn = get_user_model().objects.create_user(rupn_email, rupn_email)
    Membership.objects.create(user=rupn, establishment=establishment,
                              role=Membership.Role.RUPN)
    return establishment, rupn


def siecle_file(establishment, divisions) -> tuple[bytes, int]:
    year = establishment.current_year.start_year
    rows = fake_establishment_pupils(divisions, school_year=year, rng=random.Random(5))
    return write_siecle_xml(rows, uai=establishment.uai, school_year=year), len(rows)


def upload_while_redis_is_down(client, stack, establishment, rupn, capsys) -> tuple[Job, int]:
    """Stops Redis, then sends a pupil base through the real page: accepted, not a 500."""
    data, count = siecle_file(establishment, [("6A", "6e", 8), ("3B", "3e", 6)])
    stack.redis.stop()
    client.force_login(rupn)
    started = time.monotonic()
    response = client.post(reverse("pupils:import"),
                           {"file": SimpleUploadedFile("ElevesSansAdresses.xml", data)})
    answered_in = time.monotonic() - started
    job = Job.objects.get(establishment=establishment)
    assert response.status_code == 302, response.content[:2000]
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.enqueued_at) == (Job.Status.PENDING, None)
    assert bytes(job.payload) == data
    assert "sera traité automatiquement dès son retour" in client.get(response.url).content.decode()
    assert answered_in < 10, f"the upload was held {answered_in:.1f} s by the broker retries"
    report(capsys, f"upload with Redis down answered (302) in {answered_in:.2f} s")
    return job, count


def report(capsys, text: str) -> None:
    with capsys.disabled():
        print(f"\n[faults] {text}")


def test_redis_down_at_upload_then_back_the_sweep_runs_the_job(client, stack, capsys):
    # Given a worker and beat running, and Redis that goes down
    establishment, rupn = school()
    stack.worker("worker")
    stack.beat()

    # When a pupil base is uploaded during the outage
    job, count = upload_while_redis_is_down(client, stack, establishment, rupn, capsys)

    # And Redis comes back (empty: nothing was queued)
    restarted = time.monotonic()
    stack.redis.start()

    # Then beat's sweep enqueues the job, the worker reconnects and runs it, nobody acting
    wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).exists(),
             "job finished after Redis came back", logs=stack.logs())
    took = time.monotonic() - restarted
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.counts["created"] == count
    assert Pupil.objects.filter(establishment=establishment).count() == count
    report(capsys, f"Redis restart → job done (worker + beat running, sweep every "
                   f"{FAST['JOB_SWEEP_SECONDS']} s): {took:.1f} s")


def test_redis_back_then_a_worker_starts_and_runs_the_waiting_job(client, stack, capsys):
    # Given an upload while Redis was down, and no worker nor beat at all
    establishment, rupn = school()
    job, count = upload_while_redis_is_down(client, stack, establishment, rupn, capsys)

    # When Redis is back and a worker starts
    restarted = time.monotonic()
    stack.redis.start()
    worker = stack.worker("worker")

    # Then the worker's start hook enqueues the job, which runs
    wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).exists(),
             "job finished after the worker started", logs=stack.logs())
    took = time.monotonic() - restarted
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert Pupil.objects.filter(establishment=establishment).count() == count
    assert "job sweep" in worker.output()
    report(capsys, f"Redis restart → worker start → job done: {took:.1f} s")


@pytest.mark.parametrize("max_attempts", [3, 1], ids=["retried", "failed"])
def test_a_worker_killed_mid_import_is_detected_and_its_job_retried_or_failed(
        stack, capsys, max_attempts):
    # Given a large pupil base being imported by a worker (the sweep runs every second)
    establishment, rupn = school()
    data, count = siecle_file(establishment, [(f"5{i:02d}", "5e", 30) for i in range(100)])
    first = stack.worker("first", JOB_MAX_ATTEMPTS=str(max_attempts))
    stack.beat(JOB_MAX_ATTEMPTS=str(max_attempts))
    job = pupil_import_start(establishment=establishment, by=rupn, filename="gros.xml",
                             data=data)
    wait_for(lambda: Job.objects.filter(pk=job.pk, status="running", progress_done__gt=0)
             .exists(), "job running, its rows being written", logs=stack.logs())

    # When the worker is killed in the middle of it (SIGKILL: no shutdown, no ack)
    first.kill()
    killed = time.monotonic()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)
    assert job.progress_done > 0
    assert not Pupil.objects.filter(establishment=establishment).exists()  # not committed
    stack.worker("second", JOB_MAX_ATTEMPTS=str(max_attempts))

    # Then its job is found within seconds of its heartbeat stopping...
    wait_for(lambda: Job.objects.filter(pk=job.pk).exclude(status="running", attempts=1)
             .exists(), "lost job detected", logs=stack.logs())
    detected = time.monotonic() - killed
    wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).exists(),
             "job finished", logs=stack.logs())
    done = time.monotonic() - killed
    job.refresh_from_db()
    pupils = Pupil.objects.filter(establishment=establishment)
    if max_attempts > 1:
        # ...and run again from its file, to the end, nothing written twice
        assert job.status == Job.Status.SUCCEEDED, job.errors
        assert job.attempts == 2
        assert pupils.count() == count
        assert job.counts["created"] == count
        outcome = "retried and done"
    else:
        # ...and failed with a message saying what happened; the dead run wrote nothing
        assert job.status == Job.Status.FAILED
        assert job.errors[0]["message"] == INTERRUPTED
        assert job.errors[0]["params"] == {"attempts": 1}
        assert not pupils.exists()
        assert job.has_file  # "Relancer" stays possible
        outcome = "failed with a message"
    beat = int(FAST["JOB_HEARTBEAT_SECONDS"])
    report(capsys, f"worker SIGKILL → job {outcome}: detected after {detected:.1f} s, "
                   f"finished after {done:.1f} s ({count} pupils; heartbeat {beat} s, dead after "
                   f"{beat * STALE_AFTER_BEATS} s, sweep every {FAST['JOB_SWEEP_SECONDS']} s)")
