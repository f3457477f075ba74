from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from establishments.models import Membership
from pix.candidates import MAX_EXTRA_TIME
from pix.grades import GRADES

from .models import CertificationPlan, Room, Session
from .selectors import member_name
from .services import MAX_SESSION_MINUTES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class Checkboxes(forms.CheckboxSelectMultiple):
    def __init__(self, **kwargs):
        super().__init__(attrs={"class": "form-check-input"}, **kwargs)


class MemberChoiceField(forms.ModelMultipleChoiceField):
    """Staff members by name; with `available` set, those available are marked."""

    available: set[int] | None = None

    def label_from_instance(self, obj: Membership) -> str:
        label = member_name(obj)
        if obj.role != Membership.Role.TEACHER:
            label = f"{label} ({obj.get_role_display()})"
        if self.available is not None and obj.pk in self.available:
            label = _("%(name)s — disponible") % {"name": label}
        return label


def aware(day, moment: time) -> datetime:
    """A date and a time of day in the establishment's time zone."""
    return timezone.make_aware(datetime.combine(day, moment))


class PlanSettingsForm(forms.Form):
    grades = forms.MultipleChoiceField(
        label=_("Niveaux certifiés"), choices=[(code, _(label)) for code, label in GRADES],
        widget=Checkboxes,
        help_text=_("Les élèves des classes de ces niveaux sont les candidats."),
    )
    session_minutes = forms.IntegerField(
        label=_("Durée d’une session (minutes)"), min_value=30, max_value=MAX_SESSION_MINUTES,
        help_text=_("Pix prévoit 1 h 45 de passation ; 2 h laissent le temps de s’installer. "
                    "Le temps majoré s’y ajoute."),
    )
    second_invigilator_above = forms.IntegerField(
        label=_("Deux surveillants au-delà de (candidats)"), min_value=1, max_value=200,
    )

    @classmethod
    def for_plan(cls, plan: CertificationPlan, data=None) -> PlanSettingsForm:
        return cls(data, initial={
            "grades": plan.grades, "session_minutes": plan.session_minutes,
            "second_invigilator_above": plan.second_invigilator_above,
        })


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Nom de la salle"), max_length=100)
    computers = forms.IntegerField(label=_("Ordinateurs en état de marche"), min_value=0,
                                   max_value=500)

    @classmethod
    def for_room(cls, room: Room, data=None) -> RoomForm:
        return cls(data, initial={"name": room.name, "computers": room.computers})


class AvailabilityForm(forms.Form):
    day = forms.DateField(label=_("Jour"), widget=DateInput())
    start = forms.TimeField(label=_("De"), widget=TimeInput())
    end = forms.TimeField(label=_("À"), widget=TimeInput())
    members = MemberChoiceField(
        label=_("Surveillants disponibles sur ce créneau"), queryset=Membership.objects.none(),
        widget=Checkboxes,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("La fin doit suivre le début."))
        return data

    @property
    def starts_at(self) -> datetime:
        return aware(self.cleaned_data["day"], self.cleaned_data["start"])

    @property
    def ends_at(self) -> datetime:
        return aware(self.cleaned_data["day"], self.cleaned_data["end"])


class ExtraTimeForm(forms.Form):
    percent = forms.IntegerField(label=_("Temps majoré (%)"), min_value=0,
                                 max_value=MAX_EXTRA_TIME, required=False)


class SessionForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Salle"), queryset=Room.objects.none())
    day = forms.DateField(label=_("Jour"), widget=DateInput())
    start = forms.TimeField(label=_("Début"), widget=TimeInput())
    minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=5,
                                 max_value=MAX_SESSION_MINUTES)
    invigilators = MemberChoiceField(
        label=_("Surveillants"), queryset=Membership.objects.none(), required=False,
        widget=Checkboxes,
    )
    pix_number = forms.CharField(
        label=_("Numéro de session Pix Certif"), max_length=20, required=False,
        help_text=_("Donné par Pix Certif à la création de la session."),
    )

    def __init__(self, *args, rooms, members, available: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["invigilators"].queryset = members
        self.fields["invigilators"].available = available

    @classmethod
    def for_session(cls, session: Session, data=None, **kwargs) -> SessionForm:
        local = timezone.localtime(session.starts_at)
        return cls(data, initial={
            "room": session.room_id, "day": local.date(), "start": local.time(),
            "minutes": session.minutes, "invigilators": list(session.invigilators.all()),
            "pix_number": session.pix_number,
        }, **kwargs)

    @property
    def starts_at(self) -> datetime:
        return aware(self.cleaned_data["day"], self.cleaned_data["start"])


class MoveForm(forms.Form):
    """Where a candidate goes: another session, or none (`NOWHERE`), chosen on purpose."""

    NOWHERE = "aucune"

    session = forms.CharField(label=_("Vers"))

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = sessions

    def clean_session(self) -> Session | None:
        value = self.cleaned_data["session"]
        if value == self.NOWHERE:
            return None
        session = self.sessions.filter(pk=value).first() if value.isdigit() else None
        if session is None:
            raise forms.ValidationError(_("Session inconnue."))
        return session


class AddCandidatesForm(forms.Form):
    candidates = forms.ModelMultipleChoiceField(queryset=None, label=_("Candidats à ajouter"),
                                                widget=Checkboxes)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = candidates
