from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, code_validator
from certification.models import Room
from establishments.models import Membership, SchoolClass
from pix.grades import grade_label
from pix.referential import COMPETENCES
from pix.rules import FRAMEWORK_MAX_LEVEL

from .models import DEFAULT_GROUP_SIZE, DEFAULT_SESSION_MINUTES, PIX_EDU_STEPS, Workshop
from .selectors import LEVELS, REASONS, Source

# The browser's date picker reads and writes ISO dates, whatever the page's language.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COMPETENCE_CHOICES = [(c.code, f"{c.code} {c.name}") for c in COMPETENCES]
REASON_LABELS = {
    "below": _("Sous le seuil dans une compétence"),
    "objective": _("N’atteint pas l’objectif du niveau"),
    "certifiable": _("Pas encore certifiable (classe de sortie)"),
    "never_shared": _("N’a envoyé aucun résultat cette année"),
}


def grade_choices(grades: list[str]) -> list[tuple[str, str]]:
    return [(g, gettext(grade_label(g))) for g in grades]


def member_label(member: Membership) -> str:
    name = member.user.get_full_name() or member.user.username
    return f"{name} ({member.get_role_display()})"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return member_label(obj)


def source_choices(campaigns: list[Campaign]) -> list[tuple[str, str]]:
    choices = [(LEVELS, gettext("Niveaux actuels (collectes de profils, certification)"))]
    for campaign in campaigns:
        kind = gettext("maîtrise") if campaign.gives_mastery else gettext("niveaux")
        choices.append((str(campaign.pk), f"{campaign.name} ({kind})"))
    return choices


def source_from(key: str | None, campaigns: list[Campaign]) -> Source | None:
    if key == LEVELS:
        return Source()
    for campaign in campaigns:
        if str(campaign.pk) == key:
            return Source(campaign)
    return None


class NeedsFilterForm(forms.Form):
    niveau = forms.ChoiceField(label=_("Niveau"), required=False)
    classe = forms.ModelChoiceField(label=_("Classe"), queryset=SchoolClass.objects.none(),
                                    required=False, empty_label=_("Toutes"))
    competence = forms.ChoiceField(label=_("Compétence"), required=False)
    motif = forms.ChoiceField(label=_("Motif"), required=False)
    source = forms.ChoiceField(label=_("Résultats"), required=False)
    seuil = forms.DecimalField(label=_("Seuil"), required=False, min_value=0, max_value=100,
                               decimal_places=1)

    def __init__(self, *args, grades: list[str], classes, campaigns: list[Campaign], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niveau"].choices = [("", gettext("Tous"))] + grade_choices(grades)
        self.fields["classe"].queryset = classes
        self.fields["competence"].choices = [("", gettext("Toutes"))] + COMPETENCE_CHOICES
        self.fields["motif"].choices = [("", gettext("Tous"))] + [
            (key, REASON_LABELS[key]) for key in REASONS]
        self.fields["source"].choices = source_choices(campaigns)


class PeriodProposeForm(forms.Form):
    """The RUPN's request for groups: a grade, results, a threshold and a size."""

    grade = forms.ChoiceField(label=_("Niveau"))
    source = forms.ChoiceField(label=_("À partir des résultats"))
    threshold = forms.DecimalField(
        label=_("Seuil"), min_value=0, max_value=100, decimal_places=1,
        help_text=_("Un niveau (0 à 8) pour des niveaux, un pourcentage (0 à 100) pour une "
                    "maîtrise : les élèves en dessous ont besoin d’aide."),
    )
    competences = forms.MultipleChoiceField(
        label=_("Compétences à travailler"), choices=COMPETENCE_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune cochée : toutes celles que les résultats mesurent."),
    )
    max_group_size = forms.IntegerField(
        label=_("Élèves par groupe au plus"), min_value=2, max_value=40,
        initial=DEFAULT_GROUP_SIZE, help_text=_("Un demi-groupe : 12 à 15 élèves."),
    )
    name = forms.CharField(label=_("Intitulé de la période"), max_length=200)
    starts_on = forms.DateField(label=_("Du"), widget=DATE)
    ends_on = forms.DateField(label=_("Au"), widget=DATE)

    def __init__(self, *args, grades: list[str], campaigns: list[Campaign], **kwargs):
        super().__init__(*args, **kwargs)
        self.campaigns = campaigns
        self.fields["grade"].choices = grade_choices(grades)
        self.fields["source"].choices = source_choices(campaigns)

    def clean(self):
        data = super().clean()
        source = source_from(data.get("source"), self.campaigns)
        data["source_object"] = source
        threshold = data.get("threshold")
        if source is not None and threshold is not None:
            if source.gives_mastery:
                data["threshold_value"] = float(threshold) / 100
            elif threshold > FRAMEWORK_MAX_LEVEL or threshold != int(threshold):
                self.add_error("threshold", gettext("Un niveau entier de 0 à 8."))
            else:
                data["threshold_value"] = float(threshold)
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", gettext("La fin précède le début."))
        return data


class PeriodForm(forms.Form):
    name = forms.CharField(label=_("Intitulé"), max_length=200)
    starts_on = forms.DateField(label=_("Du"), widget=DATE)
    ends_on = forms.DateField(label=_("Au"), widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", gettext("La fin précède le début."))
        return data


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=120)
    leader = MemberChoiceField(label=_("Animé par"), queryset=Membership.objects.none(),
                               required=False, empty_label=_("À choisir"))
    competences = forms.MultipleChoiceField(label=_("Compétences visées"),
                                            choices=COMPETENCE_CHOICES,
                                            widget=forms.CheckboxSelectMultiple)
    parcours = forms.CharField(label=_("Parcours ciblé suggéré"), max_length=255,
                               required=False)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders


class LeaderForm(forms.Form):
    leader = MemberChoiceField(label=_("Animé par"), queryset=Membership.objects.none(),
                               required=False, empty_label=_("À choisir"),
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders


class SessionForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    start = forms.TimeField(label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"},
                                                                      format="%H:%M"))
    minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=10, max_value=240,
                                 initial=DEFAULT_SESSION_MINUTES)
    weeks = forms.IntegerField(
        label=_("Nombre de séances"), min_value=1, max_value=12, initial=1,
        help_text=_("Plusieurs : la même heure, semaine après semaine."),
    )
    room = forms.ModelChoiceField(label=_("Salle"), queryset=Room.objects.none(), required=False,
                                  empty_label=_("À préciser"))
    leader = MemberChoiceField(label=_("Animée par"), queryset=Membership.objects.none(),
                               required=False, empty_label=_("À choisir"))
    competences = forms.MultipleChoiceField(label=_("Compétences visées"),
                                            choices=COMPETENCE_CHOICES,
                                            widget=forms.CheckboxSelectMultiple)
    campaign_code = forms.CharField(
        label=_("Code de campagne à utiliser"), max_length=12, required=False,
        help_text=_("Le code du parcours ciblé créé dans Pix Orga, par exemple QWRTZK482."),
    )
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("Enregistrer malgré les conflits"), required=False)

    def __init__(self, *args, rooms, leaders, repeat: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["leader"].queryset = leaders
        if not repeat:
            del self.fields["weeks"]

    def clean_campaign_code(self) -> str:
        code = self.cleaned_data["campaign_code"].strip().upper()
        if code:
            code_validator(code)  # written in lower case on a phone: accepted
        return code

    def starts_at(self) -> datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["day"], data["start"]))


