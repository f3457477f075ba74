"""Forms of the results pages: the upload of results files, a match decision, the selectors of
the analysis page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from establishments.models import Pupil, SchoolYear

MAX_FILES = 100


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one `<input type="file" multiple>` (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.zip,text/csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ResultsImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Fichiers de résultats de certification"),
        help_text=_("Les fichiers « AAAAMMJJ_resultats_<classe>.csv » téléchargés classe par "
                    "classe depuis Pix Orga (onglet « Certifications »), sans les modifier : "
                    "sélectionnez-en plusieurs à la fois, ou envoyez-les dans une archive ZIP."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Help texts are written as HTML by the form renderers: "<classe>" would be a tag.
        field = self.fields["files"]
        field.help_text = escape(field.help_text)

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(_("%(max)s fichiers au plus à la fois."),
                                        params={"max": MAX_FILES})
        if sum(upload.size for upload in uploads) > settings.MAX_IMPORT_FILE_SIZE:
            raise forms.ValidationError(
                _("Les fichiers dépassent %(size)s Mo en tout."),
                params={"size": settings.MAX_IMPORT_FILE_SIZE // (1024 * 1024)},
            )
        return uploads


class MatchForm(forms.Form):
    CONFIRM = "confirm"
    REJECT = "reject"

    action = forms.ChoiceField(choices=[(CONFIRM, CONFIRM), (REJECT, REJECT)])
    pupil = forms.ModelChoiceField(queryset=Pupil.objects.none(), required=False)

    def __init__(self, *args, establishment, **kwargs):
        super().__init__(*args, **kwargs)
        # Another establishment's pupil is no valid choice: the field says so, nothing leaks.
        self.fields["pupil"].queryset = Pupil.objects.filter(establishment=establishment)

    def clean(self):
        data = super().clean()
        if data.get("action") == self.CONFIRM and not data.get("pupil"):
            raise forms.ValidationError(_("Choisissez un élève, ou indiquez que ce candidat "
                                          "n’est pas un élève de l’établissement."))
        return data


class AnalysisFilterForm(forms.Form):
    """The year and the class shown on the analysis page and the results list."""

    annee = forms.TypedChoiceField(label=_("Année scolaire"), coerce=int, required=False,
                                   widget=forms.Select(attrs={"class": "form-select"}))
    classe = forms.ChoiceField(label=_("Classe"), required=False,
                               widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, years: list[SchoolYear], divisions: list[str],
                 whole: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(y.start_year, str(y)) for y in years]
        every = _("Tout l’établissement") if whole else _("Toutes mes classes")
        self.fields["classe"].choices = [("", every), *((d, d) for d in divisions)]
