from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent
from .selectors import PLATFORM


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    membre = forms.ChoiceField(label=_("Par"), required=False)
    du = forms.DateField(label=_("Du"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    au = forms.DateField(label=_("Au"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, actors: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Toutes")), *AuditEvent.Action.choices]
        self.fields["membre"].choices = [
            ("", _("Tout le monde")), (PLATFORM, _("pixorga (traitements, commandes)")),
            *actors,
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("du"), data.get("au")
        if since and until and since > until:
            self.add_error("au", _("La date de fin est avant la date de début."))
        return data
