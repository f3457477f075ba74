"""Planning the certification sessions, as pure functions: dataclasses in, dataclasses out, no
database, so that every rule is tested on hard cases without one.

`propose_sessions` splits the candidates into sessions: class by class, within the computers
of a room, candidates with extra time together in longer sessions, at times when enough
invigilators are available and free, never a room, a teacher or a pupil in two places at once.
`find_conflicts` checks any plan, proposed or edited by hand, against the same rules and says
in French what is wrong; the RUPN decides, nothing is silently accepted.

Times are aware datetimes in the establishment's time zone: messages print them as they are.
Messages are French templates with `%(name)s` placeholders, marked for translation and
translated when shown (`.text`), as in `pix`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext, gettext_noop

_ = gettext_noop  # marked for makemessages, translated by `Message.text`

DEFAULT_SESSION_MINUTES = 120
ROUNDING_MINUTES = 5
MAX_NAMES = 8  # candidates named in one message; the others are counted


def session_length(session_minutes: int, extra_time_percent: int | None) -> int:
    """A session's minutes for a candidate: with extra time, minutes × (1 + percent / 100)
    rounded up to 5 minutes (2 h with a tiers-temps of 33 % is 2 h 40)."""
    if not extra_time_percent:
        return session_minutes
    step = 100 * ROUNDING_MINUTES
    return -(-session_minutes * (100 + extra_time_percent) // step) * ROUNDING_MINUTES


def invigilators_needed(candidate_count: int, second_invigilator_above: int) -> int:
    return 2 if candidate_count > second_invigilator_above else 1


# --- what goes in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanCandidate:
    id: int
    name: str
    division: str
    extra_time_percent: int | None = None


@dataclass(frozen=True)
class PlanRoom:
    id: int
    name: str
    computers: int


@dataclass(frozen=True)
class AvailabilitySlot:
    """A time when an invigilator can invigilate."""

    invigilator_id: int
    starts_at: datetime
    ends_at: datetime


# --- what comes out ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedSession:
    """A session; `key` identifies it in conflicts (a database id, or a number in a proposal)."""

    key: int
    room_id: int
    starts_at: datetime
    minutes: int
    candidate_ids: tuple[int, ...] = ()
    invigilator_ids: tuple[int, ...] = ()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Message:
    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        translated = gettext(self.message)
        return translated % dict(self.params) if self.params else translated

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Proposal:
    sessions: tuple[PlannedSession, ...]
    unplaced: tuple[int, ...]  # candidate ids
    warnings: tuple[Message, ...]


class ConflictKind(StrEnum):
    ROOM_OVER_CAPACITY = "room_over_capacity"
    ROOM_DOUBLE_BOOKED = "room_double_booked"
    INVIGILATOR_DOUBLE_BOOKED = "invigilator_double_booked"
    INVIGILATOR_UNAVAILABLE = "invigilator_unavailable"
    TOO_FEW_INVIGILATORS = "too_few_invigilators"
    TOO_SHORT_FOR_EXTRA_TIME = "too_short_for_extra_time"
    CANDIDATE_TWICE = "candidate_twice"
    CANDIDATE_UNPLACED = "candidate_unplaced"


@dataclass(frozen=True)
class Conflict(Message):
    kind: ConflictKind = ConflictKind.ROOM_OVER_CAPACITY
    session_keys: tuple[int, ...] = ()


# --- time intervals ---------------------------------------------------------------------------


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Two half-open intervals overlap; back-to-back sessions do not."""
    return a_start < b_end and b_start < a_end


