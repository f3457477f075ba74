"""Reads of the audit log for its page: what the member may read, filtered."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from .models import AuditEvent, AuditEventQuerySet

PLATFORM = "plateforme"  # the actor filter's value for what pixorga did itself (by=None)


def audit_actors(membership) -> list[tuple[str, str]]:
    """(user id, name) of everyone who appears in the log the member reads, by name; one
    query. A person renamed since appears under their latest name."""
    latest: dict[int, tuple[datetime, str]] = {}
    rows = (
        AuditEvent.objects.for_membership(membership).exclude(actor_id=None)
        .values_list("actor_id", "actor_name").annotate(last=Max("at")).order_by()
    )
    for actor_id, name, last in rows:
        if actor_id not in latest or last > latest[actor_id][0]:
            latest[actor_id] = (last, name)
    return sorted(((str(pk), name) for pk, (_last, name) in latest.items()),
                  key=lambda item: (item[1].casefold(), item[0]))


def audit_events(
    membership,
    *,
    action: str = "",
    actor: str = "",
    since: date | None = None,
    until: date | None = None,
) -> AuditEventQuerySet:
    """The member's log, newest first; `since` and `until` are days, both included."""
    events = AuditEvent.objects.for_membership(membership)
    if action:
        events = events.filter(action=action)
    if actor == PLATFORM:
        events = events.filter(actor_id=None, actor_name="")
    elif actor:
        events = events.filter(actor_id=int(actor))
    # Local days as bounds of `at`: the index on (establishment, -at) still serves.
    if since is not None:
        events = events.filter(at__gte=_local_midnight(since))
    if until is not None:
        events = events.filter(at__lt=_local_midnight(until + timedelta(days=1)))
    return events.order_by("-at", "-pk")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
