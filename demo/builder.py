"""The demo establishment: a realistic collège built through the same paths as a user's.

Its pupil bases are SIECLE files written by `pix.fakes` and imported by the pupil import job,
and its campaigns are created as in the campaign form, then their results, real-format Pix
Orga exports written by `pix.fake_results`, imported by the campaign import job — exactly as a
RUPN's or a teacher's uploads would be.

Two school years, so that history shows:

- last year: the pupil base (this year's 5e, 4e and 3e, one grade below, by INE; and a 3e
  cohort that has left since), a parcours de rentrée per grade in September and an end of
  year profiles collection of every class in May;
- this year: a parcours de rentrée per grade (owned by the RUPN, aimed at the grade's
  classes), a thematic parcours "Sécurité numérique" of the 4e owned by a teacher, a mid-year
  profiles collection of the 3e, all taken and imported; and the 3e profiles collection before
  certification, planned in May, without results yet.

Campaigns of this year are taken on their usual dates, or earlier in the school year when they
would not be over by `today` (the demo may be built any day of the year); one that cannot be
over yet, like the May collection, is only planned. A few participants are left for the
matching queue: two pupils of one class with the same names, a participant whose name was
mistyped in Pix, and a person who is no pupil.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, ResultSummary
from campaigns.services import campaign_create, campaign_import_start
from campaigns.tasks import import_campaign_results_task, rebuild_campaign_summaries_task
from establishments.models import (
    Enrolment,
    Establishment,
    Membership,
    Pupil,
    SchoolClass,
    SchoolYear,
)
from establishments.services import establishment_create, pupil_import_start
from establishments.tasks import import_pupils_task
from jobs.models import Job
from pix.campaigns import CampaignKind
from pix.fake_results import (
    DEFAULT_PARCOURS_COMPETENCES,
    GRADE_MEAN_LEVEL,
    fake_campaign_code,
    fake_campaign_export_bytes,
)
from pix.fake_results import Participant as PixParticipant
from pix.fakes import (
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    LAST_NAMES,
    fake_establishment_pupils,
    fake_pupils,
)
from pix.files import PARIS
from pix.grades import TYPICAL_MEF, grade_from_division
from pix.names import normalise_name
from pix.pupils import PupilRow, write_siecle_xml

User = get_user_model()

DEMO_UAI = "0170123S"
DEMO_NAME = "Collège Victor Hugo (démo)"
DEMO_PASSWORD = "pixorga-demo"
GRADES = ("6e", "5e", "4e", "3e")
HOMONYM_CLASS = "4A"  # two pupils with the same names (`_namesakes_in_class`)
NEWCOMER_RATE = 0.04  # pupils of 5e to 3e who were elsewhere last year
ABSENT_RATE = 0.04  # pupils who missed a campaign
SUBJECTS = (
    "Mathématiques", "Français", "Histoire-géographie", "Anglais", "Espagnol", "Allemand",
    "SVT", "Physique-chimie", "Technologie", "Arts plastiques", "Éducation musicale", "EPS",
    "Documentation",
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    login: str
    password: str
    name: str


def demo_exists() -> bool:
    return Establishment.objects.filter(uai=DEMO_UAI).exists()


def build_demo(*, seed: int = 2025, classes_per_grade: int = 4, pupils_per_class: int = 25,
               teachers: int = 30, today: date | None = None) -> list[DemoLogin]:
    """Builds the demo collège; `today` (default: today) dates this year's campaigns."""
    rng = random.Random(seed)
    establishment = establishment_create(
        uai=DEMO_UAI, name=DEMO_NAME, kind=Establishment.Kind.COLLEGE, city="La Rochelle"
    )
    year = establishment.current_year.start_year
    divisions = [
        (f"{grade[0]}{letter}", grade, pupils_per_class + rng.randint(-3, 3))
        for grade in GRADES
        for letter in "ABCDEFGH"[:classes_per_grade]
    ]
    rows = fake_establishment_pupils(divisions, school_year=year, rng=rng, homonyms=2)
    rows = _namesakes_in_class(rows, HOMONYM_CLASS)

    logins = _staff(establishment, rng, teachers)
    rupn = User.objects.get(email=logins[0].login)
    _import_pupils(establishment, rupn, rows, year)
    _assign_classes(establishment, rng)
    logins.append(_pupil_login(establishment))
    # Last year's pupil base, to which last year's campaigns are matched.
    previous = _previous_year_rows(rows, rng, classes_per_grade, pupils_per_class, year - 1)
    SchoolYear.objects.get_or_create(start_year=year - 1)
    _import_pupils(establishment, rupn, previous, year - 1)
    _campaigns(establishment, rng, seed=seed, today=today or timezone.localdate())
    return logins


