"""The fake-population generator: deterministic, varied, consistent, readable by our readers."""

import random
from collections import Counter
from dataclasses import replace

import pytest

from pix.fakes import (
    BIRTH_PLACES,
    COLLEGE_DIVISIONS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    LAST_NAMES,
    fake_establishment_pupils,
    fake_ine,
    fake_pupils,
    with_homonyms,
)
from pix.grades import LEAVING_GRADES, NOMINAL_AGE, TYPICAL_MEF, grade_of
from pix.names import person_key
from pix.pupils import is_valid_ine, read_pupil_base, write_pupil_csv, write_siecle_xml

YEAR = 2025
LYCEE = (("2GT1", "2de", 30), ("1G1", "1re", 28), ("TG1", "Tle", 27), ("1CAP1", "CAP1", 12),
         ("2CAP1", "CAP2", 12), ("2BP1", "2BP", 24), ("1BP1", "1BP", 22), ("TBP1", "TBP", 20))


def school(seed: int = 7, **kwargs):
    return fake_establishment_pupils(school_year=YEAR, rng=random.Random(seed), **kwargs)


def without_lines(rows):
    return [replace(row, line=0) for row in rows]


def test_name_lists_are_large_varied_and_distinct():
    assert len(FIRST_NAMES_F) >= 80 and len(FIRST_NAMES_M) >= 80 and len(LAST_NAMES) >= 150
    for names in (FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES):
        assert len(set(names)) == len(names)
    assert not set(FIRST_NAMES_F) & set(FIRST_NAMES_M)
    assert {"Éloïse", "Marie-Lou", "Noé", "Maël", "Jean-Baptiste"} <= {
        *FIRST_NAMES_F, *FIRST_NAMES_M}
    assert {"D'Almeida", "Le Gall", "N'Diaye", "El Amrani"} <= set(LAST_NAMES)


@pytest.mark.parametrize("encoding", ["iso-8859-15", "cp1252", "mac_roman"])
def test_every_name_survives_the_encodings_of_pupil_files(encoding):
    for name in (*FIRST_NAMES_F, *FIRST_NAMES_M, *LAST_NAMES, *BIRTH_PLACES):
        assert name.upper().encode(encoding).decode(encoding) == name.upper()
        name.encode(encoding)


def test_same_seed_same_school_other_seed_other_school():
    assert school(1) == school(1)
    assert school(1) != school(2)


def test_default_school_is_a_college_with_four_classes_a_grade():
    rows = school()
    assert Counter(row.division for row in rows) == {d: n for d, _, n in COLLEGE_DIVISIONS}
    assert {grade_of(row.mef_code, row.division) for row in rows} == {"6e", "5e", "4e", "3e"}
    for row in rows:
        assert grade_of(row.mef_code, "") == grade_of("", row.division)


def test_ines_are_unique_across_calls_with_the_same_rng_and_well_formed():
    rng = random.Random(3)
    rows = [
        pupil
        for index in range(40)
        for pupil in fake_pupils(f"5{index}", "5e", 25, school_year=YEAR, rng=rng)
    ]
    assert len(rows) == 1000
    ines = [row.ine for row in rows]
    assert len(set(ines)) == 1000
    assert all(is_valid_ine(ine) for ine in ines)
    shapes = Counter(ine[-2].isalpha() for ine in ines)
    assert shapes[False] > 800 and shapes[True] > 30  # mostly 10 digits + 1 letter


def test_fake_ine_never_repeats_for_one_rng():
    rng = random.Random(0)
    assert len({fake_ine(rng) for _ in range(5000)}) == 5000


def test_no_accidental_homonyms_in_one_school():
    rows = school(homonyms=0)
    keys = Counter(person_key(row.last_name, row.first_name) for row in rows)
    assert max(keys.values()) == 1


@pytest.mark.parametrize(("division", "grade", "count"), [*COLLEGE_DIVISIONS[::4], *LYCEE])
def test_birth_years_match_the_grade(division, grade, count):
    rows = fake_pupils(division, grade, 200, school_year=YEAR, rng=random.Random(division))
    nominal = YEAR - NOMINAL_AGE[grade]
    years = Counter(row.birthdate.year for row in rows)
    assert set(years) <= {nominal - 1, nominal, nominal + 1}
    assert years[nominal] > 150  # most never repeated a year
    assert years[nominal - 1] > 0  # a few are a year older
    assert all(row.division == division and row.mef_code == TYPICAL_MEF[grade] for row in rows)


