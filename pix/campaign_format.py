"""What a Pix Orga campaign export holds, and the labels Pix gives its columns.

Shared by the reader (`pix.campaigns`) and the writer (`pix.campaign_writer`). Labels come
from Pix's own source (`api/translations/fr.json`, keys `campaign-export.*`), current first
and older variants after, so that old files still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache

from .files import RowError
from .referential import COMPETENCE_BY_CODE, COMPETENCES, DOMAINS
from .rules import FRAMEWORK_MAX_LEVEL, PIX_PER_LEVEL


class CampaignKind(StrEnum):
    """Pix's three campaign types.

    An exam campaign exports exactly like an assessment campaign, without "% de progression":
    it gives mastery, not levels, like an assessment. `gives_mastery` says which is which.
    """

    PROFILES_COLLECTION = "profiles_collection"
    ASSESSMENT = "assessment"
    EXAM = "exam"

    @property
    def gives_mastery(self) -> bool:
        return self is not CampaignKind.PROFILES_COLLECTION


# --- Pix's labels (api/translations/fr.json, "campaign-export") -----------------------------

ORGANISATION = "Nom de l'organisation"
CAMPAIGN_ID = "ID Campagne"
CODE = "Code"
CAMPAIGN_NAME = "Nom de la campagne"
PARCOURS = "Parcours"
PARCOURS_OLD = "Nom du Profil Cible"
LAST_NAME = "Nom du Participant"
FIRST_NAME = "Prénom du Participant"
DIVISION = "Classe"
GROUP = "Groupe"  # higher education only: known, so never taken for the external id
STUDENT_NUMBER = "Numéro Étudiant"
# profiles collection
SENT = "Envoi (O/N)"
SENT_AT = "Date et heure de l'envoi (Europe/Paris)"
SENT_AT_OLD = "Date de l'envoi"
PIX_TOTAL = "Nombre de pix total"
CERTIFIABLE = "Certifiable (O/N)"
CERTIFIABLE_COUNT = "Nombre de compétences certifiables"
LEVEL_OF = "Niveau pour la compétence "
PIX_OF = "Nombre de pix pour la compétence "
# assessment and exam
PROGRESSION = "% de progression"
STARTED_AT = "Date et heure de début (Europe/Paris)"
STARTED_AT_OLD = "Date de début"
SHARED = "Partage (O/N)"
SHARED_AT = "Date et heure du partage (Europe/Paris)"
SHARED_AT_OLD = "Date du partage"
STAGE = "Palier obtenu (/%s)"
BADGE = "%s obtenu (O/N)"
MASTERY = "% maitrise de l'ensemble des acquis du profil"  # sic: "maitrise", no circumflex
COMPETENCE_RATE = "% de maitrise des acquis de la compétence "
COMPETENCE_TOTAL = "Nombre d'acquis du profil cible dans la compétence "
COMPETENCE_MASTERED = "Acquis maitrisés dans la compétence "
DOMAIN_RATE = "% de maitrise des acquis du domaine "
DOMAIN_TOTAL = "Nombre d'acquis du profil cible du domaine "
DOMAIN_MASTERED = "Acquis maitrisés du domaine "
SKILL_STATUSES = ("OK", "KO", "Non testé")

MAX_COMPETENCE_PIX = FRAMEWORK_MAX_LEVEL * PIX_PER_LEVEL  # 64
MAX_PIX_TOTAL = MAX_COMPETENCE_PIX * len(COMPETENCES)  # 1024


# --- what an export holds -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompetenceLevel:
    """A competence in a profiles collection; both None when the row is not shared."""

    level: int | None
    pix: int | None


@dataclass(frozen=True, slots=True)
class Mastery:
    """Mastery of a competence or a domain in an assessment; all None when not shared."""

    rate: Decimal | None  # fraction 0–1, as Pix rounds it (2 places)
    skills_total: int | None  # "Nombre d'acquis du profil cible ..."
    skills_mastered: int | None  # "Acquis maitrisés ..."


NOT_SHARED_LEVEL = CompetenceLevel(None, None)
NOT_SHARED_MASTERY = Mastery(None, None, None)


@dataclass(frozen=True, slots=True)
class ParticipationRow:
    """One row of an export: one sending of one participant.

    Unshared rows carry no result: every level and mastery is None, badges and skills are
    empty. Fields of the other kind of campaign are None or empty.
    """

    line: int  # line of the file (header = 1); writers ignore it
    last_name: str
    first_name: str
    division: str = ""  # "Classe"; "" when absent
    external_id: str = ""  # value of the free-label external id column; "" when none
    shared: bool = False
    shared_at: datetime | None = None  # aware, Europe/Paris
    started_at: datetime | None = None  # assessment and exam only
    progression: Decimal | None = None  # assessment only, fraction 0–1; None for exams
    pix_total: int | None = None  # profiles collection
    certifiable: bool | None = None
    certifiable_competences: int | None = None
    levels: Mapping[str, CompetenceLevel] = field(default_factory=dict)  # "1.1" → level, pix
    mastery: Decimal | None = None  # "% maitrise de l'ensemble des acquis du profil"
    competence_mastery: Mapping[str, Mastery] = field(default_factory=dict)  # parcours' only
    domain_mastery: Mapping[str, Mastery] = field(default_factory=dict)  # "1" … "5"
    stage: int | None = None  # "Palier obtenu (/N)"
    stage_count: int | None = None  # N
    badges: Mapping[str, bool] = field(default_factory=dict)  # "<badge> obtenu (O/N)"
    skills: Mapping[str, str] = field(default_factory=dict)  # "@web3" → OK / KO / Non testé


@dataclass
class CampaignExport:
    """A whole export: the campaign, its rows (valid ones only) and every error found.

    `kind` is None when the file is not a campaign export at all. `older_format` records
    that older labels were used ("Date de l'envoi", "Nom du Profil Cible"…), so that
    writing the export back gives the same file.
    """

    kind: CampaignKind | None
    organisation: str = ""
    campaign_id: int | None = None  # "ID Campagne"
    code: str = ""  # "Code"
    name: str = ""  # "Nom de la campagne"
    parcours: str = ""  # "Parcours" / "Nom du Profil Cible"; "" for profiles collections
    external_id_label: str | None = None
    competence_codes: tuple[str, ...] = ()  # competences present, in CRCN order
    badge_names: tuple[str, ...] = ()
    stage_count: int | None = None
    skill_names: tuple[str, ...] = ()
    older_format: bool = False
    has_code: bool = True  # exports of 2020-2021 have no "Code" column
    rows: list[ParticipationRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@lru_cache(maxsize=4096)  # few distinct pairs, asked for again and again by fake data
def mastery_rate(mastered: int, total: int) -> Decimal:
    """`mastered / total` as Pix writes it: rounded half up to 2 places, no trailing zero.

    Pix computes `_.round(x, 2)` on a JavaScript number, so 1 is written `1` and 0.5 `0,5`.
    """
    if total <= 0:
        return Decimal(0)
    rate = (Decimal(mastered) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return rate.normalize()


def domain_mastery_from(competence_mastery: Mapping[str, Mastery]) -> dict[str, Mastery]:
    """Domain columns from competence columns: Pix sums skills over the domain's competences."""
    totals: dict[str, list[int]] = {}
    for code, mastery in competence_mastery.items():
        domain = COMPETENCE_BY_CODE[code].domain.code
        if mastery.skills_total is None or mastery.skills_mastered is None:
            continue
        sums = totals.setdefault(domain, [0, 0])
        sums[0] += mastery.skills_total
        sums[1] += mastery.skills_mastered
    return {
        d.code: Mastery(mastery_rate(totals[d.code][1], totals[d.code][0]), *totals[d.code])
        for d in DOMAINS
        if d.code in totals
    }
