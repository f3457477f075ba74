from django.contrib.auth.forms import SetPasswordForm


class FirstPasswordForm(SetPasswordForm):
    """The pupil replaces the one-time password of their login card."""
