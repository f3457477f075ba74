"""What other apps call when their data changes what pupils' compliance depends on.

Imports (campaign results, certification results, the pupil base) call
`rebuild_compliance_after(job)` from their task, once the job has run: the rebuild is enqueued
after commit, so that a worker never reads rows that are not committed yet. No signal: who
triggers a rebuild is written where it happens.
"""

from __future__ import annotations

from django.db import transaction


def compliance_rebuild_on_commit(establishment_id: int,
                                 school_year_ids: list[int] | None = None) -> None:
    """Enqueues `compliance_rebuild_task` once the current transaction commits (at once
    outside a transaction)."""
    from .tasks import compliance_rebuild_task

    transaction.on_commit(
        lambda: compliance_rebuild_task.delay(establishment_id, school_year_ids)
    )


def rebuild_compliance_after(job) -> None:
    """After an import job: enqueue the rebuild when it succeeded (a failed import wrote
    nothing). Takes what `jobs.services.job_run` returns, None included."""
    from jobs.models import Job

    if job is not None and job.status == Job.Status.SUCCEEDED:
        compliance_rebuild_on_commit(job.establishment_id)
