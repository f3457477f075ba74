"""Hostile files through the real import path: the upload page, the job, its task handler.

Each upload is accepted by the form (it is under the size limit), then its job fails with the
reader's French message and nothing is written; a job stopped by Celery's soft time limit fails
with its own message and its transaction rolled back.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from campaigns.models import Campaign, Participant
from certification.models import CertificationResult
from establishments.models import Enrolment, Pupil, SchoolClass
from jobs.models import Job
from jobs.services import job_run
from pix import limits
from remediation.models import PixEduRecord


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def lying(files: dict[str, bytes], claimed: int = 1024) -> bytes:
    """The zip with the sizes of its first file rewritten to `claimed` bytes."""
    data = bytearray(zipped(files))
    struct.pack_into("<L", data, data.find(b"PK\x01\x02") + 24, claimed)
    struct.pack_into("<L", data, 22, claimed)
    return bytes(data)


BOMB = b" " * (limits.MAX_UNZIPPED_BYTES + limits.MIB)
ROWS = b"a;b\n" * (limits.MAX_LINES + 1)
ONE_LINE = b"a;b\n" + b"x" * (3 * limits.MIB)
NUL = b"a;b\n" + b"1;2\n" * 2000 + b"1;\x002\n"

# upload page, form field, file name, the hostile file, the start of the job's error
CASES = {
    "pupils-rows": ("pupils:import", "file", "eleves.csv", ROWS, "Le fichier compte 50"),
    "pupils-line": ("pupils:import", "file", "eleves.csv", ONE_LINE, "Ligne 2 : la ligne fait"),
    "pupils-nul": ("pupils:import", "file", "eleves.csv", NUL,
                   "Ligne 2002 : le fichier contient un caractère nul"),
    "pupils-bomb": ("pupils:import", "file", "eleves.zip", zipped({"e.xml": BOMB}),
                    "L’archive ZIP est trop volumineuse une fois décompressée"),
    "pupils-lying-zip": ("pupils:import", "file", "eleves.zip", lying({"e.xml": BOMB}),
                         "L’archive ZIP est illisible ou endommagée."),
    "campaign-rows": ("campaigns:import", "file", "export.csv", ROWS, "Le fichier compte 50"),
    "campaign-line": ("campaigns:import", "file", "export.csv", ONE_LINE,
                      "Ligne 2 : la ligne fait"),
    "campaign-nul": ("campaigns:import", "file", "export.csv", NUL,
                     "Ligne 2002 : le fichier contient un caractère nul"),
    "certification-bomb": ("certification:results_import", "files", "resultats.zip",
                           zipped({"20260512_resultats_3A.csv": BOMB}),
                           "« resultats.zip » : L’archive ZIP est trop volumineuse"),
    "certification-empty-name": ("certification:results_import", "files", "resultats.zip",
                                 zipped({"20260512_resultats_3A.csv": b"a"}).replace(
                                     b"20260512_resultats_3A.csv", b"\x00" * 25),
                                 "« resultats.zip » : L’archive ZIP contient un fichier sans nom"),
    "certification-rows": ("certification:results_import", "files",
                           "20260512_resultats_3A.csv", ROWS,
                           "« 20260512_resultats_3A.csv » : Le fichier compte 50"),
    "pix-edu-rows": ("remediation:pix_edu_import", "file", "pixedu.csv", ROWS,
                     "Le fichier compte 50"),
    "pix-edu-line": ("remediation:pix_edu_import", "file", "pixedu.csv", ONE_LINE,
                     "Ligne 2 : la ligne fait"),
}


def written(world) -> tuple[int, ...]:
    return (Pupil.objects.count(), Enrolment.objects.count(), SchoolClass.objects.count(),
            Campaign.objects.count(), Participant.objects.count(),
            CertificationResult.objects.count(), PixEduRecord.objects.count())


def error_text(job: Job) -> str:
    """The job's first error as its page shows it."""
    from certification.imports import describe
    from pix.files import RowError

    first = job.errors[0]
    return describe(RowError(first["line"], first["message"], first["column"], first["params"]))


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_hostile_upload_fails_its_job_and_writes_nothing(
        world, login, django_capture_on_commit_callbacks, case):
    url, field, name, data, message = case
    client = login(world.rupn)
    before = written(world)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(url), {field: SimpleUploadedFile(name, data)})

    assert response.status_code == 302, response.context and response.context["form"].errors
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert error_text(job).startswith(message), job.errors
    assert job.has_file  # kept for « Relancer » until its retention ends
    assert written(world) == before
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "rien n’a été enregistré" in html


