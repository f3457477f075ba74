"""Reading Pix Orga campaign exports: profiles collection, assessment and exam campaigns.

One file per campaign, one row per sending (a pupil who sent their profile twice has two rows,
newest first: all are kept, the import layer chooses). Headers are found by name, never by
position, in their current and older spellings; per-competence headers by competence name,
whatever its apostrophes and accents. The model lives in `pix.campaign_format` and the writers
in `pix.campaign_writer`; both are re-exported here, so `pix.campaigns` is the one entry point.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import TypeVar

from .campaign_columns import Columns, find_columns, header_text
from .campaign_format import (
    MAX_COMPETENCE_PIX,
    MAX_PIX_TOTAL,
    NOT_SHARED_LEVEL,
    NOT_SHARED_MASTERY,
    PROGRESSION,
    SENT,
    SHARED,
    SKILL_STATUSES,
    CampaignExport,
    CampaignKind,
    CompetenceLevel,
    Mastery,
    ParticipationRow,
    domain_mastery_from,
    mastery_rate,
)
from .campaign_writer import (
    write_assessment_export,
    write_campaign_export,
    write_profiles_collection_export,
)
from .files import (
    NA,
    PARIS,
    CellError,
    FileRejected,
    Row,
    RowError,
    Table,
    check_error_cap,
    decode,
    parse_datetime,
    parse_fraction,
    parse_int,
    parse_yes_no,
    read_table,
    row_has_extra_cells,
    unquote_formula,
)
from .i18n import _
from .referential import COMPETENCES, fold
from .rules import FRAMEWORK_MAX_LEVEL

__all__ = [
    "CampaignExport",
    "CampaignKind",
    "CompetenceLevel",
    "Mastery",
    "ParticipationRow",
    "domain_mastery_from",
    "mastery_rate",
    "read_campaign_export",
    "write_assessment_export",
    "write_campaign_export",
    "write_profiles_collection_export",
]


_SKILL_STATUS = {fold(status): status for status in SKILL_STATUSES}
_NA = frozenset(("", NA))  # cells come stripped from `read_table`


def read_campaign_export(data: bytes) -> CampaignExport:
    """Read a Pix Orga campaign export; never raises on bad input.

    Errors name their line and column (line None for the whole file); rows hold only the
    rows without error. Excel-resaved files (no BOM, Windows-1252, `,` separator with quoted
    decimal commas) read as well when they are unambiguous.
    """
    try:
        table = _open(data)
    except FileRejected as rejected:
        return CampaignExport(kind=None, errors=[rejected.error])
    kind = _kind(table)
    if kind is None:
        return CampaignExport(kind=None, errors=[RowError(None, _not_a_campaign_export(table))])
    errors: list[RowError] = []
    columns = find_columns(table, kind, errors)
    export = CampaignExport(
        kind=kind,
        external_id_label=header_text(columns.external_id) if columns.external_id else None,
        competence_codes=tuple(c.code for c in COMPETENCES if c.code in columns.levels
                               or c.code in columns.competences),
        badge_names=tuple(columns.badges),
        stage_count=columns.stage_count,
        skill_names=tuple(columns.skills),
        older_format=columns.older_format,
        has_code="code" in columns.fields,
        errors=errors,
    )
    if errors:
        return export  # a column is missing: reading rows would only repeat it on every line
    if not table.rows:
        errors.append(RowError(None, _("Le fichier ne contient aucun participant : seule la "
                                       "ligne d’en-tête est présente.")))
        return export
    _read_campaign(table.rows[0], columns, export)
    all_na: list[int] = []  # lines of shared rows holding only NA
    shared_rows = 0
    for row in table.rows:
        if check_error_cap(errors, row.line):
            break
        cells = _Cells(row, errors)
        participation = _read_row(cells, columns, export)
        shared_rows += cells.results > 0
        if cells.all_results_na:
            all_na.append(row.line)
        if participation is not None and not cells.failed:
            export.rows.append(participation)
    _report_all_na(all_na, shared_rows, errors)
    return export


def _open(data: bytes) -> Table:
    """The table of a CSV file, or a rejection saying what the file seems to be instead."""
    if data[:4] == b"PK\x03\x04":
        raise FileRejected(_("Ce fichier est une archive ZIP (un classeur Excel ou une base "
                             "élèves SIECLE compressée ?), pas un export CSV de résultats de "
                             "campagne Pix Orga."))
    text = decode(data)
    head = text.lstrip()[:4096]
    if head.startswith("<"):
        if "BEE_ELEVES" in head:
            raise FileRejected(_("Ce fichier ressemble à une base élèves SIECLE (XML), pas à un "
                                 "export de résultats de campagne Pix Orga."))
        raise FileRejected(_("Ce fichier est un fichier XML ou HTML, pas un export CSV de "
                             "résultats de campagne Pix Orga."))
    return read_table(text)


def _kind(table: Table) -> CampaignKind | None:
    if table.find(SENT):
        return CampaignKind.PROFILES_COLLECTION
    if table.find(SHARED):
        return CampaignKind.ASSESSMENT if table.find(PROGRESSION) else CampaignKind.EXAM
    return None


def _not_a_campaign_export(table: Table) -> str:
    """What the file seems to be, since it has no sharing column."""
    if table.find("Identifiant unique", "Premier prénom", "Code MEF", prefix=True):
        return _("Ce fichier ressemble à une liste d’élèves, pas à un export de résultats de "
                 "campagne Pix Orga.")
    if table.find("Numéro de certification"):
        return _("Ce fichier ressemble à des résultats de certification, pas à un export de "
                 "résultats de campagne Pix Orga.")
    if table.find("* Nom de naissance", "Nom de naissance", prefix=True):
        return _("Ce fichier ressemble à une liste de candidats à la certification (Pix Certif), "
                 "pas à un export de résultats de campagne Pix Orga.")
    return _("Ce fichier n’est pas un export de résultats de campagne Pix Orga : il n’a ni la "
             "colonne « Envoi (O/N) » (collecte de profils) ni la colonne « Partage (O/N) » "
             "(campagne d’évaluation).")


# --- rows -----------------------------------------------------------------------------------

T = TypeVar("T")


class _Cells:
    """One row's cells, parsed one by one; a bad cell is reported and reads as None."""

    def __init__(self, row: Row, errors: list[RowError]) -> None:
        self.row = row
        self.cells = row.cells
        self.errors = errors
        self.failed = False
        self.results = 0
        self.na_results: list[str] = []

    def text(self, header: str | None) -> str:
        return unquote_formula(self.cells.get(header, "")) if header else ""

    def error(self, header: str | None, message: str, **params: object) -> None:
        self.failed = True
        column = header_text(header) if header else None
        self.errors.append(RowError(self.row.line, message, column=column, params=params))

    def value(self, header: str | None, parse: Callable[[str], T]) -> T | None:
        """An optional value: None when absent or `NA`."""
        raw = self.cells.get(header, "") if header else ""
        return None if raw in _NA else self._parse(header, raw, parse)

    def required(self, header: str, parse: Callable[[str], T]) -> T | None:
        raw = self.cells.get(header, "")
        if raw in _NA:
            self.error(header, _("valeur manquante"))
            return None
        return self._parse(header, raw, parse)

    def result(self, header: str, parse: Callable[[str], T]) -> T | None:
        """A result of a shared row: `NA` there is reported by `missing_results`."""
        self.results += 1
        raw = self.cells.get(header, "")
        if raw in _NA:
            self.na_results.append(header)
            return None
        return self._parse(header, raw, parse)

    def _parse(self, header: str | None, raw: str, parse: Callable[[str], T]) -> T | None:
        try:
            return parse(raw)
        except CellError as error:
            self.error(header, error.message, **error.params)
            return None

    @property
    def all_results_na(self) -> bool:
        return self.results > 0 and len(self.na_results) == self.results

    def missing_results(self) -> bool:
        """Shared, yet some results are `NA`: each such cell is an error.

        A row with only `NA` is marked failed but reported by the caller, who knows whether
        the whole file is like that.
        """
        if self.all_results_na:
            self.failed = True
        else:
            for header in self.na_results:
                self.error(header, _("valeur manquante (« NA ») alors que les résultats sont "
                                     "partagés"))
        return bool(self.na_results)


