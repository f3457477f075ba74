"""Reads assembled for the planning pages and documents, each in a fixed number of queries
whatever the number of candidates; and the bridge from the database to the pure planner
(`planning_inputs`), so that a page and a proposal see the same plan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from campaigns.models import Campaign, Sending
from campaigns.selectors import division_sort_key
from establishments.models import Enrolment, Establishment, Membership, Pupil
from pix import candidates as pix_candidates
from pix.rules import certifiable_competences, is_certifiable

from . import planning
from .models import Availability, Candidate, CertificationPlan, Room, Session

# --- the plan ---------------------------------------------------------------------------------


def current_plan(establishment: Establishment) -> CertificationPlan | None:
    return (CertificationPlan.objects.filter(
        establishment=establishment, school_year_id=establishment.current_year_id)
        .select_related("school_year", "establishment").first())


def staff_members(establishment: Establishment) -> QuerySet[Membership]:
    """The people who may invigilate: every staff member, the RUPN and direction included."""
    return (Membership.objects.staff().filter(establishment=establishment)
            .select_related("user").order_by("user__last_name", "user__first_name", "pk"))


def member_name(member: Membership) -> str:
    user = member.user
    return user.get_full_name() or user.email or user.username


# --- candidates and their certifiability ------------------------------------------------------


@dataclass
class CandidateRow:
    """A candidate as the pages show them. `certifiable` is None when the pupil never shared a
    profiles collection; `at_level_one` counts competences at level 1 or more in it."""

    candidate: Candidate
    pupil: Pupil
    division: str
    certifiable: bool | None = None
    at_level_one: int | None = None
    measured_on: date | None = None
    session_ids: list[int] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)  # when a page needs them

    @property
    def pk(self) -> int:
        return self.candidate.pk

    @property
    def name(self) -> str:
        return f"{self.pupil.display_last_name} {self.pupil.first_name}"

    @property
    def extra_time_percent(self) -> int | None:
        return self.candidate.extra_time_percent


def _latest_profiles(plan: CertificationPlan, pupil_ids) -> dict[int, tuple[dict, datetime]]:
    """Each pupil's latest shared sending in a profiles collection of the establishment, up to
    the plan's year: {pupil id: (competences, shared at)}. One query."""
    sendings = (
        Sending.objects.filter(
            is_result=True,
            participant__pupil_id__in=pupil_ids,
            participant__campaign__establishment_id=plan.establishment_id,
            participant__campaign__kind=Campaign.Kind.PROFILES_COLLECTION,
            participant__campaign__school_year__start_year__lte=plan.school_year.start_year,
        )
        .order_by("participant__pupil_id", "-shared_at", "-pk")
        .values_list("participant__pupil_id", "competences", "shared_at")
    )
    latest: dict[int, tuple[dict, datetime]] = {}
    for pupil_id, competences, shared_at in sendings:
        latest.setdefault(pupil_id, (competences, shared_at))
    return latest


def plan_candidates(plan: CertificationPlan) -> list[CandidateRow]:
    """Every candidate with their class this year and their certifiability, by class then
    name. Two queries."""
    division = Enrolment.objects.filter(pupil=OuterRef("pupil_id"), school_year=plan.school_year)
    candidates = list(
        Candidate.objects.filter(plan=plan).select_related("pupil")
        .annotate(division=Subquery(division.values("school_class__code")[:1]))
    )
    latest = _latest_profiles(plan, [c.pupil_id for c in candidates]) if candidates else {}
    rows = []
    for candidate in candidates:
        row = CandidateRow(candidate, candidate.pupil, candidate.division or "")
        if candidate.pupil_id in latest:
            competences, shared_at = latest[candidate.pupil_id]
            levels = {code: value.get("level") for code, value in competences.items()}
            row.certifiable = is_certifiable(levels)
            row.at_level_one = certifiable_competences(levels)
            row.measured_on = timezone.localdate(shared_at) if shared_at else None
        rows.append(row)
    rows.sort(key=lambda r: (division_sort_key(r.division), r.pupil.display_last_name,
                             r.pupil.first_name, r.pk))
    return rows


@dataclass(frozen=True)
class CandidateCounts:
    total: int
    certifiable: int
    not_certifiable: int
    unknown: int
    extra_time: int
    by_division: list[tuple[str, int]]


def candidate_counts(rows: list[CandidateRow]) -> CandidateCounts:
    divisions: dict[str, int] = {}
    for row in rows:
        divisions[row.division] = divisions.get(row.division, 0) + 1
    return CandidateCounts(
        total=len(rows),
        certifiable=sum(1 for r in rows if r.certifiable),
        not_certifiable=sum(1 for r in rows if r.certifiable is False),
        unknown=sum(1 for r in rows if r.certifiable is None),
        extra_time=sum(1 for r in rows if r.extra_time_percent),
        by_division=list(divisions.items()),
    )


