"""The certification bilan as files: the analysis table in CSV, and the workbook.

Everything is read from `AnalysisSummary` through `certification.results_selectors`, as the
analysis page is, so a figure in a file is the figure on the page; only the workbook's
"Élèves" sheet lists the results themselves.

The CSV (`Classe;Candidats;Validées;Rejetées;Annulées;En erreur;Pix moyen;1.1;…;5.2`): one
row per class in natural order, then `Établissement`. `Pix moyen` is the mean score of the
validated certifications; a competence column the mean certified level over validated
certifications whose level is not `-`; both with two decimals (rounded half up on the exact
mean) and a decimal comma, empty when there is no such certification. The workbook holds the
same rounded figures (a spreadsheet would round a binary float, not the exact mean). UTF-8
with BOM, `;`, CRLF, as the campaign exports. Complementary certifications (CléA…) follow,
four columns each (`complementary_columns`), and have their own sheet in the workbook.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from campaigns.exports import french_decimal
from certification import results_selectors as selectors
from certification.models import CertificationResult
from establishments.models import Establishment, SchoolYear
from pix.certification_format import DASH
from pix.files import BOM, neutralise
from pix.numbers import round_half_up
from pix.referential import COMPETENCE_BY_CODE, COMPETENCE_CODES, COMPETENCES

CLASS = "Classe"
CANDIDATES = "Candidats"
VALIDATED = "Validées"
REJECTED = "Rejetées"
CANCELLED = "Annulées"
ERROR = "En erreur"
MEAN_PIX = "Pix moyen"
CSV_COLUMNS: tuple[str, ...] = (CLASS, CANDIDATES, VALIDATED, REJECTED, CANCELLED, ERROR,
                                MEAN_PIX, *COMPETENCE_CODES)
LINE_END = "\r\n"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BRAND = "4A2A7A"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=BRAND)
TOTAL_FONT = Font(bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="EEE8F6")
THIN = Side(style="thin", color="BBBBBB")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MEAN_FORMAT = "0.00"
SHARE_FORMAT = "0%"


# --- the analysis table ------------------------------------------------------------------------


def analysis_table(establishment: Establishment,
                   school_year: SchoolYear) -> list[dict[str, Any]]:
    """The table as values: str for the class, int for counts, Decimal or None for means."""
    return _table(selectors.analysis_rows(establishment, school_year))


def _table(rows: list[selectors.AnalysisRow]) -> list[dict[str, Any]]:
    table = []
    for row in rows:
        values: dict[str, Any] = {
            CLASS: row.label, CANDIDATES: row.candidates, VALIDATED: row.validated,
            REJECTED: row.rejected, CANCELLED: row.cancelled, ERROR: row.error,
            MEAN_PIX: row.mean_pix,
        }
        values.update(row.mean_levels)
        table.append(values)
    return table


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return french_decimal(value)
    return str(neutralise(str(value)))


def complementary_columns(name: str) -> tuple[str, ...]:
    """The CSV's four columns of one complementary certification, after the competences."""
    return tuple(f"{name} {figure}" for figure in COMPLEMENTARY_FIGURE_LABELS)


COMPLEMENTARY = "Certification complémentaire"
COMPLEMENTARY_FIGURE_LABELS = ("passée", "obtenue", "non obtenue", "annulée ou en erreur")


def _complementary_values(f: selectors.ComplementaryFigures) -> tuple[int, int, int, int]:
    return f.passed, f.obtained, f.not_obtained, f.cancelled_or_error


