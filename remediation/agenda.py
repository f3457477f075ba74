"""Sessions and workshops in people's calendars: the year plan (a provider for progression's
plan) and each user's iCalendar feed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from establishments.models import Establishment, Membership, SchoolYear
from pix.referential import COMPETENCE_BY_CODE, DOMAIN_BY_CODE
from progression.plan import PlanEvent

from .ics import CalendarEvent
from .models import Session, Workshop

FEED_PAST_DAYS = 60  # a feed shows the last two months and everything to come


def plan_events(establishment: Establishment, year: SchoolYear,
                membership: Membership) -> list[PlanEvent]:
    """Remediation sessions (those the reader may see) and workshops of the year, for
    progression's year plan. Two queries."""
    events = []
    # The direction sees when sessions happen (no pupil is named), without their pages.
    readable = membership.role != Membership.Role.DIRECTION
    visible = (Session.objects.for_membership(membership) if readable else
               Session.objects.filter(group__period__establishment=establishment))
    sessions = (
        visible.filter(group__period__school_year=year)
        .select_related("group__period", "room")
        .annotate(member_count=Count("group__members", distinct=True))
    )
    for session in sessions:
        local = timezone.localtime(session.starts_at)
        detail = _("%(time)s · %(n)s élèves") % {"time": local.strftime("%H:%M"),
                                                 "n": session.member_count}
        if session.room is not None:
            detail = f"{detail} · {session.room.name}"
        events.append(PlanEvent(
            kind="remediation", label=_("Remédiation"), title=session.group.name,
            starts_on=local.date(), ends_on=local.date(),
            grades=frozenset({session.group.period.grade}),
            url=reverse("remediation:session", args=[session.pk]) if readable else "",
            detail=detail,
        ))
    if membership.is_staff_member:
        workshops = Workshop.objects.for_membership(membership).filter(school_year=year)
        for workshop in workshops.select_related("room"):
            local = timezone.localtime(workshop.starts_at)
            events.append(PlanEvent(
                kind="remediation", label=_("Atelier enseignants"), title=workshop.topic,
                starts_on=local.date(), ends_on=local.date(), grades=frozenset(),
                url=reverse("remediation:workshop", args=[workshop.pk]),
                detail=local.strftime("%H:%M"),
            ))
    return events


def _codes_text(codes: Iterable[str]) -> str:
    return ", ".join(f"{c} {COMPETENCE_BY_CODE[c].name}" for c in codes if c in COMPETENCE_BY_CODE)


def user_events(user, *, base_url: str, now: datetime | None = None) -> list[CalendarEvent]:
    """What a user has in their calendar, whatever their establishment: the sessions they lead
    or take part in, the workshops they lead or signed up for. Two queries."""
    now = now or timezone.now()
    since = now - timedelta(days=FEED_PAST_DAYS)
    host = base_url.split("//", 1)[-1].split("/", 1)[0] or "pixorga"
    events = []
    sessions = (
        Session.objects.filter(starts_at__gte=since)
        .filter(Q(leader__user=user) | Q(group__members__pupil__user=user))
        .select_related("group__period__establishment", "room", "leader__user")
        .distinct().order_by("starts_at", "pk")
    )
    for session in sessions:
        leader = session.leader.user.get_full_name() if session.leader else ""
        lines = [_("Compétences : %(codes)s") % {"codes": _codes_text(session.competences)}]
        if session.campaign_code:
            lines.append(_("Code de campagne : %(code)s") % {"code": session.campaign_code})
        if leader:
            lines.append(_("Animée par %(name)s") % {"name": leader})
        is_leader = session.leader is not None and session.leader.user_id == user.pk
        events.append(CalendarEvent(
            uid=f"remediation-session-{session.pk}@{host}",
            starts_at=session.starts_at, ends_at=session.ends_at,
            summary=_("Accompagnement Pix — %(group)s") % {"group": session.group.name},
            description="\n".join(lines),
            location=session.room.name if session.room else "",
            url=base_url + reverse("remediation:session", args=[session.pk]) if is_leader
            else "",
        ))
    workshops = (
        Workshop.objects.filter(starts_at__gte=since)
        .filter(Q(led_by__user=user) | Q(registrations__member__user=user))
        .select_related("room").distinct().order_by("starts_at", "pk")
    )
    for workshop in workshops:
        lines = []
        if workshop.domain:
            domain = DOMAIN_BY_CODE[workshop.domain]
            lines.append(_("Domaine %(code)s : %(name)s") % {"code": domain.code,
                                                             "name": domain.name})
        if workshop.description:
            lines.append(workshop.description)
        events.append(CalendarEvent(
            uid=f"remediation-workshop-{workshop.pk}@{host}",
            starts_at=workshop.starts_at, ends_at=workshop.ends_at,
            summary=_("Atelier Pix — %(topic)s") % {"topic": workshop.topic},
            description="\n".join(lines),
            location=workshop.room.name if workshop.room else "",
            url=base_url + reverse("remediation:workshop", args=[workshop.pk]),
        ))
    return sorted(events, key=lambda e: (e.starts_at, e.uid))
