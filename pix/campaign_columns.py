"""Finding the columns of a campaign export by their labels, never by their position.

Labels are compared folded (case, accents, apostrophes), current and older spellings alike;
per-competence and per-domain columns by the competence's or domain's name. What is missing
is reported once per column, naming it, before any row is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .campaign_format import (
    CAMPAIGN_ID,
    CAMPAIGN_NAME,
    CERTIFIABLE,
    CERTIFIABLE_COUNT,
    CODE,
    COMPETENCE_MASTERED,
    COMPETENCE_RATE,
    COMPETENCE_TOTAL,
    DIVISION,
    DOMAIN_MASTERED,
    DOMAIN_RATE,
    DOMAIN_TOTAL,
    FIRST_NAME,
    GROUP,
    LAST_NAME,
    LEVEL_OF,
    MASTERY,
    ORGANISATION,
    PARCOURS,
    PARCOURS_OLD,
    PIX_OF,
    PIX_TOTAL,
    PROGRESSION,
    SENT,
    SENT_AT,
    SENT_AT_OLD,
    SHARED,
    SHARED_AT,
    SHARED_AT_OLD,
    STARTED_AT,
    STARTED_AT_OLD,
    STUDENT_NUMBER,
    CampaignKind,
    Mastery,
)
from .files import RowError, Table, header_label, unquote_formula
from .i18n import _
from .referential import (
    COMPETENCE_BY_CODE,
    COMPETENCES,
    DOMAIN_BY_CODE,
    competence_by_name,
    domain_by_name,
    fold,
)

# field → labels it may have, current first (the one named in errors)
_FIELDS: dict[str, tuple[str, ...]] = {
    "organisation": (ORGANISATION,),
    "campaign_id": (CAMPAIGN_ID,),
    "code": (CODE,),
    "name": (CAMPAIGN_NAME,),
    "parcours": (PARCOURS, PARCOURS_OLD),
    "last_name": (LAST_NAME,),
    "first_name": (FIRST_NAME,),
    "division": (DIVISION,),
    "group": (GROUP,),
    "student_number": (STUDENT_NUMBER,),
    "sent": (SENT,),
    "sent_at": (SENT_AT, SENT_AT_OLD),
    "pix_total": (PIX_TOTAL,),
    "certifiable": (CERTIFIABLE,),
    "certifiable_count": (CERTIFIABLE_COUNT,),
    "progression": (PROGRESSION,),
    "started_at": (STARTED_AT, STARTED_AT_OLD),
    "shared": (SHARED,),
    "shared_at": (SHARED_AT, SHARED_AT_OLD),
    "mastery": (MASTERY,),
}
_FIELD_BY_LABEL = {fold(label): name for name, labels in _FIELDS.items() for label in labels}
_OLDER_LABELS = {fold(label) for label in (PARCOURS_OLD, SENT_AT_OLD, STARTED_AT_OLD,
                                           SHARED_AT_OLD)}
_COMMON_REQUIRED = ("organisation", "campaign_id", "name", "last_name", "first_name")
_REQUIRED = {
    CampaignKind.PROFILES_COLLECTION: (*_COMMON_REQUIRED, "sent", "sent_at", "pix_total",
                                       "certifiable", "certifiable_count"),
    CampaignKind.ASSESSMENT: (*_COMMON_REQUIRED, "parcours", "started_at", "shared",
                              "shared_at", "mastery"),
}
_REQUIRED[CampaignKind.EXAM] = _REQUIRED[CampaignKind.ASSESSMENT]
# columns after which results start: the external id column is the unknown one just before
_FIRST_RESULT_FIELDS = ("sent", "progression", "started_at")
# Pix writes these before the external id, the others after it: when the external id's
# free label repeats one of them, Pix's column is the first of the two for these, the
# last for the others.
_BEFORE_EXTERNAL_ID = frozenset(("organisation", "campaign_id", "code", "name", "parcours",
                                 "last_name", "first_name", "division", "group",
                                 "student_number"))

# per-competence and per-domain labels: folded prefix → (part, current label)
_LEVEL_PARTS = {fold(LEVEL_OF) + " ": ("level", LEVEL_OF), fold(PIX_OF) + " ": ("pix", PIX_OF)}
_COMPETENCE_PARTS = {
    fold(COMPETENCE_RATE) + " ": ("rate", COMPETENCE_RATE),
    fold(COMPETENCE_TOTAL) + " ": ("total", COMPETENCE_TOTAL),
    fold(COMPETENCE_MASTERED) + " ": ("mastered", COMPETENCE_MASTERED),
}
_DOMAIN_PARTS = {
    fold(DOMAIN_RATE) + " ": ("rate", DOMAIN_RATE),
    fold(DOMAIN_TOTAL) + " ": ("total", DOMAIN_TOTAL),
    fold(DOMAIN_MASTERED) + " ": ("mastered", DOMAIN_MASTERED),
}
_STAGE_RE = re.compile(r"palier obtenu \(/(\d+)\)")
_BADGE_SUFFIX = " obtenu (o/n)"
# Without a leading `\s+`: searched in a header of thousands of spaces, it would be quadratic.
_BADGE_RE = re.compile(r"obtenu\s*\(O/N\)$", re.IGNORECASE)


@dataclass
class Columns:
    """Where each value is in this file: header as written, by field."""

    fields: dict[str, str] = field(default_factory=dict)
    levels: dict[str, dict[str, str]] = field(default_factory=dict)  # "1.1" → part → header
    competences: dict[str, dict[str, str]] = field(default_factory=dict)
    domains: dict[str, dict[str, str]] = field(default_factory=dict)
    stage: str | None = None
    stage_count: int | None = None
    badges: dict[str, str] = field(default_factory=dict)  # badge name → header
    skills: dict[str, str] = field(default_factory=dict)  # "@web3" → header
    external_id: str | None = None
    last_header: str = ""
    older_format: bool = False
    # a parcours' mastery cells repeat over thousands of rows: each distinct one is parsed once
    masteries: dict[tuple[str, str, str], Mastery] = field(default_factory=dict)


def header_text(header: str) -> str:
    """A header as a label: Pix guards headers like values (`'@web3`)."""
    return unquote_formula(header_label(header))


def find_columns(table: Table, kind: CampaignKind, errors: list[RowError]) -> Columns:
    """Find every known column by its label; report the required ones that are missing."""
    columns = Columns()
    for header in table.headers:
        folded = fold(header_label(header))
        name = _FIELD_BY_LABEL.get(folded)
        if name is not None:
            if name in _BEFORE_EXTERNAL_ID:
                columns.fields.setdefault(name, header)
            else:
                columns.fields[name] = header
            columns.older_format |= folded in _OLDER_LABELS
        else:
            _per_competence(header, folded, kind, columns, errors)
    for name in _REQUIRED[kind]:
        if name not in columns.fields:
            _missing(errors, _FIELDS[name][0])
    if kind is CampaignKind.PROFILES_COLLECTION:
        for competence in COMPETENCES:
            parts = columns.levels.get(competence.code, {})
            for part, label in _LEVEL_PARTS.values():
                if part not in parts:
                    _missing(errors, label + competence.name, competence.code)
    else:
        for code, parts in columns.competences.items():
            for part, label in _COMPETENCE_PARTS.values():
                if part not in parts:
                    _missing(errors, label + COMPETENCE_BY_CODE[code].name, code)
        for domain_code in sorted({COMPETENCE_BY_CODE[c].domain.code
                                   for c in columns.competences}):
            parts = columns.domains.get(domain_code, {})
            for part, label in _DOMAIN_PARTS.values():
                if part not in parts:
                    _missing(errors, label + DOMAIN_BY_CODE[domain_code].name,
                             domain_code=domain_code)
    columns.external_id = _external_id_column(table, columns)
    columns.last_header = next((h for h in reversed(table.headers) if h), "")
    return columns


def _missing(errors: list[RowError], label: str, code: str | None = None,
             domain_code: str | None = None) -> None:
    if code:
        message = _("Colonne manquante pour la compétence %(code)s : « %(column)s ».")
    elif domain_code:
        message = _("Colonne manquante pour le domaine %(code)s : « %(column)s ».")
    else:
        message = _("Colonne manquante : « %(column)s ».")
    errors.append(RowError(None, message, column=label,
                           params={"column": label, "code": code or domain_code}))


def _per_competence(header: str, folded: str, kind: CampaignKind, columns: Columns,
                    errors: list[RowError]) -> bool:
    """Classify a per-competence, per-domain, stage, badge or skill header; False if none."""
    if kind is CampaignKind.PROFILES_COLLECTION:
        return _by_prefix(header, folded, _LEVEL_PARTS, columns.levels, errors)
    if _by_prefix(header, folded, _COMPETENCE_PARTS, columns.competences, errors):
        return True
    if _by_prefix(header, folded, _DOMAIN_PARTS, columns.domains, errors, domain=True):
        return True
    if match := _STAGE_RE.fullmatch(folded):
        columns.stage, columns.stage_count = header, int(match.group(1))
        return True
    if folded.endswith(_BADGE_SUFFIX):
        text = header_text(header)
        match = _BADGE_RE.search(text)
        columns.badges[text[: match.start()].rstrip() if match else text] = header
        return True
    if header_text(header).startswith("@"):
        columns.skills[header_text(header)] = header
        return True
    return False


def _by_prefix(header: str, folded: str, parts: Mapping[str, tuple[str, str]],
               found: dict[str, dict[str, str]], errors: list[RowError],
               domain: bool = False) -> bool:
    for prefix, (part, _label) in parts.items():
        if folded.startswith(prefix):
            name = folded[len(prefix):]
            item = domain_by_name(name) if domain else competence_by_name(name)
            if item is None:
                message = (_("Domaine inconnu dans l’en-tête « %(column)s ».") if domain
                           else _("Compétence inconnue dans l’en-tête « %(column)s »."))
                errors.append(RowError(None, message, column=header, params={"column": header}))
            else:
                found.setdefault(item.code, {})[part] = header
            return True
    return False


def _claimed(columns: Columns) -> set[str]:
    """The headers read as one of Pix's own columns."""
    claimed = set(columns.fields.values()) | set(columns.badges.values())
    claimed |= set(columns.skills.values())
    for parts in (*columns.levels.values(), *columns.competences.values(),
                  *columns.domains.values()):
        claimed |= set(parts.values())
    if columns.stage:
        claimed.add(columns.stage)
    return claimed


def _external_id_column(table: Table, columns: Columns) -> str | None:
    """The external id has a free label: the column just before the results start, unless
    it is one of Pix's own (then the campaign asks for no external id).

    Pix writes names, [additional columns], [Classe], then the external id, then the first
    result column ("Envoi (O/N)", "% de progression" or, for exams, the start date): see
    `campaign-profiles-collection-export.js` and `campaign-assessment-export.js` in
    1024pix/pix, api/src/prescription/campaign/infrastructure/serializers/csv/.
    """
    for name in _FIRST_RESULT_FIELDS:
        header = columns.fields.get(name)
        if header is not None:
            index = table.headers.index(header)
            before = table.headers[index - 1] if index > 0 else None
            return before if before is not None and before not in _claimed(columns) else None
    return None
