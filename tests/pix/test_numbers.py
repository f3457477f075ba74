"""Exact means rounded half up, against `decimal.Decimal` done by hand."""

from decimal import ROUND_05UP, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pix.numbers import (
    exact,
    french,
    mean_half_up,
    percent,
    ratio_percent,
    round_half_up,
    stored,
    stored_mean,
)

# decimals with two places, as Pix writes mastery rates (0 to 1) and as people write marks
two_places = st.integers(min_value=0, max_value=100_000).map(lambda n: Decimal(n).scaleb(-2))
rates = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n).scaleb(-2))


def by_hand(values: list[Decimal], places: int) -> Decimal:
    """What a person does: add the decimals, divide, round half up. Decimal's division of a
    sum with two places by a count gives enough digits at precision 60 to be exact or far
    from a half."""
    with localcontext() as context:
        context.prec = 60
        mean = sum(values, Decimal(0)) / len(values)
        return mean.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@given(st.lists(two_places, min_size=1, max_size=60), st.integers(min_value=0, max_value=3))
def test_mean_half_up_agrees_with_decimal_by_hand(values, places):
    # given decimals with two places, as text, as Decimal and as the floats a file parser gives
    expected = by_hand(values, places)

    # then every form gives the mean a person computes
    assert mean_half_up(values, places) == expected
    assert mean_half_up([str(v).replace(".", ",") for v in values], places) == expected
    assert mean_half_up([float(v) for v in values], places) == expected


@given(st.lists(rates, min_size=1, max_size=200), st.integers(min_value=0, max_value=5))
def test_stored_text_rounds_as_the_exact_mean(values, places):
    # given a sum of rates scaled to integers, as summaries keep it
    total = sum(int(v * 100) for v in values)

    # when the mean is stored as text and rounded later to what a page shows
    text = stored_mean(total, len(values), scale=2)

    # then it rounds as the exact mean does, to any precision up to five places
    assert round_half_up(text, places) == by_hand(values, places)
    # and the text is the exact mean to six places, rounded with ROUND_05UP
    with localcontext() as context:
        context.prec = 60
        exact_mean = sum(values, Decimal(0)) / len(values)
    assert Decimal(text) == exact_mean.quantize(Decimal("0.000001"), rounding=ROUND_05UP)


@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=1, max_value=10**4),
       st.integers(min_value=0, max_value=5))
def test_round_half_up_of_any_fraction(numerator, denominator, places):
    # given an exact fraction
    value = Fraction(numerator, denominator)
    with localcontext() as context:
        context.prec = 80
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    # then it is rounded half up, away from zero, as Decimal does
    assert round_half_up(value, places) == expected
    assert round_half_up(stored(value), places) == expected


def test_the_issues_example():
    # given the mastery values of issue 10
    values = [0.29, 0.29, 0.57, 0.71]

    # then a binary float mean is below the half, and the exact mean is not
    assert sum(values) / 4 < 0.465
    assert mean_half_up(values) == Decimal("0.47")
    assert french(sum(exact(v) for v in values) / 4) == "0,47"
    assert percent(stored_mean(29 + 29 + 57 + 71, 4, scale=2)) == Decimal(47)


@pytest.mark.parametrize(("value", "places", "expected"), [
    (2.675, 2, "2.68"),  # the float 2.675 is 2.67499999…: its text is 2.675
    (0.5, 0, "1"),
    (1.5, 0, "2"),
    (2.5, 0, "3"),  # round(2.5) is 2
    (-0.125, 2, "-0.13"),
    ("100,125", 2, "100.13"),
    (Fraction(601, 2), 2, "300.50"),
    (Decimal("0.0049"), 2, "0.00"),
])
def test_round_half_up_examples(value, places, expected):
    assert f"{round_half_up(value, places):f}" == expected


def test_percentages_are_rounded_half_up():
    assert ratio_percent(1, 8) == Decimal(13)  # 12,5 %; widthratio wrote 12
    assert ratio_percent(3, 8, 1) == Decimal("37.5")
    assert ratio_percent(1, 0) is None
    assert percent(0.125) == Decimal(13)
    assert percent(None) is None


def test_stored_text():
    assert stored_mean(601, 2) == "300.500000"
    assert stored_mean(1, 3) == "0.333333"
    assert stored_mean(2, 3) == "0.666666"  # towards zero, last digit not 0 or 5
    assert stored_mean(1, 0) is None
    assert stored(Fraction(1, 2_000_001)) == "0.000001"  # 0.00000049… : never a false zero
    assert french(None, empty="–") == "–"
