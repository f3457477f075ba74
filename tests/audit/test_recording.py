"""Each kind of event is recorded by the real view, task or command, in the right
establishment, with the right actor, a French summary and no secret."""

from __future__ import annotations

import io
import json
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from audit.services import audit_job_outcome
from campaigns.models import Participant
from certification.models import CertificationResult
from establishments.models import Invitation, Membership, Pupil
from establishments.services import invitation_create
from jobs.models import Job
from jobs.services import JobOutcome, job_create, job_run
from pix.fakes import fake_establishment_pupils
from pix.files import RowError
from pix.pupils import write_siecle_xml
from tests.campaigns.results_world import import_campaign, misspelt, pupils_of, start
from tests.certification.planning_world import build_planned
from tests.certification.results_world import (
    YEAR,
    as_candidate,
    build_case,
    candidates_of,
    cert_row,
    files_of,
    generated_rows,
)
from tests.certification.results_world import import_files as import_results
from tests.conftest import make_user

Action = AuditEvent.Action


def only_event(establishment, action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(establishment=establishment, action=action))
    assert len(events) == 1, [e.summary for e in events]
    return events[0]


def no_secret_in(event: AuditEvent, *secrets: str) -> None:
    text = event.summary + json.dumps(event.details)
    for secret in secrets:
        assert secret not in text


# --- downloads --------------------------------------------------------------------------------


@pytest.fixture
def campaign(world):
    return import_campaign(world.establishment, pupils_of(world.establishment, ["5A"]),
                           code="QWRTZK482", name="Rentrée 5e", owner=world.rupn)


@pytest.mark.parametrize(("extension", "label"), [("csv", "CSV"), ("xlsx", "Excel")])
def test_a_campaign_results_download_is_recorded(world, login, campaign, extension, label):
    # When the RUPN downloads the campaign's results
    response = login(world.rupn).get(
        reverse(f"campaigns:results_{extension}", args=[campaign.pk]))

    # Then the log says who downloaded which campaign's file, in French
    assert response.status_code == 200
    event = only_event(world.establishment, Action.DOWNLOAD)
    assert event.actor == world.rupn and event.actor_name == "Rupn@Test.Fr Test"
    assert event.summary == (f"Export {label} des résultats de la campagne « Rentrée 5e » "
                             "(QWRTZK482)")
    assert event.details == {"document": f"campaign_results_{extension}",
                             "filename": f"resultats-QWRTZK482.{extension}",
                             "campaign_id": campaign.pk, "code": "QWRTZK482"}


def test_the_summary_is_french_whatever_the_language_of_the_page(world, login, campaign):
    client = login(world.direction)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        client.get(reverse("campaigns:results_csv", args=[campaign.pk]),
                   HTTP_ACCEPT_LANGUAGE="en")

    event = only_event(world.establishment, Action.DOWNLOAD)
    assert event.summary.startswith("Export CSV des résultats de la campagne")
    assert event.actor == world.direction


def test_a_refused_download_records_nothing(world, login, campaign):
    # The teacher sees one class: the file of every class is refused
    response = login(world.teacher).get(reverse("campaigns:results_csv", args=[campaign.pk]))

    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


def test_the_progression_export_is_recorded_without_the_searched_name(world, login):
    response = login(world.teacher).get(reverse("progression:pupils_csv"),
                                        {"status": "all", "q": "Dupont"})

    assert response.status_code == 200
    event = only_event(world.establishment, Action.DOWNLOAD)
    assert event.actor == world.teacher
    year = world.establishment.current_year
    assert event.summary.startswith(f"Export CSV de la progression des élèves {year}")
    assert event.details["document"] == "progression_csv"
    assert event.details["filename"] == f"progression_0170124T_{year.start_year}.csv"
    assert event.details["filters"] == {"status": "all"}
    assert "Dupont" not in json.dumps(event.details)


