"""The planner, without a database: hard cases, then random ones, every constraint checked on
the output by `assert_valid_plan`, which does not reuse the planner's own helpers."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certification.planning import (
    AvailabilitySlot,
    ConflictKind,
    PlanCandidate,
    PlannedSession,
    PlanRoom,
    find_conflicts,
    propose_sessions,
    session_length,
)

PARIS = ZoneInfo("Europe/Paris")
NAMES = {10: "Mme Arnaud", 11: "M. Bernard", 12: "Mme Colin", 13: "M. Dubois"}


def at(hour: int, minute: int = 0, day: int = 12) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=PARIS)


def pupils(division: str, count: int, *, first_id: int = 1,
           extra: dict[int, int] | None = None) -> list[PlanCandidate]:
    extra = extra or {}
    return [
        PlanCandidate(pk, f"Élève {pk}", division, extra.get(pk))
        for pk in range(first_id, first_id + count)
    ]


def covered(slots: list[AvailabilitySlot], person: int, start: datetime, end: datetime) -> bool:
    """Every minute of [start, end) falls in one of the person's slots."""
    spans = [(s.starts_at, s.ends_at) for s in slots if s.invigilator_id == person]
    moment = start
    while moment < end:
        if not any(low <= moment < high for low, high in spans):
            return False
        moment += timedelta(minutes=1)
    return True


def assert_valid_plan(proposal, candidates, rooms, slots, *, session_minutes=120, above=20):
    """Every rule the planner promises, checked on what it returned."""
    rooms_by_id = {r.id: r for r in rooms}
    by_id = {c.id: c for c in candidates}
    placed = Counter(pk for s in proposal.sessions for pk in s.candidate_ids)
    # each candidate in one session exactly, or reported unplaced — never both, never lost
    assert all(n == 1 for n in placed.values()), placed
    assert not set(placed) & set(proposal.unplaced)
    assert set(placed) | set(proposal.unplaced) == set(by_id)
    assert len(proposal.unplaced) == len(set(proposal.unplaced))
    for session in proposal.sessions:
        count = len(session.candidate_ids)
        assert count >= 1
        assert count <= rooms_by_id[session.room_id].computers, "room over capacity"
        assert len(set(session.invigilator_ids)) == len(session.invigilator_ids)
        assert len(session.invigilator_ids) >= (2 if count > above else 1), "too few invigilators"
        for pk in session.candidate_ids:
            assert session.minutes >= session_length(session_minutes, by_id[pk].extra_time_percent)
        end = session.starts_at + timedelta(minutes=session.minutes)
        for person in session.invigilator_ids:
            assert covered(slots, person, session.starts_at, end), "invigilator not available"
    ordered = list(proposal.sessions)
    for i, a in enumerate(ordered):
        a_end = a.starts_at + timedelta(minutes=a.minutes)
        for b in ordered[i + 1:]:
            b_end = b.starts_at + timedelta(minutes=b.minutes)
            if a.starts_at < b_end and b.starts_at < a_end:
                assert a.room_id != b.room_id, "room double-booked"
                assert not set(a.invigilator_ids) & set(b.invigilator_ids), "teacher in two places"
                assert not set(a.candidate_ids) & set(b.candidate_ids), "pupil in two places"
    # the conflict finder agrees: nothing but the unplaced candidates
    conflicts = find_conflicts(
        proposal.sessions, rooms=rooms, candidates=candidates, availabilities=slots,
        invigilators=NAMES, session_minutes=session_minutes, second_invigilator_above=above,
    )
    assert {c.kind for c in conflicts} <= {ConflictKind.CANDIDATE_UNPLACED}
    assert bool(conflicts) == bool(proposal.unplaced)


# --- session length ---------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "percent", "expected"), [
    (120, None, 120), (120, 0, 120), (120, 33, 160), (105, 33, 140), (120, 25, 150),
    (120, 50, 180), (120, 100, 240), (90, 10, 100),
])
def test_session_length_rounds_extra_time_up_to_five_minutes(minutes, percent, expected):
    assert session_length(minutes, percent) == expected


# --- hard cases -------------------------------------------------------------------------------


