"""The demo establishment: a realistic collège built through the same paths as a user's.

Its pupil base is a SIECLE file written by `pix.fakes` and imported by the pupil import job,
exactly as a RUPN's upload would be.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from establishments.models import Establishment, Membership, Pupil, SchoolClass
from establishments.services import establishment_create, pupil_import_start
from establishments.tasks import import_pupils_task
from jobs.models import Job
from pix.fakes import FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES, fake_establishment_pupils
from pix.pupils import write_siecle_xml

User = get_user_model()

DEMO_UAI = "0170123S"
DEMO_NAME = "Collège Victor Hugo (démo)"
DEMO_PASSWORD = "pixorga-demo"
GRADES = ("6e", "5e", "4e", "3e")
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
               teachers: int = 30) -> list[DemoLogin]:
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
    siecle = write_siecle_xml(rows, uai=DEMO_UAI, school_year=year)

    logins = _staff(establishment, rng, teachers)
    rupn = User.objects.get(email=logins[0].login)
    job = pupil_import_start(
        establishment=establishment, by=rupn, filename=f"ElevesSansAdresses-{year}.xml",
        data=siecle,
    )
    job.refresh_from_db()
    if not job.is_finished:
        # A broker is configured: run here rather than wait for a worker (it will find the
        # job finished and do nothing).
        import_pupils_task.apply(args=[job.pk])
        job.refresh_from_db()
    if job.status != Job.Status.SUCCEEDED:
        raise RuntimeError(f"demo pupil import failed: {job.errors[:3]}")
    _assign_classes(establishment, rng)
    logins.append(_pupil_login(establishment))
    return logins


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
