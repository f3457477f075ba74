"""Writing Pix Orga campaign exports byte for byte as Pix does.

Pix's serialiser (`api/src/shared/infrastructure/helpers/csv.js`): UTF-8 with BOM, `;`, LF,
numbers unquoted with a decimal comma, strings double-quoted except those made only of digits
and dashes (a class `301`, an older date `2025-09-11`), a `'` before a text starting with
`- @ = +`. Used by the demo data, the tests and the benchmark: what is written here reads
exactly like a real export, and a real export read then written back gives the same bytes.
Files are those of a school (Pix "SCO" organisation managing its pupils): "Classe" is always
there; the higher-education columns ("Groupe", "Numéro Étudiant") never are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from .campaign_format import (
    BADGE,
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
    LAST_NAME,
    LEVEL_OF,
    MASTERY,
    NOT_SHARED_LEVEL,
    NOT_SHARED_MASTERY,
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
    STAGE,
    STARTED_AT,
    STARTED_AT_OLD,
    CampaignExport,
    CampaignKind,
    ParticipationRow,
    domain_mastery_from,
)
from .files import BOM, FORMULA_PREFIXES, NA, PARIS
from .referential import COMPETENCE_BY_CODE, COMPETENCES, DOMAINS

_UNQUOTED = re.compile(r"[0-9-]+")


def _text(text: str) -> str:
    if _UNQUOTED.fullmatch(text):
        return text
    guard = "'" if text.startswith(FORMULA_PREFIXES) else ""
    return '"' + guard + text.replace('"', '""') + '"'


def _number(value: float) -> str:
    """As JavaScript's Number.toString: 1.0 is `1`."""
    return (str(int(value)) if value.is_integer() else repr(value)).replace(".", ",")


_QUOTED_NA = _text(NA)
_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: _text,
    int: str,
    bool: lambda value: '"Oui"' if value else '"Non"',
    type(None): lambda value: _QUOTED_NA,
    # the Decimal's own exponent is kept: a file read with `1,0` is written back `1,0`
    Decimal: lambda value: format(value, "f").replace(".", ","),
    float: _number,
}


def _cell(value: object) -> str:
    """One value as Pix serialises it; None is Pix's `NA`."""
    serialise = _BY_TYPE.get(type(value))
    return serialise(value) if serialise else _text(str(value))


def _cells(values: Iterable[object]) -> str:
    return ";".join(map(_cell, values))


def _line(values: Iterable[object]) -> str:
    return _cells(values) + "\n"


def _when(value: datetime | None, older_format: bool) -> str | None:
    """`DD/MM/YYYY HH:mm` in Europe/Paris; older files gave the date only, `YYYY-MM-DD`."""
    if value is None:
        return None
    local = value.astimezone(PARIS) if value.tzinfo else value.replace(tzinfo=PARIS)
    return local.strftime("%Y-%m-%d" if older_format else "%d/%m/%Y %H:%M")


def _participant(row: ParticipationRow, external_id_label: str | None) -> list[object]:
    values: list[object] = [row.last_name, row.first_name, row.division]
    if external_id_label:
        values.append(row.external_id)
    return values


def _code(value: str, without_code: bool) -> list[str]:
    return [] if without_code else [value]


def _encode(lines: list[str]) -> bytes:
    return (BOM + "".join(lines)).encode("utf-8")


def write_profiles_collection_export(
    *,
    organisation: str,
    campaign_id: int | None,
    code: str,
    name: str,
    participations: Iterable[ParticipationRow],
    external_id_label: str | None = None,
    older_format: bool = False,
    without_code: bool = False,
) -> bytes:
    """A profiles collection export: all 16 competences, level and pix for each.

    `older_format` writes "Date de l'envoi" with a bare `YYYY-MM-DD` date, as Pix did
    before it gave the time; `without_code` leaves out the "Code" column, as in 2020-2021.
    """
    headers: list[object] = [ORGANISATION, CAMPAIGN_ID, *_code(CODE, without_code),
                             CAMPAIGN_NAME, LAST_NAME, FIRST_NAME, DIVISION]
    if external_id_label:
        headers.append(external_id_label)
    headers += [SENT, SENT_AT_OLD if older_format else SENT_AT, PIX_TOTAL, CERTIFIABLE,
                CERTIFIABLE_COUNT]
    for competence in COMPETENCES:
        headers += [LEVEL_OF + competence.name, PIX_OF + competence.name]
    campaign = _cells([organisation, campaign_id, *_code(code, without_code), name]) + ";"
    not_shared = _line([False] + [None] * (4 + 2 * len(COMPETENCES)))
    lines = [_line(headers)]
    for row in participations:
        start = campaign + _cells(_participant(row, external_id_label)) + ";"
        if not row.shared:
            lines.append(start + not_shared)
            continue
        values: list[object] = [True, _when(row.shared_at, older_format), row.pix_total,
                                row.certifiable, row.certifiable_competences]
        for competence in COMPETENCES:
            level = row.levels.get(competence.code, NOT_SHARED_LEVEL)
            values += [level.level, level.pix]
        lines.append(start + _line(values))
    return _encode(lines)


