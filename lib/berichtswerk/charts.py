"""Charts as self-contained SVG with a text alternative generated from the same numbers.

Uses matplotlib's object API (no pyplot, no GUI backend) and fixed SVG ids and metadata, so the
same data always gives byte-identical output – which keeps cached sections reproducible.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd
from matplotlib import rcParams
from matplotlib.figure import Figure

from . import figures, theme
from .format import zahl
from .load import ReportData

rcParams["svg.hashsalt"] = "berichtswerk"
rcParams["svg.fonttype"] = "none"  # real <text>: selectable, crisp, fast to lay out in the PDF
rcParams["font.family"] = theme.FONT_FAMILY


@dataclass(frozen=True)
class Chart:
    """A drawn chart: SVG markup, its title and a complete text alternative."""

    title: str
    svg: str
    alt: str
    name: str  # stable file stem for exports, e.g. "3-3_gefluechtete_massnahmen_je_oe"
    figure: Figure = field(repr=False, compare=False)

    def png(self, dpi: int = 300) -> bytes:
        """The same chart as PNG for print layouts (300 dpi by default)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight",
                            metadata={"Software": None}, facecolor="white")
        return buffer.getvalue()


def _to_svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return buffer.getvalue()


def _bar_chart(values: pd.Series, title: str, colour: str, xlabel: str) -> Figure:
    values = values[::-1]  # largest on top
    height = 0.9 + 0.32 * len(values)
    fig = Figure(figsize=(7.2, height))
    ax = fig.add_subplot()
    bars = ax.barh(list(values.index), list(values.to_numpy()), color=colour, height=0.68)
    ax.bar_label(bars, labels=[zahl(v) for v in values.to_numpy()], padding=3, fontsize=9, color=theme.TEXT)
    ax.set_title(title, loc="left", fontsize=11, color=theme.TEXT, pad=10)
    ax.set_xlabel(xlabel, fontsize=9, color=theme.TEXT)
    ax.tick_params(axis="y", length=0, labelsize=9, colors=theme.TEXT)
    ax.tick_params(axis="x", labelsize=8, colors=theme.NEUTRAL)
    ax.xaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(0, max(values.max(), 1) * 1.12)
    return fig


def massnahmen_je_oe(data: ReportData, handlungsfeld: str) -> Chart:
    hf = data.handlungsfeld(handlungsfeld)
    counts = figures.measures_per_oe(data, handlungsfeld)
    series = pd.Series(counts["anzahl"].to_numpy(), index=counts["name"])
    title = f"Maßnahmen je Organisationseinheit – {handlungsfeld}"
    fig = _bar_chart(series, title, theme.farbe(hf["slug"]), "Anzahl Maßnahmen")
    alt = (f"Balkendiagramm: Maßnahmen je Organisationseinheit im Handlungsfeld {handlungsfeld}: "
           + ", ".join(f"{name} {zahl(n)}" for name, n in series.items()) + ".")
    return Chart(title, _to_svg(fig), alt, f"{hf['nummer'].replace('.', '-')}_{hf['slug']}_massnahmen_je_oe", fig)


def massnahmen_je_handlungsfeld(data: ReportData) -> Chart:
    per_hf = figures.measures_per_handlungsfeld(data)
    series = pd.Series(per_hf["massnahmen"].to_numpy(), index=per_hf["handlungsfeld"]).sort_values(
        ascending=False, kind="stable")
    colours = dict(zip(per_hf["handlungsfeld"], per_hf["slug"], strict=True))
    fig = _bar_chart(series, "Maßnahmen je Handlungsfeld", theme.NEUTRAL, "Anzahl Maßnahmen")
    ax = fig.axes[0]
    for bar, name in zip(ax.patches, series.index[::-1], strict=True):
        bar.set_color(theme.farbe(colours[name]))
    alt = ("Balkendiagramm: nummerierte Maßnahmen je Handlungsfeld: "
           + ", ".join(f"{name} {zahl(n)}" for name, n in series.items()) + ".")
    return Chart("Maßnahmen je Handlungsfeld", _to_svg(fig), alt, "4_massnahmen_je_handlungsfeld", fig)


def massnahmen_je_oe_gesamt(data: ReportData) -> Chart:
    counts = figures.measures_per_oe(data)
    series = pd.Series(counts["anzahl"].to_numpy(), index=counts["name"])
    fig = _bar_chart(series, "Maßnahmen je Organisationseinheit (alle Handlungsfelder)", theme.NEUTRAL,
                     "Anzahl Maßnahmen")
    alt = ("Balkendiagramm: Maßnahmen je Organisationseinheit über alle Handlungsfelder: "
           + ", ".join(f"{name} {zahl(n)}" for name, n in series.items()) + ".")
    return Chart("Maßnahmen je Organisationseinheit", _to_svg(fig), alt, "4_massnahmen_je_oe", fig)


def matrix_handlungsfeld_oe(data: ReportData) -> Chart:
    table = figures.matrix_handlungsfeld_oe(data)
    fig = Figure(figsize=(7.2, 4.6))
    ax = fig.add_subplot()
    values = table.to_numpy()
    ax.imshow(values, cmap="Blues", aspect="auto", vmin=0, vmax=max(values.max(), 1) * 1.15)
    for (i, j), v in pd.DataFrame(values).stack().items():
        if v:
            ax.text(j, i, zahl(v), ha="center", va="center", fontsize=8,
                    color="white" if v > values.max() * 0.55 else theme.TEXT)
    ax.set_xticks(range(table.shape[1]), labels=[_short(c) for c in table.columns], rotation=40,
                  ha="right", fontsize=7.5)
    ax.set_yticks(range(table.shape[0]), labels=list(table.index), fontsize=8)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title("Maßnahmen nach Handlungsfeld und Organisationseinheit", loc="left", fontsize=11, pad=10)
    parts = []
    for hf, row in table.iterrows():
        cells = [f"{_short(name)} {zahl(n)}" for name, n in row.items() if n]
        parts.append(f"{hf}: " + ", ".join(cells))
    alt = "Matrix: Anzahl der Maßnahmen je Handlungsfeld und Organisationseinheit. " + "; ".join(parts) + "."
    return Chart("Maßnahmen nach Handlungsfeld und Organisationseinheit", _to_svg(fig), alt,
                 "4_matrix_handlungsfeld_oe", fig)


def all_charts(data: ReportData) -> list[Chart]:
    """Every chart of the report, in report order (for the design-team export)."""
    per_field = [massnahmen_je_oe(data, titel) for titel in data.handlungsfelder["titel"]]
    return [*per_field, massnahmen_je_handlungsfeld(data), massnahmen_je_oe_gesamt(data),
            matrix_handlungsfeld_oe(data)]


def _short(name: str) -> str:
    return name.replace("Fachbereich ", "FB ").replace("Fachdienst ", "FD ")
