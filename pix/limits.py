"""The sizes a file may have, in one place, and the cheap scans that enforce them before parsing.

A hostile or broken file must be refused in seconds, in bounded memory, with a French message:
a few megabytes of tiny rows become gigabytes of Python objects once parsed, a zip of 100 KB
inflates to gigabytes, a single 50 MB line keeps a decoder busy for minutes. So every reader
checks the raw bytes first (size, NUL bytes, lines, line length, columns), with C-speed scans
(`bytes.count`, `bytes.find`) whose cost does not depend on how the file is laid out.

The caps are set far above what the biggest real establishment produces, measured with the
project's own generators (`pix.fakes`, `pix.fake_results`) for a lycée of 3,010 pupils in 86
classes:

- pupil base: SIECLE XML 2.1 MB, 60,213 lines, about 51,000 elements (a real export carries
  more fields per pupil: count three times that); Pix CSV 250 KB, 3,011 lines, 15 columns;
- campaign export: profiles collection with half the pupils sending twice 876 KB, 4,365 lines,
  44 columns; assessment with 400 skill columns 8.0 MB, 3,011 lines, 453 columns, lines of
  8.3 KB (1.36 million cells, read in 9 s and 157 MB);
- certification results: one file per class of about 35 lines; a zip of 40 classes under 1 MB;
- Pix+ Édu steps: one line per teacher, a few hundred at most.

`bench/hostile_files.py` measures the other side, through the import jobs: every hostile file
of issue 9 is refused in under 1.5 s with under 210 MB of growth; a valid file right at the
caps (49,000 sendings, or 993 columns for 3,010 pupils) imports in 7 s with a peak under
550 MB, under the worker's 1 GiB ceiling (`CELERY_WORKER_MAX_MEMORY_PER_CHILD`).
"""

from __future__ import annotations

from .i18n import _

MIB = 1024 * 1024

# An uploaded file (each file of a multiple upload together): the largest real file above is
# 8 MB. `settings.MAX_IMPORT_FILE_SIZE` is this value, so the form and the readers agree.
MAX_FILE_BYTES = 25 * MIB
# All the files of one zip once inflated, counted while inflating (the sizes written in a zip
# can lie): a real SIECLE zip inflates to under 10 MB, 40 classes of results to under 1 MB.
MAX_UNZIPPED_BYTES = 40 * MIB
# Files in one zip (a certification zip has one per class: 40 in a big lycée).
MAX_ZIP_MEMBERS = 200
# The zip's central directory, which `zipfile` parses whole before anything else: 200 members
# with long names take about 60 KB.
MAX_ZIP_DIRECTORY_BYTES = 1 * MIB
# Physical lines of a CSV file: 4,365 in the biggest real export; 50,000 also covers a whole
# lycée sending its profile three times.
MAX_LINES = 50_000
# Length of one line of a CSV file, in bytes: 8.3 KB for 453 columns. Stays below the csv
# module's own field limit (128 KB), so its English error never shows.
MAX_LINE_BYTES = 64 * 1024
# Columns of the header line: 453 in an assessment with 400 skills.
MAX_COLUMNS = 1_000
# Lines × columns: a reader keeps one dict entry per cell, about 100 bytes; the biggest real
# file has 1.36 million cells, the cap keeps a reader under about 400 MB.
MAX_CELLS = 3_000_000
# Errors a reader collects before it stops: a person fixes a file from the first ones, and a
# file of 50,000 bad lines would otherwise hold millions of error objects.
MAX_ERRORS = 1_000
# SIECLE XML: elements (51,000 for 3,010 pupils), nesting (6 levels in BEE_ELEVES) and the
# text of one element (names and codes: a few dozen characters).
MAX_XML_ELEMENTS = 500_000
MAX_XML_DEPTH = 32
MAX_XML_TEXT = 10_000


def megabytes(size: int) -> str:
    return f"{size / MIB:.0f}"


