"""The certification planning: the plan, candidates, rooms, availability, the proposal and the
sessions. The RUPN edits everything; the direction reads; a teacher opens the sessions they
invigilate. Documents are in `document_views.py`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from establishments.access import rupn_required

from . import selectors, services
from .forms import (
    AddCandidatesForm,
    AvailabilityForm,
    ExtraTimeForm,
    MoveForm,
    PlanSettingsForm,
    RoomForm,
    SessionForm,
)
from .models import Candidate, Room, Session
from .planning_access import (
    can_plan,
    get_availability_for_user,
    get_candidate_for_user,
    get_plan_for_user,
    get_room_for_user,
    get_session_for_user,
    invigilators_required,
    plan_readers_required,
)


def add_service_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, next to its field when there is one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _back(request, default: str, *args) -> HttpResponse:
    """Back to the page the form was on (`next`), if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  request.is_secure()):
        return redirect(target)
    return redirect(default, *args)


def _conflict_warning(request, plan, session_id: int | None = None) -> None:
    """After an edit, say what is now wrong: conflicts are shown, never silently accepted."""
    inputs = selectors.planning_inputs(plan)
    conflicts = selectors.plan_conflicts(plan, inputs)
    if session_id is not None:
        conflicts = [c for c in conflicts if session_id in c.session_keys]
    for conflict in conflicts[:5]:
        messages.warning(request, conflict.text)
    if len(conflicts) > 5:
        messages.warning(request, _("… et %(count)s autres conflits.")
                         % {"count": len(conflicts) - 5})


# --- the plan ---------------------------------------------------------------------------------


@plan_readers_required
def plan(request) -> HttpResponse:
    membership = request.membership
    current = selectors.current_plan(membership.establishment)
    if current is None:
        return render(request, "certification/planning_start.html", {
            "can_plan": can_plan(membership),
            "grades": services.default_grades(membership.establishment,
                                              membership.establishment.current_year),
        })
    return render(request, "certification/planning.html", {
        "plan": current, "page": selectors.plan_page(current), "can_plan": can_plan(membership),
    })


@require_POST
@rupn_required
def plan_start(request) -> HttpResponse:
    plan, created = services.plan_get_or_create(establishment=request.membership.establishment)
    if created:
        count = plan.candidates.count()
        messages.success(request, ngettext(
            "Plan de certification commencé : %(count)s candidat.",
            "Plan de certification commencé : %(count)s candidats.", count) % {"count": count})
    return redirect("certification:plan")


@rupn_required
def plan_settings(request) -> HttpResponse:
    plan = get_plan_for_user(request, manage=True)
    form = PlanSettingsForm.for_plan(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refresh = services.plan_update(plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Paramètres enregistrés."))
            if refresh is not None:
                messages.info(request, _("Candidats : %(added)s ajouté(s), %(removed)s retiré(s).")
                              % {"added": refresh.added, "removed": refresh.removed})
            return redirect("certification:plan")
    return render(request, "certification/planning_settings.html", {"plan": plan, "form": form})


# --- candidates -------------------------------------------------------------------------------


@plan_readers_required
def candidate_list(request) -> HttpResponse:
    plan = get_plan_for_user(request)
    inputs = selectors.planning_inputs(plan)
    sessions = {s.pk: s for s in inputs.sessions}
    counts = selectors.candidate_counts(inputs.candidates)
    division = request.GET.get("classe", "")
    rows = [r for r in inputs.candidates if r.division == division] if division else \
        inputs.candidates
    for row in rows:
        row.sessions = [sessions[pk] for pk in row.session_ids]
    return render(request, "certification/planning_candidates.html", {
        "plan": plan, "rows": rows, "counts": counts, "division": division,
        "can_plan": can_plan(request.membership),
    })


@require_POST
@rupn_required
def candidates_refresh(request) -> HttpResponse:
    plan = get_plan_for_user(request, manage=True)
    refresh = services.candidates_refresh(plan=plan)
    messages.success(request, _("Liste actualisée : %(added)s ajouté(s), %(removed)s retiré(s), "
                                "%(kept)s inchangé(s).")
                     % {"added": refresh.added, "removed": refresh.removed,
                        "kept": refresh.kept})
    return redirect("certification:candidates")


@require_POST
@rupn_required
def candidate_extra_time(request, candidate_id: int) -> HttpResponse:
    candidate = get_candidate_for_user(request, candidate_id)
    form = ExtraTimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Temps majoré : un pourcentage entier entre 0 et 999 est "
                                  "attendu."))
        return _back(request, "certification:candidates")
    services.candidate_set_extra_time(candidate=candidate, percent=form.cleaned_data["percent"])
    if candidate.extra_time_percent:
        messages.success(request, _("%(name)s : temps majoré de %(percent)s %%.")
                         % {"name": candidate.pupil, "percent": candidate.extra_time_percent})
    else:
        messages.success(request, _("%(name)s : sans temps majoré.") % {"name": candidate.pupil})
    _conflict_warning(request, candidate.plan)
    return _back(request, "certification:candidates")


