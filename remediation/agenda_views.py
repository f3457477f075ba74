"""Each user's private calendar link: shown, renewed or revoked on a page, read without login
by calendar applications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import services
from .agenda import user_events
from .ics import calendar
from .models import CalendarFeed


@login_required
def agenda(request) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = (request.build_absolute_uri(reverse("remediation:feed", args=[feed.token]))
           if feed else "")
    events = user_events(request.user, base_url=request.build_absolute_uri("/")[:-1])
    now = timezone.now()
    return render(request, "remediation/agenda.html", {
        "feed": feed, "url": url, "webcal": url.replace("https://", "webcal://", 1)
        .replace("http://", "webcal://", 1),
        "events": [e for e in events if e.ends_at >= now][:20],
    })


@require_POST
@login_required
def agenda_renew(request) -> HttpResponse:
    had = CalendarFeed.objects.filter(user=request.user).exists()
    services.calendar_feed_renew(user=request.user)
    messages.success(request, _("Nouveau lien créé : l’ancien ne fonctionne plus.") if had
                     else _("Votre lien d’agenda est prêt."))
    return redirect("remediation:agenda")


@require_POST
@login_required
def agenda_revoke(request) -> HttpResponse:
    services.calendar_feed_revoke(user=request.user)
    messages.success(request, _("Lien d’agenda supprimé : il ne fonctionne plus."))
    return redirect("remediation:agenda")


@never_cache
@require_GET
def feed(request, token: str) -> HttpResponse:
    """The iCalendar feed: no login, the secret token is the key."""
    found = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if found is None or not found.user.is_active:
        raise Http404
    base = request.build_absolute_uri("/")[:-1]
    body = calendar(user_events(found.user, base_url=base), name=_("pixorga — mes séances"),
                    now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="pixorga.ics"'
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
