"""Writes of the remediation app: keyword-only arguments, one transaction each.

Edits of a group (move a pupil, split, merge) are for proposed groups only: a validated group
is reopened first, so that nobody changes a group whose sessions are being planned without
meaning to.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from establishments.models import Establishment, Membership, Pupil
from jobs.models import Job
from jobs.services import job_create, job_enqueue
from pix.files import RowError
from pix.referential import COMPETENCE_BY_CODE, COMPETENCE_CODES

from .grouping import propose_groups
from .models import (
    Attendance,
    CalendarFeed,
    Group,
    GroupMember,
    Period,
    PixEduRecord,
    Registration,
    Reminder,
    Session,
    Workshop,
)
from .pixedu import STEP_KEYS, read_pix_edu_csv
from .selectors import Source, grade_needs

logger = logging.getLogger(__name__)

MIN_GROUP_SIZE = 4  # fewer pupils sharing a need join another group rather than open one
MAX_COMPETENCES = 3  # aimed at by one group


def ordered_codes(codes: Iterable[str]) -> list[str]:
    wanted = set(codes)
    return [code for code in COMPETENCE_CODES if code in wanted]


def suggested_parcours(code: str) -> str:
    return _("Parcours thématique — %(name)s") % {"name": COMPETENCE_BY_CODE[code].name}


def _group_name(grade: str, code: str, index: int | None) -> str:
    name = f"{grade} · {code} {COMPETENCE_BY_CODE[code].name}"
    if index is not None:
        name = f"{name} ({index})"
    return name[:120]


# --- periods and groups --------------------------------------------------------------------------


@transaction.atomic
def period_propose(*, establishment: Establishment, by, grade: str, name: str,
                   starts_on: date, ends_on: date, source: Source, threshold: float,
                   max_group_size: int, codes: Sequence[str] | None = None) -> Period:
    """Creates a period and the groups proposed for the grade's pupils below `threshold` on
    `codes` (default: every competence the source tells), all to be edited and validated."""
    codes = ordered_codes(codes or source.codes())
    period = Period(
        establishment=establishment, school_year=establishment.current_year, grade=grade,
        name=name, starts_on=starts_on, ends_on=ends_on, measure=source.measure,
        source_campaign=source.campaign, max_group_size=max_group_size, created_by=by,
    )
    if source.gives_mastery:
        period.mastery_threshold = round(threshold * 100)
    else:
        period.level_threshold = round(threshold)
    period.full_clean()
    period.save()
    needs, values = grade_needs(establishment, grade, source, threshold, codes)
    proposed = propose_groups(needs, max_size=max_group_size, min_size=MIN_GROUP_SIZE,
                              max_competences=MAX_COMPETENCES)
    by_main: dict[str, int] = {}
    for group in proposed:
        by_main[group.main] = by_main.get(group.main, 0) + 1
    numbering: dict[str, int] = {}
    members = []
    for proposal in proposed:
        index = None
        if by_main[proposal.main] > 1:
            numbering[proposal.main] = index = numbering.get(proposal.main, 0) + 1
        group = Group.objects.create(
            period=period, name=_group_name(grade, proposal.main, index),
            competences=list(proposal.competences), parcours=suggested_parcours(proposal.main),
        )
        members += [GroupMember(group=group, period=period, pupil_id=pupil_id,
                                values=kept_values(values.get(pupil_id, {}), codes))
                    for pupil_id in proposal.pupil_ids]
    GroupMember.objects.bulk_create(members)
    return period


def kept_values(values: Mapping[str, float], codes: Iterable[str]) -> dict[str, float]:
    return {code: values[code] for code in codes if values.get(code) is not None}


@transaction.atomic
def period_update(*, period: Period, name: str, starts_on: date, ends_on: date) -> Period:
    period.name, period.starts_on, period.ends_on = name, starts_on, ends_on
    period.full_clean()
    period.save(update_fields=["name", "starts_on", "ends_on"])
    return period


@transaction.atomic
def period_delete(*, period: Period) -> None:
    period.delete()


def _editable(group: Group) -> None:
    if group.is_validated:
        raise ValidationError(_("Le groupe « %(name)s » est validé : rouvrez-le pour le "
                                "modifier.") % {"name": group.name})


@transaction.atomic
def group_update(*, group: Group, name: str, competences: Sequence[str], parcours: str,
                 leader: Membership | None, notes: str = "") -> Group:
    if leader is not None and leader.establishment_id != group.period.establishment_id:
        raise ValidationError(_("Cette personne n’est pas de l’établissement."))
    group.name = name
    group.competences = ordered_codes(competences)
    group.parcours = parcours
    group.leader = leader
    group.notes = notes
    group.save(update_fields=["name", "competences", "parcours", "leader", "notes"])
    return group


@transaction.atomic
def group_set_leader(*, group: Group, leader: Membership | None) -> Group:
    if leader is not None and leader.establishment_id != group.period.establishment_id:
        raise ValidationError(_("Cette personne n’est pas de l’établissement."))
    group.leader = leader
    group.save(update_fields=["leader"])
    return group


@transaction.atomic
def member_move(*, member: GroupMember, target: Group | None) -> GroupMember | None:
    """Moves a pupil to another group of the same period, or out of the groups (None)."""
    _editable(member.group)
    if target is None:
        member.delete()
        return None
    if target.period_id != member.period_id:
        raise ValidationError(_("Un élève ne change de groupe qu’au sein de la même période."))
    _editable(target)
    member.group = target
    member.save(update_fields=["group"])
    return member


@transaction.atomic
def member_add(*, group: Group, pupil: Pupil, values: Mapping[str, float] | None = None
               ) -> GroupMember:
    """Adds a pupil to a group; a pupil already in a group of the period is refused."""
    _editable(group)
    existing = (GroupMember.objects.filter(period_id=group.period_id, pupil=pupil)
                .select_related("group").first())
    if existing is not None:
        raise ValidationError(_("%(pupil)s est déjà dans le groupe « %(group)s » de cette "
                                "période.") % {"pupil": pupil, "group": existing.group.name})
    try:
        with transaction.atomic():
            return GroupMember.objects.create(group=group, period_id=group.period_id,
                                              pupil=pupil, values=dict(values or {}))
    except IntegrityError:  # added meanwhile by someone else
        raise ValidationError(_("%(pupil)s est déjà dans un groupe de cette période.")
                              % {"pupil": pupil}) from None


@transaction.atomic
def group_split(*, group: Group, pupil_ids: Iterable[int] = ()) -> Group:
    """Moves the chosen pupils (default: the second half, by name) to a new group aiming at
    the same competences."""
    _editable(group)
    members = list(group.members.select_related("pupil").order_by(
        "pupil__last_name", "pupil__first_name", "pk"))
    chosen = set(pupil_ids)
    if chosen:
        moving = [m for m in members if m.pupil_id in chosen]
    else:
        moving = members[(len(members) + 1) // 2:]
    if not moving or len(moving) == len(members):
        raise ValidationError(_("Pour scinder un groupe, il faut des élèves de part et "
                                "d’autre."))
    new = Group.objects.create(
        period_id=group.period_id, name=f"{group.name} — 2"[:120],
        competences=list(group.competences), parcours=group.parcours, leader=group.leader,
    )
    GroupMember.objects.filter(pk__in=[m.pk for m in moving]).update(group=new)
    return new


@transaction.atomic
def group_merge(*, group: Group, other: Group) -> Group:
    """Moves `other`'s pupils into `group`, which aims at both groups' competences; `other` is
    deleted."""
    if other.pk == group.pk:
        raise ValidationError(_("Choisissez un autre groupe."))
    if other.period_id != group.period_id:
        raise ValidationError(_("Seuls deux groupes de la même période se fusionnent."))
    _editable(group)
    _editable(other)
    if other.sessions.exists():
        raise ValidationError(_("Le groupe « %(name)s » a des séances : il ne peut pas être "
                                "fusionné.") % {"name": other.name})
    GroupMember.objects.filter(group=other).update(group=group)
    group.competences = [*group.competences,
                         *[c for c in other.competences if c not in group.competences]]
    group.save(update_fields=["competences"])
    other.delete()
    return group


@transaction.atomic
def group_validate(*, group: Group, by) -> Group:
    if not group.members.exists():
        raise ValidationError(_("Un groupe sans élève ne se valide pas."))
    if not group.competences:
        raise ValidationError(_("Choisissez au moins une compétence visée."))
    group.status = Group.Status.VALIDATED
    group.validated_at = timezone.now()
    group.validated_by = by
    group.save(update_fields=["status", "validated_at", "validated_by"])
    return group


@transaction.atomic
def group_reopen(*, group: Group) -> Group:
    group.status = Group.Status.DRAFT
    group.save(update_fields=["status"])
    return group


@transaction.atomic
def period_validate_all(*, period: Period, by) -> int:
    """Validates every proposed group with pupils and competences; returns how many."""
    groups = (Group.objects.filter(period=period, status=Group.Status.DRAFT)
              .annotate(n=Count("members")).filter(n__gt=0))
    ready = [g.pk for g in groups if g.competences]
    return Group.objects.filter(pk__in=ready).update(
        status=Group.Status.VALIDATED, validated_at=timezone.now(), validated_by=by
    )


@transaction.atomic
def group_delete(*, group: Group) -> None:
    _editable(group)
    group.delete()


# --- sessions and attendance ---------------------------------------------------------------------


@dataclass(frozen=True)
class SessionPlan:
    starts_at: datetime
    minutes: int
    room_id: int | None
    leader_id: int | None
    competences: tuple[str, ...]
    campaign_code: str = ""
    notes: str = ""


def session_dates(first: datetime, weeks: int) -> list[datetime]:
    """The first session and the same time on the following weeks (wall clock kept across a
    change of summer time)."""
    local = timezone.localtime(first)
    naive = local.replace(tzinfo=None)
    return [timezone.make_aware(naive + timedelta(weeks=n)) for n in range(max(weeks, 1))]


@transaction.atomic
def sessions_plan(*, group: Group, plan: SessionPlan, weeks: int = 1) -> list[Session]:
    """Creates the group's session, repeated `weeks` weeks in a row at the same time."""
    if not group.is_validated:
        raise ValidationError(_("Validez le groupe avant de planifier ses séances."))
    sessions = [
        Session(group=group, starts_at=moment, minutes=plan.minutes, room_id=plan.room_id,
                leader_id=plan.leader_id, competences=ordered_codes(plan.competences),
                campaign_code=plan.campaign_code.strip().upper(), notes=plan.notes)
        for moment in session_dates(plan.starts_at, weeks)
    ]
    for session in sessions:
        session.full_clean(exclude=["group", "room", "leader"])
    return Session.objects.bulk_create(sessions)