@pytest.mark.parametrize(("url_name", "document", "start_of_summary"), [
    ("certification:session_candidates_csv", "candidates_csv",
     "Liste des candidats Pix Certif (CSV) de la session du 11/05/"),
    ("certification:session_candidates_xlsx", "candidates_xlsx",
     "Liste des candidats Pix Certif (Excel) de la session du 11/05/"),
    ("certification:attendance_sheet", "attendance_sheet",
     "Feuille d’émargement de la session du 11/05/"),
])
def test_a_session_document_is_recorded(world, login, url_name, document, start_of_summary):
    planned = build_planned(world)
    response = login(world.rupn).get(reverse(url_name, args=[planned.session.pk]))

    assert response.status_code == 200
    event = only_event(world.establishment, Action.DOWNLOAD)
    candidates = planned.session.candidates.count()
    assert event.actor == world.rupn
    assert event.summary.startswith(start_of_summary)
    assert event.summary.endswith(f"08:00, Salle info (candidats : {candidates})")
    assert event.details["document"] == document
    assert event.details["session_id"] == planned.session.pk
    assert event.details["candidates"] == candidates
    assert not AuditEvent.objects.filter(establishment=world.outsider_establishment).exists()


def test_convocations_and_the_invigilation_schedule_are_recorded(world, login):
    planned = build_planned(world)
    client = login(world.direction)

    client.get(reverse("certification:convocations_pdf"), {"classe": "3Z"})
    client.get(reverse("certification:invigilation_pdf"))

    convocations, schedule = AuditEvent.objects.filter(
        establishment=world.establishment).order_by("pk")
    count = planned.session.candidates.count()
    assert convocations.summary == (
        "Convocations à la certification Pix (convocations : 0)")  # 3Z is no class
    assert convocations.details["filters"] == {"session": "", "classe": "3Z"}
    assert schedule.summary == (
        "Planning des surveillances de la certification Pix (surveillants : 1)")
    assert {convocations.actor, schedule.actor} == {world.direction}
    client.get(reverse("certification:convocations_pdf"))
    assert AuditEvent.objects.order_by("-pk").first().details["convocations"] == count


def test_a_pupil_downloading_their_convocation_is_recorded(world, login):
    planned = build_planned(world)
    response = login(planned.pupil_user).get(reverse("certification:my_convocation_pdf"))

    assert response.status_code == 200
    event = only_event(world.establishment, Action.DOWNLOAD)
    assert event.actor == planned.pupil_user
    assert event.summary == (f"Convocation de {planned.pupil} à la certification Pix, "
                             "par l’élève")
    assert event.details["pupil_id"] == planned.pupil.pk


@pytest.mark.parametrize(("suffix", "document", "summary"), [
    ("bilan.xlsx", "bilan_xlsx", "Bilan de certification {y} (classeur Excel)"),
    ("bilan.pdf", "bilan_pdf", "Bilan de certification {y} (PDF)"),
    ("analyse.csv", "analysis_csv", "Tableau d’analyse de certification {y} (CSV)"),
])
def test_a_bilan_download_is_recorded(client, db, suffix, document, summary):
    case = build_case()
    principal = make_user("principal@calcul.fr", first="Paule", last="Principale")
    Membership.objects.create(user=principal, establishment=case.establishment,
                              role=Membership.Role.DIRECTION)
    client.force_login(principal)

    assert client.get(f"/bilans/certification/{YEAR}/{suffix}").status_code == 200

    event = only_event(case.establishment, Action.DOWNLOAD)
    assert (event.actor, event.actor_name) == (principal, "Paule Principale")
    assert event.summary == summary.format(y=f"{YEAR}-{YEAR + 1}")
    assert event.details["document"] == document
    assert event.details["school_year"] == YEAR


def test_printing_login_cards_is_recorded_without_the_passwords(world, login):
    client = login(world.rupn)
    response = client.post(reverse("team:pupil_accounts"),
                           {"classes": [world.untaught_class.pk]})
    cards = response.context["classes"]["5B"]

    event = AuditEvent.objects.get(action=Action.DOWNLOAD)
    assert event.actor == world.rupn
    assert event.summary == f"Cartes de connexion des élèves (cartes : {len(cards)} ; classes : 5B)"
    assert sorted(event.details["pupil_ids"]) == sorted(card.pupil_id for card in cards)
    no_secret_in(event, *(card.password for card in cards))