def write_analysis_csv(establishment: Establishment, school_year: SchoolYear) -> bytes:
    """The analysis table for Excel and LibreOffice (the page's figures, two decimals), then
    for each complementary certification of the year (sorted) its four counts per line:
    passée, obtenue, non obtenue, annulée ou en erreur."""
    rows = selectors.analysis_rows(establishment, school_year)
    names = selectors.complementary_names(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator=LINE_END)
    writer.writerow([*CSV_COLUMNS, *(neutralise(column) for name in names
                                     for column in complementary_columns(name))])
    for row, values in zip(rows, _table(rows), strict=True):
        writer.writerow([_csv_cell(values[column]) for column in CSV_COLUMNS] + [
            str(n) for name in names
            for n in _complementary_values(row.complementary_of(name))])
    whole = selectors.analysis_row(establishment, school_year)
    if whole is not None and whole.unclassed:
        # after a blank line, so that a spreadsheet reads the table above as it is
        writer.writerows([[], [whole.unclassed_sentence]])
    return (BOM + buffer.getvalue()).encode("utf-8")


# --- the workbook --------------------------------------------------------------------------------


STATUS_LABEL = {value: str(label) for value, label in CertificationResult.Status.choices}
MATCH_LABEL = {
    CertificationResult.Match.AUTO: "Oui",
    CertificationResult.Match.CONFIRMED: "Oui (confirmé)",
    CertificationResult.Match.PENDING: "À vérifier",
}


def write_bilan_xlsx(establishment: Establishment, school_year: SchoolYear,
                     *, now: datetime | None = None) -> bytes:
    """Synthèse, Classes, Compétences, Élèves: values (never formulas), ready to print."""
    now = now or timezone.localtime()
    rows = selectors.analysis_rows(establishment, school_year)
    whole = next((r for r in rows if not r.division), None)
    history = selectors.year_on_year(establishment, school_year)
    previous = next((h for h in reversed(history)
                     if h.school_year.start_year < school_year.start_year), None)
    workbook = Workbook()
    _synthesis(workbook.active, establishment, school_year, whole, history, now)
    _classes(workbook.create_sheet(), rows)
    _competences(workbook.create_sheet(), whole, previous)
    _pupils(workbook.create_sheet(), establishment, school_year)
    complementary = selectors.complementary_lines(rows)
    if complementary:
        _complementary(workbook.create_sheet(), complementary)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_table(sheet: Worksheet, top: int, headers: Sequence[str],
                 lines: Sequence[Sequence[Any]], *, formats: dict[int, str] | None = None,
                 total_last: bool = False) -> int:
    """A table with a styled header at row `top`; returns the row after it."""
    formats = formats or {}
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=top, column=column, value=header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, line in enumerate(lines, start=1):
        for column, value in enumerate(line, start=1):
            if isinstance(value, Decimal | Fraction):  # a mean (0.00) or a share (0 %)
                value = round_half_up(value, 2)
            # Pix's "-" (not tested) is no formula; any other text from a file may be one.
            cell = sheet.cell(row=top + offset, column=column,
                              value=value if value == DASH else neutralise(value))
            cell.border = GRID
            if column in formats and isinstance(value, int | float | Decimal):
                cell.number_format = formats[column]
            if total_last and offset == len(lines):
                cell.font, cell.fill = TOTAL_FONT, TOTAL_FILL
    return top + len(lines) + 1


def _print_setup(sheet: Worksheet, *, title_rows: str | None, widths: Sequence[float],
                 freeze: str | None) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddFooter.center.text = "&P / &N"
    sheet.oddFooter.right.text = "&A"


