from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """Sends a user with a one-time password to the password change page until they pick one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("accounts:first_password"), reverse("account_logout"),
                       reverse("privacy:notice")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("accounts:first_password")
        return self.get_response(request)
