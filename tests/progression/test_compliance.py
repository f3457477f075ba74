"""The compliance rebuild: stored per pupil, aggregated per class and grade, read by the
selector remediation uses; enqueued after imports and objective changes."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from establishments.models import Enrolment
from jobs.models import Job
from jobs.services import job_create
from pix.referential import COMPETENCE_CODES
from progression import services
from progression.compliance import compliance_rebuild
from progression.hooks import rebuild_compliance_after
from progression.models import ComplianceSummary, PupilCompliance
from progression.rules import TEMPLATES, RuleKind, RuleSpec
from progression.selectors import pupils_not_meeting
from tests.progression.helpers import (
    add_certification,
    at,
    import_profiles,
    make_objective,
    pupils_of,
)

FIVE_PER_DOMAIN = {"1.1": 1, "2.1": 1, "3.1": 1, "4.1": 1, "5.1": 2}
NO_DOMAIN_4 = {"1.1": 1, "1.2": 1, "2.1": 1, "3.1": 1, "5.1": 1}


def setup_5e(world):
    """5A: a pupil meeting, one missing domain 4, one with 3 competences, three without data;
    5B: two meeting."""
    est = world.establishment
    year = est.current_year.start_year
    make_objective(est, "5e", TEMPLATES["5e"].rules)
    a, b = pupils_of(est, "5A"), pupils_of(est, "5B")
    import_profiles(est, [
        profile_row_of(a[0], FIVE_PER_DOMAIN, year),
        profile_row_of(a[1], NO_DOMAIN_4, year),
        profile_row_of(a[2], {"1.1": 2, "2.2": 1, "3.3": 1}, year),
        profile_row_of(b[0], FIVE_PER_DOMAIN, year),
        profile_row_of(b[1], {**FIVE_PER_DOMAIN, "3.4": 3}, year),
    ])
    return a, b


def profile_row_of(pupil, levels, year):
    from tests.progression.helpers import profile_row

    return profile_row(pupil, levels, shared_at=at(year, 10, 5))


def test_rebuild_stores_each_pupil_and_what_is_missing(world):
    a, b = setup_5e(world)

    report = compliance_rebuild(world.establishment)

    year = world.establishment.current_year
    assert report.pupils == {year.start_year: 18}
    rows = {r.pupil_id: r for r in PupilCompliance.objects.filter(school_year=year)}
    assert rows[a[0].pk].met is True and rows[a[0].pk].missing == []
    assert rows[a[1].pk].met is False
    assert rows[a[1].pk].missing_texts == [
        "aucune compétence du domaine 4 « Protection et sécurité » au niveau 1"]
    assert rows[a[1].pk].missing_codes == " 4.1 4.2 4.3 "
    assert rows[a[2].pk].missing_texts == [
        "niveau 1 dans 2 compétences de plus",
        "aucune compétence du domaine 4 « Protection et sécurité » au niveau 1",
        "aucune compétence du domaine 5 « Environnement numérique » au niveau 1",
    ]
    assert rows[a[3].pk].levels == {} and rows[a[3].pk].met is False
    assert rows[a[0].pk].levels["5.1"] == 2 and len(rows[a[0].pk].levels) == 16
    assert rows[a[0].pk].measured_on == date(year.start_year, 10, 5)
    # 3e has no objective: stored, neither met nor missed
    third = PupilCompliance.objects.filter(school_year=year, grade="3e")
    assert third.count() == 6 and set(third.values_list("met", flat=True)) == {None}


def test_summaries_per_class_and_grade(world):
    a, b = setup_5e(world)

    compliance_rebuild(world.establishment)

    year = world.establishment.current_year
    grade = ComplianceSummary.objects.get(school_year=year, grade="5e", school_class=None)
    assert (grade.pupils, grade.measured, grade.met) == (12, 5, 3)
    five_a = ComplianceSummary.objects.get(school_year=year, school_class=world.taught_class)
    assert (five_a.pupils, five_a.measured, five_a.met) == (6, 3, 1)
    assert five_a.share_met == Fraction(1, 6)
    # 5 pupils of 5A miss the objective: the 3 without data miss every competence,
    # a[1] domain 4, a[2] the competences below level 1
    assert five_a.missing["4.1"] == 5
    assert five_a.missing["1.1"] == 3  # a[2] has 1.1 at level 2; a[1] misses only domain 4
    # mean of the known levels: a[0] 1, a[1] 1, a[2] 2
    assert five_a.mean_levels["1.1"] == "1.333333"  # 4 / 3, exact to six places
    assert (five_a.level_sums["1.1"], five_a.known["1.1"]) == (4, 3)
    assert five_a.exact_mean_level("1.1") == Fraction(4, 3)
    five_b = ComplianceSummary.objects.get(school_year=year, school_class=world.untaught_class)
    assert five_b.mean_levels["3.4"] == "1.500000"


def test_pupils_not_meeting_for_remediation(world):
    a, b = setup_5e(world)
    compliance_rebuild(world.establishment)
    year = world.establishment.current_year

    everyone = pupils_not_meeting(world.establishment, year)
    of_5a = pupils_not_meeting(world.establishment, year, grade="5e",
                               school_class=world.taught_class)

    assert {r.pupil_id for r in everyone} == {p.pk for p in a[1:]} | {p.pk for p in b[2:]}
    assert {r.pupil_id for r in of_5a} == {p.pk for p in a[1:]}
    assert pupils_not_meeting(world.establishment, year, grade="3e").count() == 0
    row = of_5a.get(pupil=a[1])
    assert row.school_class.code == "5A" and row.pupil.ine == a[1].ine


def test_rebuild_twice_gives_the_same_rows_and_drops_pupils_who_left(world):
    a, _b = setup_5e(world)
    compliance_rebuild(world.establishment)
    Enrolment.objects.filter(pupil=a[5]).update(left_on=date.today())

    compliance_rebuild(world.establishment)

    year = world.establishment.current_year
    assert PupilCompliance.objects.filter(school_year=year).count() == 17
    assert not PupilCompliance.objects.filter(pupil=a[5]).exists()
    assert ComplianceSummary.objects.filter(school_year=year, school_class=None).count() == 2


def test_a_certification_counts_in_the_rebuild(world):
    est = world.establishment
    make_objective(est, "3e", [RuleSpec(RuleKind.CERTIFIABLE)])
    pupil = pupils_of(est, "3A")[0]
    add_certification(pupil, dict.fromkeys(COMPETENCE_CODES[:5], 1),
                      taken_on=date(est.current_year.start_year + 1, 3, 10))

    compliance_rebuild(est)

    assert PupilCompliance.objects.get(pupil=pupil).met is True


def test_an_import_job_enqueues_the_rebuild_on_commit(world, django_capture_on_commit_callbacks):
    setup_5e(world)
    job = job_create(establishment=world.establishment, kind=Job.Kind.CAMPAIGN_IMPORT, by=None)
    job.status = Job.Status.SUCCEEDED

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rebuild_compliance_after(job)

    assert len(callbacks) == 1
    assert PupilCompliance.objects.filter(establishment=world.establishment).count() == 18


def test_a_failed_job_enqueues_nothing(world, django_capture_on_commit_callbacks):
    job = job_create(establishment=world.establishment, kind=Job.Kind.CAMPAIGN_IMPORT, by=None)
    job.status = Job.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rebuild_compliance_after(job)
        rebuild_compliance_after(None)

    assert callbacks == []


def test_saving_an_objective_rebuilds_its_year(world, django_capture_on_commit_callbacks):
    a, _b = setup_5e(world)
    est = world.establishment
    compliance_rebuild(est)
    objective = est.objectives.get(grade="5e")

    with django_capture_on_commit_callbacks(execute=True):
        services.objective_save(
            establishment=est, school_year=est.current_year, grade="5e", name="Plus simple",
            rules=[RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=1, count=3)], by=world.rupn,
            objective=objective,
        )

    assert PupilCompliance.objects.get(pupil=a[2]).met is True
    assert objective.rules.count() == 1


def test_templates_apply_to_the_grades_of_the_year_once(world, django_capture_on_commit_callbacks):
    est = world.establishment

    with django_capture_on_commit_callbacks(execute=True):
        created = services.objectives_apply_templates(
            establishment=est, school_year=est.current_year, by=world.rupn)
    again = services.objectives_apply_templates(
        establishment=est, school_year=est.current_year, by=world.rupn)

    assert sorted(o.grade for o in created) == ["3e", "5e"]
    assert again == []
    five = est.objectives.get(grade="5e")
    assert [r.spec() for r in five.rules.all()] == list(TEMPLATES["5e"].rules)
    assert PupilCompliance.objects.filter(establishment=est, met=False).count() == 18