def _import_pupils(establishment: Establishment, by, rows: list[PupilRow], year: int) -> None:
    job = pupil_import_start(
        establishment=establishment, by=by, filename=f"ElevesSansAdresses-{year}.xml",
        data=write_siecle_xml(rows, uai=DEMO_UAI, school_year=year),
    )
    _run_here(job, import_pupils_task)


def _run_here(job: Job, task) -> None:
    """Without a broker, the job ran in-process on commit; with one, it runs here rather than
    waiting for a worker (which will find the job finished and do nothing)."""
    job.refresh_from_db()
    if not job.is_finished:
        task.apply(args=[job.pk])
        job.refresh_from_db()
    if job.status != Job.Status.SUCCEEDED:
        raise RuntimeError(f"demo import {job.filename} failed: {job.errors[:3]}")


def _namesakes_in_class(rows: list[PupilRow], division: str) -> list[PupilRow]:
    """The second pupil of `division` takes the names of the first: two pupils whom matching
    cannot tell apart from a Pix export, where they are one participant with two sendings."""
    index = [i for i, row in enumerate(rows) if row.division == division]
    first, second = rows[index[0]], rows[index[1]]
    rows = list(rows)
    rows[index[1]] = replace(second, last_name=first.last_name, usage_name=first.usage_name,
                             first_name=first.first_name, sex=first.sex)
    return rows


def _previous_year_rows(rows: list[PupilRow], rng: random.Random, classes_per_grade: int,
                        pupils_per_class: int, year: int) -> list[PupilRow]:
    """Last year's pupil base: this year's 5e, 4e and 3e one grade below (classes are made
    anew each year), a few of them new this year, and last year's 3e, who have left."""
    letters = "ABCDEFGH"[:classes_per_grade]
    below = {"5e": "6e", "4e": "5e", "3e": "4e"}
    previous = []
    for row in rows:
        grade = grade_from_division(row.division)
        if grade not in below or rng.random() < NEWCOMER_RATE:
            continue  # this year's 6e were in primary school, newcomers in another school
        division = f"{below[grade][0]}{rng.choice(letters)}"
        previous.append(replace(row, division=division, mef_code=TYPICAL_MEF[below[grade]]))
    for letter in letters:
        previous += fake_pupils(f"3{letter}", "3e", pupils_per_class + rng.randint(-3, 3),
                                school_year=year, rng=rng)
    return previous


def _user(email: str, first: str, last: str, password_hash: str) -> User:
    user = User(username=email, email=email, first_name=first, last_name=last,
                password=password_hash)
    user.save()
    return user


