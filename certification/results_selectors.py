"""Reads around certification results, each in a fixed number of queries.

Who sees which results is written once, here (`visible_results`): RUPN and direction every
result of their establishment; a teacher the results of the classes they teach (by the class
the file gives, or the class the matched pupil was in that year); a pupil their own. Collective
figures always come from `AnalysisSummary` (rebuilt after each import), so that a figure on a
page, in the CSV, the workbook and the PDF is the same figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import ngettext

from campaigns.selectors import division_sort_key
from establishments.models import Enrolment, Establishment, Membership, Pupil, SchoolYear
from pix.numbers import decimal, exact
from pix.referential import COMPETENCE_BY_CODE, COMPETENCE_CODES
from pix.rules import v3_global_level

from .analysis import COMPLEMENTARY_FIGURES, V3_LEVELS
from .models import AnalysisSummary, CertificationResult

Match = CertificationResult.Match
ESTABLISHMENT_LABEL = "Établissement"


# --- who sees what ----------------------------------------------------------------------------


def visible_results(membership: Membership | None) -> QuerySet[CertificationResult]:
    qs = CertificationResult.objects.all()
    if membership is None:
        return qs.none()
    qs = qs.filter(establishment_id=membership.establishment_id)
    if membership.sees_whole_establishment:
        return qs
    if membership.role == Membership.Role.TEACHER:
        taught = list(membership.taught_classes.values_list("code", "school_year_id"))
        if not taught:
            return qs.none()
        by_file = Q()
        for code, year_id in taught:
            by_file |= Q(division=code, school_year_id=year_id)
        by_pupil = Exists(Enrolment.objects.filter(
            pupil_id=OuterRef("pupil_id"), school_year_id=OuterRef("school_year_id"),
            school_class__teachers=membership,
        ))
        return qs.filter(by_file | Q(by_pupil))
    if membership.role == Membership.Role.PUPIL:
        return qs.filter(pupil__user_id=membership.user_id,
                         match__in=(Match.AUTO, Match.CONFIRMED))
    return qs.none()


# --- a result, as people read it ----------------------------------------------------------------


def result_global_level(result: CertificationResult) -> str:
    """The v3 global level of a validated certification: the file's, else from its score."""
    if result.status != CertificationResult.Status.VALIDATED:
        return ""
    return result.global_level or v3_global_level(result.pix) or ""


def ordered_levels(result: CertificationResult) -> list[tuple[str, int | None]]:
    levels = result.competence_levels or {}
    return [(code, levels.get(code)) for code in COMPETENCE_CODES]


def result_years(establishment: Establishment) -> list[SchoolYear]:
    """School years with certification results or an analysis, newest first."""
    ids = set(CertificationResult.objects.filter(establishment=establishment)
              .values_list("school_year_id", flat=True).distinct())
    ids |= set(AnalysisSummary.objects.filter(establishment=establishment)
               .values_list("school_year_id", flat=True).distinct())
    return list(SchoolYear.objects.filter(pk__in=ids).order_by("-start_year"))


def pupil_certification(pupil: Pupil | None) -> CertificationResult | None:
    """The pupil's latest certification (matched automatically or confirmed)."""
    if pupil is None:
        return None
    return (
        CertificationResult.objects.filter(pupil=pupil, match__in=(Match.AUTO, Match.CONFIRMED))
        .select_related("school_year")
        .order_by("-school_year__start_year", "-taken_on", "-pk")
        .first()
    )


# --- the analysis ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplementaryFigures:
    """A complementary certification on one line of the analysis: `passed` = `obtained` +
    `not_obtained` + `cancelled` + `error`."""

    name: str
    passed: int
    obtained: int
    not_obtained: int
    cancelled: int
    error: int

    @property
    def cancelled_or_error(self) -> int:
        return self.cancelled + self.error


