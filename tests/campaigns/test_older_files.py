"""Issue 10: a 2020-2021 export (no "Code" column) uploaded in the browser: the import stops
with nothing written, a second step asks for its campaign (one of the establishment's, or one
recorded on the spot), then the stored file is imported into it."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Campaign, Participant, ResultSummary, Sending
from campaigns.services import campaign_create
from campaigns.summaries import campaign_summaries_rebuild
from establishments.models import SchoolYear
from jobs.models import Job
from tests.campaigns.factories import profile, profiles_export
from tests.campaigns.test_eras import at

ROWS = [
    profile("MARTIN", "Léa", "5A", shared_at=at(2021, 3, 2), pix={"1.1": 24, "3.1": 8}),
    profile("PETIT", "Noé", "5A", shared_at=at(2021, 3, 3), pix={"1.1": 10}),
    profile("PETIT", "Noé", "5A", shared_at=at(2021, 2, 1), pix={"1.1": 4}),
    profile("DUBOIS", "Jean", "5B", shared_at=None),
]


def old_file(world) -> bytes:
    return profiles_export(ROWS, older_format=True, without_code=True, name="Collecte 2021",
                           organisation=world.establishment.name)


def upload(client, data, capture) -> Job:
    with capture(execute=True):
        client.post(reverse("campaigns:import"),
                    {"file": SimpleUploadedFile("Resultats-2021.csv", data)})
    return Job.objects.latest("pk")


def test_the_upload_asks_for_the_campaign_and_writes_nothing(client, world,
                                                             django_capture_on_commit_callbacks):
    client.force_login(world.rupn)

    job = upload(client, old_file(world), django_capture_on_commit_callbacks)

    assert job.status == Job.Status.FAILED and job.params["needs_campaign"] is True
    assert not Campaign.objects.exists() and not Participant.objects.exists()
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert reverse("campaigns:import_campaign_choice", args=[job.pk]) in html
    step = client.get(reverse("campaigns:import_campaign_choice", args=[job.pk]))
    assert step.status_code == 200
    assert "sans colonne « Code »" in step.content.decode()


def test_a_campaign_recorded_on_the_spot_receives_the_file(client, world,
                                                           django_capture_on_commit_callbacks):
    client.force_login(world.rupn)
    job = upload(client, old_file(world), django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:import_campaign_choice", args=[job.pk]),
            {"choice": "new", "code": "ancien201", "name": "Collecte 5e 2021",
             "kind": "profiles_collection", "school_year": "2020-2021"})

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    campaign = Campaign.objects.get(code="ANCIEN201")
    assert (campaign.name, str(campaign.school_year), campaign.owner) == (
        "Collecte 5e 2021", "2020-2021", world.rupn)
    # by hand: 4 rows, 3 participants, 2 shared; results 32 (Léa) and 10 (Noé's newest)
    assert job.counts["participants"] == 3 and job.counts["shared"] == 2
    assert Sending.objects.filter(participant__campaign=campaign).count() == 4
    campaign_summaries_rebuild(campaign)
    whole = ResultSummary.objects.get(campaign=campaign, division="")
    assert whole.mean_pix == Decimal("21")  # (32 + 10) / 2


def test_an_existing_campaign_can_be_picked(client, world, django_capture_on_commit_callbacks):
    year, _created = SchoolYear.objects.get_or_create(start_year=2020)
    campaign = campaign_create(establishment=world.establishment, by=world.rupn,
                               code="ANCIEN202", name="Collecte", kind="profiles_collection",
                               school_year=year)
    client.force_login(world.rupn)
    job = upload(client, old_file(world), django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:import_campaign_choice", args=[job.pk]),
                    {"choice": "existing", "campaign": campaign.pk})

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert Participant.objects.filter(campaign=campaign).count() == 3


def test_bad_answers_are_told_in_french_and_create_nothing(client, world,
                                                           django_capture_on_commit_callbacks):
    client.force_login(world.rupn)
    job = upload(client, old_file(world), django_capture_on_commit_callbacks)
    url = reverse("campaigns:import_campaign_choice", args=[job.pk])

    missing = client.post(url, {"choice": "new", "code": "ANCIEN203"})
    bad_code = client.post(url, {"choice": "new", "code": "ABC", "name": "X",
                                 "kind": "assessment", "school_year": "2020-2021"})
    bad_year = client.post(url, {"choice": "new", "code": "ANCIEN203", "name": "X",
                                 "kind": "assessment", "school_year": "2020-2022"})
    no_pick = client.post(url, {"choice": "existing"})

    assert [r.status_code for r in (missing, bad_code, bad_year, no_pick)] == [400] * 4
    assert "Ce champ est obligatoire." in missing.content.decode()
    assert "6 lettres puis 3 chiffres" in bad_code.content.decode()
    assert "sous la forme 2020-2021" in bad_year.content.decode()
    assert "Choisissez la campagne." in no_pick.content.decode()
    assert not Campaign.objects.exists()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_a_teacher_cannot_pick_a_colleagues_campaign(client, world,
                                                    django_capture_on_commit_callbacks):
    year, _created = SchoolYear.objects.get_or_create(start_year=2020)
    theirs = campaign_create(establishment=world.establishment, by=world.rupn,
                             code="ANCIEN204", name="Collecte", kind="profiles_collection",
                             school_year=year)
    client.force_login(world.teacher)
    job = upload(client, old_file(world), django_capture_on_commit_callbacks)

    response = client.post(reverse("campaigns:import_campaign_choice", args=[job.pk]),
                           {"choice": "existing", "campaign": theirs.pk})

    assert response.status_code == 400
    assert not Participant.objects.exists()


def test_another_establishment_gets_a_404(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.rupn)
    job = upload(client, old_file(world), django_capture_on_commit_callbacks)
    client.force_login(world.outsider)

    url = reverse("campaigns:import_campaign_choice", args=[job.pk])
    assert client.get(url).status_code == 404
