"""Remediation sessions: planning with their conflicts, the list, and attendance on a phone.
Thin: access, form, service, response."""

from __future__ import annotations

from datetime import time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certification.models import Room
from establishments.access import Role, roles_required
from pix.referential import COMPETENCE_BY_CODE

from . import selectors, services
from .access import (
    can_edit_group,
    can_take_attendance,
    get_group_for_user,
    get_session_for_user,
    leaders_required,
)
from .conflicts import Booking
from .forms import (
    SessionForm,
)
from .models import Group
from .views import _back_to_period, _first_error

# --- sessions ------------------------------------------------------------------------------------


def _rooms(establishment):
    return Room.objects.filter(establishment=establishment).order_by("name")


def _planned_bookings(group: Group, plan: services.SessionPlan, weeks: int,
                      keys: list[str] | None = None) -> list[Booking]:
    pupils = frozenset(group.members.values_list("pupil_id", flat=True))
    dates = services.session_dates(plan.starts_at, weeks)
    return [
        Booking(key=(keys[i] if keys else f"new:{i}"), label=group.name, starts_at=moment,
                ends_at=moment + timedelta(minutes=plan.minutes), room_id=plan.room_id,
                people=frozenset({plan.leader_id} if plan.leader_id else ()), pupils=pupils)
        for i, moment in enumerate(dates)
    ]


def _plan_from(form: SessionForm) -> services.SessionPlan:
    data = form.cleaned_data
    return services.SessionPlan(
        starts_at=form.starts_at(), minutes=data["minutes"],
        room_id=data["room"].pk if data["room"] else None,
        leader_id=data["leader"].pk if data["leader"] else None,
        competences=tuple(data["competences"]), campaign_code=data["campaign_code"],
        notes=data["notes"],
    )


def _conflict_rows(conflicts, key_labels: dict[str, str]) -> list[dict]:
    names = selectors.conflict_names(conflicts)
    return [_describe(c, names, key_labels) for c in conflicts]


def _describe(conflict, names: selectors.ConflictNames, key_labels: dict[str, str]) -> dict:
    """A conflict in words, for a list on a page."""
    def label(booking: Booking) -> str:
        if booking.key in key_labels:
            return key_labels[booking.key]
        kind = booking.key.split(":", 1)[0]
        when = timezone.localtime(booking.starts_at).strftime("%d/%m %H:%M")
        prefix = {"session": _("Séance"), "workshop": _("Atelier"),
                  "certification": _("Certification")}.get(kind, "")
        return f"{prefix} « {booking.label} » ({when})"

    if conflict.kind == "room":
        what = _("Salle %(room)s réservée deux fois") % {
            "room": names.rooms.get(conflict.ids[0], "?")}
    elif conflict.kind == "person":
        what = _("%(people)s attendu(e) à deux endroits") % {
            "people": ", ".join(names.people.get(i, "?") for i in conflict.ids)}
    else:
        listed = [names.pupils.get(i, "?") for i in conflict.ids[:6]]
        more = len(conflict.ids) - len(listed)
        text = ", ".join(listed) + (f" (+{more})" if more > 0 else "")
        what = _("Élèves attendus ailleurs : %(pupils)s") % {"pupils": text}
    return {"kind": conflict.kind, "what": what, "first": label(conflict.first),
            "second": label(conflict.second), "first_url": conflict.first.url,
            "second_url": conflict.second.url}


@leaders_required
def session_create(request, group_id: int) -> HttpResponse:
    group = get_group_for_user(request, group_id, edit=True)
    establishment = group.period.establishment
    if not group.is_validated:
        messages.error(request, _("Validez le groupe avant de planifier ses séances."))
        return _back_to_period(group)
    leaders = selectors.staff_leaders(establishment)
    rooms = _rooms(establishment)
    next_week = timezone.localdate() + timedelta(days=7)
    form = SessionForm(request.POST or None, rooms=rooms, leaders=leaders, initial={
        "day": next_week, "start": time(10, 0), "leader": group.leader_id,
        "competences": group.competences, "room": rooms.first(),
    })
    conflicts = []
    if request.method == "POST" and form.is_valid():
        plan = _plan_from(form)
        weeks = form.cleaned_data["weeks"]
        planned = _planned_bookings(group, plan, weeks)
        found = selectors.planned_conflicts(establishment, planned)
        if found and not form.cleaned_data["confirm"]:
            labels = {b.key: _("Nouvelle séance du %(when)s") % {
                "when": timezone.localtime(b.starts_at).strftime("%d/%m %H:%M")}
                for b in planned}
            conflicts = _conflict_rows(found, labels)
        else:
            try:
                created = services.sessions_plan(group=group, plan=plan, weeks=weeks)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(n)s séance(s) planifiée(s).") % {
                    "n": len(created)})
                if found:
                    messages.warning(request, _("Enregistrée(s) malgré %(n)s conflit(s).")
                                     % {"n": len(found)})
                return redirect("remediation:group", group.pk)
    return render(request, "remediation/session_form.html", {
        "form": form, "group": group, "conflicts": conflicts, "creating": True,
    })


