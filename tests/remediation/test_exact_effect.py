"""Issue 10, "exact decimals": remediation's means and changes are exact and shown rounded
half up (`number_format` alone cut 46,5 to "46" and 3,9 to "3")."""

from __future__ import annotations

from fractions import Fraction

from django.utils import translation

from remediation.effect import Pair, figures
from remediation.templatetags.remediation_tags import measure, shown, signed

# Mastery rates as files give them: before 0,29 0,29 0,57 0,71 (mean 0,465 by hand), after
# 0,5 each: a change of 0,035, shown as 3,5 points, rounded to "+4".
PAIRS = [Pair(pupil_id, "1.1", before, 0.5)
         for pupil_id, before in enumerate([0.29, 0.29, 0.57, 0.71], start=1)]


def test_means_and_change_are_exact():
    result = figures(PAIRS)

    assert result.mean_before == Fraction(465, 1000)
    assert result.mean_after == Fraction(1, 2)
    assert result.mean_change == Fraction(35, 1000)
    assert result.share_improved == Fraction(2, 4)  # the two at 0,29 went up to 0,5


def test_filters_round_half_up():
    result = figures(PAIRS)

    with translation.override("fr"):
        assert measure(result.mean_before, True) == "47\u202f%"
        assert measure(0.465, True) == "47\u202f%"  # a pupil's rate read from a sending
        assert measure(Fraction(5, 4), False) == "1,3"
        assert measure(2, False) == "2"
        assert shown(result.mean_before * 100, 0) == "47"
        assert shown(Fraction(39, 10), 0) == "4"
        assert signed(result.mean_change * 100, 0) == "+4"
        assert signed(-result.mean_change, 2) == "−0,04"
        assert signed(Fraction(-1, 1000), 2) == "0,00"  # shown as no change
