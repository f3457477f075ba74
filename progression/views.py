"""Progression pages: the grades' compliance, objectives, pupils to accompany, the year on year
comparison, the year plan and the RUPN's checklist.

Pages read what the compliance job stored (`ComplianceSummary`, `PupilCompliance`): their
number of queries does not depend on the number of pupils. Teachers see the classes they
teach; RUPN and direction the whole establishment; pupils see their own space on their home.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext
from django.views.decorators.http import require_POST

from audit.services import audit_download
from campaigns.charts import level_colour, level_legend
from establishments.access import rupn_required, staff_required
from establishments.models import SchoolClass, SchoolYear
from establishments.selectors import pupil_search
from pix.grades import grade_label as pix_grade_label
from pix.numbers import round_half_up, stored
from pix.referential import COMPETENCE_BY_CODE, COMPETENCE_CODES, COMPETENCES

from . import charts, selectors, services
from .access import get_objective_for_user, whole_establishment_required
from .checklist import MANUAL_STEPS, Step, year_checklist
from .exports import progression_csv
from .forms import (
    ComplianceFilterForm,
    GradeForm,
    ObjectiveForm,
    PlanFilterForm,
    RuleFormSet,
    YearOpenForm,
    rule_initial,
)
from .hooks import compliance_rebuild_on_commit
from .models import ComplianceSummary
from .plan import plan_events, school_year_months
from .rules import TEMPLATES


def grade_label(code: str) -> str:
    """The grade's name in the active language (marked in pix/grades.py)."""
    return _(pix_grade_label(code))


PAGE_SIZE = 50


def _year_classes(request):
    membership = request.membership
    year = membership.establishment.current_year
    return year, SchoolClass.objects.for_membership(membership).filter(school_year=year)


# --- the grades' compliance -----------------------------------------------------------------------


def _combined(summaries: list[ComplianceSummary]) -> dict:
    """A teacher's classes taken together: counts added, means weighted by known levels."""
    known = {c: sum(s.known.get(c, 0) for s in summaries) for c in COMPETENCE_CODES}
    return {
        "pupils": sum(s.pupils for s in summaries),
        "measured": sum(s.measured for s in summaries),
        "met": sum(s.met for s in summaries),
        "missing": {c: n for c in COMPETENCE_CODES
                    if (n := sum(s.missing.get(c, 0) for s in summaries))},
        # exact: each class's mean weighed by its known levels is its sum of levels
        "mean_levels": {c: stored(sum(s.exact_mean_level(c) * s.known[c] for s in summaries
                                      if s.known.get(c)) / known[c])
                        for c in COMPETENCE_CODES if known[c]},
    }


def _figures(progress: selectors.GradeProgress) -> dict | None:
    if progress.total is not None:
        t = progress.total
        figures = {"pupils": t.pupils, "measured": t.measured, "met": t.met,
                   "missing": t.missing, "mean_levels": t.mean_levels}
    elif progress.classes:
        figures = _combined(progress.classes)
    else:
        return None
    figures["not_met"] = figures["pupils"] - figures["met"]
    figures["share"] = figures["met"] / figures["pupils"] if figures["pupils"] else None
    return figures


def _grade_charts(progress: selectors.GradeProgress, figures: dict | None) -> dict:
    max_level = settings.PIX_MAX_LEVEL
    classes = progress.classes
    result: dict = {"share_chart": None, "missing_chart": None, "heatmap": None}
    if not classes or figures is None:
        return result
    if progress.objective is not None:
        result["share_chart"] = charts.share_met_chart(
            [s.school_class.code for s in classes],
            [Fraction(s.met, s.pupils) if s.pupils else None for s in classes],
            [f"{s.met} / {s.pupils}" for s in classes],
            axis_label=_("Élèves qui atteignent l’objectif"),
        )
        if figures["missing"]:
            result["missing_chart"] = charts.missing_chart(
                figures["missing"], total=figures["not_met"],
                axis_label=_("Élèves sous l’objectif à qui manque la compétence"),
            )
    if any(s.mean_levels for s in classes):
        result["heatmap"] = charts.level_heatmap(
            [s.school_class.code for s in classes], COMPETENCE_CODES,
            [[s.mean_levels.get(c) for c in COMPETENCE_CODES] for s in classes],
            max_level=max_level, value_label=pgettext("Pix level", "Niveau moyen"),
        )
    return result


