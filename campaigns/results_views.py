"""Results pages: a campaign's collective results and downloads, the matching queue, and the
latest levels of a grade's pupils.

Pages read aggregates (`ResultSummary`, built after each import) and a page of rows: their
number of queries does not depend on the number of participants.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext
from django.views.decorators.http import require_POST

from audit.services import audit_download
from establishments.access import rupn_required, staff_required
from establishments.models import Enrolment, Pupil, SchoolClass
from establishments.selectors import pupil_search
from jobs.models import Job
from jobs.services import JobNotConfirmable, JobNotRelaunchable
from pix.referential import COMPETENCE_BY_CODE, COMPETENCES
from pix.rules import is_certifiable

from . import charts, exports, participant_exports, selectors, services
from .access import get_campaign_for_user, get_participant_for_user, visible_divisions
from .decisions import apply_match_decision, safe_next_url
from .forms import DivisionForm, LevelsFilterForm, MatchForm, PupilSearchForm
from .models import Campaign, Participant, ResultSummary

QUEUE_PAGE_SIZE = 20
LEVELS_PAGE_SIZE = 30
SEARCH_RESULTS = 30


@dataclass(frozen=True)
class Counts:
    participants: int = 0
    started: int = 0
    shared: int = 0
    matched: int = 0
    certifiable: int = 0

    @property
    def unmatched(self) -> int:
        return max(self.participants - self.matched, 0)


def visible_counts(campaign: Campaign, divisions: list[str] | None) -> Counts | None:
    """The campaign's counts over what the reader may see: the establishment's summary, or
    the sum of their classes' summaries. None before any import."""
    summaries = ResultSummary.objects.filter(campaign=campaign)
    if divisions is None:
        summaries = summaries.filter(division=ResultSummary.ESTABLISHMENT)
    else:
        summaries = summaries.filter(division__in=divisions)
    totals = summaries.aggregate(
        participants=Sum("participants"), started=Sum("started"), shared=Sum("shared"),
        matched=Sum("matched"), certifiable=Sum("certifiable"),
    )
    if totals["participants"] is None:
        return None
    return Counts(**{key: value or 0 for key, value in totals.items()})


# --- collective results -----------------------------------------------------------------------


def _results_scope(request, campaign: Campaign) -> tuple[list[str], str, bool]:
    """(classes offered, class chosen or "" for the whole establishment, whole allowed)."""
    allowed = visible_divisions(request.membership, campaign)
    with_results = sorted(
        campaign.summaries.exclude(division=ResultSummary.ESTABLISHMENT)
        .values_list("division", flat=True),
        key=selectors.division_sort_key,
    )
    whole = allowed is None
    divisions = with_results if whole else [d for d in with_results if d in allowed]
    chosen = request.GET.get("division", "")
    if chosen and chosen not in divisions:
        if chosen in with_results or not whole:
            raise PermissionDenied  # a class whose results this teacher may not read
        chosen = ""
    if not whole and not chosen:
        chosen = divisions[0] if divisions else ""
    return divisions, chosen, whole


@staff_required
def campaign_results(request, campaign_id: int) -> HttpResponse:
    campaign = get_campaign_for_user(request, campaign_id)
    divisions, chosen, whole = _results_scope(request, campaign)
    form = DivisionForm(initial={"division": chosen}, divisions=divisions, whole=whole)
    summary = selectors.campaign_summary(campaign, chosen or None) if whole or chosen else None
    rows = charts.competence_rows(summary.competences) if summary else []
    # The reachable maximum is a setting; a file from when it was higher still shows whole.
    max_level = max([settings.PIX_MAX_LEVEL]
                    + [level for r in rows for level, n in enumerate(r.distribution) if n])
    mastery = campaign.gives_mastery
    context = {
        "campaign": campaign, "form": form, "summary": summary, "chosen": chosen,
        "whole": whole, "rows": rows, "mastery": mastery, "max_level": max_level,
        "levels": range(max_level + 1), "legend": charts.level_legend(max_level),
        "can_download": whole,
    }
    if rows:
        if mastery:
            context["competence_chart"] = charts.mastery_chart(
                rows, axis_label=_("Maîtrise moyenne des acquis")
            )
        else:
            context["competence_chart"] = charts.level_distribution_chart(
                rows, max_level=max_level, level_label=pgettext("Pix level", "Niveau"),
                axis_label=_("Part des participants"),
            )
        context["table_rows"] = [
            {
                "row": row,
                "colour": charts.mastery_colour(row.mean_mastery) if mastery
                else charts.level_colour(row.mean_level, max_level),
                "distribution": [row.distribution[n] if n < len(row.distribution) else 0
                                 for n in range(max_level + 1)],
            }
            for row in rows
        ]
    if summary:
        context["stages"] = sorted(
            ((int(stage), count) for stage, count in (summary.stages or {}).items()),
            reverse=True,
        )
        context["badges"] = sorted((summary.badges or {}).items())
    context.update(_heatmap(campaign, divisions if not whole else None, mastery, max_level))
    return render(request, "campaigns/campaign_results.html", context)