def _synthesis(sheet: Worksheet, establishment: Establishment, school_year: SchoolYear,
               whole: selectors.AnalysisRow | None, history: list[selectors.AnalysisRow],
               now: datetime) -> None:
    sheet.title = "Synthèse"
    sheet["A1"] = f"Bilan de la certification Pix {school_year}"
    sheet["A1"].font = Font(bold=True, size=16, color=BRAND)
    sheet["A2"] = f"{establishment.name} (UAI {establishment.uai})"
    sheet["A3"] = f"Édité le {now:%d/%m/%Y à %H:%M}"
    sheet["A3"].font = Font(italic=True, color="555555")
    row = 5
    if whole is None:
        sheet.cell(row=row, column=1, value="Aucun résultat de certification pour cette année.")
        _print_setup(sheet, title_rows=None, widths=(34, 16, 16, 16, 16, 16), freeze=None)
        return
    figures = [
        ("Candidats", whole.candidates, None),
        ("Certifications validées", whole.validated, None),
        ("Taux de validation", whole.validated_rate, SHARE_FORMAT),
        ("Rejetées", whole.rejected, None),
        ("Annulées", whole.cancelled, None),
        ("En erreur", whole.error, None),
    ]
    if whole.started:
        figures.append(("Démarrées (session non finalisée)", whole.started, None))
    figures.append(("Pix moyen (certifications validées)", whole.mean_pix, MEAN_FORMAT))
    row = _write_table(sheet, row, ("Indicateur", "Valeur"),
                       [(label, value) for label, value, _f in figures])
    for offset, (_label, _value, number_format) in enumerate(figures, start=1):
        if number_format:
            sheet.cell(row=5 + offset, column=2).number_format = number_format
    if whole.unclassed:
        row += 1
        sheet.cell(row=row, column=1, value=whole.unclassed_sentence).font = Font(italic=True)

    row += 1
    sheet.cell(row=row, column=1, value="Niveau global (certifications validées)").font = Font(
        bold=True, size=12)
    row = _write_table(sheet, row + 1, ("Niveau", "Candidats"), whole.levels)

    row += 1
    sheet.cell(row=row, column=1, value="Compétences les moins bien certifiées").font = Font(
        bold=True, size=12)
    row = _write_table(sheet, row + 1, ("Compétence", "Niveau moyen"), [
        (f"{code} {COMPETENCE_BY_CODE[code].name}", whole.mean_level(code))
        for code in whole.weakest
    ], formats={2: MEAN_FORMAT})

    row += 1
    sheet.cell(row=row, column=1, value="D’une année à l’autre (établissement)").font = Font(
        bold=True, size=12)
    _write_table(sheet, row + 1, ("Année", "Candidats", "Validées", "Taux de validation",
                                  "Pix moyen"),
                 [(str(h.school_year), h.candidates, h.validated, h.validated_rate, h.mean_pix)
                  for h in history], formats={4: SHARE_FORMAT, 5: MEAN_FORMAT})
    _print_setup(sheet, title_rows=None, widths=(44, 16, 14, 18, 14), freeze=None)


def _classes(sheet: Worksheet, rows: list[selectors.AnalysisRow]) -> None:
    sheet.title = "Classes"
    headers = (CLASS, CANDIDATES, VALIDATED, "Taux de validation", REJECTED, CANCELLED, ERROR,
               MEAN_PIX, *COMPETENCE_CODES)
    lines = [
        (r.label, r.candidates, r.validated, r.validated_rate, r.rejected, r.cancelled, r.error,
         r.mean_pix, *(r.mean_level(code) for code in COMPETENCE_CODES))
        for r in rows
    ]
    formats = {4: SHARE_FORMAT, 8: MEAN_FORMAT}
    formats.update({9 + i: MEAN_FORMAT for i in range(len(COMPETENCE_CODES))})
    after = _write_table(sheet, 1, headers, lines, formats=formats, total_last=True)
    whole = next((r for r in rows if not r.division), None)
    if whole is not None and whole.unclassed:
        sheet.cell(row=after + 1, column=1, value=whole.unclassed_sentence).font = Font(
            italic=True)
    _print_setup(sheet, title_rows="1:1",
                 widths=(16, 11, 10, 12, 10, 10, 10, 10, *([7] * len(COMPETENCE_CODES))),
                 freeze="B2")


