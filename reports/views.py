"""Bilans for the direction: the certification analysis as a workbook, a PDF and a CSV, and
the log of who downloaded what. RUPN and direction only; every download is recorded."""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from certification import results_selectors
from certification.models import AnalysisSummary
from establishments.access import Role, roles_required
from establishments.models import Establishment, SchoolYear

from . import exports, pdf, services
from .models import Download

bilans_required = roles_required(Role.RUPN, Role.DIRECTION)
RECENT_DOWNLOADS = 10
LOG_PAGE_SIZE = 50


def get_analysis_year_for_user(request, start_year: int) -> SchoolYear:
    """A school year with a certification analysis in the member's establishment; else 404."""
    summary = (
        AnalysisSummary.objects.filter(
            establishment_id=request.membership.establishment_id,
            school_year__start_year=start_year, division="",
        ).select_related("school_year").first()
    )
    if summary is None:
        raise Http404
    return summary.school_year


@bilans_required
def bilans(request) -> HttpResponse:
    establishment = request.membership.establishment
    years = [
        row for row in (
            results_selectors.analysis_row(establishment, year)
            for year in results_selectors.result_years(establishment)
        ) if row is not None
    ]
    downloads = (Download.objects.filter(establishment=establishment)
                 .select_related("user")[:RECENT_DOWNLOADS])
    return render(request, "reports/bilans.html", {
        "years": years, "downloads": downloads,
        "more_downloads": Download.objects.filter(establishment=establishment).count()
        > RECENT_DOWNLOADS,
    })


@bilans_required
def download_log(request) -> HttpResponse:
    downloads = Download.objects.filter(
        establishment=request.membership.establishment
    ).select_related("user")
    page = Paginator(downloads, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/downloads.html", {"page": page, "downloads": page.object_list})


Writer = Callable[[Establishment, SchoolYear], bytes]


def _serve(request, start_year: int, *, write: Writer, what: str, extension: str,
           content_type: str) -> HttpResponse:
    establishment = request.membership.establishment
    school_year = get_analysis_year_for_user(request, start_year)
    data = write(establishment, school_year)
    filename = f"{what['file']}-{establishment.uai}-{school_year}.{extension}"
    services.download_record(establishment=establishment, by=request.user,
                             what=what["label"] % {"year": school_year}, filename=filename)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bilans_required
def bilan_xlsx(request, start_year: int) -> HttpResponse:
    return _serve(request, start_year, write=exports.write_bilan_xlsx, extension="xlsx",
                  content_type=exports.XLSX_CONTENT_TYPE,
                  what={"file": "bilan-certification",
                        "label": _("Bilan de certification %(year)s (classeur Excel)")})


@bilans_required
def bilan_pdf(request, start_year: int) -> HttpResponse:
    return _serve(request, start_year, write=pdf.write_bilan_pdf, extension="pdf",
                  content_type="application/pdf",
                  what={"file": "bilan-certification",
                        "label": _("Bilan de certification %(year)s (PDF)")})


@bilans_required
def analysis_csv(request, start_year: int) -> HttpResponse:
    return _serve(request, start_year, write=exports.write_analysis_csv, extension="csv",
                  content_type="text/csv; charset=utf-8",
                  what={"file": "analyse-certification",
                        "label": _("Tableau d’analyse de certification %(year)s (CSV)")})
