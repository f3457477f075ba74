"""The aggregates results pages and downloads read: `ResultSummary`, one per class and campaign.

Built from every participant of the export, matched to a pupil or not, in the class the export
gives (a participant without a class counts for the whole establishment only). Results are
each participant's latest shared sending (`Sending.is_result`). `summarise` is pure (a pandas
frame in, NumPy on its columns); `campaign_summaries_rebuild` reads the campaign in a constant
number of queries and replaces its summaries in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction

from pix.numbers import STORED_PLACES, mean, stored, stored_mean
from pix.referential import COMPETENCE_CODES
from pix.rules import FRAMEWORK_MAX_LEVEL

from .bulk import bulk_insert
from .models import Campaign, Participant, ResultSummary, Sending

ESTABLISHMENT = ResultSummary.ESTABLISHMENT
LEVELS = range(FRAMEWORK_MAX_LEVEL + 1)  # distributions count levels 0 … 8


# --- the frame: one row per participant --------------------------------------------------------


def level_column(code: str) -> str:
    return f"level:{code}"


def pix_column(code: str) -> str:
    return f"pix:{code}"


def rate_column(code: str) -> str:
    return f"rate:{code}"


def badge_column(name: str) -> str:
    return f"badge:{name}"


def build_frame(
    participants: Sequence[dict[str, Any]],
    results: Sequence[dict[str, Any]],
    started_ids: set[int],
    *,
    competence_codes: Sequence[str],
    badge_names: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per participant: `division`, `matched`, `shared`, `started`, `has_result`, then
    the values of their result sending: `pix_total`, `certifiable`, `mastery`, `stage`,
    `level:<code>`, `pix:<code>`, `rate:<code>`, `badge:<name>` (NaN where none).

    `participants` are dicts with `pk`, `division`, `pupil_id`, `has_shared`; `results` the
    result sendings with `participant_id`, `pix_total`, `certifiable`, `mastery`, `stage`,
    `badges`, `competences`; `started_ids` the participants with a start date.
    """
    by_participant = {result["participant_id"]: result for result in results}
    records = []
    for participant in participants:
        result = by_participant.get(participant["pk"])
        record: dict[str, Any] = {
            "division": participant["division"] or "",
            "matched": participant["pupil_id"] is not None,
            "shared": bool(participant["has_shared"]),
            "started": participant["pk"] in started_ids,
            "has_result": result is not None,
        }
        if result is not None:
            record["pix_total"] = result["pix_total"]
            record["certifiable"] = result["certifiable"]
            record["mastery"] = None if result["mastery"] is None else float(result["mastery"])
            record["stage"] = result["stage"]
            for code, value in (result["competences"] or {}).items():
                if "level" in value:
                    record[level_column(code)] = value["level"]
                    record[pix_column(code)] = value["pix"]
                if "rate" in value:
                    record[rate_column(code)] = value["rate"]
            for name, obtained in (result["badges"] or {}).items():
                record[badge_column(name)] = obtained
        records.append(record)
    columns = ["division", "matched", "shared", "started", "has_result", "pix_total",
               "certifiable", "mastery", "stage"]
    for code in competence_codes:
        columns += [level_column(code), pix_column(code), rate_column(code)]
    columns += [badge_column(name) for name in badge_names]
    frame = pd.DataFrame.from_records(records, columns=columns)
    flags = ("matched", "shared", "started", "has_result")
    for column in columns:
        if column in flags:
            frame[column] = frame[column].astype(bool)
        elif column not in ("division", "certifiable") and not column.startswith("badge:"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


# --- summarising ------------------------------------------------------------------------------


def summarise(
    frame: pd.DataFrame,
    *,
    gives_mastery: bool,
    competence_codes: Sequence[str],
    badge_names: Sequence[str] = (),
    stage_count: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Figures by class as the export gives it, and for the whole establishment (key "").

    Each value holds the fields of `ResultSummary`: participants, started, shared, matched,
    certifiable, mean_pix, mean_mastery, stages, badges, competences. Means are over each
    participant's result (latest shared sending); None where nobody has a value.

    Computed on the frame's columns as NumPy arrays, taken once: pandas costs tens of
    microseconds a call, and 20,000 participants in 800 classes with 16 competences made
    hundreds of thousands of calls (12 s of CPU). Means are exact (`pix.numbers.stored_mean`
    text): pix and levels are integers, mastery rates are scaled to integers (millionths), so
    NumPy's sums are exact; every class's sums come from one `bincount` per column and one
    vectorised integer division ends them (`_Means`).
    """
    columns = _Columns(frame, competence_codes, badge_names)
    by_division: dict[str, list[int]] = {}
    for index, division in enumerate(frame["division"].tolist()):
        if division != "":
            by_division.setdefault(division, []).append(index)
    divisions = sorted(by_division)
    # slot 0: the establishment (every row); slot i: the i-th class
    rows_by_slot = [np.arange(len(frame))] + [
        np.array(by_division[division], dtype=np.intp) for division in divisions]
    names = ["mastery", *(rate_column(code) for code in competence_codes)] if gives_mastery \
        else ["pix_total", *(name for code in competence_codes
                             for name in (level_column(code), pix_column(code)))]
    means = _Means(columns, rows_by_slot, names)
    options = {"gives_mastery": gives_mastery, "competence_codes": competence_codes,
               "badge_names": badge_names, "stage_count": stage_count}
    figures = {ESTABLISHMENT: _figures(columns, means, 0, rows_by_slot[0], **options)}
    for slot, division in enumerate(divisions, start=1):
        figures[str(division)] = _figures(columns, means, slot, rows_by_slot[slot], **options)
    return figures


class _Columns:
    """The frame's columns as NumPy arrays, indexed by the positions of a class's rows."""

    def __init__(self, frame: pd.DataFrame, competence_codes: Sequence[str],
                 badge_names: Sequence[str]) -> None:
        def column(name: str) -> np.ndarray:
            return frame[name].to_numpy()

        self.has_result = column("has_result").astype(bool)
        self.started, self.shared, self.matched = (
            column(name).astype(bool) for name in ("started", "shared", "matched"))
        self.certifiable = column("certifiable")
        self.numbers = {name: column(name).astype("float64")
                        for name in ("pix_total", "mastery", "stage")}
        for code in competence_codes:
            for name in (level_column(code), pix_column(code), rate_column(code)):
                self.numbers[name] = column(name).astype("float64")
        # Rates are fractions with a few places: as integers (millionths) their sums are exact.
        self.scales: dict[str, int | None] = {}
        for name in ["mastery", *(rate_column(code) for code in competence_codes)]:
            self.numbers[name], self.scales[name] = _scaled(self.numbers[name])
        self.badges = {name: column(badge_column(name)) for name in badge_names}


RATE_SCALE = 6  # rates are summed in millionths


def _scaled(values: np.ndarray) -> tuple[np.ndarray, int | None]:
    """Fractions as integers of millionths (NaN kept), and RATE_SCALE; each value is the float
    of a decimal text, so a decimal of six places or fewer lands within 1e-9 of its integer.
    With a longer decimal (never seen in Pix's files), the values as they are and None: their
    means are then summed as fractions, slower but as exact."""
    scaled = np.rint(values * 10**RATE_SCALE)
    known = ~np.isnan(values)
    if np.all(np.abs(values[known] * 10**RATE_SCALE - scaled[known]) < 1e-6):
        return scaled, RATE_SCALE
    return values, None


class _Means:
    """Each column's exact mean (stored text) for every slot at once: sums and counts by
    NumPy's `bincount` (float64 sums of integers are exact below 2**53), then one vectorised
    integer division, as `pix.numbers.stored_mean` does one at a time (tested alike)."""

    def __init__(self, columns: _Columns, rows_by_slot: Sequence[np.ndarray],
                 names: Sequence[str]) -> None:
        slots = np.zeros(len(columns.has_result), dtype=np.intp)
        for slot, rows in enumerate(rows_by_slot[1:], start=1):
            slots[rows] = slot
        self.texts: dict[str, list[str | None]] = {}
        self.counts: dict[str, list[int]] = {}
        for name in names:
            values = columns.numbers[name]
            known = columns.has_result & ~np.isnan(values)
            sums = np.bincount(slots[known], weights=values[known],
                               minlength=len(rows_by_slot))
            counts = np.bincount(slots[known], minlength=len(rows_by_slot))
            sums[0], counts[0] = values[known].sum(), known.sum()  # the establishment
            self.counts[name] = counts.tolist()
            scale = columns.scales.get(name, 0)
            if scale is None:  # values with more places than a scale: fractions, slowly
                self.texts[name] = [_mean(_known(values[rows[columns.has_result[rows]]]), None)
                                    for rows in rows_by_slot]
            else:
                self.texts[name] = stored_texts(sums, counts, scale)


def stored_texts(sums: np.ndarray, counts: np.ndarray, scale: int) -> list[str | None]:
    """`stored_mean(sum, count, scale)` of each pair, vectorised; sums of non-negative
    integers (as float64), None where the count is 0."""
    totals = np.rint(sums).astype(np.int64)
    if len(totals) and int(totals.max()) * 10 ** (STORED_PLACES - scale) >= 2**62:
        return [stored_mean(int(t), int(n), scale) if n else None
                for t, n in zip(totals.tolist(), counts.tolist(), strict=True)]
    whole, rest = np.divmod(totals * 10 ** (STORED_PLACES - scale), np.maximum(counts, 1))
    whole += (rest != 0) & (whole % 5 == 0)  # ROUND_05UP, as `pix.numbers.stored`
    units, places = np.divmod(whole, 10**STORED_PLACES)
    return [f"{u}.{p:06d}" if n else None
            for u, p, n in zip(units.tolist(), places.tolist(), counts.tolist(), strict=True)]


def _figures(
    columns: _Columns,
    means: _Means,
    slot: int,
    rows: np.ndarray,
    *,
    gives_mastery: bool,
    competence_codes: Sequence[str],
    badge_names: Sequence[str],
    stage_count: int | None,
) -> dict[str, Any]:
    results = rows[columns.has_result[rows]]
    numbers = columns.numbers
    participants = len(rows)
    figures: dict[str, Any] = {
        "participants": participants,
        # a profile is sent, not started: everyone in a profiles collection has started it
        "started": int(columns.started[rows].sum()) if gives_mastery else participants,
        "shared": int(columns.shared[rows].sum()),
        "matched": int(columns.matched[rows].sum()),
        "certifiable": 0 if gives_mastery else _count_true(columns.certifiable[results]),
        "mean_pix": None if gives_mastery else means.texts["pix_total"][slot],
        "mean_mastery": means.texts["mastery"][slot] if gives_mastery else None,
        "stages": _stages(_known(numbers["stage"][results]), stage_count)
        if gives_mastery else {},
        "badges": {name: _count_true(columns.badges[name][results]) for name in badge_names},
        "competences": {},
    }
    for code in competence_codes:
        if gives_mastery:
            figures["competences"][code] = {
                "mean_level": None, "mean_pix": None, "distribution": [],
                "mean_mastery": means.texts[rate_column(code)][slot],
                "count": means.counts[rate_column(code)][slot],
            }
        else:
            levels = _known(numbers[level_column(code)][results]).astype(np.int64)
            counted = levels[(levels >= 0) & (levels < len(LEVELS))]
            counts = np.bincount(counted, minlength=len(LEVELS))
            figures["competences"][code] = {
                "mean_level": means.texts[level_column(code)][slot],
                "mean_pix": means.texts[pix_column(code)][slot],
                "distribution": [int(counts[level]) for level in LEVELS],
                "mean_mastery": None,
                "count": len(levels),
            }
    return figures


def _known(values: np.ndarray) -> np.ndarray:
    """The values that are not NaN, in order."""
    return values[~np.isnan(values)]


def _count_true(values: np.ndarray) -> int:
    """How many values are True (not None, NaN or False), as `Series.eq(True).sum()`."""
    return int(np.equal(values, True).sum())


def _mean(values: np.ndarray, scale: int | None = 0) -> str | None:
    """The exact mean as stored text (None without any) of integers that are the values ×
    10**scale (float64 sums integers exactly below 2**53; 20,000 rates in millionths make
    2e10), or, with no scale, of the values' decimal texts."""
    if not len(values):
        return None
    if scale is None:
        return stored(mean(values.tolist()))
    return stored_mean(int(values.sum(dtype=np.float64)), len(values), scale)


def _stages(stages: np.ndarray, stage_count: int | None) -> dict[str, int]:
    reached, counts = np.unique(stages.astype(np.int64), return_counts=True)
    by_stage = dict(zip(reached.tolist(), counts.tolist(), strict=True))
    every = set(by_stage) | set(range(stage_count + 1) if stage_count is not None else ())
    return {str(stage): by_stage.get(stage, 0) for stage in sorted(every)}


# --- rebuilding --------------------------------------------------------------------------------


def campaign_frame(campaign: Campaign) -> pd.DataFrame:
    """The campaign's participants and results as a frame, in three queries."""
    participants = list(
        Participant.objects.filter(campaign=campaign).values(
            "pk", "division", "pupil_id", "has_shared"
        )
    )
    results = list(
        Sending.objects.filter(participant__campaign=campaign, is_result=True).values(
            "participant_id", "pix_total", "certifiable", "mastery", "stage", "badges",
            "competences",
        )
    )
    started = set(
        Sending.objects.filter(participant__campaign=campaign, started_at__isnull=False)
        .values_list("participant_id", flat=True)
        .distinct()
    )
    return build_frame(participants, results, started, competence_codes=_codes(campaign),
                       badge_names=campaign.badge_names)


def _codes(campaign: Campaign) -> list[str]:
    if campaign.competence_codes:
        return list(campaign.competence_codes)
    return [] if campaign.gives_mastery else list(COMPETENCE_CODES)


def campaign_summaries_rebuild(campaign: Campaign) -> None:
    """Replaces the campaign's summaries with figures from its current results."""
    with transaction.atomic():
        # One rebuild at a time per campaign, never in the middle of an import; and the
        # campaign's shape as the last import left it.
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        frame = campaign_frame(campaign)
        figures = summarise(
            frame,
            gives_mastery=campaign.gives_mastery,
            competence_codes=_codes(campaign),
            badge_names=campaign.badge_names,
            stage_count=campaign.stage_count,
        )
        ResultSummary.objects.filter(campaign=campaign).delete()
        bulk_insert(ResultSummary, [  # COPY on PostgreSQL: one summary per class, JSON-heavy
            ResultSummary(campaign=campaign, division=division, **values)
            for division, values in figures.items()
        ])
