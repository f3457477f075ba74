"""A year of results in the shared `world`, through the real imports: the 5e remediation of
tests/remediation (a rentrée assessment, groups, sessions with attendance, a later thematic
parcours), a profiles collection of 3A and 5A, 3A's certification results, objectives and the
compliance rebuild. Then some pupils leave: `Departure` says who, and when "today" is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from campaigns.models import Campaign, Participant
from campaigns.summaries import campaign_summaries_rebuild
from certification.models import CertificationResult
from establishments.models import Enrolment, Pupil, SchoolClass, SchoolYear
from progression.compliance import compliance_rebuild
from progression.services import objectives_apply_templates
from tests.certification.results_world import candidates_of, files_of, generated_rows, import_files
from tests.progression.helpers import at, import_profiles, profile_row
from tests.remediation.conftest import fifth, period, rentree  # noqa: F401 (fixtures)
from tests.remediation.test_effect import remediated  # noqa: F401 (fixture)


@dataclass
class Departure:
    year: SchoolYear  # the year of the results
    gone: list[Pupil]  # left at the end of `year`
    today: date  # three years after they left
    period: object  # the remediation period


@pytest.fixture
def results_year(world, remediated, period):  # noqa: F811
    establishment = world.establishment
    year = establishment.current_year
    pupils = list(Pupil.objects.filter(
        establishment=establishment, enrolments__school_year=year,
        enrolments__school_class__code__in=("3A", "5A")).order_by("pk"))
    levels = {"1.1": 2, "2.1": 1, "3.4": 3, "4.2": 1, "5.1": 2}
    rows = [profile_row(p, {c: (v + i) % 5 for c, v in levels.items()},
                        shared_at=at(year.start_year, 11, 20 + i % 5))
            for i, p in enumerate(pupils)]
    import_profiles(establishment, rows, name="Collecte de profils de novembre")
    import_files(establishment, files_of({"3A": generated_rows(candidates_of(establishment,
                                                                             "3A"))}))
    objectives_apply_templates(establishment=establishment, school_year=year, by=world.rupn)
    compliance_rebuild(establishment, school_years=[year])
    # What each import's follow-up task does.
    for campaign in Campaign.objects.filter(establishment=establishment):
        campaign_summaries_rebuild(campaign)
    return year


@pytest.fixture
def departure(world, results_year, fifth, period) -> Departure:  # noqa: F811
    """A 3A pupil with a validated certification and profiles, and 5e pupil 0 (remediated,
    with an account) leave at the end of the year; everyone else is still there three years
    later (enrolled in a class of that year)."""
    establishment = world.establishment
    certified = CertificationResult.objects.filter(
        establishment=establishment, status=CertificationResult.Status.VALIDATED,
        pupil__isnull=False).order_by("pk").first().pupil
    assert Participant.objects.filter(pupil=certified).exists()
    gone = [certified, fifth[0]]
    later, _ = SchoolYear.objects.get_or_create(start_year=results_year.start_year + 3)
    later_class = SchoolClass.objects.create(establishment=establishment, school_year=later,
                                             code="2NDE1", grade="")
    Enrolment.objects.bulk_create([
        Enrolment(pupil=p, school_year=later, school_class=later_class)
        for p in Pupil.objects.filter(establishment=establishment).exclude(
            pk__in=[p.pk for p in gone])
    ])
    # The year's end is 31 August; three years after it.
    today = date(results_year.start_year + 4, 9, 1)
    return Departure(results_year, gone, today, period)
