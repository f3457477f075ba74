"""Who may see what: one helper per object type, used by every view.

Another establishment's object answers 404 (its existence is not revealed); a role that may not
act answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Invitation, Membership, Pupil, SchoolClass

Role = Membership.Role


def roles_required(*roles: str) -> Callable:
    """Logged in, member of an establishment, with one of `roles` there."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = request.membership
            if membership is None or membership.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


STAFF = (Role.RUPN, Role.DIRECTION, Role.TEACHER)
WHOLE_ESTABLISHMENT = (Role.RUPN, Role.DIRECTION)

staff_required = roles_required(*STAFF)
rupn_required = roles_required(Role.RUPN)


def get_pupil_for_user(request, pupil_id: int) -> Pupil:
    return get_object_or_404(Pupil.objects.for_membership(request.membership), pk=pupil_id)


def get_class_for_user(request, class_id: int) -> SchoolClass:
    return get_object_or_404(
        SchoolClass.objects.for_membership(request.membership).select_related("school_year"),
        pk=class_id,
    )


def get_member_for_user(request, membership_id: int, *, manage: bool = False) -> Membership:
    membership = request.membership
    member = get_object_or_404(
        Membership.objects.filter(establishment_id=membership.establishment_id).select_related(
            "user"
        ),
        pk=membership_id,
    )
    if manage and not membership.can_administer:
        raise PermissionDenied
    return member


def get_invitation_for_user(request, invitation_id: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.filter(establishment_id=request.membership.establishment_id),
        pk=invitation_id,
    )
