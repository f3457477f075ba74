"""The year plan: what happens to each grade, month by month, over a school year.

Events come from providers: campaign windows and certification sessions are built in; another
app adds its own (remediation sessions, workshops) by registering a provider, once, from its
`AppConfig.ready()`:

    from progression.plan import PlanEvent, register_plan_provider

    def remediation_events(establishment, school_year, membership):
        for session in ...:
            yield PlanEvent(kind="remediation", label=_("Remédiation"), title=...,
                            starts_on=..., ends_on=..., grades=frozenset({"5e"}), url=...)

    register_plan_provider(remediation_events)

A provider sees the reader's membership and returns only what they may see; it should read in
a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Campaign
from certification.models import Session
from establishments.models import Establishment, Membership, SchoolClass, SchoolYear
from pix.grades import GRADE_CODES


@dataclass(frozen=True)
class PlanEvent:
    """Something on the year plan. `grades` empty means every grade."""

    kind: str  # "assessment", "profiles", "certification", "remediation"…: its colour
    label: str  # what kind of event, for people: « Collecte de profils »
    title: str
    starts_on: date
    ends_on: date
    grades: frozenset[str] = frozenset()
    url: str = ""
    detail: str = ""

    def concerns(self, grade: str | None) -> bool:
        return grade is None or not self.grades or grade in self.grades

    def overlaps(self, first: date, last: date) -> bool:
        return self.starts_on <= last and self.ends_on >= first

    @property
    def grade_list(self) -> list[str]:
        """The grades in school order (6e first)."""
        return sorted(self.grades, key=lambda g: (
            GRADE_CODES.index(g) if g in GRADE_CODES else len(GRADE_CODES), g))

    @property
    def one_day(self) -> bool:
        return self.starts_on == self.ends_on


PlanProvider = Callable[[Establishment, SchoolYear, Membership], Iterable[PlanEvent]]
_PROVIDERS: list[PlanProvider] = []


def register_plan_provider(provider: PlanProvider) -> PlanProvider:
    """Adds a provider of events (idempotent); usable as a decorator."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


# --- built-in providers ---------------------------------------------------------------------------


def campaign_events(establishment: Establishment, year: SchoolYear,
                    membership: Membership) -> list[PlanEvent]:
    """Campaign windows (opening to closing) of the year, for the grades of their classes.
    Two queries."""
    campaigns = (
        Campaign.objects.for_membership(membership)
        .filter(school_year=year, opens_on__isnull=False, archived_at__isnull=True)
        .prefetch_related(Prefetch("classes", queryset=SchoolClass.objects.only("grade")))
    )
    events = []
    for campaign in campaigns:
        profiles = campaign.kind == Campaign.Kind.PROFILES_COLLECTION
        events.append(PlanEvent(
            kind="profiles" if profiles else "assessment",
            label=campaign.get_kind_display(),
            title=campaign.name,
            starts_on=campaign.opens_on,
            ends_on=max(campaign.closes_on or campaign.opens_on, campaign.opens_on),
            grades=frozenset(c.grade for c in campaign.classes.all() if c.grade),
            url=reverse("campaigns:detail", args=[campaign.pk]),
            detail=campaign.code,
        ))
    return events


def certification_events(establishment: Establishment, year: SchoolYear,
                         membership: Membership) -> list[PlanEvent]:
    """Certification sessions of the year, one event a day (a school runs several sessions
    in a row), for the plan's certified grades. One query."""
    sessions = (
        Session.objects.filter(plan__establishment=establishment, plan__school_year=year)
        .select_related("plan", "room")
        .annotate(candidate_count=Count("candidates"))
        .order_by("starts_at", "room__name")
    )
    by_day: dict[date, list[Session]] = {}
    for session in sessions:
        by_day.setdefault(timezone.localtime(session.starts_at).date(), []).append(session)
    url = ""
    if membership.sees_whole_establishment:
        try:
            url = reverse("certification:plan")
        except NoReverseMatch:  # the certification pages are not installed
            url = ""
    events = []
    for day, of_day in by_day.items():
        rooms = sorted({s.room.name for s in of_day})
        candidates = sum(s.candidate_count for s in of_day)
        times = ", ".join(
            f"{timezone.localtime(s.starts_at):%H:%M} {s.room.name}" for s in of_day)
        events.append(PlanEvent(
            kind="certification",
            label=_("Certification"),
            title=ngettext("%(n)s session de certification", "%(n)s sessions de certification",
                           len(of_day)) % {"n": len(of_day)},
            starts_on=day, ends_on=day,
            grades=frozenset(g for s in of_day for g in (s.plan.grades or ())),
            url=url,
            detail=ngettext("%(n)s candidat", "%(n)s candidats", candidates) % {"n": candidates}
            + " · " + (times if len(of_day) <= 3 else ", ".join(rooms)),
        ))
    return events


BUILT_IN: tuple[PlanProvider, ...] = (campaign_events, certification_events)


def plan_events(establishment: Establishment, year: SchoolYear,
                membership: Membership) -> list[PlanEvent]:
    """Every event of the year from every provider, in date order."""
    events = [
        event
        for provider in (*BUILT_IN, *_PROVIDERS)
        for event in provider(establishment, year, membership)
    ]
    return sorted(events, key=lambda e: (e.starts_on, e.ends_on, e.title))


# --- months ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    first: date
    last: date
    events: tuple[PlanEvent, ...]
    is_current: bool = False


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def school_year_months(year: SchoolYear, events: Iterable[PlanEvent], *,
                       grade: str | None = None, today: date | None = None) -> list[Month]:
    """September to July (and August when something happens then), each with the events
    that touch it and concern `grade` (all grades when None)."""
    today = today or timezone.localdate()
    events = [e for e in events if e.concerns(grade)]
    months = []
    for index in range(12):
        month = (8 + index) % 12 + 1  # 9, 10, 11, 12, 1, … 8
        first, last = _month_bounds(year.start_year + (month < 9), month)
        touching = tuple(e for e in events if e.overlaps(first, last))
        if month == 8 and not touching:
            continue
        months.append(Month(first, last, touching, first <= today <= last))
    return months