class WorkshopForm(forms.ModelForm):
    day = forms.DateField(label=_("Date"), widget=DATE)
    start = forms.TimeField(label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"},
                                                                      format="%H:%M"))

    class Meta:
        model = Workshop
        fields = ["topic", "domain", "description", "minutes", "room", "capacity"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["room"].empty_label = gettext("À préciser")
        self.order_fields(["topic", "domain", "day", "start", "minutes", "room", "capacity",
                           "description"])
        if self.instance.pk:
            local = timezone.localtime(self.instance.starts_at)
            self.initial.setdefault("day", local.date())
            self.initial.setdefault("start", local.time().replace(second=0, microsecond=0))

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("start"):
            self.instance.starts_at = timezone.make_aware(
                datetime.combine(data["day"], data["start"]))
        return data


class PixEduForm(forms.Form):
    newly_tenured = forms.BooleanField(label=_("Néo-titulaire"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in PIX_EDU_STEPS:
            self.fields[f"{key}_done"] = forms.BooleanField(label=label, required=False)
            self.fields[f"{key}_on"] = forms.DateField(
                label=_("le"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for key, _label in PIX_EDU_STEPS:
            on = data.get(f"{key}_on")
            if on is not None and on > today:
                self.add_error(f"{key}_on", gettext("Cette date est à venir."))
        return data

    def steps(self) -> dict:
        return {key: (self.cleaned_data[f"{key}_done"], self.cleaned_data[f"{key}_on"])
                for key, _label in PIX_EDU_STEPS}

    @staticmethod
    def initial_from(record) -> dict:
        if record is None:
            return {}
        initial = {"newly_tenured": record.newly_tenured}
        for key, _label in PIX_EDU_STEPS:
            initial[f"{key}_done"] = getattr(record, f"{key}_done")
            initial[f"{key}_on"] = getattr(record, f"{key}_on")
        return initial


class PixEduImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_IMPORT_FILE_SIZE:
            raise forms.ValidationError(
                _("Le fichier dépasse %(size)s Mo."),
                params={"size": settings.MAX_IMPORT_FILE_SIZE // (1024 * 1024)},
            )
        return upload


def default_period_dates(today) -> tuple:
    return today, today + timedelta(weeks=6)
