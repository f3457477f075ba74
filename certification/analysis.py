"""The analysis table of a school year's certification: `AnalysisSummary`, one per class (as the
results files name it) and one for the whole establishment (division "").

Built from every result of the year except those a person marked "not ours", matched to a
pupil or still waiting in the queue. `summarise` is pure pandas; `certification_analysis_rebuild`
reads the year in a constant number of queries and writes its summaries in one transaction,
touching only those whose figures changed (rebuilding twice changes nothing).

The figures of a summary (`AnalysisSummary.figures`):

- `candidates`: results (a pupil certified twice in the year counts twice);
- `statuses`: count by status (`validated`, `rejected`, `cancelled`, `error`, `started`);
- `matched`, `pending`: results matched to a pupil, and waiting for a person's decision;
- `unclassed`: results of no pupil yet that are counted in no class (the establishment's line
  only): a result counts in the class its file names only if the establishment has that class
  that year; a matched one, else, in its pupil's class that year (`year_frame`);
- `mean_pix`: mean score over validated certifications; None without any; `pix_sum` and
  `pix_count` its exact terms (a gap between two years is computed on them);
- `levels`: validated certifications by v3 global level (`pix.rules.v3_global_level`),
  "Pré-niveau" under 64 pix;
- `competences`: per code, over validated certifications whose level is not `-`: `count`,
  `mean_level`, `level_sum`, `at_least` {"1", "2", "3": share 0–1 at that level or above} and
  `distribution` (count at level 0, 1, … 8);
- `weakest`: the codes of the lowest mean levels (ties in CRCN order);
- `forecast`: per code, over validated certifications of matched pupils whose latest shared
  profiles collection (up to that school year) gives a level and whose certified level is not
  `-`: `pupils`, `forecast` (mean collected level) and `certified` (mean certified level) of
  the same pupils (and `forecast_sum`, `certified_sum`); `forecast_pupils`: pupils with at
  least one such pair;
- `complementary`: per complementary certification name ("CléA", "Pix+ Droit Maître") found
  in the group's results: `passed` (candidates who sat it: every status but "Non passée"),
  `obtained` ("Validée"), `not_obtained` ("Non obtenue"), `cancelled` and `error` (the whole
  certification cancelled or in error), so that passed = obtained + not_obtained + cancelled
  + error.

Means and shares are exact, as text with six places (`pix.numbers.stored`): pages and files
round them half up to what a person computes by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from django.db import transaction

from campaigns.matching import division_key
from campaigns.models import Campaign, Sending
from establishments.models import Enrolment, Establishment, SchoolClass, SchoolYear
from pix.certification import CertificationStatus
from pix.certification_format import ComplementaryStatus
from pix.numbers import decimal, stored_mean
from pix.referential import COMPETENCE_CODES
from pix.rules import BELOW_V3_BANDS, FRAMEWORK_MAX_LEVEL, V3_LEVEL_NAMES, v3_global_level

from .models import AnalysisSummary, CertificationResult

ESTABLISHMENT = ""
STATUSES: tuple[str, ...] = tuple(status.value for status in CertificationStatus)
VALIDATED = CertificationStatus.VALIDATED.value
V3_LEVELS: tuple[str, ...] = (BELOW_V3_BANDS, *V3_LEVEL_NAMES)
AT_LEAST: tuple[int, ...] = (1, 2, 3)
LEVELS = range(FRAMEWORK_MAX_LEVEL + 1)
WEAKEST = 3


def level_column(code: str) -> str:
    return f"level:{code}"


def forecast_column(code: str) -> str:
    return f"forecast:{code}"


# --- the frame: one row per result ------------------------------------------------------------


def results_frame(
    results: Sequence[Mapping[str, Any]],
    forecasts: Mapping[int, Mapping[str, int | None]] | None = None,
) -> pd.DataFrame:
    """One row per result: `division`, `status`, `pix`, `pupil_id`, `matched`, `pending`,
    `level:<code>` (NaN for `-`) and `forecast:<code>` (the pupil's level in their latest
    profiles collection; NaN without one).

    `results` are dicts with `division`, `status`, `pix`, `pupil_id`, `match` and
    `competence_levels`; `forecasts` maps a pupil id to {code: level}.
    """
    forecasts = forecasts or {}
    records = []
    for result in results:
        pupil_id = result["pupil_id"]
        levels = result["competence_levels"] or {}
        forecast = forecasts.get(pupil_id, {}) if pupil_id is not None else {}
        record: dict[str, Any] = {
            "division": result["division"] or "",
            "status": result["status"],
            "pix": result["pix"],
            "pupil_id": pupil_id,
            "matched": pupil_id is not None,
            "pending": result["match"] == CertificationResult.Match.PENDING,
            "complementary": dict(result.get("complementary") or {}),
        }
        for code in COMPETENCE_CODES:
            record[level_column(code)] = levels.get(code)
            record[forecast_column(code)] = forecast.get(code)
        records.append(record)
    columns = ["division", "status", "pix", "pupil_id", "matched", "pending", "complementary"]
    columns += [level_column(code) for code in COMPETENCE_CODES]
    columns += [forecast_column(code) for code in COMPETENCE_CODES]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in ("matched", "pending"):
        frame[column] = frame[column].astype(bool)
    for column in columns[columns.index("pix"):]:
        if column not in ("matched", "pending", "complementary"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


# --- summarising ------------------------------------------------------------------------------


def summarise(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Figures by class and for the whole establishment (key ""); nothing without results."""
    if frame.empty:
        return {}
    figures = {ESTABLISHMENT: figures_of(frame)}
    for division, group in frame[frame["division"] != ""].groupby("division", sort=True):
        figures[str(division)] = figures_of(group)
    return figures


