"""A pupil's certification result, shown on the pupil's home (a page of the establishments
app). Access is the calling view's: it has already fetched the pupil of the logged-in user."""

from __future__ import annotations

from django import template

from campaigns.charts import level_colour
from establishments.models import Pupil
from pix.referential import COMPETENCES

from .. import results_selectors as selectors

register = template.Library()


@register.inclusion_tag("certification/results_pupil_home.html")
def pupil_certification_result(pupil: Pupil | None) -> dict:
    result = selectors.pupil_certification(pupil)
    if result is None:
        return {"result": None}
    levels = result.competence_levels or {}
    top = max([6] + [level for level in levels.values() if level is not None])
    return {
        "result": result,
        "global_level": selectors.result_global_level(result),
        "competences": [
            {"competence": c, "level": levels.get(c.code),
             "colour": level_colour(levels.get(c.code), top)}
            for c in COMPETENCES
        ],
        "certified": sum(1 for level in levels.values() if level),
    }


@register.inclusion_tag("certification/analysis_home_section.html")
def certification_overview(establishment) -> dict:
    """For the direction's home: the latest year's certification at a glance, and links (one
    query: the home page keeps a small budget)."""
    return {"row": selectors.latest_analysis_row(establishment)}
