"""The progression table as a CSV file: one row per pupil, built from the stored compliance the
pages read, so that a figure on screen and in the file is the same."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from campaigns.selectors import division_sort_key
from pix.files import BOM, neutralise

from .models import PupilCompliance

HEADER = ("INE", "Nom", "Prénom", "Classe", "Niveau", "Objectif atteint (O/N)",
          "Compétences manquantes")
SEPARATOR = " ; "


def _met(value: bool | None) -> str:
    if value is None:
        return ""  # no objective for the grade
    return "O" if value else "N"


def progression_table(rows: Iterable[PupilCompliance]) -> list[list[str]]:
    """Rows with `pupil` and `school_class`, in class (school order) then name order."""
    ordered = sorted(rows, key=lambda r: (division_sort_key(r.school_class.code),
                                          r.pupil.display_last_name, r.pupil.first_name,
                                          r.pupil_id))
    return [
        [row.pupil.ine, row.pupil.display_last_name, row.pupil.first_name,
         row.school_class.code, row.grade, _met(row.met),
         SEPARATOR.join(row.missing_texts)]
        for row in ordered
    ]


def progression_csv(rows: Iterable[PupilCompliance]) -> str:
    """UTF-8 text with a BOM, `;`-separated, LF, every cell neutralised (no formula runs)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for line in progression_table(rows):
        writer.writerow([neutralise(cell) for cell in line])
    return BOM + out.getvalue()
