from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from establishments.models import Establishment, Membership, Pupil, SchoolClass, SchoolYear
from pix.grades import GRADES

from .models import Campaign, code_validator


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignFilterForm(forms.Form):
    ACTIVE, ARCHIVED, ALL = "", "archived", "all"

    school_year = forms.ModelChoiceField(
        label=_("Année scolaire"), queryset=SchoolYear.objects.none(), required=False,
        empty_label=_("Toutes les années"),
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False,
        choices=[("", _("Tous les types")), *Campaign.Kind.choices],
    )
    archived = forms.ChoiceField(
        label=_("État"), required=False,
        choices=[(ACTIVE, _("En cours")), (ARCHIVED, _("Archivées")), (ALL, _("Toutes"))],
    )

    def __init__(self, *args, years: QuerySet[SchoolYear], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"].queryset = years

    def filter(self, campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("school_year"):
            campaigns = campaigns.filter(school_year=data["school_year"])
        if data.get("kind"):
            campaigns = campaigns.filter(kind=data["kind"])
        archived = data.get("archived", self.ACTIVE)
        if archived == self.ACTIVE:
            campaigns = campaigns.filter(archived_at__isnull=True)
        elif archived == self.ARCHIVED:
            campaigns = campaigns.filter(archived_at__isnull=False)
        return campaigns


class CampaignForm(forms.Form):
    code = forms.CharField(
        label=_("Code de la campagne"), max_length=20,
        help_text=_("6 lettres puis 3 chiffres, tel que Pix Orga l’affiche (ex. QWRTZK482)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "class": "text-uppercase"}),
    )
    name = forms.CharField(label=_("Nom"), max_length=255)
    kind = forms.ChoiceField(label=_("Type de campagne"), choices=Campaign.Kind.choices)
    parcours = forms.CharField(
        label=_("Parcours"), max_length=255, required=False,
        help_text=_("Pour une campagne d’évaluation : le parcours choisi dans Pix Orga."),
    )
    purpose = forms.ChoiceField(
        label=_("Objectif"), choices=Campaign.Purpose.choices, initial=Campaign.Purpose.OTHER
    )
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes visées"), queryset=SchoolClass.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    opens_on = forms.DateField(label=_("Ouverture"), required=False, widget=DateInput())
    closes_on = forms.DateField(label=_("Clôture"), required=False, widget=DateInput())

    def __init__(self, *args, membership: Membership, campaign: Campaign | None = None,
                 **kwargs):
        if campaign is not None:
            kwargs.setdefault("initial", {
                "code": campaign.code, "name": campaign.name, "kind": campaign.kind,
                "parcours": campaign.parcours, "purpose": campaign.purpose,
                "classes": list(campaign.classes.all()), "opens_on": campaign.opens_on,
                "closes_on": campaign.closes_on,
            })
        super().__init__(*args, **kwargs)
        self.establishment: Establishment = membership.establishment
        self.campaign = campaign
        year_id = campaign.school_year_id if campaign else self.establishment.current_year_id
        classes = SchoolClass.objects.filter(
            establishment_id=self.establishment.pk, school_year_id=year_id
        )
        # A teacher may only aim a campaign at classes they teach; classes someone else chose
        # stay as they are.
        choosable = classes if membership.sees_whole_establishment else classes.filter(
            teachers=membership
        )
        self.fields["classes"].queryset = choosable.order_by("code")
        self.kept_classes: list[SchoolClass] = []
        if campaign is not None and not membership.sees_whole_establishment:
            self.kept_classes = list(campaign.classes.exclude(pk__in=choosable))
        if not membership.sees_whole_establishment:
            self.fields["classes"].help_text = _("Les classes que vous enseignez.")
        if campaign is not None and campaign.results_imported_at is not None:
            # The code and the type are those of the Pix export once results are imported.
            for name in ("code", "kind"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixé par l’export Pix importé.")

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).upper()
        code_validator(code)
        same = Campaign.objects.filter(establishment_id=self.establishment.pk, code=code)
        if self.campaign is not None:
            same = same.exclude(pk=self.campaign.pk)
        if same.exists():
            raise forms.ValidationError(
                _("Une campagne de l’établissement porte déjà le code %(code)s."),
                params={"code": code}, code="duplicate",
            )
        return code

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("La clôture ne peut pas précéder l’ouverture."))
        if "classes" in data:
            data["classes"] = [*data["classes"], *self.kept_classes]
        return data


class ResultsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export de résultats Pix Orga"),
        help_text=_("Le fichier CSV téléchargé depuis Pix Orga (onglet « Résultats », bouton "
                    "« Exporter les résultats »), sans le modifier."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_IMPORT_FILE_SIZE:
            raise forms.ValidationError(
                _("Le fichier dépasse %(size)s Mo."),
                params={"size": settings.MAX_IMPORT_FILE_SIZE // (1024 * 1024)},
            )
        return upload


class DivisionForm(forms.Form):
    division = forms.ChoiceField(label=_("Classe"), required=False,
                                 widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, divisions: list[str], whole: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d, d) for d in divisions]
        if whole:
            choices.insert(0, ("", _("Tout l’établissement")))
        self.fields["division"].choices = choices


class MatchForm(forms.Form):
    CONFIRM, REJECT = "confirm", "reject"

    action = forms.ChoiceField(choices=[(CONFIRM, CONFIRM), (REJECT, REJECT)])
    pupil = forms.ModelChoiceField(
        label=_("Élève"), queryset=Pupil.objects.none(), required=False,
        error_messages={"invalid_choice": _("Cet élève n’existe pas dans l’établissement.")},
    )

    def __init__(self, *args, establishment: Establishment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = Pupil.objects.filter(establishment=establishment)

    def clean(self):
        data = super().clean()
        if data.get("action") == self.CONFIRM and not data.get("pupil"):
            self.add_error("pupil", _("Choisissez l’élève qui a participé."))
        return data


class PupilSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom ou prénom de l’élève"), required=False, max_length=100)


class LevelsFilterForm(forms.Form):
    grade = forms.ChoiceField(label=_("Niveau"), choices=GRADES)
    school_class = forms.ModelChoiceField(
        label=_("Classe"), queryset=SchoolClass.objects.none(), required=False,
        empty_label=_("Toutes les classes"),
    )

    def __init__(self, *args, classes: QuerySet[SchoolClass], **kwargs):
        super().__init__(*args, **kwargs)
        grades = sorted({c.grade for c in classes if c.grade},
                        key=[code for code, _label in GRADES].index)
        labels = {code: _(label) for code, label in GRADES}  # marked in pix/grades.py
        self.fields["grade"].choices = [(g, labels[g]) for g in grades] or list(labels.items())
        self.fields["school_class"].queryset = classes

    def clean(self):
        data = super().clean()
        school_class = data.get("school_class")
        if school_class and data.get("grade") and school_class.grade != data["grade"]:
            data["school_class"] = None  # a class of another grade: show the grade
        return data


class CampaignChoiceForm(forms.Form):
    """Second step of importing a file without "Code": the campaign it is the export of."""

    EXISTING, NEW = "existing", "new"
    KINDS = [(Campaign.Kind.ASSESSMENT.value, Campaign.Kind.ASSESSMENT.label),
             (Campaign.Kind.PROFILES_COLLECTION.value, Campaign.Kind.PROFILES_COLLECTION.label)]

    choice = forms.ChoiceField(
        label=_("Cette campagne est…"), widget=forms.RadioSelect,
        choices=[(EXISTING, _("une campagne déjà enregistrée dans pixorga")),
                 (NEW, _("une campagne à enregistrer maintenant"))],
    )
    campaign = forms.ModelChoiceField(
        label=_("Campagne"), queryset=Campaign.objects.none(), required=False,
        empty_label=_("Choisir une campagne"),
    )
    code = forms.CharField(
        label=_("Code de la campagne"), max_length=20, required=False,
        help_text=_("6 lettres puis 3 chiffres, tel que Pix Orga l’affiche (ex. QWRTZK482)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "class": "text-uppercase"}),
    )
    name = forms.CharField(label=_("Nom"), max_length=255, required=False)
    kind = forms.ChoiceField(label=_("Type de campagne"), choices=KINDS, required=False)
    school_year = forms.RegexField(
        label=_("Année scolaire"), regex=r"^\s*\d{4}-\d{4}\s*$", required=False,
        help_text=_("Sous la forme 2020-2021."),
        error_messages={"invalid": _("Écrivez l’année scolaire sous la forme 2020-2021.")},
    )

    def __init__(self, *args, campaigns: QuerySet[Campaign], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns.select_related("school_year")
        self.fields["campaign"].label_from_instance = (
            lambda c: f"{c.name} ({c.code}, {c.school_year}, {c.get_kind_display()})"
        )

    def clean(self):
        data = super().clean()
        if data.get("choice") == self.EXISTING:
            if not data.get("campaign"):
                self.add_error("campaign", _("Choisissez la campagne."))
        elif data.get("choice") == self.NEW:
            for name in ("code", "name", "kind", "school_year"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Ce champ est obligatoire."))
            year = (data.get("school_year") or "").strip()
            if year and int(year[5:]) != int(year[:4]) + 1:
                self.add_error("school_year", _("Écrivez l’année scolaire sous la forme "
                                                "2020-2021."))
        return data

    def new_campaign(self) -> dict:
        """The fields of `campaign_create` for a new campaign."""
        start = int(self.cleaned_data["school_year"].strip()[:4])
        year, _created = SchoolYear.objects.get_or_create(start_year=start)
        return {"code": self.cleaned_data["code"], "name": self.cleaned_data["name"],
                "kind": self.cleaned_data["kind"], "school_year": year}
