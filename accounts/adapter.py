from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.http import HttpRequest

from . import throttle
from .client_ip import client_ip
from .mail import email_send_on_commit


class Site:
    """What mails call the site: its name, never the host name a request happened to use."""

    def __init__(self, request: HttpRequest | None) -> None:
        self.name = settings.SITE_NAME
        self.domain = request.get_host() if request is not None else ""

    def __str__(self) -> str:
        return self.name


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: staff are invited by a RUPN, pupils get generated accounts.

    Every password check (the site's login, the admin's, which redirects to it, and
    reauthentication) passes through `authenticate` here, hence through `accounts.throttle`.
    """

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Replaces allauth's `login_failed` rate limit, whose per-key limit refuses the
        # owner's correct password for the whole window and whose per-address limit, set low
        # enough to matter, locks out every pupil behind a school's NAT.
        try:
            throttle.login_attempt_start(request, login=_login(credentials))
        except throttle.LoginThrottled as refusal:
            raise forms.ValidationError(refusal.message, code="too_many_login_attempts") from None

    def authenticate(self, request: HttpRequest, **credentials: Any):
        user = super().authenticate(request, **credentials)
        if user is not None:
            throttle.login_success_record(request, login=_login(credentials))
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        throttle.login_failure_record(request, login=_login(credentials))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Rendered now (the request's language and host), sent by a worker after commit: a
        # password reset answers as fast for a known address as for an unknown one.
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": Site(request)}
        ctx.update(context)
        email_send_on_commit(self.render_mail(template_prefix, email, ctx))


def _login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")
