"""Plotly figures of campaign results: pure functions from selector data to an HTML fragment.

Figures are rendered on the server without plotly.js (pages load the copy served from our static
files) and without Plotly's default template, which would add ~10 kB of JSON to every chart.
Every chart sits next to a table holding the same figures: the table is its text alternative.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, json_script
from plotly.colors import sample_colorscale, sequential, unlabel_rgb

from pix.numbers import decimal, percent, round_half_up
from pix.referential import COMPETENCE_BY_CODE, COMPETENCE_CODES, DOMAINS

HEATMAP_MIN_WIDTH = 560  # px: below, the heatmap scrolls sideways instead of shrinking
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13,
        "color": "#212529"}
# Levels and mastery: light (nothing yet) to dark (mastered), in the brand's purple.
SEQUENTIAL = sequential.Purples
# One colour per CRCN domain, each at least 3:1 against white (WCAG 1.4.11).
DOMAIN_COLOURS: Mapping[str, str] = {
    "1": "#1f5fa8", "2": "#b3411b", "3": "#1b7a4e", "4": "#8e3b8a", "5": "#7a6200",
}


# --- colours --------------------------------------------------------------------------------


def _scale_point(value: float, top: float) -> str:
    # Start a little above white so that level 0 still shows against the page.
    value = float(value)  # a colour: a float is precise enough, a Decimal is welcome
    fraction = 0.1 + 0.9 * (min(max(value, 0), top) / top if top else 0)
    return sample_colorscale(SEQUENTIAL, [fraction])[0]


def _text_on(rgb: str) -> str:
    red, green, blue = (c / 255 for c in unlabel_rgb(rgb))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    # Black text needs (L + .05) / .05 ≥ 4.5, white text 1.05 / (L + .05) ≥ 4.5.
    return "#000000" if luminance > 0.179 else "#ffffff"


@dataclass(frozen=True)
class CellColour:
    background: str
    text: str

    @property
    def style(self) -> str:
        return f"background-color:{self.background};color:{self.text}"


def level_colour(level: float | None, max_level: int) -> CellColour | None:
    """The colour of a cell holding a level (or a mean level); None for no value."""
    if level is None:
        return None
    background = _scale_point(level, max_level)
    return CellColour(background, _text_on(background))


def mastery_colour(rate: float | None) -> CellColour | None:
    """The colour of a cell holding a mastery rate (a fraction 0–1)."""
    if rate is None:
        return None
    background = _scale_point(rate, 1.0)
    return CellColour(background, _text_on(background))


def level_legend(max_level: int) -> list[tuple[int, CellColour]]:
    return [(level, level_colour(level, max_level)) for level in range(max_level + 1)]


# --- the rows the tables and charts share -----------------------------------------------------


@dataclass(frozen=True)
class CompetenceRow:
    code: str
    name: str
    domain: str
    count: int
    # exact to six places (`pix.numbers.stored`): templates round them half up
    mean_level: Decimal | None = None
    mean_pix: Decimal | None = None
    mean_mastery: Decimal | None = None  # fraction 0–1
    distribution: tuple[int, ...] = ()  # participants at level 0, 1, …

    @property
    def sort_value(self) -> Decimal:
        value = self.mean_mastery if self.mean_mastery is not None else self.mean_level
        return Decimal(-1) if value is None else value


def competence_rows(competences: Mapping[str, Mapping]) -> list[CompetenceRow]:
    """A summary's per-competence aggregates, weakest first (ties in CRCN order)."""
    rows = []
    for code, values in competences.items():
        competence = COMPETENCE_BY_CODE.get(code)
        if competence is None:
            continue
        rows.append(CompetenceRow(
            code=code, name=competence.name, domain=competence.domain.code,
            count=values.get("count") or 0, mean_level=decimal(values.get("mean_level")),
            mean_pix=decimal(values.get("mean_pix")),
            mean_mastery=decimal(values.get("mean_mastery")),
            distribution=tuple(values.get("distribution") or ()),
        ))
    order = {code: index for index, code in enumerate(COMPETENCE_CODES)}
    return sorted(rows, key=lambda r: (r.sort_value, order[r.code]))


# --- figures --------------------------------------------------------------------------------


class _CompactJSONEncoder(DjangoJSONEncoder):
    """Figures hold many numbers and French labels: no spaces, accents as they are."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**{**kwargs, "separators": (",", ":"), "ensure_ascii": False})


def figure_html(fig: go.Figure, *, height: int, filename: str) -> str:
    """A chart's box holding its figure as JSON ({data, layout}), drawn by static/js/charts.js
    once plotly.js (loaded with `defer`) is there: the page's text and tables show before the
    4.8 MB library, and no inline script runs (the Content-Security-Policy forbids them).

    The mode bar's configuration (French, no way out of the server) is charts.js's alone, so a
    figure built ahead of the request carries nothing but its data. `filename` names the PNG
    download; it must never hold a pupil's name."""
    # separators: decimal comma and a narrow no-break space between thousands, as in French.
    fig.update_layout(template="none", font=FONT, paper_bgcolor="#ffffff",
                      plot_bgcolor="#ffffff", separators=",\u202f",
                      hoverlabel={"font": {"family": FONT["family"]}})
    figure = json.loads(fig.to_json())
    figure = {"data": figure["data"], "layout": figure["layout"]}
    # Unique within a page unless the page shows the very same figure twice.
    digest = hashlib.sha256(json.dumps(figure, sort_keys=True).encode()).hexdigest()[:12]
    return format_html(
        '<div class="plotly-graph-div js-chart" style="height:{}px;width:100%"'
        ' data-filename="{}">{}</div>',
        height, filename, json_script(figure, f"figure-{filename}-{digest}", _CompactJSONEncoder),
    )