def _heatmap(campaign: Campaign, only: list[str] | None, mastery: bool,
             max_level: int) -> dict:
    heat_divisions, codes, matrix = selectors.campaign_heatmap(campaign)
    pairs = [(d, row) for d, row in zip(heat_divisions, matrix, strict=True)
             if only is None or d in only]
    if not pairs or not codes:
        return {}
    divisions, matrix = [d for d, _row in pairs], [row for _d, row in pairs]
    label = _("Maîtrise moyenne") if mastery else _("Niveau moyen")
    colour = charts.mastery_colour if mastery else (lambda v: charts.level_colour(v, max_level))
    return {
        "heatmap": charts.heatmap_chart(
            divisions, codes, matrix, mastery=mastery, max_level=max_level, value_label=label,
        ),
        "heatmap_codes": [(c, COMPETENCE_BY_CODE.get(c)) for c in codes],
        "heatmap_rows": [
            (d, [(v, colour(v)) for v in row]) for d, row in pairs
        ],
        "heatmap_label": label,
        "heatmap_min_width": charts.HEATMAP_MIN_WIDTH,
    }


def _download(request, campaign_id: int, write, extension: str, content_type: str,
              summary: str, name: str = "resultats"):
    campaign = get_campaign_for_user(request, campaign_id)
    if visible_divisions(request.membership, campaign) is not None:
        raise PermissionDenied  # the file holds every class
    filename = f"{name}-{campaign.code}.{extension}"
    response = HttpResponse(write(campaign), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit_download(
        establishment=request.membership.establishment, by=request.user,
        document=f"campaign_{'results' if name == 'resultats' else name}_{extension}",
        summary=summary,
        params={"name": campaign.name, "code": campaign.code}, filename=filename,
        details={"campaign_id": campaign.pk, "code": campaign.code},
    )
    return response


@staff_required
def campaign_results_csv(request, campaign_id: int) -> HttpResponse:
    return _download(
        request, campaign_id, exports.write_collective_csv, "csv", "text/csv; charset=utf-8",
        gettext_noop("Export CSV des résultats de la campagne « %(name)s » (%(code)s)"),
    )


@staff_required
def campaign_results_xlsx(request, campaign_id: int) -> HttpResponse:
    return _download(
        request, campaign_id, exports.write_collective_xlsx, "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        gettext_noop("Export Excel des résultats de la campagne « %(name)s » (%(code)s)"),
    )


PARTICIPANTS_PAGE_SIZE = 50


@staff_required
def campaign_participants(request, campaign_id: int) -> HttpResponse:
    """The campaign's participants as Pix names them, with their external id; a teacher who
    sees the campaign for their classes only sees those classes' participants."""
    campaign = get_campaign_for_user(request, campaign_id)
    divisions = visible_divisions(request.membership, campaign)
    participants = Participant.objects.filter(campaign=campaign).order_by(
        "division", "last_name_key", "first_name_key", "pk")
    if divisions is not None:
        participants = participants.filter(division__in=divisions)
    page = Paginator(participants, PARTICIPANTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "campaigns/campaign_participants.html", {
        "campaign": campaign, "page": page, "participants": page.object_list,
        "recognised": participant_exports.RECOGNISED, "can_download": divisions is None,
    })


@staff_required
def campaign_participants_csv(request, campaign_id: int) -> HttpResponse:
    return _download(
        request, campaign_id, participant_exports.write_participants_csv, "csv",
        "text/csv; charset=utf-8",
        gettext_noop("Export CSV des participants de la campagne « %(name)s » (%(code)s)"),
        name="participants",
    )


@staff_required
def campaign_participants_xlsx(request, campaign_id: int) -> HttpResponse:
    return _download(
        request, campaign_id, participant_exports.write_participants_xlsx, "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        gettext_noop("Export Excel des participants de la campagne « %(name)s » (%(code)s)"),
        name="participants",
    )


@require_POST
@rupn_required
def import_confirm(request, job_id: int) -> HttpResponse:
    """« Importer quand même »: the RUPN says a file stopped as another school's is theirs."""
    job = get_object_or_404(
        Job.objects.for_membership(request.membership).defer("payload"), pk=job_id,
        kind=Job.Kind.CAMPAIGN_IMPORT,
    )
    try:
        services.campaign_import_confirm(job=job, by=request.user)
    except (JobNotConfirmable, JobNotRelaunchable):
        messages.error(request, _("Cet import ne peut pas être confirmé : il ne s’est pas arrêté "
                                  "sur un fichier d’un autre établissement, ou son fichier a "
                                  "été supprimé."))
    else:
        messages.success(request, _("Import confirmé : le fichier est importé à nouveau."))
    return redirect("jobs:detail", job.pk)


# --- matching queue ---------------------------------------------------------------------------


@rupn_required
def matching_queue(request) -> HttpResponse:
    queue = selectors.matching_queue(request.membership.establishment)
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "campaigns/matching_queue.html", {
        "page": page, "participants": page.object_list, "next": request.get_full_path(),
    })


