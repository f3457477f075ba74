"""Running a job: status, progress and errors kept in its row, whatever the handler does.

A job's file stays in its row until the job has ended and its retention has passed
(jobs.sweep), so that a job whose worker died, or that failed, runs again from the same bytes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from celery import current_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from pix.files import RowError

from .heartbeat import Heartbeat
from .models import Job

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 500
# A heartbeat this many beats old means the worker is gone.
STALE_AFTER_BEATS = 6

INTERRUPTED = gettext_noop(
    "Le traitement a été interrompu %(attempts)s fois : le processus qui l’exécutait s’est "
    "arrêté avant la fin (redémarrage du serveur, mémoire épuisée). Rien n’a été enregistré. "
    "Vous pouvez le relancer."
)


@dataclass
class JobOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


class Progress:
    """Reports progress to the job row, at most a few times a second.

    In a worker, what is reported goes through the job's heartbeat thread (see jobs.heartbeat),
    so that it is seen at once even while the handler's transaction is open.
    """

    def __init__(self, job: Job, interval: float = 0.5, heartbeat: Heartbeat | None = None) -> None:
        self.job = job
        self.interval = interval
        self.heartbeat = heartbeat
        self.done, self.total = job.progress_done, job.progress_total  # the last reported
        self._last = float("-inf")  # monotonic() has no fixed origin: the first call reports

    def stage(self, label: str) -> None:
        self._write(stage=label)

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if not force and now - self._last < self.interval and done < total:
            return
        self._last = now
        self._write(progress_done=done, progress_total=total)

    def _write(self, **fields) -> None:
        if self.heartbeat is not None:
            self.heartbeat.report(**fields)
        else:
            Job.objects.filter(pk=self.job.pk).update(heartbeat_at=timezone.now(), **fields)


JobHandler = Callable[[Job, Progress], JobOutcome]


def serialise_errors(errors: Iterable[RowError]) -> list[dict]:
    ordered = sorted(errors, key=lambda e: (e.line or 0, e.column or ""))
    return [
        {"line": e.line, "column": e.column, "message": e.message, "params": dict(e.params)}
        for e in ordered[:MAX_STORED_ERRORS]
    ]


def heartbeat_interval() -> float:
    return float(settings.JOB_HEARTBEAT_SECONDS)


def stale_after() -> timedelta:
    """How old a running job's heartbeat may be before its worker is taken for dead."""
    return timedelta(seconds=heartbeat_interval() * STALE_AFTER_BEATS)


def job_is_lost(job: Job, *, now=None) -> bool:
    """A running job whose worker stopped beating."""
    last_sign = job.heartbeat_at or job.started_at
    return job.status == Job.Status.RUNNING and (
        last_sign is None or last_sign < (now or timezone.now()) - stale_after()
    )


def job_create(
    *,
    establishment,
    kind: str,
    by,
    filename: str = "",
    payload: bytes = b"",
    params: dict | None = None,
) -> Job:
    return Job.objects.create(
        establishment=establishment,
        kind=kind,
        created_by=by,
        filename=filename,
        payload=payload,
        params=params or {},
    )


# --- enqueueing -------------------------------------------------------------------------------


def job_enqueue(job: Job, task) -> None:
    """Hands the job to `task` (a Celery task taking the job's id) once the current transaction
    commits; the only way a job reaches the queue.

    The task's name is kept in the row: the sweep enqueues it again if the broker does not
    take it now (Redis down) or loses it.
    """
    if job.task_name != task.name:
        job.task_name = task.name
        Job.objects.filter(pk=job.pk).update(task_name=task.name)
    job_id = job.pk
    transaction.on_commit(lambda: job_publish(job_id, task))


def job_publish(job_id: int, task=None) -> bool:
    """Publishes the job's task now; False if the broker did not take it (the job waits for
    the sweep). Claims the job first, so that two sweeps never publish it twice."""
    now = timezone.now()
    again = now - enqueue_again_after()
    claimed = (
        Job.objects.filter(pk=job_id, status=Job.Status.PENDING)
        .exclude(enqueued_at__gte=again)
        .update(enqueued_at=now)
    )
    if not claimed:
        return False
    if task is None:
        task = task_by_name(Job.objects.values_list("task_name", flat=True).get(pk=job_id))
    if task.app.conf.task_always_eager:
        task.delay(job_id)  # runs here and now: its errors are the caller's
        return True
    try:
        task.delay(job_id)
    except Exception:
        # Whatever the broker raised, the file is safe in the row: the sweep tries again once
        # the broker is back. The publish retries are bounded (CELERY_TASK_PUBLISH_RETRY_POLICY)
        # so the request that uploaded the file is not held.
        logger.warning("job %s not enqueued: the broker is unavailable", job_id, exc_info=True)
        Job.objects.filter(pk=job_id, enqueued_at=now).update(enqueued_at=None)
        return False
    return True


def enqueue_again_after() -> timedelta:
    """A pending job handed to the broker this long ago without starting is handed again (its
    message may have been lost with a Redis restart); before that, it is waiting its turn."""
    return max(timedelta(minutes=5), 2 * stale_after())


def task_by_name(name: str):
    if not name:
        raise LookupError("this job records no task")
    module, _, attr = name.rpartition(".")
    return getattr(import_module(module), attr)


# --- running ----------------------------------------------------------------------------------


def _in_a_worker() -> bool:
    task = current_task
    return bool(task) and not task.request.is_eager


