"""Summaries against figures computed by hand on small files."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from campaigns.imports import campaign_results_import
from campaigns.models import ResultSummary
from campaigns.summaries import (
    build_frame,
    campaign_summaries_rebuild,
    stored_texts,
    summarise,
)
from campaigns.tasks import rebuild_campaign_summaries_task
from pix.numbers import stored_mean
from pix.referential import COMPETENCE_CODES
from tests.campaigns.factories import (
    add_pupil,
    assessment,
    assessment_export,
    profile,
    profiles_export,
    when,
)

# Five participants; pix per competence, the others at 0.
#   A 5A matched: older sending {1.1: 20}; newer {1.1: 30, 2.1: 12} → result: levels 3 and 1
#   B 5A matched: {1.1: 9, 2.1: 17} → levels 1 and 2
#   C 5A matched: never shared
#   D 5B unknown: {1.1: 45, 1.2: 8, 1.3: 8, 2.1: 8, 2.2: 8} → levels 5, 1, 1, 1, 1: certifiable
#   E 5B matched: shared {1.1: 16} (level 2), then a newer sending not shared
PROFILES = [
    profile("ALPHA", "Anna", "5A", shared_at=when(10, 8), pix={"1.1": 30, "2.1": 12}),
    profile("ALPHA", "Anna", "5A", shared_at=when(10, 1), pix={"1.1": 20}),
    profile("BRAVO", "Bob", "5A", shared_at=when(10, 2), pix={"1.1": 9, "2.1": 17}),
    profile("CHARLIE", "Carl", "5A", shared_at=None),
    profile("DELTA", "Dina", "5B", shared_at=when(10, 3),
            pix={"1.1": 45, "1.2": 8, "1.3": 8, "2.1": 8, "2.2": 8}),
    profile("ECHO", "Eva", "5B", shared_at=None),
    profile("ECHO", "Eva", "5B", shared_at=when(10, 4), pix={"1.1": 16}),
]


def distribution(**counts: int) -> list[int]:
    """[count at level 0, …, 8] from `l3=1, l5=1`."""
    return [counts.get(f"l{level}", 0) for level in range(9)]


@pytest.fixture
def profiles_campaign(school):
    for last, first, division in (("ALPHA", "Anna", "5A"), ("BRAVO", "Bob", "5A"),
                                  ("CHARLIE", "Carl", "5A"), ("ECHO", "Eva", "5B")):
        add_pupil(school, last, first, division)
    report = campaign_results_import(establishment=school, data=profiles_export(PROFILES))
    assert report.ok
    campaign_summaries_rebuild(report.campaign)
    return report.campaign


def summaries(campaign) -> dict[str, ResultSummary]:
    return {s.division: s for s in ResultSummary.objects.filter(campaign=campaign)}


def test_profiles_collection_summaries_by_hand(profiles_campaign):
    by_division = summaries(profiles_campaign)

    assert set(by_division) == {"", "5A", "5B"}
    a5, b5, whole = by_division["5A"], by_division["5B"], by_division[""]
    assert (a5.participants, a5.started, a5.shared, a5.matched, a5.certifiable) == (3, 3, 2, 3, 0)
    assert (b5.participants, b5.started, b5.shared, b5.matched, b5.certifiable) == (2, 2, 2, 1, 1)
    assert (whole.participants, whole.started, whole.shared, whole.matched,
            whole.certifiable) == (5, 5, 4, 4, 1)
    # means are exact, kept with six places
    assert a5.mean_pix == Decimal("34")  # (42 + 26) / 2
    assert b5.mean_pix == Decimal("46.5")  # (77 + 16) / 2
    assert whole.mean_pix == Decimal("40.25")  # (42 + 26 + 77 + 16) / 4
    assert (a5.mean_mastery, a5.stages, a5.badges) == (None, {}, {})

    assert a5.competences["1.1"] == {"mean_level": "2.000000", "mean_pix": "19.500000",
                                     "count": 2, "distribution": distribution(l1=1, l3=1),
                                     "mean_mastery": None}
    assert a5.competences["2.1"] == {"mean_level": "1.500000", "mean_pix": "14.500000",
                                     "count": 2, "distribution": distribution(l1=1, l2=1),
                                     "mean_mastery": None}
    assert a5.competences["5.2"] == {"mean_level": "0.000000", "mean_pix": "0.000000",
                                     "count": 2, "distribution": distribution(l0=2),
                                     "mean_mastery": None}
    assert b5.competences["1.1"]["mean_level"] == "3.500000"  # (5 + 2) / 2
    assert b5.competences["1.2"]["mean_level"] == "0.500000"
    assert whole.competences["1.1"] == {"mean_level": "2.750000", "mean_pix": "25.000000",
                                        "count": 4,
                                        "distribution": distribution(l1=1, l2=1, l3=1, l5=1),
                                        "mean_mastery": None}
    assert whole.competences["2.1"]["mean_level"] == "1.000000"  # (1 + 2 + 1 + 0) / 4
    assert set(whole.competences) == set(COMPETENCE_CODES)


# Four participants of a parcours on 1.1 and 2.1, 3 stages, one badge.
#   P 5A: 1.1 2/4, 2.1 2/4 (mastery 0.5), stage 2, badge
#   Q 5A: 1.1 1/4, 2.1 1/4 (0.25), stage 1, no badge
#   R 5A: no start date, never shared
#   S 5B: 1.1 4/4, 2.1 4/4 (1), stage 3, badge; and a later participation never shared
ASSESSMENT = [
    assessment("PAPA", "Paul", "5A", started_at=when(9, 15, 9), shared_at=when(9, 15, 10),
               skills={"1.1": (4, 2), "2.1": (4, 2)}, stage=2, badges={"Badge A": True}),
    assessment("QUEBEC", "Quentin", "5A", started_at=when(9, 15, 9), shared_at=when(9, 15, 11),
               skills={"1.1": (4, 1), "2.1": (4, 1)}, stage=1, badges={"Badge A": False}),
    assessment("ROMEO", "Rose", "5A", started_at=None),
    assessment("SIERRA", "Sam", "5B", started_at=when(10, 1, 9), progression="0.1"),
    assessment("SIERRA", "Sam", "5B", started_at=when(9, 16, 9), shared_at=when(9, 16, 10),
               skills={"1.1": (4, 4), "2.1": (4, 4)}, stage=3, badges={"Badge A": True}),
]


def test_assessment_summaries_by_hand(school):
    report = campaign_results_import(establishment=school, data=assessment_export(ASSESSMENT))
    campaign_summaries_rebuild(report.campaign)

    by_division = summaries(report.campaign)

    a5, b5, whole = by_division["5A"], by_division["5B"], by_division[""]
    assert (a5.participants, a5.started, a5.shared, a5.matched) == (3, 2, 2, 0)
    assert (b5.participants, b5.started, b5.shared, b5.matched) == (1, 1, 1, 0)
    assert (whole.participants, whole.started, whole.shared) == (4, 3, 3)
    assert a5.mean_mastery == Decimal("0.375")  # (0.5 + 0.25) / 2
    # 1.75 / 3 = 0.583333…: six places, the last not rounded up (it is not 0 or 5)
    assert whole.mean_mastery == Decimal("0.583333")
    assert (a5.mean_pix, a5.certifiable) == (None, 0)
    assert a5.stages == {"0": 0, "1": 1, "2": 1, "3": 0}
    assert whole.stages == {"0": 0, "1": 1, "2": 1, "3": 1}
    assert (a5.badges, b5.badges, whole.badges) == (
        {"Badge A": 1}, {"Badge A": 1}, {"Badge A": 2})
    assert a5.competences["1.1"] == {"mean_mastery": "0.375000", "count": 2,
                                     "mean_level": None, "mean_pix": None, "distribution": []}
    assert whole.competences["2.1"]["mean_mastery"] == "0.583333"
    assert set(whole.competences) == {"1.1", "2.1"}


def test_a_rebuild_replaces_the_summaries_and_is_idempotent(profiles_campaign, school):
    first = {d: (s.pk, s.participants) for d, s in summaries(profiles_campaign).items()}
    campaign_results_import(establishment=school, data=profiles_export(
        [profile("FOXTROT", "Fred", "6C", shared_at=when(11, 1)), *PROFILES]))

    rebuild_campaign_summaries_task(profiles_campaign.pk)
    rebuild_campaign_summaries_task(profiles_campaign.pk)

    second = summaries(profiles_campaign)
    assert set(second) == {"", "5A", "5B", "6C"}
    assert second[""].participants == 6
    assert {d: s.participants for d, s in second.items() if d in first and d} == {
        d: n for d, (_pk, n) in first.items() if d}
    assert ResultSummary.objects.count() == 4


def test_the_summaries_task_of_a_deleted_campaign_does_nothing(db):
    rebuild_campaign_summaries_task(123456)

    assert not ResultSummary.objects.exists()


def test_a_rebuild_reads_in_a_constant_number_of_queries(profiles_campaign, school):
    with CaptureQueriesContext(connection) as small:
        campaign_summaries_rebuild(profiles_campaign)
    many = [profile(f"NOM{i}", "Prénom", f"6{'ABCD'[i % 4]}", shared_at=when(10, 10),
                    pix={"1.1": i % 50}) for i in range(60)]
    campaign_results_import(establishment=school, data=profiles_export([*many, *PROFILES]))

    with CaptureQueriesContext(connection) as large:
        campaign_summaries_rebuild(profiles_campaign)

    assert len(large) == len(small)


# --- summarise, without a database -------------------------------------------------------------


def test_summarise_counts_a_participant_without_class_in_the_establishment_only():
    participants = [
        {"pk": 1, "division": "5A", "pupil_id": 10, "has_shared": True},
        {"pk": 2, "division": "", "pupil_id": None, "has_shared": True},
    ]
    results = [
        {"participant_id": pk, "pix_total": pix, "certifiable": False, "mastery": None,
         "stage": None, "badges": {}, "competences": {"1.1": {"level": pix // 8, "pix": pix}}}
        for pk, pix in ((1, 8), (2, 24))
    ]
    frame = build_frame(participants, results, set(), competence_codes=["1.1"])

    figures = summarise(frame, gives_mastery=False, competence_codes=["1.1"])

    assert set(figures) == {"", "5A"}
    assert (figures[""]["participants"], figures["5A"]["participants"]) == (2, 1)
    assert figures[""]["competences"]["1.1"]["mean_level"] == "2.000000"  # (1 + 3) / 2
    assert figures[""]["matched"] == 1


def test_summarise_an_empty_campaign():
    frame = build_frame([], [], set(), competence_codes=["1.1"])

    figures = summarise(frame, gives_mastery=False, competence_codes=["1.1"])

    assert figures == {"": {
        "participants": 0, "started": 0, "shared": 0, "matched": 0, "certifiable": 0,
        "mean_pix": None, "mean_mastery": None, "stages": {}, "badges": {},
        "competences": {"1.1": {"mean_level": None, "mean_pix": None,
                                "distribution": [0] * 9, "mean_mastery": None, "count": 0}},
    }}


# --- the vectorised means agree with pix.numbers, one at a time -------------------------------


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=2 * 10**10),
                          st.integers(min_value=0, max_value=20_000)), max_size=30),
       st.sampled_from([0, 6]))
def test_stored_texts_are_stored_mean_of_each_pair(pairs, scale):
    sums = np.array([float(total) for total, _n in pairs], dtype=np.float64)
    counts = np.array([n for _total, n in pairs], dtype=np.int64)

    texts = stored_texts(sums, counts, scale)

    assert texts == [stored_mean(total, n, scale) for total, n in pairs]


def test_rates_with_more_places_than_millionths_are_still_exact():
    # given rates of seven places (never seen in Pix's files), in one class
    participants = [{"pk": pk, "division": "5A", "pupil_id": None, "has_shared": True}
                    for pk in (1, 2)]
    results = [
        {"participant_id": pk, "pix_total": None, "certifiable": None, "mastery": None,
         "stage": None, "badges": {}, "competences": {"1.1": {"rate": rate}}}
        for pk, rate in ((1, 0.1234567), (2, 0.5))
    ]
    frame = build_frame(participants, results, {1, 2}, competence_codes=["1.1"])

    figures = summarise(frame, gives_mastery=True, competence_codes=["1.1"])

    # by hand: (0,1234567 + 0,5) / 2 = 0,31172835 → six places, towards zero (last digit 8)
    assert figures["5A"]["competences"]["1.1"]["mean_mastery"] == "0.311728"
    assert figures[""]["competences"]["1.1"]["count"] == 2
