"""The progression pages at work: objectives through their form, the one-click templates,
the year's checklist, the year plan and its providers, opening a new year."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from certification.models import Candidate, CertificationPlan, Room, Session
from establishments.models import SchoolClass, SchoolYear
from progression import plan as plan_module
from progression.checklist import Step, year_checklist
from progression.compliance import compliance_rebuild
from progression.models import ChecklistTick, Objective, PupilCompliance
from progression.plan import PlanEvent, register_plan_provider, school_year_months
from progression.rules import TEMPLATES, RuleKind, RuleSpec
from tests.progression.helpers import (
    add_certification,
    at,
    import_profiles,
    make_objective,
    profile_row,
    pupils_of,
)


def _rule_data(rules: list[dict], prefix="rules") -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rules)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "10"}
    for i, rule in enumerate(rules):
        for key, value in rule.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def test_rupn_sets_an_objective_through_the_form(world, login,
                                                 django_capture_on_commit_callbacks):
    client = login(world.rupn)
    data = {"grade": "5e", "name": "Deux compétences choisies",
            **_rule_data([{"kind": "named", "level": "2", "competences": ["3.4", "1.1"]},
                          {"kind": "", "level": "1"}])}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("progression:objective_create"), data)

    assert response.status_code == 302
    objective = Objective.objects.get(establishment=world.establishment, grade="5e")
    assert objective.name == "Deux compétences choisies"
    assert objective.specs() == [RuleSpec(RuleKind.NAMED, level=2, competences=("1.1", "3.4"))]
    assert PupilCompliance.objects.filter(objective=objective).count() == 12


def test_an_impossible_rule_is_shown_not_saved(world, login):
    client = login(world.rupn)
    data = {"grade": "5e", "name": "Sans compétence",
            **_rule_data([{"kind": "named", "level": "1"}])}

    response = client.post(reverse("progression:objective_create"), data)

    assert response.status_code == 200
    assert "Choisissez au moins une compétence." in response.content.decode()
    assert not Objective.objects.exists()


def test_an_objective_without_rules_is_refused(world, login):
    client = login(world.rupn)
    data = {"grade": "5e", "name": "Vide", **_rule_data([{"kind": "", "level": "1"}])}

    response = client.post(reverse("progression:objective_create"), data)

    assert "Un objectif a au moins une règle." in response.content.decode()
    assert not Objective.objects.exists()


def test_a_second_objective_for_a_grade_is_refused(world, login):
    client = login(world.rupn)
    client.post(reverse("progression:apply_templates"))
    data = {"grade": "5e", "name": "Encore",
            **_rule_data([{"kind": "certifiable", "level": "1"}])}

    response = client.post(reverse("progression:objective_create"), data)

    assert "déjà un objectif" in response.content.decode()
    assert Objective.objects.filter(grade="5e").count() == 1


def test_editing_keeps_the_grade_and_replaces_the_rules(world, login):
    client = login(world.rupn)
    client.post(reverse("progression:apply_templates"))
    objective = Objective.objects.get(grade="5e")
    data = {"grade": "3e", "name": "Renommé",
            **_rule_data([{"kind": "min_level_count", "level": "2", "count": "3"}])}

    response = client.post(reverse("progression:objective_edit", args=[objective.pk]), data)

    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.grade, objective.name) == ("5e", "Renommé")
    assert objective.specs() == [RuleSpec(RuleKind.MIN_LEVEL_COUNT, level=2, count=3)]


def test_the_template_prefills_the_form(world, login):
    response = login(world.rupn).get(reverse("progression:objective_create"),
                                     {"niveau": "5e", "modele": "1"})

    text = response.content.decode()
    assert TEMPLATES["5e"].name in text
    assert 'value="each_domain" selected' in text


def test_one_click_templates_and_the_overview(world, login, django_capture_on_commit_callbacks):
    est = world.establishment
    import_profiles(est, [profile_row(p, {"1.1": 1, "2.1": 1, "3.1": 1, "4.1": 1, "5.1": 1},
                                      shared_at=at(est.current_year.start_year, 10, 1))
                          for p in pupils_of(est, "5A")[:3]])
    client = login(world.rupn)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("progression:apply_templates"), follow=True)
    overview = client.get(reverse("progression:overview"), {"niveau": "5e"}).content.decode()

    assert "Objectifs types appliqués : 3e, 5e." in response.content.decode()
    assert "Part des élèves qui atteignent l’objectif, par classe" in overview
    assert "Compétences qui manquent le plus" in overview
    assert "Niveau moyen par classe et par compétence" in overview
    assert "25 %" in overview  # 3 of 12 pupils of 5e


def test_the_pupils_filter_by_missing_competence(world, login):
    est = world.establishment
    a = pupils_of(est, "5A")
    import_profiles(est, [
        profile_row(a[0], {"1.1": 1, "2.1": 1, "3.1": 1, "5.1": 1, "1.2": 1},
                    shared_at=at(est.current_year.start_year, 10, 1)),
        profile_row(a[1], {"1.1": 1, "1.2": 1, "2.1": 1, "4.1": 1, "5.1": 1},
                    shared_at=at(est.current_year.start_year, 10, 1)),
    ])
    client = login(world.rupn)
    client.post(reverse("progression:apply_templates"))
    compliance_rebuild(est)

    text = client.get(reverse("progression:pupils"),
                      {"niveau": "5e", "classe": world.taught_class.pk,
                       "competence": "4.2"}).content.decode()

    assert a[0].first_name in text  # no domain 4 at all: lacks 4.2
    assert "aucune compétence du domaine 4" in text
    # a[1] has five competences but none of domain 3: lacks 3.x, not 4.2
    assert f">{a[1].display_last_name} {a[1].first_name}<" not in text


def test_rebuild_button(world, login, django_capture_on_commit_callbacks):
    client = login(world.rupn)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("progression:rebuild"))

    assert PupilCompliance.objects.filter(establishment=world.establishment).count() == 18


# --- the checklist ----------------------------------------------------------------------------


def _steps(world) -> dict[str, bool]:
    est = world.establishment
    return {s.key: s.done for s in year_checklist(est, est.current_year)}


def test_checklist_ticks_itself_from_the_data(world, login):
    est = world.establishment
    year = est.current_year
    assert _steps(world) == {
        "teachers_informed": False, "pupils_imported": True, "teachers_invited": True,
        "objectives_set": False, "rentree_campaigns": False, "profiles_collected": False,
        "sessions_planned": False, "results_imported": False, "analysis_presented": False,
    }

    login(world.rupn).post(reverse("progression:apply_templates"))
    import_profiles(est, [profile_row(world.pupil, {"1.1": 1},
                                      shared_at=at(year.start_year, 10, 1))])
    Campaign.objects.create(establishment=est, school_year=year, code="RENTRE123", name="Rentrée",
                            kind=Campaign.Kind.ASSESSMENT, purpose=Campaign.Purpose.RENTREE)
    plan = CertificationPlan.objects.create(establishment=est, school_year=year, grades=["3e"])
    room = Room.objects.create(establishment=est, name="B12", computers=20)
    Session.objects.create(plan=plan, room=room, starts_at=timezone.now(), minutes=120)
    add_certification(pupils_of(est, "3A")[0], {"1.1": 1}, taken_on=date.today())

    steps = _steps(world)
    assert all(done for key, done in steps.items()
               if key not in ("teachers_informed", "analysis_presented"))


def test_manual_steps_are_ticked_and_unticked(world, login):
    client = login(world.rupn)
    url = reverse("progression:checklist_tick", args=[Step.TEACHERS_INFORMED])

    client.post(url, {"done": "1"})
    client.post(url, {"done": "1"})  # idempotent
    assert _steps(world)["teachers_informed"] is True
    tick = ChecklistTick.objects.get()
    assert tick.ticked_by == world.rupn
    page = client.get(reverse("progression:checklist")).content.decode()
    assert "Coché par" in page

    client.post(url, {"done": "0"})
    assert _steps(world)["teachers_informed"] is False


# --- the year plan ----------------------------------------------------------------------------


def test_plan_places_campaigns_and_sessions_by_month_and_grade(world, login):
    est = world.establishment
    year = est.current_year
    start = year.start_year
    campaign = Campaign.objects.create(
        establishment=est, school_year=year, code="FIVEAB123", name="Parcours de rentrée 5e",
        kind=Campaign.Kind.ASSESSMENT, opens_on=date(start, 9, 25),
        closes_on=date(start, 10, 10))
    campaign.classes.set([world.taught_class])
    Campaign.objects.create(
        establishment=est, school_year=year, code="THIRDA123", name="Collecte 3e",
        kind=Campaign.Kind.PROFILES_COLLECTION, opens_on=date(start + 1, 1, 12))
    plan = CertificationPlan.objects.create(establishment=est, school_year=year, grades=["3e"])
    room = Room.objects.create(establishment=est, name="B12", computers=20)
    session = Session.objects.create(
        plan=plan, room=room, minutes=120,
        starts_at=timezone.make_aware(datetime(start + 1, 3, 12, 9, 0)))
    session.candidates.add(Candidate.objects.create(plan=plan, pupil=pupils_of(est, "3A")[0]))
    client = login(world.rupn)

    everything = client.get(reverse("progression:plan")).content.decode()
    fifth = client.get(reverse("progression:plan"), {"niveau": "5e"}).content.decode()
    third = client.get(reverse("progression:plan"), {"niveau": "3e"}).content.decode()

    assert "Parcours de rentrée 5e" in everything and "1 session de certification" in everything
    assert "1 candidat · 09:00 B12" in everything
    assert "Parcours de rentrée 5e" in fifth and "session de certification" not in fifth
    assert "Collecte 3e" in fifth  # no class targeted: every grade
    assert "Parcours de rentrée 5e" not in third and "1 session de certification" in third


def test_a_campaign_window_spans_its_months():
    year = SchoolYear(start_year=2026)
    event = PlanEvent("assessment", "Évaluation", "Parcours", date(2026, 9, 25),
                      date(2026, 11, 2), frozenset({"5e"}))

    months = school_year_months(year, [event], today=date(2026, 10, 15))

    touched = [m.first.month for m in months if m.events]
    assert touched == [9, 10, 11]
    assert [m.first.month for m in months if m.is_current] == [10]
    assert [m.first.month for m in months][:2] == [9, 10] and months[-1].first.month == 7
    assert school_year_months(year, [event], grade="3e")[0].events == ()


def test_another_app_plugs_its_events_in(world, login):
    start = world.establishment.current_year.start_year

    def remediation(establishment, school_year, membership):
        yield PlanEvent("remediation", "Remédiation", "Atelier domaine 4",
                        date(start, 11, 20), date(start, 11, 20), frozenset({"5e"}))

    register_plan_provider(remediation)
    register_plan_provider(remediation)  # idempotent
    try:
        text = login(world.teacher).get(reverse("progression:plan")).content.decode()
    finally:
        plan_module._PROVIDERS.remove(remediation)

    assert text.count("Atelier domaine 4") == 1
    assert "kind-remediation" in text


def test_teacher_plan_shows_campaigns_they_may_see(world, login):
    est = world.establishment
    year = est.current_year
    start = year.start_year
    hidden = Campaign.objects.create(
        establishment=est, school_year=year, code="HIDDEN123", name="Campagne de 5B",
        kind=Campaign.Kind.ASSESSMENT, opens_on=date(start, 10, 1), owner=world.rupn)
    hidden.classes.set([world.untaught_class])

    text = login(world.teacher).get(reverse("progression:plan")).content.decode()

    assert "Campagne de 5B" not in text


# --- a new year -------------------------------------------------------------------------------


def test_rupn_opens_the_next_year(world, login, django_capture_on_commit_callbacks):
    client = login(world.rupn)
    client.post(reverse("progression:apply_templates"))
    current = world.establishment.current_year

    page = client.get(reverse("progression:year_open")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("progression:year_open"), {"copy_objectives": "on"},
                               follow=True)

    world.establishment.refresh_from_db()
    assert f"{current.start_year + 1}-{current.start_year + 2}" in page
    assert world.establishment.current_year.start_year == current.start_year + 1
    assert "est ouverte" in response.content.decode()
    assert Objective.objects.filter(school_year=world.establishment.current_year).count() == 2
    # nothing of last year was touched
    assert SchoolClass.objects.filter(establishment=world.establishment,
                                      school_year=current).count() == 3
    again = client.post(reverse("progression:year_open"), {}, follow=True)
    assert "déjà ouverte" in again.content.decode()


@pytest.mark.parametrize("copy", [True, False])
def test_objectives_carried_over_only_when_asked(world, login, copy):
    client = login(world.rupn)
    client.post(reverse("progression:apply_templates"))

    client.post(reverse("progression:year_open"), {"copy_objectives": "on"} if copy else {})

    world.establishment.refresh_from_db()
    count = Objective.objects.filter(school_year=world.establishment.current_year).count()
    assert count == (2 if copy else 0)


def test_the_pupil_space(world, login):
    est = world.establishment
    start = est.current_year.start_year
    client = login(world.rupn)
    client.post(reverse("progression:apply_templates"))
    import_profiles(est, [profile_row(world.pupil, {"1.1": 2, "2.1": 1, "3.1": 1},
                                      shared_at=at(start, 10, 1))])
    campaign = Campaign.objects.create(
        establishment=est, school_year=est.current_year, code="NEXTAB123", name="Parcours 5e",
        kind=Campaign.Kind.ASSESSMENT, opens_on=timezone.localdate() + timedelta(days=3),
        closes_on=timezone.localdate() + timedelta(days=20))
    campaign.classes.set([world.taught_class])
    closed = Campaign.objects.create(
        establishment=est, school_year=est.current_year, code="CLOSED123", name="Fermée",
        kind=Campaign.Kind.ASSESSMENT, closes_on=timezone.localdate() - timedelta(days=1))
    closed.classes.set([world.taught_class])

    text = login(world.pupil_user).get(reverse("home")).content.decode()

    assert "Ton objectif de Cinquième" in text
    assert "Il te manque :" in text
    assert "le niveau 1 dans 2 compétences de plus" in text
    assert "le niveau 1 dans une compétence du domaine « Protection et sécurité »" in text
    assert "Parcours 5e" in text and "NEXTAB123" in text
    assert "Fermée" not in text
    assert "Il t’en manque encore 2." in text


def test_the_pupil_space_reads_the_stored_compliance(world, login):
    est = world.establishment
    make_objective(est, "5e", TEMPLATES["5e"].rules)
    import_profiles(est, [profile_row(world.pupil, {"1.1": 1, "2.1": 1, "3.1": 1, "4.1": 1,
                                                    "5.1": 1},
                                      shared_at=at(est.current_year.start_year, 10, 1))])
    compliance_rebuild(est)
    # a later import the rebuild has not seen yet: the page shows what was stored
    PupilCompliance.objects.filter(pupil=world.pupil).update(
        met=False, missing=[{"kind": "min_level_count", "params": {"level": 1, "count": 3},
                             "competences": []}])

    text = login(world.pupil_user).get(reverse("home")).content.decode()

    assert "le niveau 1 dans 3 compétences de plus" in text


def test_the_pupil_page_timeline(world, login):
    est = world.establishment
    start = est.current_year.start_year
    make_objective(est, "5e", TEMPLATES["5e"].rules, name="Objectif de 5e")
    import_profiles(est, [profile_row(world.pupil, {"1.1": 1, "2.1": 1},
                                      shared_at=at(start, 10, 1))], name="Collecte d’octobre")
    add_certification(world.pupil, {"3.4": 2}, taken_on=date(start + 1, 3, 5))
    url = reverse("pupils:detail", args=[world.pupil.pk])

    before = login(world.rupn).get(url).content.decode()
    compliance_rebuild(est)
    after = login(world.rupn).get(url).content.decode()

    assert "Pas encore calculé pour cette année" in before
    assert "Objectif de 5e" in after
    assert "niveau 1 dans 2 compétences de plus" in after
    assert "Collecte d’octobre" in after  # the source of a level, and a timeline event
    assert "Certification : validée, 16 pix" in after
    assert f"05/03/{start + 1}" in after
