"""A fault loses nothing and heals itself: broker down at upload, a worker lost mid-job, a failed
job run again ("Relancer"), and files deleted after their retention.

Run in-process here (tasks eager, the broker's failure simulated); the same cases against a
real Redis and real worker processes are in tests/test_faults_real_stack.py.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from establishments.models import Pupil
from establishments.tasks import import_pupils_task
from jobs.heartbeat import Heartbeat
from jobs.models import Job
from jobs.services import (
    INTERRUPTED,
    JobOutcome,
    job_create,
    job_enqueue,
    job_fail_interrupted,
    job_run,
    stale_after,
)
from jobs.sweep import ABANDONED, job_files_purge, jobs_sweep
from pix.fakes import fake_establishment_pupils
from pix.pupils import write_siecle_xml
from pixorga.celery import app as celery_app
from pixorga.celery import sweep_jobs_when_a_worker_starts


def pupil_file(establishment, count=4, seed=21) -> bytes:
    year = establishment.current_year.start_year
    rows = fake_establishment_pupils([("4C", "4e", count)], school_year=year,
                                     rng=random.Random(seed))
    return write_siecle_xml(rows, uai=establishment.uai, school_year=year)


@pytest.fixture
def broker_down(monkeypatch):
    """Celery as in production (not eager), with a broker that refuses every connection."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    celery_app.conf.task_always_eager = False  # set back by the autouse _celery_eager fixture
    monkeypatch.setattr(import_pupils_task, "delay", refuse)
    return calls


def waiting_job(world, **fields) -> Job:
    """A pupil import whose file no broker took yet."""
    job = job_create(establishment=world.establishment, kind=Job.Kind.PUPIL_IMPORT,
                     by=world.rupn, filename="eleves.xml", payload=pupil_file(world.establishment))
    Job.objects.filter(pk=job.pk).update(task_name=import_pupils_task.name, **fields)
    job.refresh_from_db()
    return job


# --- broker down at upload --------------------------------------------------------------------


def test_an_upload_while_the_broker_is_down_is_kept_and_the_user_told(
        client, world, broker_down, django_capture_on_commit_callbacks):
    # Given a RUPN on the pupil import page, and Redis down
    client.force_login(world.rupn)
    upload = pupil_file(world.establishment)

    # When they send the file
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pupils:import"),
                               {"file": SimpleUploadedFile("eleves.xml", upload)})

    # Then the upload is accepted: the job waits, file included, for the broker
    job = Job.objects.get(kind=Job.Kind.PUPIL_IMPORT, filename="eleves.xml")
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert len(broker_down) == 1
    assert (job.status, job.enqueued_at, bytes(job.payload)) == (Job.Status.PENDING, None, upload)
    assert job.task_name == "establishments.tasks.import_pupils_task"
    # And its page says, in French, that it will run when the queue is back
    page = client.get(response.url).content.decode()
    assert "Fichier reçu et enregistré." in page
    assert "sera traité automatiquement dès son retour" in page


def test_the_sweep_runs_a_job_that_no_broker_took(world):
    # Given a job that waited for the broker (Redis was down at upload)
    job = waiting_job(world)
    before = Pupil.objects.count()

    # When the broker is back and beat's sweep runs (tasks run in-process here)
    report = jobs_sweep()

    # Then the job ran from its stored file, with nobody acting
    job.refresh_from_db()
    assert report.enqueued == [job.pk]
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.enqueued_at is not None
    assert Pupil.objects.count() == before + 4


def test_a_worker_start_runs_the_jobs_that_wait(world):
    job = waiting_job(world)

    sweep_jobs_when_a_worker_starts(sender=None)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


def test_the_sweep_gives_up_at_once_while_the_broker_is_still_down(world, broker_down):
    first, second = waiting_job(world), waiting_job(world)

    report = jobs_sweep()

    assert report.enqueued == []
    assert len(broker_down) == 1  # one try per sweep, not one per job
    for job in (first, second):
        job.refresh_from_db()
        assert (job.status, job.enqueued_at) == (Job.Status.PENDING, None)


def test_a_job_handed_to_the_broker_recently_is_not_handed_again(world, monkeypatch):
    # Given a job the broker took a minute ago, waiting for a free worker
    job = waiting_job(world, enqueued_at=timezone.now() - timedelta(minutes=1))
    sent = []
    celery_app.conf.task_always_eager = False  # set back by the autouse _celery_eager fixture
    monkeypatch.setattr(import_pupils_task, "delay", lambda job_id: sent.append(job_id))

    # When the sweep runs, once a minute
    jobs_sweep()
    jobs_sweep()

    # Then it is not enqueued again (no flood of copies)...
    assert sent == []
    # ...until its message may have been lost (a Redis restart loses the queue)
    Job.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - timedelta(hours=1))
    jobs_sweep()
    jobs_sweep()
    assert sent == [job.pk]


