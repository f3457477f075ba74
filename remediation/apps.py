from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediationConfig(AppConfig):
    name = "remediation"
    verbose_name = _("Remédiation et ateliers")

    def ready(self) -> None:
        from progression.plan import register_plan_provider

        from .agenda import plan_events

        register_plan_provider(plan_events)
