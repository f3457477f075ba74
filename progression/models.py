"""The common progression: objectives by grade for a school year, each pupil's compliance with
their grade's objective, its aggregates, and the RUPN's manual ticks on the year's checklist.

Compliance is computed by a job after each import (`compliance_rebuild`) and stored: pages
read `PupilCompliance` and `ComplianceSummary`, never the campaigns' sendings.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from establishments.models import Establishment, Pupil, SchoolClass, SchoolYear
from pix.grades import GRADES
from pix.numbers import exact
from pix.rules import FRAMEWORK_MAX_LEVEL

from .levels import CurrentLevel, Source
from .rules import RuleKind, RuleSpec, Shortfall

GRADE_CHOICES = [(code, _(label)) for code, label in GRADES]


class Objective(models.Model):
    """What every pupil of a grade should reach by the end of a school year."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="objectives"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("niveau"), max_length=5, choices=GRADE_CHOICES)
    name = models.CharField(_("intitulé"), max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["school_year", "grade"]
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "grade"],
                name="one_objective_per_grade_and_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade} {self.school_year} — {self.name}"

    def specs(self) -> list[RuleSpec]:
        """The rules as pure specs (uses `rules` prefetched when it is)."""
        return [rule.spec() for rule in self.rules.all()]


class Rule(models.Model):
    """One structured rule of an objective; see `progression.rules.RuleSpec`."""

    class Kind(models.TextChoices):
        MIN_LEVEL_COUNT = RuleKind.MIN_LEVEL_COUNT.value, _("Niveau L dans au moins N compétences")
        EACH_DOMAIN = RuleKind.EACH_DOMAIN.value, _("Niveau L dans une compétence par domaine")
        NAMED = RuleKind.NAMED.value, _("Niveau L dans des compétences choisies")
        ALL = RuleKind.ALL.value, _("Niveau L dans les 16 compétences")
        CERTIFIABLE = RuleKind.CERTIFIABLE.value, _("Certifiable (niveau 1 dans 5 compétences)")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("règle"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(
        _("niveau"), default=1, validators=[MaxValueValidator(FRAMEWORK_MAX_LEVEL)]
    )
    count = models.PositiveSmallIntegerField(_("nombre de compétences"), null=True, blank=True)
    competences = models.JSONField(_("compétences"), default=list, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("règle")
        verbose_name_plural = _("règles")

    def __str__(self) -> str:
        return self.spec().describe().text

    def spec(self) -> RuleSpec:
        return RuleSpec(RuleKind(self.kind), level=self.level, count=self.count,
                        competences=tuple(self.competences or ()))


class PupilCompliance(models.Model):
    """A pupil's current levels in a school year and whether they meet their grade's objective.

    `met` is None when their grade has no objective that year. `missing` lists what is missing,
    rule by rule (`Shortfall.as_json`); `levels` maps a competence code to the latest level
    known up to that year.
    """

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="+"
    )
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="compliances")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(max_length=5, blank=True)
    objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    met = models.BooleanField(null=True)
    missing = models.JSONField(default=list, blank=True)
    # The competences `missing` names, " 1.3 3.4 " (spaces around each): a filter any
    # database runs, where JSON containment differs between SQLite and PostgreSQL.
    missing_codes = models.CharField(max_length=100, blank=True)
    levels = models.JSONField(default=dict, blank=True)
    # Where each level comes from: {"sources": [[ISO date, "profiles" or "certification",
    # label], …], "codes": {code: index in sources}}; a pupil has few sources, so it is small.
    provenance = models.JSONField(default=dict, blank=True)
    measured_on = models.DateField(null=True, blank=True)  # the newest level's date
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("conformité d’un élève")
        verbose_name_plural = _("conformités des élèves")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "school_year"],
                                    name="one_compliance_per_pupil_and_year")
        ]
        indexes = [
            models.Index(fields=["establishment", "school_year", "grade", "met"]),
            models.Index(fields=["school_class", "met"]),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.school_year_id} {self.met}"

    def current_levels(self) -> dict[str, CurrentLevel]:
        """The stored levels with their date and source, as `levels.current_levels` gives."""
        sources = self.provenance.get("sources") or []
        codes = self.provenance.get("codes") or {}
        result = {}
        for code, level in self.levels.items():
            index = codes.get(code)
            if index is None or index >= len(sources):
                continue
            day, source, label = sources[index]
            result[code] = CurrentLevel(level, date.fromisoformat(day), Source(source), label)
        return result

    @property
    def shortfalls(self) -> list[Shortfall]:
        return [Shortfall.from_json(item) for item in self.missing]

    @property
    def missing_texts(self) -> list[str]:
        return [s.text for s in self.shortfalls]


class ComplianceSummary(models.Model):
    """The aggregates of a class (or, `school_class` empty, of a whole grade) in a year.

    `mean_levels`: {code: mean of the known levels, exact to six places as text
    (`pix.numbers.stored`; older rows: a float rounded to two places)}; `level_sums`: {code:
    sum of the known levels}, so that classes taken together have an exact mean; `known`:
    {code: pupils with a known level}; `missing`: {code: pupils not meeting the objective who
    lack this competence}.
    """

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="+"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=5, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pupils = models.PositiveIntegerField(default=0)
    measured = models.PositiveIntegerField(default=0)  # with at least one known level
    met = models.PositiveIntegerField(default=0)
    mean_levels = models.JSONField(default=dict, blank=True)
    level_sums = models.JSONField(default=dict, blank=True)
    known = models.JSONField(default=dict, blank=True)
    missing = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("synthèse de progression")
        verbose_name_plural = _("synthèses de progression")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "grade", "school_class"],
                name="one_compliance_summary_per_class",
            ),
            models.UniqueConstraint(
                fields=["establishment", "school_year", "grade"],
                condition=Q(school_class__isnull=True),
                name="one_compliance_summary_per_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year_id} {self.grade} {self.school_class_id or '*'}"

    @property
    def not_met(self) -> int:
        """Pupils below the objective (0 without an objective)."""
        return self.pupils - self.met if self.objective_id is not None else 0

    @property
    def share_met(self) -> Fraction | None:
        """Share of the pupils meeting the objective (0–1); None without an objective."""
        if self.objective_id is None or not self.pupils:
            return None
        return Fraction(self.met, self.pupils)

    def exact_mean_level(self, code: str) -> Fraction | None:
        """The mean level of `code`, exactly (older rows, without sums: their stored mean)."""
        if code in (self.level_sums or {}) and self.known.get(code):
            return Fraction(self.level_sums[code], self.known[code])
        value = self.mean_levels.get(code)
        return None if value is None else exact(value)


class ChecklistTick(models.Model):
    """A step of the year's checklist that the RUPN ticked by hand (one the data cannot
    show, such as "teachers informed")."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="+"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=40)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ticked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("étape cochée")
        verbose_name_plural = _("étapes cochées")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "school_year", "step"],
                                    name="one_tick_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.school_year_id}"
