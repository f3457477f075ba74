"""What a job page says beside its progress: waiting for the queue, retried, or "Relancer"."""

from django import template
from django.conf import settings
from django.utils import timezone

from jobs.access import can_relaunch
from jobs.models import Job
from jobs.services import enqueue_again_after

register = template.Library()


@register.inclusion_tag("jobs/_notes.html", takes_context=True)
def job_notes(context, job: Job) -> dict:
    request = context["request"]
    pending = job.status == Job.Status.PENDING
    return {
        "job": job,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
        # No broker took the file yet (Redis down when it was sent).
        "waiting_for_queue": pending and job.enqueued_at is None,
        # Taken by the broker a while ago, still not started: no worker is free.
        "waiting_for_worker": pending and job.enqueued_at is not None
        and job.enqueued_at < timezone.now() - enqueue_again_after() / 2,
        "retried": pending and job.attempts > 0,
        "can_relaunch": job.status == Job.Status.FAILED
        and can_relaunch(getattr(request, "membership", None), job),
        "retention_days": settings.JOB_FILE_RETENTION_DAYS,
    }