@require_POST
@rupn_required
def candidate_move(request, candidate_id: int) -> HttpResponse:
    candidate = get_candidate_for_user(request, candidate_id)
    plan = candidate.plan
    form = MoveForm(request.POST,
                    sessions=Session.objects.filter(plan=plan).select_related("room"))
    if not form.is_valid():
        messages.error(request, _("Session inconnue."))
        return _back(request, "certification:plan")
    target = form.cleaned_data["session"]
    services.candidates_move(plan=plan, candidates=[candidate], to_session=target)
    if target is None:
        messages.success(request, _("%(name)s n’est plus dans aucune session.")
                         % {"name": candidate.pupil})
    else:
        start = timezone.localtime(target.starts_at)
        messages.success(request, _("%(name)s est maintenant dans la session du %(day)s à "
                                    "%(time)s, salle %(room)s.")
                         % {"name": candidate.pupil, "day": f"{start:%d/%m}",
                            "time": f"{start:%H:%M}", "room": target.room.name})
    _conflict_warning(request, plan, target.pk if target else None)
    return _back(request, "certification:plan")


# --- rooms ------------------------------------------------------------------------------------


@plan_readers_required
def rooms(request) -> HttpResponse:
    membership = request.membership
    establishment = membership.establishment
    form = RoomForm(request.POST or None)
    if request.method == "POST":
        if not can_plan(membership):
            raise PermissionDenied
        if form.is_valid():
            try:
                room = services.room_create(establishment=establishment, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Salle « %(room)s » ajoutée.") % {"room": room})
                return redirect("certification:rooms")
    return render(request, "certification/planning_rooms.html", {
        "rooms": Room.objects.filter(establishment=establishment),
        "form": form, "can_plan": can_plan(membership),
        "plan": selectors.current_plan(establishment),
    })


@rupn_required
def room_edit(request, room_id: int) -> HttpResponse:
    room = get_room_for_user(request, room_id)
    form = RoomForm.for_room(room, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_update(room=room, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Salle enregistrée."))
            plan = selectors.current_plan(room.establishment)
            if plan is not None:
                _conflict_warning(request, plan)
            return redirect("certification:rooms")
    return render(request, "certification/planning_room_edit.html", {"room": room, "form": form})


@require_POST
@rupn_required
def room_delete(request, room_id: int) -> HttpResponse:
    room = get_room_for_user(request, room_id)
    try:
        services.room_delete(room=room)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Salle supprimée."))
    return redirect("certification:rooms")


# --- availability -----------------------------------------------------------------------------


@plan_readers_required
def availabilities(request) -> HttpResponse:
    membership = request.membership
    plan = get_plan_for_user(request)
    members = selectors.staff_members(plan.establishment)
    form = AvailabilityForm(request.POST or None, members=members)
    if request.method == "POST":
        if not can_plan(membership):
            raise PermissionDenied
        if form.is_valid():
            try:
                created = services.availability_create(
                    plan=plan, members=form.cleaned_data["members"],
                    starts_at=form.starts_at, ends_at=form.ends_at)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, ngettext(
                    "%(count)s disponibilité ajoutée.", "%(count)s disponibilités ajoutées.",
                    len(created)) % {"count": len(created)})
                return redirect("certification:availabilities")
    inputs_availabilities = list(
        plan.availabilities.select_related("member__user")
        .order_by("starts_at", "ends_at", "member__user__last_name", "pk")
    )
    return render(request, "certification/planning_availabilities.html", {
        "plan": plan, "form": form, "can_plan": can_plan(membership),
        "slots": selectors.availability_slots(inputs_availabilities),
    })


@require_POST
@rupn_required
def availability_delete(request, availability_id: int) -> HttpResponse:
    availability = get_availability_for_user(request, availability_id)
    services.availability_delete(availability=availability)
    messages.success(request, _("Disponibilité supprimée."))
    _conflict_warning(request, availability.plan)
    return redirect("certification:availabilities")


# --- the proposal -----------------------------------------------------------------------------


@rupn_required
def proposal(request) -> HttpResponse:
    """GET shows what the planner proposes; POST replaces the sessions by it. The planner is
    deterministic: what is applied is what was shown, unless the plan changed meanwhile."""
    plan = get_plan_for_user(request, manage=True)
    inputs = selectors.planning_inputs(plan)
    proposed = selectors.plan_proposal(plan, inputs)
    if request.method == "POST":
        try:
            sessions = services.proposal_apply(plan=plan, proposal=proposed)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("certification:proposal")
        messages.success(request, ngettext(
            "Planning enregistré : %(count)s session.", "Planning enregistré : %(count)s sessions.",
            len(sessions)) % {"count": len(sessions)})
        if proposed.unplaced:
            messages.warning(request, ngettext(
                "%(count)s candidat n’a pas pu être placé.",
                "%(count)s candidats n’ont pas pu être placés.",
                len(proposed.unplaced)) % {"count": len(proposed.unplaced)})
        return redirect("certification:plan")
    rows = {r.pk: r for r in inputs.candidates}
    return render(request, "certification/planning_proposal.html", {
        "plan": plan, "proposal": proposed,
        "sessions": selectors.proposal_rows(proposed, inputs),
        "unplaced": [rows[pk] for pk in proposed.unplaced],
        "existing": len(inputs.sessions),
        "counts": selectors.candidate_counts(inputs.candidates),
        "rooms": inputs.rooms, "invigilator_count": len({a.member_id
                                                          for a in inputs.availabilities}),
    })


# --- sessions ---------------------------------------------------------------------------------


def _session_form(plan, data=None, session: Session | None = None) -> SessionForm:
    kwargs = {"rooms": Room.objects.filter(establishment_id=plan.establishment_id),
              "members": selectors.staff_members(plan.establishment)}
    if session is not None:
        kwargs["available"] = selectors.available_for(plan, session)
        return SessionForm.for_session(session, data, **kwargs)
    return SessionForm(data, initial={"minutes": plan.session_minutes}, **kwargs)


@rupn_required
def session_create(request) -> HttpResponse:
    plan = get_plan_for_user(request, manage=True)
    form = _session_form(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_create(
                plan=plan, room=data["room"], starts_at=form.starts_at, minutes=data["minutes"],
                invigilators=data["invigilators"], pix_number=data["pix_number"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # the session page shows its conflicts
            messages.success(request, _("Session ajoutée : ajoutez-y des candidats."))
            return redirect("certification:session", session.pk)
    return render(request, "certification/planning_session_form.html",
                  {"plan": plan, "form": form, "session": None})


@invigilators_required
def session_detail(request, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    plan = session.plan
    row, page = selectors.session_page(plan, session)
    manage = can_plan(request.membership)
    others = [s for s in page.sessions if s.key != session.pk]
    return render(request, "certification/planning_session.html", {
        "plan": plan, "session": row, "page": page, "can_plan": manage,
        "other_sessions": others, "unplaced": page.unplaced,
        "reader": request.membership.sees_whole_establishment,
    })


@rupn_required
def session_edit(request, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id, manage=True)
    plan = session.plan
    form = _session_form(plan, request.POST or None, session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_update(
                session=session, room=data["room"], starts_at=form.starts_at,
                minutes=data["minutes"], invigilators=data["invigilators"],
                pix_number=data["pix_number"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session enregistrée."))  # its page shows conflicts
            return redirect("certification:session", session.pk)
    return render(request, "certification/planning_session_form.html",
                  {"plan": plan, "form": form, "session": session})


@require_POST
@rupn_required
def session_delete(request, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id, manage=True)
    plan = session.plan
    left = services.session_delete(session=session)
    messages.success(request, _("Session supprimée."))
    if left:
        messages.warning(request, ngettext(
            "%(count)s candidat n’est plus dans aucune session.",
            "%(count)s candidats ne sont plus dans aucune session.", left) % {"count": left})
    _conflict_warning(request, plan)
    return redirect("certification:plan")


@require_POST
@rupn_required
def session_add_candidates(request, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id, manage=True)
    plan = session.plan
    form = AddCandidatesForm(request.POST, candidates=Candidate.objects.filter(plan=plan))
    if form.is_valid():
        chosen = form.cleaned_data["candidates"]
        services.candidates_move(plan=plan, candidates=chosen, to_session=session)
        messages.success(request, ngettext(
            "%(count)s candidat ajouté.", "%(count)s candidats ajoutés.", len(chosen))
            % {"count": len(chosen)})
    else:
        messages.error(request, _("Choisissez au moins un candidat."))
    return redirect("certification:session", session.pk)
