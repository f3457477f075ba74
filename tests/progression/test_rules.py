"""Each rule on hand-made profiles, without a database: what is met, and exactly what is
missing, in French."""

from __future__ import annotations

import pytest

from pix.referential import COMPETENCE_CODES
from progression.rules import TEMPLATES, RuleKind, RuleSpec, evaluate

MIN5 = RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=1, count=5)
EACH = RuleSpec(RuleKind.EACH_DOMAIN, level=1)
ALL1 = RuleSpec(RuleKind.ALL, level=1)
CERT = RuleSpec(RuleKind.CERTIFIABLE)


def texts(levels, *rules):
    return [s.text for s in evaluate(levels, rules).shortfalls]


# --- level ≥ L in at least N competences --------------------------------------------------------


def test_exactly_five_competences_at_level_one_meets_the_count():
    levels = {"1.1": 1, "2.1": 1, "3.1": 1, "4.1": 1, "5.1": 1, "1.2": 0}

    result = evaluate(levels, [MIN5])

    assert result.met
    assert result.shortfalls == ()


def test_four_competences_miss_one_more():
    levels = {"1.1": 3, "2.1": 1, "3.1": 1, "4.1": 2, "5.1": 0}

    assert texts(levels, MIN5) == ["niveau 1 dans 1 compétence de plus"]


def test_three_competences_miss_two_more_and_name_the_candidates():
    levels = {"1.1": 1, "2.1": 1, "3.1": 1}

    result = evaluate(levels, [MIN5])

    assert [s.text for s in result.shortfalls] == ["niveau 1 dans 2 compétences de plus"]
    assert result.missing_competences == tuple(
        c for c in COMPETENCE_CODES if c not in ("1.1", "2.1", "3.1"))


def test_level_exactly_L_counts_and_one_below_does_not():
    at_two = dict.fromkeys(("1.1", "1.2", "1.3"), 2)

    assert evaluate(at_two, [RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=2, count=3)]).met
    below = {**at_two, "1.3": 1}
    assert texts(below, RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=2, count=3)) == [
        "niveau 2 dans 1 compétence de plus"]


def test_no_data_misses_everything():
    assert texts({}, MIN5) == ["niveau 1 dans 5 compétences de plus"]
    assert texts({}, CERT) == ["pas encore certifiable : niveau 1 dans 5 compétences de plus"]
    assert not evaluate({}, [RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=0, count=1)]).met


def test_an_unknown_level_never_counts_even_at_level_zero():
    levels = {"1.1": None, "1.2": 0}

    assert texts(levels, RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=0, count=2)) == [
        "niveau 0 dans 1 compétence de plus"]


# --- one competence of each domain --------------------------------------------------------------


def test_a_domain_missing_is_named():
    # five competences at level 1, none in domain 4
    levels = {"1.1": 1, "1.2": 1, "2.1": 2, "3.1": 1, "5.1": 1, "4.1": 0}

    result = evaluate(levels, [MIN5, EACH])

    assert not result.met
    assert [s.text for s in result.shortfalls] == [
        "aucune compétence du domaine 4 « Protection et sécurité » au niveau 1"]
    assert result.missing_competences == ("4.1", "4.2", "4.3")
    assert [s.pupil_text for s in result.shortfalls] == [
        "le niveau 1 dans une compétence du domaine « Protection et sécurité »"]


def test_every_domain_missing_without_data():
    assert len(texts({}, EACH)) == 5


def test_the_5e_template_met_with_one_per_domain():
    levels = {"1.3": 1, "2.4": 1, "3.4": 1, "4.3": 1, "5.2": 1}

    assert evaluate(levels, TEMPLATES["5e"].rules).met


# --- named competences ----------------------------------------------------------------------------


