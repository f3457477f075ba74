"""The team: members and their roles, invitations, pupil accounts and login cards."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from audit.services import audit_download

from . import services
from .access import (
    get_invitation_for_user,
    get_member_for_user,
    get_pupil_for_user,
    rupn_required,
    staff_required,
)
from .forms import InvitationAcceptForm, InvitationForm, MemberForm, PupilAccountsForm
from .models import Invitation, Membership


@staff_required
def team(request) -> HttpResponse:
    establishment = request.membership.establishment
    members = (
        Membership.objects.filter(establishment=establishment)
        .staff()
        .select_related("user")
        .prefetch_related("taught_classes")
    )
    invitations = Invitation.objects.filter(
        establishment=establishment, accepted_at__isnull=True
    )
    form = InvitationForm(establishment=establishment)
    return render(
        request,
        "establishments/team.html",
        {"members": members, "invitations": invitations, "form": form, "now": timezone.now()},
    )


@rupn_required
def invite(request) -> HttpResponse:
    establishment = request.membership.establishment
    form = InvitationForm(request.POST or None, establishment=establishment)
    if request.method == "POST" and form.is_valid():
        services.invitation_create(
            establishment=establishment,
            by=request.user,
            base_url=request.build_absolute_uri("/"),
            **form.cleaned_data,
        )
        messages.success(
            request, _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]}
        )
        return redirect("team:list")
    return render(request, "establishments/invite.html", {"form": form})


@require_POST
@rupn_required
def invitation_cancel(request, invitation_id: int) -> HttpResponse:
    invitation = get_invitation_for_user(request, invitation_id)
    invitation.delete()
    messages.success(request, _("Invitation annulée."))
    return redirect("team:list")


def invitation_accept(request, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("establishment"), token=token)
    if not invitation.is_pending:
        return render(request, "establishments/invitation_invalid.html", status=410)
    if request.user.is_authenticated:
        # An invitation is for the person it was sent to: a forwarded link must not make a
        # pupil a teacher, nor change the role of someone who is already a member.
        if request.user.email.strip().lower() != invitation.email:
            return render(
                request, "establishments/invitation_other_user.html",
                {"invitation": invitation}, status=403,
            )
        if Membership.objects.filter(
            user=request.user, establishment=invitation.establishment
        ).exists():
            messages.info(request, _("Vous êtes déjà membre de %(name)s.")
                          % {"name": invitation.establishment.name})
            return redirect("home")
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except (services.InvitationAlreadyAccepted, Invitation.DoesNotExist):
                # Accepted by a first click an instant earlier: the same outcome.
                messages.info(request, _("Vous êtes déjà membre de %(name)s.")
                              % {"name": invitation.establishment.name})
                return redirect("home")
            messages.success(request, _("Vous avez rejoint %(name)s.")
                             % {"name": invitation.establishment.name})
            return redirect("home")
        return render(request, "establishments/invitation_join.html", {"invitation": invitation})
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password1"]
        try:
            user = services.invitation_accept(invitation=invitation, password=password)
        except Invitation.DoesNotExist:
            return render(request, "establishments/invitation_invalid.html", status=410)
        except services.InvitationAlreadyAccepted:
            # Another request (a double click) created the account an instant earlier: with
            # the same password this is the same person, who gets the same outcome.
            user = get_user_model().objects.filter(username=invitation.email).first()
            if user is None or not user.check_password(password):
                messages.info(request, _("Cette invitation vient d’être acceptée : connectez-vous "
                                         "avec votre adresse e-mail et votre mot de passe."))
                return redirect("account_login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Bienvenue sur pixorga !"))
        return redirect("home")
    return render(
        request, "establishments/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@rupn_required
def member_edit(request, membership_id: int) -> HttpResponse:
    member = get_member_for_user(request, membership_id, manage=True)
    if member.role == Membership.Role.PUPIL:
        return redirect("pupils:detail", member.user.pupil.pk)
    establishment = request.membership.establishment
    form = MemberForm(
        request.POST or None,
        establishment=establishment,
        initial={"role": member.role, "taught_classes": member.taught_classes.all()},
    )
    if request.method == "POST" and form.is_valid():
        if member == request.membership and form.cleaned_data["role"] != member.role:
            messages.error(request, _("Vous ne pouvez pas changer votre propre rôle."))
        else:
            services.member_update(member=member, by=request.user, **form.cleaned_data)
            messages.success(request, _("Membre mis à jour."))
            return redirect("team:list")
    return render(request, "establishments/member_edit.html", {"member": member, "form": form})


@require_POST
@rupn_required
def member_remove(request, membership_id: int) -> HttpResponse:
    member = get_member_for_user(request, membership_id, manage=True)
    if member == request.membership:
        messages.error(request, _("Vous ne pouvez pas vous retirer vous-même."))
    else:
        services.member_remove(member=member, by=request.user)
        messages.success(request, _("%(name)s a été retiré de l’établissement.")
                         % {"name": member.user})
    return redirect("team:list")


@rupn_required
@sensitive_variables("cards", "reissued")
def pupil_accounts(request) -> HttpResponse:
    establishment = request.membership.establishment
    form = PupilAccountsForm(request.POST or None, establishment=establishment)
    if request.method == "POST" and form.is_valid():
        classes = list(form.cleaned_data["classes"])
        cards = services.pupil_accounts_generate(establishment=establishment, classes=classes,
                                                 by=request.user)
        reissued = []
        if form.cleaned_data["reissue"]:
            reissued = services.pupil_cards_reissue(establishment=establishment, classes=classes,
                                                   by=request.user)
        if not cards and not reissued:
            messages.info(request, _("Tous les élèves de ces classes ont déjà un compte."))
            return redirect("team:pupil_accounts")
        if cards:
            messages.success(request, _("%(n)s comptes élèves créés.") % {"n": len(cards)})
        if reissued:
            messages.success(request, _("%(n)s cartes réimprimées avec un nouveau mot de passe "
                                        "provisoire.") % {"n": len(reissued)})
        return _login_cards(request, sorted([*cards, *reissued],
                                            key=lambda c: (c.class_code, c.name)))
    from .selectors import classes_with_counts

    classes = classes_with_counts(form.fields["classes"].queryset)
    return render(
        request, "establishments/pupil_accounts.html", {"form": form, "classes": classes}
    )


@require_POST
@rupn_required
@sensitive_variables("card")
def pupil_password_reset(request, pupil_id: int) -> HttpResponse:
    pupil = get_pupil_for_user(request, pupil_id)
    if pupil.user is None:
        messages.error(request, _("Cet élève n’a pas encore de compte."))
        return redirect("pupils:detail", pupil.pk)
    card = services.pupil_password_reset(pupil=pupil, by=request.user)
    messages.success(request, _("Nouveau mot de passe provisoire créé pour %(name)s.")
                     % {"name": pupil})
    return _login_cards(request, [card])


@sensitive_variables()
def _login_cards(request, cards: list[services.LoginCard]) -> HttpResponse:
    """The printable cards, as the answer of the POST that made their passwords.

    One-time passwords exist only in this response: not in the session, the cache, a URL or a
    log, so that nothing outlives the printing. A reload or the back button cannot show them
    again (the browser may not keep the page, and resending the form makes new passwords).
    """
    classes: dict[str, list[services.LoginCard]] = {}
    for card in cards:
        classes.setdefault(card.class_code, []).append(card)
    audit_download(
        establishment=request.membership.establishment, by=request.user,
        document="login_cards",
        summary=gettext_noop("Cartes de connexion des élèves (cartes : %(n)s ; classes : "
                             "%(classes)s)"),
        params={"n": len(cards), "classes": ", ".join(sorted(classes)) or "—"},
        filename="", details={"pupil_ids": [card.pupil_id for card in cards]},
    )
    response = render(
        request,
        "establishments/login_cards.html",
        {"classes": classes, "login_url": request.build_absolute_uri("/")},
    )
    add_never_cache_headers(response)
    return response
