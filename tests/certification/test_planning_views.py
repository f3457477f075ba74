"""The planning through its pages and services: a RUPN plans the certification from nothing,
edits the proposal, and sees every conflict; candidates and their certifiability; the plan
page's query count does not grow with the candidates."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification import selectors, services
from certification.models import Availability, Candidate, CertificationPlan, Room, Session
from certification.planning import PlannedSession, Proposal
from establishments.models import Enrolment, Membership
from tests.certification.planning_world import (
    DAY,
    add_pupils,
    at,
    build_planned,
    give_account,
    member,
    plan_for,
    share_profile,
)

COMPETENCES = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1")


def test_a_new_rupn_plans_the_3e_certification_in_a_few_clicks(client, world):
    client.force_login(world.rupn)
    teacher, other = member(world.teacher), member(world.other_teacher)

    # no plan yet: the page offers to start, with the grades it will certify
    start = client.get(reverse("certification:plan"))
    assert "Commencer la certification" in start.content.decode()
    assert "3e" in start.content.decode()
    response = client.post(reverse("certification:plan_start"), follow=True)
    plan = CertificationPlan.objects.get(establishment=world.establishment)
    assert plan.grades == ["3e"]  # the leaving grade present; 5e is not certified
    assert plan.candidates.count() == 6
    assert "6 candidats" in response.content.decode()

    # rooms, then availabilities for two teachers at once
    client.post(reverse("certification:rooms"), {"name": "Salle info", "computers": "4"})
    client.post(reverse("certification:rooms"), {"name": "CDI", "computers": "3"})
    assert Room.objects.filter(establishment=world.establishment).count() == 2
    response = client.post(reverse("certification:availabilities"), {
        "day": DAY.isoformat(), "start": "08:00", "end": "12:00",
        "members": [teacher.pk, other.pk],
    }, follow=True)
    assert "2 disponibilités ajoutées" in response.content.decode()

    # the proposal is shown, then saved
    preview = client.get(reverse("certification:proposal")).content.decode()
    assert "Enregistrer ce planning" in preview
    assert not Session.objects.exists()
    response = client.post(reverse("certification:proposal"), follow=True)
    sessions = list(plan.sessions.prefetch_related("candidates", "invigilators"))
    assert "Planning enregistré : 2 sessions" in response.content.decode()
    assert sorted(s.candidates.count() for s in sessions) == [3, 3]  # 6 in rooms of 4 and 3
    assert {s.room.name for s in sessions} == {"Salle info", "CDI"}
    # at the same time, so with different invigilators
    assert {i.pk for s in sessions for i in s.invigilators.all()} == {teacher.pk, other.pk}
    page = response.content.decode()
    assert "aucun conflit" in page and "conflit à régler" not in page

    # documents are one click away
    documents = client.get(reverse("certification:documents")).content.decode()
    for session in sessions:
        assert reverse("certification:session_candidates_xlsx", args=[session.pk]) in documents


def test_candidates_are_the_current_pupils_of_the_certified_grades(world):
    plan, _ = services.plan_get_or_create(establishment=world.establishment)
    pupils_3a = set(Enrolment.objects.filter(school_class__code="3A",
                                             school_year=plan.school_year)
                    .values_list("pupil_id", flat=True))
    assert set(plan.candidates.values_list("pupil_id", flat=True)) == pupils_3a

    # a pupil leaves; another grade is added; extra time is kept on refresh
    kept = plan.candidates.order_by("pk").first()
    services.candidate_set_extra_time(candidate=kept, percent=33)
    leaving = plan.candidates.order_by("pk").last()
    Enrolment.objects.filter(pupil=leaving.pupil).update(left_on=DAY)
    refresh = services.plan_update(plan=plan, grades=["5e", "3e"], session_minutes=105,
                                   second_invigilator_above=20)
    assert (refresh.added, refresh.removed, refresh.kept) == (12, 1, 5)
    assert plan.grades == ["5e", "3e"]
    kept.refresh_from_db()
    assert kept.extra_time_percent == 33
    again = services.candidates_refresh(plan=plan)
    assert (again.added, again.removed) == (0, 0)  # idempotent


def test_certifiability_comes_from_each_pupils_latest_shared_profiles_collection(world):
    plan, _ = services.plan_get_or_create(establishment=world.establishment)
    a, b, c, d = [c.pupil for c in plan.candidates.order_by("pupil__last_name", "pk")[:4]]
    five = dict.fromkeys(COMPETENCES[:5], 1)
    four = dict.fromkeys(COMPETENCES[:4], 3)
    share_profile(a, five, shared_at=at(10, day=DAY.replace(month=1)))
    share_profile(b, four, shared_at=at(10, day=DAY.replace(month=1)))
    # c was certifiable in an older collection, but the latest counts
    share_profile(c, five, shared_at=at(10, day=DAY.replace(month=1)), code="OLDAAA111")
    share_profile(c, {**four, "5.2": 0}, shared_at=at(10, day=DAY.replace(month=3)),
                  code="NEWAAA222")
    # d: a sending in another establishment's campaign does not count
    share_profile(d, five, shared_at=at(10, day=DAY.replace(month=1)),
                  establishment=world.outsider_establishment)
    rows = {r.pupil.pk: r for r in selectors.plan_candidates(plan)}
    assert (rows[a.pk].certifiable, rows[a.pk].at_level_one) == (True, 5)
    assert (rows[b.pk].certifiable, rows[b.pk].at_level_one) == (False, 4)
    assert (rows[c.pk].certifiable, rows[c.pk].at_level_one) == (False, 4)
    assert rows[d.pk].certifiable is None
    counts = selectors.candidate_counts(list(rows.values()))
    assert (counts.certifiable, counts.not_certifiable, counts.unknown) == (1, 2, 3)


def test_extra_time_lengthens_the_pupils_session(client, world):
    teacher = member(world.teacher)
    plan, room, _ = plan_for(world.establishment, invigilators=[teacher],
                             end=at(17))
    candidate = plan.candidates.order_by("pk").first()
    client.force_login(world.rupn)
    client.post(reverse("certification:candidate_extra_time", args=[candidate.pk]),
                {"percent": "33"})
    candidate.refresh_from_db()
    assert candidate.extra_time_percent == 33
    # the placed session is now too short for them: a conflict, not silence
    page = selectors.plan_page(plan)
    assert [c.kind for c in page.conflicts] == ["too_short_for_extra_time"]
    # a new proposal seats them in a longer session
    client.post(reverse("certification:proposal"))
    extra = Session.objects.get(plan=plan, candidates=candidate)
    assert extra.minutes == 160 and extra.candidates.count() == 1
    assert selectors.plan_page(plan).conflicts == []
    # 0 removes the extra time
    client.post(reverse("certification:candidate_extra_time", args=[candidate.pk]),
                {"percent": "0"})
    candidate.refresh_from_db()
    assert candidate.extra_time_percent is None


def test_moving_candidates_and_the_conflicts_it_shows(client, world):
    planned = build_planned(world)
    plan, session = planned.plan, planned.session
    client.force_login(world.rupn)
    # a second session, in the afternoon, with nobody available: a conflict
    response = client.post(reverse("certification:session_create"), {
        "room": planned.room.pk, "day": DAY.isoformat(), "start": "14:00", "minutes": "120",
        "invigilators": [member(world.teacher).pk], "pix_number": "",
    })
    afternoon = Session.objects.exclude(pk=session.pk).get(plan=plan)
    assert response.url == reverse("certification:session", args=[afternoon.pk])
    detail = client.get(response.url).content.decode()
    assert "n’est pas disponible sur toute la durée de la session" in detail

    # move a candidate there, then out of every session
    response = client.post(reverse("certification:candidate_move",
                                   args=[planned.candidate.pk]),
                           {"session": str(afternoon.pk),
                            "next": reverse("certification:session", args=[session.pk])},
                           follow=True)
    assert list(afternoon.candidates.all()) == [planned.candidate]
    assert planned.candidate not in session.candidates.all()
    assert "est maintenant dans la session du" in response.content.decode()
    client.post(reverse("certification:candidate_move", args=[planned.candidate.pk]),
                {"session": "aucune"})
    assert not planned.candidate.sessions.exists()
    plan_page = client.get(reverse("certification:plan")).content.decode()
    assert "candidat(s) dans aucune session" in plan_page
    # a move to another plan's session is refused
    response = client.post(reverse("certification:candidate_move",
                                   args=[planned.candidate.pk]),
                           {"session": str(planned.other_session.pk)}, follow=True)
    assert "Session inconnue" in response.content.decode()

    # add them back from the session page
    client.post(reverse("certification:session_add_candidates", args=[session.pk]),
                {"candidates": [planned.candidate.pk]})
    assert planned.candidate in session.candidates.all()


def test_editing_a_session_into_conflicts(client, world):
    planned = build_planned(world)
    client.force_login(world.rupn)
    small = services.room_create(establishment=world.establishment, name="Petite", computers=2)
    response = client.post(reverse("certification:session_edit", args=[planned.session.pk]), {
        "room": small.pk, "day": DAY.isoformat(), "start": "11:00", "minutes": "120",
        "invigilators": [member(world.other_teacher).pk], "pix_number": " 12345 ",
    }, follow=True)
    session = Session.objects.get(pk=planned.session.pk)
    assert (session.room, session.minutes, session.pix_number) == (small, 120, "12345")
    page = response.content.decode()
    assert "6 candidats pour 2 ordinateurs" in page
    assert "n’est pas disponible" in page  # the other teacher gave no availability
    assert [c.kind for c in selectors.plan_page(planned.plan).conflicts] == [
        "room_over_capacity", "invigilator_unavailable"]


def test_double_booking_is_shown(client, world):
    planned = build_planned(world)
    teacher = member(world.teacher)
    services.session_create(plan=planned.plan, room=planned.room, starts_at=at(9),
                            minutes=120, invigilators=[teacher])
    kinds = sorted(c.kind for c in selectors.plan_page(planned.plan).conflicts)
    assert kinds == ["invigilator_double_booked", "room_double_booked"]
    client.force_login(world.rupn)
    page = client.get(reverse("certification:plan")).content.decode()
    assert "est réservée deux fois" in page
    assert "surveille deux sessions en même temps" in page


def test_deleting_a_session_leaves_its_candidates_unplaced(client, world):
    planned = build_planned(world)
    client.force_login(world.rupn)
    response = client.post(reverse("certification:session_delete",
                                   args=[planned.session.pk]), follow=True)
    assert not Session.objects.filter(pk=planned.session.pk).exists()
    assert "6 candidats ne sont plus dans aucune session" in response.content.decode()
    assert Candidate.objects.filter(plan=planned.plan).count() == 6


def test_rooms_are_edited_and_a_room_in_use_is_kept(client, world):
    planned = build_planned(world)
    client.force_login(world.rupn)
    response = client.post(reverse("certification:rooms"), {"name": "salle INFO",
                                                            "computers": "3"})
    assert "Une salle porte déjà ce nom" in response.content.decode()
    client.post(reverse("certification:room_edit", args=[planned.room.pk]),
                {"name": "Salle info 1", "computers": "5"})
    planned.room.refresh_from_db()
    assert (planned.room.name, planned.room.computers) == ("Salle info 1", 5)
    response = client.post(reverse("certification:room_delete", args=[planned.room.pk]),
                           follow=True)
    assert Room.objects.filter(pk=planned.room.pk).exists()
    assert "accueille 1 session(s)" in response.content.decode()
    assert any(c.kind == "room_over_capacity" for c in selectors.plan_page(planned.plan).conflicts)


def test_availability_form_checks_times_and_deletes(client, world):
    planned = build_planned(world)
    client.force_login(world.rupn)
    response = client.post(reverse("certification:availabilities"), {
        "day": DAY.isoformat(), "start": "12:00", "end": "10:00",
        "members": [member(world.teacher).pk]})
    assert "La fin doit suivre le début" in response.content.decode()
    # the outsider's members are not offered
    response = client.post(reverse("certification:availabilities"), {
        "day": DAY.isoformat(), "start": "08:00", "end": "10:00",
        "members": [member(world.outsider).pk]})
    assert response.status_code == 200 and not Availability.objects.filter(
        member=member(world.outsider), plan=planned.plan).exists()
    response = client.post(reverse("certification:availability_delete",
                                   args=[planned.availability.pk]), follow=True)
    assert not Availability.objects.filter(pk=planned.availability.pk).exists()
    assert "n’est pas disponible" in response.content.decode()  # the session lost its teacher


def test_proposal_apply_replaces_everything_or_nothing(world):
    planned = build_planned(world)
    before = list(Session.objects.filter(plan=planned.plan).values_list("pk", flat=True))
    stale = Proposal(sessions=(
        PlannedSession(1, planned.room.pk, at(8), 120, (planned.candidate.pk,),
                       (planned.teacher.pk,)),
        PlannedSession(2, planned.room.pk, at(10), 120, (planned.other_candidate.pk,),
                       (planned.teacher.pk,)),
    ), unplaced=(), warnings=())
    with pytest.raises(ValidationError):
        services.proposal_apply(plan=planned.plan, proposal=stale)
    assert list(Session.objects.filter(plan=planned.plan).values_list("pk", flat=True)) == before


def test_settings_change_session_length_and_grades(client, world):
    build_planned(world)
    client.force_login(world.rupn)
    response = client.post(reverse("certification:plan_settings"), {
        "grades": ["3e", "5e"], "session_minutes": "105", "second_invigilator_above": "15"},
        follow=True)
    plan = CertificationPlan.objects.get(establishment=world.establishment)
    assert (plan.grades, plan.session_minutes, plan.second_invigilator_above) == (
        ["5e", "3e"], 105, 15)
    assert "12 ajouté(s)" in response.content.decode()


def test_plan_page_query_count_does_not_grow_with_candidates(client, world):
    teacher, other = member(world.teacher), member(world.other_teacher)
    plan, _, _ = plan_for(world.establishment, invigilators=[teacher, other], end=at(18))
    client.force_login(world.rupn)
    url = reverse("certification:plan")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = queries()
    pupils = add_pupils(world.establishment, "3B", 40) + add_pupils(world.establishment,
                                                                    "3C", 30)
    for pupil in pupils[:20]:
        share_profile(pupil, dict.fromkeys(COMPETENCES, 2), shared_at=at(9, day=DAY))
    services.candidates_refresh(plan=plan)
    services.proposal_apply(plan=plan, proposal=selectors.plan_proposal(plan))
    assert plan.candidates.count() == 76 and plan.sessions.count() > 3
    large = queries()
    print(f"plan page: {small} queries with 6 candidates, {large} with 76")
    assert large == small
    assert small <= 20


@pytest.mark.parametrize("url_name", ["candidates", "documents", "convocations",
                                      "invigilation"])
def test_other_planning_pages_query_count_does_not_grow(client, world, url_name,
                                                        django_assert_max_num_queries):
    teacher = member(world.teacher)
    plan, _, _ = plan_for(world.establishment, invigilators=[teacher], end=at(18))
    add_pupils(world.establishment, "3B", 40)
    services.candidates_refresh(plan=plan)
    services.proposal_apply(plan=plan, proposal=selectors.plan_proposal(plan))
    client.force_login(world.rupn)
    with django_assert_max_num_queries(20):
        assert client.get(reverse(f"certification:{url_name}")).status_code == 200


def test_teacher_home_shows_their_invigilations(client, world):
    planned = build_planned(world)
    client.force_login(world.teacher)
    page = client.get(reverse("home")).content.decode()
    assert "Mes surveillances de certification Pix" in page
    assert reverse("certification:session", args=[planned.session.pk]) in page
    client.force_login(world.other_teacher)
    assert "Mes surveillances de certification Pix" not in client.get(
        reverse("home")).content.decode()


def test_pupil_home_and_convocation_show_date_time_room(client, world):
    planned = build_planned(world)
    services.candidate_set_extra_time(candidate=planned.candidate, percent=33)
    services.session_update(session=planned.session, room=planned.room, starts_at=at(8),
                            minutes=160, invigilators=[planned.teacher])
    client.force_login(planned.pupil_user)
    home = client.get(reverse("home")).content.decode()
    assert "Ta certification Pix" in home
    assert "08:00" in home and "10:40" in home and "Salle info" in home
    page = client.get(reverse("certification:my_convocation")).content.decode()
    assert "À apporter" in page and "identifiants Pix" in page
    assert "temps majoré de 33 % compris" in page
    # a pupil who is not a candidate has no convocation
    other = Enrolment.objects.filter(school_class__code="5A").exclude(
        pupil=world.pupil).first().pupil
    client.force_login(give_account(other, "eleve.5a"))
    assert "Ta certification Pix" not in client.get(reverse("home")).content.decode()
    page = client.get(reverse("certification:my_convocation")).content.decode()
    assert "pas encore de convocation" in page


def test_a_pupil_without_pupil_record_gets_403(client, world):
    build_planned(world)
    user = world.pupil_user
    world.pupil.user = None
    world.pupil.save(update_fields=["user"])
    assert Membership.objects.filter(user=user, role="pupil").exists()
    client.force_login(user)
    assert client.get(reverse("certification:my_convocation")).status_code == 403