# --- the planning, as the planner sees it -----------------------------------------------------


@dataclass
class PlanningInputs:
    candidates: list[CandidateRow]
    rooms: list[Room]
    availabilities: list[Availability]
    members: dict[int, Membership]  # every staff member, by membership id
    sessions: list[Session]  # with `candidate_ids` and `invigilator_ids` set

    def plan_candidates(self) -> list[planning.PlanCandidate]:
        return [planning.PlanCandidate(r.pk, r.name, r.division, r.extra_time_percent)
                for r in self.candidates]

    def plan_rooms(self) -> list[planning.PlanRoom]:
        return [planning.PlanRoom(r.pk, r.name, r.computers) for r in self.rooms]

    def slots(self) -> list[planning.AvailabilitySlot]:
        return [planning.AvailabilitySlot(a.member_id, timezone.localtime(a.starts_at),
                                          timezone.localtime(a.ends_at))
                for a in self.availabilities]

    def planned_sessions(self) -> list[planning.PlannedSession]:
        return [planning.PlannedSession(s.pk, s.room_id, timezone.localtime(s.starts_at),
                                        s.minutes, tuple(s.candidate_ids),
                                        tuple(s.invigilator_ids))
                for s in self.sessions]

    def names(self) -> dict[int, str]:
        return {pk: member_name(m) for pk, m in self.members.items()}


def planning_inputs(plan: CertificationPlan) -> PlanningInputs:
    """Candidates, rooms, availabilities, staff and sessions of a plan. Seven queries."""
    candidates = plan_candidates(plan)
    rooms = list(Room.objects.filter(establishment_id=plan.establishment_id))
    availabilities = list(
        Availability.objects.filter(plan=plan).select_related("member__user")
        .order_by("starts_at", "member__user__last_name", "pk")
    )
    members = {m.pk: m for m in staff_members(plan.establishment)}
    sessions = list(Session.objects.filter(plan=plan).select_related("room"))
    by_session: dict[int, list[int]] = defaultdict(list)
    for session_id, candidate_id in Session.candidates.through.objects.filter(
            session__plan=plan).values_list("session_id", "candidate_id"):
        by_session[session_id].append(candidate_id)
    invigilated: dict[int, list[int]] = defaultdict(list)
    for session_id, member_id in Session.invigilators.through.objects.filter(
            session__plan=plan).values_list("session_id", "membership_id"):
        invigilated[session_id].append(member_id)
    sessions_of: dict[int, list[int]] = defaultdict(list)
    for session in sessions:
        session.candidate_ids = sorted(by_session[session.pk])
        session.invigilator_ids = sorted(invigilated[session.pk])
        for candidate_id in session.candidate_ids:
            sessions_of[candidate_id].append(session.pk)
    for row in candidates:
        row.session_ids = sessions_of.get(row.pk, [])
    return PlanningInputs(candidates, rooms, availabilities, members, sessions)


def plan_proposal(plan: CertificationPlan, inputs: PlanningInputs | None = None
                  ) -> planning.Proposal:
    inputs = inputs or planning_inputs(plan)
    return planning.propose_sessions(
        inputs.plan_candidates(), inputs.plan_rooms(), inputs.slots(),
        session_minutes=plan.session_minutes,
        second_invigilator_above=plan.second_invigilator_above,
    )


def plan_conflicts(plan: CertificationPlan, inputs: PlanningInputs) -> list[planning.Conflict]:
    """The plan's conflicts; before any session exists, every candidate being in none is the
    starting point, not a conflict."""
    if not inputs.sessions:
        return []
    return planning.find_conflicts(
        inputs.planned_sessions(), rooms=inputs.plan_rooms(),
        candidates=inputs.plan_candidates(), availabilities=inputs.slots(),
        invigilators=inputs.names(), session_minutes=plan.session_minutes,
        second_invigilator_above=plan.second_invigilator_above,
    )


@dataclass
class SlotGroup:
    """People available over the same time slot."""

    starts_at: datetime
    ends_at: datetime
    availabilities: list[Availability]


def availability_slots(availabilities: list[Availability]) -> list[tuple[date, list[SlotGroup]]]:
    """Availabilities by day, then by identical slot, as the RUPN entered them."""
    days: dict[date, dict[tuple[datetime, datetime], SlotGroup]] = defaultdict(dict)
    for availability in availabilities:
        start = timezone.localtime(availability.starts_at)
        end = timezone.localtime(availability.ends_at)
        group = days[start.date()].setdefault((start, end), SlotGroup(start, end, []))
        group.availabilities.append(availability)
    return [(day, sorted(groups.values(), key=lambda g: (g.starts_at, g.ends_at)))
            for day, groups in sorted(days.items())]


