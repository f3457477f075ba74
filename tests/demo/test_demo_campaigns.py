"""The demo collège's campaigns: two school years of Pix results, imported as a user would."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from campaigns.models import Campaign, Participant, ResultSummary, Sending
from demo.builder import DEMO_UAI, build_demo
from establishments.models import Establishment, Pupil, SchoolYear
from jobs.models import Job


@pytest.fixture
def demo(db) -> Establishment:
    """The demo, small, built as on 23 November of this school year."""
    today = date(SchoolYear.start_year_of_today(), 11, 23)
    build_demo(classes_per_grade=1, pupils_per_class=8, teachers=3, today=today)
    return Establishment.objects.get(uai=DEMO_UAI)


def test_this_year_has_a_rentree_per_grade_a_thematic_parcours_and_profiles_collections(demo):
    year = demo.current_year
    campaigns = Campaign.objects.filter(establishment=demo, school_year=year)

    rentree = campaigns.filter(purpose=Campaign.Purpose.RENTREE)
    assert sorted(c.classes.get().grade for c in rentree) == ["3e", "4e", "5e", "6e"]
    assert {c.owner.username for c in rentree} == {"rupn@demo.pixorga.fr"}
    assert all(c.opens_on.month == 9 for c in rentree)
    thematic = campaigns.get(purpose=Campaign.Purpose.THEMATIC)
    assert (thematic.name, thematic.owner.username) == ("Sécurité numérique — 4e",
                                                         "prof1@demo.pixorga.fr")
    collections = campaigns.filter(purpose=Campaign.Purpose.PRE_CERTIFICATION).order_by("opens_on")
    assert [c.kind for c in collections] == [Campaign.Kind.PROFILES_COLLECTION] * 2
    mid_year, planned = collections
    assert mid_year.participants.exists() and mid_year.closes_on <= date(year.start_year, 11, 23)
    assert planned.opens_on.month == 5 and not planned.participants.exists()


def test_every_campaign_taken_has_its_summaries(demo):
    taken = Campaign.objects.filter(establishment=demo, participants__isnull=False).distinct()

    assert taken.count() == 11  # 5 last year, 6 this year
    for campaign in taken:
        divisions = set(campaign.participants.values_list("division", flat=True))
        summaries = {s.division: s for s in ResultSummary.objects.filter(campaign=campaign)}
        assert set(summaries) == {"", *divisions}, campaign
        assert summaries[""].participants == campaign.participants.count()
        assert summaries[""].shared > 0


def test_results_are_imported_by_the_import_jobs(demo):
    jobs = Job.objects.filter(establishment=demo)

    assert jobs.filter(kind=Job.Kind.PUPIL_IMPORT).count() == 2  # last year, this year
    assert jobs.filter(kind=Job.Kind.CAMPAIGN_IMPORT).count() == 11
    assert set(jobs.values_list("status", flat=True)) == {Job.Status.SUCCEEDED}


def test_a_few_participants_wait_in_the_matching_queue(demo):
    participants = Participant.objects.filter(campaign__establishment=demo)
    pending = participants.filter(match=Participant.Match.PENDING)

    assert 3 <= pending.count() <= 15
    assert pending.filter(last_name="Essai", candidates=[]).exists()  # no pupil at all
    # the two pupils of 4A with the same names: one participant, two sendings, two candidates
    homonyms = pending.annotate(sent=Count("sendings")).filter(division="4A", sent=2)
    assert homonyms.exists() and all(len(p.candidates) >= 2 for p in homonyms)
    assert participants.filter(match=Participant.Match.AUTO).count() > 5 * pending.count()


def test_pupils_have_results_in_two_school_years(demo):
    year = demo.current_year.start_year
    followed = Pupil.objects.filter(
        establishment=demo, participations__sendings__is_result=True,
    ).annotate(years=Count("participations__campaign__school_year", distinct=True)).filter(
        years=2)

    assert followed.count() >= 10
    pupil = followed.filter(enrolments__school_class__grade="5e",
                            enrolments__school_year__start_year=year).first()
    assert pupil is not None
    assert pupil.enrolments.get(school_year__start_year=year - 1).school_class.grade == "6e"
    results = Sending.objects.filter(participant__pupil=pupil, is_result=True)
    assert {s.participant.campaign.school_year.start_year for s in results} == {year - 1, year}


def test_seed_demo_twice_duplicates_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    counts = (Campaign.objects.count(), Participant.objects.count(), Sending.objects.count(),
              ResultSummary.objects.count(), Job.objects.count())

    call_command("seed_demo", stdout=StringIO())

    assert counts[0] == 12 and counts[2] > 1_000
    assert (Campaign.objects.count(), Participant.objects.count(), Sending.objects.count(),
            ResultSummary.objects.count(), Job.objects.count()) == counts
