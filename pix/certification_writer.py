"""Writing Pix certification results files as Pix does, one class a file, and their zip.

Both layouts keep Pix's file conventions: UTF-8 with BOM, `;`, LF, strings double-quoted,
numbers bare, dates `DD/MM/YYYY`, a `'` before a text starting with `- @ = +`. They differ in
the details of their serialiser:

- older layout (the samples): as Pix's older exports, strings made only of digits and dashes
  are bare (`7001`, `-`), and every line ends with LF, the last one too;
- newer layout: Pix's current serialiser (json2csv) quotes every string, the `-` included
  (`"-"`), writes its numbers (certification number, scores, levels, session) bare, and
  ends the file without a final LF, as Pix's own tests show.

A file read with `read_certification_results` and written back in its layout gives the same
bytes (see the tests for the samples).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from .certification_format import (
    DASH,
    OLDER_HEADERS,
    CertificationRow,
    newer_headers,
    status_from_label,
)
from .files import BOM, FORMULA_PREFIXES
from .referential import COMPETENCE_CODES

_BARE = re.compile(r"[0-9-]+")
_DIGITS = re.compile(r"[0-9]+")


def _quoted(text: str) -> str:
    guard = "'" if text.startswith(FORMULA_PREFIXES) else ""
    return '"' + guard + text.replace('"', '""') + '"'


def _older_text(text: str) -> str:
    """Older Pix: digits and dashes bare (a class `301`, the `-` of no value)."""
    return text if _BARE.fullmatch(text) else _quoted(text)


def _newer_text(text: str) -> str:
    return _quoted(text)


def _newer_number(text: str) -> str:
    """Certification and session numbers are numbers in Pix: bare when they are digits."""
    return text if _DIGITS.fullmatch(text) else _quoted(text)


def _day(value: date | None) -> str:
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _status_label(row: CertificationRow, newer_layout: bool) -> str:
    """The row's own label when it says the row's status, else Pix's label for the layout."""
    if row.status_label and status_from_label(row.status_label) is row.status:
        return row.status_label
    return row.status.layout_label(newer_layout=newer_layout)


def write_certification_results(rows: Iterable[CertificationRow], *,
                                newer_layout: bool = False) -> bytes:
    """One results file in Pix's older (default) or newer layout.

    The older layout has no place for the newer fields (type, level, centre, complementary
    certifications): they are left out. The newer layout writes `score_pix`, or `pix`
    when the row has none, as "Score en Pix"; a global level "" as `-`; one column per
    complementary certification found in the rows, in the order first seen.
    """
    rows = list(rows)
    if newer_layout:
        return _write_newer(rows)
    text = _older_text
    lines = [";".join(map(text, OLDER_HEADERS))]
    for row in rows:
        values = [
            text(row.certification_number), text(row.first_name), text(row.last_name),
            text(_day(row.birthdate)), text(row.birth_place), text(row.external_id),
            text(_status_label(row, False)), _older_number(row.pix),
            *(_older_number(row.competence_levels.get(code)) for code in COMPETENCE_CODES),
            text(row.jury_comment), text(row.session), text(_day(row.taken_on)),
        ]
        lines.append(";".join(values))
    return (BOM + "".join(line + "\n" for line in lines)).encode("utf-8")


def _older_number(value: int | None) -> str:
    return DASH if value is None else str(value)


_QUOTED_DASH = '"' + DASH + '"'  # Pix's no value, never guarded as a formula


def _newer_number_or_dash(value: int | None) -> str:
    return _QUOTED_DASH if value is None else str(value)


def _write_newer(rows: list[CertificationRow]) -> bytes:
    complementary = tuple(dict.fromkeys(label for row in rows for label in row.complementary))
    text = _newer_text
    lines = [";".join(map(text, newer_headers(complementary)))]
    for row in rows:
        score = row.score_pix if row.score_pix is not None else row.pix
        values = [
            _newer_number(row.certification_number), text(row.first_name),
            text(row.last_name), text(_day(row.birthdate)), text(row.birth_place),
            text(row.external_id), text(row.certification_type),
            text(_status_label(row, True)),
            *(text(row.complementary.get(label, "")) for label in complementary),
            text(row.global_level) if row.global_level else _QUOTED_DASH,
            _newer_number_or_dash(score),
            *(_newer_number_or_dash(row.competence_levels.get(code))
              for code in COMPETENCE_CODES),
            text(row.jury_comment), _newer_number(row.session), text(row.centre),
            text(_day(row.taken_on)),
        ]
        lines.append(";".join(values))
    return (BOM + "\n".join(lines)).encode("utf-8")


def write_certification_archive(files: Mapping[str, bytes], *,
                                when: date | datetime | None = None) -> bytes:
    """A zip of results files, {file name: bytes}, in the given order.

    Entries are stamped `when` (default 1 January 2000), so that the same files give the
    same archive, byte for byte.
    """
    moment = when or date(2000, 1, 1)
    stamp = (moment.year, moment.month, moment.day,
             *((moment.hour, moment.minute, moment.second) if isinstance(moment, datetime)
               else (0, 0, 0)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
