"""What every Pix file has in common: decoding, CSV tables read by header, cell values, errors.

A reader never raises on bad input: it returns the rows it could read and a list of
`RowError`, each naming its line and column, so a person can fix the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from . import limits
from .i18n import _
from .referential import fold

PARIS = ZoneInfo("Europe/Paris")
BOM = "\ufeff"
NA = "NA"
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_QUOTED = 100  # characters of a cell quoted in an error message


@dataclass(frozen=True)
class RowError:
    """A problem in a file: `line` is 1-based (the header is line 1), None for the whole file.

    `message` is French with `%(name)s` placeholders, marked for translation; `params` fills
    them. `str()` gives the French text with its place.
    """

    line: int | None
    message: str
    column: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A cell quoted in a message is cut: a 60 KB cell a thousand times would fill the job
        # row and its page.
        if any(isinstance(v, str) and len(v) > MAX_QUOTED for v in self.params.values()):
            object.__setattr__(self, "params", {
                k: v[:MAX_QUOTED] + "…" if isinstance(v, str) and len(v) > MAX_QUOTED else v
                for k, v in self.params.items()
            })

    @property
    def text(self) -> str:
        return self.message % dict(self.params) if self.params else self.message

    def __str__(self) -> str:
        if self.line is None:
            return self.text
        if self.column:
            return f"Ligne {self.line}, colonne « {self.column} » : {self.text}"
        return f"Ligne {self.line} : {self.text}"


class FileRejected(Exception):
    """The whole file cannot be read (encoding, emptiness, wrong kind of file, too big).

    `at_line`, when given, is where the reading stopped (a NUL byte, a line too long).
    """

    def __init__(self, message: str, *, at_line: int | None = None, **params: object) -> None:
        self.error = RowError(at_line, message, params=params)
        super().__init__(str(self.error))


def check_error_cap(errors: list[RowError], line: int | None) -> bool:
    """True once `errors` holds `limits.MAX_ERRORS` errors, the last saying where reading
    stopped: the reader then leaves its loop, so a file of bad lines stays cheap."""
    if len(errors) < limits.MAX_ERRORS:
        return False
    del errors[limits.MAX_ERRORS:]  # a row may have added several
    errors.append(RowError(line, limits.too_many_errors_message(),
                           params={"max": limits.number(limits.MAX_ERRORS)}))
    return True


# --- decoding -----------------------------------------------------------------------------

_FRENCH_LETTERS = set("àâäçéèêëîïôöùûüÿæœÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ")
_TYPOGRAPHY = set("’‘«»“”–—…€°\u00a0\u202f")


def _french_score(text: str) -> int:
    """How French a decoding looks: +1 for each non-ASCII character that is plausible French
    where it stands, -1 for symbols, foreign letters and letters out of place.

    Case and place matter: `NOËL` in MacRoman reads `NOèL` in Windows-1252, `Zoé` in
    Windows-1252 reads `ZoÈ` in MacRoman, MacRoman `Maël` reads `Ma‘l`: all still letters or
    punctuation, only misplaced.
    """
    score = 0
    for count, match in enumerate(_NON_ASCII.finditer(text)):
        if count == _SCORED:  # enough to tell the encodings apart; a file of accents stays cheap
            break
        score += 1 if _plausible(text, match.start()) else -1
    return score


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SCORED = 20_000


def _plausible(text: str, index: int) -> bool:
    char = text[index]
    before = text[index - 1] if index else ""
    after = text[index + 1 : index + 2]
    if char in _TYPOGRAPHY:  # inside a word, only the apostrophe (aujourd’hui, D’Almeida)
        return char == "’" or not (before.isalpha() and after.isalpha())
    if char not in _FRENCH_LETTERS:
        return False
    if not before.isalpha() and not after.isalpha():
        return char in "àÀ"  # the only one-letter French word with an accent
    if char.isupper():  # not after a small letter (`ZoÈ`)
        return not (before.isalpha() and before.islower())
    before2 = text[index - 2] if index > 1 else ""  # a small letter not inside capitals (`NOèL`)
    return not (before.isupper() and (after.isupper() or before2.isupper()))


def decode(data: bytes) -> str:
    """Text of a file in UTF-8 (with or without BOM), Windows-1252 or MacRoman.

    Windows-1252 and MacRoman both decode almost any byte, so the one that yields French
    letters in the right case rather than symbols wins; a tie goes to Windows-1252.
    The bytes are checked first (`limits.text_problem`): a file too big to be a real one is
    refused before any decoding.
    """
    if not data or not data.strip():
        raise FileRejected(_("Le fichier est vide."))
    if b"\x00" in data[:4096]:
        raise FileRejected(
            _("Le fichier n’est pas un fichier texte (CSV) : enregistrez-le au format CSV.")
        )
    problem = limits.text_problem(data)
    if problem is not None:
        line, message, params = problem
        raise FileRejected(message, at_line=line, **params)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        candidates = []
        for encoding in ("cp1252", "mac_roman"):
            try:
                decoded = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            candidates.append((_french_score(decoded), decoded))
        if not candidates:
            raise FileRejected(
                _("Encodage du fichier non reconnu : enregistrez-le en UTF-8.")
            ) from None
        text = max(candidates, key=lambda c: c[0])[1]
    return text.removeprefix(BOM)


# --- CSV tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int  # line of the file where the row starts
    cells: Mapping[str, str]  # header as written in the file → raw cell text

    def get(self, header: str | None) -> str:
        if header is None:
            return ""
        return self.cells.get(header, "")


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    delimiter: str

    def find(self, *labels: str, prefix: bool = False) -> str | None:
        """The header matching one of `labels` (folded comparison), or None."""
        wanted = [fold(label) for label in labels]
        for header in self.headers:
            folded = fold(header)
            for label in wanted:
                if folded == label or (prefix and folded.startswith(label)):
                    return header
        return None


def sniff_delimiter(first_line: str, candidates: Sequence[str] = (";", ",", "\t")) -> str:
    counts = {d: first_line.count(d) for d in candidates}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else candidates[0]


def read_table(text: str) -> Table:
    """A CSV table with its headers and line-numbered rows; `;`, `,` or tab separated.

    Blank lines are skipped; rows keep the line where they start, header being line 1.
    The columns of the header and the number of cells are checked before any row is read.
    """
    # Lazily: splitting the whole text into lines would cost as much as the file is hostile.
    first_line = next(
        (m.group() for m in re.finditer(r"[^\r\n]+", text) if m.group().strip()), ""
    )
    delimiter = sniff_delimiter(first_line)
    problem = limits.table_problem(
        first_line.count(delimiter) + 1, max(text.count("\n"), text.count("\r")) + 1
    )
    if problem is not None:
        line, message, params = problem
        raise FileRejected(message, at_line=line, **params)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[Row] = []
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if headers is None:
                headers = unique_headers([h.strip() for h in record])
                continue
            cells = {h: (record[i].strip() if i < len(record) else "") for i, h in
                     enumerate(headers)}
            if len(record) > len(headers) and any(c.strip() for c in record[len(headers):]):
                cells["\x00extra"] = "1"
            rows.append(Row(start, cells))
    except csv.Error as exc:
        raise FileRejected(
            _("Le fichier CSV est mal formé près de la ligne %(line)s : %(detail)s"),
            line=line, detail=_csv_detail(exc),
        ) from exc
    if headers is None:
        raise FileRejected(_("Le fichier est vide."))
    return Table(headers, rows, delimiter)


_CSV_ERRORS_FR = {  # the csv module's messages are English
    "field larger than field limit": _("une cellule est trop longue (guillemet non refermé ?)"),
    "unexpected end of data": _("fin de fichier inattendue (guillemet non refermé ?)"),
    "line contains NUL": _("caractère nul (octet 0)"),
    "new-line character seen in unquoted field": _("fin de ligne inattendue"),
}


def _csv_detail(exc: csv.Error) -> str:
    english = str(exc)
    return next((french for start, french in _CSV_ERRORS_FR.items()
                 if english.startswith(start)), english)


REPEAT_MARK = "\x00"


def unique_headers(labels: list[str]) -> list[str]:
    """Headers as row keys: a label seen again is keyed `label\x00n` (n-th time), so that
    its cells are kept apart instead of overwriting the first one's. A campaign's external
    id may be labelled like one of Pix's own columns (`Classe`)."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        count = seen[label] = seen.get(label, 0) + 1
        unique.append(label if count == 1 else f"{label}{REPEAT_MARK}{count}")
    return unique