@staff_required
def overview(request) -> HttpResponse:
    membership = request.membership
    establishment = membership.establishment
    year, classes = _year_classes(request)
    grades = selectors.year_grades(classes)
    objectives = selectors.objectives_by_grade(establishment, year)
    default = next((g for g in grades if g in objectives), grades[0] if grades else None)
    form = GradeForm(request.GET or None, grades=grades, initial={"niveau": default})
    grade = form.grade(default)
    whole = membership.sees_whole_establishment
    progress = figures = None
    if grade:
        progress = selectors.grade_progress(
            establishment, year, grade, classes=None if whole else classes,
            objective=objectives.get(grade),
        )
        figures = _figures(progress)
    grade_rows = []
    if whole:
        summaries = selectors.grades_overview(establishment, year)
        grade_rows = [(g, objectives.get(g), summaries.get(g)) for g in grades]
    max_level = settings.PIX_MAX_LEVEL
    heat_rows = []
    if progress:
        heat_rows = [
            (s, [(s.mean_levels.get(c), level_colour(s.mean_levels.get(c), max_level))
                 for c in COMPETENCE_CODES])
            for s in progress.classes
        ]
    missing_rows = []
    if figures and figures["missing"]:
        missing_rows = sorted(
            ((COMPETENCE_BY_CODE[c], n) for c, n in figures["missing"].items()),
            key=lambda item: (-item[1], item[0].code),
        )
    return render(request, "progression/overview.html", {
        "form": form, "grade": grade, "grade_label": grade_label(grade) if grade else "",
        "year": year, "grades": grades, "objective": objectives.get(grade),
        "progress": progress, "figures": figures, "grade_rows": grade_rows,
        "computed_at": selectors.last_computed(establishment, year),
        "heat_rows": heat_rows, "missing_rows": missing_rows, "competences": COMPETENCES,
        "legend": level_legend(max_level), "whole": whole,
        **(_grade_charts(progress, figures) if progress else {}),
    })


@require_POST
@rupn_required
def rebuild(request) -> HttpResponse:
    compliance_rebuild_on_commit(request.membership.establishment_id)
    messages.success(request, _("Le calcul de la progression est lancé ; les pages se mettent "
                                "à jour dès qu’il est terminé."))
    return redirect("progression:overview")


# --- objectives -----------------------------------------------------------------------------------


@staff_required
def objectives(request) -> HttpResponse:
    establishment = request.membership.establishment
    year = establishment.current_year
    grades = selectors.year_grades(
        SchoolClass.objects.filter(establishment=establishment, school_year=year)
    )
    by_grade = selectors.objectives_by_grade(establishment, year)
    rows = [(g, by_grade.get(g), TEMPLATES.get(g)) for g in grades]
    rows += [(g, o, TEMPLATES.get(g)) for g, o in by_grade.items() if g not in grades]
    templates_left = [t for g, o, t in rows if o is None and t is not None]
    return render(request, "progression/objectives.html", {
        "rows": rows, "year": year, "templates_left": templates_left,
    })


@require_POST
@rupn_required
def apply_templates(request) -> HttpResponse:
    establishment = request.membership.establishment
    created = services.objectives_apply_templates(
        establishment=establishment, school_year=establishment.current_year, by=request.user,
    )
    if created:
        messages.success(request, _("Objectifs types appliqués : %(grades)s.")
                         % {"grades": ", ".join(o.grade for o in created)})
    else:
        messages.info(request, _("Chaque niveau qui a un objectif type en a déjà un."))
    return redirect("progression:objectives")


def _objective_form(request, *, grades, objective=None, grade=None, initial_rules=None,
                    name=""):
    form = ObjectiveForm(
        request.POST or None, grades=grades, fixed_grade=objective is not None,
        initial={"grade": objective.grade if objective else grade,
                 "name": objective.name if objective else name},
    )
    formset = RuleFormSet(request.POST or None, prefix="rules", initial=initial_rules)
    return form, formset