def _merged(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class _Availability:
    """Each invigilator's availability, adjacent or overlapping slots merged (8–10 and 10–12
    make 8–12)."""

    def __init__(self, slots: Iterable[AvailabilitySlot]) -> None:
        by_person: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for slot in slots:
            by_person[slot.invigilator_id].append((slot.starts_at, slot.ends_at))
        self.windows = {person: _merged(spans) for person, spans in by_person.items()}

    @property
    def people(self) -> list[int]:
        return sorted(self.windows)

    def covers(self, person: int, start: datetime, end: datetime) -> bool:
        return any(low <= start and end <= high for low, high in self.windows.get(person, ()))


def available_invigilators(slots: Iterable[AvailabilitySlot], start: datetime,
                           end: datetime) -> set[int]:
    """Who is available over the whole of [start, end)."""
    availability = _Availability(slots)
    return {p for p in availability.people if availability.covers(p, start, end)}


class _Bookings:
    def __init__(self) -> None:
        self.rooms: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        self.people: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        self.minutes: dict[int, int] = defaultdict(int)

    def room_free(self, room: int, start: datetime, end: datetime) -> bool:
        return not any(overlaps(start, end, s, e) for s, e in self.rooms[room])

    def person_free(self, person: int, start: datetime, end: datetime) -> bool:
        return not any(overlaps(start, end, s, e) for s, e in self.people[person])

    def book(self, session: PlannedSession) -> None:
        span = (session.starts_at, session.ends_at)
        self.rooms[session.room_id].append(span)
        for person in session.invigilator_ids:
            self.people[person].append(span)
            self.minutes[person] += session.minutes


# --- the proposal -----------------------------------------------------------------------------


@dataclass
class _Group:
    """Candidates to seat together: one class, or every candidate with extra time."""

    division: str
    candidates: list[PlanCandidate]
    extra_time: bool = False


def _groups(candidates: Sequence[PlanCandidate]) -> list[_Group]:
    """Candidates with extra time first (their longer sessions are the hardest to fit), longest
    extra time first; then each class in the order the candidates come in."""
    seen: set[int] = set()
    extra: list[PlanCandidate] = []
    classes: dict[str, _Group] = {}
    for candidate in candidates:
        if candidate.id in seen:
            continue
        seen.add(candidate.id)
        if candidate.extra_time_percent:
            extra.append(candidate)
        else:
            classes.setdefault(
                candidate.division, _Group(candidate.division, [])
            ).candidates.append(candidate)
    groups = []
    if extra:
        extra.sort(key=lambda c: -(c.extra_time_percent or 0))  # stable: keeps name order
        groups.append(_Group("", extra, extra_time=True))
    return groups + list(classes.values())


def _start_times(slots: Iterable[AvailabilitySlot], session_minutes: int) -> set[datetime]:
    """Each availability's start, then every `session_minutes` while a session fits."""
    step = timedelta(minutes=session_minutes)
    starts = set()
    for slot in slots:
        starts.add(slot.starts_at)
        start = slot.starts_at + step
        while start + step <= slot.ends_at:
            starts.add(start)
            start += step
    return starts


def _balanced(remaining: int, capacity: int) -> int:
    """Seats per session when `remaining` candidates need sessions of at most `capacity`:
    28 in rooms of 24 make 14 + 14, not 24 + 4."""
    sessions = -(-remaining // capacity)
    return -(-remaining // sessions)


def propose_sessions(
    candidates: Sequence[PlanCandidate],
    rooms: Sequence[PlanRoom],
    availabilities: Sequence[AvailabilitySlot],
    *,
    session_minutes: int = DEFAULT_SESSION_MINUTES,
    second_invigilator_above: int = 20,
    start_times: Iterable[datetime] | None = None,
) -> Proposal:
    """Split the candidates into sessions.

    Greedy and deterministic: group by group (extra time first, then each class), the earliest
    start time at which a room is free and enough available invigilators are free; the
    smallest room that seats the balanced share of the group. With a single invigilator free,
    a session takes at most `second_invigilator_above` candidates. Invigilators who have
    invigilated least are chosen first. Candidates no room or invigilator can take are
    returned as `unplaced`, with a warning that says why.

    Start times are `start_times` when given (a timetable's slots), and only those; else the
    starts of the availabilities and every `session_minutes` after them, plus the end of each
    session placed (so that a room is reused straight after a longer session).
    """
    warnings: list[Message] = []
    groups = _groups(candidates)
    everyone = [c.id for group in groups for c in group.candidates]
    usable_rooms = sorted((r for r in rooms if r.computers > 0),
                          key=lambda r: (r.computers, r.name, r.id))
    if not usable_rooms:
        warnings.append(Message(_("Aucune salle avec des ordinateurs : ajoutez les salles.")))
    if not availabilities:
        warnings.append(Message(
            _("Aucune disponibilité de surveillant : saisissez les disponibilités.")))
    if not everyone:
        warnings.append(Message(_("Aucun candidat : actualisez la liste des candidats.")))
    if not usable_rooms or not availabilities:
        return Proposal((), tuple(everyone), tuple(warnings))

    availability = _Availability(availabilities)
    bookings = _Bookings()
    starts = (set(start_times) if start_times is not None
              else _start_times(availabilities, session_minutes))
    sessions: list[PlannedSession] = []
    unplaced: list[int] = []

    for group in groups:
        remaining = list(group.candidates)
        while remaining:
            minutes = session_length(session_minutes, remaining[0].extra_time_percent)
            session, capped = _place_one(
                remaining, minutes, key=len(sessions) + 1, rooms=usable_rooms,
                starts=starts, availability=availability, bookings=bookings,
                second_invigilator_above=second_invigilator_above,
            )
            if session is None:
                unplaced += [c.id for c in remaining]
                warnings.append(_unplaced_warning(group, len(remaining), minutes))
                break
            if capped:
                warnings.append(Message(
                    _("%(group)s, session du %(when)s : un seul surveillant disponible, "
                      "la session est limitée à %(count)s candidats (deux surveillants au-delà "
                      "de %(limit)s)."),
                    {"group": _group_label(group), "when": _when(session.starts_at),
                     "count": len(session.candidate_ids), "limit": second_invigilator_above},
                ))
            sessions.append(session)
            bookings.book(session)
            if start_times is None:
                starts.add(session.ends_at)
            remaining = remaining[len(session.candidate_ids):]
    return Proposal(tuple(sessions), tuple(unplaced), tuple(warnings))


def _place_one(
    remaining: list[PlanCandidate],
    minutes: int,
    *,
    key: int,
    rooms: list[PlanRoom],
    starts: set[datetime],
    availability: _Availability,
    bookings: _Bookings,
    second_invigilator_above: int,
) -> tuple[PlannedSession | None, bool]:
    """The earliest session that seats some of `remaining`; `capped` when it seats fewer
    because only one invigilator was free."""
    length = timedelta(minutes=minutes)
    for start in sorted(starts):
        end = start + length
        free_rooms = [r for r in rooms if bookings.room_free(r.id, start, end)]
        if not free_rooms:
            continue
        free_people = [
            p for p in availability.people
            if availability.covers(p, start, end) and bookings.person_free(p, start, end)
        ]
        if not free_people:
            continue
        capacity = max(r.computers for r in free_rooms)
        capped = len(free_people) < 2 and min(capacity, len(remaining)) > second_invigilator_above
        if capped:
            capacity = second_invigilator_above
        if capacity <= 0:
            continue
        count = _balanced(len(remaining), capacity)
        room = next(r for r in free_rooms if r.computers >= count)  # rooms sorted small first
        needed = invigilators_needed(count, second_invigilator_above)
        chosen = sorted(free_people, key=lambda p: (bookings.minutes[p], p))[:needed]
        return PlannedSession(
            key=key, room_id=room.id, starts_at=start, minutes=minutes,
            candidate_ids=tuple(c.id for c in remaining[:count]),
            invigilator_ids=tuple(sorted(chosen)),
        ), capped
    return None, False


def _group_label(group: _Group) -> str:
    if group.extra_time:
        return gettext("Candidats avec temps majoré")
    return gettext("Classe %(division)s") % {"division": group.division or "—"}


def _unplaced_warning(group: _Group, count: int, minutes: int) -> Message:
    return Message(
        _("%(group)s : %(count)s candidat(s) non placé(s) — aucune salle libre avec un "
          "surveillant disponible pendant %(minutes)s min. Ajoutez des disponibilités ou "
          "des salles, ou placez-les à la main."),
        {"group": _group_label(group), "count": count, "minutes": minutes},
    )


# --- conflicts --------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")


def session_label(session: PlannedSession, rooms: Mapping[int, PlanRoom]) -> str:
    room = rooms.get(session.room_id)
    return f"{_when(session.starts_at)}–{session.ends_at:%H:%M}, {room.name if room else '?'}"


def find_conflicts(
    sessions: Sequence[PlannedSession],
    *,
    rooms: Sequence[PlanRoom],
    candidates: Sequence[PlanCandidate],
    availabilities: Sequence[AvailabilitySlot],
    invigilators: Mapping[int, str],
    session_minutes: int = DEFAULT_SESSION_MINUTES,
    second_invigilator_above: int = 20,
) -> list[Conflict]:
    """Everything wrong with a plan: a room over capacity or double-booked, an invigilator
    double-booked or outside their availability, too few invigilators, a session too short
    for a candidate's extra time, a candidate in two sessions or in none.

    `candidates` are all the plan's candidates; `invigilators` names people by id.
    """
    room_by_id = {r.id: r for r in rooms}
    candidate_by_id = {c.id: c for c in candidates}
    availability = _Availability(availabilities)
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.room_id, s.key))
    labels = {s.key: session_label(s, room_by_id) for s in ordered}
    conflicts: list[Conflict] = []

    def person(pk: int) -> str:
        return invigilators.get(pk, "?")

    for session in ordered:
        label = labels[session.key]
        room = room_by_id.get(session.room_id)
        count = len(set(session.candidate_ids))
        if room is not None and count > room.computers:
            conflicts.append(Conflict(
                _("%(session)s : %(count)s candidats pour %(computers)s ordinateurs dans la "
                  "salle « %(room)s »."),
                {"session": label, "count": count, "computers": room.computers,
                 "room": room.name},
                kind=ConflictKind.ROOM_OVER_CAPACITY, session_keys=(session.key,),
            ))
        needed = invigilators_needed(count, second_invigilator_above)
        present = len(set(session.invigilator_ids))
        if present < needed:
            if needed == 2:
                message = _("%(session)s : %(count)s candidats, plus de %(limit)s : il faut "
                            "deux surveillants, %(present)s prévu(s).")
            else:
                message = _("%(session)s : aucun surveillant.")
            conflicts.append(Conflict(
                message, {"session": label, "count": count, "present": present,
                          "limit": second_invigilator_above},
                kind=ConflictKind.TOO_FEW_INVIGILATORS, session_keys=(session.key,),
            ))
        for pk in sorted(set(session.invigilator_ids)):
            if not availability.covers(pk, session.starts_at, session.ends_at):
                conflicts.append(Conflict(
                    _("%(session)s : %(person)s n’est pas disponible sur toute la durée de la "
                      "session."),
                    {"session": label, "person": person(pk)},
                    kind=ConflictKind.INVIGILATOR_UNAVAILABLE, session_keys=(session.key,),
                ))
        longest = max(
            (session_length(session_minutes, candidate_by_id[c].extra_time_percent)
             for c in session.candidate_ids if c in candidate_by_id),
            default=0,
        )
        if longest > session.minutes:
            needing = sorted(
                candidate_by_id[c].name for c in set(session.candidate_ids)
                if c in candidate_by_id and session_length(
                    session_minutes, candidate_by_id[c].extra_time_percent) > session.minutes
            )
            conflicts.append(Conflict(
                _("%(session)s : la session dure %(minutes)s min, le temps majoré de "
                  "%(names)s demande %(needed)s min."),
                {"session": label, "minutes": session.minutes, "needed": longest,
                 "names": ", ".join(needing)},
                kind=ConflictKind.TOO_SHORT_FOR_EXTRA_TIME, session_keys=(session.key,),
            ))

    for index, first in enumerate(ordered):
        for second in ordered[index + 1:]:
            if not overlaps(first.starts_at, first.ends_at, second.starts_at, second.ends_at):
                continue
            pair = (first.key, second.key)
            if first.room_id == second.room_id:
                room = room_by_id.get(first.room_id)
                conflicts.append(Conflict(
                    _("La salle « %(room)s » est réservée deux fois : %(first)s et %(second)s."),
                    {"room": room.name if room else "?", "first": labels[first.key],
                     "second": labels[second.key]},
                    kind=ConflictKind.ROOM_DOUBLE_BOOKED, session_keys=pair,
                ))
            for pk in sorted(set(first.invigilator_ids) & set(second.invigilator_ids)):
                conflicts.append(Conflict(
                    _("%(person)s surveille deux sessions en même temps : %(first)s et "
                      "%(second)s."),
                    {"person": person(pk), "first": labels[first.key],
                     "second": labels[second.key]},
                    kind=ConflictKind.INVIGILATOR_DOUBLE_BOOKED, session_keys=pair,
                ))

    sessions_of: dict[int, list[int]] = defaultdict(list)
    for session in ordered:
        for pk in dict.fromkeys(session.candidate_ids):
            sessions_of[pk].append(session.key)
    for pk, keys in sessions_of.items():
        if len(keys) > 1:
            known = candidate_by_id.get(pk)
            conflicts.append(Conflict(
                _("%(name)s est dans %(count)s sessions : %(sessions)s."),
                {"name": known.name if known else "?", "count": len(keys),
                 "sessions": " ; ".join(labels[k] for k in keys)},
                kind=ConflictKind.CANDIDATE_TWICE, session_keys=tuple(keys),
            ))
    missing: dict[str, list[str]] = defaultdict(list)
    for candidate in candidates:
        if candidate.id not in sessions_of:
            missing[candidate.division].append(candidate.name)
    for division, names in missing.items():
        shown = ", ".join(names[:MAX_NAMES])
        if len(names) > MAX_NAMES:
            shown += f" … (+{len(names) - MAX_NAMES})"
        conflicts.append(Conflict(
            _("%(division)s : %(count)s candidat(s) dans aucune session : %(names)s."),
            {"division": division or "—", "count": len(names), "names": shown},
            kind=ConflictKind.CANDIDATE_UNPLACED,
        ))
    return conflicts