# --- imports ----------------------------------------------------------------------------------


def siecle_file(establishment, count=4, seed=11) -> bytes:
    year = establishment.current_year.start_year
    rows = fake_establishment_pupils([("4A", "4e", count)], school_year=year,
                                     rng=random.Random(seed))
    return write_siecle_xml(rows, uai=establishment.uai, school_year=year)


def test_a_pupil_base_upload_records_its_outcome(world, login,
                                                 django_capture_on_commit_callbacks):
    client = login(world.rupn)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pupils:import"), {
            "file": SimpleUploadedFile("siecle.xml", siecle_file(world.establishment))})

    job = Job.objects.get(kind=Job.Kind.PUPIL_IMPORT)
    event = only_event(world.establishment, Action.IMPORT)
    assert event.actor == world.rupn
    rows = job.counts["rows"]
    assert event.summary == f"Import de la base élèves « siecle.xml » : réussi, {rows} élèves"
    assert event.details["job_id"] == job.pk and event.details["ok"] is True
    assert event.details["counts"]["created"] == job.counts["created"]


def test_a_refused_campaign_upload_records_its_failure(world, login,
                                                       django_capture_on_commit_callbacks):
    client = login(world.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:import"), {
            "file": SimpleUploadedFile("export.csv", b"not;a;pix;file\n1;2;3;4\n")})

    job = Job.objects.get(kind=Job.Kind.CAMPAIGN_IMPORT)
    assert job.status == Job.Status.FAILED
    event = only_event(world.establishment, Action.IMPORT)
    assert event.actor == world.teacher
    errors = len(job.errors)
    assert event.summary == (
        "Import de résultats de campagne « export.csv » : refusé "
        f"({errors} erreur{'s' if errors > 1 else ''}), rien n’a été enregistré")
    assert event.details["ok"] is False and event.details["errors"] == errors


def test_a_campaign_upload_records_the_campaign(world, login,
                                                django_capture_on_commit_callbacks):
    from pix.campaign_format import CampaignKind
    from pix.fake_results import fake_campaign_export_bytes

    people = pupils_of(world.establishment, ["5A"])
    data = fake_campaign_export_bytes(CampaignKind.PROFILES_COLLECTION, people,
                                      rng=random.Random(5), code="IMPORT101",
                                      name="Campagne IMPORT101", start=start(), share_rate=1.0,
                                      organisation=world.establishment.name)
    with django_capture_on_commit_callbacks(execute=True):
        login(world.rupn).post(reverse("campaigns:import"),
                               {"file": SimpleUploadedFile("export.csv", data)})

    job = Job.objects.get(kind=Job.Kind.CAMPAIGN_IMPORT)
    event = only_event(world.establishment, Action.IMPORT)
    assert event.summary == (f"Import de résultats de campagne « export.csv » : réussi, "
                             f"{len(people)} participants")
    assert event.details["campaign_id"] == job.params["campaign_id"]


def test_a_certification_upload_records_its_outcome(world, login,
                                                    django_capture_on_commit_callbacks):
    files = files_of({"3A": generated_rows(candidates_of(world.establishment, "3A"))})
    uploads = []
    for name, data in files.items():
        upload = io.BytesIO(data)
        upload.name = name
        uploads.append(upload)
    with django_capture_on_commit_callbacks(execute=True):
        login(world.rupn).post(reverse("certification:results_import"), {"files": uploads})

    job = Job.objects.get(kind=Job.Kind.CERTIFICATION_IMPORT)
    event = only_event(world.establishment, Action.IMPORT)
    n = job.counts["certifications"]
    assert event.summary == (f"Import de résultats de certification « {job.filename} » : "
                             f"réussi, {n} certifications")
    assert event.actor == world.rupn


