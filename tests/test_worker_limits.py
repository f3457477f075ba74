"""A real `celery worker` (prefork, as in production) applies the limits of the settings: a task
past its soft time limit ends its job as failed, with a French message and nothing written.

Skipped unless CELERY_BROKER_URL is set; then it needs PostgreSQL (DATABASE_URL), since the
worker is another process and must see the test database pytest-django created:

    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pixorga_files \\
    PIXORGA_ALLOW_DEV_SECRET=1 .venv/bin/pytest tests/test_worker_limits.py -q -n 0

The task goes to a queue of its own that only the worker started here consumes.
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

from establishments.models import Establishment, Pupil, SchoolClass
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
SOFT_LIMIT = 1  # second


def _test_database_url() -> str:
    if connection.vendor != "postgresql":
        pytest.fail("CELERY_BROKER_URL is set but the test database is not PostgreSQL: a worker "
                    "process cannot share it. Set DATABASE_URL to a PostgreSQL server as well.")
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def limited_worker(transactional_db, tmp_path):
    """A prefork worker (time limits are enforced by the prefork pool) with a 1 s soft limit,
    on a queue of this test only."""
    queue = f"pixorga-limits-{uuid.uuid4().hex[:12]}"
    previous = (celery_app.conf.task_default_queue, celery_app.conf.task_soft_time_limit,
                celery_app.conf.task_time_limit)
    celery_app.conf.task_default_queue = queue
    # The sender writes the limits into each task message: the web and the worker read the
    # same settings, so here both sides get the short one.
    celery_app.conf.task_soft_time_limit, celery_app.conf.task_time_limit = SOFT_LIMIT, 60
    # A task bound and sent before this test (by another test of the process) took the limits
    # of the settings then, and keeps sending them in its messages (Celery caches its execution
    # options): the worker would apply those, not its own.
    task = celery_app.tasks["establishments.tasks.import_pupils_task"]
    task_limits = (task.soft_time_limit, task.time_limit)
    task.soft_time_limit, task.time_limit, task._exec_options = SOFT_LIMIT, 60, None
    log = tmp_path / "worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pixorga.settings",
           "DATABASE_URL": _test_database_url(), "CELERY_BROKER_URL": celery_app.conf.broker_url,
           "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT_LIMIT), "CELERY_TASK_TIME_LIMIT": "60",
           "CELERY_WORKER_MAX_MEMORY_PER_CHILD": "2000000", "PYTHONUNBUFFERED": "1"}
    env.setdefault("PIXORGA_ALLOW_DEV_SECRET", "1")
    command = [sys.executable, "-m", "celery", "-A", "pixorga", "worker", "--pool=prefork",
               "--concurrency=1", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while " ready." not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        yield process, log, queue
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        (celery_app.conf.task_default_queue, celery_app.conf.task_soft_time_limit,
         celery_app.conf.task_time_limit) = previous
        task.soft_time_limit, task.time_limit = task_limits
        task._exec_options = None
        with celery_app.connection_for_write() as conn:
            bound = celery_app.amqp.queues[queue].bind(conn.default_channel)
            bound.declare()
            bound.delete()


def test_a_task_past_its_soft_time_limit_fails_its_job_and_writes_nothing(limited_worker):
    process, log, queue = limited_worker
    # Given a worker whose settings stop tasks after 1 s, and a big (real) pupil base
    stats = celery_app.control.inspect(destination=[f"{queue}@{os.uname().nodename}"],
                                       timeout=5).stats() or {}
    (worker_stats,) = stats.values()
    assert worker_stats["pool"]["timeouts"] == [SOFT_LIMIT, 60]
    establishment = establishment_create(uai="0170123S", name="Lycée Limites",
                                         kind=Establishment.Kind.LYCEE)
    rupn = get_user_model().objects.create_user("rupn@limits.test", "rupn@limits.test")
    year = establishment.current_year.start_year
    # Three big lycées' worth: several seconds of work on any machine, under every file cap.
    rows = fake_establishment_pupils([(f"2{n}", "2de", 35) for n in range(260)],
                                     school_year=year, rng=random.Random(5))
    data = write_siecle_xml(rows, uai=establishment.uai, school_year=year)

    # When it is imported by the worker
    job = pupil_import_start(establishment=establishment, by=rupn, filename="eleves.xml",
                             data=data)
    deadline = time.monotonic() + 60
    while not job.is_finished:
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.25)
        job.refresh_from_db()

    # Then the job failed with the French message, and no pupil or class was written
    assert job.status == Job.Status.FAILED, (job.counts, log.read_text(errors="replace"))
    assert job.errors[0]["message"].startswith("Le traitement a dépassé la durée maximale")
    assert job.errors[0]["params"] == {"seconds": SOFT_LIMIT}
    assert not Pupil.objects.exists() and not SchoolClass.objects.exists()
    assert job.has_file  # kept for « Relancer »