@transaction.atomic
def session_update(*, session: Session, plan: SessionPlan) -> Session:
    session.starts_at = plan.starts_at
    session.minutes = plan.minutes
    session.room_id = plan.room_id
    session.leader_id = plan.leader_id
    session.competences = ordered_codes(plan.competences)
    session.campaign_code = plan.campaign_code.strip().upper()
    session.notes = plan.notes
    session.full_clean(exclude=["group", "room", "leader"])
    session.save(update_fields=["starts_at", "minutes", "room", "leader", "competences",
                                "campaign_code", "notes"])
    return session


@transaction.atomic
def session_delete(*, session: Session) -> None:
    session.delete()


def _session_pupil_ids(session: Session) -> set[int]:
    return set(GroupMember.objects.filter(group_id=session.group_id)
               .values_list("pupil_id", flat=True))


@transaction.atomic
def attendance_mark(*, session: Session, pupil_id: int, present: bool | None, by) -> None:
    """Marks one pupil present, absent, or not marked (None). The pupil must be of the group
    (or already marked: a pupil who left the group keeps their mark)."""
    allowed = _session_pupil_ids(session) | set(
        session.attendances.values_list("pupil_id", flat=True))
    if pupil_id not in allowed:
        raise ValidationError(_("Cet élève n’est pas du groupe."))
    if present is None:
        Attendance.objects.filter(session=session, pupil_id=pupil_id).delete()
    else:
        Attendance.objects.update_or_create(
            session=session, pupil_id=pupil_id, defaults={"present": present, "marked_by": by}
        )
    if session.attendance_taken_at is None:
        session.attendance_taken_at = timezone.now()
        session.save(update_fields=["attendance_taken_at"])


