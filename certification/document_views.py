"""Certification documents: the Pix Certif candidate list of a session (CSV, XLSX), attendance
sheets, convocations and the invigilators' schedule (printable pages and PDF); a pupil's own
convocation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from audit.services import audit_download
from establishments.access import Role, roles_required
from establishments.models import Pupil
from pix.candidates import write_candidates_csv, write_candidates_xlsx

from . import pdf, selectors
from .planning_access import (
    can_plan,
    get_plan_for_user,
    get_session_for_user,
    invigilators_required,
    plan_readers_required,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _inline_pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _session_slug(session) -> str:
    start = timezone.localtime(session.starts_at)
    return f"{start:%Y-%m-%d_%Hh%M}_{slugify(session.room.name) or 'salle'}"


def _audit(request, document: str, summary: str, filename: str, params: dict | None = None,
           details: dict | None = None) -> None:
    audit_download(establishment=request.membership.establishment, by=request.user,
                   document=document, summary=summary, params=params or {},
                   filename=filename, details=details)


def _audit_session(request, document: str, summary: str, filename: str, session, row) -> None:
    start = timezone.localtime(session.starts_at)
    _audit(request, document, summary, filename,
           params={"when": f"{start:%d/%m/%Y %H:%M}", "room": session.room.name,
                   "n": len(row.candidates)},
           details={"session_id": session.pk, "candidates": len(row.candidates)})


@plan_readers_required
def documents(request) -> HttpResponse:
    plan = get_plan_for_user(request)
    page = selectors.plan_page(plan)
    return render(request, "certification/documents/index.html", {
        "plan": plan, "page": page, "can_plan": can_plan(request.membership),
        "divisions": [d for d, _count in page.counts.by_division],
    })


# --- per session ------------------------------------------------------------------------------


def _session_row(request, session_id: int):
    session = get_session_for_user(request, session_id)
    row, _page = selectors.session_page(session.plan, session)
    return session, row


@plan_readers_required
def session_candidates_csv(request, session_id: int) -> HttpResponse:
    session, row = _session_row(request, session_id)
    content = write_candidates_csv(selectors.session_pix_candidates(row))
    filename = f"candidats-pix-certif_{_session_slug(session)}.csv"
    _audit_session(request, "candidates_csv", gettext_noop(
        "Liste des candidats Pix Certif (CSV) de la session du %(when)s, %(room)s "
        "(candidats : %(n)s)"), filename, session, row)
    return _download(content, filename, "text/csv; charset=utf-8")


@plan_readers_required
def session_candidates_xlsx(request, session_id: int) -> HttpResponse:
    session, row = _session_row(request, session_id)
    content = write_candidates_xlsx(selectors.session_pix_candidates(row))
    filename = f"candidats-pix-certif_{_session_slug(session)}.xlsx"
    _audit_session(request, "candidates_xlsx", gettext_noop(
        "Liste des candidats Pix Certif (Excel) de la session du %(when)s, %(room)s "
        "(candidats : %(n)s)"), filename, session, row)
    return _download(content, filename, XLSX)


@invigilators_required
def attendance_sheet(request, session_id: int) -> HttpResponse:
    """A teacher prints the sheets of the sessions they invigilate."""
    session, row = _session_row(request, session_id)
    content = pdf.attendance_sheet_pdf(
        row, establishment_name=request.membership.establishment.name,
        session_minutes=session.plan.session_minutes)
    filename = f"emargement_{_session_slug(session)}.pdf"
    _audit_session(request, "attendance_sheet", gettext_noop(
        "Feuille d’émargement de la session du %(when)s, %(room)s (candidats : %(n)s)"),
        filename, session, row)
    return _inline_pdf(content, filename)


# --- convocations -----------------------------------------------------------------------------


def _convocations(request):
    plan = get_plan_for_user(request)
    session_id = request.GET.get("session", "")
    division = request.GET.get("classe", "") or None
    return plan, selectors.convocations(
        plan, session_id=int(session_id) if session_id.isdigit() else None, division=division)


@plan_readers_required
def convocations(request) -> HttpResponse:
    plan, items = _convocations(request)
    return render(request, "certification/documents/convocations.html", {
        "plan": plan, "convocations": items, "what_to_bring": pdf.what_to_bring(),
        "query": request.GET.urlencode(),
    })


@plan_readers_required
def convocations_pdf(request) -> HttpResponse:
    _plan, items = _convocations(request)
    content = pdf.convocations_pdf(items)
    filename = "convocations-certification-pix.pdf"
    _audit(request, "convocations", gettext_noop(
        "Convocations à la certification Pix (convocations : %(n)s)"), filename,
        params={"n": len(items)},
        details={"convocations": len(items),
                 "filters": {"session": request.GET.get("session", "")[:20],
                             "classe": request.GET.get("classe", "")[:40]}})
    return _inline_pdf(content, filename)


# --- invigilators' schedule -------------------------------------------------------------------


def _schedules(request):
    """RUPN and direction: every invigilator; a teacher: themselves."""
    membership = request.membership
    plan = selectors.current_plan(membership.establishment)
    if plan is None:
        return None, []
    mine = None if membership.sees_whole_establishment else membership
    return plan, selectors.invigilation_schedules(plan, member=mine)


@invigilators_required
def invigilation_schedule(request) -> HttpResponse:
    plan, schedules = _schedules(request)
    return render(request, "certification/documents/invigilation.html", {
        "plan": plan, "schedules": schedules,
        "whole": request.membership.sees_whole_establishment,
    })


@invigilators_required
def invigilation_schedule_pdf(request) -> HttpResponse:
    _plan, schedules = _schedules(request)
    content = pdf.invigilation_schedule_pdf(
        schedules, establishment_name=request.membership.establishment.name)
    filename = "surveillances-certification-pix.pdf"
    _audit(request, "invigilation_schedule", gettext_noop(
        "Planning des surveillances de la certification Pix (surveillants : %(n)s)"), filename,
        params={"n": len(schedules)}, details={"invigilators": len(schedules)})
    return _inline_pdf(content, filename)


# --- a pupil's own convocation ----------------------------------------------------------------


def _own_pupil(request) -> Pupil:
    pupil = Pupil.objects.filter(
        user=request.user, establishment_id=request.membership.establishment_id
    ).select_related("establishment").first()
    if pupil is None:
        raise PermissionDenied
    return pupil


@roles_required(Role.PUPIL)
def my_convocation(request) -> HttpResponse:
    return render(request, "certification/documents/my_convocation.html", {
        "convocations": selectors.pupil_convocations(_own_pupil(request)),
        "what_to_bring": pdf.what_to_bring(),
    })


@roles_required(Role.PUPIL)
def my_convocation_pdf(request) -> HttpResponse:
    pupil = _own_pupil(request)
    items = selectors.pupil_convocations(pupil)
    if not items:
        raise Http404
    filename = "ma-convocation-certification-pix.pdf"
    _audit(request, "my_convocation", gettext_noop(
        "Convocation de %(name)s à la certification Pix, par l’élève"), filename,
        params={"name": str(pupil)}, details={"pupil_id": pupil.pk})
    return _inline_pdf(pdf.convocations_pdf(items), filename)