@transaction.atomic
def _staff(establishment: Establishment, rng: random.Random, teachers: int) -> list[DemoLogin]:
    people = [
        ("rupn", Membership.Role.RUPN, "Claire", "Fontaine"),
        ("rupn2", Membership.Role.RUPN, "Karim", "Benali"),
        ("principal", Membership.Role.DIRECTION, "Hélène", "Marchand"),
        ("adjoint", Membership.Role.DIRECTION, "Olivier", "Lemoine"),
    ]
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    logins = []
    for login, role, first, last in people:
        email = f"{login}@demo.pixorga.fr"
        user = _user(email, first, last, password_hash)
        Membership.objects.create(user=user, establishment=establishment, role=role)
        logins.append(DemoLogin(str(role.label), email, DEMO_PASSWORD, f"{first} {last}"))
    used = set()
    for index in range(teachers):
        while True:
            first = rng.choice(FIRST_NAMES_F if index % 2 else FIRST_NAMES_M)
            last = rng.choice(LAST_NAMES).title()
            if (first, last) not in used:
                used.add((first, last))
                break
        email = "prof1@demo.pixorga.fr" if index == 0 else f"prof{index + 1}@demo.pixorga.fr"
        user = _user(email, first, last, password_hash)
        Membership.objects.create(
            user=user, establishment=establishment, role=Membership.Role.TEACHER
        )
        if index == 0:
            logins.append(DemoLogin("Enseignant", email, DEMO_PASSWORD, f"{first} {last}"))
    return logins


@transaction.atomic
def _assign_classes(establishment: Establishment, rng: random.Random) -> None:
    """Each teacher teaches 4 to 6 classes; every class has several teachers."""
    classes = list(
        SchoolClass.objects.filter(
            establishment=establishment, school_year=establishment.current_year
        ).order_by("code")
    )
    teachers = Membership.objects.filter(
        establishment=establishment, role=Membership.Role.TEACHER
    ).order_by("user__username")
    through = Membership.taught_classes.through
    links = []
    for index, teacher in enumerate(teachers):
        count = rng.randint(4, 6)
        start = (index * 3) % len(classes)
        chosen = {classes[(start + k) % len(classes)].pk for k in range(count)}
        links += [through(membership_id=teacher.pk, schoolclass_id=pk) for pk in chosen]
    through.objects.bulk_create(links)


@transaction.atomic
def _pupil_login(establishment: Establishment) -> DemoLogin:
    """One pupil of 5A with a known password, to show the pupil's space."""
    pupil = (
        Pupil.objects.filter(
            establishment=establishment,
            enrolments__school_class__code="5A",
            enrolments__school_year=establishment.current_year,
        )
        .order_by("last_name", "first_name")
        .first()
    )
    user = User(username="eleve.demo", first_name=pupil.first_name,
                last_name=pupil.display_last_name)
    user.set_password(DEMO_PASSWORD)
    user.save()
    pupil.user = user
    pupil.save(update_fields=["user"])
    Membership.objects.create(user=user, establishment=establishment, role=Membership.Role.PUPIL)
    return DemoLogin("Élève (5A)", "eleve.demo", DEMO_PASSWORD, str(pupil))


# --- campaigns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """A campaign of the demo, and when it is taken (`start`, in its school year)."""

    name: str
    kind: CampaignKind
    purpose: str
    grades: tuple[str, ...]
    start: date
    owner: str  # login of its owner
    parcours: str = ""
    competences: tuple[str, ...] = DEFAULT_PARCOURS_COMPETENCES
    badges: tuple[str, ...] = ()
    movable: bool = True  # may be taken earlier in its school year (see `_when`)
    extras: bool = False  # participants for the matching queue

    @property
    def span(self) -> timedelta:
        """How long the fake results spread: a profiles collection's sendings over three
        weeks, an assessment's starts over two (`pix.fake_results`)."""
        weeks = 3 if self.kind is CampaignKind.PROFILES_COLLECTION else 2
        return timedelta(weeks=weeks, days=1)


RUPN_LOGIN = "rupn@demo.pixorga.fr"
TEACHER_LOGIN = "prof1@demo.pixorga.fr"
RENTREE_COMPETENCES = {
    # 6e: the year of explicit teaching on identification, files and e-mail
    "6e": ("1.1", "1.2", "2.1", "4.1", "4.2", "5.2"),
    "5e": DEFAULT_PARCOURS_COMPETENCES,
    "4e": ("1.1", "1.3", "2.2", "2.3", "3.1", "3.2", "4.2", "5.1"),
    "3e": ("1.3", "2.3", "2.4", "3.2", "3.3", "3.4", "4.3", "5.2"),
}
RENTREE_DAY = {"5e": 15, "4e": 16, "3e": 17, "6e": 29}  # 6e a fortnight into the year