def available_for(plan: CertificationPlan, session: Session) -> set[int]:
    """The staff available over the whole of a session, by membership id."""
    slots = [planning.AvailabilitySlot(a.member_id, a.starts_at, a.ends_at)
             for a in Availability.objects.filter(plan=plan)]
    start = session.starts_at
    return planning.available_invigilators(slots, start, start + timedelta(minutes=session.minutes))


# --- pages ------------------------------------------------------------------------------------


@dataclass
class SessionRow:
    """A session as pages and documents show it."""

    key: int  # the session's id, or the proposal's number
    room: Room
    starts_at: datetime
    minutes: int
    candidates: list[CandidateRow]
    invigilators: list[Membership]
    conflicts: list[planning.Conflict] = field(default_factory=list)
    pix_number: str = ""

    @property
    def pk(self) -> int:
        return self.key

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def day(self) -> date:
        return timezone.localdate(self.starts_at)

    @property
    def divisions(self) -> list[str]:
        return sorted({c.division for c in self.candidates}, key=division_sort_key)

    @property
    def extra_time_count(self) -> int:
        return sum(1 for c in self.candidates if c.extra_time_percent)

    @property
    def invigilator_names(self) -> list[str]:
        return [member_name(m) for m in self.invigilators]

    def candidate_end(self, row: CandidateRow, session_minutes: int) -> datetime:
        return self.starts_at + timedelta(
            minutes=planning.session_length(session_minutes, row.extra_time_percent))


@dataclass
class PlanPage:
    plan: CertificationPlan
    inputs: PlanningInputs
    sessions: list[SessionRow]
    conflicts: list[planning.Conflict]
    counts: CandidateCounts
    unplaced: list[CandidateRow]
    invigilator_count: int

    @property
    def days(self) -> list[tuple[date, list[SessionRow]]]:
        by_day: dict[date, list[SessionRow]] = defaultdict(list)
        for session in self.sessions:
            by_day[session.day].append(session)
        return sorted(by_day.items())

    @property
    def general_conflicts(self) -> list[planning.Conflict]:
        """Conflicts not tied to a single session (candidates in none, in two)."""
        return [c for c in self.conflicts if len(c.session_keys) != 1]


def _session_rows(sessions: list[Session], inputs: PlanningInputs,
                  conflicts: list[planning.Conflict]) -> list[SessionRow]:
    rows_by_id = {r.pk: r for r in inputs.candidates}
    by_key: dict[int, list[planning.Conflict]] = defaultdict(list)
    for conflict in conflicts:
        for key in conflict.session_keys:
            by_key[key].append(conflict)
    result = []
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.room.name, s.pk)):
        result.append(SessionRow(
            key=session.pk, room=session.room, starts_at=timezone.localtime(session.starts_at),
            minutes=session.minutes,
            candidates=sorted((rows_by_id[c] for c in session.candidate_ids if c in rows_by_id),
                              key=_row_order),
            invigilators=[inputs.members[m] for m in session.invigilator_ids
                          if m in inputs.members],
            conflicts=by_key.get(session.pk, []), pix_number=session.pix_number,
        ))
    return result


def _row_order(row: CandidateRow) -> tuple:
    return (division_sort_key(row.division), row.pupil.display_last_name, row.pupil.first_name,
            row.pk)


def plan_page(plan: CertificationPlan) -> PlanPage:
    """The plan page: sessions with their conflicts, counts, unplaced candidates."""
    inputs = planning_inputs(plan)
    conflicts = plan_conflicts(plan, inputs)
    return PlanPage(
        plan=plan, inputs=inputs, sessions=_session_rows(inputs.sessions, inputs, conflicts),
        conflicts=conflicts, counts=candidate_counts(inputs.candidates),
        unplaced=[r for r in inputs.candidates if not r.session_ids],
        invigilator_count=len({a.member_id for a in inputs.availabilities}),
    )


def proposal_rows(proposal: planning.Proposal, inputs: PlanningInputs) -> list[SessionRow]:
    """A proposal's sessions shown like saved ones, for the preview."""
    rooms = {r.pk: r for r in inputs.rooms}
    rows_by_id = {r.pk: r for r in inputs.candidates}
    rows = [
        SessionRow(
            key=s.key, room=rooms[s.room_id], starts_at=s.starts_at, minutes=s.minutes,
            candidates=sorted((rows_by_id[c] for c in s.candidate_ids), key=_row_order),
            invigilators=[inputs.members[m] for m in s.invigilator_ids if m in inputs.members],
        )
        for s in proposal.sessions
    ]
    return sorted(rows, key=lambda r: (r.starts_at, r.room.name, r.key))


