"""Who is this participant? Matching a Pix participant to a pupil, without the database.

Pix campaign exports carry no INE and no birthdate, only names, the class Pix knows and an
optional external id (domain.md §4). The rules, in order:

1. a person's decision for the same names, class and school year wins (a pupil, or "not ours");
2. exactly one pupil of the year with these names in the export's class → automatic;
3. else exactly one pupil of the year with these names in the whole establishment (a pupil who
   changed class since the campaign) → automatic;
4. else the participant waits in the matching queue, with the pupils that look plausible:
   homonyms, or close names (same last name and a first name starting the same, the same first
   name and a last name sharing a part, or first and last names swapped). Close names are never
   matched automatically.

Names compare by their normalised keys (`pix.names.normalise_name`: case, accents, hyphens,
apostrophes) and, beyond that, without spaces, so that `LE GALL`, `Le-Gall` and `LEGALL` are
one name. A pupil is known by their usage name and by their birth name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pix.names import normalise_name

from .models import Participant

MAX_CANDIDATES = 10
# Two first names "start the same" when they share this many letters (Maël / Maëlys,
# Louis / Louise, Jean / Jean-Baptiste), or when one is a prefix of the other.
SAME_START = 3


def compact(key: str) -> str:
    """A name key without its spaces: `le gall` and `legall` are the same name."""
    return key.replace(" ", "")


def division_key(division: str) -> str:
    """A class as Pix or SIECLE spell it, compared: `3 A`, `3a` and `3A` are one class."""
    return compact(normalise_name(division)).upper()


def pupil_last_name_keys(last_name: str, usage_name: str = "") -> tuple[str, ...]:
    """The last-name keys a pupil may appear under in Pix: usage name first, then birth name.

    `Pupil.last_name_key` holds the first one only (the displayed name); a pupil registered
    in Pix under their birth name must match as well.
    """
    keys = [normalise_name(usage_name)] if usage_name.strip() else []
    birth = normalise_name(last_name)
    if birth and birth not in keys:
        keys.append(birth)
    return tuple(keys)


@dataclass(frozen=True)
class PupilIdentity:
    """What matching needs to know of a pupil enrolled in the campaign's school year."""

    pupil_id: int
    last_name_keys: tuple[str, ...]  # see `pupil_last_name_keys`
    first_name_key: str
    division: str  # class code that year
    left: bool = False  # left the establishment during the year


@dataclass(frozen=True)
class Decision:
    """A person's decision (`MatchDecision`): a pupil, or None for "not ours"."""

    pupil_id: int | None


@dataclass(frozen=True)
class MatchResult:
    pupil_id: int | None
    status: str  # a `Participant.Match` value
    candidates: tuple[int, ...] = ()


DecisionKey = tuple[str, str, str]  # (last_name_key, first_name_key, division as in the export)


def decision_key(last_name_key: str, first_name_key: str, division: str) -> DecisionKey:
    return (last_name_key, first_name_key, division)


@dataclass
class PupilIndex:
    """The pupils of a school year, indexed by compact name keys for quick look-ups."""

    by_names: dict[tuple[str, str], list[PupilIdentity]] = field(default_factory=dict)
    by_last: dict[str, list[PupilIdentity]] = field(default_factory=dict)
    by_first: dict[str, list[PupilIdentity]] = field(default_factory=dict)

    @classmethod
    def build(cls, pupils: Iterable[PupilIdentity]) -> PupilIndex:
        index = cls()
        for pupil in pupils:
            first = compact(pupil.first_name_key)
            index.by_first.setdefault(first, []).append(pupil)
            for last in {compact(key) for key in pupil.last_name_keys}:
                index.by_names.setdefault((last, first), []).append(pupil)
                index.by_last.setdefault(last, []).append(pupil)
        return index


def match_participant(
    *,
    last_name_key: str,
    first_name_key: str,
    division: str,
    pupils: PupilIndex,
    decisions: Mapping[DecisionKey, Decision],
) -> MatchResult:
    """Who the participant is: (pupil id or None, status, candidate pupil ids)."""
    decision = decisions.get(decision_key(last_name_key, first_name_key, division))
    if decision is not None:
        if decision.pupil_id is None:
            return MatchResult(None, Participant.Match.NOT_OURS)
        return MatchResult(decision.pupil_id, Participant.Match.CONFIRMED)

    last, first = compact(last_name_key), compact(first_name_key)
    same_names = _unique(pupils.by_names.get((last, first), ()))
    wanted_class = division_key(division)
    in_class = [p for p in same_names if wanted_class and division_key(p.division) == wanted_class]
    if len(in_class) == 1:
        return MatchResult(in_class[0].pupil_id, Participant.Match.AUTO)
    if not in_class and len(same_names) == 1:
        return MatchResult(same_names[0].pupil_id, Participant.Match.AUTO)

    # Homonyms first (those of the export's class before the others), then close names.
    homonyms = sorted(same_names, key=lambda p: _rank(p, wanted_class))
    close = sorted(_close_names(last_name_key, first_name_key, pupils),
                   key=lambda p: _rank(p, wanted_class))
    candidates = list(dict.fromkeys(p.pupil_id for p in [*homonyms, *close]))
    return MatchResult(None, Participant.Match.PENDING, tuple(candidates[:MAX_CANDIDATES]))


def _unique(pupils: Iterable[PupilIdentity]) -> list[PupilIdentity]:
    """Pupils once each (a pupil whose usage and birth names are equal is indexed once)."""
    return list({p.pupil_id: p for p in pupils}.values())


def _rank(pupil: PupilIdentity, wanted_class: str) -> tuple[bool, bool, int]:
    return (division_key(pupil.division) != wanted_class, pupil.left, pupil.pupil_id)


def _close_names(last_name_key: str, first_name_key: str,
                 pupils: PupilIndex) -> list[PupilIdentity]:
    last, first = compact(last_name_key), compact(first_name_key)
    found: dict[int, PupilIdentity] = {}
    for pupil in pupils.by_last.get(last, ()):
        if _starts_the_same(first, compact(pupil.first_name_key)):
            found.setdefault(pupil.pupil_id, pupil)
    for pupil in pupils.by_first.get(first, ()):
        if any(_close_last_names(last_name_key, key) for key in pupil.last_name_keys):
            found.setdefault(pupil.pupil_id, pupil)
    for pupil in pupils.by_names.get((first, last), ()):  # names swapped
        found.setdefault(pupil.pupil_id, pupil)
    return list(found.values())


def _starts_the_same(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    return len(a) >= SAME_START and len(b) >= SAME_START and a[:SAME_START] == b[:SAME_START]


def _close_last_names(a: str, b: str) -> bool:
    """Last-name keys of one person: a compound name given in part (`LAMY` for
    `LAMY-DUBOIS`, `MARTIN` for `SAINT-MARTIN`), or one letter wrong in a long enough name."""
    whole_a, whole_b = compact(a), compact(b)
    if whole_a == whole_b:
        return True
    parts_a, parts_b = a.split(), b.split()
    if (len(parts_b) > 1 and whole_a in parts_b) or (len(parts_a) > 1 and whole_b in parts_a):
        return True
    return min(len(whole_a), len(whole_b)) >= 4 and _one_edit_apart(whole_a, whole_b)


def _one_edit_apart(a: str, b: str) -> bool:
    """True when one letter inserted, removed or replaced turns `a` into `b`."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]
