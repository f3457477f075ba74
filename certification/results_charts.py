"""Plotly figures of the certification analysis: pure functions from figures to HTML fragments.

As the campaign charts (`campaigns.charts`): rendered on the server without plotly.js (pages
load the copy in our static files) and without Plotly's default template; every chart sits next
to a table holding the same figures, its text alternative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from campaigns.charts import figure_html
from pix.numbers import Number, round_half_up
from pix.referential import COMPETENCE_BY_CODE, COMPETENCE_CODES

# Validated green, rejected red, cancelled grey, in error amber, started blue: each ≥ 3:1
# against white (WCAG 1.4.11).
STATUS_COLOURS: Mapping[str, str] = {
    "validated": "#18753c", "rejected": "#ce0500", "cancelled": "#666666",
    "error": "#b34000", "started": "#0063cb",
}
THIS_YEAR = "#6a3fa0"  # the brand's purple
EARLIER = "#b9a3d6"
FORECAST = "#0063cb"


def status_chart(statuses: Sequence[tuple[str, str, int]]) -> str:
    """A donut of certifications by status: (status, label, count), zero counts left out."""
    shown = [(s, label, n) for s, label, n in statuses if n]
    fig = go.Figure(go.Pie(
        labels=[label for _s, label, _n in shown], values=[n for _s, _l, n in shown],
        marker={"colors": [STATUS_COLOURS.get(s, "#999999") for s, _l, _n in shown],
                "line": {"color": "#ffffff", "width": 2}},
        hole=0.55, sort=False, direction="clockwise", textinfo="value",
        hovertemplate="%{label} : %{value} (%{percent})<extra></extra>",
    ))
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      legend={"orientation": "h", "x": 0, "y": -0.05})
    return figure_html(fig, height=300, filename="pixorga-certifications-par-statut")


def level_distribution_chart(levels: Sequence[tuple[str, int]], *, axis_label: str) -> str:
    """Validated certifications by v3 global level, lowest level on the left."""
    fig = go.Figure(go.Bar(
        x=[name for name, _n in levels], y=[n for _name, n in levels],
        marker={"color": THIS_YEAR}, text=[n for _name, n in levels], textposition="outside",
        cliponaxis=False, hovertemplate="%{x} : %{y}<extra></extra>",
    ))
    fig.update_layout(margin={"l": 50, "r": 10, "t": 20, "b": 60}, showlegend=False,
                      xaxis={"type": "category", "tickangle": -30},
                      yaxis={"title": {"text": axis_label}, "automargin": True,
                             "rangemode": "tozero", "gridcolor": "#dee2e6",
                             "dtick": 1 if max((n for _name, n in levels), default=0) <= 10
                             else None})
    return figure_html(fig, height=300, filename="pixorga-niveaux-certifies")


def competence_means_chart(series: Sequence[tuple[str, Mapping[str, float | None]]], *,
                           max_level: int, axis_label: str) -> str:
    """Mean certified level per competence: this year first, then earlier years as more bars
    (`series`: (name, {code: mean level})), competences in CRCN order."""
    fig = go.Figure()
    colours = [THIS_YEAR, EARLIER, "#d9cce9"]
    names = [COMPETENCE_BY_CODE[c].name for c in COMPETENCE_CODES]
    for index, (name, means) in enumerate(series):
        # rounded here as the table prints them: plotly would round the binary float
        values = [_two_places(means.get(code)) for code in COMPETENCE_CODES]
        fig.add_trace(go.Bar(
            name=name, x=list(COMPETENCE_CODES), y=values, customdata=names,
            marker={"color": colours[min(index, len(colours) - 1)]},
            hovertemplate=f"{name}<br>%{{x}} %{{customdata}}<br>{axis_label} : "
                          "%{y:.2f}<extra></extra>",
        ))
    fig.update_layout(barmode="group", bargap=0.2, margin={"l": 50, "r": 10, "t": 40, "b": 30},
                      legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
                      xaxis={"type": "category"},
                      yaxis={"title": {"text": axis_label}, "automargin": True,
                             "range": [0, max_level + 0.3], "dtick": 1, "gridcolor": "#dee2e6"})
    return figure_html(fig, height=360, filename="pixorga-niveau-certifie-par-competence")


def forecast_chart(forecast: Mapping[str, Mapping[str, float | None]], *, forecast_label: str,
                   certified_label: str, max_level: int, axis_label: str) -> str:
    """Per competence, the same pupils' mean level in their latest profiles collection and
    their mean certified level."""
    codes = [c for c in COMPETENCE_CODES if (forecast.get(c) or {}).get("pupils")]
    names = [COMPETENCE_BY_CODE[c].name for c in codes]
    fig = go.Figure()
    for key, label, colour in (("forecast", forecast_label, FORECAST),
                               ("certified", certified_label, THIS_YEAR)):
        fig.add_trace(go.Bar(
            name=label, x=codes, y=[_two_places(forecast[c][key]) for c in codes],
            customdata=names,
            marker={"color": colour},
            hovertemplate=f"{label}<br>%{{x}} %{{customdata}}<br>{axis_label} : "
                          "%{y:.2f}<extra></extra>",
        ))
    fig.update_layout(barmode="group", bargap=0.2, margin={"l": 50, "r": 10, "t": 40, "b": 30},
                      legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
                      xaxis={"type": "category"},
                      yaxis={"title": {"text": axis_label}, "automargin": True,
                             "range": [0, max_level + 0.3], "dtick": 1, "gridcolor": "#dee2e6"})
    return figure_html(fig, height=360, filename="pixorga-prevision-et-niveau-certifie")


def _two_places(value: Number | None) -> float | None:
    """A mean rounded half up to the two places the hover prints (`%{y:.2f}` prints the float
    of a two-place decimal as that decimal)."""
    return None if value is None else float(round_half_up(value, 2))
