"""From executed cells to report content: every cell becomes one raw HTML cell.

- Markdown cells are report prose (the sanitising Markdown pipeline); cells tagged ``notiz`` are notes
  for editors and stay out (removed before this step by nbconvert's ``TagRemovePreprocessor``).
- Outputs: a block of the library (``application/vnd.berichtswerk.html``) is taken as is; figures and
  tables are also collected for the design handoff. ``execute_result`` counts like ``display_data``.
- Whatever the report cannot place (``print`` output, widgets, unknown MIME types, a figure drawn
  without the berichtswerk hooks) is dropped with a warning naming the cell; a figure without a text
  alternative is an error (:func:`section_problems`)."""

from __future__ import annotations

import base64
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_raw_cell

from berichtswerk.assembly.cells import HIDDEN_TAGS, classify_output, text_of
from berichtswerk.core.mime import TABLE_MIME
from berichtswerk.markup import markdown


def _raw(source: str, metadata: dict[str, Any]) -> Any:
    cell = new_raw_cell(source, metadata={"raw_mimetype": "text/html", **metadata})
    return cell


class ContentPreprocessor(Preprocessor):
    """Turn every cell into one raw HTML cell and collect figures and tables for the design team.

    ``resources["abbildungen"]`` / ``resources["tabellen"]``: lists of dicts with the block's data and a
    file stem (chapter file stem + label); ``resources["hinweise"]``: warnings for cells whose output
    the report drops."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        resources.setdefault("abbildungen", [])
        resources.setdefault("tabellen", [])
        resources.setdefault("hinweise", [])
        counters: dict[tuple[str, str], int] = {}
        cells = []
        for cell in nb.cells:
            info = cell.get("metadata", {}).get("berichtswerk", {})
            if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
                continue
            if cell.cell_type == "raw":
                cells.append(cell)
            elif cell.cell_type == "markdown":
                cells.append(_raw(markdown.render(cell.source), {"berichtswerk": info}))
            elif cell.cell_type == "code":
                parts = []
                for output in cell.get("outputs", []):
                    kind, markup = classify_output(output)
                    if kind == "block":
                        parts.append(markup)
                        self._collect(output, info, counters, resources)
                cells.append(_raw("\n".join(parts), {"berichtswerk": info}))
        nb.cells = cells
        return nb, resources

    @staticmethod
    def _collect(output: Any, info: dict[str, Any], counters: dict[tuple[str, str], int],
                 resources: dict[str, Any]) -> None:
        meta = output.get("metadata", {}).get("berichtswerk", {})
        art = meta.get("art")
        if art not in ("abbildung", "tabelle"):
            return
        prefix = info.get("datei") or "bericht"
        key = (prefix, art)
        counters[key] = counters.get(key, 0) + 1
        name = meta.get("name") or f"{art}-{counters[key]}"
        stem = f"{prefix}_{markdown.slug(name)}"
        data = output.get("data", {})
        if art == "abbildung":
            resources["abbildungen"].append({
                "datei": stem, "titel": meta.get("titel"), "alt": meta.get("alt"),
                "svg": text_of(data.get("image/svg+xml", "")),
                "png": base64.b64decode(text_of(data["image/png"])) if "image/png" in data else b""})
        else:
            table = data.get(TABLE_MIME, {})
            resources["tabellen"].append({"datei": stem, "titel": table.get("titel"),
                                          "spalten": table.get("spalten", []), "zeilen": table.get("zeilen", [])})
