"""Who may see and do what in remediation (domain.md §3).

RUPN: everything of their establishment. Teacher: the groups and sessions they lead, the
pupils of their classes, the workshops (to sign up). Pupil: their own sessions. Direction: the
indicators, read-only. Another establishment's object answers 404; a role that may not act
answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from establishments.access import Role, roles_required
from establishments.models import Membership

from .models import Group, GroupMember, Period, Session, Workshop

leaders_required = roles_required(Role.RUPN, Role.TEACHER)
indicators_required = roles_required(Role.RUPN, Role.DIRECTION)


def can_edit_group(membership: Membership, group: Group) -> bool:
    """The RUPN, or the teacher who leads the group."""
    if membership.establishment_id != group.period.establishment_id:
        return False
    return membership.role == Role.RUPN or (
        membership.role == Role.TEACHER and group.leader_id == membership.pk
    )


def can_take_attendance(membership: Membership, session: Session) -> bool:
    """The RUPN, the session's leader, or the group's."""
    if membership.role == Role.RUPN:
        return True
    return membership.role == Role.TEACHER and membership.pk in (
        session.leader_id, session.group.leader_id)


def _staff(request) -> Membership:
    membership = request.membership
    if membership is None or membership.role not in (Role.RUPN, Role.TEACHER):
        raise PermissionDenied
    return membership


def get_period_for_user(request, period_id: int, *, manage: bool = False) -> Period:
    membership = _staff(request)
    period = get_object_or_404(
        Period.objects.for_membership(membership).select_related(
            "establishment", "school_year", "source_campaign"),
        pk=period_id,
    )
    if manage and membership.role != Role.RUPN:
        raise PermissionDenied
    return period


def get_period_effect_for_user(request, period_id: int) -> Period:
    """The effect of a period: the RUPN, the direction (figures only) and its leaders."""
    membership = request.membership
    if membership is None or not membership.is_staff_member:
        raise PermissionDenied
    return get_object_or_404(
        Period.objects.for_membership(membership).select_related(
            "establishment", "school_year", "source_campaign"),
        pk=period_id,
    )


def get_group_for_user(request, group_id: int, *, edit: bool = False) -> Group:
    membership = _staff(request)
    group = get_object_or_404(
        Group.objects.for_membership(membership).select_related(
            "period__establishment", "period__school_year", "period__source_campaign",
            "leader__user"),
        pk=group_id,
    )
    if edit and not can_edit_group(membership, group):
        raise PermissionDenied
    return group


def get_member_for_user(request, member_id: int) -> GroupMember:
    """A pupil's place in a group, to move them: the group must be editable by the member."""
    membership = _staff(request)
    member = get_object_or_404(
        GroupMember.objects.filter(
            group__in=Group.objects.for_membership(membership)
        ).select_related("group__period", "pupil"),
        pk=member_id,
    )
    if not can_edit_group(membership, member.group):
        raise PermissionDenied
    return member


def get_session_for_user(request, session_id: int, *, attendance: bool = False,
                         manage: bool = False) -> Session:
    membership = request.membership
    if membership is None or membership.role == Role.DIRECTION:
        raise PermissionDenied
    session = get_object_or_404(
        Session.objects.for_membership(membership).select_related(
            "group__period__establishment", "group__period__school_year", "group__leader__user",
            "room", "leader__user"),
        pk=session_id,
    )
    if attendance and not can_take_attendance(membership, session):
        raise PermissionDenied
    if manage and not can_edit_group(membership, session.group):
        raise PermissionDenied
    return session


def get_workshop_for_user(request, workshop_id: int, *, manage: bool = False) -> Workshop:
    membership = request.membership
    if membership is None or not membership.is_staff_member:
        raise PermissionDenied
    workshop = get_object_or_404(
        Workshop.objects.for_membership(membership).select_related("room", "led_by__user"),
        pk=workshop_id,
    )
    if manage and membership.role != Role.RUPN:
        raise PermissionDenied
    return workshop


def get_teacher_for_user(request, membership_id: int) -> Membership:
    """A teacher whose Pix+ Édu steps the RUPN records."""
    membership = request.membership
    if membership is None or membership.role != Role.RUPN:
        raise PermissionDenied
    return get_object_or_404(
        Membership.objects.filter(establishment_id=membership.establishment_id,
                                  role=Role.TEACHER).select_related("user"),
        pk=membership_id,
    )
