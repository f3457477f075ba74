"""Remediation on pages other apps render (the teacher's and the pupil's home), and small
filters for values. Access is the calling page's: it shows the viewer's own things only."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from establishments.models import Membership, Pupil
from pix.numbers import exact, percent, round_half_up
from pix.referential import COMPETENCE_BY_CODE

from .. import selectors

register = template.Library()


# Figures are rounded half up on their exact value (`pix.numbers`) before Django formats
# them: `number_format` cuts the decimals it does not show (46.9 with no place gives "46").


@register.filter
def measure(value, mastery: bool) -> str:
    """A level (`2`, or `1,5` for a mean) or a mastery rate 0–1 as a percentage (`45 %`)."""
    if value is None or value == "":
        return "—"
    if mastery:
        return f"{number_format(percent(value), 0)}\u202f%"
    places = 0 if exact(value).denominator == 1 else 1
    return number_format(round_half_up(value, places), places)


@register.filter
def shown(value, places: int = 1) -> str:
    """A figure already on its scale (a mean level, a percentage), or a dash."""
    if value is None:
        return "—"
    return number_format(round_half_up(value, places), places)


@register.filter
def signed(value, places: int = 1) -> str:
    if value is None:
        return "—"
    rounded = round_half_up(value, places)
    text = number_format(abs(rounded), places)
    if rounded > 0:
        return f"+{text}"
    if rounded < 0:
        return f"−{text}"
    return text


@register.filter
def competence_name(code: str) -> str:
    competence = COMPETENCE_BY_CODE.get(code)
    return competence.name if competence else code


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("remediation/_teacher_space_content.html")
def teacher_remediation(membership: Membership | None) -> dict:
    """For the teacher's home: sessions they lead and workshops they signed up for."""
    if membership is None or membership.role != Membership.Role.TEACHER:
        return {"show": False}
    sessions = selectors.teacher_sessions(membership)
    workshops = selectors.teacher_workshops(membership)
    return {"show": True, "sessions": sessions, "workshops": workshops}


@register.inclusion_tag("remediation/_pupil_space_content.html")
def pupil_remediation(pupil: Pupil | None) -> dict:
    """For the pupil's home: their coming sessions."""
    if not pupil:
        return {"sessions": []}
    return {"sessions": selectors.pupil_sessions(pupil)}
