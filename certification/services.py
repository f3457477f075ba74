"""Writes of the certification planning: keyword-only arguments, one transaction each.

Edits by hand are never refused for breaking a planning rule: the RUPN knows things the planner
does not (a teacher who swapped a lesson). The plan page shows every conflict instead.
A service refuses only what cannot be stored or would mix establishments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from establishments.models import Enrolment, Establishment, Membership, SchoolClass, SchoolYear
from pix.candidates import MAX_EXTRA_TIME
from pix.grades import GRADE_CODES, LEAVING_GRADES

from .models import Availability, Candidate, CertificationPlan, Room, Session
from .planning import Proposal

MAX_SESSION_MINUTES = 600


# --- the plan ---------------------------------------------------------------------------------


def default_grades(establishment: Establishment, school_year: SchoolYear) -> list[str]:
    """The leaving grades (3e, Terminale, last year of CAP or bac pro) the establishment has
    classes of that year."""
    present = set(
        SchoolClass.objects.filter(establishment=establishment, school_year=school_year)
        .values_list("grade", flat=True)
    )
    return [g for g in GRADE_CODES if g in LEAVING_GRADES and g in present]


@transaction.atomic
def plan_get_or_create(*, establishment: Establishment,
                       school_year: SchoolYear | None = None) -> tuple[CertificationPlan, bool]:
    """The establishment's plan for the year (its current year by default); a new plan
    certifies the leaving grades present and enrols their pupils as candidates."""
    school_year = school_year or establishment.current_year
    plan, created = CertificationPlan.objects.get_or_create(
        establishment=establishment, school_year=school_year,
        defaults={"grades": default_grades(establishment, school_year)},
    )
    if created:
        candidates_refresh(plan=plan)
    return plan, created


@transaction.atomic
def plan_update(*, plan: CertificationPlan, grades: Sequence[str], session_minutes: int,
                second_invigilator_above: int) -> CandidatesRefresh | None:
    """New settings; a change of grades refreshes the candidates."""
    unknown = set(grades) - set(GRADE_CODES)
    if unknown:
        raise ValidationError({"grades": _("Niveau inconnu : %(grades)s.")
                               % {"grades": ", ".join(sorted(unknown))}})
    if not 0 < session_minutes <= MAX_SESSION_MINUTES:
        raise ValidationError({"session_minutes": _("Durée hors limites.")})
    ordered = [g for g in GRADE_CODES if g in set(grades)]
    grades_changed = ordered != list(plan.grades)
    plan.grades = ordered
    plan.session_minutes = session_minutes
    plan.second_invigilator_above = second_invigilator_above
    plan.save(update_fields=["grades", "session_minutes", "second_invigilator_above"])
    return candidates_refresh(plan=plan) if grades_changed else None


# --- candidates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidatesRefresh:
    added: int
    removed: int
    kept: int


@transaction.atomic
def candidates_refresh(*, plan: CertificationPlan) -> CandidatesRefresh:
    """Candidates are the pupils enrolled this year in a class of a certified grade who have
    not left. Idempotent: pupils already candidates keep their extra time and sessions; pupils
    who are no longer concerned are removed, with their places in sessions."""
    wanted = set(
        Enrolment.objects.filter(
            school_year=plan.school_year,
            school_class__establishment_id=plan.establishment_id,
            school_class__grade__in=list(plan.grades),
            left_on__isnull=True,
        ).values_list("pupil_id", flat=True)
    )
    existing = dict(Candidate.objects.filter(plan=plan).values_list("pupil_id", "pk"))
    gone = [pk for pupil_id, pk in existing.items() if pupil_id not in wanted]
    Candidate.objects.filter(pk__in=gone).delete()
    Candidate.objects.bulk_create(
        [Candidate(plan=plan, pupil_id=pupil_id) for pupil_id in sorted(wanted - set(existing))]
    )
    return CandidatesRefresh(added=len(wanted - set(existing)), removed=len(gone),
                             kept=len(set(existing) & wanted))


@transaction.atomic
def candidate_set_extra_time(*, candidate: Candidate, percent: int | None) -> Candidate:
    """Extra time as a percentage (33 for a tiers-temps); 0 or None for none."""
    if percent is not None and not 0 <= percent <= MAX_EXTRA_TIME:
        raise ValidationError({"percent": _("Un pourcentage entre 0 et %(max)s est attendu.")
                               % {"max": MAX_EXTRA_TIME}})
    candidate.extra_time_percent = percent or None
    candidate.save(update_fields=["extra_time_percent"])
    return candidate


@transaction.atomic
def candidates_move(*, plan: CertificationPlan, candidates: Iterable[Candidate],
                    to_session: Session | None) -> None:
    """Takes the candidates out of every session of the plan and puts them in `to_session`
    (or in none)."""
    ids = [c.pk for c in candidates if c.plan_id == plan.pk]
    if to_session is not None and to_session.plan_id != plan.pk:
        raise ValidationError(_("Cette session appartient à un autre plan."))
    Session.candidates.through.objects.filter(session__plan=plan, candidate_id__in=ids).delete()
    if to_session is not None:
        to_session.candidates.add(*ids)


# --- rooms ------------------------------------------------------------------------------------


def _check_room(establishment: Establishment, name: str, computers: int,
                room: Room | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom à la salle.")})
    same = Room.objects.filter(establishment=establishment, name__iexact=name)
    if room is not None:
        same = same.exclude(pk=room.pk)
    if same.exists():
        raise ValidationError({"name": _("Une salle porte déjà ce nom.")})
    if computers < 0:
        raise ValidationError({"computers": _("Nombre d’ordinateurs négatif.")})
    return name


@transaction.atomic
def room_create(*, establishment: Establishment, name: str, computers: int) -> Room:
    name = _check_room(establishment, name, computers)
    return Room.objects.create(establishment=establishment, name=name, computers=computers)


@transaction.atomic
def room_update(*, room: Room, name: str, computers: int) -> Room:
    room.name = _check_room(room.establishment, name, computers, room)
    room.computers = computers
    room.save(update_fields=["name", "computers"])
    return room


@transaction.atomic
def room_delete(*, room: Room) -> None:
    used = room.sessions.count()
    if used:
        raise ValidationError(
            _("La salle « %(room)s » accueille %(count)s session(s) : déplacez-les ou "
              "supprimez-les d’abord.") % {"room": room.name, "count": used})
    room.delete()


# --- availability -----------------------------------------------------------------------------


def _check_members(plan: CertificationPlan, members: Iterable[Membership]) -> list[Membership]:
    members = list(members)
    for member in members:
        if member.establishment_id != plan.establishment_id or not member.is_staff_member:
            raise ValidationError(_("Seul un membre de l’équipe peut surveiller."))
    return members


@transaction.atomic
def availability_create(*, plan: CertificationPlan, members: Iterable[Membership],
                        starts_at: datetime, ends_at: datetime) -> list[Availability]:
    """The same time slot for one or several people; a slot a person already has is not
    duplicated."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("La fin doit suivre le début.")})
    created = []
    for member in _check_members(plan, members):
        availability, made = Availability.objects.get_or_create(
            plan=plan, member=member, starts_at=starts_at, ends_at=ends_at)
        if made:
            created.append(availability)
    return created


