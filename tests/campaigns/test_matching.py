"""Matching Pix participants to pupils: the pure rules, then decisions kept across imports."""

from __future__ import annotations

import pytest

from campaigns.imports import campaign_results_import
from campaigns.matching import (
    Decision,
    PupilIdentity,
    PupilIndex,
    match_participant,
    pupil_last_name_keys,
)
from campaigns.models import Campaign, MatchDecision, Participant
from campaigns.services import match_confirm, match_reject, match_reset
from pix.names import normalise_name
from tests.campaigns.factories import add_pupil, profile, profiles_export, when

AUTO, PENDING = Participant.Match.AUTO, Participant.Match.PENDING
CONFIRMED, NOT_OURS = Participant.Match.CONFIRMED, Participant.Match.NOT_OURS


def pupil(pupil_id: int, last: str, first: str, division: str, *, usage: str = "",
          left: bool = False) -> PupilIdentity:
    return PupilIdentity(pupil_id, pupil_last_name_keys(last, usage), normalise_name(first),
                         division, left)


def match(last: str, first: str, division: str, pupils, decisions=None):
    return match_participant(
        last_name_key=normalise_name(last), first_name_key=normalise_name(first),
        division=division, pupils=PupilIndex.build(pupils), decisions=decisions or {},
    )


# --- the rules, without a database -------------------------------------------------------------


@pytest.mark.parametrize(
    ("pix_last", "pix_first", "siecle_last", "siecle_first"),
    [
        ("FRANCOIS", "heloise", "FRANÇOIS", "Héloïse"),  # accents and case
        ("Lemaitre", "NOUR", "LEMAÎTRE", "Nour"),
        ("SAINT MARTIN", "Jean Baptiste", "SAINT-MARTIN", "Jean-Baptiste"),  # hyphens
        ("D’ALMEIDA", "Zoé", "D'ALMEIDA", "Zoé"),  # typographic and plain apostrophes
        ("DALMEIDA", "Zoe", "D'ALMEIDA", "Zoé"),  # apostrophe left out
        ("  Le  Gall ", "Maël", "LE GALL", "Maël"),  # spaces
        ("LEGALL", "Mael", "LE GALL", "Maël"),
        ("N'DIAYE", "Awa", "N’DIAYE", "Awa"),
    ],
)
def test_names_match_whatever_their_spelling(pix_last, pix_first, siecle_last, siecle_first):
    pupils = [pupil(1, siecle_last, siecle_first, "5A"), pupil(2, "MARTIN", "Léa", "5A")]

    result = match(pix_last, pix_first, "5A", pupils)

    assert (result.pupil_id, result.status) == (1, AUTO)


def test_homonyms_in_two_classes_are_told_apart_by_the_class():
    pupils = [pupil(1, "MARTIN", "Enzo", "5A"), pupil(2, "MARTIN", "Enzo", "5B")]

    assert match("Martin", "Enzo", "5B", pupils).pupil_id == 2
    assert match("Martin", "Enzo", "5A", pupils).pupil_id == 1
    assert match("Martin", "Enzo", "5A", pupils).status == AUTO


def test_homonyms_in_the_same_class_wait_for_a_person():
    pupils = [pupil(1, "MARTIN", "Enzo", "5A"), pupil(2, "MARTIN", "Enzo", "5A"),
              pupil(3, "MARTIN", "Enzo", "5B")]

    result = match("MARTIN", "Enzo", "5A", pupils)

    assert result.pupil_id is None
    assert result.status == PENDING
    assert result.candidates == (1, 2, 3)  # those of the export's class first


def test_homonyms_in_other_classes_only_wait_for_a_person():
    pupils = [pupil(1, "MARTIN", "Enzo", "5A"), pupil(2, "MARTIN", "Enzo", "5B")]

    result = match("MARTIN", "Enzo", "3C", pupils)

    assert (result.pupil_id, result.status, result.candidates) == (None, PENDING, (1, 2))


