"""From executed cells to report content: every cell becomes one raw HTML cell.

- Markdown cells are report prose (the sanitising Markdown pipeline), with their inline values
  (`` `{python} n` ``, computed by the build) written in; cells tagged ``notiz`` are notes for editors
  and stay out (removed before this step by nbconvert's ``TagRemovePreprocessor``).
- Outputs: a block of the library (``application/vnd.berichtswerk.html``) is taken as is; a
  ``Markdown`` object's output (``text/markdown``) is prose like a Markdown cell; sub-figures of one
  cell (``#| fig-subcap``) become one figure; figures and tables are also collected for the design
  handoff and the open data, and each table and each figure with data gets its download link
  ("Daten herunterladen (CSV)", into ``daten/``). ``execute_result`` counts like ``display_data``.
- A cell with ``#| include: false`` or ``#| output: false`` contributes nothing. Whatever the report
  cannot place (``print`` output, widgets, unknown MIME types, a figure drawn without the berichtswerk
  hooks) is dropped with a warning naming the cell; a figure without a text alternative is an error
  (:func:`~berichtswerk.assembly.cells.section_problems`)."""

from __future__ import annotations

import base64
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_raw_cell

from berichtswerk.assembly.cells import HIDDEN_TAGS, classify_output, text_of
from berichtswerk.core.mime import TABLE_MIME
from berichtswerk.data import schema
from berichtswerk.markup import cell_options, inline, markdown, templating


def _raw(source: str, metadata: dict[str, Any]) -> Any:
    return new_raw_cell(source, metadata={"raw_mimetype": "text/html", **metadata})


def _group(parts: list[tuple[str, dict[str, Any]]]) -> str:
    """Sub-figures of one cell as one figure: the parts side by side, the group's caption below."""
    teil = parts[0][1]
    return templating.render("assembly", "teilabbildungen", teile=[markup for markup, _ in parts],
                             titel=teil.get("titel"), kennung=teil.get("kennung"), quelle=teil.get("quelle"),
                             spalten=teil.get("spalten") or len(parts))


class ContentPreprocessor(Preprocessor):
    """Turn every cell into one raw HTML cell and collect figures and tables for the design team.

    ``resources["abbildungen"]`` / ``resources["tabellen"]``: lists of dicts with the block's data, a
    file stem (chapter file stem + label) and, where it has data, the name of its open-data file
    (``offen``); ``resources["hinweise"]``: warnings for cells whose output the report drops."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        resources.setdefault("abbildungen", [])
        resources.setdefault("tabellen", [])
        resources.setdefault("hinweise", [])
        counters: dict[tuple[str, str], int] = {}
        resources.setdefault("offene_dateien", set())
        cells = []
        for cell in nb.cells:
            info = cell.get("metadata", {}).get("berichtswerk", {})
            if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
                continue
            if cell.cell_type == "raw":
                cells.append(cell)
            elif cell.cell_type == "markdown":
                values = (info.get("inline") or {}).get("werte") or {}
                cells.append(_raw(markdown.render(inline.substitute(cell.source, values)), {"berichtswerk": info}))
            elif cell.cell_type == "code":
                cells.append(_raw(self._outputs(cell, info, counters, resources), {"berichtswerk": info}))
        nb.cells = cells
        return nb, resources

    def _outputs(self, cell: Any, info: dict[str, Any], counters: dict[tuple[str, str], int],
                 resources: dict[str, Any]) -> str:
        if not cell_options.parse(cell.source).shown:
            return ""
        parts: list[str] = []
        group: list[tuple[str, dict[str, Any]]] = []
        for output in cell.get("outputs", []):
            kind, markup = classify_output(output)
            teil = output.get("metadata", {}).get("berichtswerk", {}).get("teil")
            if group and (teil is None or teil.get("gruppe") != group[0][1].get("gruppe")):
                parts.append(_group(group))
                group = []
            if kind == "block":
                link = self._collect(output, info, counters, resources)
                if teil is not None:  # the link in the sub-figure's cell, under its data
                    group.append((markup + link, teil))
                else:
                    parts.append(markup + link)
            elif kind == "prose":
                parts.append(markdown.render(markup))
        if group:
            parts.append(_group(group))
        return "\n".join(parts)

    @staticmethod
    def _collect(output: Any, info: dict[str, Any], counters: dict[tuple[str, str], int],
                 resources: dict[str, Any]) -> str:
        """Note the block for the handoff and the open data; its download link (or "")."""
        meta = output.get("metadata", {}).get("berichtswerk", {})
        art = meta.get("art")
        if art not in ("abbildung", "tabelle"):
            return ""
        prefix = info.get("datei") or "bericht"
        key = (prefix, art)
        counters[key] = counters.get(key, 0) + 1
        name = meta.get("name") or f"{art}-{counters[key]}"
        stem = f"{prefix}_{markdown.slug(name)}"
        data = output.get("data", {})
        table = data.get(TABLE_MIME)
        offen = _open_name(f"{art}_{stem}", resources["offene_dateien"]) if table else None
        if art == "abbildung":
            teil = meta.get("teil") or {}
            resources["abbildungen"].append({
                "datei": stem, "titel": teil.get("untertitel") or meta.get("titel"), "alt": meta.get("alt"),
                "quelle": meta.get("quelle"), "daten": table, "offen": offen, "herkunft": where(info),
                "svg": text_of(data.get("image/svg+xml", "")),
                "png": base64.b64decode(text_of(data["image/png"])) if "image/png" in data else b""})
        else:
            table = table or {}
            resources["tabellen"].append({"datei": stem, "titel": table.get("titel"), "quelle": table.get("quelle"),
                                          "spalten": table.get("spalten", []), "zeilen": table.get("zeilen", []),
                                          "typen": table.get("typen", []), "offen": offen, "herkunft": where(info)})
        if offen is None:
            return ""
        resources.setdefault("fehler", []).extend(
            f"{where(info)}: {problem}" for problem in schema.unpublished_columns(table.get("spalten", [])))
        titel = (meta.get("teil") or {}).get("untertitel") or meta.get("titel") or table.get("titel")
        return templating.render("assembly", "daten_link", datei=offen, titel=titel)


def where(info: dict[str, Any]) -> str:
    """Section, notebook and cell of a cell's content, as the build names them."""
    section = f"{info.get('abschnitt', '')} ({info['notebook']})" if info.get("notebook") else info.get("abschnitt", "")
    return ", ".join(p for p in (section, info.get("zelle", "")) if p)


def _open_name(name: str, taken: set[str]) -> str:
    """A file name in ``daten/`` no other dataset of the report has."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}-{number}"
    taken.add(candidate)
    return candidate