def too_big_message() -> str:
    return _("Le fichier dépasse %(max)s Mo : ce n’est pas un fichier exporté de Pix ou de "
             "SIECLE, ou il regroupe plusieurs établissements.")


def file_size_problem(data: bytes) -> tuple[str, dict[str, object]] | None:
    """The upload cap, as a message and its parameters; None when the file is small enough."""
    if len(data) > MAX_FILE_BYTES:
        return too_big_message(), {"max": megabytes(MAX_FILE_BYTES)}
    return None


def nul_byte_line(data: bytes) -> int | None:
    """The line of the first NUL byte, or None: no text file of Pix or SIECLE has one."""
    index = data.find(b"\x00")
    if index < 0:
        return None
    return _line_of(data, index)


def nul_byte_message() -> str:
    return _("le fichier contient un caractère nul (octet 0) : ce n’est pas un fichier texte. "
             "Téléchargez à nouveau le fichier, sans l’ouvrir ni l’enregistrer dans un autre "
             "logiciel.")


def _line_of(data: bytes, index: int) -> int:
    newlines = data.count(b"\n", 0, index)
    return (newlines or data.count(b"\r", 0, index)) + 1


def count_lines(data: bytes) -> int:
    """Physical lines, whatever the line ends (`\\n`, `\\r\\n` or an old Mac's `\\r`)."""
    ends = max(data.count(b"\n"), data.count(b"\r"))
    return ends + (not data.endswith((b"\n", b"\r")))


def number(value: int) -> str:
    """`50 000`: French grouping with a narrow no-break space, for the messages' figures."""
    return f"{value:,}".replace(",", "\u202f")


def text_problem(data: bytes) -> tuple[int | None, str, dict[str, object]] | None:
    """What makes a CSV file too big to read, checked on its bytes before decoding.

    Returns (line, French message, parameters), or None when the file may be parsed. The order
    matters: each check bounds the cost of the next (the line lengths are only measured once
    the number of lines is known to be small).
    """
    size = file_size_problem(data)
    if size is not None:
        return None, *size
    line = nul_byte_line(data)
    if line is not None:
        return line, nul_byte_message(), {}
    lines = count_lines(data)
    if lines > MAX_LINES:
        return None, _("Le fichier compte %(lines)s lignes, plus que les %(max)s qu’un "
                       "établissement peut avoir : ce n’est pas un fichier exporté de Pix."), {
            "lines": number(lines), "max": number(MAX_LINES)}
    for line, text in enumerate(data.splitlines(), start=1):
        if len(text) > MAX_LINE_BYTES:
            return line, _("la ligne fait %(length)s caractères, plus que les %(max)s qu’un "
                           "fichier de Pix peut avoir : le fichier est endommagé ou ce n’est "
                           "pas un fichier CSV."), {
                "length": number(len(text)), "max": number(MAX_LINE_BYTES)}
    return None


def table_problem(header_cells: int, lines: int) -> tuple[int | None, str, dict] | None:
    """Columns and cells, once the delimiter is known (header line = line 1)."""
    if header_cells > MAX_COLUMNS:
        return 1, _("l’en-tête compte %(columns)s colonnes, plus que les %(max)s qu’un "
                    "fichier de Pix peut avoir."), {
            "columns": number(header_cells), "max": number(MAX_COLUMNS)}
    if header_cells * lines > MAX_CELLS:
        return None, _("Le fichier compte trop de cellules (%(lines)s lignes de %(columns)s "
                       "colonnes, %(max)s cellules au plus) : ce n’est pas un fichier exporté "
                       "de Pix."), {"lines": number(lines), "columns": number(header_cells),
                                    "max": number(MAX_CELLS)}
    return None


def too_many_errors_message() -> str:
    return _("Lecture arrêtée après %(max)s erreurs : corrigez d’abord celles-ci (le fichier "
             "n’est peut-être pas celui attendu).")
