"""Reads for the results pages: values, and a number of queries that does not grow."""

from __future__ import annotations

import pytest

from campaigns.imports import campaign_results_import
from campaigns.models import Campaign, Participant
from campaigns.selectors import (
    campaign_heatmap,
    campaign_summary,
    grade_latest_levels,
    matching_queue,
    pupil_campaign_history,
    pupil_latest_levels,
)
from campaigns.summaries import campaign_summaries_rebuild
from establishments.models import SchoolClass, SchoolYear
from tests.campaigns.factories import (
    YEAR,
    add_pupil,
    assessment,
    assessment_export,
    profile,
    profiles_export,
    when,
)


def imported(school, data):
    report = campaign_results_import(establishment=school, data=data)
    assert report.ok, [str(e) for e in report.errors]
    campaign_summaries_rebuild(report.campaign)
    return report.campaign


@pytest.fixture
def anna(school):
    return add_pupil(school, "ALPHA", "Anna", "5A")


def test_summary_and_heatmap(school, anna):
    campaign = imported(school, assessment_export([
        assessment("ALPHA", "Anna", "5B", started_at=when(9, 15), shared_at=when(9, 15, 11),
                   skills={"1.1": (4, 1), "2.1": (4, 3)}, stage=1, badges={"Badge A": False}),
        assessment("BRAVO", "Bob", "5A", started_at=when(9, 15), shared_at=when(9, 15, 11),
                   skills={"1.1": (4, 4), "2.1": (4, 2)}, stage=3, badges={"Badge A": True}),
    ]))

    assert campaign_summary(campaign).participants == 2
    assert campaign_summary(campaign, "5B").participants == 1
    assert campaign_summary(campaign, "6Z") is None
    assert campaign_heatmap(campaign) == (["5A", "5B"], ["1.1", "2.1"],
                                          [[1.0, 0.5], [0.25, 0.75]])


def test_a_pupils_history_across_years(school, anna, django_assert_max_num_queries):
    last_year, _ = SchoolYear.objects.get_or_create(start_year=YEAR - 1)
    SchoolClass.objects.create(establishment=school, school_year=last_year, code="6A")
    anna.enrolments.create(school_year=last_year,
                           school_class=SchoolClass.objects.get(code="6A"))
    earlier = when(5, 20).replace(year=YEAR)  # May of last school year
    imported(school, profiles_export(
        [profile("ALPHA", "Anna", "6A", shared_at=earlier, pix={"1.1": 10})], code="OLDOLD111"))
    imported(school, assessment_export([
        assessment("ALPHA", "Anna", "5A", started_at=when(9, 15), shared_at=when(9, 15, 11),
                   skills={"1.1": (4, 1), "2.1": (4, 3)}, stage=1, badges={"Badge A": False}),
    ], code="NEWNEW222"))
    imported(school, profiles_export([profile("ALPHA", "Anna", "5A", shared_at=None)],
                                     code="NOTNOT333"))

    with django_assert_max_num_queries(2):
        history = pupil_campaign_history(anna)

    assert [(h.campaign.code, h.shared) for h in history] == [
        ("OLDOLD111", True), ("NEWNEW222", True), ("NOTNOT333", False)]
    old, new, unshared = history
    assert (old.kind, old.pix, old.certifiable, old.competences["1.1"]) == (
        Campaign.Kind.PROFILES_COLLECTION, 10, False, 1)
    assert (new.mastery, new.stage, new.competences) == (0.5, 1, {"1.1": 0.25, "2.1": 0.75})
    assert (unshared.pix, unshared.competences) == (None, {})


def test_latest_levels_take_each_competence_from_the_latest_profile(school, anna):
    imported(school, profiles_export([
        profile("ALPHA", "Anna", "5A", shared_at=when(10, 1), pix={"1.1": 8, "2.1": 30})],
        code="FIRSTT111"))
    second = imported(school, profiles_export([
        profile("ALPHA", "Anna", "5A", shared_at=when(12, 1), pix={"1.1": 20})],
        code="SECOND222"))

    latest = pupil_latest_levels(anna)

    assert (latest["1.1"].level, latest["1.1"].pix, latest["1.1"].campaign) == (2, 20, second)
    assert latest["2.1"].level == 0  # the latest profile says 0, whatever came before
    assert len(latest) == 16


def test_grade_levels_in_a_constant_number_of_queries(school, django_assert_num_queries):
    for index in range(3):
        pupil = add_pupil(school, f"NOM{index}", "Prénom", "5A")
    SchoolClass.objects.filter(code="5A").update(grade="5e")
    imported(school, profiles_export([
        profile("NOM0", "Prénom", "5A", shared_at=when(10, 1), pix={"1.1": 17})]))

    with django_assert_num_queries(2):
        rows = list(grade_latest_levels(school, school.current_year, "5e"))
    for index in range(3, 30):
        add_pupil(school, f"NOM{index}", "Prénom", "5A")
    with django_assert_num_queries(2):
        many = grade_latest_levels(school, school.current_year, "5e")

    assert len(rows) == 3 and len(many) == 30
    assert rows[0].pupil.last_name == "NOM0"
    assert rows[0].levels["1.1"] == 2
    assert many.get(pupil.pk) == {}
    assert grade_latest_levels(school, school.current_year, "3e").rows == []


def test_the_matching_queue_resolves_candidates(school, django_assert_num_queries):
    homonyms = [add_pupil(school, "MARTIN", "Enzo", "5A"),
                add_pupil(school, "MARTIN", "Enzo", "5B")]
    imported(school, profiles_export([
        profile("MARTIN", "Enzo", "5C", shared_at=when(10, 1)),
        profile("INCONNU", "Personne", "5C", shared_at=when(10, 1)),
        profile("ALPHA", "Anna", "5C", shared_at=when(10, 1)),
    ]))
    add_pupil(school, "ALPHA", "Anna", "5C")
    Participant.objects.filter(last_name="ALPHA").update(match=Participant.Match.AUTO)

    with django_assert_num_queries(3):
        queue = matching_queue(school)

    assert [(p.last_name, [(c.pupil, c.class_code) for c in p.candidate_pupils])
            for p in queue] == [
        ("INCONNU", []),
        ("MARTIN", [(homonyms[0], "5A"), (homonyms[1], "5B")]),
    ]