def test_a_pupil_who_changed_class_is_found_in_the_establishment():
    pupils = [pupil(1, "PETIT", "Noé", "5B"), pupil(2, "PETIT", "Noa", "5A")]

    result = match("PETIT", "Noé", "5A", pupils)

    assert (result.pupil_id, result.status) == (1, AUTO)


def test_a_participant_without_class_is_found_in_the_establishment():
    assert match("PETIT", "Noé", "", [pupil(1, "PETIT", "Noé", "5B")]).pupil_id == 1


def test_an_unknown_participant_waits_without_candidates():
    result = match("INCONNU", "Personne", "5A", [pupil(1, "PETIT", "Noé", "5A")])

    assert (result.pupil_id, result.status, result.candidates) == (None, PENDING, ())


@pytest.mark.parametrize(
    ("pix_last", "pix_first", "siecle_last", "siecle_first"),
    [
        ("MARTIN", "Léa", "MARTIN", "Léana"),  # first name starting the same
        ("MARTIN", "Louis", "MARTIN", "Louise"),
        ("MARTIN", "Jean", "MARTIN", "Jean-Baptiste"),
        ("Noé", "PETIT", "PETIT", "Noé"),  # names swapped
        ("LAMY", "Inès", "LAMY-DUBOIS", "Inès"),  # part of a compound name
        ("LAMY DUBOIS", "Inès", "LAMY", "Inès"),
        ("BERNAD", "Aminata", "BERNARD", "Aminata"),  # one letter missing
    ],
)
def test_close_names_are_candidates_never_automatic(pix_last, pix_first, siecle_last,
                                                     siecle_first):
    pupils = [pupil(7, siecle_last, siecle_first, "5A"), pupil(8, "ROUX", "Tom", "5A")]

    result = match(pix_last, pix_first, "5A", pupils)

    assert (result.pupil_id, result.status, result.candidates) == (None, PENDING, (7,))


def test_a_pupil_is_found_by_usage_name_and_by_birth_name():
    pupils = [pupil(1, "DUPONT", "Lina", "5A", usage="DUPONT-MOREAU")]

    assert match("Dupont-Moreau", "Lina", "5A", pupils).pupil_id == 1
    assert match("Dupont", "Lina", "5A", pupils).pupil_id == 1


def test_a_pupil_who_left_during_the_year_is_still_matched():
    result = match("PETIT", "Noé", "5A", [pupil(1, "PETIT", "Noé", "5A", left=True)])

    assert (result.pupil_id, result.status) == (1, AUTO)


def test_a_decision_wins_over_the_rules():
    pupils = [pupil(1, "MARTIN", "Enzo", "5A"), pupil(2, "MARTIN", "Enzo", "5A")]
    decisions = {("martin", "enzo", "5A"): Decision(2), ("roux", "tom", "5A"): Decision(None)}

    confirmed = match("MARTIN", "Enzo", "5A", pupils, decisions)
    not_ours = match("ROUX", "Tom", "5A", pupils, decisions)

    assert (confirmed.pupil_id, confirmed.status) == (2, CONFIRMED)
    assert (not_ours.pupil_id, not_ours.status) == (None, NOT_OURS)
    # a decision is for names *and* class: the same names elsewhere are not decided
    assert match("MARTIN", "Enzo", "5B", pupils, decisions).status == PENDING


# --- decisions, kept across imports and campaigns ----------------------------------------------


def _import(school, rows, code="TESTAB123"):
    report = campaign_results_import(establishment=school, data=profiles_export(rows, code=code))
    assert report.ok, [str(e) for e in report.errors]
    return report


def _homonyms(school):
    first = add_pupil(school, "MARTIN", "Enzo", "5A")
    second = add_pupil(school, "MARTIN", "Enzo", "5A")
    return first, second


