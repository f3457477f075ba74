from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pix.grades import GRADES
from pix.names import normalise_name

uai_validator = RegexValidator(
    r"^\d{7}[A-Z]$", _("Un UAI s’écrit avec 7 chiffres et une lettre, par exemple 0170099X.")
)


class SchoolYear(models.Model):
    """A national school year, named by the year it starts in (2025 → 2025-2026)."""

    start_year = models.PositiveSmallIntegerField(_("année de début"), unique=True)

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")

    def __str__(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @staticmethod
    def start_year_of(day: date) -> int:
        """The school year runs from September to August."""
        return day.year if day.month >= 9 else day.year - 1

    @classmethod
    def start_year_of_today(cls) -> int:
        return cls.start_year_of(timezone.localdate())

    @classmethod
    def get_current(cls) -> SchoolYear:
        year, _created = cls.objects.get_or_create(start_year=cls.start_year_of_today())
        return year


class Establishment(models.Model):
    class Kind(models.TextChoices):
        COLLEGE = "college", _("Collège")
        LYCEE = "lycee", _("Lycée")
        LP = "lp", _("Lycée professionnel")

    uai = models.CharField(_("UAI"), max_length=8, unique=True, validators=[uai_validator])
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    # Who families write to about their children's data (the DPO of the académie, the
    # direction's address…); the privacy page falls back to the establishment itself.
    privacy_contact = models.CharField(
        _("contact pour les données personnelles"), max_length=300, blank=True,
        help_text=_("Adresse ou service à qui écrire pour exercer ses droits, par exemple "
                    "le délégué à la protection des données de l’académie."),
    )
    current_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année en cours")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"


class SchoolClassQuerySet(models.QuerySet):
    def for_membership(self, membership: Membership | None) -> SchoolClassQuerySet:
        """The classes a member may see: all of their establishment, or those they teach."""
        if membership is None:
            return self.none()
        qs = self.filter(establishment_id=membership.establishment_id)
        if membership.sees_whole_establishment:
            return qs
        if membership.role == Membership.Role.TEACHER:
            return qs.filter(teachers=membership)
        if membership.role == Membership.Role.PUPIL:
            return qs.filter(enrolments__pupil__user_id=membership.user_id)
        return self.none()


class SchoolClass(models.Model):
    """A class (division) of one school year, such as 5A or 301."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="classes"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("classe"), max_length=40)
    # Labels are marked in pix/grades.py and translated when shown.
    grade = models.CharField(_("niveau"), max_length=5, blank=True,
                             choices=[(code, _(label)) for code, label in GRADES])
    mef_code = models.CharField(_("code MEF"), max_length=11, blank=True)

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("classe")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "code"], name="unique_class_code_per_year"
            )
        ]

    def __str__(self) -> str:
        return self.code


class PupilQuerySet(models.QuerySet):
    def for_membership(self, membership: Membership | None) -> PupilQuerySet:
        """RUPN and direction: their establishment; teacher: pupils of classes they teach
        this year; pupil: themselves."""
        if membership is None:
            return self.none()
        qs = self.filter(establishment_id=membership.establishment_id)
        if membership.sees_whole_establishment:
            return qs
        if membership.role == Membership.Role.TEACHER:
            taught = Enrolment.objects.filter(
                pupil=OuterRef("pk"), school_class__teachers=membership
            )
            return qs.filter(Exists(taught))
        if membership.role == Membership.Role.PUPIL:
            return qs.filter(user_id=membership.user_id)
        return self.none()

    def with_class_of(self, school_year: SchoolYear) -> PupilQuerySet:
        """Annotates each pupil with their class code of `school_year` (None if not enrolled)."""
        enrolment = Enrolment.objects.filter(pupil=OuterRef("pk"), school_year=school_year)
        return self.annotate(
            class_code=models.Subquery(enrolment.values("school_class__code")[:1]),
            class_id=models.Subquery(enrolment.values("school_class_id")[:1]),
            left_on=models.Subquery(enrolment.values("left_on")[:1]),
        )


class Pupil(models.Model):
    """A pupil's identity, kept across school years by their INE."""

    class Sex(models.TextChoices):
        MALE = "M", _("Masculin")
        FEMALE = "F", _("Féminin")

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="pupils"
    )
    ine = models.CharField(_("INE"), max_length=11)
    last_name = models.CharField(_("nom"), max_length=100)
    usage_name = models.CharField(_("nom d’usage"), max_length=100, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    # Empty once the pupil is anonymised (privacy.services), never for a listed pupil.
    birthdate = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_place = models.CharField(_("lieu de naissance"), max_length=100, blank=True)
    # Pix exports carry names only: matching compares these normalised forms.
    last_name_key = models.CharField(max_length=100, editable=False, db_index=True)
    first_name_key = models.CharField(max_length=100, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pupil",
        verbose_name=_("compte"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the identity was replaced by neutral values, the pupil having left long ago.
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("élève")
        verbose_name_plural = _("élèves")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "ine"], name="unique_ine_per_establishment"
            )
        ]
        indexes = [models.Index(fields=["establishment", "last_name_key", "first_name_key"])]

    def __str__(self) -> str:
        return f"{self.display_last_name} {self.first_name}"

    def save(self, *args, **kwargs) -> None:
        self.set_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "last_name_key", "first_name_key"}
        super().save(*args, **kwargs)

    @property
    def display_last_name(self) -> str:
        return self.usage_name or self.last_name

    def set_name_keys(self) -> None:
        self.last_name_key = normalise_name(self.display_last_name)
        self.first_name_key = normalise_name(self.first_name)


class Enrolment(models.Model):
    """A pupil's class for one school year; `left_on` when a later import no longer lists them."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="enrolments")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="enrolments"
    )
    left_on = models.DateField(_("parti le"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "school_year"], name="one_class_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.pupil} — {self.school_class} ({self.school_year})"


class MembershipQuerySet(models.QuerySet):
    def staff(self) -> MembershipQuerySet:
        return self.exclude(role=Membership.Role.PUPIL)


class Membership(models.Model):
    """A user's role in one establishment."""

    class Role(models.TextChoices):
        RUPN = "rupn", _("RUPN")
        DIRECTION = "direction", _("Direction")
        TEACHER = "teacher", _("Enseignant")
        PUPIL = "pupil", _("Élève")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    taught_classes = models.ManyToManyField(
        SchoolClass, blank=True, related_name="teachers", verbose_name=_("classes enseignées")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role", "user__last_name", "user__first_name"]
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "establishment"], name="one_membership_per_establishment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.establishment.uai}"

    @property
    def sees_whole_establishment(self) -> bool:
        return self.role in (self.Role.RUPN, self.Role.DIRECTION)

    @property
    def can_administer(self) -> bool:
        """Imports, accounts, settings: the RUPN's work."""
        return self.role == self.Role.RUPN

    @property
    def is_staff_member(self) -> bool:
        return self.role != self.Role.PUPIL


class Invitation(models.Model):
    """An e-mailed link with which a teacher or a member of the direction joins."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("adresse e-mail"))
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    role = models.CharField(_("rôle"), max_length=10, choices=Membership.Role.choices)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "email"],
                condition=Q(accepted_at__isnull=True),
                name="one_pending_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
