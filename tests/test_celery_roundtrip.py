"""A real round trip through the broker: the web side enqueues, a separate worker process imports.

Skipped unless CELERY_BROKER_URL is set; then it needs PostgreSQL (DATABASE_URL), since the worker
is another process and must see the test database pytest-django created:

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pixorga \
    PIXORGA_ALLOW_DEV_SECRET=1 .venv/bin/pytest tests/test_celery_roundtrip.py -q

The task goes to a queue of its own that only the worker started here consumes, so a worker
already running on the same broker (`make run`) cannot steal it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from establishments.models import Establishment, Pupil
from establishments.services import establishment_create, pupil_import_start
from jobs.models import Job
from pix.fakes import fake_establishment_pupils
from pix.pupils import write_siecle_xml
from pixorga.celery import app as celery_app

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="needs a real broker: set CELERY_BROKER_URL (and DATABASE_URL to PostgreSQL)",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 30  # seconds for the worker to connect to the broker
JOB_TIMEOUT = 60  # seconds for the job to finish once enqueued


def _test_database_url() -> str:
    """DATABASE_URL pointing at the database pytest-django created for this session."""
    if connection.vendor != "postgresql":
        pytest.fail(
            "CELERY_BROKER_URL is set but the test database is "
            f"{connection.vendor} ({connection.settings_dict['NAME']}): a worker process cannot "
            "share it. Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/pixorga as well."
        )
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


class Worker:
    def __init__(self, queue: str, log: Path) -> None:
        self.queue = queue
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pixorga.settings",
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": celery_app.conf.broker_url,
            "PYTHONUNBUFFERED": "1",
        }
        if not env.get("SECRET_KEY"):
            env["PIXORGA_ALLOW_DEV_SECRET"] = "1"
        command = [
            sys.executable, "-m", "celery", "-A", "pixorga", "worker",
            "--pool=solo", "--loglevel=INFO", "-Q", self.queue,
            "-n", f"{self.queue}@%h", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while " ready." not in self.output():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the worker was not ready after {READY_TIMEOUT} s:\n{self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: finishes the current task
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@pytest.fixture
def worker_queue():
    """A queue of this test only: tasks sent during the test go there, and it is removed after."""
    queue = f"pixorga-test-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_default_queue = previous
    # Declared here first so that kombu knows its bindings and removes them with the queue.
    with celery_app.connection_for_write() as conn:
        bound = celery_app.amqp.queues[queue].bind(conn.default_channel)
        bound.declare()
        bound.delete()


@pytest.fixture
def celery_worker_process(transactional_db, worker_queue, tmp_path):
    """A real `celery worker` process on the test database; stopped before the tables are
    flushed (this fixture depends on `transactional_db`, so its teardown runs first)."""
    worker = Worker(worker_queue, tmp_path / "worker.log")
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()


def test_pupil_import_runs_in_a_real_worker(celery_worker_process):
    assert not celery_app.conf.task_always_eager, "CELERY_BROKER_URL set: tasks must not be eager"
    establishment = establishment_create(
        uai="0170123S", name="Collège Worker", kind=Establishment.Kind.COLLEGE
    )
    rupn = get_user_model().objects.create_user("rupn@worker.test", "rupn@worker.test")
    year = establishment.current_year.start_year
    rows = fake_establishment_pupils(
        [("6A", "6e", 7), ("4B", "4e", 5)], school_year=year, rng=random.Random(11)
    )
    data = write_siecle_xml(rows, uai=establishment.uai, school_year=year)

    job = pupil_import_start(
        establishment=establishment, by=rupn, filename="ElevesSansAdresses.xml", data=data
    )

    deadline = time.monotonic() + JOB_TIMEOUT
    job.refresh_from_db()
    while not job.is_finished:
        assert celery_worker_process.process.poll() is None, (
            f"the worker died:\n{celery_worker_process.output()}"
        )
        assert time.monotonic() < deadline, (
            f"job still {job.status} after {JOB_TIMEOUT} s; worker log:\n"
            f"{celery_worker_process.output()}"
        )
        time.sleep(0.25)
        job.refresh_from_db()

    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.counts["created"] == len(rows)
    assert set(
        Pupil.objects.filter(establishment=establishment).values_list("ine", flat=True)
    ) == {row.ine for row in rows}
    celery_worker_process.stop()
    log = celery_worker_process.output()
    assert "establishments.tasks.import_pupils_task" in log and "succeeded" in log, log