def _narrow_variant(*, narrow: dict, wide: dict, narrow_data: dict | None = None,
                    wide_data: dict | None = None) -> dict:
    """What static/js/charts.js applies to a chart on a phone, and back on a wider screen."""
    return {"narrow": {"layout": narrow, "data": narrow_data or {}},
            "wide": {"layout": wide, "data": wide_data or {}}}


def _short(name: str, width: int = 28) -> str:
    """A competence name wrapped on lines of about `width` characters for an axis label."""
    lines, line = [], ""
    for word in name.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def level_distribution_chart(rows: Sequence[CompetenceRow], *, max_level: int,
                             level_label: str, axis_label: str) -> str:
    """Stacked horizontal bars: the share of participants at each level, per competence,
    weakest competence on top."""
    ordered = list(reversed(rows))  # Plotly draws the first category at the bottom
    labels = [f"{r.code} {r.name}" for r in ordered]
    fig = go.Figure()
    for level in range(max_level + 1):
        counts = [r.distribution[level] if level < len(r.distribution) else 0 for r in ordered]
        totals = [sum(r.distribution) or 1 for r in ordered]
        colour = level_colour(level, max_level)
        fig.add_trace(go.Bar(
            name=f"{level_label} {level}", orientation="h", y=labels,
            x=[100 * c / t for c, t in zip(counts, totals, strict=True)],
            customdata=counts, marker={"color": colour.background,
                                       "line": {"color": "#ffffff", "width": 0.5}},
            hovertemplate=f"%{{y}}<br>{level_label} {level} : %{{customdata}} "
                          "(%{x:.0f} %)<extra></extra>",
        ))
    wide = [_short(label, 34) for label in labels]
    fig.update_layout(
        barmode="stack",
        legend={"orientation": "h", "traceorder": "normal", "x": 0, "y": 1,
                "yanchor": "bottom"},
        margin={"l": 10, "r": 10, "t": 40, "b": 50},
        xaxis={"range": [0, 100], "ticksuffix": " %", "title": {"text": axis_label}},
        yaxis={"automargin": True, "tickfont": {"size": 12}, "tickvals": labels,
               "ticktext": wide},
        meta=_narrow_variant(
            narrow={"yaxis.ticktext": [r.code for r in ordered], "margin.t": 70},
            wide={"yaxis.ticktext": wide, "margin.t": 40},
        ),
    )
    return figure_html(fig, height=110 + 34 * len(rows),
                       filename="pixorga-niveaux-par-competence")


def mastery_chart(rows: Sequence[CompetenceRow], *, axis_label: str) -> str:
    """Horizontal bars of the mean mastery per competence, weakest on top."""
    ordered = list(reversed(rows))
    labels = [f"{r.code} {r.name}" for r in ordered]
    values = [percent(r.mean_mastery or 0) for r in ordered]  # as the table prints them
    fig = go.Figure(go.Bar(
        orientation="h", y=labels, x=[float(v) for v in values],
        marker={"color": [mastery_colour(r.mean_mastery or 0).background for r in ordered],
                "line": {"color": "#3f007d", "width": 1}},
        text=[f"{v} %" for v in values], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>%{text}<extra></extra>",
    ))
    wide = [_short(label, 34) for label in labels]
    fig.update_layout(
        showlegend=False,
        margin={"l": 10, "r": 30, "t": 10, "b": 40},
        xaxis={"range": [0, 105], "ticksuffix": " %", "title": {"text": axis_label}},
        yaxis={"automargin": True, "tickvals": labels, "ticktext": wide},
        meta=_narrow_variant(narrow={"yaxis.ticktext": [r.code for r in ordered]},
                             wide={"yaxis.ticktext": wide}),
    )
    return figure_html(fig, height=80 + 34 * len(rows), filename="pixorga-maitrise-par-competence")