def figures_of(frame: pd.DataFrame) -> dict[str, Any]:
    """The figures of one group of results (see the module's docstring)."""
    statuses = frame["status"].value_counts()
    validated = frame[frame["status"] == VALIDATED]
    bands = validated["pix"].dropna().astype(int).map(v3_global_level).value_counts()
    competences: dict[str, dict[str, Any]] = {}
    for code in COMPETENCE_CODES:
        levels = validated[level_column(code)].dropna().astype(int)
        counts = levels.value_counts()
        competences[code] = {
            "count": len(levels),
            "mean_level": _mean(levels),
            "level_sum": int(levels.sum()),
            "at_least": {str(k): (stored_mean(int((levels >= k).sum()), len(levels))
                                  if len(levels) else None) for k in AT_LEAST},
            "distribution": [int(counts.get(level, 0)) for level in LEVELS],
        }
    forecast, forecast_pupils = _forecast(validated)
    return {
        "candidates": len(frame),
        "statuses": {status: int(statuses.get(status, 0)) for status in STATUSES},
        "matched": int(frame["matched"].sum()),
        "pending": int(frame["pending"].sum()),
        "unclassed": int((~frame["matched"] & (frame["division"] == "")).sum()),
        "mean_pix": _mean(validated["pix"]),
        "pix_sum": int(validated["pix"].dropna().sum()),
        "pix_count": int(validated["pix"].notna().sum()),
        "levels": {name: int(bands.get(name, 0)) for name in V3_LEVELS},
        "competences": competences,
        "weakest": weakest(competences),
        "forecast": forecast,
        "forecast_pupils": forecast_pupils,
        "complementary": complementary_figures(frame["complementary"]),
    }


# complementary status → figure; "Non passée" counts nowhere
_COMPLEMENTARY_FIGURES = {
    ComplementaryStatus.VALIDATED.value: "obtained",
    ComplementaryStatus.REJECTED.value: "not_obtained",
    ComplementaryStatus.CANCELLED.value: "cancelled",
    ComplementaryStatus.ERROR.value: "error",
}
COMPLEMENTARY_FIGURES: tuple[str, ...] = ("passed", *_COMPLEMENTARY_FIGURES.values())


def complementary_figures(outcomes: pd.Series) -> dict[str, dict[str, int]]:
    """Per complementary certification name (sorted), its counts (see the module's
    docstring); `outcomes` holds one {name: status} per result."""
    figures: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        for name, status in (outcome or {}).items():
            counts = figures.setdefault(name, dict.fromkeys(COMPLEMENTARY_FIGURES, 0))
            figure = _COMPLEMENTARY_FIGURES.get(status)
            if figure is not None:
                counts[figure] += 1
                counts["passed"] += 1
    return {name: figures[name] for name in sorted(figures)}


def weakest(competences: Mapping[str, Mapping[str, Any]], count: int = WEAKEST) -> list[str]:
    order = {code: index for index, code in enumerate(COMPETENCE_CODES)}
    known = [(decimal(values["mean_level"]), order[code], code)
             for code, values in competences.items()
             if values.get("mean_level") is not None and code in order]
    return [code for _mean_level, _order, code in sorted(known)[:count]]


