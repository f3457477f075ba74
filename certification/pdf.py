"""The certification documents as PDF (reportlab): attendance sheets, convocations and the
invigilators' schedule. They are built from the same selector rows as the printable pages.

An attendance sheet holds 25 candidates a page, whatever the names: rows have a fixed height,
so that a sheet of 26 candidates is exactly two A4 pages.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepInFrame,
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pixorga.pdf import paragraph

from .selectors import Convocation, InvigilatorSchedule, SessionRow

ROWS_PER_PAGE = 25
ROW_HEIGHT = 8.2 * mm
HEADER_HEIGHT = 34 * mm
CELL_PADDING = 6  # points, left and right together
MARGIN = 14 * mm
BRAND = colors.HexColor("#3d2c8d")
# DejaVu covers every Latin name a pupil base holds; Helvetica (Latin-1) is the fallback where
# the font is not installed.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _fonts() -> tuple[str, str]:
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if "PixorgaSans" in pdfmetrics.getRegisteredFontNames():
        return "PixorgaSans", "PixorgaSans-Bold"
    if regular.exists() and bold.exists():
        pdfmetrics.registerFont(TTFont("PixorgaSans", str(regular)))
        pdfmetrics.registerFont(TTFont("PixorgaSans-Bold", str(bold)))
        return "PixorgaSans", "PixorgaSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=16,
                                leading=20, textColor=BRAND, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=12.5,
                             leading=16, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=10,
                               leading=13.5, spaceBefore=0, spaceAfter=2),
        "big": ParagraphStyle("big", parent=base["BodyText"], fontName=regular, fontSize=12,
                              leading=17),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontName=regular,
                                fontSize=8.5, leading=11, textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=regular, fontSize=9,
                               leading=10.5),
        "head": ParagraphStyle("head", parent=base["BodyText"], fontName=bold, fontSize=9,
                               leading=10.5),
        "center": ParagraphStyle("center", parent=base["BodyText"], fontName=regular,
                                 fontSize=9, leading=11, alignment=TA_CENTER),
        "bold": bold, "regular": regular,
    }


def _cell(text: str, width: float, styles) -> KeepInFrame:
    """A table cell's text, shrunk when it would not fit the row's fixed height."""
    return KeepInFrame(width - CELL_PADDING, ROW_HEIGHT - 2, [
        paragraph(text, styles["cell"])], mode="shrink")


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "l j F Y")


def _time(moment: datetime) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i")


def _document(buffer: io.BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=title, author="pixorga",
    )


def _footer(text: str):
    text = text if len(text) <= 90 else text[:89] + "…"

    def draw(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(_fonts()[0], 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, 8 * mm, text)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm,
                               _("Page %(page)s") % {"page": document.page})
        canvas.restoreState()

    return draw


# --- attendance sheet -------------------------------------------------------------------------


def attendance_sheet_pdf(session: SessionRow, *, establishment_name: str,
                         session_minutes: int) -> bytes:
    """One A4 page per 25 candidates: the session's header, then a row to sign per
    candidate, with their class, birthdate and extra time (and when they finish)."""
    styles = _styles()
    buffer = io.BytesIO()
    title = _("Feuille d’émargement — certification Pix")
    document = _document(buffer, title)
    candidates = session.candidates
    pages = [candidates[i:i + ROWS_PER_PAGE] for i in range(0, len(candidates), ROWS_PER_PAGE)]
    pages = pages or [[]]
    story: list = []
    header = [
        _("%(day)s, %(start)s–%(end)s · salle : %(room)s") % {
            "day": _day(session.starts_at), "start": _time(session.starts_at),
            "end": _time(session.ends_at), "room": session.room.name},
        _("Surveillance : %(names)s") % {
            "names": ", ".join(session.invigilator_names) or _("à désigner")},
    ]
    if session.pix_number:
        header.append(_("Session Pix Certif n° %(number)s") % {"number": session.pix_number})
    widths = [9 * mm, 44 * mm, 34 * mm, 17 * mm, 21 * mm, 24 * mm, None]
    usable = A4[0] - 2 * MARGIN
    widths[-1] = usable - sum(w for w in widths if w)
    for index, chunk in enumerate(pages):
        if index:
            story.append(PageBreak())
        # a header of fixed height, shrunk when names are long: 25 rows always fit a page
        head = [paragraph(title, styles["title"]),
                paragraph(establishment_name, styles["body"])]
        head += [paragraph(line, styles["body"]) for line in header]
        story.append(KeepInFrame(usable, HEADER_HEIGHT, head, mode="shrink"))
        story.append(Spacer(1, 3 * mm))
        rows = [[paragraph(label, styles["head"]) for label in (
            _("N°"), _("Nom"), _("Prénom"), _("Classe"), _("Né(e) le"), _("Temps majoré"),
            _("Signature"))]]
        for number, row in enumerate(chunk, start=index * ROWS_PER_PAGE + 1):
            extra = ""
            if row.extra_time_percent:
                extra = _("%(percent)s %% → %(end)s") % {
                    "percent": row.extra_time_percent,
                    "end": _time(session.candidate_end(row, session_minutes))}
            rows.append([
                str(number), _cell(row.pupil.display_last_name, widths[1], styles),
                _cell(row.pupil.first_name, widths[2], styles), _cell(row.division, widths[3],
                                                                     styles),
                formats.date_format(row.pupil.birthdate, "d/m/Y"), extra, "",
            ])
        table = Table(rows, colWidths=widths, rowHeights=[9 * mm] + [ROW_HEIGHT] * len(chunk),
                      repeatRows=1)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, 0), styles["bold"], 9),
            ("FONT", (0, 1), (-1, -1), styles["regular"], 9),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e5f5")),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        story.append(table)
        story.append(Spacer(1, 4 * mm))
        story.append(paragraph(_(
            "Présents : ……   Absents : ……   Signature des surveillants :"), styles["body"]))
    footer = _footer(f"{session.room.name}, {formats.date_format(session.starts_at, 'd/m/Y')} "
                     f"{_time(session.starts_at)}")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- convocations -----------------------------------------------------------------------------


def what_to_bring() -> list[str]:
    return [
        _("une pièce d’identité (ou le carnet de correspondance) ;"),
        _("tes identifiants Pix (adresse e-mail ou identifiant, et mot de passe) : vérifie "
          "avant le jour J que tu peux te connecter à ton compte Pix ;"),
        _("des écouteurs ou un casque (certaines questions ont du son) ;"),
        _("de quoi écrire."),
    ]


def convocations_pdf(convocations: Sequence[Convocation]) -> bytes:
    """One A4 page per convocation."""
    styles = _styles()
    buffer = io.BytesIO()
    document = _document(buffer, _("Convocations à la certification Pix"))
    story: list = []
    for index, convocation in enumerate(convocations):
        if index:
            story.append(PageBreak())
        story += _convocation(convocation, styles)
    if not story:
        story.append(paragraph(_("Aucun candidat placé dans une session."), styles["body"]))
    footer = _footer(_("Convocation à la certification Pix"))
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _convocation(convocation: Convocation, styles) -> list:
    row, session = convocation.row, convocation.session
    pupil = row.pupil
    facts = [
        [_("Élève"), f"{pupil.display_last_name} {pupil.first_name}"],
        [_("Classe"), row.division or "—"],
        [_("Date"), _day(session.starts_at)],
        [_("Horaire"), _("de %(start)s à %(end)s") % {
            "start": _time(session.starts_at), "end": _time(convocation.ends_at)}],
        [_("Salle"), session.room.name],
    ]
    if row.extra_time_percent:
        facts.append([_("Temps majoré"), _("%(percent)s %% (compris dans l’horaire)")
                      % {"percent": row.extra_time_percent}])
    table = Table([[paragraph(k, styles["big"]), paragraph(v, styles["big"])]
                   for k, v in facts], colWidths=[40 * mm, None])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (0, -1), styles["bold"], 12),
        ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.HexColor("#cccccc")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    story = [
        paragraph(convocation.establishment.name, styles["body"]),
        Spacer(1, 6 * mm),
        paragraph(_("Convocation à la certification Pix"), styles["title"]),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 6 * mm),
        paragraph(_("Présente-toi devant la salle 10 minutes avant le début."),
                  styles["big"]),
        paragraph(_("À apporter :"), styles["h2"]),
    ]
    story += [paragraph("• " + item, styles["big"]) for item in what_to_bring()]
    story += [
        Spacer(1, 10 * mm),
        paragraph(_("Vu et pris connaissance, signature du responsable légal :"),
                  styles["body"]),
    ]
    return [KeepTogether(story)]


# --- invigilators' schedule -------------------------------------------------------------------


def invigilation_schedule_pdf(schedules: Sequence[InvigilatorSchedule], *,
                              establishment_name: str) -> bytes:
    """Each invigilator's sessions: day, time, room, classes, number of candidates, and who
    invigilates with them."""
    styles = _styles()
    buffer = io.BytesIO()
    title = _("Planning des surveillances — certification Pix")
    document = _document(buffer, title)
    story: list = [paragraph(title, styles["title"]),
                   paragraph(establishment_name, styles["body"])]
    if not schedules:
        story.append(paragraph(_("Aucune surveillance prévue."), styles["body"]))
    usable = A4[0] - 2 * MARGIN
    for schedule in schedules:
        rows = [[_("Date"), _("Horaire"), _("Salle"), _("Classes"), _("Candidats"),
                 _("Avec")]]
        for session in schedule.sessions:
            others = [name for member, name in zip(session.invigilators,
                                                   session.invigilator_names, strict=True)
                      if member.pk != schedule.member.pk]
            rows.append([
                paragraph(_day(session.starts_at), styles["cell"]),
                f"{_time(session.starts_at)}–{_time(session.ends_at)}",
                paragraph(session.room.name, styles["cell"]),
                paragraph(", ".join(session.divisions), styles["cell"]),
                str(len(session.candidates)),
                paragraph(", ".join(others) or "—", styles["cell"]),
            ])
        table = Table(rows, colWidths=[38 * mm, 24 * mm, 28 * mm, 30 * mm, 20 * mm,
                                       usable - 140 * mm], repeatRows=1)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, 0), styles["bold"], 9),
            ("FONT", (0, 1), (-1, -1), styles["regular"], 9),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e5f5")),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        hours, minutes = divmod(schedule.total_minutes, 60)
        story.append(KeepTogether([
            paragraph(_("%(name)s — %(count)s session(s), %(hours)s h %(minutes)02d")
                      % {"name": schedule.name, "count": len(schedule.sessions),
                         "hours": hours, "minutes": minutes}, styles["h2"]),
            table,
        ]))
    footer = _footer(establishment_name)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
