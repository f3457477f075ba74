"""Thin Celery tasks: they take ids, call a service, and are safe to run twice."""

from celery import shared_task

from .sweep import jobs_sweep


@shared_task
def sweep_jobs_task() -> None:
    jobs_sweep()
