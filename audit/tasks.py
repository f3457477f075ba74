"""Thin Celery tasks: they call a service and are safe to run twice."""

from celery import shared_task

from .services import audit_events_purge


@shared_task
def purge_audit_events_task() -> int:
    """Run daily by Celery beat (CELERY_BEAT_SCHEDULE): the log keeps AUDIT_RETENTION_DAYS."""
    return audit_events_purge()
