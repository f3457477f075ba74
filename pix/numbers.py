"""Figures as a person computes them by hand: exact means, rounded half up.

A mean is computed on the exact decimal values (never on binary floats: 0,29 + 0,29 + 0,57 +
0,71 is 1,86 and their mean 0,465, written 0,47; a float sum gives 0.46499… and 0,46), then
rounded half up (not Python's `round`, which rounds half to even, on a binary float: wrong
twice). Every figure a person reads is rounded here, once, from the exact value.

Aggregates keep their means as `stored_mean` text: six places, rounded with ROUND_05UP ("round
to odd" for decimals: an inexact result never ends in 0 or 5). Rounding that text half up to
five places or fewer gives the same figure as rounding the exact mean, since it never turns a
value just under a half into a half, nor a half into anything else; so the page, the CSV, the
workbook and the PDF all round the stored text and agree with the hand computation.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Context, Decimal
from fractions import Fraction

Number = int | float | str | Decimal | Fraction

STORED_PLACES = 6
_STORED_UNIT = 10**STORED_PLACES
_WIDE = Context(prec=60)  # far above any figure here: quantize never runs out of digits


def exact(value: Number) -> Fraction:
    """The exact value of a number as it was written.

    A float stands for its shortest decimal text (`repr`), i.e. the decimal it was parsed
    from (Pix files carry at most a few places); a string is read as decimal text, with a
    decimal comma accepted.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a figure")
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    if isinstance(value, str):
        return Fraction(Decimal(value.strip().replace(",", ".")))
    raise TypeError(f"not a number: {type(value).__name__}")


def round_half_up(value: Number, places: int = 2) -> Decimal:
    """`value` rounded half up (away from zero on a half) to `places` decimals, exactly."""
    fraction = exact(value)
    scaled = abs(fraction) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    if fraction < 0:
        whole = -whole
    return Decimal(whole).scaleb(-places, _WIDE)


def mean(values: Iterable[Number]) -> Fraction | None:
    """The exact mean of `values` (None without any)."""
    total, count = Fraction(0), 0
    for value in values:
        total += exact(value)
        count += 1
    return total / count if count else None


def mean_half_up(values: Iterable[Number], places: int = 2) -> Decimal | None:
    """The exact mean of `values`, rounded half up to `places` decimals (None without any)."""
    value = mean(values)
    return None if value is None else round_half_up(value, places)


def stored_mean(total: int, count: int, scale: int = 0) -> str | None:
    """`total / count / 10**scale` as stored text (see the module's docstring): six places,
    rounded with ROUND_05UP. Integers only, so that a summary of thousands of means costs
    microseconds: `total` is a sum of values scaled to integers (pix, levels, mastery × 10⁶)."""
    if not count:
        return None
    return _stored_text(total * _STORED_UNIT, count * 10**scale)


def stored(value: Number | None) -> str | None:
    """An exact value as stored text (six places, ROUND_05UP); None stays None."""
    if value is None:
        return None
    fraction = exact(value)
    return _stored_text(fraction.numerator * 10**STORED_PLACES, fraction.denominator)


def _stored_text(numerator: int, denominator: int) -> str:
    """numerator / denominator (> 0) in units of the sixth place, as text: integer arithmetic
    and a string, the cost of one mean among the 30,000 of a large campaign's summaries."""
    whole, rest = divmod(abs(numerator), denominator)
    if rest and whole % 5 == 0:  # inexact: never end in 0 or 5 (sticky, "round to odd")
        whole += 1
    units, places = divmod(whole, _STORED_UNIT)
    return f"{'-' if numerator < 0 else ''}{units}.{places:06d}"


def decimal(value: Number | None) -> Decimal | None:
    """A stored figure (text, or a float of older rows, by its shortest text) as a Decimal."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(stored(value))
    return Decimal(str(value).replace(",", "."))


def percent(value: Number | None, places: int = 0) -> Decimal | None:
    """A share 0–1 as a percentage, rounded half up (0,465 → 47)."""
    if value is None or value == "":
        return None
    return round_half_up(exact(value) * 100, places)


def ratio_percent(part: int, whole: int, places: int = 0) -> Decimal | None:
    """`part` out of `whole` as a percentage, rounded half up (1 of 8 → 13); None of 0."""
    if not whole:
        return None
    return round_half_up(Fraction(part, whole) * 100, places)


def french(value: Number | None, places: int = 2, empty: str = "") -> str:
    """`0,47`: rounded half up, decimal comma; `empty` for no value."""
    if value is None or value == "":
        return empty
    return f"{round_half_up(value, places):f}".replace(".", ",")
