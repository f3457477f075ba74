"""The aggregates results pages and downloads read: `ResultSummary`, one per class and campaign.

Built from every participant of the export, matched to a pupil or not, in the class the export
gives (a participant without a class counts for the whole establishment only). Results are
each participant's latest shared sending (`Sending.is_result`). `summarise` is pure pandas;
`campaign_summaries_rebuild` reads the campaign in a constant number of queries and replaces
its summaries in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from django.db import transaction

from pix.referential import COMPETENCE_CODES
from pix.rules import FRAMEWORK_MAX_LEVEL

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
    """
    options = {"gives_mastery": gives_mastery, "competence_codes": competence_codes,
               "badge_names": badge_names, "stage_count": stage_count}
    figures = {ESTABLISHMENT: _figures(frame, **options)}
    for division, group in frame[frame["division"] != ""].groupby("division", sort=True):
        figures[str(division)] = _figures(group, **options)
    return figures


def _figures(
    frame: pd.DataFrame,
    *,
    gives_mastery: bool,
    competence_codes: Sequence[str],
    badge_names: Sequence[str],
    stage_count: int | None,
) -> dict[str, Any]:
    results = frame[frame["has_result"]]
    participants = len(frame)
    figures: dict[str, Any] = {
        "participants": participants,
        # a profile is sent, not started: everyone in a profiles collection has started it
        "started": int(frame["started"].sum()) if gives_mastery else participants,
        "shared": int(frame["shared"].sum()),
        "matched": int(frame["matched"].sum()),
        "certifiable": 0 if gives_mastery else int(results["certifiable"].eq(True).sum()),
        "mean_pix": None if gives_mastery else _mean(results["pix_total"]),
        "mean_mastery": _mean(results["mastery"]) if gives_mastery else None,
        "stages": _stages(results["stage"], stage_count) if gives_mastery else {},
        "badges": {name: int(results[badge_column(name)].eq(True).sum())
                   for name in badge_names},
        "competences": {},
    }
    for code in competence_codes:
        if gives_mastery:
            rates = results[rate_column(code)].dropna()
            figures["competences"][code] = {
                "mean_level": None, "mean_pix": None, "distribution": [],
                "mean_mastery": _mean(rates), "count": len(rates),
            }
        else:
            levels = results[level_column(code)].dropna().astype(int)
            counts = levels.value_counts()
            figures["competences"][code] = {
                "mean_level": _mean(levels),
                "mean_pix": _mean(results[pix_column(code)]),
                "distribution": [int(counts.get(level, 0)) for level in LEVELS],
                "mean_mastery": None,
                "count": len(levels),
            }
    return figures


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None


def _stages(stages: pd.Series, stage_count: int | None) -> dict[str, int]:
    counts = stages.dropna().astype(int).value_counts()
    reached = set(counts.index) | set(range(stage_count + 1) if stage_count is not None else ())
    return {str(stage): int(counts.get(stage, 0)) for stage in sorted(reached)}


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
        ResultSummary.objects.bulk_create(
            ResultSummary(campaign=campaign, division=division, **values)
            for division, values in figures.items()
        )
