"""Grades: the table, MEF codes and class names."""

import pytest

from pix.grades import (
    GRADE_CODES,
    GRADE_LABELS,
    GRADES,
    LEAVING_GRADES,
    NOMINAL_AGE,
    TYPICAL_MEF,
    grade_from_division,
    grade_from_mef,
    grade_label,
    grade_of,
    nominal_birth_year,
)


def test_grades_are_ordered_from_sixieme_to_terminale_then_vocational():
    assert GRADE_CODES == (
        "6e", "5e", "4e", "3e", "2de", "1re", "Tle", "CAP1", "CAP2", "2BP", "1BP", "TBP",
    )
    assert GRADE_LABELS["6e"] == "Sixième"
    assert GRADE_LABELS["Tle"] == "Terminale"
    assert GRADE_LABELS["TBP"] == "Terminale professionnelle"
    assert grade_label("CAP1") == "1re année de CAP"
    assert grade_label("inconnu") == "inconnu"
    assert len(dict(GRADES)) == len(GRADES)


def test_leaving_grades_are_the_certified_ones():
    assert {"3e", "Tle", "CAP2", "TBP"} == LEAVING_GRADES
    assert set(GRADE_CODES) >= LEAVING_GRADES


def test_every_grade_has_an_age_and_a_typical_mef_that_reads_back():
    assert set(NOMINAL_AGE) == set(GRADE_CODES) == set(TYPICAL_MEF)
    for grade, mef in TYPICAL_MEF.items():
        assert len(mef) == 11
        assert grade_from_mef(mef) == grade


def test_nominal_birth_year():
    assert nominal_birth_year("6e", 2025) == 2014
    assert nominal_birth_year("5e", 2025) == 2013  # the samples' 5e pupils
    assert nominal_birth_year("3e", 2025) == 2011
    assert nominal_birth_year("Tle", 2025) == 2008


@pytest.mark.parametrize(
    ("mef", "grade"),
    [
        ("10010012110", "6e"),
        ("10110001110", "5e"),  # the samples' MEF
        ("10210001110", "4e"),
        ("10310019110", "3e"),
        ("16710099110", "3e"),  # 3e SEGPA
        ("11010099220", "3e"),  # 3e préparatoire à la voie professionnelle
        ("20010018110", "2de"),
        ("20111000110", "1re"),
        ("20212000110", "Tle"),
        ("21131102110", "1re"),  # 1re technologique
        ("21231102110", "Tle"),
        ("2402242711", "CAP2"),  # CAP in one year (10-character MEF): its only year is the last
        ("24133202210", "CAP1"),
        ("24133202220", "CAP2"),
        ("24233202310", "CAP1"),  # CAP in three years
        ("24233202330", "CAP2"),
        ("24731102310", "2BP"),
        ("24731102320", "1BP"),
        ("24731102330", "TBP"),
        ("24631102210", "1BP"),  # bac pro in two years
        ("24631102220", "TBP"),
        (" 10110001110 ", "5e"),
    ],
)
def test_grade_from_mef(mef, grade):
    assert grade_from_mef(mef) == grade


@pytest.mark.parametrize(
    "mef",
    ["", "101", "ABC10001110", "99910001110", "31131102210",  # BTS: not a school grade
     "24731102340", "247311023X0", "24731102300"],
)
def test_unknown_or_malformed_mef_gives_none(mef):
    assert grade_from_mef(mef) is None


@pytest.mark.parametrize(
    ("name", "grade"),
    [
        ("5A", "5e"), ("5B", "5e"), ("3A", "3e"), ("301", "3e"), ("6e2", "6e"), ("6ème B", "6e"),
        ("6ᵉ 1", "6e"), ("4-C", "4e"), ("3PM", "3e"), ("3 SEGPA", "3e"), ("5", "5e"),
        ("2nde 3", "2de"), ("2GT1", "2de"), ("2de4", "2de"), ("Seconde 1", "2de"), ("201", "2de"),
        ("1G2", "1re"), ("1ère 3", "1re"), ("1STMG", "1re"), ("1 STI2D", "1re"),
        ("TG1", "Tle"), ("Tle 2", "Tle"), ("Term 3", "Tle"), ("TSTMG", "Tle"), ("T1", "Tle"),
        ("1CAP2", "CAP1"), ("CAP 2", "CAP2"), ("2CAP", "CAP2"),
        ("2BP1", "2BP"), ("2PRO MRC", "2BP"), ("2NDPRO", "2BP"), ("1BP", "1BP"),
        ("1PRO A", "1BP"), ("TBP", "TBP"), ("TLEPRO", "TBP"), ("Term Pro", "TBP"),
    ],
)
def test_grade_from_division(name, grade):
    assert grade_from_division(name) == grade


@pytest.mark.parametrize("name", ["", "   ", "Inactifs", "LATIN", "ULIS", "3000", "A1", "7A"])
def test_unknown_class_names_give_none(name):
    assert grade_from_division(name) is None


def test_grade_of_trusts_the_mef_before_the_class_name():
    assert grade_of("10310019110", "5A") == "3e"
    assert grade_of("", "5A") == "5e"
    assert grade_of(None, "TG1") == "Tle"
    assert grade_of("99999999999", "301") == "3e"
    assert grade_of(None, None) is None
