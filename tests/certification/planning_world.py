"""A certification plan for the test world, built through the services a RUPN's clicks call:
the 3A pupils as candidates, a room, teachers' availability and the proposed sessions; and the
same, smaller, in the outsider's establishment, for the 404 tests.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time

from campaigns.models import Campaign, Participant, Sending
from certification import selectors, services
from certification.models import Availability, Candidate, CertificationPlan, Room, Session
from establishments.models import (
    Enrolment,
    Establishment,
    Membership,
    Pupil,
    SchoolClass,
    SchoolYear,
)
from pix.files import PARIS
from tests.conftest import make_user

YEAR = SchoolYear.start_year_of_today()
DAY = date(YEAR + 1, 5, 11)  # a Tuesday of May in the current school year


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@dataclass
class Planned:
    plan: CertificationPlan
    room: Room
    session: Session
    candidate: Candidate
    availability: Availability
    teacher: Membership  # invigilates `session`
    pupil_user: object  # a 3A candidate with an account
    pupil: Pupil
    # the outsider's establishment
    other_plan: CertificationPlan
    other_room: Room
    other_session: Session
    other_candidate: Candidate
    other_availability: Availability


def member(user) -> Membership:
    return Membership.objects.get(user=user)


def give_account(pupil: Pupil, username: str):
    user = make_user(username, first=pupil.first_name, last=pupil.last_name, email="")
    pupil.user = user
    pupil.save(update_fields=["user"])
    Membership.objects.create(user=user, establishment=pupil.establishment,
                              role=Membership.Role.PUPIL)
    return user


def plan_for(establishment: Establishment, *, grades: list[str] | None = None,
             computers: int = 24, invigilators: list[Membership],
             start: datetime | None = None, end: datetime | None = None):
    plan, _ = services.plan_get_or_create(establishment=establishment)
    if grades is not None:
        services.plan_update(plan=plan, grades=grades, session_minutes=plan.session_minutes,
                             second_invigilator_above=plan.second_invigilator_above)
    room = services.room_create(establishment=establishment, name="Salle info",
                                computers=computers)
    availabilities = services.availability_create(
        plan=plan, members=invigilators, starts_at=start or at(8), ends_at=end or at(12))
    services.proposal_apply(plan=plan, proposal=selectors.plan_proposal(plan))
    return plan, room, availabilities


def build_planned(world) -> Planned:
    """3A's 6 pupils in one session in the morning, invigilated by the world's teacher."""
    teacher = member(world.teacher)
    plan, room, availabilities = plan_for(world.establishment, invigilators=[teacher])
    session = plan.sessions.get()
    candidate = session.candidates.order_by("pupil__last_name", "pk").first()
    pupil = candidate.pupil
    pupil_user = give_account(pupil, "eleve.3a")
    outsider = member(world.outsider)
    other_plan, other_room, other_availabilities = plan_for(
        world.outsider_establishment, grades=["5e"], invigilators=[outsider])
    other_session = other_plan.sessions.get()
    return Planned(
        plan=plan, room=room, session=session, candidate=candidate,
        availability=availabilities[0], teacher=teacher, pupil_user=pupil_user, pupil=pupil,
        other_plan=other_plan, other_room=other_room, other_session=other_session,
        other_candidate=other_session.candidates.first(),
        other_availability=other_availabilities[0],
    )


_numbers = itertools.count(1)


def add_pupils(establishment: Establishment, division: str, count: int, *,
               grade: str = "3e") -> list[Pupil]:
    """Pupils enrolled this year in `division` (created if needed), without an import."""
    year = establishment.current_year
    school_class, _ = SchoolClass.objects.get_or_create(
        establishment=establishment, school_year=year, code=division, defaults={"grade": grade})
    pupils = []
    for _ in range(count):
        n = next(_numbers)
        pupil = Pupil.objects.create(
            establishment=establishment, ine=f"{n:010d}X", last_name=f"NOM{n:04d}",
            first_name=f"Prénom{n}", sex="F" if n % 2 else "M", birthdate=date(2012, 1, 1),
            birth_place="La Rochelle",
        )
        Enrolment.objects.create(pupil=pupil, school_year=year, school_class=school_class)
        pupils.append(pupil)
    return pupils


def share_profile(pupil: Pupil, levels: dict[str, int], *, shared_at: datetime,
                  code: str = "PROFIL123",
                  establishment: Establishment | None = None) -> Sending:
    """A pupil's shared sending in a profiles collection (of their establishment unless
    told)."""
    establishment = establishment or pupil.establishment
    campaign, _ = Campaign.objects.get_or_create(
        establishment=establishment, code=code,
        defaults={"school_year": establishment.current_year, "name": code,
                  "kind": Campaign.Kind.PROFILES_COLLECTION},
    )
    participant = Participant.objects.create(
        campaign=campaign, last_name=pupil.last_name, first_name=pupil.first_name,
        last_name_key=pupil.last_name_key, first_name_key=pupil.first_name_key,
        pupil=pupil, match=Participant.Match.AUTO, has_shared=True,
    )
    return Sending.objects.create(
        participant=participant, shared=True, shared_at=shared_at, is_result=True,
        competences={code: {"level": level, "pix": level * 8} for code, level in levels.items()},
        fingerprint=f"{participant.pk}-{shared_at.isoformat()}",
    )