@dataclass(frozen=True)
class AnalysisRow:
    """One line of the analysis table: a class, or the establishment (`division` "")."""

    division: str
    school_year: SchoolYear
    figures: dict[str, Any] = field(repr=False)

    @property
    def label(self) -> str:
        return self.division or ESTABLISHMENT_LABEL

    @property
    def candidates(self) -> int:
        return self.figures.get("candidates", 0)

    def status(self, status: str) -> int:
        return (self.figures.get("statuses") or {}).get(status, 0)

    @property
    def validated(self) -> int:
        return self.status("validated")

    @property
    def rejected(self) -> int:
        return self.status("rejected")

    @property
    def cancelled(self) -> int:
        return self.status("cancelled")

    @property
    def error(self) -> int:
        return self.status("error")

    @property
    def started(self) -> int:
        return self.status("started")

    # Means and shares are exact (Decimal to six places, or Fraction): pages and files round
    # them half up with `pix.numbers`, never through a binary float.

    @property
    def validated_rate(self) -> Fraction | None:
        return Fraction(self.validated, self.candidates) if self.candidates else None

    @property
    def mean_pix(self) -> Decimal | None:
        return decimal(self.figures.get("mean_pix"))

    @property
    def exact_mean_pix(self) -> Fraction | None:
        """The mean score as a fraction, for a gap between two years (rows built before the
        exact terms were kept: their stored mean)."""
        count = self.figures.get("pix_count")
        if count:
            return Fraction(self.figures["pix_sum"], count)
        return None if self.mean_pix is None else exact(self.mean_pix)

    def competence(self, code: str) -> dict[str, Any]:
        return (self.figures.get("competences") or {}).get(code) or {}

    def mean_level(self, code: str) -> Decimal | None:
        return decimal(self.competence(code).get("mean_level"))

    def share_at_least(self, code: str, level: int) -> Decimal | None:
        return decimal((self.competence(code).get("at_least") or {}).get(str(level)))

    @property
    def mean_levels(self) -> dict[str, Decimal | None]:
        return {code: self.mean_level(code) for code in COMPETENCE_CODES}

    @property
    def levels(self) -> list[tuple[str, int]]:
        """Validated certifications by v3 global level, lowest first."""
        counts = self.figures.get("levels") or {}
        return [(name, counts.get(name, 0)) for name in V3_LEVELS]

    @property
    def weakest(self) -> list[str]:
        return list(self.figures.get("weakest") or [])

    @property
    def forecast(self) -> dict[str, dict[str, Any]]:
        """Per code: `pupils`, and the means `forecast` and `certified` as Decimal."""
        return {
            code: {**values, "forecast": decimal(values.get("forecast")),
                   "certified": decimal(values.get("certified"))}
            for code, values in (self.figures.get("forecast") or {}).items()
        }

    def forecast_gap(self, code: str) -> Fraction | None:
        """Certified minus collected mean level of the same pupils, exactly."""
        values = (self.figures.get("forecast") or {}).get(code) or {}
        pupils = values.get("pupils")
        if not pupils or values.get("forecast") is None:
            return None
        if "certified_sum" in values:
            return Fraction(values["certified_sum"] - values["forecast_sum"], pupils)
        return exact(decimal(values["certified"])) - exact(decimal(values["forecast"]))

    @property
    def forecast_pupils(self) -> int:
        return self.figures.get("forecast_pupils", 0)

    @property
    def complementary(self) -> dict[str, ComplementaryFigures]:
        """Per complementary certification name, what the line's candidates did of it."""
        return {name: ComplementaryFigures(name=name, **{
                    key: counts.get(key, 0) for key in COMPLEMENTARY_FIGURES})
                for name, counts in (self.figures.get("complementary") or {}).items()}

    def complementary_of(self, name: str) -> ComplementaryFigures:
        """The figures of one complementary certification; zeros when no candidate of the
        line had it in their file."""
        return self.complementary.get(name) or ComplementaryFigures(
            name=name, **dict.fromkeys(COMPLEMENTARY_FIGURES, 0))

    @property
    def matched(self) -> int:
        return self.figures.get("matched", 0)

    @property
    def pending(self) -> int:
        return self.figures.get("pending", 0)

    @property
    def unclassed(self) -> int:
        """Candidates of no pupil yet, counted in no class (the establishment's line only)."""
        return self.figures.get("unclassed", 0)

    @property
    def unclassed_sentence(self) -> str:
        return unclassed_sentence(self.unclassed) if self.unclassed else ""


def unclassed_sentence(count: int) -> str:
    """What the page, the CSV, the workbook and the PDF say of candidates counted in no class."""
    return ngettext(
        "%(count)s candidat du fichier n’a pas encore été reconnu : il n’est compté dans "
        "aucune classe.",
        "%(count)s candidats du fichier n’ont pas encore été reconnus : ils ne sont comptés "
        "dans aucune classe.", count) % {"count": count}


def _row(summary: AnalysisSummary) -> AnalysisRow:
    return AnalysisRow(summary.division, summary.school_year, summary.figures)


