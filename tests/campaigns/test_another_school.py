"""Issue 10: a file of another establishment, uploaded in the browser, stops before writing;
the RUPN may confirm it is theirs, and the job runs again on the same file."""

from __future__ import annotations

import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from campaigns.models import Campaign, Participant
from jobs.models import Job
from pix.campaign_format import CampaignKind
from pix.fake_results import fake_campaign_export_bytes
from tests.campaigns.results_world import pupils_of, start


def foreign_file(world) -> bytes:
    # the pupils of 5A (ours), in a file naming another organisation
    return fake_campaign_export_bytes(
        CampaignKind.PROFILES_COLLECTION, pupils_of(world.establishment, ["5A"]),
        rng=random.Random(8), code="AILLEU101", name="Collecte", start=start(),
        share_rate=1.0, organisation="Lycée Victor Hugo",
    )


def upload(client, data: bytes, capture) -> Job:
    with capture(execute=True):
        client.post(reverse("campaigns:import"),
                    {"file": SimpleUploadedFile("export.csv", data)})
    return Job.objects.latest("pk")


def test_the_upload_stops_and_the_rupn_confirms(client, world,
                                                django_capture_on_commit_callbacks):
    client.force_login(world.rupn)

    # when the file is uploaded
    job = upload(client, foreign_file(world), django_capture_on_commit_callbacks)

    # then nothing is written, and the job page says why and offers to confirm
    assert job.status == Job.Status.FAILED and job.params["needs_confirmation"] is True
    assert not Campaign.objects.filter(code="AILLEU101").exists()
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "« Lycée Victor Hugo »" in html and "« Collège Test »" in html
    assert "importer quand même" in html

    # when the RUPN confirms
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaigns:import_confirm", args=[job.pk]))

    # then the same job ran again, this time to the end
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.params["confirmed"] is True
    campaign = Campaign.objects.get(code="AILLEU101")
    count = len(pupils_of(world.establishment, ["5A"]))
    assert Participant.objects.filter(campaign=campaign).count() == count
    assert AuditEvent.objects.filter(details__job_id=job.pk,
                                     summary__contains="confirmé").exists()


def test_a_teacher_sees_the_warning_but_cannot_confirm(client, world,
                                                      django_capture_on_commit_callbacks):
    client.force_login(world.teacher)
    job = upload(client, foreign_file(world), django_capture_on_commit_callbacks)

    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    response = client.post(reverse("campaigns:import_confirm", args=[job.pk]))

    assert "Seul un RUPN peut confirmer" in html
    assert response.status_code == 403
    assert not Campaign.objects.filter(code="AILLEU101").exists()


def test_a_job_that_did_not_stop_on_that_cannot_be_confirmed(client, world,
                                                             django_capture_on_commit_callbacks):
    client.force_login(world.rupn)
    job = upload(client, b"not a csv at all", django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED

    client.post(reverse("campaigns:import_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "confirmed" not in job.params


def test_another_establishment_cannot_confirm(client, world,
                                              django_capture_on_commit_callbacks):
    client.force_login(world.rupn)
    job = upload(client, foreign_file(world), django_capture_on_commit_callbacks)
    client.force_login(world.outsider)

    assert client.post(reverse("campaigns:import_confirm", args=[job.pk])).status_code == 404
