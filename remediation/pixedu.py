"""Teachers' Pix+ Édu steps from a CSV file: a reader, pure, that returns typed rows and French
line-numbered errors. The import service checks the addresses against the establishment and
writes everything in one transaction, or nothing.

The format (UTF-8 or Windows-1252, `;` or `,` separated, one header line):

    e-mail;positionnement;parcours;attestation;certification;neotitulaire
    anne.martin@ac-poitiers.fr;12/09/2026;O;N;
    paul.durand@ac-poitiers.fr;O;;;;O

- `e-mail`: the teacher's address in pixorga (required, once per file);
- `positionnement` (self-positioning), `parcours` (training parcours), `attestation`,
  `certification`: a date `jj/mm/aaaa` (done that day), `O` or `Oui` (done, date unknown),
  `N`, `Non` or empty (not done);
- `neotitulaire` (optional column): `O` for a newly tenured teacher, `N` or empty otherwise;
  without the column, the flag already recorded is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pix.files import (
    CellError,
    FileRejected,
    RowError,
    check_error_cap,
    decode,
    parse_date,
    read_table,
)
from pix.i18n import _
from pix.referential import fold

STEP_KEYS = ("positioning", "training", "attestation", "certification")
# key → accepted headers (compared folded, without spaces, dashes or underscores)
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("e-mail", "email", "courriel", "adresse e-mail", "mail"),
    "positioning": ("positionnement", "autopositionnement", "auto-positionnement"),
    "training": ("parcours", "parcours de formation", "formation"),
    "attestation": ("attestation",),
    "certification": ("certification",),
    "newly_tenured": ("neotitulaire", "néo-titulaire", "neo-titulaire", "néotitulaire"),
}
HEADER = "e-mail;positionnement;parcours;attestation;certification;neotitulaire"
REQUIRED = ("email", *STEP_KEYS)
MAX_EMAIL = 254  # RFC 5321
EMAIL_RE = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
YES = {"o", "oui", "x", "1"}
NO = {"", "n", "non", "0"}


@dataclass(frozen=True)
class Step:
    done: bool
    on: date | None = None


@dataclass(frozen=True)
class PixEduRow:
    line: int
    email: str  # lower-cased
    steps: dict[str, Step]
    newly_tenured: bool | None  # None: the column is absent


@dataclass
class PixEduFile:
    rows: list[PixEduRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _key(header: str) -> str:
    return re.sub(r"[\s\-_]", "", fold(header))


def parse_step(value: str, today: date | None = None) -> Step:
    text = value.strip()
    if text.lower() in YES:
        return Step(True)
    if text.lower() in NO:
        return Step(False)
    try:
        day = parse_date(text)
    except CellError:
        raise CellError(_("« %(value)s » : une date jj/mm/aaaa, O ou N attendu"),
                        value=value) from None
    if today is not None and day > today:
        raise CellError(_("la date %(value)s est à venir"), value=value)
    return Step(True, day)


def read_pix_edu_csv(data: bytes, *, today: date | None = None) -> PixEduFile:
    """Rows and errors of a Pix+ Édu steps file; the header is line 1."""
    result = PixEduFile()
    try:
        table = read_table(decode(data))
    except FileRejected as rejected:
        result.errors.append(rejected.error)
        return result
    headers: dict[str, str] = {}
    wanted = {key: {_key(label) for label in labels} for key, labels in COLUMNS.items()}
    for header in table.headers:
        for key, labels in wanted.items():
            if _key(header) in labels and key not in headers:
                headers[key] = header
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in headers]
    if missing:
        result.errors.append(RowError(
            1, _("colonnes absentes : %(columns)s. L’en-tête attendu est « %(header)s »."),
            params={"columns": ", ".join(missing), "header": HEADER},
        ))
        return result
    if not table.rows:
        result.errors.append(RowError(None, _("Le fichier ne contient aucun enseignant.")))
        return result
    first_line: dict[str, int] = {}
    for row in table.rows:
        if check_error_cap(result.errors, row.line):
            break
        errors_before = len(result.errors)
        email = row.get(headers["email"]).strip().lower()
        if not email:
            result.errors.append(RowError(row.line, _("adresse e-mail manquante"),
                                          headers["email"]))
        elif len(email) > MAX_EMAIL or not EMAIL_RE.match(email):  # the regex is quadratic
            result.errors.append(RowError(row.line, _("« %(value)s » n’est pas une adresse "
                                                      "e-mail"), headers["email"],
                                          {"value": email}))
        elif email in first_line:
            result.errors.append(RowError(row.line, _("adresse déjà donnée ligne %(first)s"),
                                          headers["email"], {"first": first_line[email]}))
        else:
            first_line[email] = row.line
        steps: dict[str, Step] = {}
        for key in STEP_KEYS:
            try:
                steps[key] = parse_step(row.get(headers[key]), today)
            except CellError as error:
                result.errors.append(RowError(row.line, error.message, headers[key],
                                              error.params))
        newly_tenured = None
        if "newly_tenured" in headers:
            text = row.get(headers["newly_tenured"]).strip().lower()
            if text in YES:
                newly_tenured = True
            elif text in NO:
                newly_tenured = False
            else:
                result.errors.append(RowError(
                    row.line, _("« %(value)s » : O ou N attendu"), headers["newly_tenured"],
                    {"value": text},
                ))
        if len(result.errors) == errors_before:
            result.rows.append(PixEduRow(row.line, email, steps, newly_tenured))
    return result
