"""Downloads of a campaign's collective results, built from `ResultSummary`: a figure in the
file is the figure on the page.

One row per class as the export names it, then the whole establishment:
`Classe;Participants;Envois;Pix moyen;1.1;…;5.2`. Participants count once each; Envois are
those who shared at least once; Pix moyen is the mean pix total (profiles collection only); a
competence column gives the mean level (profiles collection) or the mean mastery as a fraction
0–1 (assessment), over each participant's latest shared sending; empty where there is none.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pix.files import BOM, neutralise
from pix.numbers import decimal, french, round_half_up
from pix.referential import COMPETENCE_CODES

from .models import Campaign, ResultSummary
from .selectors import division_sort_key, summary_value

CLASS = "Classe"
PARTICIPANTS = "Participants"
SHARED = "Envois"
MEAN_PIX = "Pix moyen"
ESTABLISHMENT_LABEL = "Établissement"
COLUMNS: tuple[str, ...] = (CLASS, PARTICIPANTS, SHARED, MEAN_PIX, *COMPETENCE_CODES)
# CRLF: what Excel writes itself; LibreOffice and Excel both open it without a blank line.
LINE_END = "\r\n"
PLACES = 2  # means are written rounded half up to two places, in the CSV and the workbook


def collective_rows(campaign: Campaign) -> list[dict[str, Any]]:
    """The table as values: str for the class, int for counts, Decimal (exact to six places)
    or None for means."""
    summaries = list(ResultSummary.objects.filter(campaign=campaign))
    classes = sorted(
        (s for s in summaries if s.division != ResultSummary.ESTABLISHMENT),
        key=lambda s: division_sort_key(s.division),
    )
    whole = [s for s in summaries if s.division == ResultSummary.ESTABLISHMENT]
    return [_row(campaign, s, s.division) for s in classes] + [
        _row(campaign, s, ESTABLISHMENT_LABEL) for s in whole
    ]


def _row(campaign: Campaign, summary: ResultSummary, label: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        CLASS: label,
        PARTICIPANTS: summary.participants,
        SHARED: summary.shared,
        MEAN_PIX: None if campaign.gives_mastery else decimal(summary.mean_pix),
    }
    for code in COMPETENCE_CODES:
        row[code] = summary_value(summary, code, gives_mastery=campaign.gives_mastery)
    return row


def french_decimal(value: Decimal | float | None) -> str:
    """`2,13`: two places, rounded half up on the exact value, decimal comma; "" for None."""
    return french(value, PLACES)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return french_decimal(value)
    return str(neutralise(str(value)))


def write_collective_csv(campaign: Campaign) -> bytes:
    """The table as a CSV for Excel and LibreOffice: UTF-8 with BOM, `;`, CRLF, decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator=LINE_END)
    writer.writerow(COLUMNS)
    for row in collective_rows(campaign):
        writer.writerow([_csv_cell(row[column]) for column in COLUMNS])
    return (BOM + buffer.getvalue()).encode("utf-8")


def write_collective_xlsx(campaign: Campaign) -> bytes:
    """The same table as a workbook: numbers as numbers, bold frozen header, sized columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Résultats par classe"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    mean_format = "0.00"
    for row in collective_rows(campaign):
        # means rounded here, not by the spreadsheet (which rounds a binary float): the figure
        # of the page and of the CSV
        sheet.append([round_half_up(value, PLACES) if isinstance(value, Decimal)
                      else neutralise(value) for value in (row[c] for c in COLUMNS)])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal | float):
                cell.number_format = mean_format
    if sheet.max_row > 1:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)  # the establishment's row
    for index, column in enumerate(COLUMNS, start=1):
        values = [column] + [str(c.value) for c in sheet[get_column_letter(index)][1:]
                             if c.value is not None]
        sheet.column_dimensions[get_column_letter(index)].width = max(
            8, min(40, max(len(v) for v in values) + 2)
        )
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