def test_a_pix_edu_job_outcome_is_recorded_by_the_helper(world):
    # The Pix+ Édu import's task calls the same helper with what job_run returns
    job = job_create(establishment=world.establishment, kind=Job.Kind.PIX_EDU_IMPORT,
                     by=world.rupn, filename="pix-edu.csv")
    finished = job_run(job.pk, lambda job, progress: JobOutcome(counts={"teachers": 1}))

    audit_job_outcome(finished)

    event = only_event(world.establishment, Action.IMPORT)
    assert event.summary == ("Import du suivi Pix+ Édu « pix-edu.csv » : réussi, 1 enseignant "
                             "mis à jour")


def test_a_retried_task_records_the_outcome_once(world):
    job = job_create(establishment=world.establishment, kind=Job.Kind.PUPIL_IMPORT,
                     by=world.rupn, filename="e.xml")
    failing = job_run(job.pk, lambda job, progress: JobOutcome(errors=[RowError(3, "x")]))

    audit_job_outcome(failing)
    audit_job_outcome(job_run(job.pk, lambda job, progress: JobOutcome()))  # redelivered
    audit_job_outcome(None)  # a deleted job
    unfinished = job_create(establishment=world.establishment, kind=Job.Kind.PUPIL_IMPORT,
                            by=world.rupn, filename="f.xml")
    audit_job_outcome(unfinished)

    event = only_event(world.establishment, Action.IMPORT)
    assert event.summary == ("Import de la base élèves « e.xml » : refusé (1 erreur), rien "
                             "n’a été enregistré")


# --- commands (the platform acts: no actor) -----------------------------------------------------


def test_command_imports_and_exports_are_recorded_as_the_platform(world, tmp_path):
    siecle = tmp_path / "siecle.xml"
    siecle.write_bytes(siecle_file(world.establishment))
    call_command("import_pupils", "--uai", "0170124T", str(siecle), stdout=io.StringIO())
    campaign = import_campaign(world.establishment, pupils_of(world.establishment, ["5A"]),
                               code="QWRTZK482", name="Rentrée 5e")
    call_command("export_campaign_results", "--uai", "0170124T", "--code", "QWRTZK482",
                 "--output", str(tmp_path / "r.xlsx"), stdout=io.StringIO())
    call_command("export_progression", "--uai", "0170124T", "--output",
                 str(tmp_path / "p.csv"), stdout=io.StringIO())

    imported, exported, progression = AuditEvent.objects.filter(
        establishment=world.establishment).order_by("pk")
    assert {imported.actor_id, exported.actor_id, progression.actor_id} == {None}
    assert imported.action == Action.IMPORT and imported.details["source"] == "command"
    assert imported.summary.startswith("Import de la base élèves « siecle.xml » : réussi")
    assert exported.summary == ("Export Excel des résultats de la campagne « Rentrée 5e » "
                                "(QWRTZK482), par la commande du serveur")
    assert exported.details["campaign_id"] == campaign.pk
    assert progression.details["filename"] == "p.csv"


