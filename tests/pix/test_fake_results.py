"""Fake campaign results: deterministic, plausible, consistent, and fast enough for 20,000."""

import random
import re
import statistics
from datetime import datetime
from decimal import Decimal

import pytest

from pix.campaigns import (
    CampaignKind,
    domain_mastery_from,
    mastery_rate,
    read_campaign_export,
)
from pix.fake_results import (
    DEFAULT_PARCOURS_COMPETENCES,
    Participant,
    fake_assessment,
    fake_campaign_code,
    fake_campaign_export_bytes,
    fake_profiles_collection,
)
from pix.files import PARIS
from pix.referential import COMPETENCE_CODES
from pix.rules import certifiable_competences, is_certifiable, level_from_pix

START = datetime(2026, 5, 4, 8, 0, tzinfo=PARIS)
LAST_NAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND",
              "LEROY", "MOREAU", "SIMON", "LAURENT", "N’DIAYE", "GARCIA", "DA SILVA"]
FIRST_NAMES = ["Léa", "Enzo", "Jade", "Nour", "Loïc", "Manon", "Yanis", "Chloé", "Noé", "Inès"]


def participants(count: int, grade: str = "3e", seed: int = 1) -> list[Participant]:
    rng = random.Random(seed)
    return [Participant(rng.choice(LAST_NAMES), f"{rng.choice(FIRST_NAMES)} {i}",
                        f"{grade[0]}{'ABCD'[i % 4]}", grade, external_id=str(10_000 + i))
            for i in range(count)]


def profiles(people, seed: int = 3, **options):
    return fake_profiles_collection(people, rng=random.Random(seed), shared_at=START, **options)


def assessment(people, seed: int = 3, **options):
    options.setdefault("competence_codes", DEFAULT_PARCOURS_COMPETENCES)
    return fake_assessment(people, rng=random.Random(seed), started_at=START, **options)


# --- determinism ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CampaignKind))
def test_same_seed_same_bytes(kind):
    people = participants(50)

    def export(seed):
        return fake_campaign_export_bytes(kind, people, rng=random.Random(seed), code="ABCDEF123",
                                          name="Campagne", badge_names=("Badge",))

    assert export(11) == export(11)
    assert export(11) != export(12)


def test_campaign_code_looks_like_pix():
    codes = {fake_campaign_code(random.Random(seed)) for seed in range(20)}

    assert all(re.fullmatch(r"[A-Z]{6}[0-9]{3}", code) for code in codes)
    assert len(codes) == 20


# --- profiles collection --------------------------------------------------------------------


def test_profiles_follow_pix_rules():
    rows = profiles(participants(300), max_level=5)

    assert [row.line for row in rows] == list(range(2, len(rows) + 2))
    for row in filter(lambda r: r.shared, rows):
        levels = {code: value.level for code, value in row.levels.items()}
        assert set(row.levels) == set(COMPETENCE_CODES)
        assert all(value.level == level_from_pix(value.pix, 5) for value in row.levels.values())
        assert all(0 <= value.pix <= 40 for value in row.levels.values())
        assert row.pix_total == sum(value.pix for value in row.levels.values())
        assert row.certifiable == is_certifiable(levels)
        assert row.certifiable_competences == certifiable_competences(levels)
        assert row.shared_at.tzinfo is not None and row.shared_at.second == 0


def test_older_pupils_are_higher_with_spread_and_some_far_behind():
    by_grade = {}
    for grade in ("6e", "5e", "3e", "Tle"):
        rows = profiles(participants(400, grade), resend_rate=0)
        by_grade[grade] = [row.pix_total for row in rows if row.shared]

    means = [statistics.mean(by_grade[grade]) for grade in ("6e", "5e", "3e", "Tle")]
    assert means == sorted(means) and means[0] < means[-1] - 150
    assert statistics.stdev(by_grade["3e"]) > 40
    assert min(by_grade["3e"]) < 0.4 * statistics.mean(by_grade["3e"])  # weak pupils


