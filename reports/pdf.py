"""The certification bilan for the pedagogical council: a few A4 pages with charts (reportlab;
charts drawn with reportlab.graphics, no browser needed).

1. the year at a glance: key figures, statuses, v3 global levels, what to remember;
2. competences: mean certified level this year and last year, shares at levels 1, 2, 3;
3. classes: the analysis table, and the complementary certifications (CléA…);
4. forecast and certification, and the establishment year on year.

Figures come from `AnalysisSummary` through `certification.results_selectors`, as the
analysis page and the workbook. Text avoids characters outside Latin-1 (no "≥"), so that the
Helvetica fallback prints everything where DejaVu is not installed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from django.utils import timezone
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from certification import results_selectors as selectors
from certification.analysis import STATUSES
from certification.models import CertificationResult
from establishments.models import Establishment, SchoolYear
from pix import numbers
from pix.referential import COMPETENCE_BY_CODE, COMPETENCE_CODES, COMPETENCES
from pixorga.pdf import paragraph

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
BRAND = colors.HexColor("#4a2a7a")
EARLIER = colors.HexColor("#b9a3d6")
FORECAST = colors.HexColor("#0063cb")
LIGHT = colors.HexColor("#eee8f6")
STATUS_COLOURS = {
    "validated": colors.HexColor("#18753c"), "rejected": colors.HexColor("#ce0500"),
    "cancelled": colors.HexColor("#666666"), "error": colors.HexColor("#b34000"),
    "started": colors.HexColor("#0063cb"),
}
STATUS_LABELS = dict(CertificationResult.Status.choices)
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _fonts() -> tuple[str, str]:
    """DejaVu where installed (every Latin name), else Helvetica (Latin-1)."""
    if "PixorgaSans" in pdfmetrics.getRegisteredFontNames():
        return "PixorgaSans", "PixorgaSans-Bold"
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdfmetrics.registerFont(TTFont("PixorgaSans", str(regular)))
        pdfmetrics.registerFont(TTFont("PixorgaSans-Bold", str(bold)))
        return "PixorgaSans", "PixorgaSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def fr(value: numbers.Number | None, places: int = 2) -> str:
    """`2,63` for 2.625: rounded half up on the exact value as on the page and in the CSV,
    decimal comma; "–" for no value."""
    return numbers.french(value, places, empty="–")


def percent(value: numbers.Number | None) -> str:
    return "–" if value is None else f"{numbers.percent(value)} %"


class _Bilan:
    def __init__(self, establishment: Establishment, school_year: SchoolYear,
                 now: datetime) -> None:
        self.establishment = establishment
        self.school_year = school_year
        self.now = now
        self.font, self.bold = _fonts()
        base = getSampleStyleSheet()
        self.styles = {
            "title": ParagraphStyle("title", parent=base["Title"], fontName=self.bold,
                                    fontSize=18, leading=22, textColor=BRAND, alignment=0),
            "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=self.bold,
                                 fontSize=13, leading=16, textColor=BRAND, spaceBefore=8),
            "body": ParagraphStyle("body", parent=base["BodyText"], fontName=self.font,
                                   fontSize=9.5, leading=12.5),
            "bold": ParagraphStyle("bold", parent=base["BodyText"], fontName=self.bold,
                                   fontSize=9.5, leading=12.5),
            "small": ParagraphStyle("small", parent=base["BodyText"], fontName=self.font,
                                    fontSize=8, leading=10, textColor=colors.HexColor("#555555")),
            "cell": ParagraphStyle("cell", fontName=self.font, fontSize=8, leading=9.5),
            "cellbold": ParagraphStyle("cellbold", fontName=self.bold, fontSize=8, leading=9.5),
            "head": ParagraphStyle("head", fontName=self.bold, fontSize=7.5, leading=9,
                                   textColor=colors.white, alignment=1),
        }
        rows = selectors.analysis_rows(establishment, school_year)
        self.classes = [r for r in rows if r.division]
        self.whole = next((r for r in rows if not r.division), None)
        self.history = selectors.year_on_year(establishment, school_year)
        earlier = [h for h in self.history
                   if h.school_year.start_year < school_year.start_year]
        self.previous = earlier[-1] if earlier else None

    # -- building blocks ------------------------------------------------------------------

    def p(self, text: str, style: str = "body") -> Paragraph:
        return paragraph(text, self.styles[style])

    def table(self, data: Sequence[Sequence], widths: Sequence[float], *,
              total_last: bool = False, align_from: int = 1,
              align_left: Sequence[int] = ()) -> Table:
        header = [self.p(h, "head") if isinstance(h, str) else h for h in data[0]]
        table = Table([header, *data[1:]], colWidths=list(widths), repeatRows=1)
        style = [
            ("FONT", (0, 0), (-1, -1), self.font, 8),
            ("FONT", (0, 0), (-1, 0), self.bold, 8),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("BACKGROUND", (0, 0), (-1, 0), BRAND),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
            ("ALIGN", (align_from, 1), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f5fb")]),
            *(("ALIGN", (column, 1), (column, -1), "LEFT") for column in align_left),
        ]
        if total_last:
            style += [("FONT", (0, -1), (-1, -1), self.bold, 8),
                      ("BACKGROUND", (0, -1), (-1, -1), LIGHT)]
        table.setStyle(TableStyle(style))
        return table

    def _on_page(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(self.font, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, 9 * mm, f"{self.establishment.name} · certification Pix "
                                          f"{self.school_year}")
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, f"page {doc.page}")
        canvas.restoreState()

    # -- charts -----------------------------------------------------------------------------

    def status_pie(self, width: float, height: float) -> Drawing:
        drawing = Drawing(width, height)
        statuses = [(s, self.whole.status(s)) for s in STATUSES if self.whole.status(s)]
        pie = Pie()
        pie.x, pie.y = 10, 15
        pie.width = pie.height = min(height - 30, width * 0.5)
        pie.data = [n for _s, n in statuses] or [1]
        pie.labels = [str(n) for _s, n in statuses] or [""]
        pie.simpleLabels = 1
        pie.slices.strokeColor = colors.white
        pie.slices.strokeWidth = 1.5
        pie.slices.fontName = self.bold
        pie.slices.fontSize = 8
        pie.slices.labelRadius = 0.7
        pie.slices.fontColor = colors.white
        for index, (status, _n) in enumerate(statuses):
            pie.slices[index].fillColor = STATUS_COLOURS[status]
        drawing.add(pie)
        legend = Legend()
        legend.x, legend.y = pie.x + pie.width + 15, pie.y + pie.height - 5
        legend.fontName, legend.fontSize = self.font, 8
        legend.alignment = "right"
        legend.columnMaximum = 6
        legend.colorNamePairs = [(STATUS_COLOURS[s], f"{STATUS_LABELS[s]} : {n}")
                                 for s, n in statuses]
        drawing.add(legend)
        return drawing

    def bars(self, width: float, height: float, categories: Sequence[str],
             series: Sequence[tuple[str, Sequence[float | None], colors.Color]], *,
             value_max: float | None = None, step: float | None = None,
             label_angle: int = 0, places: int = 0, suffix: str = "") -> Drawing:
        drawing = Drawing(width, height)
        chart = VerticalBarChart()
        chart.x, chart.y = 30, 30 if not label_angle else 45
        chart.width = width - chart.x - 10
        chart.height = height - chart.y - (22 if len(series) > 1 else 8)
        chart.data = [[float(v) if v is not None else 0 for v in values]
                      for _n, values, _c in series]
        chart.categoryAxis.categoryNames = list(categories)
        chart.categoryAxis.labels.fontName = self.font
        chart.categoryAxis.labels.fontSize = 7.5
        if label_angle:
            chart.categoryAxis.labels.angle = label_angle
            chart.categoryAxis.labels.boxAnchor = "ne"
            chart.categoryAxis.labels.dy = -2
        chart.valueAxis.labels.fontName = self.font
        chart.valueAxis.labels.fontSize = 7.5
        chart.valueAxis.valueMin = 0
        top = max([v or 0 for _n, values, _c in series for v in values] + [1])
        chart.valueAxis.valueMax = value_max or top * 1.15
        if step:
            chart.valueAxis.valueStep = step
        chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
        chart.valueAxis.visibleGrid = True
        chart.valueAxis.labelTextFormat = lambda v: fr(v, 0) if float(v).is_integer() else fr(v, 1)
        chart.barSpacing = 1
        chart.groupSpacing = 6
        for index, (_name, _values, colour) in enumerate(series):
            chart.bars[index].fillColor = colour
            chart.bars[index].strokeColor = None
        if len(series) == 1:
            chart.barLabelFormat = lambda v: fr(v, places) + suffix
            chart.barLabels.fontName = self.font
            chart.barLabels.fontSize = 7
            chart.barLabels.nudge = 6
        drawing.add(chart)
        if len(series) > 1:
            legend = Legend()
            legend.x, legend.y = chart.x, height - 4
            legend.fontName, legend.fontSize = self.font, 8
            legend.alignment = "right"
            legend.columnMaximum = 1
            legend.deltax = 140
            legend.dxTextSpace = 4
            legend.colorNamePairs = [(colour, name) for name, _values, colour in series]
            drawing.add(legend)
        return drawing

    # -- pages ------------------------------------------------------------------------------

    def story(self) -> list:
        story: list = [
            self.p(f"Bilan de la certification Pix {self.school_year}", "title"),
            self.p(f"{self.establishment.name} · UAI {self.establishment.uai} · édité le "
                   f"{self.now:%d/%m/%Y}", "small"),
            Spacer(1, 6 * mm),
        ]
        if self.whole is None:
            story.append(self.p("Aucun résultat de certification n’a été importé pour cette "
                                "année scolaire."))
            return story
        story += self.glance() + [PageBreak()] + self.competences()
        story += [PageBreak()] + self.classes_page() + self.forecast_page()
        return story

    def glance(self) -> list:
        w = self.whole
        cards = [
            ("Candidats", str(w.candidates)),
            ("Validées", f"{w.validated} ({percent(w.validated_rate)})"),
            ("Rejetées", str(w.rejected)),
            ("Annulées / en erreur", f"{w.cancelled} / {w.error}"),
            ("Pix moyen (validées)", fr(w.mean_pix)),
        ]
        key = Table([[c for c, _v in cards], [v for _c, v in cards]],
                    colWidths=[WIDTH / len(cards)] * len(cards))
        key.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, 0), self.font, 8),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.HexColor("#555555")),
            ("FONT", (0, 1), (-1, 1), self.bold, 15),
            ("TEXTCOLOR", (0, 1), (-1, 1), BRAND),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("BOX", (0, 0), (-1, -1), 0.6, BRAND),
            ("LINEAFTER", (0, 0), (-2, -1), 0.4, colors.HexColor("#cccccc")),
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#faf8fd")),
            ("TOPPADDING", (0, 1), (-1, 1), 4), ("BOTTOMPADDING", (0, 1), (-1, 1), 8),
        ]))
        half = WIDTH / 2
        levels = w.levels
        charts = Table([
            [self.p("Statut des certifications", "bold"),
             self.p("Niveau global des certifications validées", "bold")],
            [self.status_pie(half - 10, 62 * mm),
             self.bars(half - 10, 62 * mm, [name for name, _n in levels],
                       [("Validées", [n for _name, n in levels], BRAND)],
                       step=1 if max(n for _name, n in levels) <= 10 else None,
                       label_angle=30)],
        ], colWidths=[half, half])
        charts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story = [key, Spacer(1, 6 * mm), charts, Spacer(1, 4 * mm),
                 self.p("À retenir", "h2")]
        for line in self.remember():
            story.append(self.p(f"• {line}"))
        return story

    def remember(self) -> list[str]:
        w = self.whole
        lines = [f"{w.validated} certification(s) validée(s) sur {w.candidates} "
                 f"({percent(w.validated_rate)}), score moyen de {fr(w.mean_pix)} pix."]
        if w.weakest:
            names = ", ".join(f"{code} {COMPETENCE_BY_CODE[code].name} ({fr(w.mean_level(code))})"
                              for code in w.weakest)
            lines.append(f"Compétences les moins bien certifiées : {names}.")
        if self.previous is not None and self.previous.mean_pix is not None \
                and w.mean_pix is not None:
            gap = w.exact_mean_pix - self.previous.exact_mean_pix
            lines.append(f"Par rapport à {self.previous.school_year} : score moyen "
                         f"{'en hausse' if gap >= 0 else 'en baisse'} de {fr(abs(gap))} pix "
                         f"({fr(self.previous.mean_pix)} pix l’an dernier), taux de "
                         f"validation de {percent(w.validated_rate)} contre "
                         f"{percent(self.previous.validated_rate)}.")
        gaps = [gap for code in w.forecast if (gap := w.forecast_gap(code)) is not None]
        if gaps:
            mean_gap = sum(gaps, Fraction(0)) / len(gaps)
            lines.append(f"Pour les {w.forecast_pupils} élèves suivis par une collecte de "
                         f"profils, le niveau certifié est en moyenne "
                         f"{'supérieur' if mean_gap >= 0 else 'inférieur'} de "
                         f"{fr(abs(mean_gap))} niveau au niveau relevé lors de la collecte.")
        for name, f in w.complementary.items():
            lines.append(f"{name} : {f.obtained} obtenue(s) sur {f.passed} passée(s).")
        if w.pending:
            lines.append(f"{w.pending} résultat(s) attendent d’être rapprochés d’un élève par "
                         f"le RUPN.")
        if w.unclassed:
            lines.append(w.unclassed_sentence)
        return lines

    def competences(self) -> list:
        w, previous = self.whole, self.previous
        series = [(str(self.school_year), [w.mean_level(c) for c in COMPETENCE_CODES], BRAND)]
        if previous is not None:
            series.append((str(previous.school_year),
                           [previous.mean_level(c) for c in COMPETENCE_CODES], EARLIER))
        top = max([v or 0 for _n, values, _c in series for v in values] + [4])
        header = ["", "Compétence", "Candidats", "Niveau moyen", "Niveau 1 ou +",
                  "Niveau 2 ou +", "Niveau 3 ou +",
                  f"Moyenne {previous.school_year}" if previous else "Année précédente"]
        data = [header]
        for competence in COMPETENCES:
            code = competence.code
            weak = code in w.weakest
            data.append([
                code, self.p(competence.name, "cellbold" if weak else "cell"),
                str(w.competence(code).get("count", 0)), fr(w.mean_level(code)),
                *(percent(w.share_at_least(code, k)) for k in (1, 2, 3)),
                fr(previous.mean_level(code)) if previous else "–",
            ])
        return [
            self.p("Niveau moyen certifié par compétence", "h2"),
            self.p("Moyenne des niveaux certifiés, sur les certifications validées où la "
                   "compétence a été évaluée (les « - » de Pix sont écartés).", "small"),
            self.bars(WIDTH, 70 * mm, list(COMPETENCE_CODES), series,
                      value_max=int(top) + 1, step=1, places=1),
            Spacer(1, 4 * mm),
            self.table(data, [10 * mm, 62 * mm, 19 * mm, 17 * mm, 17 * mm, 17 * mm, 17 * mm,
                              WIDTH - 159 * mm], align_from=2),
            self.p("En gras : les compétences les moins bien certifiées.", "small"),
        ]

    def classes_page(self) -> list:
        header = ["Classe", "Candidats", "Validées", "Taux", "Rejetées", "Annulées",
                  "En erreur", "Pix moyen", "Compétences les plus faibles"]
        data = [header]
        for r in [*self.classes, self.whole]:
            data.append([r.label, str(r.candidates), str(r.validated), percent(r.validated_rate),
                         str(r.rejected), str(r.cancelled), str(r.error), fr(r.mean_pix),
                         ", ".join(r.weakest)])
        story = [self.p("Par classe", "h2"),
                 self.table(data, [27 * mm, 19 * mm, 18 * mm, 13 * mm, 18 * mm, 18 * mm,
                                   17 * mm, 17 * mm, WIDTH - 147 * mm], total_last=True,
                           align_left=(0, 8))]
        if self.whole.unclassed:
            story += [Spacer(1, 2 * mm), self.p(self.whole.unclassed_sentence)]
        story += self.complementary_table()
        if len(self.classes) > 1:
            story += [Spacer(1, 4 * mm), self.p("Taux de validation par classe", "bold"),
                      self.bars(WIDTH, 55 * mm, [r.label for r in self.classes],
                                [("Taux de validation (%)",
                                  [numbers.percent(r.validated_rate or 0)
                                   for r in self.classes],
                                  BRAND)], value_max=110, step=20, suffix=" %")]
        return story

    def complementary_table(self) -> list:
        lines = selectors.complementary_lines([*self.classes, self.whole])
        if not lines:
            return []
        data: list = [["Certification complémentaire", "Classe", "Passée", "Obtenue",
                       "Non obtenue", "Annulée ou en erreur"]]
        for line in lines:
            f = line.figures
            data.append([self.p(f.name, "cellbold" if line.whole else "cell"), line.label,
                         str(f.passed), str(f.obtained), str(f.not_obtained),
                         str(f.cancelled_or_error)])
        table = self.table(data, [52 * mm, 27 * mm, 20 * mm, 20 * mm, 22 * mm,
                                  WIDTH - 141 * mm], align_from=2)
        return [Spacer(1, 4 * mm), KeepTogether([
            self.p("Certifications complémentaires", "h2"),
            self.p("« Passée » compte chaque candidat qui l’a passée : obtenue, non obtenue, "
                   "ou certification annulée ou en erreur.", "small"),
            table])]

    def forecast_page(self) -> list:
        w = self.whole
        story: list = []
        codes = [c for c in COMPETENCE_CODES if (w.forecast.get(c) or {}).get("pupils")]
        if codes:
            story += [KeepTogether([
                self.p("Collecte de profils et certification", "h2"),
                self.p(f"Pour les {w.forecast_pupils} élèves reconnus dont une collecte de "
                       "profils a été importée : niveau moyen à leur dernière collecte et niveau "
                       "moyen certifié, compétence par compétence (mêmes élèves).", "small"),
                self.bars(WIDTH, 62 * mm, codes, [
                    ("Dernière collecte de profils", [w.forecast[c]["forecast"] for c in codes],
                     FORECAST),
                    ("Certification", [w.forecast[c]["certified"] for c in codes], BRAND),
                ], step=1),
            ])]
        if len(self.history) > 1:
            data = [["Année", "Cand.", "Valid.", "Taux", "Pix moy.", *COMPETENCE_CODES]]
            for h in self.history:
                data.append([str(h.school_year), str(h.candidates), str(h.validated),
                             percent(h.validated_rate), fr(h.mean_pix),
                             *(fr(h.mean_level(c), 1) for c in COMPETENCE_CODES)])
            story += [Spacer(1, 4 * mm), KeepTogether([
                self.p("D’une année à l’autre (établissement)", "h2"),
                self.table(data, [19 * mm, 11 * mm, 11 * mm, 11 * mm, 13 * mm]
                           + [(WIDTH - 65 * mm) / len(COMPETENCE_CODES)] * len(COMPETENCE_CODES)),
                self.p("Cand. : candidats ; Valid. : certifications validées ; Taux : part des "
                       "validées ; puis le niveau moyen certifié de chaque compétence.", "small"),
            ])]
        return story


def write_bilan_pdf(establishment: Establishment, school_year: SchoolYear,
                    *, now: datetime | None = None) -> bytes:
    bilan = _Bilan(establishment, school_year, now or timezone.localtime())
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=16 * mm, title=f"Bilan de la certification Pix {school_year}",
        author=establishment.name, subject="Certification Pix",
    )
    doc.build(bilan.story(), onFirstPage=bilan._on_page, onLaterPages=bilan._on_page)
    return buffer.getvalue()

