"""The pupil base import: the service, the browser flow through its job, and bad files.

Files are generated in the real formats by `pix.fakes` and `pix.pupils` writers.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import replace
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from establishments.imports import pupil_base_import
from establishments.models import Enrolment, Membership, Pupil, SchoolClass, SchoolYear
from jobs.models import Job
from pix.fakes import fake_establishment_pupils
from pix.pupils import CSV_HEADERS, write_pupil_csv, write_siecle_xml
from tests.conftest import make_establishment, make_user

UAI = "0170001A"
DIVISIONS = (("6A", "6e", 4), ("6B", "6e", 4), ("3A", "3e", 4))


@pytest.fixture
def college(db):
    """An establishment with nothing imported yet, and its RUPN."""
    establishment = make_establishment(UAI, "Collège Neuf")
    rupn = make_user("rupn@neuf.fr")
    Membership.objects.create(user=rupn, establishment=establishment, role=Membership.Role.RUPN)
    establishment.rupn = rupn
    return establishment


def fake_rows(establishment, divisions=DIVISIONS, seed=7):
    return fake_establishment_pupils(
        list(divisions), school_year=establishment.current_year.start_year,
        rng=random.Random(seed),
    )


def siecle(establishment, rows, *, uai=None) -> bytes:
    return write_siecle_xml(
        rows, uai=uai or establishment.uai, school_year=establishment.current_year.start_year
    )


def run_import(establishment, data: bytes, filename="ElevesSansAdresses.xml"):
    report = pupil_base_import(establishment=establishment, data=data, filename=filename)
    assert report.ok, [str(e) for e in report.errors]
    return report.counts


def enrolment_of(establishment, ine) -> Enrolment:
    return Enrolment.objects.select_related("school_class").get(
        pupil__establishment=establishment, pupil__ine=ine,
        school_year=establishment.current_year,
    )


def table_sizes() -> tuple[int, int, int]:
    return Pupil.objects.count(), Enrolment.objects.count(), SchoolClass.objects.count()


# --- the service --------------------------------------------------------------------------


def test_first_import_creates_classes_pupils_and_enrolments(college):
    rows = fake_rows(college)

    counts = run_import(college, siecle(college, rows))

    assert counts["created"] == 12
    assert (counts["updated"], counts["moved"], counts["left"]) == (0, 0, 0)
    assert counts["classes"] == 3
    classes = SchoolClass.objects.filter(establishment=college)
    assert {(c.code, c.grade, c.school_year) for c in classes} == {
        ("6A", "6e", college.current_year), ("6B", "6e", college.current_year),
        ("3A", "3e", college.current_year),
    }
    for row in rows:
        pupil = Pupil.objects.get(establishment=college, ine=row.ine)
        assert (pupil.last_name, pupil.first_name, pupil.birthdate, pupil.sex) == (
            row.last_name, row.first_name, row.birthdate, row.sex
        )
        assert enrolment_of(college, row.ine).school_class.code == row.division


def test_importing_the_same_file_twice_changes_nothing(college):
    data = siecle(college, fake_rows(college))
    run_import(college, data)
    stamps = dict(Pupil.objects.values_list("pk", "updated_at"))
    enrolments = list(Enrolment.objects.order_by("pk").values())
    classes = list(SchoolClass.objects.order_by("pk").values())

    counts = run_import(college, data)

    assert (counts["created"], counts["updated"], counts["moved"], counts["left"]) == (0, 0, 0, 0)
    assert counts["returned"] == 0
    assert counts["unchanged"] == 12
    assert dict(Pupil.objects.values_list("pk", "updated_at")) == stamps
    assert list(Enrolment.objects.order_by("pk").values()) == enrolments
    assert list(SchoolClass.objects.order_by("pk").values()) == classes


def test_a_changed_identity_updates_only_that_pupil(college):
    rows = fake_rows(college)
    run_import(college, siecle(college, rows))
    stamps = dict(Pupil.objects.values_list("ine", "updated_at"))
    rows[0] = replace(rows[0], usage_name="DUPONT-MOREAU", first_name="Éloïse")

    counts = run_import(college, siecle(college, rows))

    assert (counts["created"], counts["updated"]) == (0, 1)
    pupil = Pupil.objects.get(establishment=college, ine=rows[0].ine)
    assert (pupil.usage_name, pupil.first_name) == ("DUPONT-MOREAU", "Éloïse")
    assert (pupil.last_name_key, pupil.first_name_key) == ("dupont moreau", "eloise")
    assert pupil.updated_at > stamps[rows[0].ine]
    unchanged = {ine: stamp for ine, stamp in stamps.items() if ine != rows[0].ine}
    assert dict(Pupil.objects.exclude(ine=rows[0].ine).values_list("ine", "updated_at")) == (
        unchanged
    )


def test_a_pupil_absent_from_a_new_import_is_marked_left_never_deleted(college):
    rows = fake_rows(college)
    run_import(college, siecle(college, rows))

    counts = run_import(college, siecle(college, rows[1:]))

    assert counts["left"] == 1
    assert Pupil.objects.filter(establishment=college, ine=rows[0].ine).exists()
    assert enrolment_of(college, rows[0].ine).left_on == timezone.localdate()
    assert Enrolment.objects.filter(left_on__isnull=False).count() == 1


def test_a_left_pupil_stays_left_on_the_next_import(college):
    rows = fake_rows(college)
    run_import(college, siecle(college, rows))
    run_import(college, siecle(college, rows[1:]))
    Enrolment.objects.filter(pupil__ine=rows[0].ine).update(left_on=date(2000, 1, 1))

    counts = run_import(college, siecle(college, rows[1:]))

    assert counts["left"] == 0
    assert enrolment_of(college, rows[0].ine).left_on == date(2000, 1, 1)


def test_a_class_change_is_recorded(college):
    rows = fake_rows(college)
    run_import(college, siecle(college, rows))
    assert rows[0].division == "6A"
    rows[0] = replace(rows[0], division="6B")

    counts = run_import(college, siecle(college, rows))

    assert (counts["moved"], counts["returned"], counts["left"]) == (1, 0, 0)
    assert enrolment_of(college, rows[0].ine).school_class.code == "6B"
    assert Enrolment.objects.filter(pupil__ine=rows[0].ine).count() == 1


def test_a_returning_pupil_is_unmarked_and_not_counted_as_a_class_change(college):
    rows = fake_rows(college)
    run_import(college, siecle(college, rows))
    run_import(college, siecle(college, rows[1:]))

    counts = run_import(college, siecle(college, rows))

    assert (counts["returned"], counts["moved"], counts["left"]) == (1, 0, 0)
    assert enrolment_of(college, rows[0].ine).left_on is None


def test_a_pupil_returning_into_another_class_is_both_returned_and_moved(college):
    rows = fake_rows(college)
    run_import(college, siecle(college, rows))
    run_import(college, siecle(college, rows[1:]))
    rows[0] = replace(rows[0], division="6B")

    counts = run_import(college, siecle(college, rows))

    assert (counts["returned"], counts["moved"]) == (1, 1)
    enrolment = enrolment_of(college, rows[0].ine)
    assert (enrolment.school_class.code, enrolment.left_on) == ("6B", None)


def test_pupils_who_left_or_have_no_ine_are_skipped_and_counted(college):
    rows = fake_rows(college)
    rows[0] = replace(rows[0], leaving_date=date(2025, 10, 3))
    rows[1] = replace(rows[1], leaving_date=date(2025, 11, 4))
    rows[2] = replace(rows[2], ine="")

    counts = run_import(college, siecle(college, rows))

    assert (counts["skipped_left"], counts["skipped_no_ine"]) == (2, 1)
    assert counts["created"] == 9
    assert not Pupil.objects.filter(ine__in=[rows[0].ine, rows[1].ine]).exists()


def test_a_zipped_siecle_export_is_imported(college):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ElevesSansAdresses.xml", siecle(college, fake_rows(college)))

    counts = run_import(college, buffer.getvalue(), filename="ElevesSansAdresses.zip")

    assert counts["created"] == 12


def test_siecle_import_goes_into_the_files_school_year(college):
    year = college.current_year.start_year + 1
    rows = fake_establishment_pupils(list(DIVISIONS), school_year=year, rng=random.Random(3))

    run_import(college, write_siecle_xml(rows, uai=UAI, school_year=year))

    assert set(SchoolClass.objects.values_list("school_year__start_year", flat=True)) == {year}


def test_an_import_touches_no_other_establishment(college, world):
    before = list(Enrolment.objects.filter(pupil__establishment=world.establishment)
                  .order_by("pk").values())
    rows = fake_rows(college)
    run_import(college, siecle(college, rows))

    run_import(college, siecle(college, rows[:2]))

    assert list(Enrolment.objects.filter(pupil__establishment=world.establishment)
                .order_by("pk").values()) == before


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "mac_roman"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_pupil_list_is_imported_into_the_current_year(college, encoding, delimiter):
    rows = fake_rows(college)
    # Names whose accents tell Windows-1252 from MacRoman.
    rows[0] = replace(rows[0], last_name="NOËL", first_name="Éloïse")
    rows[1] = replace(rows[1], last_name="LEFÈVRE", first_name="Maëlys")
    data = write_pupil_csv(rows, delimiter=delimiter, encoding=encoding)

    counts = run_import(college, data, filename="eleves.csv")

    assert counts["created"] == 12
    assert "school_year" not in counts or counts["school_year"] == college.current_year.start_year
    for row in rows:
        pupil = Pupil.objects.get(establishment=college, ine=row.ine)
        assert (pupil.last_name, pupil.first_name, pupil.birthdate) == (
            row.last_name, row.first_name, row.birthdate
        )
        enrolment = enrolment_of(college, row.ine)
        assert enrolment.school_class.code == row.division
        assert enrolment.school_class.school_year == college.current_year


def test_csv_without_ine_rows_skips_and_counts_them(college):
    rows = fake_rows(college)
    rows[3] = replace(rows[3], ine="")

    counts = run_import(college, write_pupil_csv(rows), filename="eleves.csv")

    assert (counts["created"], counts["skipped_no_ine"]) == (11, 1)


# --- the browser flow: upload → job → report ---------------------------------------------


def upload(client, data: bytes, name: str, capture):
    with capture(execute=True):
        return client.post(reverse("pupils:import"), {"file": SimpleUploadedFile(name, data)})


def test_rupn_uploads_a_siecle_file_and_follows_the_job(
    client, college, django_capture_on_commit_callbacks
):
    # Given the RUPN on the import page with a SIECLE export
    client.force_login(college.rupn)
    data = siecle(college, fake_rows(college))

    # When they upload it
    response = upload(client, data, "ElevesSansAdresses.xml", django_capture_on_commit_callbacks)

    # Then they land on the job's page, and the job has imported the pupils
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert (job.establishment, job.created_by, job.kind) == (
        college, college.rupn, Job.Kind.PUPIL_IMPORT
    )
    assert job.filename == "ElevesSansAdresses.xml"
    assert job.status == Job.Status.SUCCEEDED
    assert job.counts["created"] == 12
    assert job.counts["classes"] == 3
    assert job.counts["school_year"] == college.current_year.start_year
    assert job.errors == []
    assert bytes(job.payload) and job.has_file  # kept until its retention ends (jobs.sweep)
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Terminé : tout a été enregistré." in page.content.decode()
    assert page.context["errors"] == []
    assert Pupil.objects.filter(establishment=college).count() == 12
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert (status["status"], status["percent"], status["finished"]) == ("succeeded", 100, True)


def test_import_page_lists_previous_imports(client, college, django_capture_on_commit_callbacks):
    client.force_login(college.rupn)
    upload(client, siecle(college, fake_rows(college)), "a.xml", django_capture_on_commit_callbacks)

    response = client.get(reverse("pupils:import"))

    assert [job.filename for job in response.context["jobs"]] == ["a.xml"]


def test_the_job_is_enqueued_only_once_the_transaction_commits(
    client, college, django_capture_on_commit_callbacks
):
    client.force_login(college.rupn)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("pupils:import"), {
            "file": SimpleUploadedFile("e.xml", siecle(college, fake_rows(college)))
        })

    assert len(callbacks) == 1
    assert Job.objects.get().status == Job.Status.PENDING
    assert not Pupil.objects.filter(establishment=college).exists()


def _zip_without_xml() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lisez-moi.txt", "rien ici")
    return buffer.getvalue()


def _csv(rows, *, headers=CSV_HEADERS, edit=None) -> bytes:
    """A CSV pupil list, `edit` (line → {header: value}) overriding some cells."""
    lines = [";".join(headers)]
    for number, row in enumerate(rows, start=2):
        cells = {
            "Identifiant unique*": row.ine, "Premier prénom*": row.first_name,
            "Nom de famille*": row.last_name, "Code sexe*": row.sex,
            "Date de naissance (jj/mm/aaaa)*": row.birthdate.strftime("%d/%m/%Y"),
            "Code MEF*": row.mef_code, "Division*": row.division,
        }
        cells.update((edit or {}).get(number, {}))
        lines.append(";".join(cells.get(h, "") for h in headers))
    return ("\n".join(lines) + "\n").encode()


def bad_files(establishment):
    """(file name, bytes, expected line or None, expected French message fragment)."""
    rows = fake_rows(establishment)
    first = rows[0]
    utf8_declared = siecle(establishment, [replace(first, first_name="Éloïse"), *rows[1:]])
    utf8_declared = utf8_declared.replace(b'encoding="ISO-8859-15"', b'encoding="UTF-8"')
    prenom_line = utf8_declared[: utf8_declared.index(b"\xc9")].count(b"\n") + 1
    return {
        "wrong UAI": (
            "ElevesSansAdresses.xml", siecle(establishment, rows, uai="0330001B"), 4,
            "Ce fichier est celui de l’établissement 0330001B, pas de 0170001A.",
        ),
        "missing column": (
            "eleves.csv", _csv(rows, headers=[h for h in CSV_HEADERS if h != "Division*"]), 1,
            "colonne obligatoire absente",
        ),
        "bad date": (
            "eleves.csv", _csv(rows, edit={3: {"Date de naissance (jj/mm/aaaa)*": "31/02/2012"}}),
            3, "date invalide « 31/02/2012 » (jj/mm/aaaa attendu)",
        ),
        "duplicate INE": (
            "eleves.csv", _csv(rows, edit={5: {"Identifiant unique*": first.ine}}), 5,
            f"INE {first.ine} déjà présent ligne 2",
        ),
        "wrong encoding (XML)": (
            "ElevesSansAdresses.xml", utf8_declared, prenom_line,
            "le fichier XML est mal formé : caractère invalide (encodage incorrect ?)",
        ),
        "wrong encoding (UTF-16 CSV)": (
            "eleves.csv", write_pupil_csv(rows).decode().encode("utf-16"), None,
            "Le fichier est en UTF-16 : enregistrez-le en CSV UTF-8.",
        ),
        "blank file": ("eleves.csv", b" \r\n\r\n", None, "Le fichier est vide."),
        "PDF": (
            "ElevesSansAdresses.xml", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", None,
            "Ce fichier (PDF) n’est ni un export SIECLE (XML ou zip) ni une liste d’élèves CSV.",
        ),
        "zip without XML": (
            "ElevesSansAdresses.zip", _zip_without_xml(), None,
            "L’archive zip ne contient aucun fichier XML (export SIECLE).",
        ),
    }


BAD_FILES = ["wrong UAI", "missing column", "bad date", "duplicate INE", "wrong encoding (XML)",
             "wrong encoding (UTF-16 CSV)", "blank file", "PDF", "zip without XML"]


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_writes_nothing_and_the_job_page_shows_its_errors(
    client, college, django_capture_on_commit_callbacks, case
):
    # Given an establishment with its pupils already imported
    run_import(college, siecle(college, fake_rows(college, seed=99)))
    sizes, years = table_sizes(), SchoolYear.objects.count()
    name, data, line, message = bad_files(college)[case]
    client.force_login(college.rupn)

    # When the RUPN uploads a bad file
    response = upload(client, data, name, django_capture_on_commit_callbacks)

    # Then nothing is written, and the job page lists the French error with its line
    assert table_sizes() == sizes
    assert SchoolYear.objects.count() == years
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.counts == {}
    page = client.get(response.url)
    assert page.status_code == 200
    assert (line, message) in [(e["line"], e["text"]) for e in page.context["errors"]]
    html = page.content.decode()
    assert "Le fichier n’a pas été importé : rien n’a été enregistré." in html
    assert f"<td>{line if line is not None else '—'}</td>" in html
    assert message.replace("'", "&#x27;") in html
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert (status["status"], status["finished"]) == ("failed", True)


def test_every_error_of_a_file_is_listed_with_its_line(client, college,
                                                      django_capture_on_commit_callbacks):
    rows = fake_rows(college)
    data = _csv(rows, edit={
        2: {"Code sexe*": "X"},
        4: {"Date de naissance (jj/mm/aaaa)*": "2012-13-45"},
        6: {"Nom de famille*": ""},
    })
    client.force_login(college.rupn)

    response = upload(client, data, "eleves.csv", django_capture_on_commit_callbacks)

    errors = client.get(response.url).context["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [
        (2, "Code sexe*"), (4, "Date de naissance (jj/mm/aaaa)*"), (6, "Nom de famille*"),
    ]
    assert not Pupil.objects.filter(establishment=college).exists()


def test_an_empty_upload_is_refused_by_the_form(client, college,
                                                django_capture_on_commit_callbacks):
    client.force_login(college.rupn)

    response = upload(client, b"", "vide.csv", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Job.objects.exists()


def test_a_too_large_upload_is_refused_by_the_form(client, college, settings,
                                                   django_capture_on_commit_callbacks):
    settings.MAX_IMPORT_FILE_SIZE = 1024
    client.force_login(college.rupn)

    response = upload(client, siecle(college, fake_rows(college)), "e.xml",
                      django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "Le fichier dépasse" in response.context["form"].errors["file"][0]
    assert not Job.objects.exists()
