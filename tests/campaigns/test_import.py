"""The campaign results import: what it writes, re-imports, errors, queries, the job."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import imports
from campaigns.imports import campaign_results_import, guess_purpose
from campaigns.models import Campaign, Participant, ResultSummary, Sending
from campaigns.services import campaign_create, campaign_import_start
from establishments.models import SchoolYear
from jobs.models import Job
from pix.campaigns import CampaignExport, CampaignKind, read_campaign_export
from pix.fake_results import Participant as FakeParticipant
from pix.fake_results import fake_campaign_export_bytes
from tests.campaigns.factories import (
    CODE,
    YEAR,
    add_pupil,
    assessment,
    assessment_export,
    break_line,
    profile,
    profiles_export,
    when,
)

PROFILES = [
    profile("PETIT", "Noé", "5A", shared_at=when(10, 8), pix={"1.1": 30, "2.1": 12}),
    profile("PETIT", "Noé", "5A", shared_at=when(10, 1), pix={"1.1": 20}),
    profile("ROBERT", "Éloïse", "5A", shared_at=None),
    profile("GARCIA", "Yanis", "5B", shared_at=when(10, 3), pix={"1.1": 9}),
    profile("INCONNU", "Personne", "5B", shared_at=when(10, 4), pix={"1.1": 45}),
]


@pytest.fixture
def pupils(school):
    return {
        "noe": add_pupil(school, "PETIT", "Noé", "5A"),
        "eloise": add_pupil(school, "ROBERT", "Éloïse", "5A"),
        "yanis": add_pupil(school, "GARCIA", "Yanis", "5B"),
    }


def run_import(school, data, **kwargs):
    return campaign_results_import(establishment=school, data=data, **kwargs)


def snapshot() -> dict:
    """Every stored value of participants and sendings, to compare before and after."""
    return {
        "participants": sorted(Participant.objects.values_list(
            "pk", "campaign_id", "last_name", "first_name", "division", "external_id",
            "last_name_key", "first_name_key", "pupil_id", "match", "candidates", "has_shared")),
        "sendings": sorted(Sending.objects.values_list(
            "pk", "participant_id", "shared", "shared_at", "started_at", "progression",
            "pix_total", "certifiable", "certifiable_competences", "mastery", "stage", "badges",
            "competences", "domains", "is_result", "fingerprint")),
    }


# --- profiles collection -----------------------------------------------------------------------


def test_a_profiles_collection_creates_its_campaign_participants_and_sendings(
        school, pupils, rupn):
    report = run_import(school, profiles_export(PROFILES, name="Collecte de profils 5e"),
                        by=rupn)

    assert report.ok
    assert report.counts == {"rows": 5, "participants": 4, "shared": 3, "matched": 3,
                             "unmatched": 1, "not_ours": 0, "new_sendings": 5}
    campaign = report.campaign
    assert (campaign.code, campaign.name, campaign.kind, campaign.pix_id, campaign.owner) == (
        CODE, "Collecte de profils 5e", Campaign.Kind.PROFILES_COLLECTION, 100001, rupn)
    assert campaign.school_year.start_year == YEAR
    assert campaign.purpose == Campaign.Purpose.OTHER  # 5e classes do not leave
    assert campaign.competence_codes == [f"{d}.{c}" for d, n in
                                         ((1, 3), (2, 4), (3, 4), (4, 3), (5, 2))
                                         for c in range(1, n + 1)]
    assert (campaign.stage_count, campaign.badge_names, campaign.external_id_label) == (
        None, [], "")
    assert campaign.results_imported_at is not None
    assert campaign.opens_on == when(10, 1).date()
    assert sorted(campaign.classes.values_list("code", flat=True)) == ["5A", "5B"]

    noe = Participant.objects.get(last_name="PETIT")
    assert (noe.pupil, noe.match, noe.has_shared, noe.division) == (
        pupils["noe"], Participant.Match.AUTO, True, "5A")
    result = noe.sendings.get(is_result=True)
    assert (result.shared_at, result.pix_total, result.certifiable) == (when(10, 8), 42, False)
    assert result.competences["1.1"] == {"level": 3, "pix": 30}
    assert result.competences["2.1"] == {"level": 1, "pix": 12}
    assert result.competences["5.2"] == {"level": 0, "pix": 0}
    eloise = Participant.objects.get(last_name="ROBERT")
    assert (eloise.has_shared, eloise.sendings.get().is_result) == (False, False)
    assert eloise.sendings.get().competences == {}
    unknown = Participant.objects.get(last_name="INCONNU")
    assert (unknown.pupil, unknown.match) == (None, Participant.Match.PENDING)
    assert Sending.objects.filter(is_result=True).count() == 3


def test_the_same_file_twice_changes_nothing(school, pupils):
    data = profiles_export(PROFILES)
    first = run_import(school, data)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        second = run_import(school, data)

    assert second.ok
    assert second.counts == {**first.counts, "new_sendings": 0}
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and '"campaigns_campaign"' in writes[0]  # results_imported_at
    assert (Campaign.objects.count(), Participant.objects.count(), Sending.objects.count()) == (
        1, 4, 5)
    assert snapshot() == before


def test_a_newer_export_adds_its_sendings_and_moves_the_result(school, pupils):
    run_import(school, profiles_export(PROFILES))
    before = snapshot()
    newer = [
        profile("GARCIA", "Yanis", "5B", shared_at=when(11, 20), pix={"1.1": 17}),
        *PROFILES,
        profile("NOUVEAU", "Venu", "5B", shared_at=when(11, 21)),
    ]

    report = run_import(school, profiles_export(newer))

    assert report.counts["new_sendings"] == 2
    assert report.counts["participants"] == 5
    assert Sending.objects.count() == 7
    yanis = Participant.objects.get(last_name="GARCIA")
    assert list(yanis.sendings.order_by("-shared_at").values_list("pix_total", "is_result")) == [
        (17, True), (9, False)]
    # other participants' rows are untouched
    unchanged = [s for s in before["sendings"] if s[1] != yanis.pk]
    assert all(s in snapshot()["sendings"] for s in unchanged)


def test_a_newer_unshared_sending_never_hides_an_older_shared_one(school, pupils):
    run_import(school, profiles_export([
        profile("GARCIA", "Yanis", "5B", shared_at=when(10, 3), pix={"1.1": 9})]))

    report = run_import(school, profiles_export([
        profile("GARCIA", "Yanis", "5B", shared_at=None),  # Pix lists the newest first
        profile("GARCIA", "Yanis", "5B", shared_at=when(10, 3), pix={"1.1": 9}),
    ]))

    yanis = Participant.objects.get()
    assert report.counts["new_sendings"] == 1
    assert yanis.has_shared
    assert list(yanis.sendings.order_by("pk").values_list("shared", "is_result")) == [
        (True, True), (False, False)]


def test_the_latest_shared_sending_is_the_result_whatever_the_order_of_rows(school, pupils):
    rows = [
        profile("PETIT", "Noé", "5A", shared_at=when(9, 20), pix={"1.1": 8}),
        profile("PETIT", "Noé", "5A", shared_at=when(12, 1), pix={"1.1": 40}),
        profile("PETIT", "Noé", "5A", shared_at=when(10, 15), pix={"1.1": 24}),
    ]

    run_import(school, profiles_export(rows))

    assert Sending.objects.get(is_result=True).pix_total == 40


def test_an_older_export_imported_after_a_newer_one_keeps_the_newest_result(school, pupils):
    older = [profile("PETIT", "Noé", "5A", shared_at=when(10, 1), pix={"1.1": 20})]
    newer = [profile("PETIT", "Noé", "5A", shared_at=when(11, 1), pix={"1.1": 33}), *older]
    run_import(school, profiles_export(newer))

    run_import(school, profiles_export(older))

    assert Sending.objects.get(is_result=True).pix_total == 33


def test_the_same_row_twice_in_a_file_is_one_sending(school, pupils):
    row = profile("PETIT", "Noé", "5A", shared_at=when(10, 1), pix={"1.1": 20})

    report = run_import(school, profiles_export([row, row]))

    assert (report.counts["rows"], report.counts["new_sendings"]) == (2, 1)


def test_external_ids_tell_participants_apart(school):
    rows = [profile("MARTIN", "Léa", "5A", shared_at=when(10, 1), external_id="A1"),
            profile("MARTIN", "Léa", "5A", shared_at=when(10, 1), external_id="A2")]

    report = run_import(school, profiles_export(rows, external_id_label="N° élève"))

    assert report.counts["participants"] == 2
    assert report.campaign.external_id_label == "N° élève"
    assert sorted(Participant.objects.values_list("external_id", flat=True)) == ["A1", "A2"]


def test_a_profiles_collection_of_leaving_classes_prepares_certification(school):
    rows = [profile("A", "B", "3A", shared_at=when(5, 10)),
            profile("C", "D", "301", shared_at=when(5, 10)),
            profile("E", "F", "4B", shared_at=when(5, 10))]

    report = run_import(school, profiles_export(rows))

    assert report.campaign.purpose == Campaign.Purpose.PRE_CERTIFICATION


# --- assessment --------------------------------------------------------------------------------

ASSESSMENT = [
    assessment("PETIT", "Noé", "5A", started_at=when(9, 15, 9), shared_at=when(9, 15, 10),
               skills={"1.1": (4, 2), "2.1": (4, 2)}, stage=2, badges={"Badge A": True}),
    assessment("ROBERT", "Éloïse", "5A", started_at=when(9, 16, 9), progression="0.4"),
    assessment("GARCIA", "Yanis", "5B", started_at=when(9, 17, 9), shared_at=when(9, 17, 10),
               skills={"1.1": (4, 1), "2.1": (4, 0)}, stage=1, badges={"Badge A": False}),
]


def test_an_assessment_keeps_mastery_stages_and_badges(school, pupils):
    report = run_import(school, assessment_export(ASSESSMENT, name="Parcours de rentrée 5e"))

    assert report.counts == {"rows": 3, "participants": 3, "shared": 2, "matched": 3,
                             "unmatched": 0, "not_ours": 0, "new_sendings": 3}
    campaign = report.campaign
    assert (campaign.kind, campaign.purpose, campaign.parcours) == (
        Campaign.Kind.ASSESSMENT, Campaign.Purpose.RENTREE, "Parcours de rentrée 5e")
    assert (campaign.competence_codes, campaign.stage_count, campaign.badge_names) == (
        ["1.1", "2.1"], 3, ["Badge A"])
    yanis = Sending.objects.get(participant__last_name="GARCIA")
    assert (yanis.mastery, yanis.stage, yanis.badges, yanis.is_result) == (
        Decimal("0.13"), 1, {"Badge A": False}, True)
    assert yanis.competences == {"1.1": {"rate": 0.25, "total": 4, "mastered": 1},
                                 "2.1": {"rate": 0.0, "total": 4, "mastered": 0}}
    assert yanis.domains == {"1": {"rate": 0.25, "total": 4, "mastered": 1},
                             "2": {"rate": 0.0, "total": 4, "mastered": 0}}
    eloise = Sending.objects.get(participant__last_name="ROBERT")
    assert (eloise.shared, eloise.started_at, eloise.progression, eloise.competences) == (
        False, when(9, 16, 9), Decimal("0.4"), {})


def test_an_assessment_reimported_changes_nothing(school, pupils):
    data = assessment_export(ASSESSMENT)
    run_import(school, data)
    before = snapshot()

    report = run_import(school, data)

    assert report.counts["new_sendings"] == 0
    assert snapshot() == before


def test_a_newer_unshared_participation_never_hides_an_older_shared_one(school, pupils):
    shared = assessment("PETIT", "Noé", "5A", started_at=when(9, 15, 9),
                        shared_at=when(9, 15, 10), skills={"1.1": (4, 2), "2.1": (4, 2)},
                        stage=2, badges={"Badge A": True})
    restarted = assessment("PETIT", "Noé", "5A", started_at=when(11, 2, 9), progression="0.2")

    run_import(school, assessment_export([restarted, shared]))

    noe = Participant.objects.get()
    assert noe.has_shared
    assert noe.sendings.get(is_result=True).shared_at == when(9, 15, 10)


@pytest.mark.parametrize(
    ("name", "parcours", "kind", "purpose"),
    [
        ("Parcours de rentrée 5e", "", CampaignKind.ASSESSMENT, Campaign.Purpose.RENTREE),
        ("Rentree 4e", "", CampaignKind.ASSESSMENT, Campaign.Purpose.RENTREE),
        ("Parcours 6e", "", CampaignKind.ASSESSMENT, Campaign.Purpose.SIXIEME),
        ("Identité numérique", "Parcours 6ème", CampaignKind.ASSESSMENT,
         Campaign.Purpose.SIXIEME),
        ("Sécurité 4e", "Sécurité", CampaignKind.ASSESSMENT, Campaign.Purpose.THEMATIC),
        ("Parcours 26e", "", CampaignKind.ASSESSMENT, Campaign.Purpose.THEMATIC),
        ("Examen blanc", "", CampaignKind.EXAM, Campaign.Purpose.OTHER),
    ],
)
def test_the_purpose_is_guessed_from_the_name(name, parcours, kind, purpose):
    export = CampaignExport(kind=kind, name=name, parcours=parcours)

    assert guess_purpose(export, {}) == purpose


# --- older formats, exams, school years --------------------------------------------------------


def test_older_header_variants_import_the_same_results(school, pupils):
    current = run_import(school, profiles_export(PROFILES)).counts
    current_assessment = run_import(school, assessment_export(ASSESSMENT, code="TESTAB124"))
    Campaign.objects.all().delete()

    older = run_import(school, profiles_export(PROFILES, older_format=True))
    older_assessment = run_import(school, assessment_export(ASSESSMENT, code="TESTAB124",
                                                            older_format=True))

    assert read_campaign_export(profiles_export(PROFILES, older_format=True)).older_format
    assert older.ok and older_assessment.ok
    assert older.counts == current
    assert older_assessment.counts == current_assessment.counts
    noe = Sending.objects.get(participant__campaign__code=CODE, participant__last_name="PETIT",
                              is_result=True)
    assert (noe.pix_total, timezone.localdate(noe.shared_at)) == (42, when(10, 8).date())
    assert older_assessment.campaign.parcours == "Parcours thématique test"


def test_an_exam_campaign_is_an_exam(school, pupils):
    report = run_import(school, assessment_export(ASSESSMENT, exam=True, name="Examen"))

    assert report.ok
    assert report.campaign.kind == Campaign.Kind.EXAM
    assert Sending.objects.filter(progression__isnull=False).count() == 0


def test_the_school_year_comes_from_the_dates_of_the_export(school):
    last_year = [profile("PETIT", "Noé", "5A", shared_at=when(10, 8).replace(year=YEAR - 1))]

    report = run_import(school, profiles_export(last_year))

    assert report.campaign.school_year.start_year == YEAR - 1
    assert SchoolYear.objects.filter(start_year=YEAR - 1).exists()


def test_without_any_date_the_campaign_is_of_the_current_year(school):
    report = run_import(school, profiles_export([profile("A", "B", "5A", shared_at=None)]))

    assert report.campaign.school_year == school.current_year


# --- campaigns given or created ----------------------------------------------------------------


def test_a_teacher_creates_a_campaign_by_importing_its_file(world):
    data = profiles_export([profile("X", "Y", "5A", shared_at=when(10, 8))], code="PROFAB777")

    report = run_import(world.establishment, data, by=world.teacher)

    campaign = Campaign.objects.get(code="PROFAB777")
    assert (report.campaign, campaign.owner, campaign.establishment) == (
        campaign, world.teacher, world.establishment)
    assert list(campaign.classes.all()) == [world.taught_class]


def test_an_existing_campaign_is_completed_not_duplicated(school, rupn):
    existing = campaign_create(establishment=school, by=rupn, code=CODE, name="Ma collecte",
                               kind=Campaign.Kind.PROFILES_COLLECTION)

    report = run_import(school, profiles_export(PROFILES, name="Nom dans Pix"))

    assert report.campaign == existing
    existing.refresh_from_db()
    assert (Campaign.objects.count(), existing.name, existing.pix_id) == (1, "Ma collecte",
                                                                          100001)


def test_the_file_must_be_the_export_of_the_given_campaign(school, rupn):
    campaign = campaign_create(establishment=school, by=rupn, code="AUTRES999", name="Autre",
                               kind=Campaign.Kind.PROFILES_COLLECTION)

    report = run_import(school, profiles_export(PROFILES), campaign=campaign)

    assert [str(e) for e in report.errors] == [
        "Ce fichier est l’export de la campagne TESTAB123, pas de la campagne AUTRES999 : "
        "vérifiez que vous importez le bon fichier."]
    assert not Participant.objects.exists()
    campaign.refresh_from_db()
    assert campaign.results_imported_at is None


def test_a_file_of_the_given_campaign_is_imported_into_it(school, rupn):
    campaign = campaign_create(establishment=school, by=rupn, code=CODE, name="Collecte",
                               kind=Campaign.Kind.PROFILES_COLLECTION)

    report = run_import(school, profiles_export(PROFILES), campaign=campaign)

    assert report.ok
    assert set(Participant.objects.values_list("campaign", flat=True)) == {campaign.pk}


def test_an_assessment_file_is_refused_for_a_profiles_collection(school, rupn):
    campaign = campaign_create(establishment=school, by=rupn, code=CODE, name="Collecte",
                               kind=Campaign.Kind.PROFILES_COLLECTION)

    for given in (campaign, None):
        report = run_import(school, assessment_export(ASSESSMENT), campaign=given)

        assert [str(e) for e in report.errors] == [
            "Ce fichier est l’export d’une campagne de type « Évaluation », alors que la "
            "campagne TESTAB123 est de type « Collecte de profils »."]
    assert not Participant.objects.exists()


def test_a_file_with_a_malformed_code_is_refused(school):
    report = run_import(school, profiles_export(PROFILES, code="abc"))

    assert [str(e) for e in report.errors] == [
        "Le code de campagne « ABC » du fichier n’est pas un code Pix (6 lettres puis 3 "
        "chiffres)."]
    assert not Campaign.objects.exists()


# --- all or nothing ----------------------------------------------------------------------------


def test_a_broken_file_writes_nothing_and_says_where(school, pupils):
    data = break_line(profiles_export(PROFILES), 5, b'"Oui"', b'"Peut-\xc3\xaatre"')
    data = break_line(data, 6, b";45;", b";douze;")

    report = run_import(school, data)

    assert [str(e) for e in report.errors] == [
        "Ligne 5, colonne « Envoi (O/N) » : « Oui » ou « Non » attendu, « Peut-être » trouvé",
        "Ligne 6, colonne « Nombre de pix total » : nombre entier attendu, « douze » trouvé",
    ]
    assert report.campaign is None
    assert not Campaign.objects.exists()
    assert not Participant.objects.exists() and not Sending.objects.exists()


def test_a_broken_newer_export_leaves_the_campaign_as_it_was(school, pupils):
    run_import(school, profiles_export(PROFILES))
    before = snapshot()
    newer = profiles_export([profile("NOUVEAU", "Venu", "5B", shared_at=when(11, 21)),
                             *PROFILES])

    report = run_import(school, break_line(newer, 2, b'"Oui"', b'"Ok"'))

    assert not report.ok
    assert snapshot() == before


def test_a_failure_while_writing_rolls_everything_back(school, pupils, monkeypatch):
    write = imports.bulk_insert  # COPY on PostgreSQL, bulk_create elsewhere

    def fail(model, objs):
        if model is Sending:  # the last write: the campaign and its participants are written
            raise RuntimeError("disk full")
        write(model, objs)

    monkeypatch.setattr(imports, "bulk_insert", fail)

    with pytest.raises(RuntimeError):
        run_import(school, profiles_export(PROFILES))

    assert not Campaign.objects.exists()
    assert not Participant.objects.exists()


def test_names_longer_than_the_columns_are_errors_not_crashes(school):
    rows = [profile("X" * 201, "Y", "5A", shared_at=when(10, 8))]

    report = run_import(school, profiles_export(rows))

    assert [str(e) for e in report.errors] == [
        "Ligne 2, colonne « Nom du Participant » : valeur trop longue (200 caractères au plus)"]
    assert not Campaign.objects.exists()


# --- queries -----------------------------------------------------------------------------------


def _fake_export(count: int) -> bytes:
    people = [FakeParticipant(f"NOM{i:03d}", "Prénom", "5A" if i % 2 else "5B", "5e")
              for i in range(count)]
    return fake_campaign_export_bytes(
        CampaignKind.PROFILES_COLLECTION, people, rng=random.Random(count), code=CODE,
        name="Collecte", start=when(10, 1), resend_rate=0.2, organisation="Collège Test",
    )


def _queries(school, data) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = run_import(school, data, confirmed=True)  # strangers, mostly
    assert report.ok
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_file(school, real_sqlite_limits):
    add_pupil(school, "NOM001", "Prénom", "5A")
    small = _queries(school, _fake_export(10))
    Campaign.objects.all().delete()

    large = _queries(school, _fake_export(100))
    again = _queries(school, _fake_export(100))  # a re-import reads more, writes less

    assert Participant.objects.count() == 100
    assert large == small
    assert again <= small


# --- the job -----------------------------------------------------------------------------------


def test_the_import_job_imports_then_summaries_are_built(
        school, pupils, rupn, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = campaign_import_start(establishment=school, by=rupn, filename="export.csv",
                                    data=profiles_export(PROFILES))

    job.refresh_from_db()
    campaign = Campaign.objects.get()
    assert (job.kind, job.status, job.errors) == (Job.Kind.CAMPAIGN_IMPORT,
                                                  Job.Status.SUCCEEDED, [])
    assert job.params == {"campaign_id": campaign.pk}
    assert job.counts["participants"] == 4
    assert campaign.owner == rupn
    assert ResultSummary.objects.get(campaign=campaign, division="").participants == 4


def test_a_failed_import_job_keeps_every_error(school, rupn, django_capture_on_commit_callbacks):
    data = break_line(profiles_export(PROFILES), 5, b'"Oui"', b'"Ok"')

    with django_capture_on_commit_callbacks(execute=True):
        job = campaign_import_start(establishment=school, by=rupn, filename="export.csv",
                                    data=data)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert [(e["line"], e["column"]) for e in job.errors] == [(5, "Envoi (O/N)")]
    assert job.params == {}
    assert not Campaign.objects.exists()


def test_an_import_job_for_a_given_campaign(school, rupn, django_capture_on_commit_callbacks):
    campaign = campaign_create(establishment=school, by=rupn, code=CODE, name="Collecte",
                               kind=Campaign.Kind.PROFILES_COLLECTION)

    with django_capture_on_commit_callbacks(execute=True):
        job = campaign_import_start(establishment=school, by=rupn, filename="export.csv",
                                    data=profiles_export(PROFILES), campaign=campaign)

    job.refresh_from_db()
    assert (job.status, job.params) == (Job.Status.SUCCEEDED, {"campaign_id": campaign.pk})
    assert campaign.participants.count() == 4
