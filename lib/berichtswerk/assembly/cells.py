"""What the report can take from a section's executed cells – pure functions on notebook JSON, free of
nbconvert, so the build can judge a section right after it ran: a figure without a text alternative,
a cell option that cannot be read or an inline value that failed fails it; stray output and unknown
options are reported. A cell's options (:mod:`berichtswerk.markup.cell_options`) decide whether its
outputs count at all (``include: false``, ``output: false``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from berichtswerk.core.mime import DEPS_MIME, HTML_MIME, INLINE_MIME, WARNING_MIME
from berichtswerk.markup import cell_options

#: Cells the report never shows: editor notes, parameters, the build's own bookkeeping.
HIDDEN_TAGS = {"notiz", "parameters", "injected-parameters", "berichtswerk-intern"}
_IGNORED_MIMES = {"text/plain", DEPS_MIME, WARNING_MIME, INLINE_MIME}


@dataclass(frozen=True)
class CellProblem:
    """Something the build must say about one cell of one section."""

    schwer: bool                      # True: the section fails
    abschnitt: str                    # e.g. "3.3 Geflüchtete"
    notebook: str
    zelle: str                        # "Zelle [5] „df.plot()“"
    meldung: str

    def __str__(self) -> str:
        return f"{self.abschnitt} ({self.notebook}), {self.zelle}: {self.meldung}"


#: Cells the build or papermill added; they do not count when a cell is named to the analyst.
ADDED_TAGS = {"injected-parameters", "berichtswerk-intern"}


def own_cells(cells: list[Any], kind: str = "code") -> list[Any]:
    """The notebook's own cells of a kind, in order (as the analyst sees them in JupyterLab)."""
    return [c for c in cells if c.get("cell_type") == kind
            and not ADDED_TAGS & set(c.get("metadata", {}).get("tags", []))]


def own_code_cells(cells: list[Any]) -> list[Any]:
    return own_cells(cells, "code")


def describe_cell(cell: Any, ordinal: int) -> str:
    """"Code-Zelle 4 „fig, ax = plt.subplots()“": counted among the notebook's own cells of its kind."""
    first = next((line.strip() for line in cell.get("source", "").splitlines()
                  if line.strip() and not line.strip().startswith("#|")), "")
    kind = "Markdown-Zelle" if cell.get("cell_type") == "markdown" else "Code-Zelle"
    return f"{kind} {ordinal}" + (f" „{first[:60]}“" if first else "")


def cell_labels(cells: list[Any]) -> dict[int, str]:
    """Each own cell's name for the analyst, by its position in ``cells``."""
    labels = {}
    for kind in ("code", "markdown"):
        ordinal = 0
        for position, cell in enumerate(cells):
            if cell.get("cell_type") == kind and not ADDED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
                ordinal += 1
                labels[position] = describe_cell(cell, ordinal)
    return labels


def label_of_last_started(cells: list[Any]) -> str | None:
    """The cell that was running when execution stopped (a time limit, a kernel that died): the last
    one papermill started."""
    started = [(ordinal, cell) for ordinal, cell in enumerate(own_code_cells(cells), start=1)
               if cell.get("metadata", {}).get("papermill", {}).get("start_time")]
    return describe_cell(started[-1][1], started[-1][0]) if started else None


def label_of_execution(cells: list[Any], execution_count: int | None) -> str | None:
    """The analyst's name for the cell papermill reports by execution count."""
    for ordinal, cell in enumerate(own_code_cells(cells), start=1):
        if execution_count is not None and cell.get("execution_count") == execution_count:
            return describe_cell(cell, ordinal)
    return None


def text_of(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def classify_output(output: Any) -> tuple[str, str | None]:
    """(kind, html): kind is "block", "figure-raw", "ignored", "stream" or "unknown"."""
    kind = output.get("output_type")
    if kind == "stream":
        return "stream", None
    if kind == "error":
        return "error", None
    if kind not in ("display_data", "execute_result"):
        return "unknown", None
    data = output.get("data", {})
    if HTML_MIME in data:
        return "block", text_of(data[HTML_MIME])
    if "text/markdown" in data:
        return "prose", text_of(data["text/markdown"])
    if DEPS_MIME in data or WARNING_MIME in data or INLINE_MIME in data:
        return "ignored", None
    if any(m.startswith("image/") for m in data):
        return "figure-raw", None
    if set(data) <= _IGNORED_MIMES:
        return ("stream" if text_of(data.get("text/plain", "")).strip() else "ignored"), None
    return "unknown", None


def section_problems(cells: list[Any], abschnitt: str, notebook: str) -> list[CellProblem]:
    """What the report cannot take from a section's executed cells (errors and warnings)."""
    found = []
    labels = cell_labels(cells)
    for position, cell in enumerate(cells):
        if position not in labels or HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        where = labels[position]
        if cell.get("cell_type") == "markdown":
            failed = (cell.get("metadata", {}).get("berichtswerk", {}).get("inline") or {}).get("fehler") or {}
            found += [CellProblem(True, abschnitt, notebook, where, f"`{{python}} {expression}` – {error}")
                      for expression, error in failed.items()]
            continue
        options = cell_options.parse(cell.get("source", ""))
        found += [CellProblem(p.schwer, abschnitt, notebook, where, str(p)) for p in options.probleme]
        if not options.shown or any(p.schwer for p in options.probleme):
            continue  # an option that cannot be read is the root cause of what follows from it
        for output in cell.get("outputs", []):
            kind, _ = classify_output(output)
            meta = output.get("metadata", {}).get("berichtswerk", {})
            if meta.get("art") == "warnung" and meta.get("melden"):
                found.append(CellProblem(False, abschnitt, notebook, where, text_of(output["data"][WARNING_MIME])))
            elif kind == "block" and meta.get("art") == "abbildung" and not meta.get("alt"):
                found.append(CellProblem(True, abschnitt, notebook, where,
                                         "Abbildung ohne Textalternative – bitte „#| fig-alt: …“ in die erste "
                                         "Zeile der Zelle schreiben oder abschnitt.abbildung(fig, alt=…) nutzen"))
            elif kind == "figure-raw":
                found.append(CellProblem(True, abschnitt, notebook, where,
                                         "Bild ohne Textalternative (ohne „from berichtswerk import abschnitt“ "
                                         "gezeichnet) – bitte das Modul importieren und „#| fig-alt: …“ angeben"))
            elif kind == "stream":
                found.append(CellProblem(False, abschnitt, notebook, where,
                                         "Textausgabe (print) erscheint nicht im Bericht"))
            elif kind == "unknown":
                mimes = ", ".join(sorted(output.get("data", {}))) or output.get("output_type", "?")
                found.append(CellProblem(False, abschnitt, notebook, where,
                                         f"Ausgabe ({mimes}) kann der Bericht nicht darstellen und lässt sie weg"))
    return found
