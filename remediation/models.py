"""Remediation: from results to groups of pupils, their sessions and attendance, and what the
next campaign shows of their effect; workshops and Pix+ Édu steps for the teachers.

A `Period` is one round of remediation for a grade (« Remédiation 5e — novembre »): its groups
are proposed from one source of results (a campaign's results, or the pupils' current levels),
edited, then validated; a pupil is in at most one group of a period. Sessions belong to a
group; their pupils are the group's members, and attendance is kept per pupil.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, code_validator
from certification.models import Room
from establishments.models import Establishment, Membership, Pupil, SchoolYear
from pix.grades import GRADES
from pix.referential import DOMAINS
from pix.rules import FRAMEWORK_MAX_LEVEL

GRADE_CHOICES = [(code, _(label)) for code, label in GRADES]
DOMAIN_CHOICES = [(d.code, f"{d.code}. {d.name}") for d in DOMAINS]
DEFAULT_GROUP_SIZE = 15  # a half-group: 12 to 15 pupils in a room of computers
DEFAULT_SESSION_MINUTES = 55  # one school hour


# --- periods and groups --------------------------------------------------------------------------


class PeriodQuerySet(models.QuerySet):
    def for_membership(self, membership: Membership | None) -> PeriodQuerySet:
        """RUPN and direction: their establishment's; teacher: periods where they lead a group
        or a session; pupils: none."""
        if membership is None or not membership.is_staff_member:
            return self.none()
        qs = self.filter(establishment_id=membership.establishment_id)
        if membership.sees_whole_establishment:
            return qs
        led = Group.objects.filter(period=OuterRef("pk")).filter(
            Q(leader=membership) | Q(sessions__leader=membership)
        )
        return qs.filter(Exists(led))


class Period(models.Model):
    """A round of remediation for one grade, whose groups come from one source of results."""

    class Measure(models.TextChoices):
        LEVELS = "levels", _("Niveaux")
        MASTERY = "mastery", _("Maîtrise")

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="remediation_periods"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("niveau"), max_length=5, choices=GRADE_CHOICES)
    name = models.CharField(_("intitulé"), max_length=200)
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    measure = models.CharField(_("mesure"), max_length=10, choices=Measure.choices)
    # The campaign whose results made the groups; None: the pupils' current levels.
    source_campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("résultats de départ"),
    )
    level_threshold = models.PositiveSmallIntegerField(
        _("seuil de niveau"), default=1, validators=[MaxValueValidator(FRAMEWORK_MAX_LEVEL)]
    )
    mastery_threshold = models.PositiveSmallIntegerField(
        _("seuil de maîtrise (%)"), default=50, validators=[MaxValueValidator(100)]
    )
    max_group_size = models.PositiveSmallIntegerField(
        _("élèves par groupe au plus"), default=DEFAULT_GROUP_SIZE,
        validators=[MinValueValidator(2), MaxValueValidator(40)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "grade", "name"]
        verbose_name = _("période de remédiation")
        verbose_name_plural = _("périodes de remédiation")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="remediation_period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def gives_mastery(self) -> bool:
        return self.measure == self.Measure.MASTERY

    def threshold_value(self) -> float:
        """The threshold on the measure's scale: a level, or a rate 0–1."""
        if self.gives_mastery:
            return self.mastery_threshold / 100
        return float(self.level_threshold)


class GroupQuerySet(models.QuerySet):
    def for_membership(self, membership: Membership | None) -> GroupQuerySet:
        """RUPN: every group of their establishment; teacher: groups they lead or lead a
        session of; others: none (the direction reads indicators, not groups)."""
        if membership is None:
            return self.none()
        qs = self.filter(period__establishment_id=membership.establishment_id)
        if membership.role == Membership.Role.RUPN:
            return qs
        if membership.role == Membership.Role.TEACHER:
            session_led = Session.objects.filter(group=OuterRef("pk"), leader=membership)
            return qs.filter(Q(leader=membership) | Q(Exists(session_led)))
        return self.none()


class Group(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Proposé")
        VALIDATED = "validated", _("Validé")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("nom"), max_length=120)
    competences = models.JSONField(_("compétences visées"), default=list, blank=True)
    parcours = models.CharField(_("parcours ciblé suggéré"), max_length=255, blank=True)
    leader = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="led_remediation_groups", verbose_name=_("animé par"),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["period", "name", "pk"]
        verbose_name = _("groupe de remédiation")
        verbose_name_plural = _("groupes de remédiation")

    def __str__(self) -> str:
        return self.name

    @property
    def is_validated(self) -> bool:
        return self.status == self.Status.VALIDATED


