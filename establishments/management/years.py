"""What every command that names an establishment and a school year shares: `--uai`, and
`--year` in one format (2025-2026), the establishment's current year by default, with the same
French errors everywhere. A bad value stops the command before it writes anything."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.management.base import CommandError, CommandParser

from establishments.models import Establishment, SchoolClass, SchoolYear

YEAR_FORMAT = re.compile(r"([0-9]{4})-([0-9]{4})")  # ASCII digits only
EXAMPLE = "2025-2026"


def add_uai_argument(parser: CommandParser) -> None:
    parser.add_argument("--uai", required=True, help="UAI de l’établissement, par exemple 0170123S")


def establishment_from_option(uai: str) -> Establishment:
    establishment = (
        Establishment.objects.select_related("current_year")
        .filter(uai=uai.strip().upper()).first()
    )
    if establishment is None:
        raise CommandError(f"Aucun établissement n’a l’UAI {uai}.")
    return establishment


def add_year_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--year", metavar="AAAA-AAAA",
        help=f"année scolaire, par exemple {EXAMPLE} (par défaut : l’année en cours de "
             "l’établissement)",
    )


def start_year_from_option(value: str) -> int:
    """The start year of `value`, written as two following years joined by a hyphen."""
    match = YEAR_FORMAT.fullmatch(value.strip())
    if match is None or int(match.group(2)) != int(match.group(1)) + 1:
        raise CommandError(
            f"Année scolaire « {value} » : écrivez-la comme {EXAMPLE}, deux années qui se "
            "suivent."
        )
    return int(match.group(1))


def establishment_years(establishment: Establishment) -> list[SchoolYear]:
    """The years the establishment has classes in, and its current year, newest first."""
    ids = set(SchoolClass.objects.filter(establishment=establishment)
              .values_list("school_year_id", flat=True).distinct())
    ids.add(establishment.current_year_id)
    return list(SchoolYear.objects.filter(pk__in=ids).order_by("-start_year"))


def school_year_from_option(establishment: Establishment, value: str | None, *,
                            years: Iterable[SchoolYear] | None = None,
                            lacking: str = "aucune classe") -> SchoolYear:
    """The school year `--year` names among `years` (default: `establishment_years`), or the
    establishment's current year when the option is left out. A year outside `years` is an
    error that lists them; `lacking` says what the establishment has none of in that year."""
    known = establishment_years(establishment) if years is None else list(years)
    if value is None:
        start, asked = establishment.current_year.start_year, "l’année en cours"
    else:
        start, asked = start_year_from_option(value), "l’année"
    for year in known:
        if year.start_year == start:
            return year
    listed = ", ".join(str(y) for y in sorted(known, key=lambda y: -y.start_year))
    raise CommandError(
        f"{establishment.uai} n’a {lacking} pour {asked} {start}-{start + 1}"
        + (f". Années possibles avec --year : {listed}." if listed else ", ni pour une autre.")
    )
