"""The Pix Certif candidate list: what our certification planning exports for Pix Certif.

Columns are those of Pix Certif's candidates import (`* Nom de naissance` … `E-mail de
convocation`), in the order of `CANDIDATE_HEADERS`; Pix reads them by name. Dates are text
`DD/MM/YYYY`, as Pix's template reads them. Extra time ("Temps majoré ?") is a percentage:
`33%` in the CSV, the number 0.33 shown as `33%` in the spreadsheet, which is what Pix reads
from a percentage cell. The reader exists to prove that what we write can be read back.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .files import (
    BOM,
    CellError,
    FileRejected,
    Row,
    RowError,
    check_error_cap,
    decode,
    neutralise,
    parse_date,
    read_table,
    unquote_formula,
)
from .i18n import _
from .referential import fold

LAST_NAME = "* Nom de naissance"
FIRST_NAME = "* Prénom"
BIRTHDATE = "* Date de naissance (format : jj/mm/aaaa)"
SEX = "* Sexe (M ou F)"
INSEE_CODE = "Code Insee"
POSTAL_CODE = "Code postal"
COMMUNE = "Nom de la commune"
COUNTRY = "Pays"
LOCAL_ID = "Identifiant local"
EXTRA_TIME = "Temps majoré ?"
RESULT_EMAIL = "E-mail du destinataire des résultats (formateur, enseignant…)"
CONVOCATION_EMAIL = "E-mail de convocation"

CANDIDATE_HEADERS: tuple[str, ...] = (
    LAST_NAME, FIRST_NAME, BIRTHDATE, SEX, INSEE_CODE, POSTAL_CODE, COMMUNE, COUNTRY, LOCAL_ID,
    EXTRA_TIME, RESULT_EMAIL, CONVOCATION_EMAIL,
)
FRANCE = "FRANCE"
MAX_EXTRA_TIME = 999  # Pix stores a fraction below 10, that is below 1000 %
SHEET_TITLE = "Candidats"
# column widths in the spreadsheet, in characters, by header
_WIDTHS = {LAST_NAME: 24, FIRST_NAME: 20, BIRTHDATE: 22, SEX: 10, INSEE_CODE: 11,
           POSTAL_CODE: 11, COMMUNE: 24, COUNTRY: 14, LOCAL_ID: 18, EXTRA_TIME: 14,
           RESULT_EMAIL: 34, CONVOCATION_EMAIL: 30}
_TEXT_COLUMNS = frozenset({BIRTHDATE, INSEE_CODE, POSTAL_CODE, LOCAL_ID})  # leading zeros


@dataclass(frozen=True, slots=True)
class Candidate:
    """One pupil to enrol. `extra_time` is a percentage (33 for a tiers-temps), None if none.

    A person born in France needs an INSEE code, or a postal code and a commune; born
    abroad, a commune (Pix Certif's rules, checked by `read_candidates_csv`).
    """

    last_name: str
    first_name: str
    birthdate: date
    sex: str  # "M" or "F"
    insee_code: str = ""
    postal_code: str = ""
    commune: str = ""
    country: str = FRANCE
    local_id: str = ""
    extra_time: int | None = None
    result_email: str = ""
    convocation_email: str = ""

    def __post_init__(self) -> None:
        if self.sex not in ("M", "F"):
            raise ValueError(f"sex must be 'M' or 'F': {self.sex!r}")
        if self.extra_time is not None and not 0 < self.extra_time <= MAX_EXTRA_TIME:
            raise ValueError(f"extra time out of 1–{MAX_EXTRA_TIME} %: {self.extra_time}")


def _values(candidate: Candidate) -> tuple[str, ...]:
    return (
        candidate.last_name, candidate.first_name, f"{candidate.birthdate:%d/%m/%Y}",
        candidate.sex, candidate.insee_code, candidate.postal_code, candidate.commune,
        candidate.country, candidate.local_id,
        "" if candidate.extra_time is None else f"{candidate.extra_time}%",
        candidate.result_email, candidate.convocation_email,
    )


# --- writers --------------------------------------------------------------------------------


def write_candidates_csv(candidates: Iterable[Candidate]) -> bytes:
    """UTF-8 with BOM, `;`, LF; a text starting with = + - @ is prefixed by `'`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(CANDIDATE_HEADERS)
    for candidate in candidates:
        writer.writerow([neutralise(value) for value in _values(candidate)])
    return (BOM + buffer.getvalue()).encode("utf-8")


def write_candidates_xlsx(candidates: Iterable[Candidate]) -> bytes:
    """One sheet, exactly `CANDIDATE_HEADERS` in row 1, one candidate a row.

    Every value is a text cell (dates `DD/MM/YYYY`, codes keeping their leading zeros), never
    a formula whatever it starts with; extra time is a number shown as a percentage.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(CANDIDATE_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_index, candidate in enumerate(candidates, start=2):
        for column_index, (header, value) in enumerate(
                zip(CANDIDATE_HEADERS, _values(candidate), strict=True), start=1):
            cell = sheet.cell(row=row_index, column=column_index)
            if header == EXTRA_TIME:
                if candidate.extra_time is not None:
                    cell.value = candidate.extra_time / 100
                    cell.number_format = "0%"
                continue
            cell.value = value
            cell.data_type = "s"  # "=…" stays a text: no formula runs when the file opens
            if header in _TEXT_COLUMNS:
                cell.number_format = "@"
    for column_index, header in enumerate(CANDIDATE_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(column_index)].width = _WIDTHS[header]
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reader ---------------------------------------------------------------------------------

# field → labels: ours first, then those of Pix Certif's sessions mass import
_LABELS: dict[str, tuple[str, ...]] = {
    "last_name": (LAST_NAME,),
    "first_name": (FIRST_NAME,),
    "birthdate": (BIRTHDATE, "* Date de naissance (format: jj/mm/aaaa)"),
    "sex": (SEX,),
    "insee_code": (INSEE_CODE, "Code INSEE de la commune de naissance"),
    "postal_code": (POSTAL_CODE, "Code postal de la commune de naissance"),
    "commune": (COMMUNE, "Nom de la commune de naissance"),
    "country": (COUNTRY, "* Pays", "* Pays de naissance"),
    "local_id": (LOCAL_ID, "Identifiant externe"),
    "extra_time": (EXTRA_TIME, "Temps majoré ? (exemple format: 33%)"),
    "result_email": (RESULT_EMAIL,),
    "convocation_email": (CONVOCATION_EMAIL,),
}
_REQUIRED = ("last_name", "first_name", "birthdate", "sex")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_OLDEST_BIRTHDATE = date(1900, 1, 1)  # Pix refuses older ones


def read_candidates_csv(data: bytes) -> tuple[list[Candidate], list[RowError]]:
    """Candidates and line-numbered errors of a candidate list; never raises on bad input."""
    try:
        table = read_table(decode(data))
    except FileRejected as rejected:
        return [], [rejected.error]
    headers = {name: table.find(*labels) for name, labels in _LABELS.items()}
    errors = [RowError(None, _("Colonne manquante : « %(column)s »."), column=_LABELS[name][0],
                       params={"column": _LABELS[name][0]})
              for name in _REQUIRED if headers[name] is None]
    if errors:
        return [], errors
    if not table.rows:
        return [], [RowError(None, _("Le fichier ne contient aucun candidat."))]
    candidates = []
    for row in table.rows:
        if check_error_cap(errors, row.line):
            break
        before = len(errors)
        candidate = _read_candidate(row, headers, errors)
        if candidate is not None and len(errors) == before:
            candidates.append(candidate)
    return candidates, errors


def _read_candidate(row: Row, headers: dict[str, str | None],
                    errors: list[RowError]) -> Candidate | None:
    def text(name: str) -> str:
        return unquote_formula(row.get(headers[name]))

    def error(name: str, message: str, **params: object) -> None:
        errors.append(RowError(row.line, message, column=headers[name], params=params))

    values = {name: text(name) for name in _LABELS}
    for name in _REQUIRED:
        if not values[name]:
            error(name, _("valeur manquante"))
    birthdate = extra_time = None
    if values["birthdate"]:
        try:
            birthdate = parse_date(values["birthdate"])
        except CellError as problem:
            error("birthdate", problem.message, **problem.params)
        else:
            if not _OLDEST_BIRTHDATE < birthdate < date.today():
                error("birthdate", _("date de naissance invraisemblable « %(value)s »"),
                      value=values["birthdate"])
    sex = values["sex"].upper()
    if values["sex"] and sex not in ("M", "F"):
        error("sex", _("« M » ou « F » attendu, « %(value)s » trouvé"), value=values["sex"])
    if values["extra_time"]:
        try:
            extra_time = parse_extra_time(values["extra_time"])
        except CellError as problem:
            error("extra_time", problem.message, **problem.params)
    country = values["country"] or FRANCE
    if fold(country) == fold(FRANCE):
        if not values["insee_code"] and not (values["postal_code"] and values["commune"]):
            error("insee_code", _("né en France : le code Insee, ou le code postal et la "
                                  "commune, sont nécessaires"))
    elif not values["commune"]:
        error("commune", _("né à l’étranger : le nom de la commune est nécessaire"))
    for name in ("result_email", "convocation_email"):
        # The length first: the regex is quadratic on a long cell.
        if values[name] and (len(values[name]) > 254 or not _EMAIL.fullmatch(values[name])):
            error(name, _("adresse e-mail invalide « %(value)s »"), value=values[name])
    if birthdate is None or sex not in ("M", "F"):
        return None
    return Candidate(
        last_name=values["last_name"], first_name=values["first_name"], birthdate=birthdate,
        sex=sex, insee_code=values["insee_code"], postal_code=values["postal_code"],
        commune=values["commune"], country=country, local_id=values["local_id"],
        extra_time=extra_time, result_email=values["result_email"],
        convocation_email=values["convocation_email"],
    )


def parse_extra_time(value: str) -> int | None:
    """A percentage: `33%`, `33 %` and `33` are 33; a fraction `0,33` (a percentage cell
    saved as a number) is 33 too; 0 is no extra time."""
    text = value.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    percent = text.endswith("%")
    text = text.removesuffix("%").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CellError(_("pourcentage attendu (par exemple « 33%% »), « %(value)s » trouvé"),
                        value=value)
    if not percent and "." in text:
        number *= 100
    if number != number.to_integral_value() or not 0 <= number <= MAX_EXTRA_TIME:
        raise CellError(_("pourcentage entier entre 0 et %(max)s attendu, « %(value)s » "
                          "trouvé"), value=value, max=MAX_EXTRA_TIME)
    return int(number) or None
