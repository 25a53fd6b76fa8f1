"""The report's own charts. Each returns an :class:`~berichtswerk.blocks.Abbildung`: vector SVG, a
300-dpi PNG for the design team, a caption and a text alternative generated from the same numbers.

Uses matplotlib's object API (no pyplot, no GUI backend) with the report's style, so the same data
always gives byte-identical output – which keeps cached sections reproducible."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from berichtswerk.abschnitt import counts
from berichtswerk.abschnitt.blocks import Abbildung, abbildung_aus_figure
from berichtswerk.core.formats import zahl
from berichtswerk.data import ausgaben
from berichtswerk.data.report_data import ReportData
from berichtswerk.markup import theme


def _styled(colour: str | None = None) -> matplotlib.rc_context:
    return matplotlib.rc_context(theme.matplotlib_style(colour))


def _bar_chart(values: pd.Series, title: str, colour: str, xlabel: str) -> Figure:
    values = values[::-1]  # largest on top
    fig = Figure(figsize=(7.2, 0.9 + 0.32 * len(values)))
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
    ax.set_xlim(0, max(values.max() if len(values) else 0, 1) * 1.12)
    return fig


def massnahmen_je_oe(data: ReportData, handlungsfeld: str | None = None) -> Abbildung:
    """Bar chart of the measures per unit, for one Handlungsfeld or (``None``) all of them."""
    per_oe = counts.measures_per_oe(data, handlungsfeld)
    series = pd.Series(per_oe["anzahl"].to_numpy(), index=per_oe["name"])
    if handlungsfeld is None:
        title, colour = "Maßnahmen je Organisationseinheit (alle Handlungsfelder)", theme.NEUTRAL
        alt_head = "Balkendiagramm: Maßnahmen je Organisationseinheit über alle Handlungsfelder: "
    else:
        title, colour = f"Maßnahmen je Organisationseinheit – {handlungsfeld}", data.handlungsfeld(handlungsfeld)["farbe"]
        alt_head = f"Balkendiagramm: Maßnahmen je Organisationseinheit im Handlungsfeld {handlungsfeld}: "
    with _styled(colour):
        fig = _bar_chart(series, title, colour, "Anzahl Maßnahmen")
        alt = alt_head + ", ".join(f"{name} {zahl(n)}" for name, n in series.items()) + "."
        shown = pd.DataFrame({"Organisationseinheit": series.index, "Maßnahmen": series.to_numpy()})
        return abbildung_aus_figure(fig, title, alt, "massnahmen-je-oe", colour, daten=shown)


def massnahmen_je_handlungsfeld(data: ReportData) -> Abbildung:
    per_hf = counts.measures_per_handlungsfeld(data)
    series = pd.Series(per_hf["massnahmen"].to_numpy(), index=per_hf["handlungsfeld"]).sort_values(
        ascending=False, kind="stable")
    colours = dict(zip(per_hf["handlungsfeld"], per_hf["farbe"], strict=True))
    with _styled():
        fig = _bar_chart(series, "Maßnahmen je Handlungsfeld", theme.NEUTRAL, "Anzahl Maßnahmen")
        for bar, name in zip(fig.axes[0].patches, series.index[::-1], strict=True):
            bar.set_color(colours[name])
        alt = ("Balkendiagramm: nummerierte Maßnahmen je Handlungsfeld: "
               + ", ".join(f"{name} {zahl(n)}" for name, n in series.items()) + ".")
        shown = pd.DataFrame({"Handlungsfeld": series.index, "Maßnahmen": series.to_numpy()})
        return abbildung_aus_figure(fig, "Maßnahmen je Handlungsfeld", alt, "massnahmen-je-handlungsfeld",
                                    daten=shown)


def matrix_handlungsfeld_oe(data: ReportData) -> Abbildung:
    table = counts.matrix_handlungsfeld_oe(data)
    title = "Maßnahmen nach Handlungsfeld und Organisationseinheit"
    with _styled():
        fig = Figure(figsize=(7.2, 1.6 + 0.38 * max(len(table), 1)))
        ax = fig.add_subplot()
        values = table.to_numpy()
        peak = max(values.max() if values.size else 0, 1)
        ax.imshow(values, cmap="Blues", aspect="auto", vmin=0, vmax=peak * 1.15)
        for (i, j), v in pd.DataFrame(values).stack().items():
            if v:
                ax.text(j, i, zahl(v), ha="center", va="center", fontsize=8,
                        color="white" if v > peak * 0.55 else theme.TEXT)
        ax.set_xticks(range(table.shape[1]), labels=[_short(c) for c in table.columns], rotation=40,
                      ha="right", fontsize=7.5)
        ax.set_yticks(range(table.shape[0]), labels=list(table.index), fontsize=8)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(title, loc="left", fontsize=11, pad=10)
        parts = []
        for hf, row in table.iterrows():
            cells = [f"{_short(name)} {zahl(n)}" for name, n in row.items() if n]
            parts.append(f"{hf}: " + ", ".join(cells))
        alt = "Matrix: Anzahl der Maßnahmen je Handlungsfeld und Organisationseinheit. " + "; ".join(parts) + "."
        # as a list of the cells drawn (zero cells stay empty in the chart): readable row by row
        shown = table.rename_axis(index="Handlungsfeld", columns="Organisationseinheit").stack().rename(
            "Maßnahmen").reset_index()
        shown = shown[shown["Maßnahmen"] > 0].reset_index(drop=True)
        return abbildung_aus_figure(fig, title, alt, "matrix-handlungsfeld-oe", daten=shown)


#: Colours of the comparison's kinds: new stands out, continued is the neutral mass, ended recedes.
COMPARISON_COLOURS = {"Neu": "#1b7a3a", "Fortgeführt": "#3d4650", "Beendet": "#a8b1ba"}


def vergleich(data: ReportData) -> Abbildung | None:
    """Stacked bars per Handlungsfeld: measures new, continued and ended since the previous edition
    (``None`` – nothing shown – when the report compares with none)."""
    comparison, name = data.vergleich(), data.vergleich_mit()
    if comparison is None:
        return None
    table = ausgaben.summary(comparison, list(data.handlungsfelder("titel")["titel"]))
    table = table[table["Handlungsfeld"] != "Gesamt"].iloc[::-1]
    title = f"Maßnahmen je Handlungsfeld seit der Ausgabe {name}"
    with _styled():
        fig = Figure(figsize=(7.2, 1.3 + 0.42 * len(table)))
        ax = fig.add_subplot()
        left = pd.Series(0, index=table.index)
        for kind, colour in COMPARISON_COLOURS.items():
            bars = ax.barh(list(table["Handlungsfeld"]), list(table[kind]), left=list(left), color=colour,
                           height=0.66, label=kind)
            labels = [zahl(v) if v else "" for v in table[kind]]
            ax.bar_label(bars, labels=labels, label_type="center", fontsize=8,
                         color="#1f2328" if kind == "Beendet" else "white")
            left = left + table[kind]
        ax.set_title(title, loc="left", fontsize=11, pad=10)
        ax.set_xlabel("Anzahl Maßnahmen", fontsize=9)
        ax.tick_params(axis="y", length=0, labelsize=9)
        ax.xaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.legend(loc="upper center", fontsize=8.5, frameon=False, ncols=3, bbox_to_anchor=(0.5, -0.5 / len(table)
                                                                                              - 0.12))
        parts = [f"{r['Handlungsfeld']}: " + ", ".join(f"{k.lower()} {zahl(r[k])}" for k in COMPARISON_COLOURS)
                 for _, r in table.iloc[::-1].iterrows()]
        alt = (f"Gestapeltes Balkendiagramm: Maßnahmen je Handlungsfeld seit der Ausgabe {name}, "
               "unterteilt in neu, fortgeführt und beendet. " + "; ".join(parts) + ".")
        shown = table.iloc[::-1][["Handlungsfeld", *COMPARISON_COLOURS]].reset_index(drop=True)
        return abbildung_aus_figure(fig, title, alt, "vergleich", daten=shown)


def _short(name: str) -> str:
    return name.replace("Fachbereich ", "FB ").replace("Fachdienst ", "FD ")