def _handler_outcome(handler: JobHandler, job: Job, progress: Progress) -> JobOutcome:
    """The handler's outcome. Celery's soft time limit, striking inside a query, can come out
    as the database driver's error raised while rolling back: it is told by its context."""
    try:
        return handler(job, progress)
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:
        context = error.__context__
        while context is not None:
            if isinstance(context, SoftTimeLimitExceeded):
                raise SoftTimeLimitExceeded() from error
            context = context.__context__
        raise


def job_run(job_id: int, handler: JobHandler) -> Job | None:
    """Runs a job once: a finished job is left as it is, and so is a job another worker is
    running (its heartbeat is fresh), so that a task delivered twice does nothing."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        if job.status == Job.Status.RUNNING and not job_is_lost(job):
            return job
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            # A message redelivered after its worker died again and again.
            job_fail_interrupted(job)
            return job
        now = timezone.now()
        job.status = Job.Status.RUNNING
        job.started_at = job.heartbeat_at = now
        job.attempts += 1
        job.progress_done = job.progress_total = 0
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts",
                                "progress_done", "progress_total"])
    heartbeat = Heartbeat(job.pk, heartbeat_interval()).start() if _in_a_worker() else None
    progress = Progress(job, heartbeat=heartbeat)
    try:
        try:
            # The outcome is recorded in the handler's transaction: a job still "running" after
            # its worker died wrote nothing, and is safe to run again.
            with transaction.atomic():
                _record_outcome(job, _handler_outcome(handler, job, progress), progress)
        except SoftTimeLimitExceeded:
            # The handler's transaction was rolled back on the way out: nothing is written. The
            # limit may have struck inside a query: a fresh connection records the outcome.
            if not connection.in_atomic_block:
                connection.close()
            logger.warning("job %s stopped by the task time limit", job.pk)
            _record_outcome(job, JobOutcome(errors=[RowError(None, gettext_noop(
                "Le traitement a dépassé la durée maximale de %(seconds)s secondes et a été "
                "arrêté ; rien n’a été enregistré. Vérifiez que le fichier est bien celui "
                "attendu."), params={"seconds": settings.CELERY_TASK_SOFT_TIME_LIMIT})]),
                progress)
        except Exception:
            logger.exception("job %s failed", job.pk)
            _record_outcome(job, JobOutcome(errors=[RowError(None, gettext_noop(
                "Erreur inattendue pendant le traitement ; rien n’a été enregistré."))]), progress)
    finally:
        # Stopped once the outcome is committed: a last beat meanwhile would wait for the row
        # the outcome locks, and this thread for the beat.
        if heartbeat is not None:
            heartbeat.stop()
    return job


def _record_outcome(job: Job, outcome: JobOutcome, progress: Progress) -> None:
    job.progress_done, job.progress_total = progress.done, progress.total
    job.counts = outcome.counts
    job.errors = serialise_errors(outcome.errors)
    job.status = Job.Status.FAILED if outcome.errors else Job.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.stage = ""
    # The file stays: a failed job can be run again; the sweep deletes it after its retention.
    job.save(update_fields=["progress_done", "progress_total", "counts", "errors", "status",
                            "finished_at", "stage"])


def job_fail_interrupted(job: Job) -> None:
    """Fails a job whose worker died as many times as it may run (the import is one
    transaction: a dead worker wrote nothing)."""
    job.status = Job.Status.FAILED
    job.errors = serialise_errors(
        [RowError(None, INTERRUPTED, params={"attempts": job.attempts})]
    )
    job.stage = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "stage", "finished_at"])


# --- running again --------------------------------------------------------------------------


class JobNotRelaunchable(Exception):
    pass


class JobNotConfirmable(Exception):
    """The job did not stop on a check that a person may override."""


def job_confirm(*, job: Job, by) -> Job:
    """A person overrides the check that stopped the job (a file that seems another
    establishment's: its handler set `params["needs_confirmation"]`): the job runs again on its
    stored file with `params["confirmed"]`, which its handler reads to skip that check.

    JobNotConfirmable if it did not stop so; JobNotRelaunchable (nothing changed) if its file
    is gone.
    """
    with transaction.atomic():
        locked = Job.objects.select_for_update().defer("payload").get(pk=job.pk)
        if locked.status != Job.Status.FAILED or not locked.params.get("needs_confirmation"):
            raise JobNotConfirmable(job.pk)
        locked.params = {**locked.params, "confirmed": True,
                         "confirmed_by": getattr(by, "pk", None)}
        locked.save(update_fields=["params"])
        return job_relaunch(job=locked, by=by)


def job_relaunch(*, job: Job, by) -> Job:
    """Runs a failed job again from its stored file, as if it had just been uploaded."""
    with transaction.atomic():
        job = Job.objects.select_for_update().defer("payload").get(pk=job.pk)
        if job.status != Job.Status.FAILED or not job.has_file or not job.task_name:
            raise JobNotRelaunchable(job.pk)
        job.status = Job.Status.PENDING
        job.counts, job.errors = {}, []
        job.stage = ""
        job.progress_done = job.progress_total = 0
        job.started_at = job.finished_at = job.heartbeat_at = job.enqueued_at = None
        job.attempts = 0
        job.save(update_fields=[
            "status", "counts", "errors", "stage", "progress_done", "progress_total",
            "started_at", "finished_at", "heartbeat_at", "enqueued_at", "attempts",
        ])
        job_enqueue(job, task_by_name(job.task_name))
    logger.info("job %s run again by user %s", job.pk, getattr(by, "pk", None))
    return job