@transaction.atomic
def availability_delete(*, availability: Availability) -> None:
    availability.delete()


# --- sessions ---------------------------------------------------------------------------------


@transaction.atomic
def proposal_apply(*, plan: CertificationPlan, proposal: Proposal) -> list[Session]:
    """Replaces every session of the plan by the proposal's, all or nothing."""
    candidate_ids = set(Candidate.objects.filter(plan=plan).values_list("pk", flat=True))
    room_ids = set(Room.objects.filter(establishment_id=plan.establishment_id)
                   .values_list("pk", flat=True))
    member_ids = set(Membership.objects.staff().filter(establishment_id=plan.establishment_id)
                     .values_list("pk", flat=True))
    for planned in proposal.sessions:
        if (planned.room_id not in room_ids or not set(planned.candidate_ids) <= candidate_ids
                or not set(planned.invigilator_ids) <= member_ids):
            raise ValidationError(_("La proposition ne correspond plus au plan : "
                                    "recommencez."))
    Session.objects.filter(plan=plan).delete()
    sessions = Session.objects.bulk_create([
        Session(plan=plan, room_id=p.room_id, starts_at=p.starts_at, minutes=p.minutes)
        for p in proposal.sessions
    ])
    Session.candidates.through.objects.bulk_create([
        Session.candidates.through(session_id=session.pk, candidate_id=candidate_id)
        for session, planned in zip(sessions, proposal.sessions, strict=True)
        for candidate_id in planned.candidate_ids
    ])
    Session.invigilators.through.objects.bulk_create([
        Session.invigilators.through(session_id=session.pk, membership_id=member_id)
        for session, planned in zip(sessions, proposal.sessions, strict=True)
        for member_id in planned.invigilator_ids
    ])
    return sessions


def _check_session(plan: CertificationPlan, room: Room, minutes: int,
                   invigilators: Iterable[Membership]) -> list[Membership]:
    if room.establishment_id != plan.establishment_id:
        raise ValidationError({"room": _("Salle inconnue.")})
    if not 0 < minutes <= MAX_SESSION_MINUTES:
        raise ValidationError({"minutes": _("Durée hors limites.")})
    return _check_members(plan, invigilators)


@transaction.atomic
def session_create(*, plan: CertificationPlan, room: Room, starts_at: datetime, minutes: int,
                   invigilators: Iterable[Membership] = (), pix_number: str = "") -> Session:
    invigilators = _check_session(plan, room, minutes, invigilators)
    session = Session.objects.create(plan=plan, room=room, starts_at=starts_at,
                                     minutes=minutes, pix_number=pix_number.strip())
    session.invigilators.set(invigilators)
    return session


@transaction.atomic
def session_update(*, session: Session, room: Room, starts_at: datetime, minutes: int,
                   invigilators: Iterable[Membership], pix_number: str = "") -> Session:
    invigilators = _check_session(session.plan, room, minutes, invigilators)
    session.room = room
    session.starts_at = starts_at
    session.minutes = minutes
    session.pix_number = pix_number.strip()
    session.save(update_fields=["room", "starts_at", "minutes", "pix_number"])
    session.invigilators.set(invigilators)
    return session


@transaction.atomic
def session_delete(*, session: Session) -> int:
    """Deletes the session; its candidates are left in no session. Returns their number."""
    count = session.candidates.count()
    session.delete()
    return count
