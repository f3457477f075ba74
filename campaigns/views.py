"""Campaign pages: the list, the form, the campaign page, its slips and the results import.

Results pages (collective results, downloads, matching queue, levels by grade) are in
`results_views.py`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from establishments.access import staff_required
from establishments.models import SchoolYear
from jobs.models import Job

from . import services
from .access import (
    campaign_creators_required,
    can_manage,
    get_campaign_for_user,
    sees_every_class,
    visible_divisions,
)
from .forms import CampaignFilterForm, CampaignForm, ResultsImportForm
from .models import Campaign, Participant, ResultSummary
from .results_views import visible_counts

PAGE_SIZE = 25
RECENT_JOBS = 10


def add_service_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, next to the field it is about when there is one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@staff_required
def campaign_list(request) -> HttpResponse:
    membership = request.membership
    visible = Campaign.objects.for_membership(membership)
    years = SchoolYear.objects.filter(pk__in=visible.values("school_year_id"))
    form = CampaignFilterForm(request.GET or None, years=years)
    whole = ResultSummary.objects.filter(
        campaign=OuterRef("pk"), division=ResultSummary.ESTABLISHMENT
    )
    campaigns = form.filter(visible).select_related("school_year", "owner").annotate(
        participant_count=Subquery(whole.values("participants")[:1]),
        shared_count=Subquery(whole.values("shared")[:1]),
    )
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    for campaign in page:
        # Establishment-wide counts only for those who see every class of the campaign.
        campaign.full_view = sees_every_class(membership, campaign)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "campaigns/campaign_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_create": membership.role in (membership.Role.RUPN, membership.Role.TEACHER),
    })


@campaign_creators_required
def campaign_create(request) -> HttpResponse:
    membership = request.membership
    form = CampaignForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                establishment=membership.establishment, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Campagne %(code)s créée.") % {"code": campaign.code})
            return redirect("campaigns:detail", campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@staff_required
def campaign_edit(request, campaign_id: int) -> HttpResponse:
    campaign = get_campaign_for_user(request, campaign_id, manage=True)
    form = CampaignForm(request.POST or None, membership=request.membership, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Campagne enregistrée."))
            return redirect("campaigns:detail", campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@require_POST
@staff_required
def campaign_archive(request, campaign_id: int) -> HttpResponse:
    campaign = get_campaign_for_user(request, campaign_id, manage=True)
    services.campaign_archive(campaign=campaign, by=request.user)
    messages.success(request, _("Campagne archivée."))
    return redirect("campaigns:detail", campaign.pk)


@require_POST
@staff_required
def campaign_unarchive(request, campaign_id: int) -> HttpResponse:
    campaign = get_campaign_for_user(request, campaign_id, manage=True)
    services.campaign_unarchive(campaign=campaign, by=request.user)
    messages.success(request, _("Campagne désarchivée."))
    return redirect("campaigns:detail", campaign.pk)


def _recent_imports(campaign: Campaign):
    return (
        Job.objects.filter(establishment_id=campaign.establishment_id,
                           kind=Job.Kind.CAMPAIGN_IMPORT)
        .filter(Q(params__campaign_id=campaign.pk) | Q(counts__campaign_id=campaign.pk))
        .select_related("created_by")
        .defer("payload")[:RECENT_JOBS]
    )


def _detail(request, campaign: Campaign, upload_form: ResultsImportForm | None = None,
            *, status: int = 200) -> HttpResponse:
    membership = request.membership
    manage = can_manage(membership, campaign)
    divisions = visible_divisions(membership, campaign)
    classes = campaign.classes.order_by("code")
    if divisions is not None:
        classes = classes.filter(code__in=divisions)
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "counts": visible_counts(campaign, divisions),
        "limited_to": divisions,
        "classes": classes,
        "manage": manage,
        "upload_form": upload_form or (ResultsImportForm() if manage else None),
        "jobs": _recent_imports(campaign) if manage or divisions is None else [],
        "pending": campaign.participants.filter(match=Participant.Match.PENDING).count()
        if membership.can_administer else 0,
    }, status=status)


@staff_required
def campaign_detail(request, campaign_id: int) -> HttpResponse:
    return _detail(request, get_campaign_for_user(request, campaign_id))


@require_POST
@staff_required
def campaign_upload(request, campaign_id: int) -> HttpResponse:
    """A Pix Orga export of this campaign: imported by a job, followed on the job's page."""
    campaign = get_campaign_for_user(request, campaign_id, manage=True)
    form = ResultsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, campaign, form, status=400)
    upload = form.cleaned_data["file"]
    job = services.campaign_import_start(
        establishment=campaign.establishment, by=request.user, filename=upload.name,
        data=upload.read(), campaign=campaign,
    )
    return redirect("jobs:detail", job.pk)


@staff_required
def campaign_slips(request, campaign_id: int) -> HttpResponse:
    """One printable page per targeted class: how pupils join the campaign."""
    campaign = get_campaign_for_user(request, campaign_id)
    divisions = visible_divisions(request.membership, campaign)
    classes = campaign.classes.order_by("code")
    if divisions is not None:
        classes = classes.filter(code__in=divisions)
    return render(request, "campaigns/campaign_slips.html", {
        "campaign": campaign, "classes": list(classes), "no_class": [None],
        "slips_per_page": range(6),
    })


@campaign_creators_required
def results_import(request) -> HttpResponse:
    """Any Pix Orga export: the campaign is found, or created, from the file's code."""
    membership = request.membership
    form = ResultsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.campaign_import_start(
            establishment=membership.establishment, by=request.user, filename=upload.name,
            data=upload.read(),
        )
        return redirect("jobs:detail", job.pk)
    jobs = (
        Job.objects.for_membership(membership)
        .filter(kind=Job.Kind.CAMPAIGN_IMPORT)
        .select_related("created_by")
        .defer("payload")[:RECENT_JOBS]
    )
    return render(request, "campaigns/results_import.html", {"form": form, "jobs": jobs})
