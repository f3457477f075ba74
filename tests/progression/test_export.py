"""`manage.py export_progression`: one row per pupil of the current year, checked against a
hand computation."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from establishments.models import Enrolment
from progression.rules import TEMPLATES
from tests.progression.helpers import at, import_profiles, make_objective, profile_row, pupils_of


def test_export_against_a_hand_computation(world, tmp_path):
    est = world.establishment
    year = est.current_year.start_year
    make_objective(est, "5e", TEMPLATES["5e"].rules)
    a = pupils_of(est, "5A")
    import_profiles(est, [
        profile_row(a[0], {"1.1": 1, "2.1": 1, "3.1": 1, "4.1": 1, "5.1": 1},
                    shared_at=at(year, 10, 5)),
        profile_row(a[1], {"1.1": 1, "1.2": 1, "2.1": 1, "3.1": 1, "4.1": 1},
                    shared_at=at(year, 10, 5)),
    ])
    # a pupil whose name would run as a formula in a spreadsheet
    a[2].first_name = "=HYPERLINK()"
    a[2].save(update_fields=["first_name"])
    left = pupils_of(est, "5B")[0]
    Enrolment.objects.filter(pupil=left).update(left_on="2000-01-01")
    output = tmp_path / "progression.csv"

    call_command("export_progression", uai=est.uai, output=str(output))

    raw = output.read_bytes()
    assert raw.startswith("\ufeff".encode())
    assert b"\r\n" not in raw
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["INE", "Nom", "Prénom", "Classe", "Niveau", "Objectif atteint (O/N)",
                        "Compétences manquantes"]
    body = {row[0]: row for row in lines[1:]}
    assert len(body) == 17  # 18 pupils, one left
    assert left.ine not in body
    assert body[a[0].ine] == [a[0].ine, a[0].display_last_name, a[0].first_name, "5A", "5e",
                              "O", ""]
    assert body[a[1].ine][5:] == [
        "N", "aucune compétence du domaine 5 « Environnement numérique » au niveau 1"]
    assert body[a[2].ine][2] == "'=HYPERLINK()"
    assert body[a[2].ine][5:] == ["N", " ; ".join([
        "niveau 1 dans 5 compétences de plus",
        *[f"aucune compétence du domaine {d} « {n} » au niveau 1" for d, n in (
            ("1", "Information et données"), ("2", "Communication et collaboration"),
            ("3", "Création de contenu"), ("4", "Protection et sécurité"),
            ("5", "Environnement numérique"))],
    ])]
    # 3e has no objective: neither O nor N
    third = pupils_of(est, "3A")[0]
    assert body[third.ine][3:] == ["3A", "3e", "", ""]
    # classes in school order (6e to 3e): the 5e classes before 3A
    classes = [row[3] for row in lines[1:]]
    assert classes == sorted(classes, key=lambda c: ("5" not in c, c))


def test_unknown_uai(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_progression", uai="0000000A", output=str(tmp_path / "x.csv"))
