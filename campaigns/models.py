"""Pix Orga campaigns, their participants and sendings, and the aggregates results pages read.

Results are stored as Pix gives them, one `Sending` per row of an export; per-competence values
live in a JSON object per sending (16 competences at most), which keeps an import of 20,000
participants to 20,000 rows. Pages never aggregate sendings themselves: they read `ResultSummary`
rows, rebuilt by a job after each import.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from establishments.models import Establishment, Membership, Pupil, SchoolClass, SchoolYear
from pix.campaign_format import CampaignKind

code_validator = RegexValidator(
    r"^[A-Z]{6}[0-9]{3}$",
    _("Un code de campagne Pix s’écrit avec 6 lettres puis 3 chiffres, par exemple QWRTZK482."),
)
PIX_CAMPAIGN_URL = "https://app.pix.fr/campagnes/{code}"


class CampaignQuerySet(models.QuerySet):
    def for_membership(self, membership: Membership | None) -> CampaignQuerySet:
        """RUPN and direction: every campaign of their establishment. Teacher: campaigns they
        own, and campaigns aimed at or taken by a class they teach (whose results they see
        for their classes only). Pupil: campaigns they took part in."""
        if membership is None:
            return self.none()
        qs = self.filter(establishment_id=membership.establishment_id)
        if membership.sees_whole_establishment:
            return qs
        if membership.role == Membership.Role.TEACHER:
            taught = membership.taught_classes.all()
            visible = Q(owner_id=membership.user_id) | Q(
                Exists(
                    Campaign.classes.through.objects.filter(
                        campaign_id=OuterRef("pk"), schoolclass__in=taught
                    )
                )
            )
            for code, year_id in taught.values_list("code", "school_year_id"):
                took_part = Participant.objects.filter(campaign=OuterRef("pk"), division=code)
                visible |= Q(Exists(took_part), school_year_id=year_id)
            return qs.filter(visible)
        if membership.role == Membership.Role.PUPIL:
            return qs.filter(participants__pupil__user_id=membership.user_id).distinct()
        return self.none()


class Campaign(models.Model):
    class Kind(models.TextChoices):
        ASSESSMENT = CampaignKind.ASSESSMENT.value, _("Évaluation")
        PROFILES_COLLECTION = CampaignKind.PROFILES_COLLECTION.value, _("Collecte de profils")
        EXAM = CampaignKind.EXAM.value, _("Examen")

    class Purpose(models.TextChoices):
        RENTREE = "rentree", _("Parcours de rentrée")
        SIXIEME = "sixieme", _("Parcours 6e")
        THEMATIC = "thematic", _("Parcours thématique")
        PRE_CERTIFICATION = "pre_certification", _("Collecte de profils avant certification")
        OTHER = "other", _("Autre")

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="campaigns"
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("année scolaire")
    )
    code = models.CharField(_("code"), max_length=9, validators=[code_validator])
    pix_id = models.PositiveIntegerField(_("identifiant Pix"), null=True, blank=True)
    name = models.CharField(_("nom"), max_length=255)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    parcours = models.CharField(_("parcours"), max_length=255, blank=True)
    purpose = models.CharField(
        _("objectif"), max_length=20, choices=Purpose.choices, default=Purpose.OTHER
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_campaigns",
        verbose_name=_("propriétaire"),
    )
    classes = models.ManyToManyField(
        SchoolClass, blank=True, related_name="campaigns", verbose_name=_("classes visées")
    )
    opens_on = models.DateField(_("ouverture"), null=True, blank=True)
    closes_on = models.DateField(_("clôture"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)
    # What the last import showed of the campaign's shape.
    competence_codes = models.JSONField(default=list, blank=True)
    stage_count = models.PositiveSmallIntegerField(null=True, blank=True)
    badge_names = models.JSONField(default=list, blank=True)
    external_id_label = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    results_imported_at = models.DateTimeField(null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-school_year__start_year", "-opens_on", "name"]
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "code"], name="unique_campaign_code_per_establishment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def gives_mastery(self) -> bool:
        return CampaignKind(self.kind).gives_mastery

    @property
    def pix_url(self) -> str:
        return PIX_CAMPAIGN_URL.format(code=self.code)


class ParticipantQuerySet(models.QuerySet):
    def for_membership(self, membership: Membership | None, campaign: Campaign):
        """Participants of `campaign` a member may see: a teacher who does not own the
        campaign sees those of the classes they teach (by the class the export gives)."""
        qs = self.filter(campaign=campaign)
        if membership is None:
            return qs.none()
        if membership.sees_whole_establishment:
            return qs
        if membership.role == Membership.Role.TEACHER:
            if campaign.owner_id == membership.user_id:
                return qs
            return qs.filter(division__in=taught_class_codes(membership, campaign.school_year))
        if membership.role == Membership.Role.PUPIL:
            return qs.filter(pupil__user_id=membership.user_id)
        return qs.none()


def taught_class_codes(membership: Membership, school_year: SchoolYear) -> list[str]:
    return list(
        membership.taught_classes.filter(school_year=school_year).values_list("code", flat=True)
    )


class Participant(models.Model):
    """A person in a campaign's export, whatever their number of sendings.

    Pix exports carry names and a class, no INE: `pupil` is set by matching, automatically when
    exactly one pupil fits, else by a person in the matching queue.
    """

    class Match(models.TextChoices):
        AUTO = "auto", _("Reconnu automatiquement")
        CONFIRMED = "confirmed", _("Confirmé")
        PENDING = "pending", _("À vérifier")
        NOT_OURS = "not_ours", _("Pas un élève de l’établissement")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participants")
    last_name = models.CharField(_("nom"), max_length=200)
    first_name = models.CharField(_("prénom"), max_length=200)
    division = models.CharField(_("classe"), max_length=40, blank=True)
    external_id = models.CharField(_("identifiant externe"), max_length=255, blank=True)
    last_name_key = models.CharField(max_length=200)
    first_name_key = models.CharField(max_length=200)
    pupil = models.ForeignKey(
        Pupil, on_delete=models.SET_NULL, null=True, blank=True, related_name="participations"
    )
    match = models.CharField(max_length=10, choices=Match.choices, default=Match.PENDING)
    # Pupils the matching found plausible, shown in the queue: [pupil ids].
    candidates = models.JSONField(default=list, blank=True)
    has_shared = models.BooleanField(default=False)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "last_name_key", "first_name_key", "division", "external_id"],
                name="one_participant_per_identity",
            )
        ]
        indexes = [models.Index(fields=["campaign", "match"])]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} ({self.division})"


class Sending(models.Model):
    """One row of an export: a sending of a participant, shared or not.

    `is_result` marks the participant's latest shared sending: their result for the campaign.
    `competences` maps a competence code to {"level", "pix"} (profiles collection) or to
    {"rate", "total", "mastered"} (assessment, exam); `domains` the same per domain code.
    """

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="sendings"
    )
    shared = models.BooleanField()
    shared_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    progression = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    pix_total = models.PositiveIntegerField(null=True, blank=True)
    certifiable = models.BooleanField(null=True)
    certifiable_competences = models.PositiveSmallIntegerField(null=True, blank=True)
    mastery = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    stage = models.PositiveSmallIntegerField(null=True, blank=True)
    badges = models.JSONField(default=dict, blank=True)
    competences = models.JSONField(default=dict, blank=True)
    domains = models.JSONField(default=dict, blank=True)
    is_result = models.BooleanField(default=False)
    # Rows identical to the letter are the same sending: this makes re-imports idempotent.
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["-shared_at"]
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "fingerprint"], name="unique_sending_per_participant"
            )
        ]
        indexes = [models.Index(fields=["participant", "is_result"])]

    def __str__(self) -> str:
        return f"{self.participant} — {self.shared_at or _('non partagé')}"


class MatchDecision(models.Model):
    """A person's decision on who a participant is, kept across imports and campaigns.

    Keyed by the normalised names and the class Pix gives, in one school year.
    """

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="match_decisions"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    last_name_key = models.CharField(max_length=200)
    first_name_key = models.CharField(max_length=200)
    division = models.CharField(max_length=40, blank=True)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, null=True, blank=True)
    not_ours = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("décision de rapprochement")
        verbose_name_plural = _("décisions de rapprochement")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "last_name_key", "first_name_key",
                        "division"],
                name="one_decision_per_identity",
            ),
            models.CheckConstraint(
                condition=Q(pupil__isnull=False) | Q(not_ours=True),
                name="decision_names_a_pupil_or_not_ours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name_key} {self.first_name_key} ({self.division})"


class ResultSummary(models.Model):
    """Aggregates of a campaign's results for one class (as the export gives it) or, with
    `division` empty, for the whole establishment. Rebuilt after each import.

    `competences` maps a code to {"mean_level", "mean_pix", "distribution": [count at level
    0, 1, …], "mean_mastery", "count"}, over each participant's latest shared sending. Means
    are exact to six places (`pix.numbers.stored`: text in `competences`, older rows floats),
    so that each page and file rounds them half up to what a person computes by hand.
    """

    ESTABLISHMENT = ""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="summaries")
    division = models.CharField(max_length=40, blank=True)
    participants = models.PositiveIntegerField(default=0)
    started = models.PositiveIntegerField(default=0)
    shared = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    certifiable = models.PositiveIntegerField(default=0)
    mean_pix = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    mean_mastery = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    stages = models.JSONField(default=dict, blank=True)  # {"3": 12, …}
    badges = models.JSONField(default=dict, blank=True)  # {"Prêt pour la suite": 20, …}
    competences = models.JSONField(default=dict, blank=True)
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["division"]
        verbose_name = _("synthèse de résultats")
        verbose_name_plural = _("synthèses de résultats")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "division"], name="one_summary_per_campaign_division"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} — {self.division or 'Établissement'}"
