"""A running job's pulse: proof that its worker is alive, and its progress, written outside
the import's transaction.

An import writes everything in one transaction; progress written on the same connection would
stay invisible (and keep the job row locked) until that transaction commits, and a job whose
write phase outlasts the staleness delay would look dead to the sweep. So in a real worker a
thread with its own connection writes the heartbeat every JOB_HEARTBEAT_SECONDS, along with
the latest progress the handler reported. The thread dies with its process: a killed worker
stops beating, which is how the sweep finds its job.
"""

from __future__ import annotations

import logging
import threading

from django.db import connections
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, job_id: int, interval: float) -> None:
        self.job_id = job_id
        self.interval = interval
        self._pending: dict = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"job-{job_id}-heartbeat", daemon=True
        )

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def report(self, **fields) -> None:
        """Progress fields to write with the next beat, which comes at once."""
        with self._lock:
            self._pending.update(fields)
        self._wake.set()

    def stop(self) -> None:
        """Writes what was reported last, then ends the thread."""
        self._stopped.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while True:
                # Read before writing: every report made before stop() is in this last write.
                stopping = self._stopped.is_set()
                self._beat()
                if stopping:
                    return
                self._wake.wait(self.interval)
                self._wake.clear()
        finally:
            connections.close_all()  # this thread's connections only

    def _beat(self) -> None:
        with self._lock:
            fields, self._pending = self._pending, {}
        try:
            Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                heartbeat_at=timezone.now(), **fields
            )
        except Exception:  # a missed beat is retried; the handler must not be disturbed
            logger.exception("heartbeat of job %s not written", self.job_id)
            connections.close_all()  # a broken connection is opened again at the next beat
            with self._lock:
                self._pending = {**fields, **self._pending}
