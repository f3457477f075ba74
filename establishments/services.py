"""Writes and state changes of the school's world: keyword-only arguments, one transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.debug import sensitive_variables

from audit.models import AuditEvent
from audit.services import audit_record
from jobs.models import Job
from jobs.services import job_create, job_enqueue

from .models import Establishment, Invitation, Membership, Pupil, SchoolClass, SchoolYear

User = get_user_model()

INVITATION_VALIDITY = timedelta(days=14)
# Unambiguous letters and digits for one-time passwords read off a paper card by a child.
# Functions holding them are `sensitive_variables()`: an error report prints none of their
# variables, nor those of what they call (hashing, rendering).
CARD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@transaction.atomic
def establishment_create(*, uai: str, name: str, kind: str, city: str = "") -> Establishment:
    establishment = Establishment(
        uai=uai.strip().upper(),
        name=name.strip(),
        kind=kind,
        city=city.strip(),
        current_year=SchoolYear.get_current(),
    )
    establishment.full_clean()
    establishment.save()
    return establishment


@transaction.atomic
def establishment_update(
    *, establishment: Establishment, name: str, kind: str, city: str, current_year: SchoolYear,
    privacy_contact: str = "",
) -> Establishment:
    establishment.name = name
    establishment.kind = kind
    establishment.city = city
    establishment.current_year = current_year
    establishment.privacy_contact = privacy_contact
    establishment.save(update_fields=["name", "kind", "city", "current_year", "privacy_contact"])
    return establishment


def pupil_import_start(*, establishment: Establishment, by, filename: str, data: bytes) -> Job:
    """Stores the file in a job and runs the import in Celery once the job row is committed."""
    from .tasks import import_pupils_task

    with transaction.atomic():
        job = job_create(
            establishment=establishment,
            kind=Job.Kind.PUPIL_IMPORT,
            by=by,
            filename=filename,
            payload=data,
        )
        job_enqueue(job, import_pupils_task)
    return job


# --- members and invitations -------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    establishment: Establishment,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    by,
    base_url: str,
) -> Invitation:
    if role == Membership.Role.PUPIL:
        raise ValueError("pupils get generated accounts, not invitations")
    email = email.strip().lower()
    Invitation.objects.filter(
        establishment=establishment, email=email, accepted_at__isnull=True
    ).delete()
    invitation = Invitation.objects.create(
        establishment=establishment,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=by,
        expires_at=timezone.now() + INVITATION_VALIDITY,
    )
    audit_record(
        establishment=establishment, by=by, action=AuditEvent.Action.INVITATION,
        summary=gettext_noop("Invitation envoyée à %(email)s (%(role)s)"),
        params={"email": email, "role": invitation.get_role_display()},
        details={"invitation_id": invitation.pk, "email": email, "role": role, "event": "sent"},
    )
    link = base_url.rstrip("/") + reverse("invitation_accept", args=[invitation.token])
    context = {"invitation": invitation, "link": link}
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Invitation à rejoindre %(name)s sur pixorga")
            % {"name": establishment.name},
            message=render_to_string("establishments/email/invitation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    )
    return invitation


class InvitationAlreadyAccepted(Exception):
    """Another request accepted the invitation first (a double click, two tabs)."""


def invitation_accept(*, invitation: Invitation, user=None, password: str | None = None):
    """Turns an invitation into a membership: for `user` when they already have an account
    (a teacher of a cité scolaire), else for a new account with `password`.

    Raises InvitationAlreadyAccepted when another request accepted it first, and
    Invitation.DoesNotExist when it was cancelled meanwhile.
    """
    try:
        return _invitation_accept(invitation=invitation, user=user, password=password)
    except IntegrityError as error:
        # Where rows are not locked (SQLite), the second request trips on the account or the
        # membership the first one created.
        raise InvitationAlreadyAccepted(invitation.pk) from error


@transaction.atomic
def _invitation_accept(*, invitation: Invitation, user, password: str | None):
    # Locked so that two requests accepting at once are one after the other: the second sees
    # the invitation used, instead of creating the same account a second time.
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvitationAlreadyAccepted(invitation.pk)
    if user is None:
        user = User(
            username=invitation.email,
            email=invitation.email,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
        )
        user.set_password(password)
        user.save()
    Membership.objects.update_or_create(
        user=user, establishment=invitation.establishment, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        establishment=invitation.establishment, by=user, action=AuditEvent.Action.INVITATION,
        summary=gettext_noop("Invitation acceptée par %(email)s (%(role)s)"),
        params={"email": invitation.email, "role": invitation.get_role_display()},
        details={"invitation_id": invitation.pk, "email": invitation.email,
                 "role": invitation.role, "event": "accepted", "new_account": password
                 is not None},
    )
    return user


@transaction.atomic
def member_update(*, member: Membership, role: str, taught_classes, by) -> Membership:
    before = (member.get_role_display(), sorted(c.code for c in member.taught_classes.all()))
    member.role = role
    member.save(update_fields=["role"])
    if role == Membership.Role.TEACHER:
        member.taught_classes.set(taught_classes)
    else:
        member.taught_classes.clear()
    after = (member.get_role_display(), sorted(c.code for c in member.taught_classes.all()))
    if after != before:
        # The classes a teacher is given are what they may read of pupils: logged with the role.
        audit_record(
            establishment=member.establishment, by=by, action=AuditEvent.Action.ROLE_CHANGE,
            summary=gettext_noop("%(name)s : %(before)s → %(after)s"),
            params={"name": _member_name(member), "before": _role_text(*before),
                    "after": _role_text(*after)},
            details={"membership_id": member.pk, "user_id": member.user_id, "role": role,
                     "classes_before": before[1], "classes": after[1]},
        )
    return member


def _member_name(member: Membership) -> str:
    return member.user.get_full_name() or member.user.email or member.user.username


def _role_text(role: str, classes: list[str]) -> str:
    return f"{role} ({', '.join(classes)})" if classes else role


@transaction.atomic
def member_remove(*, member: Membership, by) -> None:
    audit_record(
        establishment=member.establishment, by=by, action=AuditEvent.Action.MEMBER_REMOVAL,
        summary=gettext_noop("%(name)s (%(role)s) retiré de l’établissement"),
        params={"name": _member_name(member), "role": member.get_role_display()},
        details={"membership_id": member.pk, "user_id": member.user_id, "role": member.role},
    )
    member.delete()


# --- pupil accounts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginCard:
    pupil_id: int
    name: str
    class_code: str
    username: str
    password: str


def one_time_password(length: int = 10) -> str:
    return "".join(secrets.choice(CARD_ALPHABET) for _ in range(length))


def _username_base(pupil: Pupil) -> str:
    base = slugify(f"{pupil.first_name}.{pupil.display_last_name}".replace(" ", "-"))
    return base.replace("-", "")[:24] or "eleve"


@sensitive_variables()
@transaction.atomic
def pupil_accounts_generate(
    *, establishment: Establishment, classes: list[SchoolClass], by=None
) -> list[LoginCard]:
    """Creates an account for every pupil of `classes` who has none; returns their cards.

    Passwords are one-time: the pupil must choose a new one at first login. Pupils who already
    have an account keep it (reset their password one by one).
    """
    pupils = _pupils_without_account(establishment, classes, establishment.current_year)
    bases = {p.pk: _username_base(p) for p in pupils}
    prefixes = [Q(username__startswith=base) for base in set(bases.values())]
    taken = (
        set(User.objects.filter(reduce(or_, prefixes)).values_list("username", flat=True))
        if prefixes
        else set()
    )
    cards = []
    for pupil in pupils:
        username = bases[pupil.pk]
        suffix = 1
        while username in taken:
            suffix += 1
            username = f"{bases[pupil.pk]}{suffix}"
        taken.add(username)
        password = one_time_password()
        user = User(
            username=username,
            first_name=pupil.first_name,
            last_name=pupil.display_last_name,
            must_change_password=True,
        )
        user.set_password(password)
        user.save()
        pupil.user = user
        pupil.save(update_fields=["user"])
        Membership.objects.create(user=user, establishment=establishment, role="pupil")
        cards.append(LoginCard(pupil.pk, str(pupil), pupil.class_code, username, password))
    if cards:
        codes = sorted({card.class_code for card in cards})
        audit_record(
            establishment=establishment, by=by, action=AuditEvent.Action.PUPIL_ACCOUNTS,
            summary=gettext_noop("Comptes élèves générés : %(n)s (%(classes)s)"),
            params={"n": len(cards), "classes": ", ".join(codes)},
            details={"accounts": len(cards), "classes": codes,
                     "pupil_ids": [card.pupil_id for card in cards]},
        )
    return cards


def _pupils_without_account(establishment, classes, year) -> list[Pupil]:
    return list(
        Pupil.objects.filter(
            establishment=establishment,
            user__isnull=True,
            enrolments__school_class__in=classes,
            enrolments__school_year=year,
            enrolments__left_on__isnull=True,
        )
        .with_class_of(year)
        .order_by("class_code", "last_name", "first_name")
    )


@sensitive_variables()
@transaction.atomic
def pupil_cards_reissue(
    *, establishment: Establishment, classes: list[SchoolClass], by=None
) -> list[LoginCard]:
    """New one-time passwords for the pupils of `classes` who never chose their own.

    The printed passwords are stored nowhere, so a lost card is reprinted with a new password
    (the old one stops working). Pupils who chose their password keep it.
    """
    year = establishment.current_year
    pupils = list(
        Pupil.objects.filter(
            establishment=establishment,
            user__must_change_password=True,
            enrolments__school_class__in=classes,
            enrolments__school_year=year,
            enrolments__left_on__isnull=True,
        )
        .select_related("user")
        .with_class_of(year)
        .order_by("class_code", "last_name", "first_name")
    )
    cards = []
    for pupil in pupils:
        password = one_time_password()
        pupil.user.set_password(password)
        pupil.user.save(update_fields=["password"])
        cards.append(
            LoginCard(pupil.pk, str(pupil), pupil.class_code, pupil.user.username, password)
        )
    if cards:
        codes = sorted({card.class_code for card in cards})
        audit_record(
            establishment=establishment, by=by, action=AuditEvent.Action.PASSWORD_RESET,
            summary=gettext_noop("Cartes réimprimées avec un nouveau mot de passe provisoire : "
                                 "%(n)s (%(classes)s)"),
            params={"n": len(cards), "classes": ", ".join(codes)},
            details={"cards": len(cards), "classes": codes,
                     "pupil_ids": [card.pupil_id for card in cards]},
        )
    return cards


@sensitive_variables()
@transaction.atomic
def pupil_password_reset(*, pupil: Pupil, by=None) -> LoginCard:
    user = pupil.user
    if user is None:
        raise ValueError("this pupil has no account")
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    enrolment = (
        pupil.enrolments.select_related("school_class")
        .order_by("-school_year__start_year")  # "-school_year" would reverse its -start_year
        .first()
    )
    class_code = enrolment.school_class.code if enrolment else ""
    audit_record(
        establishment=pupil.establishment, by=by, action=AuditEvent.Action.PASSWORD_RESET,
        summary=gettext_noop("Mot de passe provisoire de %(name)s (%(class)s) réinitialisé"),
        params={"name": str(pupil), "class": class_code or "—"},
        details={"pupil_id": pupil.pk, "username": user.username},
    )
    return LoginCard(pupil.pk, str(pupil), class_code, user.username, password)
