"""Plotly figures of the progression pages, in the look of the campaigns' and drawn as theirs
(`campaigns.charts.figure_html`): JSON that static/js/charts.js draws with our static copy of
plotly.js, each next to a table holding the same figures (its text alternative).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.colors import sample_colorscale, sequential

from campaigns.charts import figure_html
from pix.numbers import french, percent, round_half_up
from pix.referential import COMPETENCE_BY_CODE

MET = "#1b7a4e"  # green, 5.3:1 on white
NOT_MET = "#b3411b"  # brick, 5.2:1 on white
YEAR_COLOURS = ("#3d2c8d", "#9e9ac8")  # this year (brand), the year before (lighter)


def _narrow(narrow: dict, wide: dict) -> dict:
    """Layout for a phone and back (applied by static/js/charts.js)."""
    return {"narrow": {"layout": narrow, "data": {}}, "wide": {"layout": wide, "data": {}}}


def share_met_chart(labels: Sequence[str], shares: Sequence[float | None],
                    counts: Sequence[str], *, axis_label: str) -> str:
    """Horizontal bars: the share of each class meeting the objective, 0–100 %."""
    values = [None if s is None else int(percent(s)) for s in shares]  # half up, as the table
    fig = go.Figure(go.Bar(
        orientation="h", y=list(labels), x=[v or 0 for v in values],
        marker={"color": MET},
        text=[("—" if v is None else f"{v} %") for v in values], textposition="outside",
        cliponaxis=False, customdata=list(counts),
        hovertemplate="%{y} : %{x} % (%{customdata})<extra></extra>",
    ))
    fig.update_layout(
        showlegend=False, bargap=0.3, margin={"l": 10, "r": 40, "t": 10, "b": 40},
        xaxis={"range": [0, 105], "ticksuffix": " %", "title": {"text": axis_label},
               "fixedrange": True, "gridcolor": "#dee2e6"},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True,
               "fixedrange": True},
    )
    return figure_html(fig, height=80 + 34 * max(len(labels), 2),
                       filename="pixorga-objectif-atteint-par-classe")


def missing_chart(counts: Mapping[str, int], *, total: int, axis_label: str) -> str:
    """Horizontal bars: competences by how many pupils not meeting the objective lack them,
    the most lacking on top."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    labels = [f"{code} {COMPETENCE_BY_CODE[code].name}" for code, _n in ordered]
    short = [code for code, _n in ordered]
    values = [n for _code, n in ordered]
    fig = go.Figure(go.Bar(
        orientation="h", y=labels, x=values, marker={"color": NOT_MET},
        text=[f"{n}" for n in values], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>%{x}<extra></extra>",
    ))
    wide = [_wrap(label, 34) for label in labels]
    fig.update_layout(
        showlegend=False, bargap=0.3, margin={"l": 10, "r": 30, "t": 10, "b": 40},
        xaxis={"range": [0, max(total, 1) * 1.08], "title": {"text": axis_label},
               "fixedrange": True, "gridcolor": "#dee2e6", "rangemode": "tozero"},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True,
               "tickvals": labels, "ticktext": wide, "fixedrange": True},
        meta=_narrow(narrow={"yaxis.ticktext": short}, wide={"yaxis.ticktext": wide}),
    )
    return figure_html(fig, height=80 + 34 * max(len(labels), 2),
                       filename="pixorga-competences-manquantes")


def level_heatmap(rows: Sequence[str], codes: Sequence[str],
                  matrix: Sequence[Sequence[float | None]], *, max_level: int,
                  value_label: str) -> str:
    """Classes × competences, the mean level printed in each cell (one decimal)."""
    # rounded half up here: a float of one decimal prints as that decimal
    z = [[None if v is None else float(round_half_up(v, 1)) for v in row] for row in matrix]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(codes), y=list(rows), zmin=0, zmax=max_level,
        # Light enough everywhere for black printed values (contrast ≥ 4.5:1).
        colorscale=[[f, sample_colorscale(sequential.Purples, [0.1 + 0.52 * f])[0]]
                    for f in (0, 0.25, 0.5, 0.75, 1)],
        texttemplate="%{z:.1f}", textfont={"size": 12, "color": "#000000"}, hoverongaps=False,
        xgap=2, ygap=2,
        customdata=[[COMPETENCE_BY_CODE[c].name for c in codes] for _row in rows],
        hovertemplate=f"%{{y}} · %{{x}} %{{customdata}}<br>{value_label} : %{{z}}"
                      "<extra></extra>",
        colorbar={"title": {"text": value_label, "side": "right"}, "thickness": 12},
    ))
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"side": "top", "type": "category", "tickangle": 0, "fixedrange": True},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True,
               "fixedrange": True},
    )
    return figure_html(fig, height=60 + 36 * max(len(rows), 3),
                       filename="pixorga-niveaux-par-classe")


def years_levels_chart(codes: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
                       *, max_level: int, axis_label: str) -> str:
    """Grouped columns: a grade's mean level per competence, one colour per school year."""
    fig = go.Figure()
    for (name, values), colour in zip(series, YEAR_COLOURS, strict=False):
        fig.add_trace(go.Bar(
            name=name, x=list(codes), y=[float(v) if v is not None else 0 for v in values],
            marker={"color": colour},
            text=["—" if v is None else french(v, 1) for v in values],
            textposition="outside",
            cliponaxis=False, textfont={"size": 11},
            customdata=[COMPETENCE_BY_CODE[c].name for c in codes],
            hovertemplate=f"%{{x}} %{{customdata}}<br>{name} : %{{text}}<extra></extra>",
        ))
    fig.update_layout(
        barmode="group", bargap=0.25, bargroupgap=0.05,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        yaxis={"range": [0, max_level + 0.6], "dtick": 1, "title": {"text": axis_label},
               "gridcolor": "#dee2e6", "fixedrange": True, "automargin": True},
        xaxis={"type": "category", "tickangle": 0, "fixedrange": True},
        meta=_narrow(narrow={"xaxis.tickfont.size": 10}, wide={"xaxis.tickfont.size": 13}),
    )
    return figure_html(fig, height=380,
                       filename="pixorga-niveaux-par-annee")


def _wrap(text: str, width: int) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)
