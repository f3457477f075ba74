"""The shared test world: an establishment with a user per role, and an outsider elsewhere."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from establishments.imports import pupil_base_import
from establishments.models import Establishment, Membership, Pupil, SchoolClass, SchoolYear
from pix.fakes import fake_establishment_pupils
from pix.pupils import write_siecle_xml
from pixorga.celery import app as celery_app

User = get_user_model()
PASSWORD = "test-password-123"


def pytest_configure(config):
    from django.conf import settings

    # Hashing is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run in-process in tests, except those that test the real broker and worker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_user(username: str, *, first: str = "", last: str = "", email: str | None = None):
    user = User(username=username, email=email if email is not None else username,
                first_name=first, last_name=last)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_establishment(uai: str, name: str) -> Establishment:
    year, _ = SchoolYear.objects.get_or_create(start_year=SchoolYear.start_year_of_today())
    return Establishment.objects.create(
        uai=uai, name=name, kind=Establishment.Kind.COLLEGE, current_year=year
    )


def import_fake_pupils(
    establishment: Establishment,
    divisions=(("5A", "5e", 6), ("5B", "5e", 6), ("3A", "3e", 6)),
    *,
    seed: int = 1,
    homonyms: int = 0,
):
    """Imports a generated, real-format SIECLE file through the real import."""
    rows = fake_establishment_pupils(
        list(divisions), school_year=establishment.current_year.start_year,
        rng=random.Random(seed), homonyms=homonyms,
    )
    data = write_siecle_xml(
        rows, uai=establishment.uai, school_year=establishment.current_year.start_year
    )
    report = pupil_base_import(establishment=establishment, data=data, filename="siecle.xml")
    assert report.ok, [str(e) for e in report.errors]
    return rows


@dataclass
class World:
    establishment: Establishment
    rupn: object
    direction: object
    teacher: object
    other_teacher: object
    pupil_user: object
    pupil: Pupil
    taught_class: SchoolClass
    untaught_class: SchoolClass
    outsider_establishment: Establishment
    outsider: object  # RUPN of the other establishment
    outsider_pupil: Pupil

    def member(self, role: str):
        return {
            "rupn": self.rupn, "direction": self.direction, "teacher": self.teacher,
            "pupil": self.pupil_user, "outsider": self.outsider,
        }[role]


@pytest.fixture
def world(db) -> World:
    establishment = make_establishment("0170124T", "Collège Test")
    import_fake_pupils(establishment)
    other = make_establishment("0330001B", "Collège Ailleurs")
    import_fake_pupils(other, divisions=(("5A", "5e", 3),), seed=2)

    def member(username, role, est=establishment):
        user = make_user(username, first=username.title(), last="Test")
        return user, Membership.objects.create(user=user, establishment=est, role=role)

    rupn, _ = member("rupn@test.fr", Membership.Role.RUPN)
    direction, _ = member("direction@test.fr", Membership.Role.DIRECTION)
    teacher, teacher_membership = member("prof@test.fr", Membership.Role.TEACHER)
    other_teacher, _ = member("prof2@test.fr", Membership.Role.TEACHER)
    outsider, _ = member("rupn@ailleurs.fr", Membership.Role.RUPN, other)
    year = establishment.current_year
    taught = SchoolClass.objects.get(establishment=establishment, school_year=year, code="5A")
    untaught = SchoolClass.objects.get(establishment=establishment, school_year=year, code="5B")
    teacher_membership.taught_classes.add(taught)
    pupil = Pupil.objects.filter(enrolments__school_class=taught).order_by("pk").first()
    pupil_user = make_user("eleve.test", first=pupil.first_name, last=pupil.last_name, email="")
    pupil.user = pupil_user
    pupil.save(update_fields=["user"])
    Membership.objects.create(user=pupil_user, establishment=establishment, role="pupil")
    return World(
        establishment=establishment, rupn=rupn, direction=direction, teacher=teacher,
        other_teacher=other_teacher, pupil_user=pupil_user, pupil=pupil, taught_class=taught,
        untaught_class=untaught, outsider_establishment=other, outsider=outsider,
        outsider_pupil=Pupil.objects.filter(establishment=other).first(),
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
