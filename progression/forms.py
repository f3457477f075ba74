from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pix.grades import grade_label
from pix.referential import COMPETENCES
from pix.rules import FRAMEWORK_MAX_LEVEL

from .models import Rule
from .rules import RuleKind, RuleSpec, rule_problems

COMPETENCE_CHOICES = [(c.code, f"{c.code} {c.name}") for c in COMPETENCES]


def grade_choices(grades: list[str]) -> list[tuple[str, str]]:
    return [(g, gettext(grade_label(g))) for g in grades]


class GradeForm(forms.Form):
    niveau = forms.ChoiceField(label=_("Niveau"))

    def __init__(self, *args, grades: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niveau"].choices = grade_choices(grades)

    def grade(self, default: str | None) -> str | None:
        return self.cleaned_data["niveau"] if self.is_valid() else default


class ObjectiveForm(forms.Form):
    grade = forms.ChoiceField(label=_("Niveau"))
    name = forms.CharField(
        label=_("Intitulé"), max_length=200,
        help_text=_("Ce que les élèves et les enseignants liront, par exemple « Niveau 1 dans "
                    "5 compétences, dont une de chaque domaine »."),
    )

    def __init__(self, *args, grades: list[str], fixed_grade: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = grade_choices(grades)
        if fixed_grade:
            self.fields["grade"].disabled = True


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Règle"), choices=[("", "—"), *Rule.Kind.choices])
    level = forms.IntegerField(label=_("Niveau L"), min_value=0, max_value=FRAMEWORK_MAX_LEVEL,
                               initial=1, required=False)
    count = forms.IntegerField(label=_("Nombre N de compétences"), min_value=1, max_value=16,
                               required=False)
    competences = forms.MultipleChoiceField(
        label=_("Compétences"), choices=COMPETENCE_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind or self.errors:
            return data
        problems = rule_problems(kind, data.get("level"), data.get("count"),
                                 data.get("competences") or [])
        for problem in problems:
            self.add_error(None, gettext(problem))
        return data

    def spec(self) -> RuleSpec | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return RuleSpec(RuleKind(data["kind"]), level=data.get("level") or 0,
                        count=data.get("count"), competences=tuple(data.get("competences") or ()))


class BaseRuleFormSet(forms.BaseFormSet):
    def specs(self) -> list[RuleSpec]:
        return [
            spec for form in self.forms
            if not self._should_delete_form(form) and (spec := form.spec()) is not None
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.specs():
            raise forms.ValidationError(_("Un objectif a au moins une règle."))


RuleFormSet = forms.formset_factory(RuleForm, formset=BaseRuleFormSet, extra=1, can_delete=True,
                                    max_num=10)


def rule_initial(specs: list[RuleSpec]) -> list[dict]:
    return [{"kind": s.kind.value, "level": s.level, "count": s.count,
             "competences": list(s.competences)} for s in specs]


class ComplianceFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("not_met", _("n’atteignent pas l’objectif")),
        ("met", _("atteignent l’objectif")),
        ("all", _("tous")),
    ]
    status = forms.ChoiceField(label=_("Élèves"), choices=STATUS_CHOICES, required=False)
    niveau = forms.ChoiceField(label=_("Niveau"), required=False)
    classe = forms.ModelChoiceField(label=_("Classe"), queryset=None, required=False,
                                    empty_label=_("Toutes"))
    competence = forms.ChoiceField(label=_("Il leur manque"), required=False)
    q = forms.CharField(label=_("Nom ou INE"), required=False, max_length=100)

    def __init__(self, *args, grades: list[str], classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niveau"].choices = [("", gettext("Tous")), *grade_choices(grades)]
        self.fields["classe"].queryset = classes
        self.fields["competence"].choices = [("", gettext("Toute compétence")),
                                             *COMPETENCE_CHOICES]


class PlanFilterForm(forms.Form):
    niveau = forms.ChoiceField(label=_("Niveau"), required=False)

    def __init__(self, *args, grades: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niveau"].choices = [("", gettext("Tous les niveaux")),
                                         *grade_choices(grades)]


class YearOpenForm(forms.Form):
    copy_objectives = forms.BooleanField(
        label=_("Reprendre les objectifs de cette année pour la nouvelle"), required=False,
        initial=True,
    )
