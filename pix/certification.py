"""Reading Pix certification results: one file per class, or a zip of several.

Headers are found by name, never by position, in the older layout and the newer one (see
`pix.certification_format`). `-` and `0` keep their meaning: `-` is "no value" (not tested,
cancelled, in error) and reads None, `0` is a competence not certified. The class and the
download day come from the file name (`20260512_resultats_301.csv`). A reader never raises
on bad input: errors name their line and column, in French. The model lives in
`pix.certification_format` and the writers in `pix.certification_writer`; both are
re-exported here, so `pix.certification` is the one entry point. A complementary
certification's cell must be one of Pix's statuses; a column the reader does not know is
named in a warning (nothing of a file is read and then dropped without the user being told).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import TypeVar

from . import limits
from .archives import InflateBudget, SafeZip, is_zip
from .certification_format import (
    BIRTH_PLACE,
    BIRTHDATE,
    CENTRE,
    CERTIFICATION_NUMBER,
    CERTIFICATION_TYPE,
    COMPLEMENTARY_LABELS,
    COMPLEMENTARY_PREFIX,
    DASH,
    EXTERNAL_ID,
    FIRST_NAME,
    GLOBAL_LEVEL,
    JURY_COMMENT,
    LAST_NAME,
    MAX_CERTIFICATION_PIX,
    MERGED_CLASS,
    PIX,
    SCORE,
    SESSION,
    STATUS,
    STATUS_LABELS,
    TAKEN_ON,
    CertificationResults,
    CertificationRow,
    CertificationStatus,
    complementary_status_from_label,
    is_session_filename,
    parse_results_filename,
    results_filename,
    status_from_label,
)
from .certification_writer import write_certification_archive, write_certification_results
from .files import (
    CellError,
    FileRejected,
    Row,
    RowError,
    Table,
    check_error_cap,
    decode,
    parse_date,
    read_table,
    row_has_extra_cells,
    unquote_formula,
)
from .i18n import _
from .referential import COMPETENCE_CODES, fold
from .rules import FRAMEWORK_MAX_LEVEL, V3_LEVEL_NAMES, v3_global_level

__all__ = [
    "CertificationResults",
    "CertificationRow",
    "CertificationStatus",
    "parse_results_filename",
    "read_certification_archive",
    "read_certification_results",
    "results_filename",
    "write_certification_archive",
    "write_certification_results",
]


# field → labels it may have (compared folded: case, accents, apostrophes)
_FIELDS: dict[str, tuple[str, ...]] = {
    "number": (CERTIFICATION_NUMBER,),
    "first_name": (FIRST_NAME,),
    "last_name": (LAST_NAME,),
    "birthdate": (BIRTHDATE,),
    "birth_place": (BIRTH_PLACE,),
    "external_id": (EXTERNAL_ID,),
    "type": (CERTIFICATION_TYPE,),
    "status": (STATUS,),
    "global_level": (GLOBAL_LEVEL,),
    "pix": (PIX,),
    "score": (SCORE,),
    "jury_comment": (JURY_COMMENT,),
    "session": (SESSION,),
    "centre": (CENTRE,),
    "taken_on": (TAKEN_ON,),
    "division": (MERGED_CLASS,),
}
_FIELD_BY_LABEL = {fold(label): name for name, labels in _FIELDS.items() for label in labels}
_REQUIRED = ("number", "first_name", "last_name", "birthdate", "status", "session", "taken_on")
_NEVER_EMPTY = ("number", "last_name", "status", "pix", "score", "session", "taken_on")
_COMPLEMENTARY = fold(COMPLEMENTARY_PREFIX)


@dataclass
class _Columns:
    fields: dict[str, str] = field(default_factory=dict)  # field → header as written
    levels: dict[str, str] = field(default_factory=dict)  # "1.1" → header
    complementary: dict[str, str] = field(default_factory=dict)  # "CléA" → header
    unknown: list[str] = field(default_factory=list)  # headers read as nothing


# --- files and archives ---------------------------------------------------------------------


def read_certification_results(data: bytes, *, filename: str = "") -> CertificationResults:
    """Read one results file; never raises on bad input.

    `filename` gives the class and the date (`YYYYMMDD_resultats_<class>.csv`); without it,
    or with another name, `division` is "". Rows hold only rows without error.
    """
    division, file_date = parse_results_filename(filename)
    results = CertificationResults(division=division, file_date=file_date,
                                   filename=_basename(filename))
    try:
        table = _open(data)
        columns = _find_columns(table, results)
    except FileRejected as rejected:
        results.errors.append(rejected.error)
        return results
    _set_kind(results, columns, filename)
    if results.errors:
        return results  # a column is missing: reading rows would repeat it on every line
    if not table.rows:
        results.errors.append(RowError(None, _(
            "Le fichier ne contient aucun résultat de certification : seule la ligne "
            "d’en-tête est présente.")))
        return results
    last_header = next((h for h in reversed(table.headers) if h), "")
    never_empty = {columns.fields[n] for n in _NEVER_EMPTY if n in columns.fields}
    never_empty.update(columns.levels.values())
    truncated = last_header if last_header in never_empty else None
    first_line: dict[str, int] = {}
    for row in table.rows:
        if check_error_cap(results.errors, row.line):
            break
        if results.kind == "merged" and _repeats_header(row, table.headers):
            continue  # a tool that merged the class files kept each file's header
        cells = _Cells(row, results.errors)
        parsed = _read_row(cells, columns, truncated)
        if parsed is None or cells.failed:
            continue
        seen = first_line.setdefault(parsed.certification_number, row.line)
        if seen != row.line:
            cells.error(columns.fields["number"], _(
                "numéro de certification %(number)s déjà présent ligne %(line)s"),
                number=parsed.certification_number, line=seen)
            continue
        if len(results.warnings) < limits.MAX_ERRORS:
            _check_consistency(parsed, columns, results.warnings)
        results.rows.append(parsed)
    return results


def read_certification_archive(
    data: bytes, *, filename: str = "", budget: InflateBudget | None = None
) -> list[CertificationResults]:
    """Every results file of a zip, each with the class of its own name, in the zip's order.

    A file that is not a zip reads as one results file. A zip that cannot be used (damaged,
    no CSV inside, a spreadsheet, too big once inflated) gives one result holding the error.
    `budget` counts the bytes inflated from every zip of one upload.
    """
    if not is_zip(data):
        return [read_certification_results(data, filename=filename)]
    try:
        members = _csv_members(data, budget)
    except FileRejected as rejected:
        return [CertificationResults(filename=_basename(filename), errors=[rejected.error])]
    return [read_certification_results(content, filename=name) for name, content in members]


def _csv_members(data: bytes, budget: InflateBudget | None) -> list[tuple[str, bytes]]:
    archive = SafeZip(data, budget=budget)
    if "[Content_Types].xml" in archive.names or "mimetype" in archive.names:
        raise FileRejected(_SPREADSHEET)
    csvs = [name for name in archive.names if name.lower().endswith(".csv")
            and not name.startswith("__MACOSX/") and not _basename(name).startswith(".")]
    if not csvs:
        raise FileRejected(_("L’archive ZIP ne contient aucun fichier CSV de résultats de "
                             "certification."))
    return [(_basename(name), archive.read(name)) for name in csvs]


def _basename(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


_SPREADSHEET = _("Ce fichier est un classeur (Excel ou OpenDocument), pas un fichier CSV de "
                 "résultats de certification : téléchargez à nouveau les résultats depuis "
                 "Pix Orga, sans les ouvrir ni les enregistrer dans un tableur.")


def _open(data: bytes) -> Table:
    """The table of a CSV file, or a rejection saying what the file seems to be instead."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if b"[Content_Types].xml" in data or b"mimetypeapplication" in data[:200]:
            raise FileRejected(_SPREADSHEET)
        raise FileRejected(_("Ce fichier est une archive ZIP, pas un fichier CSV de résultats "
                             "de certification."))
    if data.startswith(b"%PDF"):
        raise FileRejected(_("Ce fichier est un PDF (une attestation ?), pas un fichier CSV de "
                             "résultats de certification."))
    text = decode(data)
    head = text.lstrip()[:4096]
    if head.startswith("<"):
        if "BEE_ELEVES" in head:
            raise FileRejected(_("Ce fichier ressemble à une base élèves SIECLE (XML), pas à "
                                 "des résultats de certification."))
        raise FileRejected(_("Ce fichier est un fichier XML ou HTML, pas un fichier CSV de "
                             "résultats de certification."))
    return read_table(text)