def test_some_pupils_do_not_share_and_some_send_twice_newest_first():
    rows = profiles(participants(1000), share_rate=0.9, resend_rate=0.05)

    unshared = [row for row in rows if not row.shared]
    assert 60 <= len(unshared) <= 140
    assert all(row.pix_total is None and row.levels["1.1"].level is None for row in unshared)
    twice = [(newer, older) for newer, older in zip(rows, rows[1:], strict=False)
             if (newer.first_name, newer.last_name) == (older.first_name, older.last_name)]
    assert 25 <= len(twice) <= 80
    for newer, older in twice:
        assert newer.shared_at > older.shared_at
        assert all(older.levels[c].pix <= newer.levels[c].pix for c in COMPETENCE_CODES)


def test_ability_overrides_the_grade():
    rows = profiles(participants(200), ability=lambda participant: 0.0, share_rate=1.0)

    assert statistics.mean(row.pix_total for row in rows) < 120


# --- assessment -----------------------------------------------------------------------------


def test_assessment_mastery_is_consistent():
    rows = assessment(participants(400), badge_names=("Prêt", "Expert"), skill_names=("@web3",))

    shared = [row for row in rows if row.shared]
    assert 300 <= len(shared) <= 380
    targeted = {code: m.skills_total for code, m in shared[0].competence_mastery.items()}
    assert list(targeted) == list(DEFAULT_PARCOURS_COMPETENCES)
    for row in shared:
        for code, mastery in row.competence_mastery.items():
            assert mastery.skills_total == targeted[code]  # a parcours fixes its skills
            assert 0 <= mastery.skills_mastered <= mastery.skills_total
            assert mastery.rate == mastery_rate(mastery.skills_mastered, mastery.skills_total)
        assert row.domain_mastery == domain_mastery_from(row.competence_mastery)
        mastered = sum(m.skills_mastered for m in row.competence_mastery.values())
        assert row.mastery == mastery_rate(mastered, sum(targeted.values()))
        assert row.progression == 1 and row.shared_at > row.started_at
        assert 0 <= row.stage <= 4 and row.stage_count == 4
        assert row.badges["Expert"] <= row.badges["Prêt"]
        assert row.skills["@web3"] in ("OK", "KO", "Non testé")
    stages = sorted(shared, key=lambda r: r.mastery)
    assert [r.stage for r in stages] == sorted(r.stage for r in stages)
    assert {r.stage for r in shared} == {0, 1, 2, 3, 4}


def test_unshared_assessment_rows_stopped_midway():
    rows = assessment(participants(200), share_rate=0.5)

    unshared = [row for row in rows if not row.shared]
    assert unshared
    assert all(0 < row.progression < 1 and row.mastery is None for row in unshared)
    assert all(row.competence_mastery["1.1"].rate is None for row in unshared)


def test_skills_per_competence_and_exam():
    rows = assessment(participants(30), competence_codes=["3.4", "1.1"],
                      skills_per_competence={"1.1": 5, "3.4": 9}, exam=True, stage_count=None)

    row = next(row for row in rows if row.shared)
    assert list(row.competence_mastery) == ["1.1", "3.4"]
    assert [m.skills_total for m in row.competence_mastery.values()] == [5, 9]
    assert all(r.progression is None and r.stage is None for r in rows)

    same = assessment(participants(30), skills_per_competence=6)
    assert {m.skills_total for r in same if r.shared for m in r.competence_mastery.values()} == {6}


def test_mean_mastery_follows_ability():
    weak = assessment(participants(300), ability=lambda participant: 0.2, share_rate=1.0)
    strong = assessment(participants(300), ability=lambda participant: 0.8, share_rate=1.0)

    assert statistics.mean(r.mastery for r in weak) + Decimal("0.4") < statistics.mean(
        r.mastery for r in strong)


# --- scale ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [CampaignKind.PROFILES_COLLECTION, CampaignKind.ASSESSMENT])
def test_twenty_thousand_participants_generate_write_and_read(kind):
    people = participants(20_000)

    data = fake_campaign_export_bytes(kind, people, rng=random.Random(5), code="ABCDEF123",
                                      name="Benchmark", external_id_label="Identifiant")
    export = read_campaign_export(data)

    assert export.ok, export.errors[:3]
    assert len({(r.last_name, r.first_name) for r in export.rows}) == 20_000