def test_a_refused_command_import_is_recorded(world, tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_bytes(b"nothing;useful\n")
    with pytest.raises(Exception):  # noqa: B017  (CommandError: the import was refused)
        call_command("import_campaign_results", "--uai", "0170124T", str(bad),
                     stdout=io.StringIO(), stderr=io.StringIO())

    event = only_event(world.establishment, Action.IMPORT)
    assert event.actor is None and event.details["ok"] is False


def test_command_certification_import_and_analysis_export_are_recorded(world, tmp_path):
    files = files_of({"3A": generated_rows(candidates_of(world.establishment, "3A"))})
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    call_command("import_certification_results", "--uai", "0170124T", *paths,
                 stdout=io.StringIO(), stderr=io.StringIO())
    call_command("export_certification_analysis", "--uai", "0170124T", "--year",
                 f"{YEAR}-{YEAR + 1}", "--output", str(tmp_path / "a.csv"), stdout=io.StringIO())

    imported, exported = AuditEvent.objects.filter(establishment=world.establishment)\
        .order_by("pk")
    assert imported.action == Action.IMPORT and imported.actor is None
    assert imported.details["kind"] == Job.Kind.CERTIFICATION_IMPORT
    assert exported.summary == (f"Tableau d’analyse de certification {YEAR}-{YEAR + 1} (CSV), "
                                "par la commande du serveur")


# --- team: roles, removals, invitations ---------------------------------------------------------


def test_a_role_change_is_recorded(world, login):
    member = Membership.objects.get(user=world.teacher)
    login(world.rupn).post(reverse("team:member_edit", args=[member.pk]),
                           {"role": "direction"})

    event = only_event(world.establishment, Action.ROLE_CHANGE)
    assert event.actor == world.rupn
    assert event.summary == "Prof@Test.Fr Test : Enseignant (5A) → Direction"
    assert event.details["classes_before"] == ["5A"] and event.details["classes"] == []


def test_giving_a_teacher_other_classes_is_recorded_and_saving_unchanged_is_not(world, login):
    member = Membership.objects.get(user=world.teacher)
    client = login(world.rupn)
    url = reverse("team:member_edit", args=[member.pk])

    client.post(url, {"role": "teacher", "taught_classes": [world.taught_class.pk]})
    assert not AuditEvent.objects.exists()
    client.post(url, {"role": "teacher", "taught_classes": [world.taught_class.pk,
                                                            world.untaught_class.pk]})

    event = only_event(world.establishment, Action.ROLE_CHANGE)
    assert event.summary == "Prof@Test.Fr Test : Enseignant (5A) → Enseignant (5A, 5B)"


def test_a_member_removal_is_recorded_and_reads_right_once_they_are_gone(world, login):
    member = Membership.objects.get(user=world.other_teacher)
    login(world.rupn).post(reverse("team:member_remove", args=[member.pk]))

    assert not Membership.objects.filter(pk=member.pk).exists()
    event = only_event(world.establishment, Action.MEMBER_REMOVAL)
    assert event.actor == world.rupn
    assert event.summary == "Prof2@Test.Fr Test (Enseignant) retiré de l’établissement"


def test_an_invitation_sent_and_accepted_is_recorded_without_its_token(
        client, world, django_capture_on_commit_callbacks):
    client.force_login(world.rupn)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("team:invite"), {
            "first_name": "Anne", "last_name": "Prof", "email": "anne.prof@ac-test.fr",
            "role": Membership.Role.TEACHER})
    invitation = Invitation.objects.get()
    client.logout()
    client.post(reverse("invitation_accept", args=[invitation.token]),
                {"password1": "Un-mot-de-passe-solide-42", "password2":
                 "Un-mot-de-passe-solide-42"})

    sent, accepted = AuditEvent.objects.filter(action=Action.INVITATION).order_by("pk")
    assert sent.establishment == world.establishment and sent.actor == world.rupn
    assert sent.summary == "Invitation envoyée à anne.prof@ac-test.fr (Enseignant)"
    assert accepted.actor.email == "anne.prof@ac-test.fr"
    assert accepted.summary == "Invitation acceptée par anne.prof@ac-test.fr (Enseignant)"
    for event in (sent, accepted):
        no_secret_in(event, invitation.token, "Un-mot-de-passe-solide-42")


def test_an_invitation_accepted_by_an_existing_account_is_recorded(world, login):
    invitation = invitation_create(
        establishment=world.outsider_establishment, email="prof@test.fr", first_name="P",
        last_name="T", role=Membership.Role.TEACHER, by=world.outsider, base_url="http://x/")
    login(world.teacher).post(reverse("invitation_accept", args=[invitation.token]))

    accepted = AuditEvent.objects.filter(action=Action.INVITATION).order_by("pk").last()
    assert accepted.establishment == world.outsider_establishment
    assert accepted.actor == world.teacher and accepted.details["new_account"] is False


# --- pupil accounts -------------------------------------------------------------------------------


def test_generating_pupil_accounts_is_recorded_without_passwords(world, login):
    client = login(world.rupn)
    response = client.post(reverse("team:pupil_accounts"),
                           {"classes": [world.untaught_class.pk]})
    cards = response.context["classes"]["5B"]

    event = only_event(world.establishment, Action.PUPIL_ACCOUNTS)
    assert event.actor == world.rupn
    assert event.summary == f"Comptes élèves générés : {len(cards)} (5B)"
    assert event.details["accounts"] == len(cards)
    no_secret_in(event, *(card.password for card in cards))