# --- columns --------------------------------------------------------------------------------


def _find_columns(table: Table, results: CertificationResults) -> _Columns:
    columns = _Columns()
    for header in table.headers:
        folded = fold(unquote_formula(header))
        name = _FIELD_BY_LABEL.get(folded)
        if name is not None:
            columns.fields.setdefault(name, header)
        elif folded in COMPETENCE_CODES:
            columns.levels.setdefault(folded, header)
        elif folded.startswith(_COMPLEMENTARY) and len(folded) > len(_COMPLEMENTARY):
            label = unquote_formula(header)[len(COMPLEMENTARY_PREFIX):].strip()
            columns.complementary.setdefault(label, header)
        elif header.strip():
            columns.unknown.append(header)
    if "number" not in columns.fields and not ("status" in columns.fields
                                               and len(columns.levels) >= 8):
        raise FileRejected(_not_certification_results(table))
    for name in _REQUIRED:
        if name not in columns.fields:
            _missing(results, _FIELDS[name][0])
    if "pix" not in columns.fields and "score" not in columns.fields:
        _missing(results, PIX)
    for code in COMPETENCE_CODES:
        if code not in columns.levels:
            _missing(results, code)
    results.newer_layout = "score" in columns.fields
    results.complementary_labels = tuple(columns.complementary)
    if columns.unknown:
        _unknown_columns(results, columns.unknown)
    return columns