@rupn_required
def participant_match(request, participant_id: int) -> HttpResponse:
    """Choose another pupil for a participant: search the establishment's pupils."""
    participant = get_participant_for_user(request, participant_id)
    # The start of the last name as Pix gives it: finds a pupil whose name was mistyped.
    start = participant.last_name_key.replace(" ", "")[:4] or participant.first_name_key
    form = PupilSearchForm(request.GET or {"q": start})
    pupils = []
    if form.is_valid() and form.cleaned_data["q"]:
        found = pupil_search(
            Pupil.objects.filter(establishment=request.membership.establishment),
            form.cleaned_data["q"],
        ).with_class_of(participant.campaign.school_year)
        pupils = list(found.order_by("last_name", "first_name", "pk")[:SEARCH_RESULTS])
    return render(request, "campaigns/participant_match.html", {
        "participant": participant, "form": form, "pupils": pupils,
        "too_many": len(pupils) == SEARCH_RESULTS,
        "next": safe_next_url(request, reverse("campaigns:matching")),
    })




@require_POST
@rupn_required
def participant_decide(request, participant_id: int) -> HttpResponse:
    participant = get_participant_for_user(request, participant_id)
    form = MatchForm(request.POST, establishment=request.membership.establishment)
    next_url = safe_next_url(request, reverse("campaigns:matching"))
    name = f"{participant.last_name} {participant.first_name}"
    return apply_match_decision(
        request, form, name=name, next_url=next_url,
        confirm=lambda pupil: services.match_confirm(
            participant=participant, pupil=pupil, by=request.user),
        reject=lambda: services.match_reject(participant=participant, by=request.user),
    )


# --- latest levels of a grade -----------------------------------------------------------------


def _latest_measured_grade(establishment, year, *, default: str) -> str:
    """The grade whose pupils sent a profile most recently: what one comes to look at."""
    grade = (
        Enrolment.objects.filter(
            school_year=year, school_class__establishment=establishment,
            pupil__participations__has_shared=True,
            pupil__participations__campaign__kind=Campaign.Kind.PROFILES_COLLECTION,
        )
        .exclude(school_class__grade="")
        .order_by("-pupil__participations__campaign__results_imported_at")
        .values_list("school_class__grade", flat=True)
        .first()
    )
    return grade or default


@staff_required
def grade_levels(request) -> HttpResponse:
    """The latest known level of each pupil of a grade in each competence."""
    membership = request.membership
    establishment = membership.establishment
    year = establishment.current_year
    classes = SchoolClass.objects.for_membership(membership).filter(school_year=year)
    form = LevelsFilterForm(request.GET or None, classes=classes.order_by("code"))
    grade_choices = form.fields["grade"].choices
    grade = form.cleaned_data["grade"] if form.is_valid() else _latest_measured_grade(
        establishment, year, default=grade_choices[0][0]
    )
    school_class = form.cleaned_data["school_class"] if form.is_valid() else None
    if not form.is_bound:
        form = LevelsFilterForm(initial={"grade": grade}, classes=classes.order_by("code"))
    pupils = Pupil.objects.for_membership(membership).with_class_of(year).filter(
        class_id__in=classes.filter(grade=grade).values("pk"), left_on__isnull=True
    )
    if school_class is not None:
        pupils = pupils.filter(class_id=school_class.pk)
    page = Paginator(pupils.order_by("class_code", "last_name", "first_name", "pk"),
                     LEVELS_PAGE_SIZE).get_page(request.GET.get("page"))
    levels = selectors.grade_latest_levels(establishment, year, grade)
    max_level = settings.PIX_MAX_LEVEL
    rows = []
    for pupil in page:
        known = levels.get(pupil.pk, {})
        cells = []
        for competence in COMPETENCES:
            level = known.get(competence.code)
            cells.append((level, charts.level_colour(level, max_level)))
        rows.append({
            "pupil": pupil, "cells": cells,
            "certifiable": is_certifiable(known) if known else None,
        })
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "campaigns/grade_levels.html", {
        "form": form, "page": page, "rows": rows, "competences": COMPETENCES,
        "legend": charts.level_legend(max_level), "query": query.urlencode(),
        "grade_label": dict(grade_choices).get(grade, grade),
        "limited": not membership.sees_whole_establishment,
    })
