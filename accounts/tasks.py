from celery import shared_task

from .mail import email_from_payload


@shared_task
def send_email_task(payload: dict) -> None:
    """Sends a mail rendered in a request (see accounts.mail). A retry after a crash may send
    it twice: a second copy of a reset link is harmless, a lost one is not."""
    email_from_payload(payload).send()