def _set_kind(results: CertificationResults, columns: _Columns, filename: str) -> None:
    """Which kind of file, hence where each row's class comes from.

    A `Classe` column (a merged file) names each row's class, whatever the file's name. Pix
    Certif's session files (`get-session-certification-results-csv.js`) name no class: their
    name says so, or, renamed, their `Centre de certification` column, which Pix Orga's
    per-class files never have (`DivisionCertificationResultsCsvBuilder.js`); their classes
    are the matched pupils'. Any other name without a class is warned of.
    """
    if "division" in columns.fields:
        results.kind, results.division = "merged", ""
    elif not results.division and (is_session_filename(filename)
                                   or "centre" in columns.fields):
        results.kind = "session"
    elif filename and not results.division:
        results.warnings.append(RowError(None, _(
            "Le nom du fichier « %(name)s » n’est pas celui d’un fichier de résultats par "
            "classe (AAAAMMJJ_resultats_<classe>.csv) : la classe n’a pas pu en être déduite."
        ), params={"name": results.filename}))


def _repeats_header(row: Row, headers: list[str]) -> bool:
    return all(unquote_formula(row.get(h)) == unquote_formula(h) for h in headers if h)


_LISTED_UNKNOWN = 10


def _unknown_columns(results: CertificationResults, headers: list[str]) -> None:
    """Said to the user: nothing of a file is read and then dropped without a word."""
    results.unknown_columns = tuple(headers)
    for header in headers[:_LISTED_UNKNOWN]:
        results.warnings.append(RowError(None, _(
            "Colonne non reconnue, ignorée : « %(column)s ». Ses valeurs ne sont pas "
            "enregistrées."), column=unquote_formula(header),
            params={"column": unquote_formula(header)}))
    if len(headers) > _LISTED_UNKNOWN:
        results.warnings.append(RowError(None, _(
            "%(count)s autres colonnes non reconnues sont ignorées, elles aussi."),
            params={"count": len(headers) - _LISTED_UNKNOWN}))


