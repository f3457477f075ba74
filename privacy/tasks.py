from celery import shared_task

from .services import departed_pupils_anonymise


@shared_task
def anonymise_departed_pupils_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): safe to run twice, anonymised pupils are not selected
    again. Returns the number of pupils anonymised."""
    return sum(counts.pupils for counts in departed_pupils_anonymise().values())
