"""The privacy page for everyone, one pupil's export and erasure for the RUPN only."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from campaigns.models import Campaign, Participant, ResultSummary, Sending
from certification.models import AnalysisSummary, CertificationResult
from establishments.models import Enrolment, Membership, Pupil
from progression.models import ComplianceSummary, PupilCompliance
from remediation.models import Attendance, GroupMember
from tests.conftest import make_user

ROLES = ("anonymous", "rupn", "direction", "teacher", "pupil", "outsider", "nomember")


def client_as(client, world, role):
    client.logout()
    if role == "nomember":
        client.force_login(make_user("nobody@test.fr"))
    elif role != "anonymous":
        client.force_login(world.member(role))
    return client


# --- the privacy page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_privacy_page_opens_for_every_role_and_logged_out(client, world, settings, role):
    # given the retention settings and a visitor of `role`
    settings.PUPIL_RETENTION_YEARS = 2
    settings.JOB_FILE_RETENTION_DAYS = 9
    settings.AUDIT_RETENTION_DAYS = 400
    client_as(client, world, role)

    # when they open the page
    response = client.get(reverse("privacy:notice"))

    # then it names the controller, the figures of the settings and the CNIL
    html = response.content.decode()
    assert response.status_code == 200
    assert "9 jours après la fin de leur traitement" in html
    assert "depuis plus de 2 ans est anonymisé" in html
    assert "conservé 400 jours" in html
    assert "CNIL" in html and "rectification" in html and "opposition" in html
    own = role in ("rupn", "direction", "teacher", "pupil")
    assert ("Collège Test" in html and "0170124T" in html) is own
    if role == "outsider":
        assert "Collège Ailleurs" in html and "Collège Test" not in html
    if role in ("anonymous", "nomember"):
        assert "l’établissement scolaire qui utilise pixorga" in html


def test_every_page_links_to_it_the_login_page_included(client, world):
    # given pages of a visitor logged out and of a pupil
    login_page = client.get(reverse("account_login")).content.decode()
    client.force_login(world.pupil_user)
    home = client.get(reverse("home")).content.decode()

    # then both link to the privacy page
    link = f'href="{reverse("privacy:notice")}"'
    assert link in login_page and link in home


def test_a_pupil_with_a_one_time_password_can_still_read_it(client, world):
    # given a pupil who has not chosen their password yet
    world.pupil_user.must_change_password = True
    world.pupil_user.save(update_fields=["must_change_password"])
    client.force_login(world.pupil_user)

    # then the privacy page opens, and other pages still send to the password page
    assert client.get(reverse("privacy:notice")).status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_the_rupn_sets_the_privacy_contact_shown_on_the_page(client, world):
    # given the page without a contact: the establishment's direction
    client.force_login(world.rupn)
    assert "la direction de l’établissement <strong>Collège Test</strong>" in client.get(
        reverse("privacy:notice")).content.decode()
    establishment = world.establishment

    # when the RUPN sets the contact in the establishment's settings
    response = client.post(reverse("establishment_settings"), {
        "name": establishment.name, "kind": establishment.kind, "city": "",
        "current_year": establishment.current_year_id,
        "privacy_contact": "dpd@ac-poitiers.fr",
    })

    # then it is stored and the page gives it, to the pupils too
    assert response.status_code == 302
    establishment.refresh_from_db()
    assert establishment.privacy_contact == "dpd@ac-poitiers.fr"
    client.force_login(world.pupil_user)
    assert "<strong>dpd@ac-poitiers.fr</strong>" in client.get(
        reverse("privacy:notice")).content.decode()


# --- export and erasure: who may ---------------------------------------------------------------


MATRIX = [
    # url name, pupil ("own" / "other"), method → status for each of ROLES
    ("privacy:pupil_export", "own", "get", ["login", 200, 403, 403, 403, 404, 403]),
    ("privacy:pupil_export", "other", "get", ["login", 404, 403, 403, 403, 200, 403]),
    ("privacy:pupil_erase", "own", "get", ["login", 200, 403, 403, 403, 404, 403]),
    ("privacy:pupil_erase", "own", "post", ["login", 302, 403, 403, 403, 404, 403]),
    ("privacy:pupil_erase", "other", "post", ["login", 404, 403, 403, 403, 302, 403]),
]


@pytest.mark.parametrize(("name", "whose", "method", "statuses"), MATRIX)
def test_only_the_rupn_of_the_pupils_establishment_may(client, world, name, whose, method,
                                                       statuses):
    pupil = world.pupil if whose == "own" else world.outsider_pupil
    url = reverse(name, args=[pupil.pk])
    login = reverse("account_login") + "?next="
    seen = {}
    for role in ROLES:
        with transaction.atomic():
            # given a visitor of `role`
            client_as(client, world, role)
            events = AuditEvent.objects.count()

            # when they ask for the export or the erasure
            response = getattr(client, method)(url)

            # then only the RUPN of the pupil's establishment acts; a refusal writes nothing
            status = response.status_code
            seen[role] = "login" if status == 302 and response.url.startswith(login) else status
            if seen[role] not in (200, 302):
                assert Pupil.objects.filter(pk=pupil.pk).exists()
                assert AuditEvent.objects.count() == events
            transaction.set_rollback(True)
    assert [seen[r] for r in ROLES] == statuses


def test_the_pupil_page_offers_both_to_the_rupn_only(client, world):
    url = reverse("pupils:detail", args=[world.pupil.pk])
    export = reverse("privacy:pupil_export", args=[world.pupil.pk])
    client.force_login(world.rupn)
    assert export in client.get(url).content.decode()
    client.force_login(world.direction)
    assert export not in client.get(url).content.decode()


# --- the export -------------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_pupil(client, world, departure):
    # given a pupil with enrolments, results, certification, compliance, remediation, account
    pupil = departure.gone[1]  # 5e pupil 0: remediated, with an account
    certified = departure.gone[0]
    client.force_login(world.rupn)

    # when the RUPN exports their data
    response = client.get(reverse("privacy:pupil_export", args=[pupil.pk]))

    # then a ZIP named by id only holds a JSON and one CSV per table
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f'filename="eleve-{pupil.pk}-donnees.zip"' in response["Content-Disposition"]
    assert pupil.last_name not in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {
        "donnees.json", "identite.csv", "compte.csv", "inscriptions.csv", "participations.csv",
        "resultats.csv", "progression.csv", "remediation_groupes.csv",
        "remediation_seances.csv", "certification_candidatures.csv",
        "certification_resultats.csv",
    }
    data = json.loads(archive.read("donnees.json"))
    assert data["identite"] == [{
        "INE": pupil.ine, "Nom de famille": pupil.last_name, "Nom d’usage": pupil.usage_name,
        "Prénom": pupil.first_name, "Sexe": pupil.sex,
        "Date de naissance": pupil.birthdate.isoformat(),
        "Lieu de naissance": pupil.birth_place, "Établissement": "Collège Test",
        "UAI": "0170124T", "Créé le": data["identite"][0]["Créé le"],
        "Modifié le": data["identite"][0]["Modifié le"],
    }]
    account = data["compte"][0]
    assert account["Identifiant"] == pupil.user.username
    assert not [k for k in account if "mot de passe" in k.lower() and "changer" not in k]
    assert pupil.user.password not in archive.read("donnees.json").decode()
    assert len(data["inscriptions"]) == Enrolment.objects.filter(pupil=pupil).count()
    assert len(data["participations"]) == Participant.objects.filter(pupil=pupil).count() >= 2
    assert len(data["resultats"]) == Sending.objects.filter(participant__pupil=pupil).count()
    competences = json.loads(data["resultats"][0]["Compétences"])
    assert competences  # per-competence results
    assert len(data["progression"]) == PupilCompliance.objects.filter(pupil=pupil).count() == 1
    assert len(data["remediation_groupes"]) == GroupMember.objects.filter(pupil=pupil).count()
    assert len(data["remediation_seances"]) == Attendance.objects.filter(pupil=pupil).count() == 2
    # the CSV says the same as the JSON
    rows = list(csv.reader(io.StringIO(archive.read("participations.csv").decode("utf-8-sig")),
                           delimiter=";"))
    assert len(rows) == 1 + len(data["participations"])
    # and a certified pupil's export carries their certification result
    response = client.get(reverse("privacy:pupil_export", args=[certified.pk]))
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("donnees.json"))
    result = CertificationResult.objects.get(pupil=certified)
    assert [r["Numéro de certification"] for r in data["certification_resultats"]] == [
        result.certification_number]
    # and the export is logged without the pupil's name
    event = AuditEvent.objects.filter(action=AuditEvent.Action.PUPIL_EXPORT).first()
    assert event.actor == world.rupn and event.details == {"pupil_id": certified.pk}
    assert certified.last_name not in event.summary and "3A" in event.summary


def test_a_cell_of_the_export_never_runs_as_a_formula(client, world):
    Pupil.objects.filter(pk=world.pupil.pk).update(birth_place="=HYPERLINK(\"x\")")
    client.force_login(world.rupn)
    response = client.get(reverse("privacy:pupil_export", args=[world.pupil.pk]))
    identity = zipfile.ZipFile(io.BytesIO(response.content)).read("identite.csv").decode()
    cells = next(csv.reader(io.StringIO(identity.splitlines()[1]), delimiter=";"))
    assert "'=HYPERLINK(\"x\")" in cells


# --- the erasure ------------------------------------------------------------------------------


def test_the_confirmation_names_the_pupil_and_what_goes(client, world, departure):
    pupil = departure.gone[1]
    client.force_login(world.rupn)
    response = client.get(reverse("privacy:pupil_erase", args=[pupil.pk]))
    html = response.content.decode()
    assert f"Effacer {pupil.display_last_name} {pupil.first_name}" in html
    assert "2 présences à des séances" in html and "compte de connexion" in html
    assert 'method="post"' in html
    assert Pupil.objects.filter(pk=pupil.pk).exists()  # a GET erases nothing


def test_erasure_removes_the_pupil_everywhere_and_rebuilds_the_figures(
        client, world, departure, django_capture_on_commit_callbacks):
    # given a certified pupil with campaign results, and the figures they count in
    pupil = departure.gone[0]
    name = pupil.last_name
    user_id = pupil.user_id
    campaign_ids = list(Participant.objects.filter(pupil=pupil)
                        .values_list("campaign_id", flat=True))
    year = departure.year
    whole = AnalysisSummary.objects.get(establishment=world.establishment,
                                        school_year=year, division="")
    candidates = whole.figures["candidates"]
    participants_before = {
        c: ResultSummary.objects.get(campaign_id=c, division="").participants
        for c in campaign_ids}
    third_grade = {"establishment": world.establishment, "school_year": year, "grade": "3e",
                   "school_class": None}
    grade_pupils = ComplianceSummary.objects.get(**third_grade).pupils
    named = audit_record(establishment=world.establishment, by=world.rupn,
                         action=AuditEvent.Action.MATCHING,
                         summary=f"Résultat de certification rapproché de {pupil}")
    client.force_login(world.rupn)

    # when the RUPN confirms the erasure
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:pupil_erase", args=[pupil.pk]))

    # then the pupil and every row about them are gone
    assert response.status_code == 302 and response.url == reverse("pupils:list")
    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    assert not Enrolment.objects.filter(pupil_id=pupil.pk).exists()
    assert not Participant.objects.filter(last_name__iexact=name).exists()
    assert not CertificationResult.objects.filter(last_name__iexact=name).exists()
    assert not PupilCompliance.objects.filter(pupil_id=pupil.pk).exists()
    if user_id:
        assert not get_user_model().objects.filter(pk=user_id).exists()
    # and the aggregates they counted in are rebuilt without them
    whole.refresh_from_db()
    assert whole.figures["candidates"] == candidates - 1
    for campaign_id, before in participants_before.items():
        assert Campaign.objects.filter(pk=campaign_id).exists()
        assert ResultSummary.objects.get(campaign_id=campaign_id,
                                         division="").participants == before - 1
    assert ComplianceSummary.objects.get(**third_grade).pupils == grade_pupils - 1
    # and the log keeps the erasure, its class and counts, not the name
    event = AuditEvent.objects.get(action=AuditEvent.Action.PUPIL_ERASURE)
    assert event.summary == "Élève effacé (classe 3A)"
    assert event.actor == world.rupn and event.establishment == world.establishment
    assert event.details["certification_results"] == 1 and event.details["enrolments"] == 1
    assert name not in json.dumps(event.details)
    named.refresh_from_db()
    assert named.summary == "Résultat de certification rapproché de [élève effacé]"


def test_erasing_a_pupil_with_an_account_removes_the_account(client, world):
    user = world.pupil_user
    client.force_login(world.rupn)
    client.post(reverse("privacy:pupil_erase", args=[world.pupil.pk]))
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Membership.objects.filter(user_id=user.pk).exists()