def test_a_room_smaller_than_a_class_splits_the_class_evenly():
    # given a class of 30 and a room of 24 computers, one invigilator all day
    candidates = pupils("3A", 30)
    rooms = [PlanRoom(1, "B12", 24)]
    slots = [AvailabilitySlot(10, at(8), at(18))]

    proposal = propose_sessions(candidates, rooms, slots)

    assert_valid_plan(proposal, candidates, rooms, slots)
    assert [len(s.candidate_ids) for s in proposal.sessions] == [15, 15]
    assert [s.starts_at for s in proposal.sessions] == [at(8), at(10)]
    assert not proposal.unplaced


def test_a_class_is_seated_in_the_smallest_room_that_fits():
    candidates = pupils("3A", 18)
    rooms = [PlanRoom(1, "Grande", 30), PlanRoom(2, "Petite", 20)]
    slots = [AvailabilitySlot(10, at(8), at(10))]

    proposal = propose_sessions(candidates, rooms, slots)

    assert_valid_plan(proposal, candidates, rooms, slots)
    assert [s.room_id for s in proposal.sessions] == [2]


def test_two_invigilators_above_the_threshold():
    candidates = pupils("3A", 28)
    rooms = [PlanRoom(1, "Salle info", 30)]
    slots = [AvailabilitySlot(10, at(8), at(10)), AvailabilitySlot(11, at(8), at(10))]

    proposal = propose_sessions(candidates, rooms, slots, second_invigilator_above=20)

    assert_valid_plan(proposal, candidates, rooms, slots)
    (session,) = proposal.sessions
    assert len(session.candidate_ids) == 28
    assert session.invigilator_ids == (10, 11)


def test_not_enough_invigilators_caps_sessions_and_reports_the_rest():
    # given two classes of 25, big rooms, and a single teacher free in the morning only
    candidates = pupils("3A", 25) + pupils("3B", 25, first_id=100)
    rooms = [PlanRoom(1, "Salle 1", 30), PlanRoom(2, "Salle 2", 30)]
    slots = [AvailabilitySlot(10, at(8), at(12))]

    proposal = propose_sessions(candidates, rooms, slots, second_invigilator_above=20)

    assert_valid_plan(proposal, candidates, rooms, slots)
    # one invigilator: at most 20 a session, two sessions in the morning
    assert len(proposal.sessions) == 2
    assert all(len(s.candidate_ids) <= 20 for s in proposal.sessions)
    assert len(proposal.unplaced) == 50 - sum(len(s.candidate_ids) for s in proposal.sessions)
    texts = " ".join(w.text for w in proposal.warnings)
    assert "non placé" in texts
    assert "un seul surveillant disponible" in texts


def test_no_invigilator_at_all_places_nobody():
    candidates = pupils("3A", 5)
    proposal = propose_sessions(candidates, [PlanRoom(1, "B12", 24)], [])
    assert proposal.sessions == ()
    assert set(proposal.unplaced) == {c.id for c in candidates}
    assert "disponibilité" in proposal.warnings[0].text


def test_no_room_places_nobody():
    candidates = pupils("3A", 5)
    proposal = propose_sessions(candidates, [], [AvailabilitySlot(10, at(8), at(12))])
    assert proposal.sessions == ()
    assert len(proposal.unplaced) == 5
    assert "salle" in proposal.warnings[0].text


def test_a_pupil_with_extra_time_gets_a_longer_session_with_an_invigilator_free_that_long():
    # given one pupil with a tiers-temps; teacher 10 free 8–10 only, teacher 11 free 8–12
    candidates = pupils("3A", 12, extra={5: 33})
    rooms = [PlanRoom(1, "B12", 24), PlanRoom(2, "CDI", 4)]
    slots = [AvailabilitySlot(10, at(8), at(10)), AvailabilitySlot(11, at(8), at(12))]

    proposal = propose_sessions(candidates, rooms, slots)

    assert_valid_plan(proposal, candidates, rooms, slots)
    extra = next(s for s in proposal.sessions if 5 in s.candidate_ids)
    assert extra.candidate_ids == (5,)
    assert extra.minutes == 160  # 2 h + 33 %, rounded up to 5 min
    assert extra.invigilator_ids == (11,)  # teacher 10 leaves at 10:00, before 10:40
    regular = next(s for s in proposal.sessions if 1 in s.candidate_ids)
    assert regular.minutes == 120
    assert len(regular.candidate_ids) == 11


