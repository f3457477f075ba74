"""The effect computation against a hand computation, then through the database: sessions,
attendance, a later campaign covering the aimed competence, and the effect page."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse

from pix.files import PARIS
from remediation import services
from remediation.effect import Measurement, group_effect, overall_effect
from remediation.selectors import period_effect
from tests.remediation.conftest import groups_of
from tests.remediation.helpers import import_mastery, when


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=PARIS)


BEFORE, AFTER = at(10, 1), at(10, 31)
MEASUREMENTS = {
    1: [Measurement(1, at(9, 20), {"3.4": 0.25, "1.1": 0.75}),
        Measurement(1, at(11, 15), {"3.4": 0.75, "1.1": 1.0}, "Thématique"),
        Measurement(1, at(12, 20), {"3.4": 1.0}, "Plus tard")],  # not the *first* after
    2: [Measurement(2, at(9, 20), {"3.4": 0.5}),
        Measurement(2, at(9, 25), {"3.4": 0.25}),  # the latest before wins
        Measurement(2, at(11, 15), {"3.4": 0.5}, "Thématique"),
        Measurement(2, at(11, 20), {"1.1": 0.5}, "Autre")],  # 1.1 never measured before
    3: [Measurement(3, at(9, 20), {"3.4": 0.25, "1.1": 0.5}),
        Measurement(3, at(11, 15), {"3.4": 0.25, "1.1": 0.75})],
    4: [Measurement(4, at(9, 20), {"3.4": 1.0}),
        Measurement(4, at(10, 15), {"3.4": 0.0})],  # during the sessions: neither
    5: [Measurement(5, at(9, 1), {"1.1": 0.25}),
        Measurement(5, BEFORE, {"3.4": 0.9}),  # at the first session: not "before"
        Measurement(5, AFTER, {"1.1": 0.5})],  # at the end of the last: "after"
}


def effect():
    return group_effect(competences=["3.4", "1.1"], attendees={1, 2}, others={3, 4, 5},
                        measurements=MEASUREMENTS, before=BEFORE, after=AFTER, threshold=0.5)


def test_attendees_against_a_hand_computation():
    result = effect()
    # pairs: 1·3.4 .25→.75, 1·1.1 .75→1, 2·3.4 .25→.5
    figures = result.attended
    assert (figures.pairs, figures.pupils, figures.improved) == (3, 2, 3)
    assert figures.mean_before == pytest.approx(1.25 / 3)
    assert figures.mean_after == pytest.approx(2.25 / 3)
    assert figures.mean_change == pytest.approx(1 / 3)
    assert result.after_labels == ["Thématique"]


def test_others_and_comparable_against_a_hand_computation():
    result = effect()
    # pairs: 3·3.4 .25→.25, 3·1.1 .5→.75, 5·1.1 .25→.5; 4 has no "after", 5·3.4 no "before"
    others = result.others
    assert (others.pairs, others.pupils, others.improved) == (3, 2, 2)
    assert others.mean_before == pytest.approx(1 / 3)
    assert others.mean_after == pytest.approx(0.5)
    # comparable: below 0.5 before → 3·3.4 and 5·1.1
    comparable = result.comparable
    assert (comparable.pairs, comparable.mean_before, comparable.mean_after) == (
        2, pytest.approx(0.25), pytest.approx(0.375))


def test_by_competence_against_a_hand_computation():
    by_code = {c.code: c for c in effect().by_competence()}
    assert by_code["3.4"].attended.mean_before == pytest.approx(0.25)
    assert by_code["3.4"].attended.mean_after == pytest.approx(0.625)
    assert by_code["3.4"].others.pairs == 1
    assert by_code["1.1"].attended.pairs == 1
    assert by_code["1.1"].attended.mean_change == pytest.approx(0.25)
    assert by_code["1.1"].others.mean_after == pytest.approx(0.625)


def test_a_pupil_in_both_lists_counts_as_attendee():
    result = group_effect(competences=["3.4"], attendees={1}, others={1, 3},
                          measurements=MEASUREMENTS, before=BEFORE, after=AFTER,
                          threshold=0.5)
    assert result.attended.pupils == 1 and result.others.pupils == 1


def test_overall_pools_the_pairs_of_every_group():
    first = effect()
    second = group_effect(competences=["1.1"], attendees={3}, others=set(),
                          measurements=MEASUREMENTS, before=BEFORE, after=AFTER,
                          threshold=0.5)
    overall = overall_effect([first, second])
    # attended pairs: the 3 of the first group and 3·1.1 .5→.75
    assert overall.attended.pairs == 4
    assert overall.attended.mean_before == pytest.approx((1.25 + 0.5) / 4)
    assert overall.attended.mean_after == pytest.approx((2.25 + 0.75) / 4)
    assert overall.others.pairs == 3


def test_no_measurement_after_means_no_figure():
    result = group_effect(competences=["3.4"], attendees={1}, others={3},
                          measurements=MEASUREMENTS, before=BEFORE, after=at(12, 31),
                          threshold=0.5)
    assert not result.measured
    assert result.attended.mean_before is None and result.attended.mean_change is None


# --- through the database ---------------------------------------------------------------


@pytest.fixture
def remediated(period, world, fifth):
    """The 3.4 group (pupils 0–3) has two sessions in October: 0 and 1 come to the first, 3
    to the second, 2 to none. A thematic parcours on 3.4 follows in November."""
    group = groups_of(period)["3.4"]
    services.group_validate(group=group, by=world.rupn)
    plan = services.SessionPlan(starts_at=when(10, 1), minutes=55, room_id=None,
                                leader_id=None, competences=("3.4",))
    first, second = services.sessions_plan(group=group, plan=plan, weeks=2)
    services.attendance_save(session=first, by=world.rupn, notes=None, marks={
        fifth[0].pk: True, fifth[1].pk: True, fifth[2].pk: False, fifth[3].pk: False})
    services.attendance_save(session=second, by=world.rupn, notes=None, marks={
        fifth[0].pk: False, fifth[1].pk: False, fifth[2].pk: False, fifth[3].pk: True})
    later = {fifth[0]: (4, 3), fifth[1]: (4, 2), fifth[2]: (4, 1), fifth[3]: (4, 4)}
    later |= dict.fromkeys(fifth[4:8], (4, 3))
    later |= dict.fromkeys(fifth[8:10], (4, 4))
    later[fifth[10]] = (4, 2)  # nothing before to compare with
    import_mastery(world.establishment, {p: {"3.4": v} for p, v in later.items()},
                   codes=("3.4",), shared_at=when(11, 10),
                   name="Parcours thématique — Programmer")
    return group


def test_period_effect_from_the_database(period, remediated):
    result = period_effect(period)
    rows = {r.group.pk: r for r in result.rows}
    row = rows[remediated.pk]
    assert row.sessions == 2 and row.members == 4
    attended = row.effect.attended
    # 0: .25→.75, 1: .25→.5, 3: .25→1
    assert (attended.pairs, attended.mean_before) == (3, pytest.approx(0.25))
    assert attended.mean_after == pytest.approx(0.75)
    # others: 2 .25→.25, 4–7 .75→.75, 8–9 1→1
    others = row.effect.others
    assert others.pairs == 7
    assert others.mean_before == pytest.approx(5.25 / 7)
    assert others.mean_change == pytest.approx(0)
    assert row.effect.comparable.pairs == 1
    assert row.effect.after_labels == ["Parcours thématique — Programmer"]
    assert result.attendees == 3 and result.grade_pupils == 12
    # the 1.1 group has no session: no effect to show
    other_group = next(r for r in result.rows if r.group.pk != remediated.pk)
    assert other_group.effect is None


def test_effect_page_shows_the_figures_and_a_chart(period, remediated, world, login):
    response = login(world.rupn).get(reverse("remediation:effect", args=[period.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "plotly.min.js" in html and "js-chart" in html
    assert "+50&nbsp;pts" in html  # attended: 25 % → 75 %
    assert "Parcours thématique — Programmer" in html
