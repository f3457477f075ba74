"""Remediation in the demo collège: what `demo/builder.py` can call once the pupils exist, so
that every remediation page has something to show. Everything goes through the same paths as
a user's clicks: campaign exports written as Pix writes them and imported by the real import,
groups proposed and validated by the services.

- `add_rentree_results`: the 5e « parcours de rentrée » (an assessment), mid-September;
- `add_october_round`: a round of remediation in October from those results — groups
  validated, three weekly sessions each, attendance taken;
- `add_follow_up_results`: a thematic parcours on the aimed competences, passed after the last
  session, so that the effect page shows before and after. The generated pupils who attended
  progress a little more than the others (invented data: it shows the page, it proves nothing);
- `add_workshops_and_pix_edu`: teachers' workshops and Pix+ Édu steps.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db.models import Avg
from django.utils import timezone

from campaigns.imports import campaign_results_import
from campaigns.models import Campaign, Sending
from certification.models import Room
from establishments.models import Enrolment, Establishment, Membership
from pix.campaign_format import CampaignKind
from pix.fake_results import DEFAULT_PARCOURS_COMPETENCES, Participant
from pix.fake_results import fake_campaign_export_bytes as fake_export
from pix.files import PARIS
from pix.names import normalise_name

from . import services
from .models import Attendance, Group, Period, Registration, Session, Workshop
from .selectors import Source

RENTREE_CODE = "RENTRE501"
FOLLOW_UP_CODE = "THEMAT502"
GRADE = "5e"


def _year_start(establishment: Establishment) -> int:
    return establishment.current_year.start_year


def _participants(establishment: Establishment, grade: str = GRADE) -> list[Participant]:
    enrolments = Enrolment.objects.filter(
        school_year=establishment.current_year, school_class__establishment=establishment,
        school_class__grade=grade, left_on__isnull=True,
    ).select_related("pupil", "school_class").order_by("school_class__code", "pupil__last_name")
    return [Participant(e.pupil.display_last_name, e.pupil.first_name, e.school_class.code,
                        grade) for e in enrolments]


def _rupn(establishment: Establishment):
    return (Membership.objects.filter(establishment=establishment, role=Membership.Role.RUPN)
            .select_related("user").order_by("pk").first().user)


def _import(establishment: Establishment, data: bytes, by) -> Campaign:
    report = campaign_results_import(establishment=establishment, data=data,
                                     filename="export-demo.csv", by=by)
    if not report.ok:
        raise RuntimeError(f"demo campaign import failed: {[str(e) for e in report.errors[:3]]}")
    return report.campaign


def add_rentree_results(establishment: Establishment, *, seed: int = 5) -> Campaign:
    """The 5e rentrée parcours, started from 15 September (idempotent: kept if present)."""
    found = Campaign.objects.filter(establishment=establishment, code=RENTREE_CODE).first()
    if found is not None:
        return found
    start = datetime(_year_start(establishment), 9, 15, 8, 30, tzinfo=PARIS)
    data = fake_export(
        CampaignKind.ASSESSMENT, _participants(establishment), rng=random.Random(seed),
        code=RENTREE_CODE, name="Parcours de rentrée 5e", organisation=establishment.name,
        start=start, competence_codes=DEFAULT_PARCOURS_COMPETENCES, stage_count=4,
    )
    return _import(establishment, data, _rupn(establishment))


def rooms(establishment: Establishment) -> list[Room]:
    """The computer rooms (certification's rooms, shared): created when the demo has none."""
    for name, computers in (("Salle informatique 1", 16), ("Salle informatique 2", 15),
                            ("CDI", 6)):
        Room.objects.get_or_create(establishment=establishment, name=name,
                                   defaults={"computers": computers})
    return list(Room.objects.filter(establishment=establishment).order_by("name"))


def _first_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def add_october_round(establishment: Establishment, rentree: Campaign, *,
                      seed: int = 6) -> Period:
    """Groups of the pupils under 40 % from the rentrée parcours, led by prof1 and other
    teachers, three weekly sessions from the first Tuesday of October, attendance taken."""
    found = Period.objects.filter(establishment=establishment, name__startswith="Remédiation "
                                  "5e — octobre").first()
    if found is not None:
        return found
    rng = random.Random(seed)
    rupn = _rupn(establishment)
    year = _year_start(establishment)
    first_day = _first_weekday(date(year, 10, 1), 1)
    period = services.period_propose(
        establishment=establishment, by=rupn, grade=GRADE, name="Remédiation 5e — octobre",
        starts_on=first_day, ends_on=first_day + timedelta(weeks=3), source=Source(rentree),
        threshold=0.4, max_group_size=14,
    )
    services.period_validate_all(period=period, by=rupn)
    leaders = list(Membership.objects.filter(establishment=establishment,
                                             role=Membership.Role.TEACHER)
                   .order_by("user__username"))
    leaders.sort(key=lambda m: m.user.username != "prof1@demo.pixorga.fr")
    computer_rooms = [r for r in rooms(establishment) if r.computers >= 12]
    for index, group in enumerate(Group.objects.filter(period=period).order_by("pk")):
        leader = leaders[index % len(leaders)]
        services.group_set_leader(group=group, leader=leader)
        start = datetime.combine(first_day + timedelta(days=index // 2),
                                 time(13 + (index % 2) * 2, 30), tzinfo=PARIS)
        sessions = services.sessions_plan(group=group, weeks=3, plan=services.SessionPlan(
            starts_at=start, minutes=55, room_id=computer_rooms[index % 2].pk,
            leader_id=leader.pk, competences=tuple(group.competences),
            campaign_code=f"REMEDI{index + 1:03d}"))
        members = list(group.members.values_list("pupil_id", flat=True))
        for session in sessions:
            services.attendance_save(session=session, by=leader.user, notes=None, marks={
                pupil_id: rng.random() < 0.85 for pupil_id in members})
    return period


def add_follow_up_results(establishment: Establishment, period: Period, *,
                          code: str = FOLLOW_UP_CODE, seed: int = 7) -> Campaign:
    """A thematic parcours on the period's aimed competences, started the Monday after its last
    session; pupils keep their rentrée level, those who attended gain a little more."""
    found = Campaign.objects.filter(establishment=establishment, code=code).first()
    if found is not None:
        return found
    last = Session.objects.filter(group__period=period).order_by("-starts_at").first()
    after = (last.starts_at if last else timezone.now()) + timedelta(days=3)
    codes = sorted({c for g in period.groups.all() for c in g.competences})
    attended = set(Attendance.objects.filter(session__group__period=period, present=True)
                   .values_list("pupil__last_name_key", "pupil__first_name_key"))
    rentree = {
        (row["participant__last_name_key"], row["participant__first_name_key"]): row["rate"]
        for row in Sending.objects.filter(is_result=True,
                                          participant__campaign=period.source_campaign)
        .values("participant__last_name_key", "participant__first_name_key")
        .annotate(rate=Avg("mastery"))
    }
    def ability(participant: Participant) -> float:
        key = (normalise_name(participant.last_name), normalise_name(participant.first_name))
        base = float(rentree.get(key) or 0.5)
        return min(base + (0.18 if key in attended else 0.04), 0.95)

    start = datetime.combine(_first_weekday(after.date(), 0), time(9), tzinfo=PARIS)
    data = fake_export(
        # the code in the seed: two follow-ups of the same pupils draw different results
        CampaignKind.ASSESSMENT, _participants(establishment), rng=random.Random(f"{seed}{code}"),
        code=code, name="Parcours thématique 5e — après la remédiation",
        organisation=establishment.name, start=start, competence_codes=codes or
        DEFAULT_PARCOURS_COMPETENCES, stage_count=4, ability=ability,
    )
    return _import(establishment, data, _rupn(establishment))


def add_workshops_and_pix_edu(establishment: Establishment, *, seed: int = 8) -> None:
    """Three workshops (one past, with attendance), prof1 signed up to the next one; Pix+ Édu
    steps for a third of the teachers, four of them newly tenured."""
    if Workshop.objects.filter(establishment=establishment).exists():
        return
    rng = random.Random(seed)
    rupn = _rupn(establishment)
    rupn_member = Membership.objects.get(user=rupn, establishment=establishment)
    teachers = list(Membership.objects.filter(establishment=establishment,
                                              role=Membership.Role.TEACHER)
                    .order_by("user__username"))
    teachers.sort(key=lambda m: m.user.username != "prof1@demo.pixorga.fr")  # prof1 first
    room = rooms(establishment)[0]
    year = _year_start(establishment)
    today = timezone.localdate()
    plans = [
        ("Prendre en main Pix Orga : campagnes et résultats", "1", date(year, 9, 24)),
        ("Sécuriser ses comptes et ses mots de passe", "4", today + timedelta(days=9)),
        ("Créer une capsule vidéo pour la classe", "3", today + timedelta(days=23)),
    ]
    for topic, domain, day in plans:
        workshop = Workshop.objects.create(
            establishment=establishment, school_year=establishment.current_year, topic=topic,
            domain=domain, starts_at=datetime.combine(day, time(16, 30), tzinfo=PARIS),
            minutes=90, room=room, capacity=12, led_by=rupn_member,
            description="Atelier ouvert à tous les enseignants, sans prérequis.")
        chosen = rng.sample(teachers, k=min(8, len(teachers)))
        if day > today and teachers[0] not in chosen:
            chosen[0] = teachers[0]  # prof1, to show their home page
        Registration.objects.bulk_create(
            Registration(workshop=workshop, member=m,
                         present=(rng.random() < 0.8) if day < today else None)
            for m in chosen)
    for index, member in enumerate(teachers):
        if index % 3 and index >= 4:
            continue
        positioned = date(year, 9, 10) + timedelta(days=index)
        services.pix_edu_update(member=member, by=rupn, newly_tenured=index < 4, steps={
            "positioning": (True, positioned),
            "training": (index % 2 == 0, None),
            "attestation": (index in (0, 2), date(year, 10, 15) if index in (0, 2) else None),
        })


def add_remediation_demo(establishment: Establishment) -> dict:
    """Everything above, in order; safe to run twice."""
    rentree = add_rentree_results(establishment)
    period = add_october_round(establishment, rentree)
    follow_up = add_follow_up_results(establishment, period)
    add_workshops_and_pix_edu(establishment)
    return {"rentree": rentree, "period": period, "follow_up": follow_up}