@transaction.atomic
def attendance_save(*, session: Session, marks: Mapping[int, bool | None], notes: str | None,
                    by) -> int:
    """Saves a whole sheet: pupil id → present, absent or not marked. Returns the marks kept."""
    allowed = _session_pupil_ids(session) | set(
        session.attendances.values_list("pupil_id", flat=True))
    kept = 0
    for pupil_id, present in marks.items():
        if pupil_id not in allowed:
            continue
        if present is None:
            Attendance.objects.filter(session=session, pupil_id=pupil_id).delete()
            continue
        Attendance.objects.update_or_create(
            session=session, pupil_id=pupil_id, defaults={"present": present, "marked_by": by}
        )
        kept += 1
    fields = []
    if notes is not None and notes != session.notes:
        session.notes = notes
        fields.append("notes")
    if kept and session.attendance_taken_at is None:
        session.attendance_taken_at = timezone.now()
        fields.append("attendance_taken_at")
    if fields:
        session.save(update_fields=fields)
    return kept


# --- workshops -----------------------------------------------------------------------------------


@transaction.atomic
def workshop_save(*, workshop: Workshop) -> Workshop:
    workshop.full_clean()
    workshop.save()
    return workshop


@transaction.atomic
def workshop_delete(*, workshop: Workshop) -> None:
    workshop.delete()


