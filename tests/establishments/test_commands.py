"""Management commands: create_establishment, import_pupils and seed_demo."""

from __future__ import annotations

import random
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.urls import reverse

from demo.builder import DEMO_PASSWORD, DEMO_UAI
from establishments.models import Enrolment, Establishment, Membership, Pupil, SchoolClass
from pix.fakes import fake_establishment_pupils
from pix.pupils import write_pupil_csv, write_siecle_xml
from tests.conftest import make_establishment

User = get_user_model()


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- create_establishment ----------------------------------------------------------------


def test_create_establishment(db):
    out, _err = run("create_establishment", "--uai", "0170099x", "--name", " Lycée de la Mer ",
                    "--kind", "lycee", "--city", "Royan")

    establishment = Establishment.objects.get()
    assert (establishment.uai, establishment.name, establishment.kind, establishment.city) == (
        "0170099X", "Lycée de la Mer", "lycee", "Royan"
    )
    assert establishment.current_year is not None
    assert "Établissement créé : Lycée de la Mer (0170099X)" in out


def test_create_establishment_refuses_a_duplicate_uai(db):
    make_establishment("0170099X", "Premier")

    with pytest.raises(CommandError, match="L’établissement 0170099x existe déjà."):
        run("create_establishment", "--uai", "0170099x", "--name", "Second", "--kind", "college")

    assert Establishment.objects.count() == 1


@pytest.mark.parametrize("uai", ["017009X", "01700999X", "ABCDEFGH", "0170099"])
def test_create_establishment_refuses_a_bad_uai(db, uai):
    with pytest.raises(CommandError, match="Un UAI s’écrit avec 7 chiffres et une lettre"):
        run("create_establishment", "--uai", uai, "--name", "X", "--kind", "college")

    assert not Establishment.objects.exists()


# --- import_pupils -----------------------------------------------------------------------


@pytest.fixture
def establishment(db):
    return make_establishment("0170001A", "Collège Neuf")


def rows_for(establishment, count=4):
    year = establishment.current_year.start_year
    return fake_establishment_pupils([("5A", "5e", count), ("5B", "5e", count)],
                                     school_year=year, rng=random.Random(5))


def test_import_pupils(establishment, tmp_path):
    year = establishment.current_year.start_year
    path = tmp_path / "ElevesSansAdresses.xml"
    path.write_bytes(write_siecle_xml(rows_for(establishment), uai="0170001A", school_year=year))

    out, _err = run("import_pupils", "--uai", "0170001a", str(path))

    assert f"Année {year}-{year + 1} : 8 élèves dans le fichier, 8 ajoutés, 0 mis à jour" in out
    assert "2 classes" in out
    assert Pupil.objects.filter(establishment=establishment).count() == 8


def test_import_pupils_twice_reports_no_change(establishment, tmp_path):
    path = tmp_path / "eleves.csv"
    path.write_bytes(write_pupil_csv(rows_for(establishment), encoding="cp1252"))
    run("import_pupils", "--uai", "0170001A", str(path))

    out, _err = run("import_pupils", "--uai", "0170001A", str(path))

    assert ("8 élèves dans le fichier, 0 ajoutés, 0 mis à jour, 0 changements de classe, "
            "0 revenus, 0 marqués comme partis") in out


