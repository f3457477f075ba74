"""Pix's arithmetic: levels, certifiability and the certification v3 bands, at their edges."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pix import rules
from pix.rules import (
    BELOW_V3_BANDS,
    capped_pix,
    certifiable_competences,
    is_certifiable,
    level_from_pix,
    v3_global_level,
)


@pytest.mark.parametrize(
    ("pix", "level"),
    [(0, 0), (7, 0), (8, 1), (15, 1), (16, 2), (40, 5), (47, 5), (48, 6), (49, 6), (1024, 6)],
)
def test_level_from_pix_uses_8_pix_a_level_capped_at_the_default_maximum(pix, level):
    assert level_from_pix(pix) == level


def test_default_maximum_level_is_6_not_5():
    assert rules.DEFAULT_MAX_LEVEL == 6
    assert level_from_pix(48) == 6


@pytest.mark.parametrize("max_level", [5, 6, 7, 8])
def test_the_maximum_level_is_a_setting(max_level):
    assert level_from_pix(1024, max_level) == max_level
    assert level_from_pix(max_level * 8 - 1, max_level) == max_level - 1
    assert level_from_pix(max_level * 8, max_level) == max_level


def test_level_8_is_the_framework_s_top():
    assert level_from_pix(64, 8) == 8
    assert level_from_pix(1024, 8) == 8


@pytest.mark.parametrize("max_level", [-1, 9])
def test_a_maximum_outside_the_framework_is_refused(max_level):
    with pytest.raises(ValueError):
        level_from_pix(10, max_level)


def test_negative_pix_are_refused():
    with pytest.raises(ValueError, match="negative"):
        level_from_pix(-1)
    with pytest.raises(ValueError):
        capped_pix(-8)


@given(pix=st.integers(min_value=0, max_value=5000), max_level=st.integers(0, 8))
def test_level_from_pix_properties(pix, max_level):
    level = level_from_pix(pix, max_level)
    assert 0 <= level <= max_level
    assert level == min(pix // 8, max_level)
    assert level_from_pix(pix + 1, max_level) >= level  # more pix never lowers the level
    assert level_from_pix(capped_pix(pix, max_level), max_level) == level


@given(pix=st.integers(min_value=0, max_value=5000), max_level=st.integers(0, 8))
def test_capped_pix_never_exceeds_the_reachable_maximum(pix, max_level):
    assert capped_pix(pix, max_level) == min(pix, max_level * 8)


def test_certifiable_from_exactly_5_competences_at_level_1():
    four = {"1.1": 1, "1.2": 2, "2.1": 3, "3.1": 1, "4.1": 0, "5.1": None}
    assert certifiable_competences(four) == 4
    assert not is_certifiable(four)
    assert is_certifiable({**four, "5.1": 1})


def test_certifiable_accepts_plain_iterables_and_ignores_missing_levels():
    assert is_certifiable([1, 1, 1, 1, 1])
    assert not is_certifiable([1, 1, 1, 1, None, 0, 0])
    assert certifiable_competences([]) == 0


@pytest.mark.parametrize(
    ("pix", "level"),
    [
        (0, BELOW_V3_BANDS),
        (63, BELOW_V3_BANDS),
        (64, "Novice 1"),
        (127, "Novice 1"),
        (128, "Novice 2"),
        (255, "Novice 2"),
        (256, "Indépendant 1"),
        (383, "Indépendant 1"),
        (384, "Indépendant 2"),
        (511, "Indépendant 2"),
        (512, "Avancé 1"),
        (639, "Avancé 1"),
        (640, "Avancé 2"),
        (767, "Avancé 2"),
        (768, "Expert 1"),
        (895, "Expert 1"),
    ],
)
def test_v3_bands_at_their_boundaries(pix, level):
    assert v3_global_level(pix) == level


def test_v3_without_score_or_above_the_maximum():
    assert v3_global_level(None) is None
    assert v3_global_level(rules.V3_MAX_PIX + 1) == "Expert 1"
    with pytest.raises(ValueError):
        v3_global_level(-1)


def test_v3_bands_are_contiguous():
    bands = rules.V3_LEVEL_BANDS
    assert bands[0][1] == 64 and bands[-1][2] == rules.V3_MAX_PIX
    for (_, _, high), (_, low, _) in zip(bands, bands[1:], strict=False):
        assert low == high + 1