def _read_campaign(first: Row, columns: Columns, export: CampaignExport) -> None:
    """The campaign's own fields, repeated on every row: taken from the first one."""
    cells = _Cells(first, [])
    export.organisation = cells.text(columns.fields.get("organisation"))
    export.campaign_id = cells.value(columns.fields.get("campaign_id"), _int)
    export.code = cells.text(columns.fields.get("code"))
    export.name = cells.text(columns.fields.get("name"))
    export.parcours = cells.text(columns.fields.get("parcours"))


def _read_row(cells: _Cells, columns: Columns, export: CampaignExport) -> ParticipationRow | None:
    row, fields = cells.row, columns.fields
    if row_has_extra_cells(row):
        cells.error(None, _("la ligne a plus de cellules que l’en-tête (séparateur « , » et "
                            "virgules décimales sans guillemets ?)"))
        return None
    if row.get(columns.last_header) == "":  # never empty in a Pix export: the row is cut short
        cells.error(None, _("ligne incomplète : des cellules manquent en fin de ligne "
                            "(fichier coupé ?)"))
        return None
    campaign_id = cells.value(fields["campaign_id"], _int)
    if campaign_id is not None and campaign_id != export.campaign_id:
        cells.error(fields["campaign_id"], _("ligne d’une autre campagne (%(found)s au lieu de "
                                             "%(expected)s) : un fichier, une campagne"),
                    found=campaign_id, expected=export.campaign_id)
    last_name = cells.text(fields["last_name"])
    if not last_name:
        cells.error(fields["last_name"], _("nom du participant vide"))
    common = {
        "line": row.line,
        "last_name": last_name,
        "first_name": cells.text(fields["first_name"]),
        "division": cells.text(fields.get("division")),
        "external_id": cells.text(columns.external_id),
    }
    if export.kind is CampaignKind.PROFILES_COLLECTION:
        return _read_profile_row(cells, columns, common)
    return _read_mastery_row(cells, columns, export, common)


