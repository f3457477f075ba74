"""Who may see and change the certification planning (domain.md §3).

The RUPN plans (everything editable); the direction reads the plan; a teacher sees the sessions
they invigilate; a pupil sees their own convocation. Another establishment's ids, and a session
a teacher does not invigilate, answer 404; a role that may not act answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from establishments.access import Role, roles_required
from establishments.models import Membership

from . import selectors
from .models import Availability, Candidate, CertificationPlan, Room, Session

plan_readers_required = roles_required(Role.RUPN, Role.DIRECTION)
invigilators_required = roles_required(Role.RUPN, Role.DIRECTION, Role.TEACHER)


def can_plan(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.RUPN


def get_plan_for_user(request, *, manage: bool = False) -> CertificationPlan:
    """The current year's plan of the member's establishment; 404 until the RUPN starts it."""
    membership = request.membership
    if membership is None or not membership.sees_whole_establishment:
        raise PermissionDenied
    if manage and not can_plan(membership):
        raise PermissionDenied
    plan = selectors.current_plan(membership.establishment)
    if plan is None:
        raise Http404
    return plan


def sessions_for_membership(membership: Membership | None) -> QuerySet[Session]:
    """RUPN and direction: every session of their establishment; a teacher: those they
    invigilate; anyone else: none."""
    if membership is None:
        return Session.objects.none()
    sessions = Session.objects.filter(plan__establishment_id=membership.establishment_id)
    if membership.sees_whole_establishment:
        return sessions
    if membership.role == Role.TEACHER:
        return sessions.filter(invigilators=membership)
    return Session.objects.none()


def get_session_for_user(request, session_id: int, *, manage: bool = False) -> Session:
    membership = request.membership
    if membership is None or not membership.is_staff_member:
        raise PermissionDenied
    session = get_object_or_404(
        sessions_for_membership(membership).select_related("plan__school_year", "room"),
        pk=session_id,
    )
    if manage and not can_plan(membership):
        raise PermissionDenied
    return session


def _manager(request) -> Membership:
    membership = request.membership
    if not can_plan(membership):
        raise PermissionDenied
    return membership


def get_room_for_user(request, room_id: int) -> Room:
    membership = _manager(request)
    return get_object_or_404(
        Room.objects.filter(establishment_id=membership.establishment_id).select_related(
            "establishment"), pk=room_id)


def get_availability_for_user(request, availability_id: int) -> Availability:
    membership = _manager(request)
    return get_object_or_404(
        Availability.objects.filter(plan__establishment_id=membership.establishment_id),
        pk=availability_id)


def get_candidate_for_user(request, candidate_id: int) -> Candidate:
    membership = _manager(request)
    return get_object_or_404(
        Candidate.objects.filter(plan__establishment_id=membership.establishment_id)
        .select_related("plan", "pupil"), pk=candidate_id)