class GroupMember(models.Model):
    """A pupil in a group. `period` repeats the group's so that the database itself forbids a
    pupil in two groups of the same period."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE,
                              related_name="remediation_memberships")
    # The pupil's values on the source's competences when placed: {code: level or rate}.
    values = models.JSONField(default=dict, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pupil__last_name", "pupil__first_name", "pk"]
        verbose_name = _("élève d’un groupe")
        verbose_name_plural = _("élèves des groupes")
        constraints = [
            models.UniqueConstraint(fields=["period", "pupil"],
                                    name="one_group_per_pupil_and_period"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} — {self.group}"


# --- sessions and attendance ---------------------------------------------------------------------


class SessionQuerySet(models.QuerySet):
    def for_membership(self, membership: Membership | None) -> SessionQuerySet:
        """RUPN: every session of their establishment; teacher: sessions they lead or of a
        group they lead; pupil: the sessions of their groups; direction: none."""
        if membership is None:
            return self.none()
        qs = self.filter(group__period__establishment_id=membership.establishment_id)
        if membership.role == Membership.Role.RUPN:
            return qs
        if membership.role == Membership.Role.TEACHER:
            return qs.filter(Q(leader=membership) | Q(group__leader=membership))
        if membership.role == Membership.Role.PUPIL:
            mine = GroupMember.objects.filter(group=OuterRef("group"),
                                              pupil__user_id=membership.user_id)
            return qs.filter(Exists(mine))
        return self.none()


class Session(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("début"))
    minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"), default=DEFAULT_SESSION_MINUTES,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="remediation_sessions", verbose_name=_("salle"))
    leader = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="led_remediation_sessions", verbose_name=_("animée par"),
    )
    competences = models.JSONField(_("compétences visées"), default=list, blank=True)
    campaign_code = models.CharField(_("code de campagne à utiliser"), max_length=9, blank=True,
                                     validators=[code_validator])
    notes = models.TextField(_("notes"), blank=True)
    attendance_taken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("séance de remédiation")
        verbose_name_plural = _("séances de remédiation")

    def __str__(self) -> str:
        return f"{self.group} — {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE,
                              related_name="remediation_attendances")
    present = models.BooleanField(_("présent"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(fields=["session", "pupil"],
                                    name="one_attendance_per_session_and_pupil"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} — {self.session} — {self.present}"


# --- teachers' workshops and Pix+ Édu ------------------------------------------------------------


class WorkshopQuerySet(models.QuerySet):
    def for_membership(self, membership: Membership | None) -> WorkshopQuerySet:
        """Every member of the staff sees the establishment's workshops; pupils none."""
        if membership is None or not membership.is_staff_member:
            return self.none()
        return self.filter(establishment_id=membership.establishment_id)


class Workshop(models.Model):
    """A workshop the RUPN offers the teachers on a topic of the CRCN."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="workshops"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("thème"), max_length=200)
    domain = models.CharField(_("domaine du CRCN"), max_length=1, choices=DOMAIN_CHOICES,
                              blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("début"))
    minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"), default=60, validators=[MinValueValidator(15),
                                                      MaxValueValidator(480)],
    )
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="workshops", verbose_name=_("salle"))
    capacity = models.PositiveSmallIntegerField(
        _("places"), default=12, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    led_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="led_workshops", verbose_name=_("animé par"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("atelier enseignants")
        verbose_name_plural = _("ateliers enseignants")

    def __str__(self) -> str:
        return self.topic

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


class Registration(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE,
                                 related_name="registrations")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE,
                               related_name="workshop_registrations")
    present = models.BooleanField(_("présent"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member__user__last_name", "member__user__first_name", "pk"]
        verbose_name = _("inscription à un atelier")
        verbose_name_plural = _("inscriptions aux ateliers")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "member"],
                                    name="one_registration_per_workshop"),
        ]

    def __str__(self) -> str:
        return f"{self.member.user} — {self.workshop}"


PIX_EDU_STEPS: tuple[tuple[str, str], ...] = (
    ("positioning", _("Autopositionnement")),
    ("training", _("Parcours de formation")),
    ("attestation", _("Attestation")),
    ("certification", _("Certification")),
)


class PixEduRecord(models.Model):
    """A teacher's steps in Pix+ Édu (the CRCN Édu framework): each done or not, with its date
    when known."""

    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="pix_edu")
    newly_tenured = models.BooleanField(_("néo-titulaire"), default=False)
    positioning_done = models.BooleanField(_("autopositionnement fait"), default=False)
    positioning_on = models.DateField(_("autopositionnement le"), null=True, blank=True)
    training_done = models.BooleanField(_("parcours de formation suivi"), default=False)
    training_on = models.DateField(_("parcours de formation le"), null=True, blank=True)
    attestation_done = models.BooleanField(_("attestation obtenue"), default=False)
    attestation_on = models.DateField(_("attestation le"), null=True, blank=True)
    certification_done = models.BooleanField(_("certification obtenue"), default=False)
    certification_on = models.DateField(_("certification le"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("parcours Pix+ Édu")
        verbose_name_plural = _("parcours Pix+ Édu")

    def __str__(self) -> str:
        return f"Pix+ Édu — {self.member.user}"

    def steps(self) -> list[tuple[str, str, bool, object]]:
        """(key, label, done, date) for each step, in order."""
        return [(key, label, getattr(self, f"{key}_done"), getattr(self, f"{key}_on"))
                for key, label in PIX_EDU_STEPS]


# --- calendar feed and reminders -----------------------------------------------------------------


class CalendarFeed(models.Model):
    """A user's private iCalendar link: whoever has the token reads the feed, so it can be
    revoked or replaced."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="remediation_calendar")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lien d’agenda")
        verbose_name_plural = _("liens d’agenda")

    def __str__(self) -> str:
        return f"{self.user}"


class Reminder(models.Model):
    """A reminder e-mailed the day before a session or a workshop; its row makes the daily task
    idempotent. `starts_at` is part of the key: a rescheduled event is reminded again."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="reminders")
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    starts_at = models.DateTimeField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        constraints = [
            models.CheckConstraint(
                condition=(Q(session__isnull=False, workshop__isnull=True)
                           | Q(session__isnull=True, workshop__isnull=False)),
                name="reminder_for_one_event",
            ),
            models.UniqueConstraint(fields=["session", "user", "starts_at"],
                                    condition=Q(session__isnull=False),
                                    name="one_reminder_per_session_user"),
            models.UniqueConstraint(fields=["workshop", "user", "starts_at"],
                                    condition=Q(workshop__isnull=False),
                                    name="one_reminder_per_workshop_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.sent_at:%d/%m/%Y}"