def test_import_pupils_with_a_bad_file_lists_each_error_and_writes_nothing(establishment,
                                                                          tmp_path):
    # Given a CSV with two bad rows
    rows = rows_for(establishment)
    text = write_pupil_csv(rows).decode()
    lines = text.splitlines()
    lines[2] = lines[2].replace(rows[1].birthdate.strftime("%d/%m/%Y"), "32/13/2012")
    lines[4] = lines[4].replace(rows[3].ine, rows[0].ine)
    path = tmp_path / "eleves.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # When it is imported
    with pytest.raises(CommandError) as raised:
        out, err = StringIO(), StringIO()
        call_command("import_pupils", "--uai", "0170001A", str(path), stdout=out, stderr=err)

    # Then the command fails with exit status 1, each error on its line, and nothing is saved
    assert raised.value.returncode == 1
    assert "2 erreur(s) : le fichier n’a pas été importé, rien n’a été enregistré." in str(
        raised.value
    )
    assert err.getvalue().splitlines() == [
        "Ligne 3, colonne « Date de naissance (jj/mm/aaaa)* » : date invalide « 32/13/2012 » "
        "(jj/mm/aaaa attendu)",
        f"Ligne 5, colonne « Identifiant unique* » : INE {rows[0].ine} déjà présent ligne 2",
    ]
    assert (Pupil.objects.count(), Enrolment.objects.count(), SchoolClass.objects.count()) == (
        0, 0, 0
    )


def test_import_pupils_of_another_establishment_is_refused(establishment, tmp_path):
    year = establishment.current_year.start_year
    path = tmp_path / "e.xml"
    path.write_bytes(write_siecle_xml(rows_for(establishment), uai="0330001B", school_year=year))

    with pytest.raises(CommandError):
        run("import_pupils", "--uai", "0170001A", str(path))

    assert not Pupil.objects.exists()


def test_import_pupils_for_an_unknown_uai(establishment, tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(write_pupil_csv(rows_for(establishment)))

    with pytest.raises(CommandError, match="Aucun établissement n’a l’UAI 0999999Z."):
        run("import_pupils", "--uai", "0999999Z", str(path))


def test_import_pupils_with_a_missing_file(establishment, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire"):
        run("import_pupils", "--uai", "0170001A", str(tmp_path / "absent.xml"))


# --- seed_demo ---------------------------------------------------------------------------


@pytest.fixture
def demo_output(db) -> str:
    out, _err = run("seed_demo")
    return out


def test_seed_demo_builds_the_college(demo_output):
    establishment = Establishment.objects.get(uai=DEMO_UAI)
    year = establishment.current_year
    classes = SchoolClass.objects.filter(establishment=establishment, school_year=year)
    assert classes.count() == 16
    assert dict(classes.values_list("grade").annotate(n=Count("pk"))) == {
        "6e": 4, "5e": 4, "4e": 4, "3e": 4,
    }
    sizes = classes.annotate(n=Count("enrolments")).values_list("n", flat=True)
    assert all(22 <= n <= 28 for n in sizes), sorted(sizes)
    roles = dict(Membership.objects.filter(establishment=establishment)
                 .values_list("role").annotate(n=Count("pk")))
    assert (roles["rupn"], roles["direction"], roles["teacher"]) == (2, 2, 30)
    teachers = Membership.objects.filter(establishment=establishment, role="teacher")
    assert all(t.taught_classes.count() >= 4 for t in teachers)
    assert classes.filter(teachers__isnull=True).count() == 0
    assert "Collège Victor Hugo (démo) est prêt." in demo_output


def test_seed_demo_prints_logins_that_work(client, demo_output):
    # The printed lines: role, login, password
    logins = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\s+\S.*?\s+(\S+@\S+|eleve\.demo)\s+(\S+)$", demo_output, re.M)
    }
    assert "rupn@demo.pixorga.fr" in logins
    assert "eleve.demo" in logins

    response = client.post(reverse("account_login"),
                           {"login": "rupn@demo.pixorga.fr",
                            "password": logins["rupn@demo.pixorga.fr"]})

    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["membership"].role == Membership.Role.RUPN
    assert home.context["membership"].establishment.uai == DEMO_UAI
    assert logins["rupn@demo.pixorga.fr"] == DEMO_PASSWORD


def test_seed_demo_twice_keeps_one_establishment(demo_output):
    counts = (Establishment.objects.count(), User.objects.count(), Pupil.objects.count())

    out, _err = run("seed_demo")

    assert "existe déjà" in out
    assert "rupn@demo.pixorga.fr" in out
    assert (Establishment.objects.count(), User.objects.count(), Pupil.objects.count()) == counts
