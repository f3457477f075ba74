"""Opening a new school year keeps every pupil's history by INE: import year N, open N+1,
import again; then a grade compared year on year."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError

from establishments.imports import pupil_base_import
from establishments.models import Enrolment, Pupil, SchoolClass, SchoolYear
from pix.fakes import fake_establishment_pupils
from pix.pupils import write_siecle_xml
from progression import services
from progression.compliance import compliance_rebuild
from progression.models import ComplianceSummary, Objective, PupilCompliance
from progression.rules import TEMPLATES, RuleKind, RuleSpec
from progression.selectors import pupil_years, year_on_year
from tests.conftest import make_establishment
from tests.progression.helpers import at, import_profiles, make_objective, profile_row


def _siecle(establishment, rows, year):
    data = write_siecle_xml(rows, uai=establishment.uai, school_year=year)
    report = pupil_base_import(establishment=establishment, data=data, filename="siecle.xml")
    assert report.ok, [str(e) for e in report.errors]
    return report


@pytest.fixture
def school(db):
    establishment = make_establishment("0170456K", "Collège des Années")
    year = establishment.current_year.start_year
    rows = fake_establishment_pupils([("6A", "6e", 4), ("5A", "5e", 4)], school_year=year,
                                     rng=random.Random(5))
    _siecle(establishment, rows, year)
    return establishment, rows


def _moved_up(rows):
    return [replace(r, division={"6A": "5A", "5A": "4A"}[r.division]) for r in rows]


def test_a_new_year_keeps_every_pupil_by_ine(school, django_capture_on_commit_callbacks):
    establishment, rows = school
    first = establishment.current_year
    pupil_ids = set(Pupil.objects.filter(establishment=establishment).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        second = services.school_year_open_next(establishment=establishment, by=None)
    establishment.refresh_from_db()
    report = _siecle(establishment, _moved_up(rows), second.start_year)

    assert establishment.current_year == second
    assert second.start_year == first.start_year + 1
    assert report.school_year == second
    # same Pupil rows, one enrolment per year each
    assert set(Pupil.objects.filter(establishment=establishment)
               .values_list("pk", flat=True)) == pupil_ids
    assert report.counts["created"] == 0
    for pupil in Pupil.objects.filter(establishment=establishment):
        classes = dict(
            Enrolment.objects.filter(pupil=pupil).values_list("school_year__start_year",
                                                              "school_class__code")
        )
        assert set(classes) == {first.start_year, second.start_year}
        assert {classes[first.start_year], classes[second.start_year]} in (
            {"6A", "5A"}, {"5A", "4A"})
    assert SchoolClass.objects.filter(establishment=establishment, school_year=first).count() == 2
    assert SchoolClass.objects.filter(establishment=establishment, school_year=second).count() == 2


def test_history_follows_the_pupil_into_the_new_year(school):
    establishment, rows = school
    first = establishment.current_year
    pupil = Pupil.objects.get(establishment=establishment, ine=rows[0].ine)  # 6A then 5A
    import_profiles(establishment, [profile_row(pupil, {"1.1": 1}, shared_at=at(
        first.start_year, 10, 1))], name="Collecte de 6e")
    make_objective(establishment, "6e", [RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=1, count=1)])
    make_objective(establishment, "5e", TEMPLATES["5e"].rules, name="Objectif de 5e")

    second = services.school_year_open_next(establishment=establishment, by=None)
    establishment.refresh_from_db()
    _siecle(establishment, _moved_up(rows), second.start_year)
    import_profiles(establishment, [profile_row(pupil, {"1.1": 2, "2.1": 1}, shared_at=at(
        second.start_year, 10, 1))], name="Collecte de 5e")
    report = compliance_rebuild(establishment)

    assert report.pupils == {second.start_year: 8, first.start_year: 8}
    # the objectives were carried over to the new year
    assert Objective.objects.filter(school_year=second).count() == 2
    last_year = PupilCompliance.objects.get(pupil=pupil, school_year=first)
    this_year = PupilCompliance.objects.get(pupil=pupil, school_year=second)
    # last year's row uses last year's data only, this year's the newest
    assert (last_year.grade, last_year.levels["1.1"], last_year.met) == ("6e", 1, True)
    assert (this_year.grade, this_year.levels["1.1"], this_year.met) == ("5e", 2, False)
    timeline = pupil_years(pupil)
    assert [y.year for y in timeline] == [second, first]
    assert [s.participant.campaign.name for s in timeline[0].results] == ["Collecte de 5e"]
    assert [s.participant.campaign.name for s in timeline[1].results] == ["Collecte de 6e"]
    assert timeline[1].school_class.code == "6A"
    assert timeline[0].school_class.code == "5A"
    # the stored levels keep their date and source
    current = this_year.current_levels()
    assert current["1.1"].level == 2 and current["1.1"].label == "Collecte de 5e"
    assert current["1.1"].on == at(second.start_year, 10, 1).date()


def test_grade_year_on_year(school):
    establishment, rows = school
    first = establishment.current_year
    fives = list(Pupil.objects.filter(enrolments__school_class__code="5A",
                                      enrolments__school_year=first))
    import_profiles(establishment, [
        profile_row(p, dict.fromkeys(("1.1", "2.1", "3.1", "4.1", "5.1"), 1),
                    shared_at=at(first.start_year, 10, 1)) for p in fives[:2]
    ])
    second = services.school_year_open_next(establishment=establishment, by=None)
    establishment.refresh_from_db()
    _siecle(establishment, _moved_up(rows), second.start_year)
    new_fives = list(Pupil.objects.filter(enrolments__school_class__code="5A",
                                          enrolments__school_year=second))
    import_profiles(establishment, [
        profile_row(p, dict.fromkeys(("1.1", "2.1", "3.1", "4.1", "5.1"), 2),
                    shared_at=at(second.start_year, 10, 1)) for p in new_fives[:3]
    ])
    objective = make_objective(establishment, "5e", TEMPLATES["5e"].rules, year=second)
    compliance_rebuild(establishment)

    figures = year_on_year(establishment, "5e", [second, first], objective)

    this, last = figures
    assert (this.pupils, this.summary.met, this.met_current_objective) == (4, 3, 3)
    # last year had no objective: only measured against this year's
    assert last.objective is None and last.share_met is None
    assert (last.pupils, last.met_current_objective) == (4, 2)
    assert this.summary.mean_levels["1.1"] == "2.000000"
    assert last.summary.mean_levels["1.1"] == "1.000000"
    assert ComplianceSummary.objects.filter(grade="5e", school_class=None).count() == 2


def test_a_year_cannot_be_opened_twice_ahead(school):
    establishment, _rows = school
    services.school_year_open_next(establishment=establishment, by=None)
    establishment.refresh_from_db()

    with pytest.raises(ValidationError):
        services.school_year_open_next(establishment=establishment, by=None)
    assert SchoolYear.objects.filter(start_year=SchoolYear.start_year_of_today() + 2).count() == 0
