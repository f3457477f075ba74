"""Who is this candidate? Matching a certification result to a pupil, without the database.

Unlike campaign exports, certification results carry the candidate's birthdate (domain.md §4),
so a result is matched automatically only when names AND birthdate agree:

1. a person's decision on this certification (kept on the stored result, keyed by its
   certification number, which Pix never reuses) always wins — applied by the import;
2. exactly one pupil of the establishment with these normalised names and this birthdate →
   automatic; several (a rare homonym born the same day) → the one in the file's class, if
   exactly one is;
3. else the result waits in the queue with the pupils that look plausible: the same names with
   another birthdate (homonyms, or a birthdate typed wrong), then pupils born the same day
   whose names resemble (a first name spelled differently, a compound last name given in
   part, names swapped). Nothing of that kind is ever matched automatically.

Names compare by their normalised keys without spaces (`campaigns.matching.compact`), a pupil
under their usage name or their birth name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from campaigns.matching import MAX_CANDIDATES, compact, division_key

from .models import CertificationResult

Match = CertificationResult.Match
SAME_START = 3  # first names "start the same" on this many letters: Maël / Maëlys


@dataclass(frozen=True)
class KnownPupil:
    """What matching needs to know of a pupil of the establishment."""

    pupil_id: int
    last_name_keys: tuple[str, ...]  # usage name first, then birth name (normalised)
    first_name_key: str
    birthdate: date | None
    division: str = ""  # class code in the result's school year; "" when not enrolled then
    left: bool = False


@dataclass(frozen=True)
class CertifiedMatch:
    pupil_id: int | None
    status: str  # a `CertificationResult.Match` value
    candidates: tuple[int, ...] = ()


@dataclass
class PupilDirectory:
    """The establishment's pupils indexed by compact names and by birthdate."""

    by_names: dict[tuple[str, str], list[KnownPupil]] = field(default_factory=dict)
    by_birthdate: dict[date, list[KnownPupil]] = field(default_factory=dict)

    @classmethod
    def build(cls, pupils: Iterable[KnownPupil]) -> PupilDirectory:
        directory = cls()
        for pupil in pupils:
            first = compact(pupil.first_name_key)
            for last in dict.fromkeys(compact(key) for key in pupil.last_name_keys):
                directory.by_names.setdefault((last, first), []).append(pupil)
            if pupil.birthdate is not None:
                directory.by_birthdate.setdefault(pupil.birthdate, []).append(pupil)
        return directory


def match_result(
    *,
    last_name_key: str,
    first_name_key: str,
    birthdate: date | None,
    division: str,
    pupils: PupilDirectory,
) -> CertifiedMatch:
    """The pupil a certification result belongs to, or the queue with plausible pupils."""
    last, first = compact(last_name_key), compact(first_name_key)
    wanted_class = division_key(division) if division else ""
    same_names = _unique(pupils.by_names.get((last, first), ()))
    if birthdate is not None:
        exact = [p for p in same_names if p.birthdate == birthdate]
        if len(exact) == 1:
            return CertifiedMatch(exact[0].pupil_id, Match.AUTO)
        in_class = [p for p in exact if wanted_class and division_key(p.division) == wanted_class]
        if len(exact) > 1 and len(in_class) == 1:
            return CertifiedMatch(in_class[0].pupil_id, Match.AUTO)

    def rank(pupil: KnownPupil) -> tuple:
        return (pupil.birthdate != birthdate, division_key(pupil.division) != wanted_class,
                pupil.left, pupil.pupil_id)

    born_that_day = pupils.by_birthdate.get(birthdate, ()) if birthdate else ()
    close = [p for p in born_that_day if _names_resemble(last_name_key, first_name_key, p)]
    ordered = sorted(same_names, key=rank) + sorted(close, key=rank)
    candidates = tuple(dict.fromkeys(p.pupil_id for p in ordered))[:MAX_CANDIDATES]
    return CertifiedMatch(None, Match.PENDING, candidates)


def _unique(pupils: Iterable[KnownPupil]) -> list[KnownPupil]:
    return list({p.pupil_id: p for p in pupils}.values())


def _names_resemble(last_name_key: str, first_name_key: str, pupil: KnownPupil) -> bool:
    """Loose on purpose: the pupil was born the same day, and is only suggested."""
    first, pupil_first = compact(first_name_key), compact(pupil.first_name_key)
    lasts = [compact(key) for key in pupil.last_name_keys]
    last = compact(last_name_key)
    if first and first == pupil_first:
        return True
    if last in lasts and _starts_the_same(first, pupil_first):
        return True
    if last == pupil_first and first in lasts:  # names swapped
        return True
    parts = set(last_name_key.split())
    return any(parts & set(key.split()) for key in pupil.last_name_keys) and _starts_the_same(
        first, pupil_first
    )


def _starts_the_same(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    return min(len(a), len(b)) >= SAME_START and a[:SAME_START] == b[:SAME_START]
