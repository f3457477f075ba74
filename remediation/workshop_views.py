"""Teachers' workshops and Pix+ Édu steps: the RUPN proposes workshops and records steps (by
hand or from a CSV file), teachers sign up and record their own steps, the direction reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certification.models import Room
from establishments.access import Role, roles_required, rupn_required
from establishments.models import Membership
from jobs.models import Job

from . import services, workshop_selectors
from .access import get_teacher_for_user, get_workshop_for_user
from .forms import PixEduForm, PixEduImportForm, WorkshopForm
from .models import PixEduRecord, Workshop
from .pixedu import HEADER

staff_required = roles_required(Role.RUPN, Role.TEACHER, Role.DIRECTION)


def _rooms(establishment):
    return Room.objects.filter(establishment=establishment).order_by("name")


@staff_required
def workshop_list(request) -> HttpResponse:
    membership = request.membership
    return render(request, "remediation/workshop_list.html", {
        "upcoming": workshop_selectors.workshop_list(membership),
        "past": workshop_selectors.workshop_list(membership, upcoming=False),
        "can_manage": membership.role == Role.RUPN,
        "can_register": membership.role in (Role.TEACHER, Role.RUPN),
    })


@rupn_required
def workshop_create(request) -> HttpResponse:
    membership = request.membership
    establishment = membership.establishment
    workshop = Workshop(establishment=establishment, school_year=establishment.current_year,
                        led_by=membership)
    form = WorkshopForm(request.POST or None, instance=workshop, rooms=_rooms(establishment))
    if request.method == "POST" and form.is_valid():
        services.workshop_save(workshop=form.instance)
        messages.success(request, _("Atelier proposé aux enseignants."))
        return redirect("remediation:workshop", form.instance.pk)
    return render(request, "remediation/workshop_form.html", {"form": form})


@rupn_required
def workshop_edit(request, workshop_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_id, manage=True)
    form = WorkshopForm(request.POST or None, instance=workshop,
                        rooms=_rooms(workshop.establishment))
    if request.method == "POST" and form.is_valid():
        services.workshop_save(workshop=form.instance)
        messages.success(request, _("Atelier enregistré."))
        return redirect("remediation:workshop", workshop.pk)
    return render(request, "remediation/workshop_form.html", {"form": form,
                                                              "workshop": workshop})


@require_POST
@rupn_required
def workshop_delete(request, workshop_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_id, manage=True)
    services.workshop_delete(workshop=workshop)
    messages.success(request, _("Atelier supprimé."))
    return redirect("remediation:workshops")


@staff_required
def workshop_detail(request, workshop_id: int) -> HttpResponse:
    membership = request.membership
    workshop = get_workshop_for_user(request, workshop_id)
    registrations = list(workshop.registrations.select_related("member__user"))
    mine = any(r.member_id == membership.pk for r in registrations)
    is_rupn = membership.role == Role.RUPN
    return render(request, "remediation/workshop_detail.html", {
        "workshop": workshop, "registrations": registrations if is_rupn or
        membership.role == Role.DIRECTION else [], "count": len(registrations), "mine": mine,
        "places": max(workshop.capacity - len(registrations), 0), "can_manage": is_rupn,
        "can_register": membership.role in (Role.TEACHER, Role.RUPN),
    })


@require_POST
@roles_required(Role.RUPN, Role.TEACHER)
def workshop_register(request, workshop_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_id)
    try:
        services.registration_add(workshop=workshop, member=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Vous êtes inscrit(e) à « %(topic)s ».")
                         % {"topic": workshop.topic})
    if request.POST.get("next") == "list":
        return redirect("remediation:workshops")
    return redirect("remediation:workshop", workshop.pk)


@require_POST
@roles_required(Role.RUPN, Role.TEACHER)
def workshop_unregister(request, workshop_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_id)
    try:
        services.registration_cancel(workshop=workshop, member=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Inscription annulée."))
    return redirect("remediation:workshop", workshop.pk)


@require_POST
@rupn_required
def workshop_attendance(request, workshop_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, workshop_id, manage=True)
    present = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
    services.workshop_attendance_save(workshop=workshop, present_ids=present)
    messages.success(request, _("Présences enregistrées."))
    return redirect("remediation:workshop", workshop.pk)


# --- Pix+ Édu --------------------------------------------------------------------------------


@roles_required(Role.RUPN, Role.DIRECTION)
def pix_edu(request) -> HttpResponse:
    membership = request.membership
    establishment = membership.establishment
    return render(request, "remediation/pix_edu.html", {
        "table": workshop_selectors.pix_edu_table(establishment),
        "indicators": workshop_selectors.pix_edu_indicators(establishment),
        "can_manage": membership.role == Role.RUPN,
        "import_form": PixEduImportForm() if membership.role == Role.RUPN else None,
        "header": HEADER,
    })


def _record_of(member: Membership) -> PixEduRecord | None:
    return PixEduRecord.objects.filter(member=member).first()


def _pix_edu_form(request, member: Membership, *, template: str, back: str) -> HttpResponse:
    record = _record_of(member)
    form = PixEduForm(request.POST or None, initial=PixEduForm.initial_from(record))
    if request.method == "POST" and form.is_valid():
        services.pix_edu_update(member=member, by=request.user,
                                newly_tenured=form.cleaned_data["newly_tenured"],
                                steps=form.steps())
        messages.success(request, _("Parcours Pix+ Édu enregistré."))
        return redirect(back)
    return render(request, template, {"form": form, "member": member, "record": record})


@rupn_required
def pix_edu_edit(request, membership_id: int) -> HttpResponse:
    member = get_teacher_for_user(request, membership_id)
    return _pix_edu_form(request, member, template="remediation/pix_edu_form.html",
                         back="remediation:pix_edu")


@roles_required(Role.TEACHER, Role.RUPN)
def pix_edu_mine(request) -> HttpResponse:
    return _pix_edu_form(request, request.membership, template="remediation/pix_edu_form.html",
                         back="remediation:workshops")


@rupn_required
def pix_edu_import(request) -> HttpResponse:
    establishment = request.membership.establishment
    form = PixEduImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.pix_edu_import_start(establishment=establishment, by=request.user,
                                            filename=upload.name, data=upload.read())
        return redirect("jobs:detail", job.pk)
    jobs = Job.objects.filter(establishment=establishment,
                              kind=Job.Kind.PIX_EDU_IMPORT).defer("payload")[:10]
    return render(request, "remediation/pix_edu_import.html", {
        "form": form, "header": HEADER, "jobs": jobs,
    })
