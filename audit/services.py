"""Writing the audit log: one call per event, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from .models import AuditEvent


def audit_record(
    *,
    establishment,
    by,
    action: str,
    summary: str,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Records what `by` (a user, or None for the platform itself) did in `establishment`.

    Called inside the service's transaction, so an event exists exactly when its change does.
    """
    actor = by if by is not None and getattr(by, "pk", None) else None
    return AuditEvent.objects.create(
        establishment=establishment,
        actor=actor,
        actor_name=_actor_name(actor),
        action=action,
        summary=summary[:300],
        details=details or {},
    )


def _actor_name(user) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return (full or getattr(user, "email", "") or getattr(user, "username", ""))[:200]