def test_a_password_reset_is_recorded_without_the_password(world, login):
    client = login(world.rupn)
    response = client.post(reverse("pupils:password_reset", args=[world.pupil.pk]))
    card = response.context["classes"]["5A"][0]

    event = only_event(world.establishment, Action.PASSWORD_RESET)
    assert event.actor == world.rupn
    assert event.summary == f"Mot de passe provisoire de {world.pupil} (5A) réinitialisé"
    assert event.details == {"pupil_id": world.pupil.pk, "username": "eleve.test"}
    no_secret_in(event, card.password)


# --- matching decisions ---------------------------------------------------------------------------


def test_campaign_matching_decisions_are_recorded(world, login):
    people = pupils_of(world.establishment, ["5A"])
    campaign = import_campaign(world.establishment, [misspelt(people[0]), *people[1:]],
                               code="MATCHS123")
    participant = campaign.participants.get(match=Participant.Match.PENDING)
    pupil = Pupil.objects.get(pk=participant.candidates[0])
    client = login(world.rupn)

    client.post(reverse("campaigns:participant_decide", args=[participant.pk]),
                {"action": "confirm", "pupil": pupil.pk})
    client.post(reverse("campaigns:participant_decide", args=[participant.pk]),
                {"action": "reject"})

    confirmed, rejected = AuditEvent.objects.filter(action=Action.MATCHING).order_by("pk")
    name = f"{participant.last_name} {participant.first_name}"
    assert confirmed.summary == f"Campagne MATCHS123 : {name} (5A) rapproché de {pupil}"
    assert rejected.summary == (f"Campagne MATCHS123 : {name} (5A) n’est pas un élève de "
                                "l’établissement")
    assert confirmed.details["pupil_id"] == pupil.pk and rejected.details["pupil_id"] is None
    assert {confirmed.actor, rejected.actor} == {world.rupn}
    assert confirmed.establishment == world.establishment


def test_certification_matching_decisions_are_recorded(world, login):
    first = Pupil.objects.filter(establishment=world.establishment,
                                 enrolments__school_class__code="3A").order_by("pk").first()
    rows = [cert_row(as_candidate(first, "3A", last_name="ZZINCONNU"), number="100002",
                     pix=100, competences=1)]
    import_results(world.establishment, files_of({"3A": rows}))
    result = CertificationResult.objects.get(certification_number="100002")
    client = login(world.rupn)

    client.post(reverse("certification:result_decide", args=[result.pk]),
                {"action": "confirm", "pupil": first.pk})
    client.post(reverse("certification:result_decide", args=[result.pk]),
                {"action": "reject"})

    confirmed, rejected = AuditEvent.objects.filter(action=Action.MATCHING).order_by("pk")
    assert confirmed.summary == (f"Certification n° 100002 : ZZINCONNU {first.first_name} "
                                 f"rapproché de {first}")
    assert rejected.summary.endswith("n’est pas un élève de l’établissement")
    assert confirmed.details["queue"] == "certification"
    assert {confirmed.actor, rejected.actor} == {world.rupn}


def test_reprinted_cards_are_recorded_as_password_resets_without_passwords(world, login):
    client = login(world.rupn)
    client.post(reverse("team:pupil_accounts"), {"classes": [world.untaught_class.pk]})

    response = client.post(reverse("team:pupil_accounts"),
                           {"classes": [world.untaught_class.pk], "reissue": "on"})

    cards = response.context["classes"]["5B"]
    event = only_event(world.establishment, Action.PASSWORD_RESET)
    assert event.actor == world.rupn
    assert event.summary == (
        f"Cartes réimprimées avec un nouveau mot de passe provisoire : {len(cards)} (5B)")
    assert sorted(event.details["pupil_ids"]) == sorted(card.pupil_id for card in cards)
    no_secret_in(event, *(card.password for card in cards))