def _missing(results: CertificationResults, label: str) -> None:
    results.errors.append(RowError(None, _("Colonne manquante : « %(column)s »."), column=label,
                                   params={"column": label}))


def _not_certification_results(table: Table) -> str:
    """What the file seems to be, since it has no certification number."""
    if table.find("Envoi (O/N)", "Partage (O/N)", "Nom du Participant", "ID Campagne"):
        return _("Ce fichier ressemble à un export de résultats de campagne Pix Orga, pas à "
                 "des résultats de certification.")
    if table.find("Identifiant unique", "Premier prénom", "Code MEF", prefix=True):
        return _("Ce fichier ressemble à une liste d’élèves, pas à des résultats de "
                 "certification.")
    if table.find("* Nom de naissance", "Nom de naissance", prefix=True):
        return _("Ce fichier ressemble à une liste de candidats à la certification (Pix "
                 "Certif), pas à des résultats de certification.")
    return _("Ce fichier n’est pas un fichier de résultats de certification Pix : il n’a pas "
             "de colonne « Numéro de certification ».")


# --- rows -----------------------------------------------------------------------------------

T = TypeVar("T")


class _Cells:
    """One row's cells, parsed one by one; a bad cell is reported and reads as None."""

    def __init__(self, row: Row, errors: list[RowError]) -> None:
        self.row = row
        self.errors = errors
        self.failed = False

    def raw(self, header: str | None) -> str:
        return self.row.get(header)

    def text(self, header: str | None) -> str:
        return unquote_formula(self.row.get(header))

    def error(self, header: str | None, message: str, **params: object) -> None:
        self.failed = True
        column = unquote_formula(header) if header else None
        self.errors.append(RowError(self.row.line, message, column=column, params=params))

    def parse(self, header: str | None, parse: Callable[[str], T]) -> T | None:
        if header is None:
            return None
        try:
            return parse(self.row.get(header))
        except CellError as error:
            self.error(header, error.message, **error.params)
            return None


def _read_row(cells: _Cells, columns: _Columns, truncated: str | None) -> CertificationRow | None:
    row, fields = cells.row, columns.fields
    if row_has_extra_cells(row):
        cells.error(None, _("la ligne a plus de cellules que l’en-tête (séparateur mal "
                            "choisi, ou « ; » dans une valeur sans guillemets ?)"))
        return None
    if truncated is not None and row.get(truncated) == "":
        cells.error(None, _("ligne incomplète : des cellules manquent en fin de ligne "
                            "(fichier coupé ?)"))
        return None
    number = cells.text(fields["number"])
    if not number:
        cells.error(fields["number"], _("valeur manquante"))
    last_name = cells.text(fields["last_name"])
    if not last_name:
        cells.error(fields["last_name"], _("nom du candidat vide"))
    status_label = cells.text(fields["status"])
    status = cells.parse(fields["status"], _status)
    pix_header = fields.get("pix", fields.get("score"))
    pix = cells.parse(pix_header, _pix)
    score = cells.parse(fields.get("score"), _pix) if "pix" in fields else pix
    levels = {code: cells.parse(header, _level) for code, header in columns.levels.items()}
    birthdate = cells.parse(fields["birthdate"], _optional_date)
    taken_on = cells.parse(fields["taken_on"], _optional_date)
    if status is CertificationStatus.VALIDATED and cells.raw(pix_header) == DASH:
        cells.error(pix_header, _("certification validée sans score : « - » au lieu d’un "
                                  "nombre de pix"))
    complementary = {label: cells.parse(header, _complementary)
                     for label, header in columns.complementary.items()}
    if cells.failed or status is None:
        return None
    global_level = cells.text(fields.get("global_level"))
    return CertificationRow(
        line=row.line,
        certification_number=number,
        first_name=cells.text(fields["first_name"]),
        last_name=last_name,
        birthdate=birthdate,
        birth_place=cells.text(fields.get("birth_place")),
        external_id=cells.text(fields.get("external_id")),
        status=status,
        status_label=status_label,
        pix=pix,
        competence_levels=MappingProxyType({code: levels[code] for code in COMPETENCE_CODES}),
        jury_comment=cells.text(fields.get("jury_comment")),
        session=cells.text(fields["session"]),
        taken_on=taken_on,
        certification_type=cells.text(fields.get("type")),
        global_level="" if global_level == DASH else global_level,
        score_pix=score if "score" in fields else None,
        centre=cells.text(fields.get("centre")),
        complementary=MappingProxyType(complementary),
        division=cells.text(fields.get("division")),
    )


