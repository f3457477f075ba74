"""Who may see and change objectives (domain.md §3): another establishment's objective is a 404;
a member who may not change it (direction, teacher) gets a 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from establishments.access import Role, roles_required

from .models import Objective

whole_establishment_required = roles_required(Role.RUPN, Role.DIRECTION)


def get_objective_for_user(request, objective_id: int, *, manage: bool = False) -> Objective:
    membership = request.membership
    if membership is None or not membership.is_staff_member:
        raise PermissionDenied
    objective = get_object_or_404(
        Objective.objects.filter(establishment_id=membership.establishment_id)
        .select_related("school_year"),
        pk=objective_id,
    )
    if manage and not membership.can_administer:
        raise PermissionDenied
    return objective
