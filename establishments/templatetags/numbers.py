"""Figures in templates, rounded half up on their exact value (`pix.numbers`).

Django's `widthratio` rounds half to even on a float (1 pupil of 8 gives "12 %", not 13) and
`floatformat` reads a float through its shortest text: both are kept away from the figures
people read. `floatformat` stays right for Decimal values (it rounds them half up).
"""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from pix import numbers

register = template.Library()


@register.filter
def percent(value, places: int = 0) -> str:
    """A share 0–1 as a percentage without its sign (`0.465` → `47`); "" for no value."""
    rounded = numbers.percent(value, int(places))
    return "" if rounded is None else number_format(rounded, int(places))


@register.filter
def percent_of(part, whole) -> str:
    """`part` out of `whole` as a percentage without its sign (1 of 8 → `13`); "" of 0."""
    if part in (None, "") or whole in (None, ""):
        return ""
    rounded = numbers.ratio_percent(int(part), int(whole))
    return "" if rounded is None else number_format(rounded, 0)


@register.filter
def half_up(value, places: int = 2) -> str:
    """A figure rounded half up to `places` decimals, localised (`0,47`); "" for no value."""
    if value is None or value == "":
        return ""
    return number_format(numbers.round_half_up(value, int(places)), int(places))
