"""Reads assembled for the remediation pages, each in a fixed number of queries whatever the
number of pupils, groups or sessions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Participant, Sending
from campaigns.selectors import division_sort_key
from certification.models import Session as CertificationSession
from establishments.models import Enrolment, Establishment, Membership, Pupil, SchoolClass
from pix.grades import LEAVING_GRADES
from pix.referential import COMPETENCE_CODES
from pix.rules import CERTIFIABLE_MIN_COMPETENCES, certifiable_competences
from progression.compliance import level_sources
from progression.levels import current_levels, plain_levels
from progression.models import PupilCompliance
from progression.selectors import pupils_not_meeting

from . import effect as effect_module
from .conflicts import Booking, Conflict, conflicts_by_key, find_conflicts
from .grouping import PupilNeeds, relative_gap
from .models import (
    Attendance,
    Group,
    GroupMember,
    Period,
    Registration,
    Session,
    Workshop,
)

LEVELS = "levels"  # the source "current levels", beside campaign ids


# --- where values come from ----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What tells a pupil's value per competence: a campaign's results (mastery for an
    assessment, levels for a profiles collection), or the pupils' current levels (latest
    profiles collection or certification, competence by competence)."""

    campaign: Campaign | None = None

    @property
    def key(self) -> str:
        return str(self.campaign.pk) if self.campaign else LEVELS

    @property
    def measure(self) -> str:
        if self.campaign is not None and self.campaign.gives_mastery:
            return Period.Measure.MASTERY
        return Period.Measure.LEVELS

    @property
    def gives_mastery(self) -> bool:
        return self.measure == Period.Measure.MASTERY

    def codes(self) -> list[str]:
        """The competences the source can tell (a parcours covers some)."""
        if self.campaign is not None and self.campaign.competence_codes:
            return [c for c in COMPETENCE_CODES if c in set(self.campaign.competence_codes)]
        return list(COMPETENCE_CODES)


def source_campaigns(membership: Membership, grade: str | None) -> list[Campaign]:
    """Campaigns of the year with imported results the member may see, those aimed at `grade`
    (when given) first, newest first. One query."""
    year = membership.establishment.current_year
    campaigns = list(
        Campaign.objects.for_membership(membership)
        .filter(school_year=year, results_imported_at__isnull=False)
        .prefetch_related(Prefetch("classes", queryset=SchoolClass.objects.only("grade")))
        .order_by("-results_imported_at", "-pk")
    )
    if grade:
        campaigns.sort(key=lambda c: grade not in {k.grade for k in c.classes.all()})
    return campaigns


def default_source(campaigns: Sequence[Campaign], grade: str | None) -> Source:
    """The latest results of the grade: its most recently imported campaign, else levels."""
    if grade:
        for campaign in campaigns:
            if grade in {k.grade for k in campaign.classes.all()}:
                return Source(campaign)
    return Source()