def header_label(header: str) -> str:
    """The label of a header as written in the file, without the mark of a repeat."""
    return header.split(REPEAT_MARK, 1)[0]


def row_has_extra_cells(row: Row) -> bool:
    return "\x00extra" in row.cells


# --- cell values --------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; `message` and `params` as in `RowError`."""

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


def unquote_formula(value: str) -> str:
    """Pix prefixes `'` to a text starting with - @ = + (CSV injection guard): undo it."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def neutralise(value: object) -> object:
    """For our own exports: a text starting with = + - @ cannot run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def is_na(value: str) -> bool:
    return value.strip() in ("", NA)


def parse_int(value: str) -> int:
    text = value.strip().replace("\u202f", "").replace(" ", "")
    if not re.fullmatch(r"-?\d+", text):
        raise CellError(_("nombre entier attendu, « %(value)s » trouvé"), value=value)
    return int(text)


def parse_decimal(value: str) -> Decimal:
    """A number written with a decimal comma (`0,67`) or point."""
    text = value.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("nombre attendu, « %(value)s » trouvé"), value=value) from None
    if not number.is_finite():
        raise CellError(_("nombre attendu, « %(value)s » trouvé"), value=value)
    return number


def parse_fraction(value: str) -> Decimal:
    """A rate between 0 and 1 (`0,67`)."""
    number = parse_decimal(value)
    if not 0 <= number <= 1:
        raise CellError(_("taux entre 0 et 1 attendu, « %(value)s » trouvé"), value=value)
    return number


