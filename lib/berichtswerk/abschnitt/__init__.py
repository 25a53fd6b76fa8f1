"""The analyst's side of a section notebook. ``from berichtswerk import abschnitt`` in the first code
cell makes the kernel show what analysts produce the way the report will:

- a cell ending in a pandas DataFrame shows an accessible report table (caption from ``#| tbl-cap:``);
- a matplotlib figure shows as a themed vector figure with caption (``#| fig-cap:``) and text
  alternative (``#| fig-alt:``) – a figure without one is marked, and the build refuses it;
- ``#| label:`` names the table or figure: ``@fig-…``/``@tbl-…`` refer to it, the design handoff's
  files are named after it; ``#| fig-quelle:``/``#| tbl-quelle:`` add a source line;
- ``#| fig-subcap:`` with ``#| layout-ncol:`` makes the cell's figures one figure of sub-figures;
- a ``Markdown`` object (``display(Markdown(f"… {abschnitt.zahl(n)} …"))`` or a cell's last value) is
  report prose; :func:`zahl` and :func:`prozent` write numbers the German way.

Cell options are Quarto's: comment lines ``#| key: value`` at the top of a code cell, read as YAML
(:mod:`berichtswerk.markup.cell_options`); a problem with them shows under the cell. The same works
with plain papermill and in JupyterLab; :func:`abbildung` and :func:`tabelle` do it without options.
The rest of the package is what the report's own chapters are made of: blocks (:mod:`.blocks`), report
blocks from the data (:mod:`.render`), charts (:mod:`.charts`) and counts (:mod:`.counts`)."""

from __future__ import annotations

import math
import sys
import uuid
from itertools import count
from pathlib import Path
from typing import Any

from berichtswerk.abschnitt.blocks import (
    Abbildung,
    Tabelle,
    Teil,
    Warnung,
    abbildung_aus_figure,
    reference_id,
    tabelle_aus_frame,
)
from berichtswerk.core import formats
from berichtswerk.core.errors import did_you_mean
from berichtswerk.data.report_data import ReportData
from berichtswerk.markup import cell_options, theme

_options = cell_options.CellOptions()
_figures_in_cell = count()
_tables_in_cell = count()
_cell_run = ""
_installed = False


def zahl(wert: float, stellen: int | None = None) -> str:
    """A number the German way: ``zahl(1234.5)`` → „1.234,5“, ``zahl(0.256, 2)`` → „0,26“. Without
    ``stellen`` as many decimals as the number needs, at most two."""
    if stellen is None:
        stellen = next((d for d in (0, 1) if round(float(wert), d) == round(float(wert), 2)), 2)
    return formats.zahl(float(wert), stellen)


def prozent(wert: float, stellen: int = 1) -> str:
    """A percentage (``wert`` in percent): ``prozent(37.5)`` → „37,5 %“ (with a non-breaking space)."""
    return formats.prozent(float(wert), stellen)


def _pick(value: Any, index: int) -> str | None:
    """A cell option for the n-th figure/table of the cell (a list gives one value each)."""
    if isinstance(value, list):
        return _text(value[index]) if index < len(value) and value[index] is not None else None
    if value is None:
        return None
    return _text(value) if index == 0 else None


def _text(value: Any) -> str:
    """An option's text as it reads: a block scalar's line breaks and trailing newline folded."""
    return " ".join(str(value).split())


def _name(index: int) -> str | None:
    label = _options.get("label")
    if not label:
        return None
    label = str(label)
    return label if index == 0 else f"{label}-{index + 1}"


def daten(data_dir: str | Path | None = None) -> ReportData:
    """The report's data (the notebook's ``data_dir`` parameter, or the report folder's ``data/``)."""
    install()
    return ReportData.load(data_dir)


