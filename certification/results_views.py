"""Certification results pages: the import of Pix Certif's files, the matching queue, the list
of results, and the analysis table the direction reads.

Pages read aggregates (`AnalysisSummary`) and a page of rows: their number of queries does
not depend on the number of candidates.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from campaigns.charts import level_colour
from campaigns.decisions import apply_match_decision, safe_next_url
from establishments.access import WHOLE_ESTABLISHMENT, Role, roles_required, rupn_required
from establishments.models import Pupil, SchoolYear
from establishments.selectors import pupil_search
from jobs.models import Job
from jobs.services import JobNotConfirmable, JobNotRelaunchable
from jobs.views import get_job_for_user
from pix.referential import COMPETENCE_BY_CODE, COMPETENCE_CODES, COMPETENCES

from . import results_charts as charts
from . import results_selectors as selectors
from . import results_services as services
from .models import CertificationResult
from .results_forms import AnalysisFilterForm, MatchForm, ResultsImportForm

LIST_PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 20
SEARCH_RESULTS = 30
RECENT_IMPORTS = 10

Status = CertificationResult.Status
Match = CertificationResult.Match


def get_result_for_user(request, result_id: int) -> CertificationResult:
    """A result to match to a pupil: the RUPN's work, within their establishment (another
    establishment's id is a 404)."""
    membership = request.membership
    if membership is None or not membership.can_administer:
        raise PermissionDenied
    return get_object_or_404(
        CertificationResult.objects.filter(establishment_id=membership.establishment_id)
        .select_related("school_year", "pupil"),
        pk=result_id,
    )




# --- import -----------------------------------------------------------------------------------


@rupn_required
def results_import(request) -> HttpResponse:
    establishment = request.membership.establishment
    form = ResultsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = [(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
        job = services.certification_import_start(establishment=establishment,
                                                  by=request.user, files=files)
        return redirect("certification:results_import_job", job.pk)
    jobs = (
        Job.objects.filter(establishment=establishment, kind=Job.Kind.CERTIFICATION_IMPORT)
        .select_related("created_by").defer("payload")[:RECENT_IMPORTS]
    )
    return render(request, "certification/results_import.html", {"form": form, "jobs": jobs})


def _with_files(serialised: list[dict]) -> list[dict]:
    """Errors (or warnings) of a job, translated, each with the name of its file."""
    rows = []
    for error in serialised:
        params = error.get("params") or {}
        text = _(error["message"])
        rows.append({"file": params.get("file", ""), "line": error.get("line"),
                     "column": error.get("column"), "text": text % params if params else text})
    return rows


@rupn_required
def results_import_job(request, job_id: int) -> HttpResponse:
    job = get_job_for_user(request, job_id)
    if job.kind != Job.Kind.CERTIFICATION_IMPORT:
        raise Http404
    return render(request, "certification/results_import_job.html", {
        "job": job,
        "errors": _with_files(job.errors),
        "warnings": _with_files(job.params.get("warnings", [])),
        "confirmable": (job.status == Job.Status.FAILED and job.params.get("needs_confirmation")
                        and job.has_file),
        "years": [f"{y}-{y + 1}" for y in job.counts.get("school_years", [])],
    })


@require_POST
@rupn_required
def results_import_confirm(request, job_id: int) -> HttpResponse:
    """Goes on with files that seemed another establishment's: the RUPN confirms."""
    job = get_job_for_user(request, job_id, relaunch=True)
    if job.kind != Job.Kind.CERTIFICATION_IMPORT:
        raise Http404
    try:
        services.certification_import_confirm(job=job, by=request.user)
    except (JobNotConfirmable, JobNotRelaunchable):
        messages.error(request, _("Cet import ne peut pas être confirmé : il ne s’est pas "
                                  "arrêté sur un fichier d’un autre établissement."))
    return redirect("certification:results_import_job", job.pk)


# --- the matching queue -----------------------------------------------------------------------


@rupn_required
def matching_queue(request) -> HttpResponse:
    queue = selectors.matching_queue(request.membership.establishment)
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certification/results_queue.html", {
        "page": page, "results": page.object_list, "next": request.get_full_path(),
    })


@rupn_required
def result_match(request, result_id: int) -> HttpResponse:
    """Choose another pupil for a result: search the establishment's pupils."""
    result = get_result_for_user(request, result_id)
    query = request.GET.get("q", "").strip() or result.last_name_key.replace(" ", "")[:4]
    pupils = []
    if query:
        found = pupil_search(
            Pupil.objects.filter(establishment=request.membership.establishment), query
        ).with_class_of(result.school_year)
        pupils = list(found.order_by("last_name", "first_name", "pk")[:SEARCH_RESULTS])
    return render(request, "certification/results_match.html", {
        "result": result, "query": query, "pupils": pupils,
        "too_many": len(pupils) == SEARCH_RESULTS,
        "next": safe_next_url(request, reverse("certification:results_queue")),
    })


@require_POST
@rupn_required
def result_decide(request, result_id: int) -> HttpResponse:
    result = get_result_for_user(request, result_id)
    form = MatchForm(request.POST, establishment=request.membership.establishment)
    next_url = safe_next_url(request, reverse("certification:results_queue"))
    name = f"{result.last_name} {result.first_name}"
    return apply_match_decision(
        request, form, name=name, next_url=next_url,
        confirm=lambda pupil: services.result_match_confirm(
            result=result, pupil=pupil, by=request.user),
        reject=lambda: services.result_match_reject(result=result, by=request.user),
    )


# --- the list of results ----------------------------------------------------------------------


