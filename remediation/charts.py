"""The effect chart: a pure function from the effect figures to an HTML fragment, in the style of
the campaign charts (no plotly.js inlined, no default template, French number separators).
The table beside it holds the same figures and is its text alternative.

As campaign charts do, the fragment is a `.js-chart` box holding the figure as JSON, which
static/js/charts.js draws once plotly.js (loaded with `defer`) is there
(`campaigns.charts.figure_html`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import plotly.graph_objects as go

from campaigns.charts import figure_html
from pix.numbers import french, round_half_up

ATTENDED_BEFORE = "#c7bde8"
ATTENDED_AFTER = "#3d2c8d"  # the brand's purple
OTHERS_BEFORE = "#d5d8dc"
OTHERS_AFTER = "#5c636a"
BLOCK = 96  # px per group: four bars and a gap


@dataclass(frozen=True)
class EffectBar:
    label: str  # a group, or "Ensemble"
    # exact means (`remediation.effect.Figures`): labels are rounded half up from them
    attended_before: Fraction | None
    attended_after: Fraction | None
    others_before: Fraction | None
    others_after: Fraction | None
    short: str = ""  # on a phone: the group's competence codes, say


def _wrapped(text: str, width: int = 26) -> str:
    """A group's name on lines of about `width` characters, for an axis label."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def effect_chart(bars: Sequence[EffectBar], *, mastery: bool, labels: dict[str, str]) -> str:
    """Horizontal grouped bars, one block per group (first on top): the attendees' mean before
    and after, and the other pupils' of the grade. Horizontal, so that long group names stay
    readable on a phone. `labels` names the four series and the axis."""
    scale = 100 if mastery else 1
    suffix = "\u202f%" if mastery else ""
    y = [_wrapped(bar.label) for bar in bars]

    def values(attr: str) -> list[float | None]:
        return [None if getattr(b, attr) is None else float(getattr(b, attr) * scale)
                for b in bars]

    def texts(attr: str) -> list[str]:
        # rounded half up on the exact mean, as the table next to the chart
        return ["—" if getattr(b, attr) is None
                else (f"{round_half_up(getattr(b, attr) * scale, 0)}{suffix}" if mastery
                      else french(getattr(b, attr), 1)) for b in bars]

    fig = go.Figure()
    # With the axis reversed (first group on top), a group's first trace is on top too.
    for attr, name, colour in (
        ("attended_before", labels["attended_before"], ATTENDED_BEFORE),
        ("attended_after", labels["attended_after"], ATTENDED_AFTER),
        ("others_before", labels["others_before"], OTHERS_BEFORE),
        ("others_after", labels["others_after"], OTHERS_AFTER),
    ):
        data = values(attr)
        fig.add_trace(go.Bar(
            name=name, y=y, x=data, orientation="h",
            marker={"color": colour, "line": {"color": "#212529", "width": 0.5}},
            text=texts(attr), textposition="outside", cliponaxis=False,
            hovertemplate=f"%{{y}}<br>{name} : %{{text}}<extra></extra>",
        ))
    everything = [v for a in ("attended_after", "others_after", "attended_before",
                              "others_before") for v in values(a) if v is not None]
    top = 100 if mastery else max(everything or [1]) + 0.6
    fig.update_layout(
        barmode="group", bargap=0.3, bargroupgap=0.05,
        legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
        margin={"l": 10, "r": 40, "t": 60, "b": 40},
        xaxis={"range": [0, top * 1.12], "ticksuffix": suffix, "automargin": True,
               "title": {"text": labels["axis"]}, "gridcolor": "#dee2e6", "fixedrange": True},
        yaxis={"type": "category", "automargin": True, "fixedrange": True,
               "autorange": "reversed", "tickvals": y, "ticktext": y},
        # static/js/charts.js: short labels while the chart is narrower than 560 px
        meta={"narrow": {"layout": {"yaxis.ticktext": [b.short or _wrapped(b.label, 12)
                                                       for b in bars]}, "data": {}},
              "wide": {"layout": {"yaxis.ticktext": y}, "data": {}}},
    )
    return figure_html(fig, height=130 + BLOCK * len(bars), filename="pixorga-effet-remediation")
