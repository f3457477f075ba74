"""A pupil's current level per competence: the newer of a shared profiles collection and a
validated certification, with its date and source; `-` ignored."""

from __future__ import annotations

from datetime import date

from certification.models import CertificationResult
from progression.levels import LevelSource, Source, current_levels
from progression.selectors import pupil_current_levels
from tests.progression.helpers import (
    add_certification,
    at,
    import_assessment,
    import_profiles,
    profile_row,
)

# --- pure ----------------------------------------------------------------------------------------


def profiles(day: date, levels, ref=1, hour=10):
    return LevelSource(Source.PROFILES, day, levels, "Collecte",
                       at(day.year, day.month, day.day, hour), ref)


def certification(day: date, levels, ref=1):
    return LevelSource(Source.CERTIFICATION, day, levels, "7001", None, ref)


def test_newer_certification_beats_older_profiles():
    result = current_levels([
        profiles(date(2026, 10, 1), {"1.1": 3, "1.2": 2}),
        certification(date(2027, 3, 1), {"1.1": 2, "1.2": None}),
    ])

    assert result["1.1"].level == 2
    assert result["1.1"].source is Source.CERTIFICATION
    assert result["1.1"].on == date(2027, 3, 1)
    # "-" (not tested) tells nothing: the profile's level stays
    assert result["1.2"].level == 2
    assert result["1.2"].source is Source.PROFILES


def test_newer_profiles_beat_older_certification():
    result = current_levels([
        certification(date(2026, 3, 1), {"1.1": 1}),
        profiles(date(2026, 10, 1), {"1.1": 3}),
    ])

    assert result["1.1"] == (3, date(2026, 10, 1), Source.PROFILES, "Collecte")


def test_same_day_the_certification_wins():
    result = current_levels([
        certification(date(2027, 3, 1), {"1.1": 1}),
        profiles(date(2027, 3, 1), {"1.1": 4}, hour=18),
    ])

    assert result["1.1"].source is Source.CERTIFICATION


def test_two_profiles_the_same_day_the_later_wins():
    result = current_levels([
        profiles(date(2027, 3, 1), {"1.1": 4}, ref=2, hour=18),
        profiles(date(2027, 3, 1), {"1.1": 2}, ref=1, hour=9),
    ])

    assert result["1.1"].level == 4


def test_nothing_known():
    assert current_levels([]) == {}
    assert current_levels([certification(date(2027, 3, 1), {"1.1": None})]) == {}


# --- through the database ------------------------------------------------------------------------


def test_levels_from_imported_profiles_and_certifications(world):
    pupil = world.pupil
    year = world.establishment.current_year.start_year
    import_profiles(world.establishment, [
        profile_row(pupil, {"1.1": 2, "2.1": 3, "3.4": 1}, shared_at=at(year, 10, 6)),
    ], name="Collecte d’automne")
    add_certification(pupil, {"1.1": 4, "2.1": None, "5.2": 0}, taken_on=date(year + 1, 3, 12))
    # a rejected certification and one not matched tell nothing
    add_certification(pupil, {"3.4": 6}, taken_on=date(year + 1, 4, 1),
                      status=CertificationResult.Status.REJECTED)
    pending = add_certification(pupil, {"4.1": 6}, taken_on=date(year + 1, 4, 2))
    CertificationResult.objects.filter(pk=pending.pk).update(
        match=CertificationResult.Match.PENDING)

    levels = pupil_current_levels(pupil)

    # a profiles collection gives all 16 competences (0 where nothing was done)
    assert {code: value.level for code, value in levels.items() if value.level} == {
        "1.1": 4, "2.1": 3, "3.4": 1}
    assert len(levels) == 16
    assert levels["5.2"].source is Source.CERTIFICATION  # a certified 0 is a known level
    assert levels["1.1"].source is Source.CERTIFICATION
    assert levels["2.1"].source is Source.PROFILES
    assert levels["2.1"].label == "Collecte d’automne"
    assert levels["2.1"].on == date(year, 10, 6)


def test_a_later_profiles_collection_beats_the_certification(world):
    pupil = world.pupil
    year = world.establishment.current_year.start_year
    add_certification(pupil, {"1.1": 4}, taken_on=date(year, 11, 2))
    import_profiles(world.establishment, [
        profile_row(pupil, {"1.1": 2}, shared_at=at(year + 1, 1, 15)),
    ])

    assert pupil_current_levels(pupil)["1.1"].level == 2


def test_unshared_profiles_and_assessments_give_no_level(world):
    pupil = world.pupil
    year = world.establishment.current_year.start_year
    import_profiles(world.establishment, [profile_row(pupil, None, shared_at=None)])
    import_assessment(world.establishment, [pupil], codes=("1.1", "2.1"),
                      started_at=at(year, 9, 20))

    assert pupil_current_levels(pupil) == {}
