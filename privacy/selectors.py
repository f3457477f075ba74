"""Which pupils are gone, and since when.

A pupil is never deleted when they leave: the pupil-base import marks their enrolment of that
year `left_on` when a new file no longer lists them, and a pupil who is simply not in the next
year's file keeps last year's enrolment, unmarked. So a pupil's departure is read from their
latest enrolment: its `left_on` when set, otherwise the end of that school year (31 August).
A pupil enrolled this year without `left_on` has a departure in the future.
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from establishments.models import Enrolment, Pupil, SchoolYear


def retention_cutoff(today: date, years: int) -> date:
    """The day `years` years before `today` (28 February for a 29 February)."""
    years = max(years, 0)
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def pupils_gone_before(cutoff: date) -> QuerySet[Pupil]:
    """Pupils not anonymised yet whose departure is before `cutoff`."""
    latest = Enrolment.objects.filter(pupil=OuterRef("pk")).order_by(
        "-school_year__start_year"
    )
    # A school year Y ends on 31 August Y+1: before `cutoff` exactly when Y is an earlier
    # school year than the one `cutoff` falls in.
    cutoff_year = SchoolYear.start_year_of(cutoff)
    return (
        Pupil.objects.filter(anonymised_at__isnull=True)
        .annotate(
            last_year=Subquery(latest.values("school_year__start_year")[:1]),
            last_left_on=Subquery(latest.values("left_on")[:1]),
        )
        .filter(
            Q(last_year__isnull=True, created_at__date__lt=cutoff)
            | Q(last_left_on__isnull=False, last_left_on__lt=cutoff)
            | Q(last_year__isnull=False, last_left_on__isnull=True, last_year__lt=cutoff_year)
        )
        .order_by(F("establishment_id"), "pk")
    )
