"""Mails sent by a Celery worker after commit, never inside the request that asks for them."""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction


def email_send_on_commit(message: EmailMessage) -> None:
    """Enqueues `message` once the current transaction commits (at once outside one)."""
    from .tasks import send_email_task  # tasks.py imports this module at the top

    payload = email_to_payload(message)
    transaction.on_commit(lambda: send_email_task.delay(payload))


def email_to_payload(message: EmailMessage) -> dict:
    """A JSON-serialisable copy of a rendered message (text, HTML alternatives, headers)."""
    alternatives = getattr(message, "alternatives", [])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "content_subtype": message.content_subtype,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": [[str(content), mimetype] for content, mimetype in alternatives],
    }


def email_from_payload(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        headers=payload["headers"] or None,
    )
    message.content_subtype = payload["content_subtype"]
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message
