"""Jobs: running once, recording the outcome whatever the handler does, and their pages."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from establishments.models import Pupil
from establishments.services import pupil_import_start
from establishments.tasks import import_pupils_task
from jobs.models import Job
from jobs.services import MAX_STORED_ERRORS, JobOutcome, Progress, job_create, job_run
from pix.fakes import fake_establishment_pupils
from pix.files import RowError
from pix.pupils import write_siecle_xml


def pupil_file(establishment, count=5, seed=11) -> bytes:
    year = establishment.current_year.start_year
    rows = fake_establishment_pupils([("4A", "4e", count)], school_year=year,
                                     rng=random.Random(seed))
    return write_siecle_xml(rows, uai=establishment.uai, school_year=year)


def new_job(world, by=None, **kwargs) -> Job:
    return job_create(establishment=world.establishment, kind=Job.Kind.PUPIL_IMPORT,
                      by=by or world.rupn, **kwargs)


def test_a_retried_task_on_a_finished_job_does_nothing(world, django_capture_on_commit_callbacks):
    # Given a pupil import that has run
    with django_capture_on_commit_callbacks(execute=True):
        job = pupil_import_start(establishment=world.establishment, by=world.rupn,
                                 filename="e.xml", data=pupil_file(world.establishment))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    finished = Job.objects.filter(pk=job.pk).values().get()
    pupils = Pupil.objects.count()

    # When the broker delivers the task again
    import_pupils_task(job.pk)

    # Then the job is left as it was and nothing is imported twice
    assert Job.objects.filter(pk=job.pk).values().get() == finished
    assert Pupil.objects.count() == pupils


def test_job_run_calls_the_handler_once(world):
    job = new_job(world)
    calls = []

    def handler(job, progress):
        calls.append(job.pk)
        return JobOutcome(counts={"rows": 3})

    first = job_run(job.pk, handler)
    second = job_run(job.pk, handler)

    assert calls == [job.pk]
    assert first.status == second.status == Job.Status.SUCCEEDED
    assert second.counts == {"rows": 3}


def test_job_run_on_a_missing_job_returns_none(db):
    assert job_run(123456, lambda job, progress: JobOutcome()) is None


def test_a_handler_that_raises_fails_the_job_with_a_french_message(world):
    job = new_job(world, payload=b"data")

    def handler(job, progress):
        raise RuntimeError("boom")

    job_run(job.pk, handler)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.finished_at is not None
    assert [e["message"] for e in job.errors] == [
        "Erreur inattendue pendant le traitement ; rien n’a été enregistré."
    ]
    assert bytes(job.payload) == b"data"  # kept, to run it again ("Relancer")


def test_job_errors_are_sorted_by_line_and_capped(world):
    job = new_job(world)
    errors = [RowError(line, "erreur %(n)s", column="A", params={"n": line})
              for line in range(MAX_STORED_ERRORS + 20, 1, -1)]
    errors.append(RowError(None, "fichier"))

    job_run(job.pk, lambda job, progress: JobOutcome(errors=errors))

    job.refresh_from_db()
    assert len(job.errors) == MAX_STORED_ERRORS
    assert job.errors[0] == {"line": None, "column": None, "message": "fichier", "params": {}}
    assert [e["line"] for e in job.errors[1:4]] == [2, 3, 4]


def test_progress_is_written_to_the_row_and_throttled(world):
    job = new_job(world)
    progress = Progress(job, interval=3600)

    progress(1, 10)
    progress(2, 10)  # within the interval: not written
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (1, 10)

    progress(10, 10)  # the last step is always written
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (10, 10)


@pytest.mark.parametrize(
    ("status", "done", "total", "percent", "finished"),
    [
        (Job.Status.PENDING, 0, 0, 0, False),
        (Job.Status.RUNNING, 25, 100, 25, False),
        (Job.Status.RUNNING, 100, 100, 99, False),  # 100 % only once recorded
        (Job.Status.SUCCEEDED, 0, 0, 100, True),
        (Job.Status.FAILED, 3, 10, 30, True),
    ],
)
def test_job_status_json(client, world, status, done, total, percent, finished):
    job = new_job(world)
    Job.objects.filter(pk=job.pk).update(status=status, progress_done=done,
                                         progress_total=total, stage="Lecture du fichier")
    client.force_login(world.rupn)

    data = client.get(reverse("jobs:status", args=[job.pk])).json()

    assert data["status"] == status
    assert data["percent"] == percent
    assert data["finished"] is finished
    assert (data["done"], data["total"]) == (done, total)
    assert data["stage"] == "Lecture du fichier"


def test_a_running_job_page_shows_its_progress_bar(client, world):
    job = new_job(world, filename="e.xml")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress_done=1,
                                         progress_total=4)
    client.force_login(world.rupn)

    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert 'id="job-progress"' in html
    assert 'aria-valuenow="25"' in html
    assert "Compte rendu" not in html


def test_a_teacher_sees_the_jobs_they_started(client, world):
    job = new_job(world, by=world.teacher)
    client.force_login(world.teacher)

    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 200
