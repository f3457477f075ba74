from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Establishment, Membership, SchoolClass, SchoolYear


class PupilImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier de la base élèves"),
        help_text=_(
            "Export SIECLE « ElevesSansAdresses » (XML, zippé ou non) ou liste d’élèves au "
            "format CSV de Pix (UTF-8, Windows-1252 ou MacRoman ; séparateur , ou ;)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_IMPORT_FILE_SIZE:
            raise forms.ValidationError(
                _("Le fichier dépasse %(size)s Mo.")
                % {"size": settings.MAX_IMPORT_FILE_SIZE // (1024 * 1024)}
            )
        return upload


class InvitationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("Adresse e-mail"))
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[c for c in Membership.Role.choices if c[0] != Membership.Role.PUPIL],
        initial=Membership.Role.TEACHER,
    )

    def __init__(self, *args, establishment: Establishment, **kwargs):
        super().__init__(*args, **kwargs)
        self.establishment = establishment

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(
            establishment=self.establishment, user__email__iexact=email
        ).exists():
            raise forms.ValidationError(_("Cette personne est déjà membre de l’établissement."))
        return email


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label=_("Mot de passe"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password

        data = super().clean()
        User = get_user_model()
        if User.objects.filter(
            Q(username__iexact=self.email) | Q(email__iexact=self.email)
        ).exists():
            # Staff of a cité scolaire join with the account they have.
            raise forms.ValidationError(
                _("Un compte existe déjà pour %(email)s : connectez-vous, puis rouvrez le lien "
                  "de l’invitation.") % {"email": self.email}
            )
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif data.get("password1"):
            try:
                validate_password(data["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class MemberForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[c for c in Membership.Role.choices if c[0] != Membership.Role.PUPIL],
    )
    taught_classes = forms.ModelMultipleChoiceField(
        label=_("Classes enseignées cette année"),
        queryset=SchoolClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, establishment: Establishment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taught_classes"].queryset = SchoolClass.objects.filter(
            establishment=establishment, school_year=establishment.current_year
        )


class PupilAccountsForm(forms.Form):
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"),
        queryset=SchoolClass.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Un compte est créé pour chaque élève de ces classes qui n’en a pas encore."),
    )
    reissue = forms.BooleanField(
        label=_("Réimprimer aussi les cartes perdues"),
        required=False,
        help_text=_(
            "Les mots de passe provisoires ne sont conservés nulle part : réimprimer une carte "
            "donne un nouveau mot de passe provisoire aux élèves de ces classes qui n’ont pas "
            "encore choisi le leur, et l’ancien ne fonctionne plus."
        ),
    )

    def __init__(self, *args, establishment: Establishment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = SchoolClass.objects.filter(
            establishment=establishment, school_year=establishment.current_year
        )


class EstablishmentForm(forms.ModelForm):
    current_year = forms.ModelChoiceField(
        label=_("Année scolaire en cours"), queryset=SchoolYear.objects.all()
    )

    class Meta:
        model = Establishment
        fields = ["name", "kind", "city", "current_year", "privacy_contact"]


class PupilFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False)
    school_class = forms.ModelChoiceField(
        label=_("Classe"), queryset=SchoolClass.objects.none(), required=False,
        empty_label=_("Toutes les classes"),
    )
    left = forms.BooleanField(label=_("Afficher les élèves partis"), required=False)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
