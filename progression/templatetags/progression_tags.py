"""A pupil's progression, shown on pages the establishments app renders: the timeline on the
pupil's page (staff, and the pupil themselves) and the pupil's space on their home. Access is
the calling view's: it has already fetched `pupil`."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.charts import DOMAIN_COLOURS, level_colour
from establishments.models import Enrolment, Pupil
from pix.grades import grade_label as pix_grade_label
from pix.referential import COMPETENCES, DOMAINS
from pix.rules import CERTIFIABLE_MIN_COMPETENCES, certifiable_competences

from .. import selectors
from ..levels import Source
from ..rules import RuleKind


def grade_label(code: str) -> str:
    """The grade's name in the active language (marked in pix/grades.py)."""
    return gettext(pix_grade_label(code))


register = template.Library()


def _targets(objective) -> dict[str, int]:
    """Competences the objective names one by one (all 16, or chosen ones), with the level
    each must reach; counted rules (5 of 16, one per domain) name none."""
    targets: dict[str, int] = {}
    if objective is None:
        return targets
    for spec in objective.specs():
        if spec.kind is RuleKind.ALL:
            codes = [c.code for c in COMPETENCES]
        elif spec.kind is RuleKind.NAMED:
            codes = list(spec.competences)
        else:
            continue
        for code in codes:
            targets[code] = max(targets.get(code, 0), spec.level)
    return targets


def _level_rows(current, targets, max_level, worked=None):
    rows = []
    for domain in DOMAINS:
        competences = []
        for competence in (c for c in COMPETENCES if c.domain == domain):
            known = current.get(competence.code)
            level = known.level if known else None
            target = targets.get(competence.code)
            competences.append({
                "competence": competence, "known": known, "level": level,
                "target": target,
                "reached": target is not None and level is not None and level >= target,
                "percent": round(100 * min(level or 0, max_level) / max_level) if max_level
                else 0,
                "target_percent": round(100 * min(target, max_level) / max_level)
                if target is not None and max_level else None,
                "colour": level_colour(level, max_level) if level is not None else None,
                "certified": known is not None and known.source == Source.CERTIFICATION,
                "worked": (worked or {}).get(competence.code, []),
                # one box per level: reached, still to reach for the objective, or beyond
                "segments": [
                    "filled" if level is not None and level >= step
                    else "todo" if target is not None and step <= target else ""
                    for step in range(1, max_level + 1)
                ],
            })
        rows.append({"domain": domain, "colour": DOMAIN_COLOURS.get(domain.code, "#3d2c8d"),
                     "competences": competences})
    return rows


def _current_year_id(context, pupil: Pupil) -> int:
    membership = context.get("membership")
    if membership is not None and membership.establishment_id == pupil.establishment_id:
        return membership.establishment.current_year_id  # no query: the request has it
    return pupil.establishment.current_year_id


@register.inclusion_tag("progression/_pupil_timeline_content.html", takes_context=True)
def pupil_timeline(context, pupil: Pupil) -> dict:
    """For the pupil's page: this year's objective and what is missing, current levels with
    their date and source, and every school year with its class, compliance, results and
    certifications, as the last rebuild stored them. Three queries."""
    max_level = settings.PIX_MAX_LEVEL
    years = selectors.pupil_years(pupil)
    year_id = _current_year_id(context, pupil)
    this_year = next((y for y in years if y.year.pk == year_id), None)
    row = this_year.compliance if this_year else None
    state = selectors.stored_objective(row) if row else None
    membership = context.get("membership")
    worked = selectors.worked_competences(years)
    return {
        "pupil": pupil, "row": row, "state": state, "timeline": years, "worked": worked,
        "domains": _level_rows(state.levels if state else {}, {}, max_level, worked),
        "max_level": max_level,
        "grade_label": grade_label(row.grade) if row else "",
        "link_campaigns": bool(membership and membership.sees_whole_establishment),
    }


@register.inclusion_tag("progression/_pupil_space_content.html", takes_context=True)
def pupil_space(context, pupil: Pupil | None, enrolment: Enrolment | None = None) -> dict:
    """For the pupil themselves: their objective and what remains, their levels, their next
    campaigns and sessions, whether they can be certified, and their years so far."""
    if pupil is None:
        return {"pupil": None}
    max_level = settings.PIX_MAX_LEVEL
    if not enrolment:  # "" when the including template has no `enrolment`
        enrolment = (
            Enrolment.objects.filter(pupil=pupil,
                                     school_year_id=_current_year_id(context, pupil))
            .select_related("school_class").first()
        )
    years = selectors.pupil_years(pupil)
    row = next((y.compliance for y in years
                if enrolment and y.year.pk == enrolment.school_year_id), None)
    if row is not None:
        state = selectors.stored_objective(row)
        if row.objective is not None:
            prefetch_related_objects([row.objective], "rules")
    else:  # never computed for this year yet: evaluated here
        state = selectors.pupil_objective(pupil, enrolment)
    targets = _targets(state.objective)
    at_level_one = certifiable_competences(state.plain)
    return {
        "pupil": pupil, "enrolment": enrolment, "state": state, "has_targets": bool(targets),
        "domains": _level_rows(state.levels, targets, max_level),
        "max_level": max_level,
        "certifiable": at_level_one >= CERTIFIABLE_MIN_COMPETENCES,
        "certifiable_missing": max(CERTIFIABLE_MIN_COMPETENCES - at_level_one, 0),
        "campaigns": selectors.pupil_next_campaigns(pupil, enrolment),
        "sessions": selectors.pupil_next_sessions(pupil),
        "timeline": years, "today": timezone.localdate(),
        "grade_label": grade_label(enrolment.school_class.grade) if enrolment else "",
    }