@transaction.atomic
def registration_add(*, workshop: Workshop, member: Membership) -> Registration:
    """Signs a member of the staff up; the workshop's row is locked so that two sign-ups for
    the last place never both succeed."""
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if member.establishment_id != locked.establishment_id or not member.is_staff_member:
        raise ValidationError(_("Seuls les enseignants de l’établissement s’inscrivent."))
    if locked.starts_at <= timezone.now():
        raise ValidationError(_("L’atelier a déjà commencé."))
    existing = Registration.objects.filter(workshop=locked, member=member).first()
    if existing is not None:
        return existing
    if Registration.objects.filter(workshop=locked).count() >= locked.capacity:
        raise ValidationError(_("L’atelier est complet."))
    return Registration.objects.create(workshop=locked, member=member)


@transaction.atomic
def registration_cancel(*, workshop: Workshop, member: Membership) -> None:
    if workshop.starts_at <= timezone.now():
        raise ValidationError(_("L’atelier a déjà commencé."))
    Registration.objects.filter(workshop=workshop, member=member).delete()


@transaction.atomic
def workshop_attendance_save(*, workshop: Workshop, present_ids: Iterable[int]) -> None:
    """`present_ids`: registrations whose teacher came; the others are marked absent."""
    present = set(present_ids)
    registrations = list(workshop.registrations.all())
    for registration in registrations:
        registration.present = registration.pk in present
    Registration.objects.bulk_update(registrations, ["present"])


# --- Pix+ Édu ----------------------------------------------------------------------------------


@transaction.atomic
def pix_edu_update(*, member: Membership, by, newly_tenured: bool,
                   steps: Mapping[str, tuple[bool, date | None]]) -> PixEduRecord:
    """Records a teacher's steps: key → (done, date). A date means done."""
    record, _created = PixEduRecord.objects.get_or_create(member=member)
    record.newly_tenured = newly_tenured
    for key in STEP_KEYS:
        done, on = steps.get(key, (False, None))
        setattr(record, f"{key}_done", bool(done or on))
        setattr(record, f"{key}_on", on)
    record.updated_by = by
    record.save()
    return record


@dataclass
class PixEduImportReport:
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def pix_edu_import_start(*, establishment: Establishment, by, filename: str,
                         data: bytes) -> Job:
    """Stores the file in a job and runs the import in Celery once the job row is committed:
    a file is never parsed in the web request."""
    from .tasks import import_pix_edu_task

    with transaction.atomic():
        job = job_create(establishment=establishment, kind=Job.Kind.PIX_EDU_IMPORT, by=by,
                         filename=filename, payload=data)
        job_enqueue(job, import_pix_edu_task)
    return job


