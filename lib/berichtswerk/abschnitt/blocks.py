"""What a section notebook displays: prose fragments, tables and figures, each as one rich output.

Every block carries two renderings in its MIME bundle:
- ``text/html`` for JupyterLab: the block wrapped in ``<div class="bw">`` with its own scoped stylesheet,
  so it reads correctly without the report's stylesheet (what analysts see is what the report shows);
- ``application/vnd.berichtswerk.html`` for the assembler: the bare markup the report typesets.
Tables add their data (``application/vnd.berichtswerk.tabelle+json``) and figures their SVG and a 300-dpi
PNG, so the design handoff takes both from the executed notebooks – there is no second registry."""

from __future__ import annotations

import base64
import io
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types

from berichtswerk.core.formats import datum, zahl
from berichtswerk.core.mime import HTML_MIME, TABLE_MIME, WARNING_MIME
from berichtswerk.markup import templating, theme

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def notebook_html(body: str, farbe: str | None = None) -> str:
    """The block as JupyterLab shows it: scoped styles, the field's colour, then the markup."""
    style = f' style="--hf-farbe: {farbe}"' if farbe else ""
    return f'<div class="bw"{style}><style>{theme.notebook_css()}</style>\n{body}\n</div>'


@dataclass(frozen=True)
class Fragment:
    """Report markup (already escaped/sanitised) as a displayable block."""

    html: str
    farbe: str | None = None
    text: str = ""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        data = {"text/html": notebook_html(self.html, self.farbe), HTML_MIME: self.html,
                "text/plain": self.text or "[Berichtsabschnitt]"}
        return data, {"berichtswerk": {"art": "fragment"}}

    def __add__(self, other: Fragment) -> Fragment:
        return Fragment(self.html + "\n" + other.html, self.farbe or other.farbe, self.text)


def reference_id(prefix: str, label: str | None) -> str | None:
    """The anchor of a labelled figure or table, as Quarto names it: ``fig-…``/``tbl-…`` (a label
    without the prefix gets it, so ``@fig-verteilung`` finds ``#| label: verteilung`` too)."""
    if not label:
        return None
    label = str(label)
    return label if label.startswith(f"{prefix}-") else f"{prefix}-{label}"


@dataclass(frozen=True)
class Tabelle:
    """A table of the report: accessible markup plus its data for the design team. A table with a
    caption is numbered in the report ("Tabelle 3: …"); ``kennung`` is its anchor for ``@tbl-…``."""

    titel: str | None
    name: str | None
    spalten: list[str]
    zeilen: list[list[Any]]
    html: str
    farbe: str | None = None
    quelle: str | None = None
    typen: tuple[str, ...] = ()   # each column's Table Schema type (integer, number, boolean, date, string)

    @property
    def payload(self) -> dict[str, Any]:
        """The table's data as it leaves the kernel: for the design handoff and the open data."""
        return {"titel": self.titel, "name": self.name, "spalten": self.spalten, "zeilen": self.zeilen,
                "typen": list(self.typen), "quelle": self.quelle}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        payload = self.payload
        data = {"text/html": notebook_html(self.html, self.farbe), HTML_MIME: self.html, TABLE_MIME: payload,
                "text/plain": f"[Tabelle: {self.titel or 'ohne Titel'}, {len(self.zeilen)} Zeilen]"}
        return data, {"berichtswerk": {"art": "tabelle", "titel": self.titel, "name": self.name, "quelle": self.quelle}}


@dataclass(frozen=True)
class Teil:
    """Where a figure stands in a group of sub-figures (``#| fig-subcap``): the group is the cell."""

    gruppe: str                 # the same for every sub-figure of one cell run
    index: int                  # 0, 1, … – "(a)", "(b)", …
    untertitel: str | None
    spalten: int                # sub-figures per row (``layout-ncol``)
    titel: str | None           # the caption of the whole group (``fig-cap``)
    kennung: str | None         # the group's anchor (``label``)
    quelle: str | None


@dataclass(frozen=True)
class Abbildung:
    """A figure of the report: vector SVG, its caption, source line and text alternative. A figure with
    a caption is numbered in the report ("Abbildung 7: …"); ``kennung`` is its anchor for ``@fig-…``.

    ``alt`` may be missing while an analyst works; the block then says so in JupyterLab, and the build
    refuses it (WCAG 1.1.1)."""

    svg: str
    titel: str | None
    alt: str | None
    name: str | None
    png: bytes = field(default=b"", repr=False)
    farbe: str | None = None
    kennung: str | None = None
    quelle: str | None = None
    teil: Teil | None = None
    daten: Tabelle | None = None   # the numbers behind the figure, shown below it as a table

    @property
    def src(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")

    @property
    def html(self) -> str:
        if self.teil is not None:
            return templating.render("abschnitt", "teilabbildung", src=self.src, alt=self.alt,
                                     untertitel=self.teil.untertitel, buchstabe="abcdefghijklmnopqrstuvwxyz"[
                                         self.teil.index % 26], daten=self.daten)
        return templating.render("abschnitt", "abbildung", src=self.src, titel=self.titel, alt=self.alt,
                                 name=self.name, kennung=self.kennung, quelle=self.quelle, daten=self.daten)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        shown = self.html
        if not self.alt:
            shown += warning_html("Diese Abbildung hat keine Textalternative. Bitte „#| fig-alt: …“ in die "
                                  "erste Zeile der Zelle schreiben – ohne sie bricht der Build ab.")
        data = {"text/html": notebook_html(shown, self.farbe), HTML_MIME: self.html,
                "image/svg+xml": self.svg, "text/plain": f"[Abbildung: {self.titel or self.alt or 'ohne Titel'}]"}
        if self.png:
            data["image/png"] = base64.b64encode(self.png).decode("ascii")
        if self.daten is not None:
            data[TABLE_MIME] = self.daten.payload
        meta = {"art": "abbildung", "titel": self.titel, "alt": self.alt, "name": self.name, "quelle": self.quelle}
        if self.teil is not None:
            meta["teil"] = asdict(self.teil)
        return data, {"berichtswerk": meta}


def warning_html(text: str) -> str:
    """A warning for the analyst, shown in JupyterLab only (never part of a block's report markup)."""
    return templating.render("abschnitt", "warnung", text=text)


@dataclass(frozen=True)
class Warnung:
    """Something the analyst should fix, displayed under the cell in JupyterLab; the report never
    shows it (it carries no report markup), the build reports the same problem from the source."""

    text: str
    melden: bool = False   # True: the build says it too (it cannot see it in the cell's source)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return ({"text/html": notebook_html(warning_html(self.text)), "text/plain": f"Warnung: {self.text}",
                 WARNING_MIME: self.text}, {"berichtswerk": {"art": "warnung", "melden": self.melden}})