def write_assessment_export(
    *,
    organisation: str,
    campaign_id: int | None,
    code: str,
    name: str,
    parcours: str,
    competence_codes: Iterable[str],
    participations: Iterable[ParticipationRow],
    stage_count: int | None = None,
    badge_names: Sequence[str] = (),
    skills: Sequence[str] = (),
    external_id_label: str | None = None,
    exam: bool = False,
    older_format: bool = False,
    without_code: bool = False,
) -> bytes:
    """An assessment (or, with `exam`, exam) campaign export.

    Only the parcours' competences get columns, in CRCN order, then their domains. A row
    without `domain_mastery` gets it summed from its competences, as Pix computes it.
    Exams have no "% de progression". `older_format` writes "Nom du Profil Cible", "Date de
    début", "Date du partage" and bare `YYYY-MM-DD` dates; `without_code` leaves out the
    "Code" column, as in 2020-2021.
    """
    wanted = set(competence_codes)
    unknown = wanted - COMPETENCE_BY_CODE.keys()
    if unknown:
        raise ValueError(f"unknown competence codes: {sorted(unknown)}")
    codes = [c.code for c in COMPETENCES if c.code in wanted]  # Pix's order, not the caller's
    domains = [d for d in DOMAINS if any(COMPETENCE_BY_CODE[c].domain == d for c in codes)]

    headers: list[object] = [ORGANISATION, CAMPAIGN_ID, *_code(CODE, without_code),
                             CAMPAIGN_NAME, PARCOURS_OLD if older_format else PARCOURS,
                             LAST_NAME, FIRST_NAME, DIVISION]
    if external_id_label:
        headers.append(external_id_label)
    if not exam:
        headers.append(PROGRESSION)
    headers += [STARTED_AT_OLD if older_format else STARTED_AT, SHARED,
                SHARED_AT_OLD if older_format else SHARED_AT]
    if stage_count is not None:
        headers.append(STAGE % stage_count)
    headers += [BADGE % badge for badge in badge_names]
    headers.append(MASTERY)
    for competence_code in codes:
        competence = COMPETENCE_BY_CODE[competence_code].name
        headers += [COMPETENCE_RATE + competence, COMPETENCE_TOTAL + competence,
                    COMPETENCE_MASTERED + competence]
    for domain in domains:
        headers += [DOMAIN_RATE + domain.name, DOMAIN_TOTAL + domain.name,
                    DOMAIN_MASTERED + domain.name]
    headers += skills

    campaign = _cells([organisation, campaign_id, *_code(code, without_code), name,
                       parcours]) + ";"
    results_count = ((stage_count is not None) + len(badge_names) + 1
                     + 3 * (len(codes) + len(domains)) + len(skills))
    not_shared = _line([None] * results_count)
    lines = [_line(headers)]
    for row in participations:
        values = _participant(row, external_id_label)
        if not exam:
            values.append(row.progression)
        values += [_when(row.started_at, older_format), row.shared,
                   _when(row.shared_at, older_format) if row.shared else None]
        start = campaign + _cells(values) + ";"
        if not row.shared:
            lines.append(start + not_shared)
            continue
        results: list[object] = [row.stage] if stage_count is not None else []
        results += [row.badges.get(badge) for badge in badge_names]
        results.append(row.mastery)
        for competence_code in codes:
            mastery = row.competence_mastery.get(competence_code, NOT_SHARED_MASTERY)
            results += [mastery.rate, mastery.skills_total, mastery.skills_mastered]
        by_domain = row.domain_mastery or domain_mastery_from(row.competence_mastery)
        for domain in domains:
            mastery = by_domain.get(domain.code, NOT_SHARED_MASTERY)
            results += [mastery.rate, mastery.skills_total, mastery.skills_mastered]
        results += [row.skills.get(skill) for skill in skills]
        lines.append(start + _line(results))
    return _encode(lines)


def write_campaign_export(export: CampaignExport) -> bytes:
    """Write back what `read_campaign_export` read: the same file, byte for byte."""
    if export.kind is CampaignKind.PROFILES_COLLECTION:
        return write_profiles_collection_export(
            organisation=export.organisation, campaign_id=export.campaign_id,
            code=export.code, name=export.name, participations=export.rows,
            external_id_label=export.external_id_label, older_format=export.older_format,
            without_code=not export.has_code,
        )
    if export.kind is None:
        raise ValueError("not a campaign export")
    return write_assessment_export(
        organisation=export.organisation, campaign_id=export.campaign_id, code=export.code,
        name=export.name, parcours=export.parcours, competence_codes=export.competence_codes,
        participations=export.rows, stage_count=export.stage_count,
        badge_names=export.badge_names, skills=export.skill_names,
        external_id_label=export.external_id_label, exam=export.kind is CampaignKind.EXAM,
        older_format=export.older_format, without_code=not export.has_code,
    )