def test_named_competences_below_their_level():
    rule = RuleSpec(RuleKind.NAMED, level=2, competences=("5.1", "3.4", "4.1"))
    levels = {"3.4": 1, "4.1": 2}

    result = evaluate(levels, [rule])

    assert [s.text for s in result.shortfalls] == ["niveau 2 en 3.4 et 5.1"]
    assert result.shortfalls[0].pupil_text == (
        "le niveau 2 en « Programmer » et « Résoudre des problèmes techniques »")
    assert result.missing_competences == ("3.4", "5.1")


def test_named_competences_all_reached():
    rule = RuleSpec(RuleKind.NAMED, level=2, competences=("3.4",))

    assert evaluate({"3.4": 2}, [rule]).met


# --- all 16 ---------------------------------------------------------------------------------------


def test_all_sixteen_at_level_one():
    levels = dict.fromkeys(COMPETENCE_CODES, 1)

    assert evaluate(levels, [ALL1]).met


def test_all_sixteen_lists_the_ones_below():
    levels = {**dict.fromkeys(COMPETENCE_CODES, 1), "3.4": 0}
    del levels["5.2"]

    assert texts(levels, ALL1) == ["niveau 1 dans 2 compétences de plus (3.4, 5.2)"]


# --- certifiable ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("at_one", "met"), [(4, False), (5, True), (6, True)])
def test_certifiable_boundary(at_one, met):
    levels = {code: (1 if i < at_one else 0) for i, code in enumerate(COMPETENCE_CODES)}

    assert evaluate(levels, [CERT]).met is met


def test_certifiable_missing_one():
    levels = dict.fromkeys(COMPETENCE_CODES[:4], 3)

    assert texts(levels, CERT) == ["pas encore certifiable : niveau 1 dans 1 compétence de plus"]


# --- several rules, and the rules themselves ------------------------------------------------------


def test_rules_report_in_their_order():
    levels = {"1.1": 1, "2.1": 1, "3.1": 1}

    assert texts(levels, MIN5, EACH) == [
        "niveau 1 dans 2 compétences de plus",
        "aucune compétence du domaine 4 « Protection et sécurité » au niveau 1",
        "aucune compétence du domaine 5 « Environnement numérique » au niveau 1",
    ]


def test_an_objective_without_rules_is_met():
    assert evaluate({}, []).met


@pytest.mark.parametrize("kwargs", [
    {"kind": RuleKind.MIN_LEVEL_COUNT, "level": 1, "count": 0},
    {"kind": RuleKind.MIN_LEVEL_COUNT, "level": 1, "count": 17},
    {"kind": RuleKind.ALL, "level": 9},
    {"kind": RuleKind.NAMED, "level": 1, "competences": ()},
    {"kind": RuleKind.NAMED, "level": 1, "competences": ("9.9",)},
])
def test_impossible_rules_are_refused(kwargs):
    with pytest.raises(ValueError):
        RuleSpec(**kwargs)


def test_certifiable_is_pix_rule_whatever_is_given():
    rule = RuleSpec(RuleKind.CERTIFIABLE, level=4, count=12)

    assert (rule.level, rule.count) == (1, 5)


def test_descriptions():
    assert MIN5.describe().text == "Niveau 1 ou plus dans au moins 5 compétences"
    assert EACH.describe_for_pupil().text == (
        "Avoir au moins le niveau 1 dans une compétence de chaque domaine")
    assert RuleSpec(RuleKind.NAMED, level=2, competences=("3.4", "1.1")).describe().text == (
        "Niveau 2 ou plus en 1.1 et 3.4")


def test_shortfalls_survive_json():
    from progression.rules import Shortfall

    shortfall = evaluate({}, [EACH]).shortfalls[0]

    assert Shortfall.from_json(shortfall.as_json()) == shortfall


def test_templates_follow_the_domain_example():
    assert TEMPLATES["5e"].rules == (MIN5, EACH)
    assert TEMPLATES["4e"].rules == (ALL1,)
    assert TEMPLATES["3e"].rules == (ALL1, CERT)
    for leaving in ("Tle", "CAP2", "TBP"):
        assert TEMPLATES[leaving].rules == (CERT,)
    assert "6e" not in TEMPLATES
