"""The effect of remediation, as a pure function: measurements in, figures out. No database.

For a group, on each competence it aimed at, a pupil's *before* is their latest value measured
before the group's first session, and their *after* the first value measured after its last
session: the next campaign that covers the competence. Values are levels (profiles collections,
certification) or mastery rates 0–1 (assessments), never mixed: a period has one measure.

Only (pupil, competence) pairs measured both before and after count. Pupils who attended (at
least one session, present) are compared with the pupils of the same grade who attended no
session of the period; among those, the *comparable* ones were below the threshold before, as
the attendees were.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from pix.numbers import mean


@dataclass(frozen=True)
class Measurement:
    """A pupil's values at a moment (a shared sending, a certification)."""

    pupil_id: int
    at: datetime
    values: Mapping[str, float]
    label: str = ""  # the campaign, to say which one measured the "after"


@dataclass(frozen=True)
class Pair:
    pupil_id: int
    code: str
    before: float
    after: float
    after_label: str = ""

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Figures:
    """Means are exact (fractions of the values' decimal texts), so that a page rounds them,
    and their change, as a person does by hand (`pix.numbers`)."""

    pairs: int
    pupils: int
    mean_before: Fraction | None
    mean_after: Fraction | None
    improved: int  # pairs whose after is above their before

    @property
    def mean_change(self) -> Fraction | None:
        if self.mean_before is None or self.mean_after is None:
            return None
        return self.mean_after - self.mean_before

    @property
    def share_improved(self) -> Fraction | None:
        return Fraction(self.improved, self.pairs) if self.pairs else None


def figures(pairs: Iterable[Pair]) -> Figures:
    pairs = list(pairs)
    if not pairs:
        return Figures(0, 0, None, None, 0)
    return Figures(
        pairs=len(pairs),
        pupils=len({p.pupil_id for p in pairs}),
        mean_before=mean(p.before for p in pairs),
        mean_after=mean(p.after for p in pairs),
        improved=sum(1 for p in pairs if p.after > p.before),
    )


@dataclass(frozen=True)
class CompetenceEffect:
    code: str
    attended: Figures
    others: Figures
    comparable: Figures


@dataclass
class GroupEffect:
    competences: tuple[str, ...]
    before: datetime
    after: datetime
    attended_pairs: list[Pair] = field(default_factory=list)
    other_pairs: list[Pair] = field(default_factory=list)
    comparable_pairs: list[Pair] = field(default_factory=list)
    attendees: int = 0  # pupils who attended, measured or not

    @property
    def attended(self) -> Figures:
        return figures(self.attended_pairs)

    @property
    def others(self) -> Figures:
        return figures(self.other_pairs)

    @property
    def comparable(self) -> Figures:
        return figures(self.comparable_pairs)

    @property
    def measured(self) -> bool:
        """Whether a campaign after the sessions measured at least one attendee."""
        return bool(self.attended_pairs)

    @property
    def after_labels(self) -> list[str]:
        labels = {p.after_label for p in self.attended_pairs if p.after_label}
        return sorted(labels)

    def by_competence(self) -> list[CompetenceEffect]:
        return [
            CompetenceEffect(
                code,
                figures(p for p in self.attended_pairs if p.code == code),
                figures(p for p in self.other_pairs if p.code == code),
                figures(p for p in self.comparable_pairs if p.code == code),
            )
            for code in self.competences
        ]


class Series:
    """A pupil's measurements of one competence, in time order, to find before and after."""

    def __init__(self, measurements: Iterable[Measurement], code: str) -> None:
        points = sorted(
            ((m.at, m.values[code], m.label) for m in measurements
             if m.values.get(code) is not None),
            key=lambda point: point[0],
        )
        self._moments = [point[0] for point in points]
        self._points = points

    def before(self, moment: datetime) -> float | None:
        """The latest value measured strictly before `moment`."""
        index = bisect.bisect_left(self._moments, moment)
        return self._points[index - 1][1] if index else None

    def after(self, moment: datetime) -> tuple[float, str] | None:
        """The first value measured at or after `moment`, with what measured it."""
        index = bisect.bisect_left(self._moments, moment)
        if index == len(self._points):
            return None
        _at, value, label = self._points[index]
        return value, label


def _pairs(pupil_ids: Iterable[int], competences: Sequence[str],
           measurements: Mapping[int, Sequence[Measurement]], before: datetime,
           after: datetime) -> list[Pair]:
    pairs = []
    for pupil_id in sorted(pupil_ids):
        own = measurements.get(pupil_id, ())
        for code in competences:
            series = Series(own, code)
            value_before = series.before(before)
            found = series.after(after)
            if value_before is None or found is None:
                continue
            pairs.append(Pair(pupil_id, code, value_before, found[0], found[1]))
    return pairs


def group_effect(*, competences: Sequence[str], attendees: Iterable[int],
                 others: Iterable[int], measurements: Mapping[int, Sequence[Measurement]],
                 before: datetime, after: datetime, threshold: float) -> GroupEffect:
    """Before and after on `competences` for the pupils who attended and for the `others`
    (who attended no session); `threshold` says which others were comparable (below it
    before)."""
    attendees = set(attendees)
    others = set(others) - attendees
    other_pairs = _pairs(others, competences, measurements, before, after)
    return GroupEffect(
        competences=tuple(competences), before=before, after=after,
        attended_pairs=_pairs(attendees, competences, measurements, before, after),
        other_pairs=other_pairs,
        comparable_pairs=[p for p in other_pairs if p.before < threshold],
        attendees=len(attendees),
    )


@dataclass(frozen=True)
class OverallEffect:
    attended: Figures
    others: Figures
    comparable: Figures


def overall_effect(effects: Iterable[GroupEffect]) -> OverallEffect:
    """Every group's pairs pooled: a pair weighs the same whatever its group's size."""
    effects = list(effects)
    return OverallEffect(
        attended=figures(p for e in effects for p in e.attended_pairs),
        others=figures(p for e in effects for p in e.other_pairs),
        comparable=figures(p for e in effects for p in e.comparable_pairs),
    )