def _plans(year: int) -> list[_Plan]:
    """Last year's campaigns, then this year's; `year` is this school year's start."""
    plans = []
    for start_year in (year - 1, year):
        plans += [
            _Plan(f"Parcours de rentrée {grade} {start_year}", CampaignKind.ASSESSMENT,
                  Campaign.Purpose.RENTREE, (grade,), date(start_year, 9, RENTREE_DAY[grade]),
                  RUPN_LOGIN, parcours=f"Parcours de rentrée — {grade}",
                  competences=RENTREE_COMPETENCES[grade], extras=grade == "4e")
            for grade in GRADES
        ]
        if start_year < year:
            plans.append(_Plan(
                f"Collecte de profils de fin d’année {start_year}-{start_year + 1}",
                CampaignKind.PROFILES_COLLECTION, Campaign.Purpose.OTHER, GRADES,
                date(start_year + 1, 5, 11), RUPN_LOGIN, extras=True))
    plans += [
        _Plan("Sécurité numérique — 4e", CampaignKind.ASSESSMENT, Campaign.Purpose.THEMATIC,
              ("4e",), date(year, 10, 6), TEACHER_LOGIN, parcours="Sécurité numérique",
              competences=("4.1", "4.2", "4.3"), badges=("Bons réflexes de sécurité",),
              extras=True),
        _Plan(f"Collecte de profils de mi-année 3e {year}-{year + 1}",
              CampaignKind.PROFILES_COLLECTION, Campaign.Purpose.PRE_CERTIFICATION, ("3e",),
              date(year, 11, 3), RUPN_LOGIN),
        _Plan(f"Collecte de profils avant certification 3e {year}-{year + 1}",
              CampaignKind.PROFILES_COLLECTION, Campaign.Purpose.PRE_CERTIFICATION, ("3e",),
              date(year + 1, 5, 4), RUPN_LOGIN, movable=False),
    ]
    return plans


def _campaigns(establishment: Establishment, rng: random.Random, *, seed: int,
               today: date) -> None:
    year = establishment.current_year.start_year
    owners = {user.username: user for user in User.objects.filter(
        username__in=[RUPN_LOGIN, TEACHER_LOGIN])}
    codes: set[str] = set()
    for plan in _plans(year):
        start, taken = _when(plan, today)
        while (code := fake_campaign_code(rng)) in codes:
            pass
        codes.add(code)
        school_year = SchoolYear.objects.get(start_year=SchoolYear.start_year_of(plan.start))
        classes = list(SchoolClass.objects.filter(
            establishment=establishment, school_year=school_year, grade__in=plan.grades))
        campaign = campaign_create(
            establishment=establishment, by=owners[plan.owner], code=code, name=plan.name,
            kind=plan.kind.value, parcours=plan.parcours, purpose=plan.purpose,
            classes=classes, opens_on=start, closes_on=start + plan.span,
            school_year=school_year,
        )
        if taken:
            _take(campaign, plan, rng, seed=seed, start=start, classes=classes)


def _when(plan: _Plan, today: date) -> tuple[date, bool]:
    """When the campaign is taken, and whether it is over by `today`: on its usual date, or
    earlier in its school year if that would not be over yet (the demo may be built any day
    of the year); else it is planned on its usual date, without results."""
    if plan.start + plan.span <= today:
        return plan.start, True
    earlier = today - plan.span
    if plan.movable and SchoolYear.start_year_of(earlier) == SchoolYear.start_year_of(plan.start):
        return earlier, True
    return plan.start, False


