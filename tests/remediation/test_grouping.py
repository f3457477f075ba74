"""Proposed groups on hand-made cases: sizes, who is placed, nobody twice."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pix.referential import COMPETENCE_CODES
from remediation.grouping import (
    PupilNeeds,
    balanced_sizes,
    propose_groups,
    relative_gap,
)


def needs(pupil_id: int, **gaps: float) -> PupilNeeds:
    """gaps by code written with underscores: needs(1, c3_4=1.0) → {"3.4": 1.0}."""
    return PupilNeeds(pupil_id, {key[1:].replace("_", "."): value
                                 for key, value in gaps.items()})


def placed(groups) -> list[int]:
    return [pupil for group in groups for pupil in group.pupil_ids]


def check_invariants(pupils: list[PupilNeeds], groups, max_size: int) -> None:
    by_id = {p.pupil_id: p for p in pupils}
    ids = placed(groups)
    assert len(ids) == len(set(ids)), "a pupil is in two groups"
    assert all(len(g.pupil_ids) <= max_size for g in groups)
    assert all(g.pupil_ids for g in groups)
    for group in groups:
        assert group.competences[0] == group.main
        for pupil_id in group.pupil_ids:
            pupil = by_id[pupil_id]
            assert pupil.needs_help
            assert any(pupil.gap(code) > 0 for code in group.competences), (
                f"pupil {pupil_id} lacks none of {group.competences}")
    assert set(ids) == {p.pupil_id for p in pupils if p.needs_help}


def test_balanced_sizes():
    assert balanced_sizes(0, 15) == []
    assert balanced_sizes(15, 15) == [15]
    assert balanced_sizes(16, 15) == [8, 8]
    assert balanced_sizes(21, 15) == [11, 10]
    assert balanced_sizes(31, 15) == [11, 10, 10]


def test_relative_gap():
    assert relative_gap(0, 1) == 1.0
    assert relative_gap(1, 1) == 0.0
    assert relative_gap(None, 1) == 0.0
    assert relative_gap(0.3, 0.5) == pytest.approx(0.4)
    assert relative_gap(2, 3) == pytest.approx(1 / 3)


def test_pupils_without_a_gap_are_left_out():
    pupils = [needs(1, c3_4=1.0), needs(2), needs(3, c3_4=0.0), needs(4, c3_4=0.5),
              needs(5, c3_4=1.0), needs(6, c3_4=1.0)]
    groups = propose_groups(pupils, max_size=15)
    assert placed(groups) == [1, 5, 6, 4]  # neediest first, then by id
    assert groups[0].main == "3.4"


def test_pupils_grouped_by_what_they_lack_most():
    # six lack programming most, five lack technical problems most
    pupils = [needs(i, c3_4=1.0, c5_1=0.2) for i in range(1, 7)]
    pupils += [needs(i, c5_1=1.0, c1_1=0.1) for i in range(7, 12)]
    groups = propose_groups(pupils, max_size=15, min_size=4)
    assert [(g.main, sorted(g.pupil_ids)) for g in groups] == [
        ("3.4", [1, 2, 3, 4, 5, 6]),
        ("5.1", [7, 8, 9, 10, 11]),
    ]
    # every pupil of the first group also lacks 5.1: aimed at too
    assert groups[0].competences == ("3.4", "5.1")
    check_invariants(pupils, groups, 15)


def test_size_limit_splits_into_balanced_groups():
    pupils = [needs(i, c3_4=1.0 - i / 100) for i in range(1, 22)]  # 21 pupils
    groups = propose_groups(pupils, max_size=15)
    assert [len(g.pupil_ids) for g in groups] == [11, 10]
    # the neediest together
    assert list(groups[0].pupil_ids) == list(range(1, 12))
    check_invariants(pupils, groups, 15)


def test_a_rare_need_joins_a_group_with_room_that_aims_at_it():
    pupils = [needs(i, c3_4=1.0, c4_2=0.5) for i in range(1, 9)]  # 8: a group on 3.4 and 4.2
    pupils.append(needs(50, c4_2=1.0))  # alone in lacking mostly 4.2
    groups = propose_groups(pupils, max_size=15, min_size=4)
    assert len(groups) == 1
    assert 50 in groups[0].pupil_ids
    assert groups[0].competences == ("3.4", "4.2")
    check_invariants(pupils, groups, 15)


def test_a_rare_need_widens_a_group_with_room():
    pupils = [needs(i, c3_4=1.0) for i in range(1, 9)]
    pupils += [needs(50, c2_1=1.0), needs(51, c2_1=0.5)]
    groups = propose_groups(pupils, max_size=15, min_size=4)
    assert [(g.competences, sorted(g.pupil_ids)) for g in groups] == [
        (("3.4", "2.1"), [*range(1, 9), 50, 51])]
    check_invariants(pupils, groups, 15)


def test_a_rare_need_opens_a_small_group_when_no_group_fits():
    pupils = [needs(i, c3_4=1.0) for i in range(1, 9)]
    pupils += [needs(50, c2_1=1.0), needs(51, c2_1=0.5)]
    groups = propose_groups(pupils, max_size=15, min_size=4, max_competences=1)
    assert [(g.main, sorted(g.pupil_ids)) for g in groups] == [
        ("3.4", list(range(1, 9))), ("2.1", [50, 51])]
    check_invariants(pupils, groups, 15)


def test_a_full_group_takes_no_one_more():
    pupils = [needs(i, c3_4=1.0, c1_1=0.5) for i in range(1, 5)]  # exactly 4, max 4
    pupils.append(needs(9, c1_1=1.0))
    groups = propose_groups(pupils, max_size=4, min_size=4)
    assert [len(g.pupil_ids) for g in groups] == [4, 1]
    check_invariants(pupils, groups, 4)


def test_nobody_given_twice():
    with pytest.raises(ValueError):
        propose_groups([needs(1, c3_4=1.0), needs(1, c1_1=1.0)], max_size=15)


def test_the_proposal_is_deterministic():
    rng = random.Random(7)
    pupils = [PupilNeeds(i, {c: rng.choice([0, 0, 0, 0.5, 1.0]) for c in COMPETENCE_CODES})
              for i in range(60)]
    assert propose_groups(pupils, max_size=12) == propose_groups(pupils, max_size=12)


gap = st.sampled_from([0.0, 0.0, 0.0, 0.25, 0.5, 1.0])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from(COMPETENCE_CODES[:8]), gap, max_size=8),
             max_size=70),
    st.integers(min_value=1, max_value=16),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=4),
)
def test_invariants_hold_for_any_needs(gap_maps, max_size, min_size, max_competences):
    pupils = [PupilNeeds(i, gaps) for i, gaps in enumerate(gap_maps)]
    groups = propose_groups(pupils, max_size=max_size, min_size=min_size,
                            max_competences=max_competences)
    check_invariants(pupils, groups, max_size)
    assert all(len(g.competences) <= max_competences for g in groups)