def _chosen_year(request, years: list[SchoolYear]) -> SchoolYear | None:
    wanted = request.GET.get("annee", "")
    for year in years:
        if str(year.start_year) == wanted:
            return year
    return years[0] if years else None


@roles_required(Role.RUPN, Role.DIRECTION, Role.TEACHER)
def results_list(request) -> HttpResponse:
    membership = request.membership
    visible = selectors.visible_results(membership)
    years = list(SchoolYear.objects.filter(
        pk__in=visible.values("school_year_id")).order_by("-start_year"))
    year = _chosen_year(request, years)
    of_year = visible.filter(school_year=year) if year else visible.none()
    divisions = sorted(
        (d for d in of_year.order_by().values_list("division", flat=True).distinct() if d),
        key=selectors.division_sort_key,
    )
    whole = membership.role in WHOLE_ESTABLISHMENT
    chosen = request.GET.get("classe", "")
    if chosen not in divisions:
        chosen = ""
    form = AnalysisFilterForm(initial={"annee": year.start_year if year else None,
                                       "classe": chosen},
                              years=years, divisions=divisions, whole=whole)
    results = of_year.filter(division=chosen) if chosen else of_year
    if whole and request.GET.get("a_verifier"):
        results = results.filter(match=Match.PENDING)
    page = Paginator(
        results.select_related("pupil").order_by("division", "last_name", "first_name", "pk"),
        LIST_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    max_level = settings.PIX_MAX_LEVEL
    rows = [{
        "result": r,
        "levels": [(code, level, level_colour(level, max(max_level, level or 0)))
                   for code, level in selectors.ordered_levels(r)],
        "global_level": selectors.result_global_level(r),
    } for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "certification/results_list.html", {
        "form": form, "page": page, "rows": rows, "year": year, "whole": whole,
        "competences": COMPETENCES, "query": query.urlencode(),
        "pending_only": bool(whole and request.GET.get("a_verifier")),
        "pending": selectors.pending_count(membership.establishment) if whole else 0,
        "with_complementary": any(r.complementary_taken for r in page.object_list),
    })


# --- the analysis -----------------------------------------------------------------------------


def max_level_of(*rows: selectors.AnalysisRow | None) -> int:
    """The level axis: the setting, or higher when a file certified higher."""
    top = settings.PIX_MAX_LEVEL
    for row in rows:
        if row is None:
            continue
        for code in COMPETENCE_CODES:
            distribution = row.competence(code).get("distribution") or []
            top = max([top] + [level for level, n in enumerate(distribution) if n])
    return top


def status_labels() -> list[tuple[str, str]]:
    return [(s.value, str(s.label)) for s in Status]


@roles_required(Role.RUPN, Role.DIRECTION)
def analysis(request) -> HttpResponse:
    establishment = request.membership.establishment
    years = selectors.result_years(establishment)
    year = _chosen_year(request, years)
    divisions = selectors.analysis_divisions(establishment, year) if year else []
    chosen = request.GET.get("classe", "")
    if chosen not in divisions:
        chosen = ""
    form = AnalysisFilterForm(initial={"annee": year.start_year if year else None,
                                       "classe": chosen}, years=years, divisions=divisions)
    row = selectors.analysis_row(establishment, year, chosen) if year else None
    whole = row if row is None or not chosen else selectors.analysis_row(establishment, year)
    context = {"form": form, "year": year, "row": row, "chosen": chosen,
               "pending": selectors.pending_count(establishment),
               "unclassed": whole.unclassed_sentence if whole is not None else ""}
    if row is not None:
        history = selectors.year_on_year(establishment, year, chosen)
        earlier = [h for h in history if h.school_year.start_year < year.start_year]
        previous = earlier[-1] if earlier else None
        max_level = max_level_of(row, previous)
        level_label = pgettext("Pix level", "Niveau moyen")
        series = [(str(year), row.mean_levels)]
        if previous is not None:
            series.append((str(previous.school_year), previous.mean_levels))
        context.update({
            "history": history, "previous": previous, "max_level": max_level,
            "statuses": [(s, label, row.status(s)) for s, label in status_labels()],
            "competences": [_competence_line(row, previous, c) for c in COMPETENCES],
            "weakest": [(code, COMPETENCE_BY_CODE[code].name) for code in row.weakest],
            "forecast": [
                (c, row.forecast.get(c.code) or {}) for c in COMPETENCES
                if (row.forecast.get(c.code) or {}).get("pupils")
            ],
            "status_chart": charts.status_chart(
                [(s, label, row.status(s)) for s, label in status_labels()]),
            "levels_chart": charts.level_distribution_chart(
                row.levels, axis_label=_("Certifications validées")),
            "means_chart": charts.competence_means_chart(
                series, max_level=max_level, axis_label=level_label),
        })
        table = selectors.analysis_rows(establishment, year) if not chosen else [row]
        context["classes"] = [r for r in table if r.division] if not chosen else []
        context["complementary"] = selectors.complementary_lines(table)
        if context["forecast"]:
            context["forecast_chart"] = charts.forecast_chart(
                row.forecast, forecast_label=_("Dernière collecte de profils"),
                certified_label=_("Certification"), max_level=max_level,
                axis_label=level_label,
            )
    return render(request, "certification/analysis.html", context)


def _competence_line(row: selectors.AnalysisRow, previous: selectors.AnalysisRow | None,
                     competence) -> dict:
    code = competence.code
    return {
        "competence": competence,
        "count": row.competence(code).get("count", 0),
        "mean": row.mean_level(code),
        "at_least": [row.share_at_least(code, level) for level in (1, 2, 3)],
        "previous": previous.mean_level(code) if previous else None,
        "weak": code in row.weakest,
    }