def _take(campaign: Campaign, plan: _Plan, rng: random.Random, *, seed: int, start: date,
          classes: Sequence[SchoolClass]) -> None:
    """The campaign's results, as Pix Orga exports them, imported as its owner would."""
    participants, ability = _participants(classes, rng, seed=seed, extras=plan.extras)
    gives_levels = plan.kind is CampaignKind.PROFILES_COLLECTION
    data = fake_campaign_export_bytes(
        plan.kind, participants, rng=rng, code=campaign.code, name=campaign.name,
        organisation=DEMO_NAME, start=datetime.combine(start, time(8, 0), PARIS),
        parcours=plan.parcours or None, competence_codes=plan.competences,
        badge_names=plan.badges,
        ability=(lambda p: GRADE_MEAN_LEVEL[p.grade] + 0.6 * ability[p]) if gives_levels
        else (lambda p: min(0.9, max(0.1, 0.55 + 0.15 * ability[p]))),
    )
    job = campaign_import_start(
        establishment=campaign.establishment, by=campaign.owner, campaign=campaign,
        filename=f"Resultats-{campaign.name}-{campaign.code}.csv", data=data,
    )
    _run_here(job, import_campaign_results_task)
    if not ResultSummary.objects.filter(campaign=campaign).exists():
        # A broker took the rebuild that the import enqueued: done here, as for the import.
        rebuild_campaign_summaries_task.apply(args=[campaign.pk])


def _participants(classes: Sequence[SchoolClass], rng: random.Random, *, seed: int,
                  extras: bool) -> tuple[list[PixParticipant], dict[PixParticipant, float]]:
    """The pupils of the classes who took the campaign, as Pix knows them (the name they
    typed, their class), and how able each is: the same pupil is as strong every year."""
    enrolments = (Enrolment.objects.filter(school_class__in=classes, left_on__isnull=True)
                  .select_related("pupil", "school_class").order_by("school_class__code", "pk"))
    everyone = [
        (PixParticipant(e.pupil.display_last_name.title(), e.pupil.first_name,
                        e.school_class.code, e.school_class.grade), e.pupil.ine)
        for e in enrolments
    ]
    namesakes = Counter(participant for participant, _ine in everyone)
    participants, ability = [], {}
    for participant, ine in everyone:
        # Namesakes in a class always take part: they are the matching queue's homonyms.
        if namesakes[participant] == 1 and rng.random() < ABSENT_RATE:
            continue
        participants.append(participant)
        ability[participant] = random.Random(f"{seed}-{ine}").gauss(0, 1)
    if extras:
        participants = _with_matching_cases(participants, ability)
    return participants, ability


def _with_matching_cases(participants: list[PixParticipant],
                         ability: dict[PixParticipant, float]) -> list[PixParticipant]:
    """A mistyped last name (one letter missing) and someone who is no pupil (a teacher
    trying the campaign): both wait in the matching queue, with the homonyms of 4A."""
    taken = {normalise_name(p.last_name) for p in participants}
    seen = Counter(participants)
    result = list(participants)
    for index, participant in enumerate(participants):
        typo = participant.last_name[:-1]
        if (seen[participant] == 1 and len(typo) >= 5 and " " not in typo
                and normalise_name(typo) not in taken):
            result[index] = replace(participant, last_name=typo)
            ability[result[index]] = ability[participant]
            break
    first = participants[0]
    tester = PixParticipant("Essai", "Compte", first.division, first.grade)
    ability[tester] = 0.0
    return [*result, tester]


def demo_logins() -> list[DemoLogin]:
    """The logins to print, read back from the database."""
    logins = []
    for membership in Membership.objects.filter(
        establishment__uai=DEMO_UAI,
        user__username__in=[
            "rupn@demo.pixorga.fr", "principal@demo.pixorga.fr", "prof1@demo.pixorga.fr",
            "eleve.demo",
        ],
    ).select_related("user"):
        logins.append(
            (
                list(Membership.Role.values).index(membership.role),
                DemoLogin(membership.get_role_display(), membership.user.username,
                          DEMO_PASSWORD, str(membership.user)),
            )
        )
    return [login for _rank, login in sorted(logins, key=lambda pair: pair[0])]