def test_pupils_with_extra_time_of_several_classes_sit_together():
    candidates = (pupils("3A", 10, extra={2: 33}) + pupils("3B", 10, first_id=20, extra={21: 50}))
    rooms = [PlanRoom(1, "B12", 24)]
    slots = [AvailabilitySlot(10, at(8), at(18))]

    proposal = propose_sessions(candidates, rooms, slots)

    assert_valid_plan(proposal, candidates, rooms, slots)
    extra = next(s for s in proposal.sessions if 2 in s.candidate_ids)
    assert set(extra.candidate_ids) == {2, 21}
    assert extra.minutes == 180  # the longest extra time sets the length
    classes = [s for s in proposal.sessions if s is not extra]
    assert {frozenset(s.candidate_ids) for s in classes} == {
        frozenset(set(range(1, 11)) - {2}), frozenset(set(range(20, 30)) - {21})
    }


def test_extra_time_longer_than_any_availability_is_reported_unplaced():
    candidates = pupils("3A", 6, extra={3: 33})
    rooms = [PlanRoom(1, "B12", 24)]
    slots = [AvailabilitySlot(10, at(8), at(10))]

    proposal = propose_sessions(candidates, rooms, slots)

    assert_valid_plan(proposal, candidates, rooms, slots)
    assert proposal.unplaced == (3,)
    assert "160 min" in proposal.warnings[0].text


def test_a_teacher_available_half_the_day_only_invigilates_then():
    # given teacher 10 free in the morning, teacher 11 all day; four classes, one room
    candidates = [c for i, d in enumerate("ABCD")
                  for c in pupils(f"3{d}", 20, first_id=100 * (i + 1))]
    rooms = [PlanRoom(1, "Salle info", 24)]
    slots = [AvailabilitySlot(10, at(8), at(12)), AvailabilitySlot(11, at(8), at(18))]

    proposal = propose_sessions(candidates, rooms, slots)

    assert_valid_plan(proposal, candidates, rooms, slots)
    assert len(proposal.sessions) == 4 and not proposal.unplaced
    for session in proposal.sessions:
        if 10 in session.invigilator_ids:
            assert session.starts_at + timedelta(minutes=session.minutes) <= at(12)
    # the load is shared: both teachers invigilate
    assert {p for s in proposal.sessions for p in s.invigilator_ids} == {10, 11}


def test_simultaneous_sessions_need_different_invigilators():
    # given two rooms and two classes, two teachers free 8–10 only: both classes at 8:00
    candidates = pupils("3A", 15) + pupils("3B", 15, first_id=50)
    rooms = [PlanRoom(1, "Salle 1", 16), PlanRoom(2, "Salle 2", 16)]
    slots = [AvailabilitySlot(10, at(8), at(10)), AvailabilitySlot(11, at(8), at(10))]

    proposal = propose_sessions(candidates, rooms, slots)

    assert_valid_plan(proposal, candidates, rooms, slots)
    assert len(proposal.sessions) == 2
    assert {s.invigilator_ids for s in proposal.sessions} == {(10,), (11,)}


def test_consecutive_slots_of_a_teacher_join_for_a_long_session():
    # availability entered as 8–10 and 10–12: a 160-minute session fits across them
    candidates = pupils("3A", 1, extra={1: 33})
    rooms = [PlanRoom(1, "B12", 24)]
    slots = [AvailabilitySlot(10, at(8), at(10)), AvailabilitySlot(10, at(10), at(12))]

    proposal = propose_sessions(candidates, rooms, slots)

    assert_valid_plan(proposal, candidates, rooms, slots)
    assert proposal.sessions[0].starts_at == at(8)


def test_explicit_start_times_are_the_only_ones_used():
    candidates = pupils("3A", 30)
    rooms = [PlanRoom(1, "B12", 24)]
    slots = [AvailabilitySlot(10, at(8), at(18))]

    proposal = propose_sessions(candidates, rooms, slots, start_times=[at(9), at(14)])

    assert_valid_plan(proposal, candidates, rooms, slots)
    assert [s.starts_at for s in proposal.sessions] == [at(9), at(14)]


