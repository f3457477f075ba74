"""Reads assembled for pages: a fixed number of queries, whatever the number of pupils."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jobs.models import Job

from .models import Enrolment, Establishment, Invitation, Membership, Pupil, SchoolClass


def classes_with_counts(classes: QuerySet[SchoolClass]) -> QuerySet[SchoolClass]:
    return classes.annotate(
        pupil_count=Count("enrolments", filter=Q(enrolments__left_on__isnull=True)),
        account_count=Count(
            "enrolments",
            filter=Q(enrolments__left_on__isnull=True, enrolments__pupil__user__isnull=False),
        ),
    ).order_by("grade", "code")


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    url_name: str


@dataclass
class EstablishmentOverview:
    pupils: int
    classes: int
    pupils_with_account: int
    staff_by_role: dict[str, int]
    pending_invitations: int
    grades: list[dict]
    last_import: Job | None
    steps: list[Step]


def establishment_overview(establishment: Establishment) -> EstablishmentOverview:
    year = establishment.current_year
    current = Enrolment.objects.filter(
        school_class__establishment=establishment, school_year=year, left_on__isnull=True
    )
    totals = current.aggregate(
        pupils=Count("pk"), with_account=Count("pk", filter=Q(pupil__user__isnull=False))
    )
    grades = list(
        current.values("school_class__grade")
        .annotate(pupils=Count("pk"), classes=Count("school_class", distinct=True))
        .order_by("school_class__grade")
    )
    staff = dict(
        Membership.objects.filter(establishment=establishment)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    classes = SchoolClass.objects.filter(establishment=establishment, school_year=year)
    class_count = classes.count()
    teachers_with_classes = (
        Membership.objects.filter(establishment=establishment, role=Membership.Role.TEACHER)
        .filter(taught_classes__school_year=year)
        .distinct()
        .count()
    )
    pending = Invitation.objects.filter(
        establishment=establishment, accepted_at__isnull=True
    ).count()
    last_import = (
        Job.objects.filter(establishment=establishment, kind=Job.Kind.PUPIL_IMPORT)
        .order_by("-created_at")
        .first()
    )
    steps = [
        Step(_("Importer la base élèves (SIECLE)"), totals["pupils"] > 0, "pupils:import"),
        Step(
            _("Inviter les enseignants et la direction"),
            staff.get(Membership.Role.TEACHER, 0) + pending > 0,
            "team:list",
        ),
        Step(_("Attribuer leurs classes aux enseignants"), teachers_with_classes > 0, "team:list"),
        Step(
            _("Créer les comptes des élèves"),
            totals["pupils"] > 0 and totals["with_account"] == totals["pupils"],
            "team:pupil_accounts",
        ),
    ]
    return EstablishmentOverview(
        pupils=totals["pupils"],
        classes=class_count,
        pupils_with_account=totals["with_account"],
        staff_by_role=staff,
        pending_invitations=pending,
        grades=grades,
        last_import=last_import,
        steps=steps,
    )


def pupil_search(pupils: QuerySet[Pupil], query: str) -> QuerySet[Pupil]:
    from pix.names import normalise_name

    for word in normalise_name(query).split():
        pupils = pupils.filter(
            Q(last_name_key__contains=word) | Q(first_name_key__contains=word) | Q(ine__iexact=word)
        )
    return pupils
