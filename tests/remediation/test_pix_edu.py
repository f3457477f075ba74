"""Teachers' Pix+ Édu steps: the CSV reader on good and bad files, the all-or-nothing import,
the form, and the establishment's indicators."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from establishments.models import Membership
from jobs.models import Job
from remediation import services
from remediation.models import PixEduRecord
from remediation.pixedu import Step, read_pix_edu_csv
from remediation.workshop_selectors import pix_edu_indicators
from tests.conftest import make_user

TODAY = date(2025, 11, 20)
GOOD = (
    "\ufeffe-mail;positionnement;parcours;attestation;certification;neotitulaire\n"
    "Prof@Test.fr;12/09/2025;O;N;;O\n"
    "prof2@test.fr;oui;;;;\n"
)


def test_a_good_file():
    parsed = read_pix_edu_csv(GOOD.encode(), today=TODAY)
    assert parsed.errors == []
    first, second = parsed.rows
    assert first.line == 2 and first.email == "prof@test.fr"
    assert first.steps == {"positioning": Step(True, date(2025, 9, 12)),
                           "training": Step(True), "attestation": Step(False),
                           "certification": Step(False)}
    assert first.newly_tenured is True
    assert second.steps["positioning"] == Step(True) and second.newly_tenured is False


def test_headers_are_read_by_name_in_any_order_and_encoding():
    text = ("Certification,Attestation,Parcours de formation,Autopositionnement,Courriel\n"
            "N,N,N,03/10/2025,élodie@test.fr\n")
    parsed = read_pix_edu_csv(text.encode("cp1252"), today=TODAY)
    assert parsed.errors == []
    (row,) = parsed.rows
    assert row.email == "élodie@test.fr"
    assert row.steps["positioning"] == Step(True, date(2025, 10, 3))
    assert row.newly_tenured is None  # no column: the recorded flag is kept


def messages_of(parsed) -> list[str]:
    return [str(e) for e in parsed.errors]


def test_bad_files_name_the_line_and_column():
    text = ("e-mail;positionnement;parcours;attestation;certification;neotitulaire\n"
            "pas-une-adresse;O;N;N;N;N\n"
            "a@test.fr;31/02/2025;N;N;N;N\n"
            "b@test.fr;O;peut-être;N;N;N\n"
            "a@test.fr;O;N;N;N;N\n"
            "c@test.fr;O;N;01/01/2030;N;N\n"
            "d@test.fr;O;N;N;N;bientôt\n"
            ";O;N;N;N;N\n")
    parsed = read_pix_edu_csv(text.encode(), today=TODAY)
    assert messages_of(parsed) == [
        "Ligne 2, colonne « e-mail » : « pas-une-adresse » n’est pas une adresse e-mail",
        "Ligne 3, colonne « positionnement » : « 31/02/2025 » : une date jj/mm/aaaa, O ou N "
        "attendu",
        "Ligne 4, colonne « parcours » : « peut-être » : une date jj/mm/aaaa, O ou N attendu",
        "Ligne 5, colonne « e-mail » : adresse déjà donnée ligne 3",
        "Ligne 6, colonne « attestation » : la date 01/01/2030 est à venir",
        "Ligne 7, colonne « neotitulaire » : « bientôt » : O ou N attendu",
        "Ligne 8, colonne « e-mail » : adresse e-mail manquante",
    ]


def test_a_file_without_the_expected_columns():
    parsed = read_pix_edu_csv(b"nom;prenom\nMartin;Anne\n", today=TODAY)
    assert messages_of(parsed) == [
        "Ligne 1 : colonnes absentes : e-mail, positionnement, parcours, attestation, "
        "certification. L’en-tête attendu est « e-mail;positionnement;parcours;attestation;"
        "certification;neotitulaire »."]
    assert messages_of(read_pix_edu_csv(b"", today=TODAY)) == ["Le fichier est vide."]
    header_only = b"e-mail;positionnement;parcours;attestation;certification\n"
    assert messages_of(read_pix_edu_csv(header_only, today=TODAY)) == [
        "Le fichier ne contient aucun enseignant."]


def test_import_all_or_nothing(world):
    report = services.pix_edu_import(establishment=world.establishment, data=GOOD.encode(),
                                     by=world.rupn)
    assert report.ok and report.updated == 2
    record = PixEduRecord.objects.get(member__user=world.teacher)
    assert (record.positioning_done, record.positioning_on) == (True, date(2025, 9, 12))
    assert record.training_done and not record.attestation_done and record.newly_tenured

    unknown = GOOD.replace("prof2@test.fr;oui", "inconnu@test.fr;N") + \
        "rupn@ailleurs.fr;O;O;O;O;N\n"
    report = services.pix_edu_import(establishment=world.establishment,
                                     data=unknown.replace(";O;N;;O", ";N;N;N;N;N").encode(),
                                     by=world.rupn)
    assert [str(e) for e in report.errors] == [
        "Ligne 3, colonne « e-mail » : aucun membre de l’équipe de l’établissement n’a "
        "l’adresse « inconnu@test.fr »",
        "Ligne 4, colonne « e-mail » : aucun membre de l’équipe de l’établissement n’a "
        "l’adresse « rupn@ailleurs.fr »",
    ]
    record.refresh_from_db()
    assert record.positioning_done  # line 2 was valid, yet nothing was written


def test_indicators(world):
    for index in range(3):
        user = make_user(f"neo{index}@test.fr")
        member = Membership.objects.create(user=user, establishment=world.establishment,
                                           role=Membership.Role.TEACHER)
        attested = date(2025, 6, 1) if index == 0 else None
        services.pix_edu_update(member=member, by=world.rupn, newly_tenured=True, steps={
            "positioning": (index > 0, None), "attestation": (index == 0, attested),
        })
    indicators = pix_edu_indicators(world.establishment)
    # 5 teachers (prof, prof2 and the three new ones), 2 positioned; 1 of 3 newly tenured
    assert (indicators.teachers, indicators.positioned) == (5, 2)
    assert indicators.share_positioned == pytest.approx(0.4)
    assert indicators.share_newly_tenured_attested == pytest.approx(1 / 3)


def upload(client, data: bytes, capture) -> object:
    """Posts the file; the job's task runs in-process once the upload's transaction commits."""
    with capture(execute=True):
        return client.post(reverse("remediation:pix_edu_import"),
                           {"file": SimpleUploadedFile("pixedu.csv", data)})


def test_upload_runs_as_a_job_whose_page_shows_the_outcome(
        world, login, django_capture_on_commit_callbacks):
    client = login(world.rupn)
    bad = (b"e-mail;positionnement;parcours;attestation;certification\n"
           b"prof@test.fr;bof;N;N;N\n")

    response = upload(client, bad, django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.status, job.created_by) == (
        Job.Kind.PIX_EDU_IMPORT, Job.Status.FAILED, world.rupn)
    html = client.get(response.url).content.decode()
    assert "Import du suivi Pix+ Édu" in html and "rien n’a été enregistré" in html
    assert "« bof » : une date jj/mm/aaaa, O ou N attendu" in html
    assert reverse("remediation:pix_edu_import") in html and reverse("remediation:pix_edu") in html
    assert not PixEduRecord.objects.exists()

    response = upload(client, GOOD.encode(), django_capture_on_commit_callbacks)

    job = Job.objects.latest("pk")
    assert job.status == Job.Status.SUCCEEDED and job.counts == {"teachers": 2}
    assert job.has_file  # kept for « Relancer », deleted after JOB_FILE_RETENTION_DAYS
    html = client.get(response.url).content.decode()
    assert "Étapes Pix+ Édu enregistrées pour 2 enseignants." in html
    assert "Voir le suivi Pix+ Édu" in html
    html = client.get(reverse("remediation:pix_edu")).content.decode()
    assert "100&nbsp;%" in html  # both teachers did the self-positioning
    page = client.get(reverse("remediation:pix_edu_import")).content.decode()
    assert "Imports précédents" in page and reverse("jobs:detail", args=[job.pk]) in page


def test_the_upload_is_never_parsed_in_the_request(
        world, login, django_capture_on_commit_callbacks, monkeypatch):
    def parse_in_request(*args, **kwargs):
        raise AssertionError("parsed in the request")

    monkeypatch.setattr("remediation.services.read_pix_edu_csv", parse_in_request)
    client = login(world.rupn)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("remediation:pix_edu_import"),
                               {"file": SimpleUploadedFile("pixedu.csv", GOOD.encode())})

    assert response.status_code == 302 and len(callbacks) == 1
    assert Job.objects.get().status == Job.Status.PENDING


def test_a_too_large_upload_is_refused_by_the_form(
        world, login, settings, django_capture_on_commit_callbacks):
    settings.MAX_IMPORT_FILE_SIZE = 1024
    client = login(world.rupn)

    response = upload(client, GOOD.encode() * 20, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Le fichier dépasse 0 Mo."]
    assert not Job.objects.exists()


def test_a_hostile_file_fails_its_job_with_the_readers_message(
        world, login, django_capture_on_commit_callbacks):
    client = login(world.rupn)
    one_line = b"e-mail;positionnement;parcours;attestation;certification\n" + b"a" * 70_000

    upload(client, one_line, django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.errors[0]["message"].startswith("la ligne fait %(length)s caractères")
    assert job.errors[0]["line"] == 2
    assert not PixEduRecord.objects.exists()


def test_teachers_and_direction_do_not_see_the_rupns_import(world, login,
                                                            django_capture_on_commit_callbacks):
    upload(login(world.rupn), GOOD.encode(), django_capture_on_commit_callbacks)
    job = Job.objects.get()

    assert login(world.teacher).get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert login(world.outsider).get(reverse("jobs:detail", args=[job.pk])).status_code == 404
