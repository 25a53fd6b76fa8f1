"""The analyst's side of a section notebook. ``from berichtswerk import abschnitt`` in the first code
cell makes the kernel show what analysts produce the way the report will:

- a cell ending in a pandas DataFrame shows an accessible report table (caption from ``#| tbl-cap:``);
- a matplotlib figure shows as a themed vector figure with caption (``#| fig-cap:``) and text
  alternative (``#| fig-alt:``) – a figure without one is marked, and the build refuses it;
- ``#| label:`` names the table or figure (file names in the design handoff).

Cell options are Quarto's: comment lines ``#| key: value`` at the top of a code cell. The same works
with plain papermill and in JupyterLab; :func:`abbildung` and :func:`tabelle` do it without options."""

from __future__ import annotations

from itertools import count
from pathlib import Path
from typing import Any

import yaml

from berichtswerk.core.textfiles import parse_yaml
from berichtswerk.abschnitt.blocks import (
    Abbildung,
    Tabelle,
    abbildung_aus_figure,
    tabelle_aus_frame,
)
from berichtswerk.data.report_data import ReportData
from berichtswerk.markup import theme

_options: dict[str, Any] = {}
_figures_in_cell = count()
_tables_in_cell = count()
_installed = False


def cell_options(source: str) -> dict[str, Any]:
    """The ``#| key: value`` lines at the top of a cell, parsed as YAML (bad YAML: no options)."""
    lines = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#|"):
            lines.append(stripped[2:].strip())
        elif stripped:
            break
    if not lines:
        return {}
    try:
        parsed = parse_yaml("\n".join(lines))
    except yaml.YAMLError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _pick(value: Any, index: int) -> str | None:
    """A cell option for the n-th figure/table of the cell (a list gives one value each)."""
    if isinstance(value, list):
        return str(value[index]) if index < len(value) and value[index] is not None else None
    if value is None:
        return None
    return str(value) if index == 0 else None


def _name(index: int) -> str | None:
    label = _options.get("label")
    if not label:
        return None
    label = str(label)
    return label if index == 0 else f"{label}-{index + 1}"


def daten(data_dir: str | Path | None = None) -> ReportData:
    """The report's data (the notebook's ``data_dir`` parameter, or the project's ``data/``)."""
    install()
    return ReportData.load(data_dir)


def abbildung(fig: Any, alt: str | None = None, titel: str | None = None, name: str | None = None) -> Abbildung:
    """A matplotlib figure as a report figure; cell options fill what is not given here."""
    index = next(_figures_in_cell)
    block = abbildung_aus_figure(fig, titel or _pick(_options.get("fig-cap"), index),
                                 alt or _pick(_options.get("fig-alt"), index), name or _name(index))
    _close_if_pyplot(fig)
    return block


def tabelle(frame: Any, titel: str | None = None, name: str | None = None) -> Tabelle:
    """A DataFrame as a report table; cell options fill what is not given here."""
    index = next(_tables_in_cell)
    return tabelle_aus_frame(frame, titel or _pick(_options.get("tbl-cap"), index), name or _name(index))


def _close_if_pyplot(fig: Any) -> None:
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and fig in [pyplot.figure(n) for n in pyplot.get_fignums()]:
        pyplot.close(fig)


def _before_cell(info: Any) -> None:
    global _options, _figures_in_cell, _tables_in_cell
    _options = cell_options(getattr(info, "raw_cell", "") or "")
    _figures_in_cell, _tables_in_cell = count(), count()


def _figure_bundle(fig: Any, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
    return abbildung(fig)._repr_mimebundle_()


def _frame_bundle(frame: Any, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
    return tabelle(frame)._repr_mimebundle_()


def _series_bundle(series: Any, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
    return tabelle(series.to_frame())._repr_mimebundle_()


def install() -> None:
    """Hook the running IPython kernel (idempotent; does nothing outside IPython)."""
    global _installed
    if _installed:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    import matplotlib
    import pandas as pd
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(theme.matplotlib_style())
    shell.events.register("pre_run_cell", _before_cell)
    if getattr(shell, "parent_header", None) is not None or hasattr(shell, "kernel"):
        # the inline backend registers PNG/SVG printers for figures; ours replaces them so that every
        # figure carries SVG, a print PNG, its caption and its text alternative
        try:
            import matplotlib_inline.backend_inline  # noqa: F401  (sets up the inline backend first)
            from IPython.core.pylabtools import select_figure_formats

            select_figure_formats(shell, set())
        except ImportError:
            pass
    bundles = shell.display_formatter.mimebundle_formatter
    bundles.for_type(Figure, _figure_bundle)
    bundles.for_type(pd.DataFrame, _frame_bundle)
    bundles.for_type(pd.Series, _series_bundle)
    for mime in ("text/html", "text/latex", "text/markdown"):
        shell.display_formatter.formatters[mime].pop(pd.DataFrame, None)
    _before_cell(None)
    _installed = True


install()