def _complementary(sheet: Worksheet, lines: list[selectors.ComplementaryLine]) -> None:
    sheet.title = "Complémentaires"
    headers = (COMPLEMENTARY, CLASS, "Passée", "Obtenue", "Non obtenue",
               "Annulée ou en erreur")
    _write_table(sheet, 1, headers, [(line.figures.name, line.label,
                                      *_complementary_values(line.figures)) for line in lines])
    for offset, line in enumerate(lines, start=2):
        if line.whole:
            for cell in sheet[offset]:
                cell.font, cell.fill = TOTAL_FONT, TOTAL_FILL
    _print_setup(sheet, title_rows="1:1", widths=(30, 16, 10, 10, 12, 18), freeze="A2")


def _competences(sheet: Worksheet, whole: selectors.AnalysisRow | None,
                 previous: selectors.AnalysisRow | None) -> None:
    sheet.title = "Compétences"
    previous_label = f"Niveau moyen {previous.school_year}" if previous else "Année précédente"
    headers = ("Code", "Compétence", "Candidats (niveau certifié)", "Niveau moyen",
               "Niveau 1 ou plus", "Niveau 2 ou plus", "Niveau 3 ou plus", previous_label,
               "Élèves suivis (collecte de profils)", "Niveau moyen à la collecte",
               "Niveau moyen certifié (mêmes élèves)")
    lines = []
    for competence in COMPETENCES:
        code = competence.code
        forecast = (whole.forecast.get(code) if whole else None) or {}
        lines.append((
            code, competence.name,
            whole.competence(code).get("count", 0) if whole else 0,
            whole.mean_level(code) if whole else None,
            *((whole.share_at_least(code, k) if whole else None) for k in (1, 2, 3)),
            previous.mean_level(code) if previous else None,
            forecast.get("pupils", 0), forecast.get("forecast"), forecast.get("certified"),
        ))
    formats = {4: MEAN_FORMAT, 5: SHARE_FORMAT, 6: SHARE_FORMAT, 7: SHARE_FORMAT,
               8: MEAN_FORMAT, 10: MEAN_FORMAT, 11: MEAN_FORMAT}
    _write_table(sheet, 1, headers, lines, formats=formats)
    sheet.row_dimensions[1].height = 45
    _print_setup(sheet, title_rows="1:1", widths=(7, 52, 14, 11, 11, 11, 11, 14, 14, 14, 16),
                 freeze="C2")


def _pupils(sheet: Worksheet, establishment: Establishment, school_year: SchoolYear) -> None:
    sheet.title = "Élèves"
    headers = (CLASS, "Nom", "Prénom", "Date de naissance", "Statut", "Score Pix",
               "Niveau global", *COMPETENCE_CODES, "Élève reconnu", "Session", "Passée le")
    results = (
        CertificationResult.objects.filter(establishment=establishment, school_year=school_year)
        .exclude(match=CertificationResult.Match.NOT_OURS)
        .order_by("division", "last_name", "first_name", "pk")
    )
    lines = []
    for r in sorted(results, key=lambda r: (selectors.division_sort_key(r.division),
                                            r.last_name, r.first_name, r.pk)):
        levels = r.competence_levels or {}
        lines.append((
            r.division, r.last_name, r.first_name, r.birthdate, STATUS_LABEL.get(r.status),
            r.pix, selectors.result_global_level(r),
            *(DASH if levels.get(code) is None else levels[code] for code in COMPETENCE_CODES),
            MATCH_LABEL.get(r.match, ""), r.session_number, r.taken_on,
        ))
    _write_table(sheet, 1, headers, lines)
    for line in range(2, len(lines) + 2):
        for column in (4, 10 + len(COMPETENCE_CODES)):
            sheet.cell(row=line, column=column).number_format = "DD/MM/YYYY"
        for column in range(8, 8 + len(COMPETENCE_CODES)):
            sheet.cell(row=line, column=column).alignment = Alignment(horizontal="center")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(lines) + 1}"
    _print_setup(sheet, title_rows="1:1",
                 widths=(9, 18, 14, 12, 11, 9, 14, *([5] * len(COMPETENCE_CODES)), 14, 9, 11),
                 freeze="D2")
