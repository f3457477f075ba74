"""The audit log's page: the establishment's RUPN and direction read it, nobody else."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from establishments.access import WHOLE_ESTABLISHMENT, roles_required

from .forms import AuditFilterForm
from .selectors import audit_actors, audit_events

PAGE_SIZE = 50


@roles_required(*WHOLE_ESTABLISHMENT)
def audit_log(request) -> HttpResponse:
    membership = request.membership
    form = AuditFilterForm(request.GET or None, actors=audit_actors(membership))
    form.is_valid()
    # A field with a wrong value (shown with its error) filters nothing; the others still do.
    data = getattr(form, "cleaned_data", {})
    events = audit_events(
        membership, action=data.get("action", ""), actor=data.get("membre", ""),
        since=data.get("du"), until=data.get("au"),
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {
        "form": form, "page": page, "events": page.object_list, "query": query.urlencode(),
        "filtered": any(data.get(key) for key in ("action", "membre", "du", "au")),
        "retention_days": settings.AUDIT_RETENTION_DAYS,
    })