_YES = {"oui", "o", "yes", "true", "1"}
_NO = {"non", "n", "no", "false", "0"}


def parse_yes_no(value: str) -> bool:
    folded = value.strip().lower()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellError(_("« Oui » ou « Non » attendu, « %(value)s » trouvé"), value=value)


def parse_date(value: str) -> date:
    """`DD/MM/YYYY`, `DD/MM/YY` (pupil lists) or `YYYY-MM-DD` (older Pix files)."""
    text = value.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if pattern == "%d/%m/%y" and parsed.year > date.today().year:
            parsed = parsed.replace(year=parsed.year - 100)  # a birthdate is in the past
        return parsed
    raise CellError(_("date invalide « %(value)s » (jj/mm/aaaa attendu)"), value=value)


def parse_datetime(value: str) -> datetime:
    """`DD/MM/YYYY HH:mm` in Europe/Paris, or an older `YYYY-MM-DD` date; returns aware."""
    text = value.strip()
    for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=PARIS)
        except ValueError:
            continue
    try:
        return datetime.combine(parse_date(text), datetime.min.time(), tzinfo=PARIS)
    except CellError:
        raise CellError(
            _("date et heure invalides « %(value)s » (jj/mm/aaaa hh:mm attendu)"), value=value
        ) from None


def format_decimal(value: float | Decimal | None, places: int = 2) -> str:
    """`12,35`: French decimal comma, fixed places; empty for None."""
    if value is None:
        return ""
    return f"{value:.{places}f}".replace(".", ",")


def iter_errors_first(errors: Sequence[RowError], limit: int = 200) -> Iterator[RowError]:
    yield from sorted(errors, key=lambda e: (e.line or 0, e.column or ""))[:limit]