def test_job_enqueue_publishes_after_commit_only(world, django_capture_on_commit_callbacks):
    job = waiting_job(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_enqueue(job, import_pupils_task)
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING  # nothing published before the commit
    assert len(callbacks) == 1


# --- a worker lost mid-job -------------------------------------------------------------------


def lost_job(world, *, attempts: int) -> Job:
    """A job left running by a worker that died: its heartbeat stopped."""
    old = timezone.now() - stale_after() - timedelta(seconds=1)
    return waiting_job(world, status=Job.Status.RUNNING, started_at=old, heartbeat_at=old,
                       attempts=attempts, enqueued_at=old, progress_done=40, progress_total=90)


def test_a_job_whose_worker_died_is_run_again(world):
    job = lost_job(world, attempts=1)

    report = jobs_sweep()

    job.refresh_from_db()
    assert report.retried == [job.pk]
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.attempts == 2


def test_a_job_whose_worker_died_too_often_fails_with_a_message(world, settings):
    settings.JOB_MAX_ATTEMPTS = 3
    job = lost_job(world, attempts=3)

    report = jobs_sweep()

    job.refresh_from_db()
    assert report.failed == [job.pk]
    assert job.status == Job.Status.FAILED
    assert job.finished_at is not None
    assert job.errors == [{"line": None, "column": None, "message": INTERRUPTED,
                           "params": {"attempts": 3}}]
    assert job.has_file  # kept: it can be run again
    assert not Pupil.objects.filter(enrolments__school_class__code="4C").exists()


def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(world):
    job = waiting_job(world, status=Job.Status.RUNNING, started_at=timezone.now(),
                      heartbeat_at=timezone.now(), attempts=1)
    calls = []

    jobs_sweep()
    job_run(job.pk, lambda job, progress: calls.append(job.pk) or JobOutcome())

    job.refresh_from_db()
    assert calls == []  # a task delivered twice does not start it twice
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)


def test_a_redelivered_task_takes_over_a_lost_job_but_not_for_ever(world, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    job = lost_job(world, attempts=1)

    job_run(job.pk, lambda job, progress: JobOutcome(counts={"rows": 1}))
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)

    again = lost_job(world, attempts=2)
    job_run(again.pk, lambda job, progress: pytest.fail("run a third time"))
    again.refresh_from_db()
    assert again.status == Job.Status.FAILED
    assert again.errors[0]["message"] == INTERRUPTED


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_writes_progress_outside_the_handlers_transaction(world):
    job = waiting_job(world, status=Job.Status.RUNNING)
    heartbeat = Heartbeat(job.pk, interval=3600).start()

    heartbeat.report(progress_done=3, progress_total=9, stage="Lecture")
    heartbeat.stop()

    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.stage) == (3, 9, "Lecture")
    assert job.heartbeat_at is not None


# --- Relancer ---------------------------------------------------------------------------------


def failed_job(world, *, by=None, kind=Job.Kind.PUPIL_IMPORT) -> Job:
    job = waiting_job(world)
    Job.objects.filter(pk=job.pk).update(kind=kind, created_by=by or world.rupn, attempts=3)
    job.refresh_from_db()
    job_fail_interrupted(job)
    return job


def test_a_failed_job_is_run_again_from_its_file(client, world,
                                                 django_capture_on_commit_callbacks):
    # Given a pupil import whose worker died three times
    job = failed_job(world)
    client.force_login(world.rupn)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Relancer" in page and 'name="csrfmiddlewaretoken"' in page

    # When the RUPN presses "Relancer"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:relaunch", args=[job.pk]),
                               {"next": reverse("jobs:detail", args=[job.pk])})

    # Then it runs again from the stored file, and its page says it went through
    job.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert (job.attempts, job.errors) == (1, [])
    assert Pupil.objects.filter(enrolments__school_class__code="4C").count() == 4
    assert "Relancer" not in client.get(response.url).content.decode()


def test_relancer_needs_csrf(world):
    from django.test import Client

    job = failed_job(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.rupn)

    assert client.post(reverse("jobs:relaunch", args=[job.pk])).status_code == 403
    assert client.get(reverse("jobs:relaunch", args=[job.pk])).status_code == 405
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


@pytest.mark.parametrize(("role", "creator", "kind", "status"), [
    ("rupn", "teacher", Job.Kind.CAMPAIGN_IMPORT, 302),
    ("direction", "rupn", Job.Kind.PUPIL_IMPORT, 302),
    ("teacher", "teacher", Job.Kind.CAMPAIGN_IMPORT, 302),  # their own upload
    ("teacher", "teacher", Job.Kind.PUPIL_IMPORT, 403),  # a kind a teacher may not import
    ("teacher", "rupn", Job.Kind.CAMPAIGN_IMPORT, 404),  # not theirs: not even seen
    ("pupil", "rupn", Job.Kind.PUPIL_IMPORT, 403),
    ("outsider", "rupn", Job.Kind.PUPIL_IMPORT, 404),  # another establishment's job
])
def test_who_may_relaunch(client, world, monkeypatch, django_capture_on_commit_callbacks,
                          role, creator, kind, status):
    job = failed_job(world, by=world.member(creator), kind=kind)
    runs = []
    monkeypatch.setattr(import_pupils_task, "delay", lambda job_id: runs.append(job_id))
    client.force_login(world.member(role))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:relaunch", args=[job.pk]))

    assert response.status_code == status
    assert runs == ([job.pk] if status == 302 else [])
    if status == 302:
        page = client.get(reverse("jobs:detail", args=[job.pk]))
        assert page.status_code == 200