def test_lycee_and_vocational_grades_are_read_back_from_their_mef():
    rows = fake_establishment_pupils(LYCEE, school_year=YEAR, rng=random.Random(5))
    assert {grade_of(row.mef_code, "") for row in rows} == {g for _, g, _ in LYCEE}
    assert {"Tle", "CAP2", "TBP"} <= LEAVING_GRADES


def test_pupils_look_real():
    rows = school()
    sexes = Counter(row.sex for row in rows)
    assert set(sexes) == {"M", "F"} and abs(sexes["M"] - sexes["F"]) < len(rows) * 0.15
    for row in rows:
        pool = FIRST_NAMES_M if row.sex == "M" else FIRST_NAMES_F
        assert row.first_name in pool
        assert row.last_name == row.last_name.upper()  # SIECLE writes family names in capitals
        assert row.birth_place in BIRTH_PLACES
        assert row.leaving_date is None and row.line == 0
    assert any(row.other_first_names for row in rows)
    assert any(" " in row.other_first_names for row in rows)  # PRENOM2 and PRENOM3
    assert any(row.usage_name for row in rows)
    assert any(not row.first_name.isascii() for row in rows)
    assert any("-" in row.first_name for row in rows)
    assert any("'" in row.last_name or " " in row.last_name for row in rows)


def test_mef_code_can_be_given():
    rows = fake_pupils("3A", "3e", 3, school_year=YEAR, rng=random.Random(1),
                       mef_code="10310019110")
    assert {row.mef_code for row in rows} == {"10310019110"}


def test_unknown_grade_or_unguessable_class_is_refused():
    with pytest.raises(ValueError, match="grade"):
        fake_pupils("X", "7e", 1, school_year=YEAR, rng=random.Random(1))
    with pytest.raises(ValueError, match="ULIS"):
        fake_establishment_pupils({"ULIS": 5}, school_year=YEAR, rng=random.Random(1))


def test_a_mapping_of_classes_tells_grades_from_names():
    rows = fake_establishment_pupils({"5A": 3, "301": 2}, school_year=YEAR, rng=random.Random(1))
    assert [row.division for row in rows] == ["5A"] * 3 + ["301"] * 2
    assert {row.mef_code for row in rows} == {TYPICAL_MEF["5e"], TYPICAL_MEF["3e"]}


def test_homonyms_share_names_across_two_classes():
    rows = school(homonyms=3)
    by_key: dict[str, list] = {}
    for row in rows:
        by_key.setdefault(person_key(row.last_name, row.first_name), []).append(row)
    pairs = [group for group in by_key.values() if len(group) > 1]
    assert len(pairs) == 3
    for first, second in pairs:
        assert first.division != second.division
        assert first.ine != second.ine and first.sex == second.sex


def test_with_homonyms_needs_two_classes_and_keeps_the_input():
    rows = fake_pupils("5A", "5e", 4, school_year=YEAR, rng=random.Random(1))
    with pytest.raises(ValueError):
        with_homonyms(rows, random.Random(1))
    more = rows + fake_pupils("5B", "5e", 4, school_year=YEAR, rng=random.Random(2))
    copy = list(more)
    assert with_homonyms(more, random.Random(1)) != more
    assert more == copy


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "mac_roman"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_readers_read_back_what_writers_wrote_csv(encoding, delimiter):
    rows = school(homonyms=1)
    base = read_pupil_base(write_pupil_csv(rows, delimiter=delimiter, encoding=encoding))
    assert base.ok, [str(e) for e in base.errors[:3]]
    assert without_lines(base.rows) == rows


def test_readers_read_back_what_writers_wrote_siecle():
    rows = fake_establishment_pupils(
        [*COLLEGE_DIVISIONS, *LYCEE], school_year=YEAR, rng=random.Random(11), homonyms=2
    )
    base = read_pupil_base(write_siecle_xml(rows, uai="0170099X", school_year=YEAR),
                           expected_uai="0170099X")
    assert base.ok, [str(e) for e in base.errors[:3]]
    assert (base.uai, base.school_year) == ("0170099X", YEAR)
    assert without_lines(base.rows) == rows
