"""Proposing remediation groups, as a pure function: pupils' needs in, groups out. No database.

Each pupil of a grade comes with the competences they lack, each with a gap: how far below the
threshold they are, relative to it (0 < gap ≤ 1; a level 0 against a threshold of 1 is a gap of
1, a mastery of 30 % against 50 % a gap of 0.4). Pupils are grouped by what they lack most:

1. each pupil's *priorities* are their largest gap and, when close to it (`NEAR`), the next
   one: what they lack most;
2. the competence that is a priority for the most pupils not yet placed opens groups: those
   pupils, neediest first, split into as few groups as `max_size` allows, of balanced sizes
   (21 pupils with 15 at most make 11 and 10, not 15 and 6);
3. a competence that is a priority for fewer than `min_size` pupils opens no group: those
   pupils join, at the end, a group with room that aims at a competence they lack; failing
   that, a group with room that may aim at one more competence, which then aims at their
   weakest too; failing that, they open a (small) group of their own;
4. a group aims at its opening competence, then at those at least half of its pupils lack,
   `max_competences` at most.

Guarantees, tested: no group has more than `max_size` pupils, every pupil placed lacks at least
one competence of their group, and no pupil is placed twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pix.referential import COMPETENCE_CODES

PRIORITIES = 2  # a pupil's competences that count as "what they lack most", at most
NEAR = 0.75  # a second gap counts among them when at least 3/4 of the largest
_ORDER = {code: index for index, code in enumerate(COMPETENCE_CODES)}


@dataclass(frozen=True)
class PupilNeeds:
    """A pupil and the competences they lack: code → gap (0 < gap ≤ 1); other codes are
    ignored."""

    pupil_id: int
    gaps: Mapping[str, float]

    def gap(self, code: str) -> float:
        value = self.gaps.get(code, 0.0)
        return value if value > 0 else 0.0

    @property
    def lacking(self) -> list[str]:
        """Competences lacked, the largest gap first (ties in CRCN order)."""
        codes = [code for code, gap in self.gaps.items() if gap > 0]
        return sorted(codes, key=lambda c: (-self.gaps[c], _ORDER.get(c, 99), c))

    @property
    def priorities(self) -> list[str]:
        lacking = self.lacking
        if not lacking:
            return []
        largest = self.gaps[lacking[0]]
        return [code for code in lacking[:PRIORITIES] if self.gaps[code] >= NEAR * largest]

    @property
    def total_gap(self) -> float:
        return sum(self.gap(code) for code in self.gaps)

    @property
    def needs_help(self) -> bool:
        return any(gap > 0 for gap in self.gaps.values())


@dataclass(frozen=True)
class ProposedGroup:
    main: str  # the competence the group was opened for
    competences: tuple[str, ...]  # aimed at, `main` first
    pupil_ids: tuple[int, ...]  # neediest first


@dataclass
class _Draft:
    main: str
    pupils: list[PupilNeeds] = field(default_factory=list)
    competences: tuple[str, ...] = ()


def balanced_sizes(count: int, max_size: int) -> list[int]:
    """Sizes of the fewest groups of at most `max_size` for `count` pupils, as equal as can be."""
    if count <= 0:
        return []
    groups = -(-count // max_size)
    return [count // groups + (1 if index < count % groups else 0) for index in range(groups)]


def _aimed(main: str, pupils: Sequence[PupilNeeds], max_competences: int) -> tuple[str, ...]:
    """The opening competence, then those at least half of the pupils lack (most lacked first)."""
    counts: dict[str, tuple[int, float]] = {}
    for pupil in pupils:
        for code in pupil.lacking:
            n, total = counts.get(code, (0, 0.0))
            counts[code] = (n + 1, total + pupil.gap(code))
    others = [code for code, (n, _total) in counts.items()
              if code != main and 2 * n >= len(pupils)]
    others.sort(key=lambda c: (-counts[c][0], -counts[c][1], _ORDER.get(c, 99), c))
    return (main, *others[: max(max_competences - 1, 0)])


def _widened(drafts: list[_Draft], pupil: PupilNeeds, max_size: int,
             max_competences: int) -> _Draft | None:
    """A group with room that may aim at one more competence takes the pupil's weakest: the
    one whose pupils lack it most, then the smallest."""
    code = pupil.lacking[0]
    best, best_key = None, None
    for index, draft in enumerate(drafts):
        if len(draft.pupils) >= max_size or len(draft.competences) >= max_competences:
            continue
        key = (-sum(p.gap(code) for p in draft.pupils), len(draft.pupils), index)
        if best_key is None or key < best_key:
            best, best_key = draft, key
    if best is not None:
        best.competences = (*best.competences, code)
    return best


def _neediest_first(pupils: Iterable[PupilNeeds], code: str) -> list[PupilNeeds]:
    return sorted(pupils, key=lambda p: (-p.gap(code), -p.total_gap, p.pupil_id))


def propose_groups(pupils: Sequence[PupilNeeds], *, max_size: int, min_size: int = 4,
                   max_competences: int = 3) -> list[ProposedGroup]:
    """Groups of the pupils who need help (the others are left out), see the module's doc."""
    if max_size < 1:
        raise ValueError(f"max_size must be at least 1: {max_size}")
    if max_competences < 1:
        raise ValueError(f"max_competences must be at least 1: {max_competences}")
    seen: set[int] = set()
    for pupil in pupils:
        if pupil.pupil_id in seen:
            raise ValueError(f"pupil {pupil.pupil_id} given twice")
        seen.add(pupil.pupil_id)

    waiting = [p for p in pupils if p.needs_help]
    priorities = {p.pupil_id: p.priorities for p in waiting}
    drafts: list[_Draft] = []
    leftovers: list[PupilNeeds] = []
    while waiting:
        tally: dict[str, tuple[int, float]] = {}
        for pupil in waiting:
            for code in priorities[pupil.pupil_id]:
                n, total = tally.get(code, (0, 0.0))
                tally[code] = (n + 1, total + pupil.gap(code))
        code = min(tally, key=lambda c: (-tally[c][0], -tally[c][1], _ORDER.get(c, 99), c))
        taken = _neediest_first(
            (p for p in waiting if code in priorities[p.pupil_id]), code
        )
        taken_ids = {p.pupil_id for p in taken}
        waiting = [p for p in waiting if p.pupil_id not in taken_ids]
        if len(taken) < min_size:
            leftovers.extend(taken)
            continue
        start = 0
        for size in balanced_sizes(len(taken), max_size):
            chunk = taken[start:start + size]
            start += size
            drafts.append(_Draft(code, chunk, _aimed(code, chunk, max_competences)))

    opened_by_leftovers: list[_Draft] = []
    for pupil in sorted(leftovers, key=lambda p: (-p.total_gap, p.pupil_id)):
        best = None
        best_key = None
        for index, draft in enumerate(drafts):
            if len(draft.pupils) >= max_size:
                continue
            fit = sum(pupil.gap(code) for code in draft.competences)
            if fit <= 0:
                continue
            key = (-fit, len(draft.pupils), index)
            if best_key is None or key < best_key:
                best, best_key = draft, key
        if best is None:
            best = _widened(drafts, pupil, max_size, max_competences)
        if best is None:
            best = _Draft(pupil.lacking[0])
            best.competences = (best.main,)
            drafts.append(best)
            opened_by_leftovers.append(best)
        best.pupils.append(pupil)
    for draft in opened_by_leftovers:
        # Everyone in it lacks one of its competences: what else they share may be aimed too.
        extra = [c for c in _aimed(draft.main, draft.pupils, max_competences)
                 if c not in draft.competences]
        draft.competences = (*draft.competences, *extra)[:max_competences]

    return [
        ProposedGroup(draft.main, draft.competences,
                      tuple(p.pupil_id for p in draft.pupils))
        for draft in drafts
    ]


def relative_gap(value: float | None, threshold: float) -> float:
    """How far below `threshold` a value is, relative to it (0 when reached or unknown)."""
    if value is None or threshold <= 0 or value >= threshold:
        return 0.0
    return min((threshold - value) / threshold, 1.0)
