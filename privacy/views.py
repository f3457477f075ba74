from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from establishments.access import get_pupil_for_user, rupn_required

from . import services
from .exports import pupil_export_zip

# Read where they are defined when those settings exist, with the documented defaults
# otherwise (the uploaded files' and the audit log's retention belong to other apps).
DEFAULT_JOB_FILE_RETENTION_DAYS = 7
DEFAULT_AUDIT_RETENTION_DAYS = 365


def retention_figures() -> dict[str, int]:
    return {
        "job_file_days": getattr(settings, "JOB_FILE_RETENTION_DAYS",
                                 DEFAULT_JOB_FILE_RETENTION_DAYS),
        "audit_days": getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS),
        "pupil_years": settings.PUPIL_RETENTION_YEARS,
    }


def privacy_notice(request) -> HttpResponse:
    """Open to everyone, logged in or not: families read it before any account exists."""
    membership = getattr(request, "membership", None)
    establishment = membership.establishment if membership is not None else None
    return render(request, "privacy/notice.html", {
        "establishment": establishment, "retention": retention_figures(),
    })


@rupn_required
def pupil_export(request, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pupil_id)
    data = pupil_export_zip(pupil)
    services.pupil_export_record(pupil=pupil, by=request.user)
    response = HttpResponse(data, content_type="application/zip")
    # The id, not the name: a file name ends up in browsers' histories and proxies' logs.
    response["Content-Disposition"] = f'attachment; filename="eleve-{pupil.pk}-donnees.zip"'
    return response


@rupn_required
def pupil_erase(request, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pupil_id)
    if request.method == "POST":
        services.pupil_erase(pupil=pupil, by=request.user)
        messages.success(request, _("L’élève et toutes ses données ont été effacés."))
        return redirect("pupils:list")
    return render(request, "privacy/pupil_erase.html", {
        "pupil": pupil, "removed": services.erasure_preview(pupil),
    })
