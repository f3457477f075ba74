"""Bilans for the direction: the certification analysis as a workbook, a PDF and a CSV, with
the latest downloads of the audit log. RUPN and direction only; every download is recorded."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_noop

from audit.models import AuditEvent
from audit.services import audit_download
from certification import results_selectors
from certification.models import AnalysisSummary
from establishments.access import Role, roles_required
from establishments.models import Establishment, SchoolYear

from . import exports, pdf

bilans_required = roles_required(Role.RUPN, Role.DIRECTION)
RECENT_DOWNLOADS = 10


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
    # One more than shown: whether the audit log has others to see, without counting them all.
    downloads = list(
        AuditEvent.objects.for_membership(request.membership)
        .filter(action=AuditEvent.Action.DOWNLOAD)[:RECENT_DOWNLOADS + 1]
    )
    return render(request, "reports/bilans.html", {
        "years": years, "downloads": downloads[:RECENT_DOWNLOADS],
        "more_downloads": len(downloads) > RECENT_DOWNLOADS,
        "downloads_url": _downloads_url(),
    })


def _downloads_url() -> str:
    return f"{reverse('audit:log')}?action={AuditEvent.Action.DOWNLOAD}"


@bilans_required
def download_log(request) -> HttpResponse:
    """The former log of bilan downloads: every download is now in the audit log."""
    return redirect(_downloads_url(), permanent=True)


Writer = Callable[[Establishment, SchoolYear], bytes]


def _serve(request, start_year: int, *, write: Writer, what: dict[str, str], extension: str,
           content_type: str) -> HttpResponse:
    establishment = request.membership.establishment
    school_year = get_analysis_year_for_user(request, start_year)
    data = write(establishment, school_year)
    filename = f"{what['file']}-{establishment.uai}-{school_year}.{extension}"
    audit_download(establishment=establishment, by=request.user, document=what["document"],
                   summary=what["label"], params={"year": school_year}, filename=filename,
                   details={"school_year": school_year.start_year})
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bilans_required
def bilan_xlsx(request, start_year: int) -> HttpResponse:
    return _serve(request, start_year, write=exports.write_bilan_xlsx, extension="xlsx",
                  content_type=exports.XLSX_CONTENT_TYPE,
                  what={"file": "bilan-certification", "document": "bilan_xlsx",
                        "label": gettext_noop("Bilan de certification %(year)s (classeur Excel)")})


@bilans_required
def bilan_pdf(request, start_year: int) -> HttpResponse:
    return _serve(request, start_year, write=pdf.write_bilan_pdf, extension="pdf",
                  content_type="application/pdf",
                  what={"file": "bilan-certification", "document": "bilan_pdf",
                        "label": gettext_noop("Bilan de certification %(year)s (PDF)")})


@bilans_required
def analysis_csv(request, start_year: int) -> HttpResponse:
    return _serve(request, start_year, write=exports.write_analysis_csv, extension="csv",
                  content_type="text/csv; charset=utf-8",
                  what={"file": "analyse-certification", "document": "analysis_csv",
                        "label": gettext_noop(
                            "Tableau d’analyse de certification %(year)s (CSV)")})
