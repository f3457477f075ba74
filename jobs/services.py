"""Running a job: status, progress and errors kept in its row, whatever the handler does."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from pix.files import RowError

from .models import Job

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 500


@dataclass
class JobOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


class Progress:
    """Reports progress to the job row, at most a few times a second."""

    def __init__(self, job: Job, interval: float = 0.5) -> None:
        self.job = job
        self.interval = interval
        self._last = float("-inf")  # monotonic() has no fixed origin: the first call reports

    def stage(self, label: str) -> None:
        Job.objects.filter(pk=self.job.pk).update(stage=label)

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval and done < total:
            return
        self._last = now
        # Outside a transaction, so the page that polls the job sees it at once.
        Job.objects.filter(pk=self.job.pk).update(progress_done=done, progress_total=total)


JobHandler = Callable[[Job, Progress], JobOutcome]


def serialise_errors(errors: Iterable[RowError]) -> list[dict]:
    ordered = sorted(errors, key=lambda e: (e.line or 0, e.column or ""))
    return [
        {"line": e.line, "column": e.column, "message": e.message, "params": dict(e.params)}
        for e in ordered[:MAX_STORED_ERRORS]
    ]


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
    """Runs a job once: a finished job is left as it is, so a retried task does nothing."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    progress = Progress(job)
    try:
        outcome = _handler_outcome(handler, job, progress)
    except SoftTimeLimitExceeded:
        # The handler's transaction was rolled back on the way out: nothing is written. The
        # limit may have struck inside a query: a fresh connection records the outcome.
        if not connection.in_atomic_block:
            connection.close()
        logger.warning("job %s stopped by the task time limit", job.pk)
        outcome = JobOutcome(errors=[RowError(None, gettext_noop(
            "Le traitement a dépassé la durée maximale de %(seconds)s secondes et a été "
            "arrêté ; rien n’a été enregistré. Vérifiez que le fichier est bien celui "
            "attendu."), params={"seconds": settings.CELERY_TASK_SOFT_TIME_LIMIT})])
    except Exception:
        logger.exception("job %s failed", job.pk)
        outcome = JobOutcome(
            errors=[RowError(None, gettext_noop("Erreur inattendue pendant le traitement ; "
                                               "rien n’a été enregistré."))]
        )
    job.refresh_from_db(fields=["progress_done", "progress_total"])
    job.counts = outcome.counts
    job.errors = serialise_errors(outcome.errors)
    job.status = Job.Status.FAILED if outcome.errors else Job.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.stage = ""
    job.payload = b""  # the file is no longer needed once its outcome is known
    job.save(
        update_fields=["counts", "errors", "status", "finished_at", "stage", "payload"]
    )
    return job