def pix_edu_import(*, establishment: Establishment, data: bytes, by) -> PixEduImportReport:
    """Reads the file, checks every address against the establishment's teachers, then writes
    every row in one transaction; with any error, nothing is written."""
    parsed = read_pix_edu_csv(data, today=timezone.localdate())
    report = PixEduImportReport(errors=list(parsed.errors))
    members = {
        m.user.email.strip().lower(): m
        for m in Membership.objects.filter(establishment=establishment)
        .exclude(role=Membership.Role.PUPIL).select_related("user")
        if m.user.email
    }
    for row in parsed.rows:
        if row.email not in members:
            report.errors.append(RowError(
                row.line, gettext_noop("aucun membre de l’équipe de l’établissement n’a "
                                       "l’adresse « %(email)s »"), "e-mail",
                {"email": row.email},
            ))
    if report.errors:
        return report
    with transaction.atomic():
        existing = {r.member_id: r for r in PixEduRecord.objects.select_for_update().filter(
            member__in=[members[row.email] for row in parsed.rows])}
        for row in parsed.rows:
            member = members[row.email]
            record = existing.get(member.pk) or PixEduRecord(member=member)
            for key in STEP_KEYS:
                step = row.steps[key]
                setattr(record, f"{key}_done", step.done)
                setattr(record, f"{key}_on", step.on)
            if row.newly_tenured is not None:
                record.newly_tenured = row.newly_tenured
            record.updated_by = by
            record.save()
            report.updated += 1
    return report


# --- the calendar feed ---------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    """A new secret link (the old one stops working at once)."""
    token = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        user=user, defaults={"token": token})
    if not created:
        feed.token = token
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> None:
    CalendarFeed.objects.filter(user=user).delete()


# --- reminders -----------------------------------------------------------------------------------


@dataclass
class ReminderReport:
    sent: int = 0
    skipped: int = 0  # already sent
    failed: int = 0


def _tomorrow_bounds(now: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(now)
    tomorrow = (local + timedelta(days=1)).date()
    start = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=1),
                                               datetime.min.time()))
    return start, end


def reminders_send(*, now: datetime | None = None) -> ReminderReport:
    """E-mails a reminder to everyone expected tomorrow at a session (its leader and its
    pupils with an address) or a workshop (who signed up, and who leads it). A reminder is
    sent once: its row is written before the e-mail leaves and removed if sending fails, so
    that a second run the same day sends nothing twice."""
    now = now or timezone.now()
    start, end = _tomorrow_bounds(now)
    report = ReminderReport()
    sessions = (
        Session.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("group__period__establishment", "room", "leader__user")
        .prefetch_related("group__members__pupil__user")
    )
    for session in sessions:
        users = []
        if session.leader is not None:
            users.append(session.leader.user)
        users += [m.pupil.user for m in session.group.members.all() if m.pupil.user_id]
        context = {"session": session, "group": session.group,
                   "establishment": session.group.period.establishment}
        for user in users:
            _remind(report, user=user, starts_at=session.starts_at, session=session,
                    subject=_("Rappel : séance d’accompagnement Pix demain"),
                    template="remediation/email/session_reminder.txt", context=context)
    workshops = (
        Workshop.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("establishment", "room", "led_by__user")
        .prefetch_related("registrations__member__user")
    )
    for workshop in workshops:
        users = [r.member.user for r in workshop.registrations.all()]
        if workshop.led_by is not None and workshop.led_by.user not in users:
            users.append(workshop.led_by.user)
        context = {"workshop": workshop, "establishment": workshop.establishment}
        for user in users:
            _remind(report, user=user, starts_at=workshop.starts_at, workshop=workshop,
                    subject=_("Rappel : atelier Pix demain"),
                    template="remediation/email/workshop_reminder.txt", context=context)
    return report


def _remind(report: ReminderReport, *, user, starts_at: datetime, subject: str, template: str,
            context: dict, session: Session | None = None,
            workshop: Workshop | None = None) -> None:
    if not user.email or not user.is_active:
        return
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(session=session, workshop=workshop, user=user,
                                               starts_at=starts_at, sent_at=timezone.now())
    except IntegrityError:
        report.skipped += 1
        return
    try:
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(template, {**context, "user": user})
        send_mail(subject, body, None, [user.email])
    except Exception:
        logger.exception("reminder to %s failed", user.pk)
        reminder.delete()  # the next run tries again
        report.failed += 1
        return
    report.sent += 1
