"""What the matching queues of campaigns and certification share: a person decides who a
row of a Pix file is (a pupil, or nobody of ours) and goes back where they were."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def safe_next_url(request, default: str) -> str:
    """The `next` of the request when it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return default


def apply_match_decision(
    request, form, *, name: str, confirm: Callable, reject: Callable, next_url: str
) -> HttpResponse:
    """Runs `confirm(pupil)` or `reject()` from a match form (action confirm / reject, pupil),
    with a message saying what was decided, or the form's errors."""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(next_url)
    if form.cleaned_data["action"] == form.CONFIRM:
        pupil = form.cleaned_data["pupil"]
        confirm(pupil)
        messages.success(request, _("%(name)s : rapproché de %(pupil)s.")
                         % {"name": name, "pupil": pupil})
    else:
        reject()
        messages.success(request, _("%(name)s : marqué comme n’étant pas un élève de "
                                    "l’établissement.") % {"name": name})
    return redirect(next_url)
