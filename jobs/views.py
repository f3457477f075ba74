from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .access import can_relaunch
from .models import Job


def get_job_for_user(request, job_id: int, *, relaunch: bool = False) -> Job:
    # Pupils never see jobs: a role that may not act is a 403, not a 404.
    if request.membership is None or not request.membership.is_staff_member:
        raise PermissionDenied
    job = get_object_or_404(
        Job.objects.for_membership(request.membership).defer("payload"), pk=job_id
    )
    if relaunch and not can_relaunch(request.membership, job):
        raise PermissionDenied
    return job


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


@require_POST
@login_required
def job_relaunch(request, job_id: int) -> HttpResponse:
    """Runs a failed job again from the file it keeps (the "Relancer" button)."""
    job = get_job_for_user(request, job_id, relaunch=True)
    try:
        services.job_relaunch(job=job, by=request.user)
    except services.JobNotRelaunchable:
        messages.error(request, _("Ce traitement ne peut pas être relancé : il n’a pas échoué, "
                                  "ou son fichier a été supprimé."))
    else:
        messages.success(request, _("Traitement relancé avec le même fichier."))
    # Back to the page the button was on (an app may show its jobs on a page of its own).
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(back)
    return redirect("jobs:detail", job.pk)
