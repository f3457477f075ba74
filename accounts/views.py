from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import FirstPasswordForm


@login_required
def first_password(request) -> HttpResponse:
    if not request.user.must_change_password:
        return redirect("home")
    form = FirstPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Votre mot de passe est enregistré."))
        return redirect("home")
    return render(request, "accounts/first_password.html", {"form": form})