def abbildung(fig: Any, alt: str | None = None, titel: str | None = None, name: str | None = None,
              quelle: str | None = None, daten: Any = None) -> Abbildung:
    """A matplotlib figure as a report figure; cell options fill what is not given here.

    ``daten``: the DataFrame (or Series) the figure shows – below the figure as a table ("Daten zur
    Abbildung") and in the report's open data. ``#| fig-daten: name`` names it instead."""
    index = next(_figures_in_cell)
    alt = alt or _pick(_options.get("fig-alt"), index)
    quelle = quelle or _pick(_options.get("fig-quelle"), 0)
    daten = _frame(daten) if daten is not None else _named_frame(_pick(_options.get("fig-daten"), index))
    subcaps = _options.get("fig-subcap")
    if subcaps:
        subcaps = subcaps if isinstance(subcaps, list) else [subcaps]
        columns = _options.get("layout-ncol") or (math.ceil(len(subcaps) / _options.get("layout-nrow"))
                                                  if _options.get("layout-nrow") else len(subcaps))
        teil = Teil(_cell_run, index, _pick(subcaps, index), int(columns), titel or _pick(_options.get("fig-cap"), 0),
                    reference_id("fig", _options.get("label")), quelle)
        block = abbildung_aus_figure(fig, teil.titel, alt, name or _name(index), teil=teil, daten=daten)
    else:
        name = name or _name(index)
        block = abbildung_aus_figure(fig, titel or _pick(_options.get("fig-cap"), index), alt, name,
                                     kennung=reference_id("fig", name), quelle=quelle, daten=daten)
    _close_if_pyplot(fig)
    return block


def _frame(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, pd.Series):
        return value.to_frame()
    if isinstance(value, pd.DataFrame):
        return value
    raise TypeError(f"daten: erwartet ein DataFrame oder eine Series, nicht {type(value).__name__}")


def _named_frame(name: str | None) -> Any:
    """The notebook's variable ``name`` (``#| fig-daten: name``), or ``None`` with a warning under the cell."""
    if not name:
        return None
    import pandas as pd
    from IPython import get_ipython
    from IPython.display import display

    namespace = get_ipython().user_ns if get_ipython() is not None else {}
    value = namespace.get(name)
    try:
        return _frame(value)
    except TypeError:
        frames = [key for key, v in namespace.items() if isinstance(v, (pd.DataFrame, pd.Series))
                  and not key.startswith("_")]
        found = "gibt es nicht" if value is None else f"ist ein {type(value).__name__}"
        display(Warnung(f"fig-daten: „{name}“ {found}{did_you_mean(name, frames) or '.'} Erwartet: der Name eines "
                        "DataFrames (oder einer Series) dieses Notebooks; die Abbildung erscheint ohne ihre Daten.",
                        melden=True))
        return None


def tabelle(frame: Any, titel: str | None = None, name: str | None = None, quelle: str | None = None) -> Tabelle:
    """A DataFrame as a report table; cell options fill what is not given here."""
    index = next(_tables_in_cell)
    name = name or _name(index)
    return tabelle_aus_frame(frame, titel or _pick(_options.get("tbl-cap"), index), name,
                             quelle=quelle or _pick(_options.get("tbl-quelle"), 0), kennung=reference_id("tbl", name))


def _close_if_pyplot(fig: Any) -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and fig in [pyplot.figure(n) for n in pyplot.get_fignums()]:
        pyplot.close(fig)


def _before_cell(info: Any) -> None:
    global _options, _figures_in_cell, _tables_in_cell, _cell_run
    _options = cell_options.parse(getattr(info, "raw_cell", "") or "")
    _figures_in_cell, _tables_in_cell = count(), count()
    _cell_run = uuid.uuid4().hex[:12]
    if _options.probleme:
        from IPython.display import display

        for problem in _options.probleme:
            kind = "Fehler – der Build bricht hier ab" if problem.schwer else "Hinweis"
            display(Warnung(f"{problem} ({kind})"))


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
    _installed = True


install()
