"""The RUPN's checklist of the school year: each step ticked from what the data shows where it
can be, by hand (`ChecklistTick`) where only a person knows (teachers informed, analysis
presented). A fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from certification.models import CertificationResult, Session
from establishments.models import Enrolment, Establishment, Invitation, Membership, SchoolYear

from .models import ChecklistTick, Objective


class Step(StrEnum):
    TEACHERS_INFORMED = "teachers_informed"
    PUPILS_IMPORTED = "pupils_imported"
    TEACHERS_INVITED = "teachers_invited"
    OBJECTIVES_SET = "objectives_set"
    RENTREE_CAMPAIGNS = "rentree_campaigns"
    PROFILES_COLLECTED = "profiles_collected"
    SESSIONS_PLANNED = "sessions_planned"
    RESULTS_IMPORTED = "results_imported"
    ANALYSIS_PRESENTED = "analysis_presented"


MANUAL_STEPS = frozenset({Step.TEACHERS_INFORMED, Step.ANALYSIS_PRESENTED})

# (step, label, when in the year, what it means, pages where it is done, first that exists)
_STEPS = (
    (Step.TEACHERS_INFORMED, _("Présenter Pix aux enseignants"), _("Rentrée"),
     _("Enjeux, organisation de l’année, qui fait quoi, ce que voient enseignants et élèves ; "
       "chacun crée son compte Pix. À cocher une fois fait."), ()),
    (Step.PUPILS_IMPORTED, _("Importer la base élèves"), _("Rentrée"),
     _("Export SIECLE de l’année : les élèves gardent leur historique grâce à l’INE."),
     ("pupils:import",)),
    (Step.TEACHERS_INVITED, _("Inviter les enseignants"), _("Rentrée"),
     _("Chaque enseignant suit les classes qu’il a."), ("team:invite", "team:list")),
    (Step.OBJECTIVES_SET, _("Fixer les objectifs de progression par niveau"), _("Septembre"),
     _("La progression commune : ce que chaque niveau doit atteindre cette année."),
     ("progression:objectives",)),
    (Step.RENTREE_CAMPAIGNS, _("Créer les campagnes de rentrée"), _("Septembre"),
     _("Une campagne « parcours de rentrée » de l’année existe."), ("campaigns:create",)),
    (Step.PROFILES_COLLECTED, _("Faire la collecte de profils"), _("Avant la certification"),
     _("Les résultats d’une collecte de profils de l’année sont importés."),
     ("campaigns:import",)),
    (Step.SESSIONS_PLANNED, _("Planifier les sessions de certification"), _("Hiver"),
     _("Au moins une session de certification est prévue cette année."),
     ("certification:plan",)),
    (Step.RESULTS_IMPORTED, _("Importer les résultats de certification"), _("Printemps"),
     _("Les résultats de Pix Certif de l’année sont importés."),
     ("certification:results_import",)),
    (Step.ANALYSIS_PRESENTED, _("Présenter l’analyse à la direction et au conseil pédagogique"),
     _("Juin"),
     _("Le tableau d’analyse nourrit la stratégie de l’an prochain. À cocher une fois fait."),
     ("certification:analysis",)),
)


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    label: str
    when: str
    help: str
    done: bool
    manual: bool
    url: str | None = None
    ticked_by: str = ""
    ticked_at: datetime | None = None


def _first_url(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _automatic(establishment: Establishment, year: SchoolYear) -> dict[Step, bool]:
    campaigns = Campaign.objects.filter(establishment=establishment, school_year=year)
    return {
        Step.PUPILS_IMPORTED: Enrolment.objects.filter(
            school_class__establishment=establishment, school_year=year
        ).exists(),
        Step.TEACHERS_INVITED: (
            Membership.objects.filter(establishment=establishment,
                                      role=Membership.Role.TEACHER).exists()
            or Invitation.objects.filter(establishment=establishment,
                                         role=Membership.Role.TEACHER).exists()
        ),
        Step.OBJECTIVES_SET: Objective.objects.filter(
            establishment=establishment, school_year=year
        ).exists(),
        Step.RENTREE_CAMPAIGNS: campaigns.filter(purpose=Campaign.Purpose.RENTREE).exists(),
        Step.PROFILES_COLLECTED: campaigns.filter(
            kind=Campaign.Kind.PROFILES_COLLECTION, results_imported_at__isnull=False
        ).exists(),
        Step.SESSIONS_PLANNED: Session.objects.filter(
            plan__establishment=establishment, plan__school_year=year
        ).exists(),
        Step.RESULTS_IMPORTED: CertificationResult.objects.filter(
            establishment=establishment, school_year=year
        ).exists(),
    }


def year_checklist(establishment: Establishment, year: SchoolYear) -> list[ChecklistStep]:
    """The year's steps in the order of the year, each done or not."""
    ticks = {
        tick.step: tick
        for tick in ChecklistTick.objects.filter(
            establishment=establishment, school_year=year
        ).select_related("ticked_by")
    }
    automatic = _automatic(establishment, year)
    steps = []
    for key, label, when, help_text, url_names in _STEPS:
        tick = ticks.get(key.value)
        manual = key in MANUAL_STEPS
        steps.append(ChecklistStep(
            key=key.value, label=str(label), when=str(when), help=str(help_text),
            done=tick is not None if manual else automatic[key], manual=manual,
            url=_first_url(url_names),
            ticked_by=str(tick.ticked_by or "") if tick and tick.ticked_by else "",
            ticked_at=tick.ticked_at if tick else None,
        ))
    return steps
