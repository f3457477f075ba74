"""School grades (niveaux) of collège and lycée, read from a MEF code or guessed from a class name.

A pupil's grade decides which campaigns and which certification concern them (leaving classes
are certified). SIECLE gives a MEF code for every pupil; CSV lists from schools without SIECLE
may not, so the class name (`5A`, `301`, `TG1`) is the fallback.
"""

from __future__ import annotations

import re

from .i18n import _
from .referential import fold

GRADES: tuple[tuple[str, str], ...] = (
    ("6e", _("Sixième")),
    ("5e", _("Cinquième")),
    ("4e", _("Quatrième")),
    ("3e", _("Troisième")),
    ("2de", _("Seconde")),
    ("1re", _("Première")),
    ("Tle", _("Terminale")),
    ("CAP1", _("1re année de CAP")),
    ("CAP2", _("2e année de CAP")),
    ("2BP", _("Seconde professionnelle")),
    ("1BP", _("Première professionnelle")),
    ("TBP", _("Terminale professionnelle")),
)
GRADE_CODES: tuple[str, ...] = tuple(code for code, _ in GRADES)
GRADE_LABELS: dict[str, str] = dict(GRADES)

# Classes whose pupils leave the establishment, hence are certified (domain.md §2).
LEAVING_GRADES = frozenset({"3e", "Tle", "CAP2", "TBP"})

# Age reached during the school year starting in September of year Y: a 6e pupil is born in
# Y - 11. A pupil who repeated a year is one year older.
NOMINAL_AGE: dict[str, int] = {
    "6e": 11, "5e": 12, "4e": 13, "3e": 14, "2de": 15, "1re": 16, "Tle": 17,
    "CAP1": 15, "CAP2": 16, "2BP": 15, "1BP": 16, "TBP": 17,
}

# A well-formed MEF per grade (dispositif, speciality group, order number, duration, year and a
# last digit), for fake data and examples. Specialities are plausible, not checked against BCN.
TYPICAL_MEF: dict[str, str] = {
    "6e": "10010012110",
    "5e": "10110001110",
    "4e": "10210001110",
    "3e": "10310019110",
    "2de": "20010018110",
    "1re": "20110019110",
    "Tle": "20210019110",
    "CAP1": "24133202210",
    "CAP2": "24133202220",
    "2BP": "24731102310",
    "1BP": "24731102320",
    "TBP": "24731102330",
}


def grade_label(code: str) -> str:
    return GRADE_LABELS.get(code, code)


def nominal_birth_year(grade: str, school_year: int) -> int:
    """Birth year of a pupil of `grade` who never repeated, for the year starting `school_year`."""
    return school_year - NOMINAL_AGE[grade]


# --- MEF ----------------------------------------------------------------------------------
# The MEF (module élémentaire de formation, BCN table N_MEF) is 11 characters: dispositif de
# formation (3), speciality group (3), order number (2), duration of the dispositif in years (1),
# year within it (1), and one more digit. E.g. 5e `101 100 01 1 1 0`, 2nde pro `247 311 02 3 1 0`.
# Dispositif codes from BCN N_DISPOSITIF_FORMATION, as used by school software (e.g. SACoche).

_GRADE_BY_DISPOSITIF: dict[str, str] = {
    "100": "6e", "101": "5e", "102": "4e", "103": "3e",
    "104": "3e",  # 3e d'insertion
    "110": "3e",  # 3e préparatoire à la voie professionnelle / prépa-métiers
    "164": "6e", "165": "5e", "166": "4e", "167": "3e",  # SEGPA
    "200": "2de", "201": "1re", "202": "Tle",  # voie générale (2de GT, 1re and Tle G)
    "210": "2de", "211": "1re", "212": "Tle", "213": "1re", "214": "Tle",  # voie technologique
}
_CAP = {"240", "241", "242"}  # CAP in 1, 2 or 3 years
_BAC_PRO = {"245", "246", "247"}  # bac pro in 1, 2 or 3 years


def grade_from_mef(code: str) -> str | None:
    """The grade told by a MEF code; None when the code is unknown or malformed.

    For CAP and bac pro the grade depends on the year within the dispositif: the last year is
    the leaving class (CAP2, TBP) whatever the duration, so a one-year CAP counts as CAP2.
    """
    code = (code or "").strip()
    if len(code) < 10 or not code[:3].isdigit():
        return None
    dispositif = code[:3]
    if dispositif in _GRADE_BY_DISPOSITIF:
        return _GRADE_BY_DISPOSITIF[dispositif]
    if dispositif not in _CAP | _BAC_PRO:
        return None
    duration, year = code[8], code[9]
    if not (duration.isdigit() and year.isdigit()) or not 1 <= int(year) <= int(duration):
        return None
    remaining = int(duration) - int(year)  # 0 in the leaving year
    if dispositif in _CAP:
        return "CAP2" if remaining == 0 else "CAP1"
    return ("TBP", "1BP", "2BP")[min(remaining, 2)]


# --- class names --------------------------------------------------------------------------
# Tried in order on the folded, upper-cased name without spaces, dashes, dots or underscores.
_DIVISION_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), grade)
    for pattern, grade in (
        (r"^(1CAP|CAP1)", "CAP1"),
        (r"^(2CAP|CAP2)", "CAP2"),
        (r"^(2|2NDE?|2DE|SECONDE)(BP|PRO|BACPRO|NDPRO)", "2BP"),
        (r"^(1|1RE|1ERE|PREMIERE)(BP|PRO|BACPRO)", "1BP"),
        (r"^(T|TLE|TERM|TERMINALE)(BP|PRO|BACPRO)", "TBP"),
        (r"^(2NDE?|2DE|2GT|SECONDE)", "2de"),
        (r"^2([A-Z]|\d{1,2})?$", "2de"),
        (r"^(1RE|1ERE|PREMIERE)", "1re"),
        (r"^1(G|ST|S|ES|L)[A-Z0-9]*$", "1re"),
        (r"^(TLE|TERM|TERMINALE)", "Tle"),
        (r"^T(G|ST|S|ES|L)[A-Z0-9]*$", "Tle"),
        (r"^T\d{1,2}$", "Tle"),
    )
)
# Collège: a grade digit, maybe `E`/`EME`, then a letter or a short number (5A, 6E2, 301, 3PM).
_COLLEGE_PATTERN = re.compile(r"^([3-6])(E|EME)?([A-Z]|\d{1,2}$|$)")


def grade_from_division(name: str) -> str | None:
    """A guess from a class name (`5A`, `301`, `6e2`, `2nde 3`, `1G2`, `TG1`); None if unsure."""
    compact = re.sub(r"[\s\-_.]", "", fold(name or "")).upper()
    if not compact:
        return None
    for pattern, grade in _DIVISION_PATTERNS:
        if pattern.match(compact):
            return grade
    college = _COLLEGE_PATTERN.match(compact)
    return f"{college.group(1)}e" if college else None


def grade_of(mef_code: str | None, division: str | None) -> str | None:
    """The grade of a pupil: from the MEF code when it is known, else from the class name."""
    return grade_from_mef(mef_code or "") or grade_from_division(division or "")