def _check_consistency(row: CertificationRow, columns: _Columns,
                       warnings: list[RowError]) -> None:
    """Warnings for what Pix never writes but leaves the row meaningful."""
    def warn(field_name: str | None, message: str, **params: object) -> None:
        header = columns.fields.get(field_name) if field_name else None
        warnings.append(RowError(row.line, message, column=header, params=params))

    scored = [level for level in row.competence_levels.values() if level]
    if row.status is CertificationStatus.REJECTED:
        if row.pix:
            warn("pix" if "pix" in columns.fields else "score", _(
                "certification non obtenue avec %(pix)s pix (Pix écrit 0)"), pix=row.pix)
        if scored:
            warn(None, _("certification non obtenue avec des niveaux de compétence "
                         "supérieurs à 0"))
    elif not row.status.has_results and (row.pix is not None or scored):
        warn("status", _("certification « %(status)s » avec un score ou des niveaux (Pix "
                         "écrit « - »)"), status=row.status_label)
    score = row.score_pix if row.score_pix is not None else row.pix
    if row.global_level in V3_LEVEL_NAMES and score is not None \
            and v3_global_level(score) != row.global_level:
        warn("global_level", _("niveau « %(level)s » incohérent avec le score de %(pix)s pix"),
             level=row.global_level, pix=score)


# --- cell parsers ---------------------------------------------------------------------------

_INTEGER = re.compile(r"-?\d+")


def _status(raw: str) -> CertificationStatus:
    if not raw:
        raise CellError(_("valeur manquante"))
    status = status_from_label(unquote_formula(raw))
    if status is None:
        raise CellError(_("statut inconnu « %(value)s » (%(expected)s attendu)"), value=raw,
                        expected=", ".join(STATUS_LABELS))
    return status


def _complementary(raw: str) -> str:
    """The cell as written, once known to be one of Pix's complementary statuses."""
    text = unquote_formula(raw)
    if not text:
        raise CellError(_("valeur manquante (%(expected)s attendu)"),
                        expected=", ".join(COMPLEMENTARY_LABELS.values()))
    if complementary_status_from_label(text) is None:
        raise CellError(_("résultat de certification complémentaire inconnu « %(value)s » "
                          "(%(expected)s attendu)"), value=raw,
                        expected=", ".join(COMPLEMENTARY_LABELS.values()))
    return text


def _pix(raw: str) -> int | None:
    if raw == DASH:
        return None
    if not raw:
        raise CellError(_("valeur manquante (un nombre de pix ou « - » attendu)"))
    if _INTEGER.fullmatch(raw) and 0 <= int(raw) <= MAX_CERTIFICATION_PIX:
        return int(raw)
    raise CellError(_("nombre de pix entre 0 et %(max)s ou « - » attendu, « %(value)s » "
                      "trouvé"), value=raw, max=MAX_CERTIFICATION_PIX)


def _level(raw: str) -> int | None:
    if raw == DASH:
        return None
    if not raw:
        raise CellError(_("valeur manquante (un niveau ou « - » attendu)"))
    if _INTEGER.fullmatch(raw) and 0 <= int(raw) <= FRAMEWORK_MAX_LEVEL:
        return int(raw)
    raise CellError(_("niveau entre 0 et %(max)s ou « - » attendu, « %(value)s » trouvé"),
                    value=raw, max=FRAMEWORK_MAX_LEVEL)


def _optional_date(raw: str) -> date | None:
    return parse_date(raw) if raw else None
