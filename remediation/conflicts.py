"""Double bookings, as a pure function: bookings in, conflicts out. No database.

A booking is anything that takes a room, adults and pupils for a while: a remediation session,
a teachers' workshop, a certification session. Two bookings that overlap in time conflict when
they share the room, an adult (who leads, invigilates or attends) or a pupil. Conflicts are
shown, not forbidden: the RUPN decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ConflictKind(StrEnum):
    ROOM = "room"
    PERSON = "person"
    PUPIL = "pupil"


@dataclass(frozen=True)
class Booking:
    key: str  # unique among the bookings compared: "session:12", "certification:3"…
    label: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None = None
    people: frozenset[int] = frozenset()  # memberships: who leads, invigilates, attends
    pupils: frozenset[int] = frozenset()
    url: str = ""


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    first: Booking
    second: Booking
    ids: tuple[int, ...]  # the room, or the people or pupils booked twice

    def involves(self, key: str) -> bool:
        return key in (self.first.key, self.second.key)

    def other(self, key: str) -> Booking:
        return self.second if self.first.key == key else self.first


def overlaps(a: Booking, b: Booking) -> bool:
    """Half-open intervals: a session ending at 10:00 leaves the room free for one at 10:00."""
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def find_conflicts(bookings: Iterable[Booking], *,
                   only: Iterable[str] | None = None) -> list[Conflict]:
    """Every conflict between two of `bookings`; with `only`, those involving one of these
    keys. In order of the first booking's start, then room, people, pupils."""
    ordered = sorted(bookings, key=lambda b: (b.starts_at, b.ends_at, b.key))
    wanted = set(only) if only is not None else None
    conflicts: list[Conflict] = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1:]:
            if second.starts_at >= first.ends_at:
                break  # sorted by start: the following ones start even later
            if not overlaps(first, second):
                continue
            if wanted is not None and first.key not in wanted and second.key not in wanted:
                continue
            conflicts.extend(_between(first, second))
    return conflicts


def _between(first: Booking, second: Booking) -> list[Conflict]:
    found = []
    if first.room_id is not None and first.room_id == second.room_id:
        found.append(Conflict(ConflictKind.ROOM, first, second, (first.room_id,)))
    people = first.people & second.people
    if people:
        found.append(Conflict(ConflictKind.PERSON, first, second, tuple(sorted(people))))
    pupils = first.pupils & second.pupils
    if pupils:
        found.append(Conflict(ConflictKind.PUPIL, first, second, tuple(sorted(pupils))))
    return found


def conflicts_by_key(conflicts: Sequence[Conflict]) -> dict[str, list[Conflict]]:
    """Each booking's conflicts, for pages that list bookings one by one."""
    by_key: dict[str, list[Conflict]] = {}
    for conflict in conflicts:
        by_key.setdefault(conflict.first.key, []).append(conflict)
        by_key.setdefault(conflict.second.key, []).append(conflict)
    return by_key
