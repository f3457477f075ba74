"""Campaign and matching services."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from campaigns.imports import campaign_results_import
from campaigns.models import Campaign, MatchDecision, Participant, ResultSummary
from campaigns.services import (
    campaign_archive,
    campaign_create,
    campaign_unarchive,
    campaign_update,
    match_confirm,
    match_reject,
)
from campaigns.summaries import campaign_summaries_rebuild
from establishments.models import SchoolClass, SchoolYear
from tests.campaigns.factories import add_pupil, profile, profiles_export, when


def create(school, **kwargs):
    values = {"establishment": school, "by": None, "code": "qwrtzk482 ", "name": " Collecte 3e ",
              "kind": Campaign.Kind.PROFILES_COLLECTION}
    return campaign_create(**{**values, **kwargs})


# --- campaigns ---------------------------------------------------------------------------------


def test_create_a_campaign(school, rupn):
    year = school.current_year
    aimed = SchoolClass.objects.create(establishment=school, school_year=year, code="3A")

    campaign = create(school, by=rupn, parcours="", purpose=Campaign.Purpose.PRE_CERTIFICATION,
                      classes=[aimed], opens_on=date(2026, 5, 1), closes_on=date(2026, 6, 1))

    campaign.refresh_from_db()
    assert (campaign.code, campaign.name, campaign.owner, campaign.school_year) == (
        "QWRTZK482", "Collecte 3e", rupn, year)
    assert list(campaign.classes.all()) == [aimed]
    assert campaign.purpose == Campaign.Purpose.PRE_CERTIFICATION


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"code": "QWRTZ482"}, "code", "6 lettres puis 3 chiffres"),
        ({"kind": "quiz"}, "kind", "n’est pas un choix valide"),
        ({"opens_on": date(2026, 6, 2), "closes_on": date(2026, 6, 1)}, "closes_on",
         "La clôture ne peut pas précéder l’ouverture."),
        ({"name": ""}, "name", "Ce champ ne peut pas être vide."),
    ],
)
def test_create_refuses_invalid_campaigns(school, kwargs, field, message):
    with pytest.raises(ValidationError) as raised:
        create(school, **kwargs)

    assert message in " ".join(raised.value.message_dict[field])
    assert not Campaign.objects.exists()


def test_create_refuses_a_code_already_used_in_the_establishment(school, world):
    create(school)
    create(world.establishment)  # another establishment may have the same code

    with pytest.raises(ValidationError) as raised:
        create(school, name="Encore")

    assert raised.value.message_dict["code"] == [
        "Une campagne de l’établissement a déjà le code QWRTZK482."]


def test_create_refuses_classes_of_another_establishment_or_year(school, world):
    next_year, _ = SchoolYear.objects.get_or_create(start_year=school.current_year.start_year + 1)
    later = SchoolClass.objects.create(establishment=school, school_year=next_year, code="3A")

    for classes in ([world.taught_class], [later]):
        with pytest.raises(ValidationError) as raised:
            create(school, classes=classes)

        assert "classes" in raised.value.message_dict
    assert not Campaign.objects.filter(establishment=school).exists()


def test_update_changes_only_what_is_given(school):
    campaign = create(school, parcours="Parcours", opens_on=date(2026, 5, 1))

    campaign_update(campaign=campaign, name="Nouveau nom", closes_on=date(2026, 6, 30))

    campaign.refresh_from_db()
    assert (campaign.name, campaign.parcours, campaign.opens_on, campaign.closes_on) == (
        "Nouveau nom", "Parcours", date(2026, 5, 1), date(2026, 6, 30))


def test_update_keeps_code_and_type_once_results_are_imported(school):
    campaign = create(school, code="TESTAB123")
    campaign_update(campaign=campaign, code="testab124")  # no results yet: allowed
    campaign_results_import(establishment=school, campaign=campaign, data=profiles_export(
        [profile("A", "B", "5A", shared_at=when(10, 1))], code="TESTAB124"))

    with pytest.raises(ValidationError) as raised:
        campaign_update(campaign=campaign, code="TESTAB999", kind=Campaign.Kind.ASSESSMENT,
                        name="Autre")

    assert set(raised.value.message_dict) == {"code", "kind"}
    campaign.refresh_from_db()
    assert (campaign.code, campaign.kind, campaign.name) == (
        "TESTAB124", Campaign.Kind.PROFILES_COLLECTION, "Collecte 3e")


def test_archive_and_unarchive_are_idempotent(school, rupn):
    campaign = create(school)

    campaign_archive(campaign=campaign, by=rupn)
    archived_at = campaign.archived_at
    campaign_archive(campaign=campaign, by=rupn)

    campaign.refresh_from_db()
    assert campaign.archived_at == archived_at is not None
    campaign_unarchive(campaign=campaign, by=rupn)
    campaign_unarchive(campaign=campaign, by=rupn)
    campaign.refresh_from_db()
    assert campaign.archived_at is None


# --- matching ----------------------------------------------------------------------------------


@pytest.fixture
def homonyms(school):
    rows = [profile("MARTIN", "Enzo", "5A", shared_at=when(10, 1))]
    pupils = [add_pupil(school, "MARTIN", "Enzo", "5A"), add_pupil(school, "MARTIN", "Enzo", "5A")]
    for code in ("AAAAAA111", "BBBBBB222"):
        report = campaign_results_import(establishment=school,
                                         data=profiles_export(rows, code=code))
        campaign_summaries_rebuild(report.campaign)
    return pupils


def test_confirm_applies_everywhere_and_rebuilds_the_summaries(
        school, rupn, homonyms, django_capture_on_commit_callbacks):
    participant = Participant.objects.filter(campaign__code="AAAAAA111").get()
    assert set(ResultSummary.objects.values_list("matched", flat=True)) == {0}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decision = match_confirm(participant=participant, pupil=homonyms[1], by=rupn)

    assert (participant.pupil, participant.match) == (homonyms[1], Participant.Match.CONFIRMED)
    assert set(Participant.objects.values_list("pupil", "match")) == {
        (homonyms[1].pk, Participant.Match.CONFIRMED)}
    assert (decision.pupil, decision.decided_by, decision.school_year) == (
        homonyms[1], rupn, participant.campaign.school_year)
    assert len(callbacks) == 2  # one summaries rebuild per campaign
    assert set(ResultSummary.objects.values_list("matched", flat=True)) == {1}


def test_a_new_decision_replaces_the_old_one(school, rupn, homonyms):
    participant = Participant.objects.filter(campaign__code="AAAAAA111").get()
    match_confirm(participant=participant, pupil=homonyms[0], by=rupn)

    match_reject(participant=participant, by=rupn)

    decision = MatchDecision.objects.get()
    assert (decision.pupil, decision.not_ours) == (None, True)
    assert set(Participant.objects.values_list("pupil", "match")) == {
        (None, Participant.Match.NOT_OURS)}


def test_confirm_refuses_a_pupil_of_another_establishment(school, rupn, homonyms, world):
    participant = Participant.objects.filter(campaign__code="AAAAAA111").get()

    with pytest.raises(ValidationError, match="n’est pas un élève de l’établissement"):
        match_confirm(participant=participant, pupil=world.outsider_pupil, by=rupn)

    assert not MatchDecision.objects.exists()
    assert Participant.objects.filter(match=Participant.Match.PENDING).count() == 2