def analysis_rows(establishment: Establishment, school_year: SchoolYear) -> list[AnalysisRow]:
    """The year's table: each class in natural order, then the establishment (one query)."""
    summaries = list(AnalysisSummary.objects.filter(
        establishment=establishment, school_year=school_year
    ).select_related("school_year"))
    classes = sorted((s for s in summaries if s.division),
                     key=lambda s: division_sort_key(s.division))
    whole = [s for s in summaries if not s.division]
    return [_row(s) for s in classes + whole]


def complementary_names(rows: list[AnalysisRow]) -> list[str]:
    """Every complementary certification of a table's lines, sorted: the table's columns."""
    return sorted({name for row in rows for name in row.complementary})


class ComplementaryLine(NamedTuple):
    label: str  # the class, or "Établissement"
    figures: ComplementaryFigures
    whole: bool  # the establishment's line


def complementary_lines(rows: list[AnalysisRow]) -> list[ComplementaryLine]:
    """The complementary certifications' table, the same on the page, in the CSV, the
    workbook and the PDF: per certification (sorted), each line of `rows` in their order
    (classes, then the establishment), zeros for a class whose candidates did not have it."""
    return [ComplementaryLine(row.label, row.complementary_of(name), not row.division)
            for name in complementary_names(rows) for row in rows]


def analysis_row(establishment: Establishment, school_year: SchoolYear,
                 division: str = "") -> AnalysisRow | None:
    summary = AnalysisSummary.objects.filter(
        establishment=establishment, school_year=school_year, division=division
    ).select_related("school_year").first()
    return _row(summary) if summary else None


def latest_analysis_row(establishment: Establishment) -> AnalysisRow | None:
    """The establishment's line of its latest year with an analysis (one query)."""
    summary = (
        AnalysisSummary.objects.filter(establishment=establishment, division="")
        .select_related("school_year").order_by("-school_year__start_year").first()
    )
    return _row(summary) if summary else None


def year_on_year(establishment: Establishment, school_year: SchoolYear,
                 division: str = "") -> list[AnalysisRow]:
    """The same line (class or establishment) in `school_year` and every earlier year, oldest
    first (one query). Classes keep their names from year to year in most schools; their
    pupils change: the establishment's line compares best."""
    summaries = AnalysisSummary.objects.filter(
        establishment=establishment, division=division,
        school_year__start_year__lte=school_year.start_year,
    ).select_related("school_year").order_by("school_year__start_year")
    return [_row(s) for s in summaries]


def analysis_divisions(establishment: Establishment, school_year: SchoolYear) -> list[str]:
    divisions = AnalysisSummary.objects.filter(
        establishment=establishment, school_year=school_year
    ).exclude(division="").values_list("division", flat=True)
    return sorted(divisions, key=division_sort_key)


def competence_name(code: str) -> str:
    competence = COMPETENCE_BY_CODE.get(code)
    return competence.name if competence else code


# --- the matching queue -------------------------------------------------------------------------


class QueueCandidate(NamedTuple):
    pupil: Pupil
    class_code: str  # in the result's school year; "" when not enrolled then
    same_birthdate: bool


def matching_queue(establishment: Establishment) -> list[CertificationResult]:
    """Results waiting for a person's decision, each with `candidate_pupils` (most plausible
    first). Three queries, whatever the length of the queue."""
    results = list(
        CertificationResult.objects.filter(establishment=establishment, match=Match.PENDING)
        .select_related("school_year")
        .order_by("-school_year__start_year", "division", "last_name", "first_name", "pk")
    )
    ids = {pupil_id for r in results for pupil_id in r.candidates}
    pupils = {p.pk: p for p in Pupil.objects.filter(establishment=establishment, pk__in=ids)}
    classes = {
        (pupil_id, year_id): code
        for pupil_id, year_id, code in Enrolment.objects.filter(pupil_id__in=pupils)
        .values_list("pupil_id", "school_year_id", "school_class__code")
    } if pupils else {}
    for result in results:
        result.candidate_pupils = [
            QueueCandidate(pupils[pupil_id], classes.get((pupil_id, result.school_year_id), ""),
                           pupils[pupil_id].birthdate == result.birthdate)
            for pupil_id in result.candidates if pupil_id in pupils
        ]
    return results


def pending_count(establishment: Establishment) -> int:
    return CertificationResult.objects.filter(
        establishment=establishment, match=Match.PENDING
    ).count()