def _save_objective(request, form, formset, objective=None):
    establishment = request.membership.establishment
    grade = objective.grade if objective else form.cleaned_data["grade"]
    try:
        saved = services.objective_save(
            establishment=establishment,
            school_year=objective.school_year if objective else establishment.current_year,
            grade=grade, name=form.cleaned_data["name"], rules=formset.specs(),
            by=request.user, objective=objective,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, _("Objectif de %(grade)s enregistré ; la progression est "
                                "recalculée.") % {"grade": grade_label(saved.grade)})
    return redirect("progression:objectives")


@rupn_required
def objective_create(request) -> HttpResponse:
    establishment = request.membership.establishment
    year = establishment.current_year
    grades = selectors.year_grades(
        SchoolClass.objects.filter(establishment=establishment, school_year=year)
    ) or list(TEMPLATES)
    grade = request.GET.get("niveau") if request.GET.get("niveau") in grades else None
    template = TEMPLATES.get(grade) if request.GET.get("modele") else None
    form, formset = _objective_form(
        request, grades=grades, grade=grade,
        initial_rules=rule_initial(list(template.rules)) if template else None,
        name=_(template.name) if template else "",
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        response = _save_objective(request, form, formset)
        if response is not None:
            return response
    return render(request, "progression/objective_form.html", {
        "form": form, "formset": formset, "objective": None, "year": year,
    })


@staff_required
def objective_edit(request, objective_id: int) -> HttpResponse:
    objective = get_objective_for_user(request, objective_id, manage=True)
    form, formset = _objective_form(
        request, grades=[objective.grade], objective=objective,
        initial_rules=rule_initial(objective.specs()),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        response = _save_objective(request, form, formset, objective)
        if response is not None:
            return response
    return render(request, "progression/objective_form.html", {
        "form": form, "formset": formset, "objective": objective, "year": objective.school_year,
    })


@require_POST
@staff_required
def objective_delete(request, objective_id: int) -> HttpResponse:
    objective = get_objective_for_user(request, objective_id, manage=True)
    grade = objective.grade
    services.objective_delete(objective=objective)
    messages.success(request, _("Objectif de %(grade)s supprimé.") % {"grade": grade_label(grade)})
    return redirect("progression:objectives")


# --- pupils and their compliance ------------------------------------------------------------------


def _filtered_rows(request):
    membership = request.membership
    year, classes = _year_classes(request)
    grades = selectors.year_grades(classes)
    form = ComplianceFilterForm(request.GET or None, grades=grades,
                                classes=classes.order_by("grade", "code"))
    rows = selectors.visible_compliance(membership, year, classes)
    status = "not_met"
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"] or "not_met"
        if data["niveau"]:
            rows = rows.filter(grade=data["niveau"])
        if data["classe"]:
            rows = rows.filter(school_class=data["classe"])
        if data["competence"]:
            rows = rows.filter(missing_codes__contains=f" {data['competence']} ")
        if data["q"]:
            pupils = pupil_search(
                membership.establishment.pupils.all(), data["q"]
            ).values("pk")
            rows = rows.filter(pupil__in=pupils)
    if status == "not_met":
        rows = rows.filter(met=False)
    elif status == "met":
        rows = rows.filter(met=True)
    return form, rows, year


@staff_required
def pupils(request) -> HttpResponse:
    form, rows, year = _filtered_rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "progression/pupils.html", {
        "form": form, "page": page, "query": query.urlencode(), "year": year,
    })


@staff_required
def pupils_csv(request) -> HttpResponse:
    form, rows, year = _filtered_rows(request)
    establishment = request.membership.establishment
    response = HttpResponse(progression_csv(rows), content_type="text/csv; charset=utf-8")
    filename = f"progression_{establishment.uai}_{year.start_year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    count = rows.count()
    audit_download(
        establishment=establishment, by=request.user, document="progression_csv",
        summary=gettext_noop("Export CSV de la progression des élèves %(year)s (élèves : %(n)s)"),
        params={"year": year, "n": count}, filename=filename,
        # The filters, not the searched name: a name has no place in the log's details.
        details={"school_year": year.start_year, "rows": count, "filters": {
            key: str(value) for key, value in (form.cleaned_data if form.is_valid() else {})
            .items() if value and key != "q"}},
    )
    return response


# --- year on year ---------------------------------------------------------------------------------


@whole_establishment_required
def comparison(request) -> HttpResponse:
    establishment = request.membership.establishment
    year = establishment.current_year
    previous = SchoolYear.objects.filter(start_year=year.start_year - 1).first()
    grades = selectors.year_grades(SchoolClass.objects.filter(
        establishment=establishment, school_year__in=[y for y in (year, previous) if y]
    ))
    objectives = selectors.objectives_by_grade(establishment, year)
    default = next((g for g in grades if g in objectives), grades[0] if grades else None)
    form = GradeForm(request.GET or None, grades=grades, initial={"niveau": default})
    grade = form.grade(default)
    years = [y for y in (year, previous) if y is not None]
    figures = (selectors.year_on_year(establishment, grade, years, objectives.get(grade))
               if grade else [])
    chart = None
    rows = []
    if any(f.summary and f.summary.mean_levels for f in figures):
        chart = charts.years_levels_chart(
            COMPETENCE_CODES,
            [(str(f.year), [f.summary.mean_levels.get(c) if f.summary else None
                            for c in COMPETENCE_CODES]) for f in figures],
            max_level=settings.PIX_MAX_LEVEL,
            axis_label=pgettext("Pix level", "Niveau moyen"),
        )
        for competence in COMPETENCES:
            values = [f.summary.mean_levels.get(competence.code) if f.summary else None
                      for f in figures]
            exact = [f.summary.exact_mean_level(competence.code) if f.summary else None
                     for f in figures]
            # the exact change, rounded as shown: a change that prints "0,0" is no change
            delta = (round_half_up(exact[0] - exact[1], 1)
                     if len(exact) == 2 and None not in exact else None)
            rows.append((competence, values, delta))
    return render(request, "progression/comparison.html", {
        "form": form, "grade": grade, "grade_label": grade_label(grade) if grade else "",
        "figures": figures, "chart": chart, "rows": rows, "objective": objectives.get(grade),
        "previous": previous,
    })


# --- the year plan and the checklist --------------------------------------------------------------


@staff_required
def plan(request) -> HttpResponse:
    membership = request.membership
    establishment = membership.establishment
    year = establishment.current_year
    grades = selectors.year_grades(
        SchoolClass.objects.filter(establishment=establishment, school_year=year)
    )
    form = PlanFilterForm(request.GET or None, grades=grades)
    grade = form.cleaned_data["niveau"] or None if form.is_valid() else None
    events = plan_events(establishment, year, membership)
    months = school_year_months(year, events, grade=grade, today=timezone.localdate())
    return render(request, "progression/plan.html", {
        "form": form, "grade": grade, "grade_label": grade_label(grade) if grade else "",
        "months": months, "year": year,
    })


@whole_establishment_required
def checklist(request) -> HttpResponse:
    establishment = request.membership.establishment
    year = establishment.current_year
    steps = year_checklist(establishment, year)
    return render(request, "progression/checklist.html", {
        "steps": steps, "year": year, "done": sum(s.done for s in steps),
        "can_open_next": services.can_open_next_year(establishment),
    })


@require_POST
@rupn_required
def checklist_tick(request, step: str) -> HttpResponse:
    if step not in {s.value for s in MANUAL_STEPS}:
        raise Http404
    establishment = request.membership.establishment
    services.checklist_tick(
        establishment=establishment, school_year=establishment.current_year, step=Step(step),
        done=request.POST.get("done") == "1", by=request.user,
    )
    return redirect("progression:checklist")


@rupn_required
def year_open(request) -> HttpResponse:
    establishment = request.membership.establishment
    current = establishment.current_year
    form = YearOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            year = services.school_year_open_next(
                establishment=establishment, by=request.user,
                copy_objectives=form.cleaned_data["copy_objectives"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("progression:checklist")
        messages.success(request, _("L’année %(year)s est ouverte. Importez maintenant la base "
                                    "élèves de la nouvelle année : chaque élève y retrouvera "
                                    "son historique.") % {"year": year})
        return redirect("progression:checklist")
    return render(request, "progression/year_open.html", {
        "form": form, "current": current, "next_start": current.start_year + 1,
        "can_open": services.can_open_next_year(establishment),
        "early": timezone.localdate() < date(current.start_year + 1, 6, 1),
    })
