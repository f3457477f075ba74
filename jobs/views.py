from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from .models import Job


def get_job_for_user(request, job_id: int) -> Job:
    # Pupils never see jobs: a role that may not act is a 403, not a 404.
    if request.membership is None or not request.membership.is_staff_member:
        raise PermissionDenied
    return get_object_or_404(
        Job.objects.for_membership(request.membership).defer("payload"), pk=job_id
    )


def translated_errors(job: Job) -> list[dict]:
    errors = []
    for error in job.errors:
        message = _(error["message"])
        if error.get("params"):
            message = message % error["params"]
        errors.append({"line": error.get("line"), "column": error.get("column"), "text": message})
    return errors


@login_required
def job_detail(request, job_id: int) -> HttpResponse:
    job = get_job_for_user(request, job_id)
    return render(request, "jobs/job_detail.html", {"job": job, "errors": translated_errors(job)})


@login_required
def job_status(request, job_id: int) -> JsonResponse:
    """Polled by the job page to move its progress bar."""
    job = get_job_for_user(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "stage": _(job.stage) if job.stage else "",
            "percent": job.percent,
            "done": job.progress_done,
            "total": job.progress_total,
            "finished": job.is_finished,
        }
    )