@leaders_required
def session_edit(request, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id, manage=True)
    group = session.group
    establishment = group.period.establishment
    local = timezone.localtime(session.starts_at)
    form = SessionForm(request.POST or None, rooms=_rooms(establishment),
                       leaders=selectors.staff_leaders(establishment), repeat=False, initial={
                           "day": local.date(), "start": local.time(), "minutes": session.minutes,
                           "room": session.room_id, "leader": session.leader_id,
                           "competences": session.competences,
                           "campaign_code": session.campaign_code, "notes": session.notes,
                       })
    conflicts = []
    if request.method == "POST" and form.is_valid():
        plan = _plan_from(form)
        key = f"session:{session.pk}"
        planned = _planned_bookings(group, plan, 1, keys=[key])
        found = selectors.planned_conflicts(establishment, planned, ignore=[key])
        if found and not form.cleaned_data["confirm"]:
            conflicts = _conflict_rows(found, {key: _("Cette séance")})
        else:
            try:
                services.session_update(session=session, plan=plan)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Séance enregistrée."))
                return redirect("remediation:session", session.pk)
    return render(request, "remediation/session_form.html", {
        "form": form, "group": group, "session": session, "conflicts": conflicts,
        "creating": False,
    })


@require_POST
@leaders_required
def session_delete(request, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id, manage=True)
    group = session.group
    services.session_delete(session=session)
    messages.success(request, _("Séance supprimée."))
    return redirect("remediation:group", group.pk)


@leaders_required
def session_list(request) -> HttpResponse:
    membership = request.membership
    past = request.GET.get("passees") == "1"
    sessions = selectors.session_list(membership, upcoming=not past)
    conflicts = selectors.session_conflicts(membership.establishment, sessions)
    found = [c for items in conflicts.values() for c in items]
    names = selectors.conflict_names(found)
    rows = []
    for session in sessions:
        own = conflicts.get(f"session:{session.pk}", [])
        rows.append((session, [_describe(c, names, {f"session:{session.pk}": _("cette séance")})
                               for c in own], can_take_attendance(membership, session)))
    return render(request, "remediation/session_list.html", {"rows": rows, "past": past})


@roles_required(Role.RUPN, Role.TEACHER, Role.PUPIL)
def session_detail(request, session_id: int) -> HttpResponse:
    membership = request.membership
    session = get_session_for_user(request, session_id)
    if membership.role == Role.PUPIL:
        return render(request, "remediation/session_pupil.html", {
            "session": session,
            "competences": [COMPETENCE_BY_CODE[c] for c in session.competences
                            if c in COMPETENCE_BY_CODE],
        })
    sheet = selectors.attendance_sheet(session)
    conflicts = selectors.session_conflicts(session.group.period.establishment, [session])
    own = conflicts.get(f"session:{session.pk}", [])
    return render(request, "remediation/session_detail.html", {
        "session": session, "group": session.group, "sheet": sheet,
        "conflicts": _conflict_rows(own, {f"session:{session.pk}": _("Cette séance")}),
        "competences": [COMPETENCE_BY_CODE[c] for c in session.competences
                        if c in COMPETENCE_BY_CODE],
        "can_attend": can_take_attendance(membership, session),
        "can_edit": can_edit_group(membership, session.group),
        "present": sum(1 for _p, _c, mark in sheet if mark is True),
        "marked": sum(1 for _p, _c, mark in sheet if mark is not None),
    })


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or \
        "application/json" in request.headers.get("Accept", "")


def _mark(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


@leaders_required
def attendance(request, session_id: int) -> HttpResponse:
    """The leader's roll call, made for a phone: one big toggle per pupil. With JavaScript each
    tap is saved at once; without, the form is sent with its button."""
    session = get_session_for_user(request, session_id, attendance=True)
    if request.method == "POST":
        if _wants_json(request):
            pupil_id = request.POST.get("pupil", "")
            if not pupil_id.isdigit():
                return JsonResponse({"ok": False, "error": _("Élève inconnu.")}, status=400)
            try:
                if request.POST.get("all") == "present":
                    unmarked = {p.pk: True for p, _c, mark in selectors.attendance_sheet(session)
                                if mark is None}
                    services.attendance_save(session=session, marks=unmarked, notes=None,
                                             by=request.user)
                elif "notes" in request.POST and pupil_id == "0":
                    services.attendance_save(session=session, marks={},
                                             notes=request.POST["notes"], by=request.user)
                else:
                    services.attendance_mark(session=session, pupil_id=int(pupil_id),
                                             present=_mark(request.POST.get("present")),
                                             by=request.user)
            except ValidationError as error:
                return JsonResponse({"ok": False, "error": _first_error(error)}, status=400)
            sheet = selectors.attendance_sheet(session)
            return JsonResponse({
                "ok": True,
                "present": sum(1 for _p, _c, m in sheet if m is True),
                "absent": sum(1 for _p, _c, m in sheet if m is False),
                "total": len(sheet),
            })
        sheet = selectors.attendance_sheet(session)
        marks = {pupil.pk: _mark(request.POST.get(f"p{pupil.pk}")) for pupil, _c, _m in sheet}
        services.attendance_save(session=session, marks=marks,
                                 notes=request.POST.get("notes", session.notes),
                                 by=request.user)
        messages.success(request, _("Appel enregistré."))
        return redirect("remediation:attendance", session.pk)
    sheet = selectors.attendance_sheet(session)
    return render(request, "remediation/attendance.html", {
        "session": session, "group": session.group, "sheet": sheet,
        "present": sum(1 for _p, _c, m in sheet if m is True),
        "absent": sum(1 for _p, _c, m in sheet if m is False),
    })