def campaign_values(campaign: Campaign, pupil_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """Each pupil's result in a campaign: mastery rates (assessment) or levels. One query."""
    key = "rate" if campaign.gives_mastery else "level"
    values: dict[int, dict[str, float]] = {}
    rows = Sending.objects.filter(
        is_result=True, participant__campaign=campaign, participant__pupil_id__in=list(pupil_ids)
    ).values_list("participant__pupil_id", "competences")
    for pupil_id, competences in rows:
        values[pupil_id] = {code: value[key] for code, value in competences.items()
                            if value.get(key) is not None}
    return values


def current_level_values(establishment: Establishment, start_year: int,
                         pupil_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """Each pupil's current level per competence (progression's rule). Two queries."""
    sources = level_sources(establishment, up_to=start_year, pupil_ids=list(pupil_ids))
    return {pupil_id: plain_levels(current_levels(items)) for pupil_id, items in sources.items()}


def gaps_of(values: dict[str, float], codes: Iterable[str], threshold: float) -> dict[str, float]:
    return {code: gap for code in codes if (gap := relative_gap(values.get(code), threshold)) > 0}


# --- who needs help ------------------------------------------------------------------------------


@dataclass
class PupilNeed:
    pupil: Pupil
    school_class: SchoolClass
    values: dict[str, float]  # from the source
    below: list[str]  # competences below the threshold, weakest first
    compliance: PupilCompliance | None = None  # when not meeting the grade's objective
    not_certifiable: bool = False  # leaving class, fewer than 5 competences at level 1
    at_level_one: int = 0
    never_shared: bool = False
    started_only: bool = False  # began a campaign this year without sending
    member: GroupMember | None = None  # their group in a running period

    @property
    def needs_help(self) -> bool:
        return bool(self.below or self.compliance or self.not_certifiable or self.never_shared)


REASONS = ("below", "objective", "certifiable", "never_shared")


@dataclass
class NeedsReport:
    source: Source
    threshold: float
    rows: list[PupilNeed]
    pupils: int  # in the scope, needing help or not
    counts: dict[str, int]  # reason → pupils
    below_by_code: dict[str, int]  # competence → pupils below the threshold
    measured_by_code: dict[str, int]  # competence → pupils with a value
    codes: list[str]
    computed_at: datetime | None  # of the stored compliance


def needs_report(membership: Membership, *, grade: str | None = None,
                 school_class: SchoolClass | None = None, competence: str | None = None,
                 source: Source | None = None, threshold: float | None = None,
                 reason: str | None = None) -> NeedsReport:
    """The pupils who need help in the member's scope (teachers: their classes), by reason.
    Seven queries."""
    establishment = membership.establishment
    year = establishment.current_year
    source = source or Source()
    if threshold is None:
        threshold = 0.5 if source.gives_mastery else 1.0
    enrolments = Enrolment.objects.filter(
        school_year=year, school_class__establishment=establishment, left_on__isnull=True
    )
    if grade:
        enrolments = enrolments.filter(school_class__grade=grade)
    if school_class is not None:
        enrolments = enrolments.filter(school_class=school_class)
    if not membership.sees_whole_establishment:
        enrolments = enrolments.filter(school_class__teachers=membership)
    enrolments = sorted(
        enrolments.select_related("pupil", "school_class"),
        key=lambda e: (division_sort_key(e.school_class.code), e.pupil.last_name,
                       e.pupil.first_name, e.pupil_id),
    )
    pupil_ids = [e.pupil_id for e in enrolments]
    levels = current_level_values(establishment, year.start_year, pupil_ids)
    values = (campaign_values(source.campaign, pupil_ids) if source.campaign is not None
              else levels)
    not_meeting = {
        row.pupil_id: row
        for row in pupils_not_meeting(establishment, year, grade or None, school_class)
    }
    computed_at = max((r.computed_at for r in not_meeting.values()), default=None)
    shared: set[int] = set()
    started: set[int] = set()
    for pupil_id, has_shared in Participant.objects.filter(
        campaign__establishment=establishment, campaign__school_year=year,
        pupil_id__in=pupil_ids,
    ).values_list("pupil_id", "has_shared"):
        (shared if has_shared else started).add(pupil_id)
    members = {
        m.pupil_id: m
        for m in GroupMember.objects.filter(
            period__establishment=establishment, period__school_year=year,
            period__ends_on__gte=timezone.localdate(), pupil_id__in=pupil_ids,
        ).select_related("group", "period").order_by("period__starts_on")
    }

    codes = source.codes()
    rows: list[PupilNeed] = []
    counts = dict.fromkeys(REASONS, 0)
    below_by_code = dict.fromkeys(codes, 0)
    measured_by_code = dict.fromkeys(codes, 0)
    for enrolment in enrolments:
        pupil_id = enrolment.pupil_id
        own = values.get(pupil_id, {})
        gaps = gaps_of(own, codes, threshold)
        below = sorted(gaps, key=lambda c: (-gaps[c], COMPETENCE_CODES.index(c)))
        for code in codes:
            if own.get(code) is not None:
                measured_by_code[code] += 1
        for code in below:
            below_by_code[code] += 1
        leaving = enrolment.school_class.grade in LEAVING_GRADES
        at_level_one = certifiable_competences(levels.get(pupil_id, {}))
        need = PupilNeed(
            pupil=enrolment.pupil, school_class=enrolment.school_class, values=own,
            below=below, compliance=not_meeting.get(pupil_id),
            not_certifiable=leaving and at_level_one < CERTIFIABLE_MIN_COMPETENCES,
            at_level_one=at_level_one,
            never_shared=pupil_id not in shared, started_only=pupil_id in started - shared,
            member=members.get(pupil_id),
        )
        flags = {"below": bool(need.below), "objective": need.compliance is not None,
                 "certifiable": need.not_certifiable, "never_shared": need.never_shared}
        for key, flag in flags.items():
            counts[key] += flag
        if not need.needs_help:
            continue
        if reason and not flags.get(reason):
            continue
        if competence and competence not in need.below and not (
            need.compliance and f" {competence} " in need.compliance.missing_codes
        ):
            continue
        rows.append(need)
    return NeedsReport(source=source, threshold=threshold, rows=rows, pupils=len(enrolments),
                       counts=counts, below_by_code=below_by_code,
                       measured_by_code=measured_by_code, codes=codes,
                       computed_at=computed_at)


def grade_needs(establishment: Establishment, grade: str, source: Source, threshold: float,
                codes: Iterable[str]) -> tuple[list[PupilNeeds], dict[int, dict[str, float]]]:
    """Every pupil of the grade this year with their gaps on `codes`, for the proposal, and
    their values. Three queries."""
    year = establishment.current_year
    pupil_ids = list(
        Enrolment.objects.filter(
            school_year=year, school_class__establishment=establishment,
            school_class__grade=grade, left_on__isnull=True,
        ).order_by("pupil_id").values_list("pupil_id", flat=True)
    )
    if source.campaign is not None:
        values = campaign_values(source.campaign, pupil_ids)
    else:
        values = current_level_values(establishment, year.start_year, pupil_ids)
    codes = list(codes)
    needs = [PupilNeeds(pupil_id, gaps_of(values.get(pupil_id, {}), codes, threshold))
             for pupil_id in pupil_ids]
    return needs, values


# --- a period and its groups ---------------------------------------------------------------------


def period_groups(period: Period, membership: Membership | None = None) -> list[Group]:
    """The period's groups (those the member may see) with their members, leader and sessions'
    count. Three queries."""
    groups = Group.objects.filter(period=period)
    if membership is not None:
        groups = groups.filter(pk__in=Group.objects.for_membership(membership).values("pk"))
    groups = list(
        groups.select_related("leader__user")
        .annotate(session_count=Count("sessions", distinct=True))
        .prefetch_related(Prefetch(
            "members",
            queryset=GroupMember.objects.select_related("pupil").order_by(
                "pupil__last_name", "pupil__first_name", "pk"),
        ))
        .order_by("name", "pk")
    )
    for group in groups:
        group.period = period  # already read: access checks need it, once
    return groups


def class_codes(pupil_ids: Iterable[int], school_year_id: int) -> dict[int, str]:
    """Each pupil's class code that year. One query."""
    return dict(
        Enrolment.objects.filter(pupil_id__in=list(pupil_ids), school_year_id=school_year_id)
        .values_list("pupil_id", "school_class__code")
    )


def unplaced_pupils(period: Period, placed: set[int]) -> list[tuple[Pupil, str, dict]]:
    """Pupils of the period's grade who need help on its source and are in none of its groups,
    with their class and values. Four queries."""
    source = Source(period.source_campaign)
    needs, values = grade_needs(period.establishment, period.grade, source,
                                period.threshold_value(), source.codes())
    waiting = [n.pupil_id for n in needs if n.needs_help and n.pupil_id not in placed]
    pupils = Pupil.objects.filter(pk__in=waiting).order_by("last_name", "first_name", "pk")
    codes = class_codes(waiting, period.school_year_id)
    return [(p, codes.get(p.pk, ""), values.get(p.pk, {})) for p in pupils]


def staff_leaders(establishment: Establishment) -> QuerySet[Membership]:
    """Who may lead a session: the RUPN and the teachers."""
    return (
        Membership.objects.filter(establishment=establishment,
                                  role__in=(Membership.Role.RUPN, Membership.Role.TEACHER))
        .select_related("user").order_by("user__last_name", "user__first_name", "pk")
    )


# --- bookings and conflicts ----------------------------------------------------------------------


def _session_booking(session: Session, pupil_ids: Iterable[int]) -> Booking:
    return Booking(
        key=f"session:{session.pk}", label=str(session.group.name),
        starts_at=session.starts_at, ends_at=session.ends_at, room_id=session.room_id,
        people=frozenset({session.leader_id} if session.leader_id else ()),
        pupils=frozenset(pupil_ids),
        url=reverse("remediation:session", args=[session.pk]),
    )


def bookings_between(establishment: Establishment, start: datetime,
                     end: datetime) -> list[Booking]:
    """Every remediation session, workshop and certification session of the establishment that
    overlaps [start, end). Six queries."""
    sessions = list(
        Session.objects.filter(group__period__establishment=establishment,
                               starts_at__lt=end, starts_at__gte=start - timedelta(hours=8))
        .select_related("group")
    )
    members: dict[int, set[int]] = defaultdict(set)
    for group_id, pupil_id in GroupMember.objects.filter(
        group_id__in={s.group_id for s in sessions}
    ).values_list("group_id", "pupil_id"):
        members[group_id].add(pupil_id)
    bookings = [_session_booking(s, members[s.group_id]) for s in sessions]

    workshops = list(
        Workshop.objects.filter(establishment=establishment, starts_at__lt=end,
                                starts_at__gte=start - timedelta(hours=8))
        .prefetch_related(Prefetch("registrations", queryset=Registration.objects.only(
            "workshop_id", "member_id")))
    )
    for workshop in workshops:
        people = {r.member_id for r in workshop.registrations.all()}
        if workshop.led_by_id:
            people.add(workshop.led_by_id)
        bookings.append(Booking(
            key=f"workshop:{workshop.pk}", label=workshop.topic, starts_at=workshop.starts_at,
            ends_at=workshop.ends_at, room_id=workshop.room_id, people=frozenset(people),
            url=reverse("remediation:workshop", args=[workshop.pk]),
        ))

    certification = list(
        CertificationSession.objects.filter(
            plan__establishment=establishment, starts_at__lt=end,
            starts_at__gte=start - timedelta(hours=8),
        ).prefetch_related("invigilators", Prefetch("candidates"))
    )
    for session in certification:
        bookings.append(Booking(
            key=f"certification:{session.pk}", label=str(session),
            starts_at=session.starts_at,
            ends_at=session.starts_at + timedelta(minutes=session.minutes),
            room_id=session.room_id,
            people=frozenset(m.pk for m in session.invigilators.all()),
            pupils=frozenset(c.pupil_id for c in session.candidates.all()),
        ))
    return [b for b in bookings if b.ends_at > start]


@dataclass
class ConflictNames:
    """Names for the ids conflicts carry. Three queries at most."""

    rooms: dict[int, str] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)
    pupils: dict[int, str] = field(default_factory=dict)


def conflict_names(conflicts: Sequence[Conflict]) -> ConflictNames:
    from certification.models import Room

    names = ConflictNames()
    room_ids = {i for c in conflicts if c.kind == "room" for i in c.ids}
    people_ids = {i for c in conflicts if c.kind == "person" for i in c.ids}
    pupil_ids = {i for c in conflicts if c.kind == "pupil" for i in c.ids}
    if room_ids:
        names.rooms = dict(Room.objects.filter(pk__in=room_ids).values_list("pk", "name"))
    if people_ids:
        names.people = {m.pk: m.user.get_full_name() or m.user.username
                        for m in Membership.objects.filter(pk__in=people_ids)
                        .select_related("user")}
    if pupil_ids:
        names.pupils = {p.pk: str(p) for p in Pupil.objects.filter(pk__in=pupil_ids)}
    return names


def session_conflicts(establishment: Establishment,
                      sessions: Sequence[Session]) -> dict[str, list[Conflict]]:
    """Conflicts of the given sessions with anything booked at the same time, by booking key.
    Six queries (none without sessions)."""
    if not sessions:
        return {}
    start = min(s.starts_at for s in sessions)
    end = max(s.ends_at for s in sessions)
    bookings = bookings_between(establishment, start, end)
    keys = {f"session:{s.pk}" for s in sessions}
    return conflicts_by_key(find_conflicts(bookings, only=keys))


def planned_conflicts(establishment: Establishment, planned: Sequence[Booking],
                      ignore: Iterable[str] = ()) -> list[Conflict]:
    """Conflicts of sessions about to be saved (`planned`, keys "new:…") with what is booked,
    `ignore` being the keys they replace (a session being edited)."""
    if not planned:
        return []
    start = min(b.starts_at for b in planned)
    end = max(b.ends_at for b in planned)
    ignored = set(ignore)
    existing = [b for b in bookings_between(establishment, start, end) if b.key not in ignored]
    return find_conflicts([*existing, *planned], only={b.key for b in planned})


def session_list(membership: Membership, *, upcoming: bool = True,
                 today: date | None = None) -> list[Session]:
    """Sessions the member may see, from today on (or before today, newest first). Two
    queries."""
    today = today or timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    sessions = Session.objects.for_membership(membership).select_related(
        "group__period", "room", "leader__user"
    ).annotate(
        member_count=Count("group__members", distinct=True),
        present_count=Count("attendances", filter=Q(attendances__present=True), distinct=True),
        marked_count=Count("attendances", distinct=True),
    )
    if upcoming:
        return list(sessions.filter(starts_at__gte=midnight).order_by("starts_at", "pk"))
    return list(sessions.filter(starts_at__lt=midnight).order_by("-starts_at", "-pk"))


def attendance_sheet(session: Session) -> list[tuple[Pupil, str, bool | None]]:
    """The session's pupils (its group's, and any marked since they left it) with their class
    and presence (None: not marked yet). Three queries."""
    marks = dict(Attendance.objects.filter(session=session).values_list("pupil_id", "present"))
    ids = set(GroupMember.objects.filter(group_id=session.group_id)
              .values_list("pupil_id", flat=True)) | set(marks)
    codes = class_codes(ids, session.group.period.school_year_id)
    pupils = Pupil.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk")
    return [(p, codes.get(p.pk, ""), marks.get(p.pk)) for p in pupils]


# --- the effect ----------------------------------------------------------------------------------


def measurements(period: Period, pupil_ids: Iterable[int]
                 ) -> dict[int, list[effect_module.Measurement]]:
    """Every measurement of the period's kind for these pupils, up to now: assessments' mastery
    rates, or levels of profiles collections and certifications. One or two queries."""
    pupil_ids = list(pupil_ids)
    by_pupil: dict[int, list[effect_module.Measurement]] = defaultdict(list)
    if period.gives_mastery:
        rows = Sending.objects.filter(
            is_result=True, shared_at__isnull=False,
            participant__pupil_id__in=pupil_ids,
            participant__campaign__establishment_id=period.establishment_id,
            participant__campaign__kind__in=(Campaign.Kind.ASSESSMENT, Campaign.Kind.EXAM),
        ).values_list("participant__pupil_id", "shared_at", "competences",
                      "participant__campaign__name")
        for pupil_id, shared_at, competences, name in rows:
            by_pupil[pupil_id].append(effect_module.Measurement(
                pupil_id, shared_at,
                {code: value["rate"] for code, value in competences.items()
                 if value.get("rate") is not None},
                name,
            ))
        return by_pupil
    sources = level_sources(period.establishment, pupil_ids=pupil_ids)
    for pupil_id, items in sources.items():
        for item in items:
            moment = item.at or timezone.make_aware(datetime.combine(item.on, time(12)))
            by_pupil[pupil_id].append(effect_module.Measurement(
                pupil_id, moment,
                {code: level for code, level in item.levels.items() if level is not None},
                item.label,
            ))
    return by_pupil


@dataclass
class GroupEffectRow:
    group: Group
    effect: effect_module.GroupEffect | None  # None: no session yet
    sessions: int
    members: int


@dataclass
class PeriodEffect:
    period: Period
    rows: list[GroupEffectRow]
    overall: effect_module.OverallEffect
    grade_pupils: int
    attendees: int


def period_effect(period: Period) -> PeriodEffect:
    """Before and after for each group of the period and overall. Six queries."""
    groups = list(
        Group.objects.filter(period=period)
        .annotate(first_start=Min("sessions__starts_at"),
                  member_count=Count("members", distinct=True))
        .order_by("name", "pk")
    )
    sessions = list(Session.objects.filter(group__period=period).only(
        "group_id", "starts_at", "minutes"))
    ends: dict[int, datetime] = {}
    counts: dict[int, int] = defaultdict(int)
    for session in sessions:
        counts[session.group_id] += 1
        ends[session.group_id] = max(ends.get(session.group_id, session.ends_at),
                                     session.ends_at)
    present = defaultdict(set)
    for group_id, pupil_id in Attendance.objects.filter(
        session__group__period=period, present=True
    ).values_list("session__group_id", "pupil_id"):
        present[group_id].add(pupil_id)
    attended_any = set().union(*present.values()) if present else set()
    grade_pupils = set(
        Enrolment.objects.filter(
            school_year_id=period.school_year_id,
            school_class__establishment_id=period.establishment_id,
            school_class__grade=period.grade,
        ).values_list("pupil_id", flat=True)
    )
    data = measurements(period, grade_pupils | attended_any)
    threshold = period.threshold_value()
    rows = []
    for group in groups:
        if group.first_start is None:
            rows.append(GroupEffectRow(group, None, 0, group.member_count))
            continue
        result = effect_module.group_effect(
            competences=list(group.competences), attendees=present[group.pk],
            others=grade_pupils - attended_any, measurements=data,
            before=group.first_start, after=ends[group.pk], threshold=threshold,
        )
        rows.append(GroupEffectRow(group, result, counts[group.pk], group.member_count))
    overall = effect_module.overall_effect(r.effect for r in rows if r.effect is not None)
    return PeriodEffect(period, rows, overall, len(grade_pupils), len(attended_any))


# --- indicators for the direction ----------------------------------------------------------------


@dataclass
class RemediationIndicators:
    periods: int
    groups: int
    validated_groups: int
    pupils_in_groups: int
    sessions_held: int
    sessions_planned: int
    marks: int
    presences: int
    workshops: int
    workshop_registrations: int
    workshop_presences: int

    @property
    def attendance_rate(self) -> float | None:
        return self.presences / self.marks if self.marks else None


def remediation_indicators(establishment: Establishment) -> RemediationIndicators:
    """The year's figures, counted in the database. Five queries."""
    year = establishment.current_year
    now = timezone.now()
    periods = Period.objects.filter(establishment=establishment, school_year=year)
    groups = Group.objects.filter(period__in=periods).aggregate(
        groups=Count("pk"),
        validated=Count("pk", filter=Q(status=Group.Status.VALIDATED)),
    )
    sessions = Session.objects.filter(group__period__in=periods).aggregate(
        held=Count("pk", filter=Q(starts_at__lt=now)),
        planned=Count("pk", filter=Q(starts_at__gte=now)),
    )
    marks = Attendance.objects.filter(session__group__period__in=periods).aggregate(
        marks=Count("pk"), presences=Count("pk", filter=Q(present=True)),
    )
    workshops = Workshop.objects.filter(establishment=establishment, school_year=year).aggregate(
        n_workshops=Count("pk", distinct=True),
        n_registrations=Count("registrations", distinct=True),
        n_presences=Count("registrations", filter=Q(registrations__present=True),
                          distinct=True),
    )
    return RemediationIndicators(
        periods=periods.count(),
        groups=groups["groups"], validated_groups=groups["validated"],
        pupils_in_groups=GroupMember.objects.filter(period__in=periods)
        .values("pupil_id").distinct().count(),
        sessions_held=sessions["held"], sessions_planned=sessions["planned"],
        marks=marks["marks"], presences=marks["presences"],
        workshops=workshops["n_workshops"], workshop_registrations=workshops["n_registrations"],
        workshop_presences=workshops["n_presences"],
    )


# --- personal spaces -----------------------------------------------------------------------------


def pupil_sessions(pupil: Pupil, *, now: datetime | None = None) -> list[Session]:
    """The pupil's remediation sessions from today on. One query."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Session.objects.filter(group__members__pupil=pupil, starts_at__gte=start_of_day)
        .select_related("room", "leader__user", "group").order_by("starts_at", "pk").distinct()
    )


def teacher_sessions(membership: Membership, *, now: datetime | None = None,
                     limit: int = 6) -> list[Session]:
    """Sessions the teacher leads from today on, the soonest first. One query."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Session.objects.filter(leader=membership, starts_at__gte=start_of_day)
        .select_related("room", "group").annotate(member_count=Count("group__members"))
        .order_by("starts_at", "pk")[:limit]
    )


def teacher_workshops(membership: Membership, *, now: datetime | None = None) -> list[Workshop]:
    """Workshops the teacher signed up for, from today on. One query."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Workshop.objects.filter(registrations__member=membership, starts_at__gte=start_of_day)
        .select_related("room").order_by("starts_at", "pk")
    )