# --- conversion of what analysts produce ------------------------------------------------------------


def figure_svg(fig: Figure) -> str:
    """Deterministic SVG (fixed ids, no date) with real text, so caches and the PDF stay stable."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return buffer.getvalue()


#: Whether figures carry the 300-dpi print PNG (a tenth of a second per chart). Only Word and the design
#: handoff use it; a build that makes neither – the preview – switches it off in its kernels.
print_images = True


def figure_png(fig: Figure, dpi: int = 300) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None},
                facecolor="white")
    return buffer.getvalue()


def abbildung_aus_figure(fig: Figure, titel: str | None, alt: str | None, name: str | None,
                         farbe: str | None = None, kennung: str | None = None, quelle: str | None = None,
                         teil: Teil | None = None, daten: pd.DataFrame | None = None) -> Abbildung:
    """``daten``: the frame the figure was drawn from – shown below it as "Daten zur Abbildung" and
    published with the report's open data."""
    table = None
    if daten is not None:
        about = (teil.untertitel if teil is not None and teil.untertitel else None) or titel
        table = tabelle_aus_frame(daten, f"Daten zur Abbildung: {about}" if about else "Daten zur Abbildung",
                                  name, nummeriert=False)
    return Abbildung(figure_svg(fig), titel, alt, name, figure_png(fig) if print_images else b"", farbe, kennung,
                     quelle, teil, table)


def _is_default_index(frame: pd.DataFrame) -> bool:
    index = frame.index
    return (isinstance(index, pd.RangeIndex) and index.name is None and index.start == 0
            and index.step == 1)


def _column_label(label: Any) -> str:
    if isinstance(label, tuple):
        return " – ".join(str(p) for p in label if str(p))
    return str(label)


def _formatter(series: pd.Series):
    """German formatting per column: integers without, other numbers with two decimals."""
    if types.is_bool_dtype(series):
        return lambda v: "ja" if v else "nein"
    if types.is_numeric_dtype(series):
        values = [float(v) for v in series.dropna()]
        # as many decimals as the column needs, at most two: 37.5 → "37,5", 3.0 → "3"
        places = next((d for d in (0, 1) if all(round(v, d) == round(v, 2) for v in values)), 2)
        return lambda v: zahl(v, places)
    if types.is_datetime64_any_dtype(series):
        return lambda v: datum(pd.Timestamp(v).date())
    return lambda v: str(v)


def _plain(value: Any) -> Any:
    """A JSON-able cell value for the design handoff (numbers stay numbers)."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def schema_type(series: pd.Series) -> str:
    """The column's Table Schema type, as open data describes it."""
    if types.is_bool_dtype(series):
        return "boolean"
    if types.is_integer_dtype(series):
        return "integer"
    if types.is_numeric_dtype(series):
        return "number"
    if types.is_datetime64_any_dtype(series):
        times = pd.to_datetime(series.dropna())
        return "date" if (times == times.dt.normalize()).all() else "datetime"
    return "string"


def tabelle_aus_frame(frame: pd.DataFrame, titel: str | None = None, name: str | None = None,
                      farbe: str | None = None, quelle: str | None = None, kennung: str | None = None,
                      nummeriert: bool = True) -> Tabelle:
    """An accessible report table from a DataFrame: caption, ``th scope``, German numbers, no inline
    styles, and no index column unless the index carries meaning (a name or non-default labels).
    ``nummeriert=False``: a table that is part of something else (a figure's data), not "Tabelle n"."""
    keep_index = not _is_default_index(frame)
    shown = frame.reset_index() if keep_index else frame
    columns = [_column_label(c) for c in shown.columns]
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
               for c in shown.columns]
    formats = [_formatter(shown[c]) for c in shown.columns]
    rows_plain = [[_plain(v) for v in row] for row in shown.itertuples(index=False, name=None)]
    rows_text = [["–" if v is None else fmt(v) for v, fmt in zip(row, formats, strict=True)]
                 for row in rows_plain]
    html = templating.render("abschnitt", "tabelle", titel=titel, spalten=columns, zeilen=rows_text, numerisch=numeric,
                             kennung=kennung, quelle=quelle, nummeriert=nummeriert)
    return Tabelle(titel, name, columns, rows_plain, html, farbe, quelle,
                   tuple(schema_type(shown[c]) for c in shown.columns))