def session_page(plan: CertificationPlan, session: Session) -> tuple[SessionRow, PlanPage]:
    page = plan_page(plan)
    row = next(s for s in page.sessions if s.key == session.pk)
    return row, page


# --- invigilators and pupils ------------------------------------------------------------------


@dataclass
class InvigilatorSchedule:
    member: Membership
    sessions: list[SessionRow]

    @property
    def name(self) -> str:
        return member_name(self.member)

    @property
    def total_minutes(self) -> int:
        return sum(s.minutes for s in self.sessions)


def invigilation_schedules(plan: CertificationPlan, *, member: Membership | None = None
                           ) -> list[InvigilatorSchedule]:
    """Each invigilator's sessions, by name; only `member`'s when given."""
    page = plan_page(plan)
    by_member: dict[int, list[SessionRow]] = defaultdict(list)
    for session in page.sessions:
        for person in session.invigilators:
            by_member[person.pk].append(session)
    schedules = [InvigilatorSchedule(page.inputs.members[pk], sessions)
                 for pk, sessions in by_member.items()]
    if member is not None:
        schedules = [s for s in schedules if s.member.pk == member.pk]
    return sorted(schedules, key=lambda s: (s.member.user.last_name, s.member.user.first_name,
                                            s.member.pk))


def member_sessions(member: Membership) -> list[Session]:
    """The sessions a member invigilates in their establishment's current plan, soonest
    first, each with its `ends_at`, for their home page (one query)."""
    sessions = list(
        Session.objects.filter(
            invigilators=member, plan__school_year_id=member.establishment.current_year_id,
            plan__establishment_id=member.establishment_id,
        ).select_related("room").order_by("starts_at")
    )
    for session in sessions:
        session.ends_at = session.starts_at + timedelta(minutes=session.minutes)
    return sessions


@dataclass(frozen=True)
class Convocation:
    """What a pupil needs to know to come to their session."""

    row: CandidateRow
    session: SessionRow
    ends_at: datetime  # the pupil's own end, extra time included
    establishment: Establishment

    @property
    def starts_at(self) -> datetime:
        return self.session.starts_at


def convocations(plan: CertificationPlan, *, session_id: int | None = None,
                 division: str | None = None) -> list[Convocation]:
    """One convocation per placed candidate, by session then name; a candidate placed twice
    (a conflict) gets one per session."""
    page = plan_page(plan)
    result = []
    for session in page.sessions:
        if session_id is not None and session.key != session_id:
            continue
        for row in session.candidates:
            if division and row.division != division:
                continue
            result.append(Convocation(row, session,
                                      session.candidate_end(row, plan.session_minutes),
                                      plan.establishment))
    return result


def pupil_convocations(pupil: Pupil) -> list[Convocation]:
    """A pupil's sessions in their establishment's current plan (for their own space)."""
    establishment = pupil.establishment
    sessions = list(
        Session.objects.filter(
            candidates__pupil=pupil, plan__establishment_id=establishment.pk,
            plan__school_year_id=establishment.current_year_id,
        ).select_related("room", "plan")
        .prefetch_related(Prefetch("candidates", queryset=Candidate.objects.filter(pupil=pupil)))
        .order_by("starts_at")
    )
    division = (Enrolment.objects.filter(pupil=pupil, school_year_id=establishment.current_year_id)
                .values_list("school_class__code", flat=True).first()) if sessions else ""
    result = []
    for session in sessions:
        candidate = next(c for c in session.candidates.all() if c.pupil_id == pupil.pk)
        row = CandidateRow(candidate, pupil, division or "")
        session_row = SessionRow(key=session.pk, room=session.room,
                                 starts_at=timezone.localtime(session.starts_at),
                                 minutes=session.minutes, candidates=[row], invigilators=[])
        result.append(Convocation(row, session_row,
                                  session_row.candidate_end(row, session.plan.session_minutes),
                                  establishment))
    return result


# --- the Pix Certif candidate list ------------------------------------------------------------


def pix_candidate(row: CandidateRow) -> pix_candidates.Candidate:
    """A candidate as Pix Certif imports them. Birth data are the pupil's; the pupil base has
    the birth commune's name but neither its INSEE code nor its postal code, which Pix Certif
    needs for a pupil born in France: they are left empty for the RUPN to fill in. The INE is
    the local id, which finds the pupil again in the results."""
    pupil = row.pupil
    return pix_candidates.Candidate(
        last_name=pupil.last_name, first_name=pupil.first_name, birthdate=pupil.birthdate,
        sex=pupil.sex, commune=pupil.birth_place, local_id=pupil.ine,
        extra_time=row.extra_time_percent or None,
    )


def session_pix_candidates(session: SessionRow) -> list[pix_candidates.Candidate]:
    return [pix_candidate(row) for row in session.candidates]