def heatmap_chart(divisions: Sequence[str], codes: Sequence[str],
                  matrix: Sequence[Sequence[float | None]], *, mastery: bool,
                  max_level: int, value_label: str) -> str:
    """Classes × competences, each cell printed; mastery in %, levels with one decimal.

    16 columns of printed values need about 560 px: pages scroll the chart sideways on a
    phone rather than shrink its text (see `HEATMAP_MIN_WIDTH`)."""
    if mastery:
        z = [[None if v is None else float(percent(v)) for v in row] for row in matrix]
        zmax, text, suffix = 100, "%{z:.0f} %", " %"
    else:  # rounded half up here: a float of one decimal prints as that decimal
        z = [[None if v is None else float(round_half_up(v, 1)) for v in row] for row in matrix]
        zmax, text, suffix = max_level, "%{z:.1f}", ""
    fig = go.Figure(go.Heatmap(
        z=z, x=list(codes), y=list(divisions), zmin=0, zmax=zmax,
        # Light enough everywhere for black printed values (contrast ≥ 4.5:1).
        colorscale=[[f, sample_colorscale(SEQUENTIAL, [0.1 + 0.52 * f])[0]]
                    for f in (0, 0.25, 0.5, 0.75, 1)],
        texttemplate=text, textfont={"size": 12, "color": "#000000"}, hoverongaps=False,
        xgap=2, ygap=2,
        customdata=[[COMPETENCE_BY_CODE[c].name if c in COMPETENCE_BY_CODE else c
                     for c in codes] for _ in divisions],
        hovertemplate=f"%{{y}} · %{{x}} %{{customdata}}<br>{value_label} : "
                      f"%{{z}}{suffix}<extra></extra>",
        colorbar={"title": {"text": value_label, "side": "right"}, "thickness": 12,
                  "ticksuffix": suffix},
    ))
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"side": "top", "type": "category", "tickangle": 0},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True},
    )
    return figure_html(fig, height=60 + 36 * max(len(divisions), 3),
                       filename="pixorga-niveaux-par-classe")


PHONE_ROW = 64  # px per competence: its name on one or two lines, its bar below
PHONE_BAR = 0.36  # of a row


def pupil_levels_chart(levels: Mapping[str, int | None], *, max_level: int,
                       level_label: str, phone: bool = False) -> str:
    """A pupil's level in each of the 16 competences, bars coloured by domain.

    `phone`: horizontal bars, each competence's name written in full above its bar, so that
    a narrow screen keeps the whole width for the bar and a young reader reads words, not
    codes. Otherwise: one column per competence code, for the staff's wider pages.
    """
    fig = go.Figure()
    for domain in DOMAINS:
        codes = [c for c in COMPETENCE_CODES if COMPETENCE_BY_CODE[c].domain == domain]
        names = [COMPETENCE_BY_CODE[c].name for c in codes]
        values = [levels.get(c) for c in codes]
        common = {
            "name": f"{domain.code}. {domain.name}",
            "marker": {"color": DOMAIN_COLOURS[domain.code]},
            "text": ["—" if v is None else str(v) for v in values],
            "textposition": "outside", "cliponaxis": False,
            "customdata": names, "legendgroup": domain.code,
        }
        shown = [0 if v is None else v for v in values]
        if phone:
            fig.add_trace(go.Bar(
                orientation="h", y=codes, x=shown, width=PHONE_BAR,
                hovertemplate=f"%{{customdata}}<br>{level_label} %{{x}}<extra></extra>",
                **common,
            ))
        else:
            fig.add_trace(go.Bar(
                x=codes, y=shown,
                hovertemplate=f"%{{x}} %{{customdata}}<br>{level_label} %{{y}}<extra></extra>",
                **common,
            ))
    level_axis = {"range": [0, max_level + 0.5], "dtick": 1, "title": {"text": level_label},
                  "gridcolor": "#dee2e6", "automargin": True, "fixedrange": True}
    legend = {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"}
    if phone:
        names = [
            {"text": _short(f"<b>{code}</b> {COMPETENCE_BY_CODE[code].name}", 44),
             # a category's position is its index: "1.1" would read as a number
             "x": 0, "xref": "paper", "xanchor": "left", "y": index, "yref": "y",
             "yanchor": "bottom", "yshift": PHONE_ROW * PHONE_BAR / 2 + 1, "align": "left",
             "showarrow": False, "font": {"size": 13}}
            for index, code in enumerate(COMPETENCE_CODES)
        ]
        fig.update_layout(
            legend=legend, annotations=names, bargap=0, margin={"l": 4, "r": 20, "t": 20, "b": 40},
            xaxis={**level_axis, "side": "bottom"},
            # reversed (1.1 on top), with room above the first bar for its name
            yaxis={"type": "category", "range": [len(COMPETENCE_CODES) - 0.5, -0.9],
                   "showticklabels": False, "fixedrange": True,
                   "categoryorder": "array", "categoryarray": list(COMPETENCE_CODES)},
        )
        return figure_html(fig, height=140 + PHONE_ROW * len(COMPETENCE_CODES),
                           filename="pixorga-niveaux-eleve")
    fig.update_layout(
        legend=legend, bargap=0.25, margin={"l": 10, "r": 10, "t": 20, "b": 20},
        yaxis=level_axis,
        xaxis={"type": "category", "fixedrange": True, "automargin": True, "tickangle": 0},
        meta=_narrow_variant(narrow={"xaxis.tickfont.size": 10, "bargap": 0.15},
                             wide={"xaxis.tickfont.size": 13, "bargap": 0.25}),
    )
    return figure_html(fig, height=420, filename="pixorga-niveaux-eleve")
