"""Writing the audit log: one call per event, inside the caller's transaction.

Summaries are written in the site's language (French) whatever the language of the person
acting, so that the log reads the same for everyone and still reads right once the object it
names is gone. A summary is a message id (`gettext_noop`) with its parameters, rendered here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from jobs.models import Job

from .models import AuditEvent

Action = AuditEvent.Action


def audit_record(
    *,
    establishment,
    by,
    action: str,
    summary: str,
    details: dict[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Records what `by` (a user, or None for the platform itself) did in `establishment`.

    Called inside the service's transaction, so an event exists exactly when its change does.
    With `params`, `summary` is a message id rendered in the site's language with them;
    without, it is kept as given. Never put a password, token or other secret in either.
    """
    actor = by if by is not None and getattr(by, "pk", None) else None
    if params is not None:
        summary = in_site_language(summary, params)
    return AuditEvent.objects.create(
        establishment=establishment,
        actor=actor,
        actor_name=_actor_name(actor),
        action=action,
        summary=summary.replace("\x00", "")[:300],
        details=_storable(details or {}),
    )


def _storable(details: dict[str, Any]) -> dict[str, Any]:
    """Plain JSON (dates and objects as text) without NUL characters, which PostgreSQL's jsonb
    refuses: a query parameter may carry one."""
    return _without_nul(json.loads(json.dumps(details, default=str)))


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def in_site_language(message: str, params: Mapping[str, Any] | None = None) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message)
        return text % dict(params) if params else text


def _actor_name(user) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return (full or getattr(user, "email", "") or getattr(user, "username", ""))[:200]


# --- downloads --------------------------------------------------------------------------------


def audit_download(
    *,
    establishment,
    by,
    document: str,
    summary: str,
    params: Mapping[str, Any],
    filename: str,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """A file (or printable page) holding pupils' data left the server: recorded when it is
    served. `document` names its kind for filtering ("campaign_results_csv", "bilan_pdf"…)."""
    return audit_record(
        establishment=establishment, by=by, action=Action.DOWNLOAD, summary=summary,
        params=params, details={"document": document, "filename": filename, **(details or {})},
    )


# --- imports ----------------------------------------------------------------------------------

# The count that says how much an import brought, by kind of job.
IMPORT_FIGURES: dict[str, str] = {
    Job.Kind.PUPIL_IMPORT: "rows",
    Job.Kind.CAMPAIGN_IMPORT: "participants",
    Job.Kind.CERTIFICATION_IMPORT: "certifications",
    Job.Kind.PIX_EDU_IMPORT: "teachers",
}


def _import_figure(kind: str, n: int) -> str:
    if kind == Job.Kind.PUPIL_IMPORT:
        text = ngettext("%(n)s élève", "%(n)s élèves", n)
    elif kind == Job.Kind.CAMPAIGN_IMPORT:
        text = ngettext("%(n)s participant", "%(n)s participants", n)
    elif kind == Job.Kind.CERTIFICATION_IMPORT:
        text = ngettext("%(n)s certification", "%(n)s certifications", n)
    else:
        text = ngettext("%(n)s enseignant mis à jour", "%(n)s enseignants mis à jour", n)
    return text % {"n": n}


def audit_import(
    *,
    establishment,
    by,
    kind: str,
    filename: str,
    counts: Mapping[str, Any],
    errors: int,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """An import and its outcome: done (with its main figure) or refused (nothing written)."""
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Job.Kind(kind).label)
        if errors:
            outcome = ngettext(
                "refusé (%(n)s erreur), rien n’a été enregistré",
                "refusé (%(n)s erreurs), rien n’a été enregistré", errors,
            ) % {"n": errors}
        else:
            outcome = gettext("réussi")
            figure = counts.get(IMPORT_FIGURES.get(kind, ""))
            if isinstance(figure, int):
                outcome = f"{outcome}, {_import_figure(kind, figure)}"
        summary = gettext("%(kind)s « %(file)s » : %(outcome)s") % {
            "kind": label, "file": filename or "—", "outcome": outcome,
        }
    return audit_record(
        establishment=establishment, by=by, action=Action.IMPORT, summary=summary,
        details={"kind": kind, "filename": filename, "ok": not errors, "errors": errors,
                 "counts": dict(counts), **(details or {})},
    )


def audit_job_outcome(job: Job | None) -> AuditEvent | None:
    """Records a finished import job's outcome, once: a retried task that finds the job done
    (job_run returns it as it is) records nothing more. Call it with what job_run returned."""
    if job is None or not job.is_finished:
        return None
    with transaction.atomic():
        # Two workers finishing the same delivery would both see no event: the row lock
        # makes the second one wait and find the first one's.
        list(Job.objects.select_for_update().filter(pk=job.pk).values_list("pk", flat=True))
        if AuditEvent.objects.filter(
            establishment_id=job.establishment_id, action=Action.IMPORT, details__job_id=job.pk
        ).exists():
            return None
        details: dict[str, Any] = {"job_id": job.pk, "status": job.status}
        if job.params.get("campaign_id"):
            details["campaign_id"] = job.params["campaign_id"]
        return audit_import(
            establishment=job.establishment, by=job.created_by, kind=job.kind,
            filename=job.filename, counts=job.counts or {}, errors=len(job.errors or []),
            details=details,
        )


# --- retention --------------------------------------------------------------------------------


def audit_events_purge(*, now: datetime | None = None, days: int | None = None) -> int:
    """Deletes the events older than the retention period; returns how many. Safe to rerun."""
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _by_model = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