def test_a_candidate_given_twice_is_placed_once():
    candidates = pupils("3A", 3)
    proposal = propose_sessions(candidates + candidates[:1], [PlanRoom(1, "B12", 24)],
                                [AvailabilitySlot(10, at(8), at(10))])
    assert_valid_plan(proposal, candidates, [PlanRoom(1, "B12", 24)],
                      [AvailabilitySlot(10, at(8), at(10))])


# --- random cases -----------------------------------------------------------------------------


@st.composite
def plans(draw):
    divisions = draw(st.lists(st.sampled_from(["3A", "3B", "3C", "3D"]), min_size=1,
                              max_size=4, unique=True))
    candidates = []
    for division in divisions:
        for _ in range(draw(st.integers(0, 32))):
            pk = len(candidates) + 1
            extra = draw(st.sampled_from([None, None, None, None, 25, 33, 50]))
            candidates.append(PlanCandidate(pk, f"Élève {pk}", division, extra))
    # mostly workable plans, sometimes none: no room, a room without computers, nobody free
    rooms = [PlanRoom(pk, f"Salle {pk}", draw(st.sampled_from([0, 4, 10, 16, 24, 30])))
             for pk in range(1, draw(st.sampled_from([0, 1, 1, 2, 2, 3])) + 1)]
    slots = []
    shared_morning = draw(st.booleans())  # a slot everyone gave, as teams often do
    for person in range(10, 10 + draw(st.sampled_from([0, 1, 2, 2, 3, 4]))):
        if shared_morning:
            slots.append(AvailabilitySlot(person, at(8), at(12)))
        for _ in range(draw(st.integers(0 if shared_morning else 1, 3))):
            day = draw(st.integers(12, 13))
            start = draw(st.integers(8 * 4, 16 * 4))  # quarter hours
            length = draw(st.integers(4, 40))
            begin = at(0, day=day) + timedelta(minutes=15 * start)
            slots.append(AvailabilitySlot(person, begin, begin + timedelta(minutes=15 * length)))
    return candidates, rooms, slots, draw(st.sampled_from([105, 120])), draw(st.integers(5, 25))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_any_proposal_keeps_every_constraint(plan):
    candidates, rooms, slots, minutes, above = plan
    proposal = propose_sessions(candidates, rooms, slots, session_minutes=minutes,
                                second_invigilator_above=above)
    assert_valid_plan(proposal, candidates, rooms, slots, session_minutes=minutes, above=above)


# --- conflicts in hand-made bad plans ---------------------------------------------------------

ROOMS = [PlanRoom(1, "B12", 10), PlanRoom(2, "CDI", 30)]
SLOTS = [AvailabilitySlot(10, at(8), at(12)), AvailabilitySlot(11, at(8), at(18)),
         AvailabilitySlot(12, at(14), at(18))]


def conflicts_of(sessions, candidates, *, above=20):
    return find_conflicts(sessions, rooms=ROOMS, candidates=candidates, availabilities=SLOTS,
                          invigilators=NAMES, second_invigilator_above=above)


def test_a_good_plan_has_no_conflict():
    candidates = pupils("3A", 10)
    sessions = [PlannedSession(1, 1, at(8), 120, tuple(c.id for c in candidates), (10,))]
    assert conflicts_of(sessions, candidates) == []


def test_room_over_capacity():
    candidates = pupils("3A", 12)
    sessions = [PlannedSession(1, 1, at(8), 120, tuple(c.id for c in candidates), (10,))]
    (conflict,) = conflicts_of(sessions, candidates)
    assert conflict.kind == ConflictKind.ROOM_OVER_CAPACITY
    assert conflict.session_keys == (1,)
    assert conflict.text == ("12/05/2026 08:00–10:00, B12 : 12 candidats pour 10 ordinateurs "
                             "dans la salle « B12 ».")


def test_room_double_booked_but_back_to_back_is_fine():
    a, b, c = pupils("3A", 1), pupils("3B", 1, first_id=2), pupils("3C", 1, first_id=3)
    sessions = [
        PlannedSession(1, 2, at(8), 120, (1,), (10,)),
        PlannedSession(2, 2, at(9), 120, (2,), (11,)),
        PlannedSession(3, 2, at(11), 120, (3,), (11,)),  # right after session 2: fine
    ]
    conflicts = conflicts_of(sessions, a + b + c)
    assert [x.kind for x in conflicts] == [ConflictKind.ROOM_DOUBLE_BOOKED]
    double = conflicts[0]
    assert double.session_keys == (1, 2)
    assert double.text == ("La salle « CDI » est réservée deux fois : 12/05/2026 08:00–10:00, "
                           "CDI et 12/05/2026 09:00–11:00, CDI.")