_NO_LEVELS = MappingProxyType({c.code: NOT_SHARED_LEVEL for c in COMPETENCES})
_VALID_LEVELS = {(str(level), str(pix)): CompetenceLevel(level, pix)
                 for level in range(FRAMEWORK_MAX_LEVEL + 1)
                 for pix in range(MAX_COMPETENCE_PIX + 1)}


def _read_profile_row(cells: _Cells, columns: Columns, common: dict) -> ParticipationRow | None:
    fields = columns.fields
    shared = cells.required(fields["sent"], parse_yes_no)
    if not shared:
        return None if shared is None else ParticipationRow(**common, levels=_NO_LEVELS)
    shared_at = cells.result(fields["sent_at"], _datetime)
    pix_total = cells.result(fields["pix_total"], _pix_total)
    certifiable = cells.result(fields["certifiable"], parse_yes_no)
    certifiable_count = cells.result(fields["certifiable_count"], _competence_count)
    levels = {}
    for competence in COMPETENCES:
        parts = columns.levels[competence.code]
        raw = (cells.cells.get(parts["level"], ""), cells.cells.get(parts["pix"], ""))
        known = _VALID_LEVELS.get(raw)  # fast path for the 32 cells of every row
        if known is not None:
            cells.results += 2
            levels[competence.code] = known
        else:
            levels[competence.code] = CompetenceLevel(
                cells.result(parts["level"], _level), cells.result(parts["pix"], _competence_pix)
            )
    if cells.missing_results():
        return None
    return ParticipationRow(
        **common, shared=True, shared_at=shared_at, pix_total=pix_total,
        certifiable=certifiable, certifiable_competences=certifiable_count, levels=levels,
    )


def _read_mastery_row(cells: _Cells, columns: Columns, export: CampaignExport,
                      common: dict) -> ParticipationRow | None:
    fields = columns.fields
    started = {
        "started_at": cells.value(fields["started_at"], _datetime),
        "progression": cells.value(fields.get("progression"), _fraction),
        "stage_count": columns.stage_count,
    }
    shared = cells.required(fields["shared"], parse_yes_no)
    if not shared:
        return None if shared is None else ParticipationRow(
            **common, **started,
            competence_mastery=dict.fromkeys(export.competence_codes, NOT_SHARED_MASTERY),
            domain_mastery=dict.fromkeys(columns.domains, NOT_SHARED_MASTERY),
        )
    shared_at = cells.result(fields["shared_at"], _datetime)
    stage = cells.result(columns.stage, _int) if columns.stage else None
    if stage is not None and not 0 <= stage <= (columns.stage_count or 0):
        cells.error(columns.stage, _("palier entre 0 et %(max)s attendu, « %(value)s » trouvé"),
                    max=columns.stage_count, value=stage)
    badges = {name: cells.result(header, parse_yes_no) for name, header in columns.badges.items()}
    mastery = cells.result(fields["mastery"], _fraction)
    seen = columns.masteries
    competence_mastery = {code: _mastery(cells, columns.competences[code], seen)
                          for code in export.competence_codes}
    domain_mastery = {code: _mastery(cells, parts, seen)
                      for code, parts in columns.domains.items()}
    skills = {name: cells.result(header, _skill) for name, header in columns.skills.items()}
    if cells.missing_results():
        return None
    return ParticipationRow(
        **common, **started, shared=True, shared_at=shared_at, mastery=mastery,
        competence_mastery=competence_mastery, domain_mastery=domain_mastery, stage=stage,
        badges=badges, skills=skills,
    )


