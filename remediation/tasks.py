"""Thin Celery tasks: they call a service and are safe to run twice."""

from celery import shared_task

from .services import reminders_send


@shared_task
def send_reminders_task() -> dict:
    """Run daily by Celery beat (CELERY_BEAT_SCHEDULE): reminders for tomorrow's sessions and
    workshops, each sent once."""
    report = reminders_send()
    return {"sent": report.sent, "skipped": report.skipped, "failed": report.failed}
