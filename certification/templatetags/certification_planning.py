"""Small certification sections on pages the establishments app renders: a teacher's
invigilations and a pupil's convocation on their home pages. Access is the calling view's: the
tags read only the member's own sessions."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

from establishments.models import Membership, Pupil

from .. import selectors

register = template.Library()


@register.inclusion_tag("certification/planning_home_teacher.html")
def teacher_invigilations(membership: Membership | None) -> dict:
    if membership is None:
        return {"sessions": []}
    sessions = selectors.member_sessions(membership)
    # today's sessions stay on the list until the end of the day
    since = timezone.now() - timedelta(hours=12)
    return {"sessions": [s for s in sessions if s.ends_at >= since],
            "past": sum(1 for s in sessions if s.ends_at < since)}


@register.inclusion_tag("certification/planning_home_pupil.html")
def pupil_convocation(pupil: Pupil | None) -> dict:
    if pupil is None:
        return {"convocations": []}
    return {"convocations": selectors.pupil_convocations(pupil)}