def test_invigilator_double_booked_and_outside_availability():
    candidates = pupils("3A", 2)
    sessions = [
        PlannedSession(1, 1, at(8), 120, (1,), (10,)),
        PlannedSession(2, 2, at(9), 120, (2,), (10,)),
        PlannedSession(3, 2, at(11), 120, (), (12,)),  # Mme Colin is free from 14:00
    ]
    conflicts = conflicts_of(sessions, candidates)
    kinds = Counter(c.kind for c in conflicts)
    assert kinds[ConflictKind.INVIGILATOR_DOUBLE_BOOKED] == 1
    assert kinds[ConflictKind.INVIGILATOR_UNAVAILABLE] == 1
    # Mme Arnaud, 9:00–11:00: inside her 8–12 availability, but already at 8:00 in B12
    double = next(c for c in conflicts if c.kind == ConflictKind.INVIGILATOR_DOUBLE_BOOKED)
    assert double.text.startswith("Mme Arnaud surveille deux sessions en même temps")
    unavailable = next(c for c in conflicts if c.kind == ConflictKind.INVIGILATOR_UNAVAILABLE)
    assert "Mme Colin n’est pas disponible" in unavailable.text
    assert unavailable.session_keys == (3,)


def test_invigilator_available_at_the_start_but_not_for_the_extra_time():
    candidates = pupils("3A", 1, extra={1: 33})
    sessions = [PlannedSession(1, 1, at(10), 160, (1,), (10,))]  # 10:00–12:40, free until 12
    (conflict,) = conflicts_of(sessions, candidates)
    assert conflict.kind == ConflictKind.INVIGILATOR_UNAVAILABLE


def test_too_few_invigilators():
    candidates = pupils("3A", 25)
    ids = tuple(c.id for c in candidates)
    sessions = [
        PlannedSession(1, 2, at(8), 120, ids[:22], (11,)),
        PlannedSession(2, 2, at(14), 120, ids[22:], ()),
    ]
    conflicts = conflicts_of(sessions, candidates)
    assert [(c.kind, c.session_keys) for c in conflicts] == [
        (ConflictKind.TOO_FEW_INVIGILATORS, (1,)), (ConflictKind.TOO_FEW_INVIGILATORS, (2,)),
    ]
    assert "il faut deux surveillants, 1 prévu(s)" in conflicts[0].text
    assert conflicts[1].text.endswith("aucun surveillant.")


def test_session_too_short_for_extra_time():
    candidates = pupils("3A", 2, extra={2: 33})
    sessions = [PlannedSession(1, 2, at(8), 120, (1, 2), (11,))]
    (conflict,) = conflicts_of(sessions, candidates)
    assert conflict.kind == ConflictKind.TOO_SHORT_FOR_EXTRA_TIME
    assert "demande 160 min" in conflict.text and "Élève 2" in conflict.text


def test_candidate_in_two_sessions_and_candidates_in_none():
    candidates = pupils("3A", 3) + pupils("3B", 2, first_id=10)
    sessions = [
        PlannedSession(1, 1, at(8), 120, (1, 2), (10,)),
        PlannedSession(2, 2, at(14), 120, (2,), (11,)),
    ]
    conflicts = conflicts_of(sessions, candidates)
    twice = [c for c in conflicts if c.kind == ConflictKind.CANDIDATE_TWICE]
    assert len(twice) == 1 and twice[0].session_keys == (1, 2)
    assert twice[0].text.startswith("Élève 2 est dans 2 sessions")
    unplaced = [c for c in conflicts if c.kind == ConflictKind.CANDIDATE_UNPLACED]
    assert [c.params["division"] for c in unplaced] == ["3A", "3B"]
    assert unplaced[0].text == "3A : 1 candidat(s) dans aucune session : Élève 3."
    assert unplaced[1].params["count"] == 2
