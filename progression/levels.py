"""A pupil's current level per competence: the latest level known, whatever told it.

Two sources give levels: a profiles collection the pupil shared (their whole profile, level
per competence) and a validated certification (certified levels; `-`, stored as None, means
"not tested" and tells nothing). Per competence the newer wins; on the same day a
certification wins, as a certified level is the more reliable. Assessment campaigns give
mastery of a parcours, not levels: they only show which competences were worked.

Pure: sources in, levels out; the selectors read the sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from pix.referential import COMPETENCE_CODES


class Source(StrEnum):
    PROFILES = "profiles"
    CERTIFICATION = "certification"


# On the same day, the higher rank wins.
_RANK = {Source.PROFILES: 0, Source.CERTIFICATION: 1}


@dataclass(frozen=True)
class LevelSource:
    """One sending of a profiles collection, or one validated certification."""

    source: Source
    on: date
    levels: Mapping[str, int | None]
    label: str = ""  # the campaign's name, or the certification's session
    at: datetime | None = None  # the sending's moment, to order two of the same day
    ref: int = 0  # the sending's or result's id: a stable last tie-break

    def sort_key(self) -> tuple:
        return (self.on, _RANK[self.source], self.at.timestamp() if self.at else 0.0, self.ref)


class CurrentLevel(NamedTuple):
    level: int
    on: date
    source: Source
    label: str


def current_levels(sources: Iterable[LevelSource]) -> dict[str, CurrentLevel]:
    """Per competence (CRCN order), the level of the newest source that knows it."""
    known: dict[str, CurrentLevel] = {}
    for item in sorted(sources, key=LevelSource.sort_key):
        for code, level in item.levels.items():
            if level is not None:
                known[code] = CurrentLevel(level, item.on, item.source, item.label)
    return {code: known[code] for code in COMPETENCE_CODES if code in known}


def plain_levels(levels: Mapping[str, CurrentLevel]) -> dict[str, int]:
    return {code: value.level for code, value in levels.items()}


def provenance(levels: Mapping[str, CurrentLevel]) -> dict:
    """Where `levels` come from, compactly: each source once, each code pointing at one."""
    sources: list[list[str]] = []
    index: dict[tuple, int] = {}
    codes: dict[str, int] = {}
    for code, value in levels.items():
        key = (value.on.isoformat(), str(value.source), value.label)
        if key not in index:
            index[key] = len(sources)
            sources.append(list(key))
        codes[code] = index[key]
    return {"sources": sources, "codes": codes} if codes else {}
