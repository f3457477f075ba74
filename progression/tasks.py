"""Thin Celery tasks: they take ids, call a service, and are safe to run twice."""

from celery import shared_task

from establishments.models import Establishment, SchoolYear

from .compliance import compliance_rebuild


@shared_task
def compliance_rebuild_task(establishment_id: int,
                            school_year_ids: list[int] | None = None) -> None:
    """Recomputes the establishment's compliance (default: the current and previous years)."""
    establishment = (
        Establishment.objects.select_related("current_year").filter(pk=establishment_id).first()
    )
    if establishment is None:  # deleted since: nothing to compute
        return
    years = None
    if school_year_ids is not None:
        years = list(SchoolYear.objects.filter(pk__in=school_year_ids))
    compliance_rebuild(establishment, school_years=years)
