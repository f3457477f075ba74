"""Reads for the teachers' workshops and Pix+ Édu pages, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from establishments.models import Establishment, Membership

from .models import (
    PixEduRecord,
    Workshop,
)

# --- workshops and Pix+ Édu ----------------------------------------------------------------------


def workshop_list(membership: Membership, *, upcoming: bool = True) -> list[Workshop]:
    """Workshops of the year with their registrations' count and whether the member signed up.
    One query."""
    now = timezone.now()
    workshops = Workshop.objects.for_membership(membership).filter(
        school_year=membership.establishment.current_year
    ).select_related("room", "led_by__user").annotate(
        registered=Count("registrations", distinct=True),
        mine=Count("registrations", filter=Q(registrations__member=membership), distinct=True),
    )
    if upcoming:
        return list(workshops.filter(starts_at__gte=now - timedelta(hours=2))
                    .order_by("starts_at", "pk"))
    return list(workshops.filter(starts_at__lt=now - timedelta(hours=2))
                .order_by("-starts_at", "-pk"))


@dataclass
class PixEduIndicators:
    teachers: int
    positioned: int
    newly_tenured: int
    newly_tenured_attested: int
    trained: int
    attested: int
    certified: int

    @property
    def share_positioned(self) -> float | None:
        return self.positioned / self.teachers if self.teachers else None

    @property
    def share_newly_tenured_attested(self) -> float | None:
        if not self.newly_tenured:
            return None
        return self.newly_tenured_attested / self.newly_tenured


def teachers(establishment: Establishment) -> QuerySet[Membership]:
    """The teachers whose Pix+ Édu steps are followed (the teacher role)."""
    return Membership.objects.filter(establishment=establishment,
                                     role=Membership.Role.TEACHER)


def pix_edu_table(establishment: Establishment) -> list[tuple[Membership, PixEduRecord | None]]:
    """Every teacher with their Pix+ Édu record (None when nothing is recorded). One query."""
    members = teachers(establishment).select_related("user", "pix_edu").order_by(
        "user__last_name", "user__first_name", "pk")
    table = []
    for member in members:
        try:
            record = member.pix_edu
        except PixEduRecord.DoesNotExist:
            record = None
        table.append((member, record))
    return table


def pix_edu_indicators(establishment: Establishment) -> PixEduIndicators:
    """The establishment's shares: teachers who did the self-positioning, newly tenured ones
    with the attestation. One query."""
    figures = teachers(establishment).aggregate(
        teachers=Count("pk"),
        positioned=Count("pk", filter=Q(pix_edu__positioning_done=True)),
        newly_tenured=Count("pk", filter=Q(pix_edu__newly_tenured=True)),
        newly_tenured_attested=Count("pk", filter=Q(pix_edu__newly_tenured=True,
                                                    pix_edu__attestation_done=True)),
        trained=Count("pk", filter=Q(pix_edu__training_done=True)),
        attested=Count("pk", filter=Q(pix_edu__attestation_done=True)),
        certified=Count("pk", filter=Q(pix_edu__certification_done=True)),
    )
    return PixEduIndicators(**figures)
