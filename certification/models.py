"""Certification of the leaving classes: the year's plan, rooms, invigilators' availability,
sessions with their candidates, the results Pix Certif gives class by class, and the analysis
table the direction reads (rebuilt by a job after each import)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from establishments.models import Establishment, Membership, Pupil, SchoolYear
from pix.certification import CertificationStatus
from pix.certification_format import ComplementaryStatus

DEFAULT_SESSION_MINUTES = 120


class CertificationPlan(models.Model):
    """An establishment's certification for one school year, and its settings."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="certification_plans"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    grades = models.JSONField(_("niveaux certifiés"), default=list)  # e.g. ["3e"]
    session_minutes = models.PositiveSmallIntegerField(
        _("durée d’une session (minutes)"), default=DEFAULT_SESSION_MINUTES
    )
    second_invigilator_above = models.PositiveSmallIntegerField(
        _("deux surveillants au-delà de (candidats)"), default=20
    )

    class Meta:
        verbose_name = _("plan de certification")
        verbose_name_plural = _("plans de certification")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year"], name="one_plan_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.establishment.uai} {self.school_year}"


class Room(models.Model):
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("salle"), max_length=100)
    computers = models.PositiveSmallIntegerField(_("ordinateurs en état de marche"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "name"], name="unique_room_name")
        ]

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    """A pupil of a certified grade, with what the planning needs to know of them."""

    plan = models.ForeignKey(
        CertificationPlan, on_delete=models.CASCADE, related_name="candidates"
    )
    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="certification_candidacies"
    )
    # Tiers-temps: a third more time, as a percentage (33), as Pix Certif records it.
    extra_time_percent = models.PositiveSmallIntegerField(
        _("temps majoré (%)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")
        constraints = [
            models.UniqueConstraint(fields=["plan", "pupil"], name="one_candidacy_per_plan")
        ]

    def __str__(self) -> str:
        return str(self.pupil)


class Availability(models.Model):
    """A time when a teacher can invigilate."""

    plan = models.ForeignKey(
        CertificationPlan, on_delete=models.CASCADE, related_name="availabilities"
    )
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="availabilities")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("disponibilité")
        verbose_name_plural = _("disponibilités")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="availability_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.user} {self.starts_at:%d/%m %H:%M}–{self.ends_at:%H:%M}"


class Session(models.Model):
    plan = models.ForeignKey(CertificationPlan, on_delete=models.CASCADE, related_name="sessions")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("début"))
    minutes = models.PositiveSmallIntegerField(_("durée (minutes)"))
    pix_number = models.CharField(_("numéro de session Pix Certif"), max_length=20, blank=True)
    candidates = models.ManyToManyField(Candidate, blank=True, related_name="sessions")
    invigilators = models.ManyToManyField(
        Membership, blank=True, related_name="invigilated_sessions"
    )

    class Meta:
        ordering = ["starts_at", "room__name"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.starts_at:%d/%m/%Y %H:%M} — {self.room}"


class CertificationResult(models.Model):
    """One row of a Pix Certif results file, matched to a pupil by names and birthdate."""

    class Status(models.TextChoices):
        VALIDATED = CertificationStatus.VALIDATED.value, _("Validée")
        REJECTED = CertificationStatus.REJECTED.value, _("Rejetée")
        CANCELLED = CertificationStatus.CANCELLED.value, _("Annulée")
        ERROR = CertificationStatus.ERROR.value, _("En erreur")
        STARTED = CertificationStatus.STARTED.value, _("Démarrée")

    class Complementary(models.TextChoices):
        """A complementary certification's outcome (`pix.certification_format`)."""

        VALIDATED = ComplementaryStatus.VALIDATED.value, _("Validée")
        REJECTED = ComplementaryStatus.REJECTED.value, _("Non obtenue")
        NOT_TAKEN = ComplementaryStatus.NOT_TAKEN.value, _("Non passée")
        CANCELLED = ComplementaryStatus.CANCELLED.value, _("Annulée")
        ERROR = ComplementaryStatus.ERROR.value, _("En erreur")

    class Match(models.TextChoices):
        AUTO = "auto", _("Reconnu automatiquement")
        CONFIRMED = "confirmed", _("Confirmé")
        PENDING = "pending", _("À vérifier")
        NOT_OURS = "not_ours", _("Pas un élève de l’établissement")

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="certification_results"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    certification_number = models.CharField(_("numéro de certification"), max_length=20)
    division = models.CharField(_("classe"), max_length=40, blank=True)
    last_name = models.CharField(_("nom"), max_length=200)
    first_name = models.CharField(_("prénom"), max_length=200)
    birthdate = models.DateField(_("date de naissance"), null=True, blank=True)
    last_name_key = models.CharField(max_length=200)
    first_name_key = models.CharField(max_length=200)
    pupil = models.ForeignKey(
        Pupil, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="certification_results",
    )
    match = models.CharField(max_length=10, choices=Match.choices, default=Match.PENDING)
    candidates = models.JSONField(default=list, blank=True)  # plausible pupil ids
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices)
    pix = models.PositiveSmallIntegerField(_("score Pix"), null=True, blank=True)
    # "1.1" → level; None = "-" (not tested or cancelled), 0 = rejected or not certified.
    competence_levels = models.JSONField(default=dict)
    global_level = models.CharField(_("niveau global"), max_length=40, blank=True)
    # Pix's "Type de certification" (newer files): "Pix", "CléA Numérique by Pix"…
    certification_type = models.CharField(_("type de certification"), max_length=100,
                                          blank=True)
    # complementary certification ("CléA", "Pix+ Droit Maître") → `ComplementaryStatus` value
    complementary = models.JSONField(_("certifications complémentaires"), default=dict,
                                     blank=True)
    session_number = models.CharField(max_length=20, blank=True)
    taken_on = models.DateField(_("passée le"), null=True, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["division", "last_name", "first_name"]
        verbose_name = _("résultat de certification")
        verbose_name_plural = _("résultats de certification")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "certification_number"],
                name="unique_certification_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} — {self.get_status_display()}"

    @property
    def complementary_taken(self) -> list[tuple[str, str, str]]:
        """(name, status, its label) of each complementary certification the candidate sat."""
        labels = dict(self.Complementary.choices)
        return [(name, status, str(labels.get(status, status)))
                for name, status in sorted((self.complementary or {}).items())
                if status != self.Complementary.NOT_TAKEN]


class AnalysisSummary(models.Model):
    """The analysis table for one class (as Pix's files give it) or, with `division` empty,
    the establishment; rebuilt after each import. `figures` holds the counts by status,
    pix statistics, the v3 level distribution and per-competence figures."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="certification_summaries"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    division = models.CharField(max_length=40, blank=True)
    figures = models.JSONField(default=dict)
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["division"]
        verbose_name = _("synthèse de certification")
        verbose_name_plural = _("synthèses de certification")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "division"],
                name="one_certification_summary_per_division",
            )
        ]

    def __str__(self) -> str:
        return f"{self.establishment.uai} {self.school_year} {self.division or 'Établissement'}"