def _forecast(validated: pd.DataFrame) -> tuple[dict[str, dict[str, Any]], int]:
    matched = validated[validated["matched"]]
    forecast: dict[str, dict[str, Any]] = {}
    pupils: set[int] = set()
    for code in COMPETENCE_CODES:
        pairs = matched[[level_column(code), forecast_column(code), "pupil_id"]].dropna()
        pupils.update(int(p) for p in pairs["pupil_id"])
        forecast[code] = {
            "pupils": len(pairs),
            "forecast": _mean(pairs[forecast_column(code)]),
            "certified": _mean(pairs[level_column(code)]),
            "forecast_sum": int(pairs[forecast_column(code)].sum()),
            "certified_sum": int(pairs[level_column(code)].sum()),
        }
    return forecast, len(pupils)


def _mean(values: pd.Series) -> str | None:
    """The exact mean of integers (scores, levels) as stored text; None without any."""
    values = values.dropna()
    return stored_mean(int(values.sum()), len(values)) if len(values) else None


# --- rebuilding -------------------------------------------------------------------------------


def latest_collected_levels(
    establishment: Establishment, school_year: SchoolYear, pupil_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """Each pupil's levels in their latest shared profiles collection of the establishment, up
    to `school_year` (one query)."""
    if not pupil_ids:
        return {}
    sendings = (
        Sending.objects.filter(
            is_result=True,
            participant__pupil_id__in=pupil_ids,
            participant__campaign__establishment=establishment,
            participant__campaign__kind=Campaign.Kind.PROFILES_COLLECTION,
            participant__campaign__school_year__start_year__lte=school_year.start_year,
        )
        .order_by("-shared_at", "-pk")
        .values_list("participant__pupil_id", "competences")
    )
    latest: dict[int, dict[str, int]] = {}
    for pupil_id, competences in sendings:
        if pupil_id not in latest:
            latest[pupil_id] = {code: value["level"] for code, value in competences.items()
                                if value.get("level") is not None}
    return latest


def year_frame(establishment: Establishment, school_year: SchoolYear) -> pd.DataFrame:
    """The year's results (people's "not ours" aside) with forecasts, in two queries."""
    results = list(
        CertificationResult.objects.filter(establishment=establishment, school_year=school_year)
        .exclude(match=CertificationResult.Match.NOT_OURS)
        .values("division", "status", "pix", "pupil_id", "match", "competence_levels",
                "complementary")
    )
    pupil_ids = sorted({r["pupil_id"] for r in results if r["pupil_id"] is not None})
    results = in_existing_classes(establishment, school_year, results)
    return results_frame(results, latest_collected_levels(establishment, school_year, pupil_ids))


def in_existing_classes(establishment: Establishment, school_year: SchoolYear,
                        results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results, each with the class it counts in: never one the establishment does not
    have (a file of another school names its own). The file's class as the establishment
    spells it (`3 a` → `3A`; that year's spelling first, then any year's: older years' files
    are imported without their pupil lists), else the matched pupil's class that year, else
    none: the result counts in the establishment's line only (two queries)."""
    codes: dict[str, str] = {}
    for code, year_id in SchoolClass.objects.filter(establishment=establishment).values_list(
            "code", "school_year_id").order_by("-school_year__start_year"):
        key = division_key(code)
        if year_id == school_year.pk or key not in codes:
            codes[key] = code
    pupil_ids = {r["pupil_id"] for r in results if r["pupil_id"] is not None}
    pupil_classes = dict(Enrolment.objects.filter(
        pupil_id__in=pupil_ids, school_year=school_year,
        school_class__establishment=establishment,
    ).values_list("pupil_id", "school_class__code")) if pupil_ids else {}
    placed = []
    for result in results:
        division = codes.get(division_key(result["division"] or ""), "")
        if not division and result["pupil_id"] is not None:
            division = pupil_classes.get(result["pupil_id"], "")
        placed.append({**result, "division": division})
    return placed


def certification_analysis_rebuild(*, establishment: Establishment,
                                   school_year: SchoolYear) -> None:
    """Replaces the year's summaries with figures from its current results."""
    with transaction.atomic():
        # Never in the middle of an import of the same establishment (imports lock it too).
        Establishment.objects.select_for_update().filter(pk=establishment.pk).first()
        figures = summarise(year_frame(establishment, school_year))
        existing = {
            s.division: s
            for s in AnalysisSummary.objects.filter(
                establishment=establishment, school_year=school_year
            )
        }
        stale = [s.pk for division, s in existing.items() if division not in figures]
        if stale:
            AnalysisSummary.objects.filter(pk__in=stale).delete()
        for division, values in figures.items():
            summary = existing.get(division)
            if summary is None:
                AnalysisSummary.objects.create(establishment=establishment,
                                               school_year=school_year, division=division,
                                               figures=values)
            elif summary.figures != values:
                summary.figures = values
                summary.save(update_fields=["figures", "built_at"])
