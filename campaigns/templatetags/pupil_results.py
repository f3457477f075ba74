"""A pupil's Pix results, shown on pages the establishments app renders (the pupil's page and
the pupil's home): their latest level by competence, whether they are certifiable, and every
campaign they took part in. Access is the calling view's: it has already fetched `pupil`."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import pgettext

from establishments.models import Pupil
from pix.referential import COMPETENCES
from pix.rules import CERTIFIABLE_MIN_COMPETENCES, certifiable_competences

from .. import charts, selectors

register = template.Library()


def _results(pupil: Pupil, *, phone: bool) -> dict:
    max_level = settings.PIX_MAX_LEVEL
    latest = selectors.pupil_latest_levels(pupil)
    history = list(reversed(selectors.pupil_campaign_history(pupil)))  # newest first
    levels = {code: value.level for code, value in latest.items()}
    at_level_one = certifiable_competences(levels)
    rows = []
    for competence in COMPETENCES:
        known = latest.get(competence.code)
        rows.append({
            "competence": competence, "latest": known,
            "colour": charts.level_colour(known.level, max_level) if known else None,
        })
    chart = None
    if latest:
        chart = charts.pupil_levels_chart(
            levels, max_level=max_level, phone=phone, level_label=pgettext("Pix level", "Niveau")
        )
    return {
        "pupil": pupil, "latest": latest, "rows": rows, "history": history, "chart": chart,
        "max_level": max_level, "at_level_one": at_level_one,
        "certifiable": at_level_one >= CERTIFIABLE_MIN_COMPETENCES,
        "missing": max(CERTIFIABLE_MIN_COMPETENCES - at_level_one, 0),
        "legend": charts.level_legend(max_level),
    }


@register.inclusion_tag("campaigns/_pupil_results.html", takes_context=True)
def pupil_results(context, pupil: Pupil) -> dict:
    """For the pupil's page: campaigns link to their page for those who see every campaign."""
    membership = context.get("membership")
    return {
        **_results(pupil, phone=False),
        "link_campaigns": bool(membership and membership.sees_whole_establishment),
    }


@register.inclusion_tag("campaigns/_pupil_home_results.html")
def pupil_home_results(pupil: Pupil | None) -> dict:
    """For the pupil themselves: words a 12-year-old understands, a chart fit for a phone."""
    if pupil is None:
        return {"pupil": None, "latest": {}, "history": []}
    return _results(pupil, phone=True)
