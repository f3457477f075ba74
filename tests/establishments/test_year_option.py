"""The `--year` option is one option: same name, format, default and help in every export
command, and a start year read only from two following years."""

from __future__ import annotations

import pytest
from django.core.management import get_commands, load_command_class
from django.core.management.base import CommandError

from establishments.management.years import start_year_from_option

EXPORTS = sorted(name for name in get_commands() if name.startswith("export_"))


def test_every_export_command_is_known():
    assert EXPORTS == ["export_campaign_results", "export_certification_analysis",
                       "export_progression"]


@pytest.mark.parametrize("name", EXPORTS)
def test_every_export_command_takes_the_same_year_option(name):
    parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)

    [year] = [a for a in parser._actions if "--year" in a.option_strings]
    [uai] = [a for a in parser._actions if "--uai" in a.option_strings]
    [output] = [a for a in parser._actions if "--output" in a.option_strings]

    assert (year.metavar, year.default, year.required) == ("AAAA-AAAA", None, False)
    assert year.help == ("année scolaire, par exemple 2025-2026 (par défaut : l’année en cours "
                         "de l’établissement)")
    assert (uai.required, uai.help) == (True, "UAI de l’établissement, par exemple 0170123S")
    assert (output.required, output.metavar) == (True, "FICHIER")


@pytest.mark.parametrize(("value", "start"), [("2025-2026", 2025), (" 2020-2021 ", 2020)])
def test_two_following_years_give_the_first(value, start):
    assert start_year_from_option(value) == start


@pytest.mark.parametrize("value", ["2025", "2025-2025", "2025-2027", "2025–2026", "2025/26",
                                   "2025-26", "an 2025-2026", "２０２５-２０２６"])
def test_anything_else_is_refused(value):
    with pytest.raises(CommandError, match="écrivez-la comme 2025-2026"):
        start_year_from_option(value)