def _mastery(cells: _Cells, parts: Mapping[str, str], seen: dict[tuple, Mastery]) -> Mastery:
    """Rate, targeted and mastered skills; `seen` remembers valid cells already parsed."""
    raw = (cells.cells.get(parts["rate"], ""), cells.cells.get(parts["total"], ""),
           cells.cells.get(parts["mastered"], ""))
    known = seen.get(raw)
    if known is not None:
        cells.results += 3
        return known
    errors = (len(cells.errors), len(cells.na_results))
    rate = cells.result(parts["rate"], _fraction)
    total = cells.result(parts["total"], _count)
    mastered = cells.result(parts["mastered"], _count)
    if total is not None and mastered is not None and mastered > total:
        cells.error(parts["mastered"], _("%(mastered)s acquis maîtrisés sur %(total)s : plus "
                                         "que le nombre d’acquis"),
                    mastered=mastered, total=total)
    mastery = Mastery(rate, total, mastered)
    if errors == (len(cells.errors), len(cells.na_results)):
        seen[raw] = mastery
    return mastery


def _report_all_na(all_na: list[int], shared_rows: int, errors: list[RowError]) -> None:
    """Shared rows with only `NA`: Pix never writes that, the file was altered or emptied."""
    if not all_na:
        return
    if len(all_na) == shared_rows:
        errors.append(RowError(None, _("Le fichier ne contient aucun résultat : toutes les "
                                       "participations partagées n’ont que des valeurs « NA ». "
                                       "Téléchargez à nouveau l’export depuis Pix Orga.")))
        return
    errors.extend(RowError(line, _("résultats partagés mais toutes les valeurs sont « NA »"))
                  for line in all_na)


# --- cell parsers ---------------------------------------------------------------------------


def _datetime(raw: str) -> datetime:
    """`parse_datetime`, with a fast path for Pix's own `DD/MM/YYYY HH:mm`."""
    if _PIX_DATETIME.fullmatch(raw):
        try:
            return datetime(int(raw[6:10]), int(raw[3:5]), int(raw[:2]), int(raw[11:13]),
                            int(raw[14:16]), tzinfo=PARIS)
        except ValueError:
            pass  # 31/02: let parse_datetime word the error
    return parse_datetime(raw)


_PIX_DATETIME = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d")


def _fraction(raw: str) -> Decimal:
    """`parse_fraction`, with a fast path for Pix's own `0,67`."""
    try:
        number = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        number = None
    if number is not None and number.is_finite() and 0 <= number <= 1:
        return number
    return parse_fraction(raw)  # words the error


def _int(raw: str) -> int:
    if raw.isdigit() and raw.isascii():  # fast path: most cells of a large export
        return int(raw)
    return parse_int(raw)


def _bounded(low: int, high: int, message: str) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        number = _int(raw)
        if not low <= number <= high:
            raise CellError(message, value=raw, min=low, max=high)
        return number

    return parse


_level = _bounded(0, FRAMEWORK_MAX_LEVEL,
                  _("niveau entre %(min)s et %(max)s attendu, « %(value)s » trouvé"))
_competence_pix = _bounded(0, MAX_COMPETENCE_PIX,
                           _("nombre de pix entre %(min)s et %(max)s attendu, « %(value)s » "
                             "trouvé"))
_pix_total = _bounded(0, MAX_PIX_TOTAL,
                      _("nombre de pix entre %(min)s et %(max)s attendu, « %(value)s » trouvé"))
_competence_count = _bounded(0, len(COMPETENCES),
                             _("nombre de compétences entre %(min)s et %(max)s attendu, "
                               "« %(value)s » trouvé"))
_count = _bounded(0, 10_000, _("nombre d’acquis entre %(min)s et %(max)s attendu, "
                               "« %(value)s » trouvé"))


def _skill(raw: str) -> str:
    status = _SKILL_STATUS.get(fold(raw))
    if status is None:
        raise CellError(_("« OK », « KO » ou « Non testé » attendu, « %(value)s » trouvé"),
                        value=raw)
    return status