def test_relancer_is_offered_only_to_who_may_use_it(client, world):
    # A pupil import: the direction may run it again; a teacher who sent one (before their
    # role changed) still sees their job, without the button
    job = failed_job(world)
    teachers = failed_job(world, by=world.teacher)
    button = 'class="btn btn-primary">Relancer</button>'

    client.force_login(world.direction)
    assert button in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    client.force_login(world.teacher)
    page = client.get(reverse("jobs:detail", args=[teachers.pk]))
    assert page.status_code == 200
    assert button not in page.content.decode()


def test_a_job_whose_file_is_gone_cannot_be_run_again_and_the_page_says_why(client, world):
    job = failed_job(world)
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert job_files_purge() == 1
    client.force_login(world.rupn)

    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    response = client.post(reverse("jobs:relaunch", args=[job.pk]), follow=True)

    assert 'action="' + reverse("jobs:relaunch", args=[job.pk]) not in page
    assert "ne peut plus être relancé : son fichier a été supprimé" in page
    assert "conservés que 7 jours" in page
    assert "ne peut pas être relancé" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_the_certification_job_page_offers_relancer_too(client, world):
    job = failed_job(world, kind=Job.Kind.CERTIFICATION_IMPORT)
    client.force_login(world.rupn)
    url = reverse("certification:results_import_job", args=[job.pk])

    page = client.get(url).content.decode()

    assert reverse("jobs:relaunch", args=[job.pk]) in page
    assert f'name="next" value="{url}"' in page


# --- retention ------------------------------------------------------------------------------


def test_files_are_deleted_a_set_number_of_days_after_their_job_ends(world, settings):
    settings.JOB_FILE_RETENTION_DAYS = 7
    now = timezone.now()
    old = failed_job(world)
    recent = failed_job(world)
    done = waiting_job(world, status=Job.Status.SUCCEEDED)
    Job.objects.filter(pk__in=[old.pk, done.pk]).update(
        finished_at=now - timedelta(days=7, hours=1))
    Job.objects.filter(pk=recent.pk).update(finished_at=now - timedelta(days=6, hours=23))

    jobs_sweep()

    for job in (old, recent, done):
        job.refresh_from_db()
    assert (bytes(old.payload), bytes(done.payload)) == (b"", b"")
    assert old.file_deleted_at is not None and done.file_deleted_at is not None
    assert recent.has_file and bytes(recent.payload)


def test_a_job_that_never_ends_is_failed_and_its_file_deleted(world, settings):
    settings.JOB_FILE_RETENTION_DAYS = 7
    job = waiting_job(world)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=8))

    report = jobs_sweep()

    job.refresh_from_db()
    assert report.abandoned == [job.pk]
    assert job.status == Job.Status.FAILED
    assert bytes(job.payload) == b"" and not job.has_file
    assert job.errors[0]["message"] == ABANDONED
    assert not Pupil.objects.filter(enrolments__school_class__code="4C").exists()


def test_an_import_the_sweep_gives_up_on_is_in_the_audit_log_once(world, settings):
    from audit.models import AuditEvent
    from jobs.tasks import sweep_jobs_task

    settings.JOB_MAX_ATTEMPTS = 3
    job = lost_job(world, attempts=3)

    sweep_jobs_task()
    sweep_jobs_task()

    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT)
    assert event.details["job_id"] == job.pk
    assert event.details["ok"] is False
    assert "rien n’a été enregistré" in event.summary


def test_only_a_job_stopped_for_confirmation_can_be_confirmed(world, monkeypatch):
    from jobs.services import JobNotConfirmable, job_confirm

    published = []
    monkeypatch.setattr("jobs.services.job_publish", lambda job_id, task=None: published.append(
        job_id))
    job = failed_job(world)

    with pytest.raises(JobNotConfirmable):
        job_confirm(job=job, by=world.rupn)  # failed for another reason
    Job.objects.filter(pk=job.pk).update(params={"needs_confirmation": True})

    job_confirm(job=job, by=world.rupn)

    job.refresh_from_db()
    assert job.status == Job.Status.PENDING
    assert job.params == {"needs_confirmation": True, "confirmed": True,
                          "confirmed_by": world.rupn.pk}