def test_a_job_stopped_by_the_soft_time_limit_fails_and_writes_nothing(
        world, login, django_capture_on_commit_callbacks, monkeypatch, settings):
    # Given a pupil import interrupted by Celery's soft time limit once it has written classes
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 300
    from establishments import imports

    sync_classes = imports._sync_classes

    def classes_then_time_limit(*args, **kwargs):
        sync_classes(*args, **kwargs)
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(imports, "_sync_classes", classes_then_time_limit)
    before = written(world)
    xml = (b'<?xml version="1.0"?>\n<BEE_ELEVES><PARAMETRES><UAJ>' + world.establishment.uai
           .encode() + b"</UAJ></PARAMETRES><DONNEES><ELEVES><ELEVE ELEVE_ID=\"1\"><ID_NATIONAL>"
           b"1234567890A</ID_NATIONAL><NOM_DE_FAMILLE>NOUVEAU</NOM_DE_FAMILLE><PRENOM>Lou"
           b"</PRENOM><CODE_SEXE>2</CODE_SEXE><DATE_NAISS>01/02/2012</DATE_NAISS></ELEVE>"
           b"</ELEVES><STRUCTURES><STRUCTURES_ELEVE ELEVE_ID=\"1\"><STRUCTURE><CODE_STRUCTURE>"
           b"9Z</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>"
           b"</STRUCTURES_ELEVE></STRUCTURES></DONNEES></BEE_ELEVES>")

    # When it runs as a job
    with django_capture_on_commit_callbacks(execute=True):
        login(world.rupn).post(reverse("pupils:import"),
                               {"file": SimpleUploadedFile("eleves.xml", xml)})

    # Then the job failed with the French message, and the new class was rolled back
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert error_text(job) == (
        "Le traitement a dépassé la durée maximale de 300 secondes et a été arrêté ; rien n’a "
        "été enregistré. Vérifiez que le fichier est bien celui attendu.")
    assert written(world) == before
    assert not SchoolClass.objects.filter(code="9Z").exists()


def test_a_soft_time_limit_in_any_handler_ends_the_job(world):
    job = Job.objects.create(establishment=world.establishment, kind=Job.Kind.PIX_EDU_IMPORT,
                             created_by=world.rupn, payload=b"x")

    def slow(job, progress):
        raise SoftTimeLimitExceeded()

    job = job_run(job.pk, slow)

    assert job.status == Job.Status.FAILED
    assert job.errors[0]["message"].startswith("Le traitement a dépassé la durée maximale")


def test_a_time_limit_that_struck_inside_a_query_ends_the_job_the_same_way(world):
    # Interrupted inside a query, the rollback fails and the driver's error comes out instead.
    job = Job.objects.create(establishment=world.establishment, kind=Job.Kind.PIX_EDU_IMPORT,
                             created_by=world.rupn, payload=b"x")

    def interrupted_in_a_query(job, progress):
        try:
            raise SoftTimeLimitExceeded()
        finally:
            raise DatabaseError("can't change 'autocommit' now: connection in transaction")

    job = job_run(job.pk, interrupted_in_a_query)

    assert job.status == Job.Status.FAILED
    assert job.errors[0]["message"].startswith("Le traitement a dépassé la durée maximale")
