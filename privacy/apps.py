from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Pupils' personal data as the RGPD asks: the privacy page, one pupil's export and
    erasure, the anonymisation of pupils gone long ago. No model of its own: it works on the
    other apps' rows, so it sits at the top of the import direction, beside `reports`."""

    name = "privacy"
    verbose_name = _("Données personnelles")
