import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixorga.settings")

app = Celery("pixorga")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@worker_ready.connect
def sweep_jobs_when_a_worker_starts(sender=None, **kwargs) -> None:
    """Jobs uploaded while no worker or no broker was there run as soon as a worker is up,
    without waiting for beat's next sweep (nor for beat at all)."""
    from jobs.sweep import jobs_sweep

    try:
        jobs_sweep()
    except Exception:  # the worker must start anyway; beat's sweep will try again
        logger.exception("job sweep at worker start failed")
