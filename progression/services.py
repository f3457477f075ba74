"""Writes of the common progression: keyword-only arguments, one transaction each.

Every change that alters what pupils must reach (an objective saved or deleted, a year opened)
enqueues the compliance rebuild after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from establishments.models import Establishment, SchoolClass, SchoolYear

from .hooks import compliance_rebuild_on_commit
from .models import ChecklistTick, Objective, Rule
from .rules import TEMPLATES, RuleSpec


def _rules(objective: Objective, rules: Sequence[RuleSpec]) -> None:
    objective.rules.all().delete()
    Rule.objects.bulk_create([
        Rule(objective=objective, position=index, kind=spec.kind.value, level=spec.level,
             count=spec.count, competences=list(spec.competences))
        for index, spec in enumerate(rules)
    ])


@transaction.atomic
def objective_save(*, establishment: Establishment, school_year: SchoolYear, grade: str,
                   name: str, rules: Sequence[RuleSpec], by,
                   objective: Objective | None = None) -> Objective:
    """Creates the grade's objective for the year, or replaces `objective`'s name and rules."""
    if not rules:
        raise ValidationError(_("Un objectif a au moins une règle."))
    if objective is None:
        if Objective.objects.filter(establishment=establishment, school_year=school_year,
                                    grade=grade).exists():
            raise ValidationError(
                _("Ce niveau a déjà un objectif cette année : modifiez-le."), code="exists"
            )
        objective = Objective(establishment=establishment, school_year=school_year, grade=grade)
    elif objective.establishment_id != establishment.pk:
        raise ValueError("the objective belongs to another establishment")
    objective.name = name.strip()
    objective.updated_by = by
    objective.save()
    _rules(objective, rules)
    compliance_rebuild_on_commit(establishment.pk, [school_year.pk])
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective) -> None:
    establishment_id, year_id = objective.establishment_id, objective.school_year_id
    objective.delete()
    compliance_rebuild_on_commit(establishment_id, [year_id])


def grades_of_year(establishment: Establishment, school_year: SchoolYear) -> set[str]:
    return set(
        SchoolClass.objects.filter(establishment=establishment, school_year=school_year)
        .exclude(grade="").values_list("grade", flat=True)
    )


@transaction.atomic
def objectives_apply_templates(*, establishment: Establishment, school_year: SchoolYear, by,
                               grades: Iterable[str] | None = None) -> list[Objective]:
    """The ready-made objectives (domain.md's example) for every grade of the year that has
    one and no objective yet; `grades` to limit them. Returns those created."""
    wanted = set(grades) if grades is not None else grades_of_year(establishment, school_year)
    taken = set(
        Objective.objects.filter(establishment=establishment, school_year=school_year)
        .values_list("grade", flat=True)
    )
    created = []
    for grade in sorted(wanted - taken):
        template = TEMPLATES.get(grade)
        if template is None:
            continue
        objective = Objective.objects.create(
            establishment=establishment, school_year=school_year, grade=grade,
            name=_(template.name), updated_by=by,
        )
        _rules(objective, template.rules)
        created.append(objective)
    if created:
        compliance_rebuild_on_commit(establishment.pk, [school_year.pk])
    return created


# --- school years ---------------------------------------------------------------------------------


def can_open_next_year(establishment: Establishment) -> bool:
    """A RUPN prepares the rentrée from June, not years ahead: the next year opens when the
    current one is this calendar's school year or an earlier one."""
    return establishment.current_year.start_year <= SchoolYear.start_year_of_today()


@transaction.atomic
def school_year_open_next(*, establishment: Establishment, by,
                          copy_objectives: bool = True) -> SchoolYear:
    """Makes the next school year the establishment's current one. Nothing is deleted: pupils
    keep their identity (INE) and last year's classes; the next pupil import fills the new
    year. With `copy_objectives`, each grade's objective is carried over when the new year
    has none."""
    locked = (
        Establishment.objects.select_for_update().select_related("current_year")
        .get(pk=establishment.pk)
    )
    if not can_open_next_year(locked):
        raise ValidationError(
            _("L’année %(year)s est déjà ouverte.") % {"year": locked.current_year}
        )
    previous = locked.current_year
    year, _created = SchoolYear.objects.get_or_create(start_year=previous.start_year + 1)
    establishment.current_year = year
    establishment.save(update_fields=["current_year"])
    if copy_objectives:
        taken = set(
            Objective.objects.filter(establishment=establishment, school_year=year)
            .values_list("grade", flat=True)
        )
        for old in Objective.objects.filter(
            establishment=establishment, school_year=previous
        ).prefetch_related("rules"):
            if old.grade in taken:
                continue
            objective = Objective.objects.create(
                establishment=establishment, school_year=year, grade=old.grade, name=old.name,
                updated_by=by,
            )
            _rules(objective, old.specs())
    compliance_rebuild_on_commit(establishment.pk)
    return year


# --- the year's checklist -------------------------------------------------------------------------


@transaction.atomic
def checklist_tick(*, establishment: Establishment, school_year: SchoolYear, step: str,
                   done: bool, by) -> None:
    """Ticks (or unticks) a manual step of the checklist; idempotent."""
    if done:
        ChecklistTick.objects.get_or_create(
            establishment=establishment, school_year=school_year, step=step,
            defaults={"ticked_by": by},
        )
    else:
        ChecklistTick.objects.filter(
            establishment=establishment, school_year=school_year, step=step
        ).delete()