def test_a_confirmed_decision_survives_a_reimport(school, rupn):
    _first, second = _homonyms(school)
    rows = [profile("MARTIN", "Enzo", "5A", shared_at=when(10, 6), pix={"1.1": 12})]
    report = _import(school, rows)
    participant = Participant.objects.get()
    assert participant.match == PENDING
    assert sorted(participant.candidates) == sorted(p.pk for p in _homonyms_of(school))

    match_confirm(participant=participant, pupil=second, by=rupn)
    newer = [profile("MARTIN", "Enzo", "5A", shared_at=when(11, 6), pix={"1.1": 20}), *rows]
    again = _import(school, newer)

    participant.refresh_from_db()
    assert (participant.pupil, participant.match) == (second, CONFIRMED)
    assert (report.counts["unmatched"], again.counts["matched"]) == (1, 1)
    decision = MatchDecision.objects.get()
    assert (decision.pupil, decision.not_ours, decision.decided_by) == (second, False, rupn)


def _homonyms_of(school):
    return school.pupils.filter(last_name="MARTIN", first_name="Enzo")


def test_a_decision_applies_to_the_same_participant_in_other_campaigns(school, rupn):
    _first, second = _homonyms(school)
    rows = [profile("MARTIN", "Enzo", "5A", shared_at=when(10, 6))]
    _import(school, rows, code="AAAAAA111")
    _import(school, rows, code="BBBBBB222")
    in_first = Participant.objects.get(campaign__code="AAAAAA111")

    match_confirm(participant=in_first, pupil=second, by=rupn)
    _import(school, rows, code="CCCCCC333")  # a campaign imported after the decision

    assert {(p.campaign.code, p.pupil_id, p.match)
            for p in Participant.objects.select_related("campaign")} == {
        ("AAAAAA111", second.pk, CONFIRMED),
        ("BBBBBB222", second.pk, CONFIRMED),
        ("CCCCCC333", second.pk, CONFIRMED),
    }


def test_not_ours_is_kept_and_applies_everywhere(school, rupn):
    add_pupil(school, "PETIT", "Noé", "5A")
    rows = [profile("ESSAI", "Professeur", "", shared_at=when(10, 6))]
    _import(school, rows, code="AAAAAA111")
    participant = Participant.objects.get()

    match_reject(participant=participant, by=rupn)
    report = _import(school, rows, code="BBBBBB222")
    _import(school, rows, code="AAAAAA111")

    assert set(Participant.objects.values_list("match", "pupil")) == {(NOT_OURS, None)}
    assert (report.counts["not_ours"], report.counts["unmatched"]) == (1, 0)


def test_a_decision_of_another_school_year_does_not_apply(school, rupn):
    _first, second = _homonyms(school)
    rows = [profile("MARTIN", "Enzo", "5A", shared_at=when(10, 6))]
    _import(school, rows, code="AAAAAA111")
    match_confirm(participant=Participant.objects.get(), pupil=second, by=rupn)
    last_year = Campaign.objects.get().school_year.start_year - 1
    older = [profile("MARTIN", "Enzo", "5A",
                     shared_at=when(10, 6).replace(year=last_year))]

    _import(school, older, code="BBBBBB222")

    assert Participant.objects.get(campaign__code="BBBBBB222").match == PENDING


def test_pupils_imported_later_are_matched_at_the_next_import(school):
    rows = [profile("PETIT", "Noé", "5A", shared_at=when(10, 6))]
    first = _import(school, rows)
    noe = add_pupil(school, "PETIT", "Noé", "5A")

    second = _import(school, rows)

    assert (first.counts["unmatched"], second.counts["matched"]) == (1, 1)
    assert Participant.objects.get().pupil == noe


def test_resetting_a_decision_lets_the_rules_decide_again(school, rupn):
    noe = add_pupil(school, "PETIT", "Noé", "5A")
    _import(school, [profile("PETIT", "Noé", "5A", shared_at=when(10, 6))])
    participant = Participant.objects.get()
    match_reject(participant=participant, by=rupn)

    match_reset(participant=participant, by=rupn)

    participant.refresh_from_db()
    assert (participant.pupil, participant.match) == (noe, AUTO)
    assert not MatchDecision.objects.exists()
