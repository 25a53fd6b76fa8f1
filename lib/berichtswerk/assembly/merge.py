"""Notebook transforms (pure, papermill-style: copies, never mutations of the input): the executed
sections and the structure's prose merged into one report notebook, or one executed notebook prepared
on its own (``jupyter nbconvert --to berichtswerk_html section.ipynb``)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook, new_raw_cell

from berichtswerk.assembly.cells import cell_labels
from berichtswerk.core.paths import find_data_dir
from berichtswerk.data.documents import handlungsfeld_farben, load_bericht, load_text
from berichtswerk.data.gliederung import Chapter, Structure, load_structure


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def chapter_metadata(chapter: Chapter) -> dict[str, Any]:
    return {"id": chapter.id, "titel": chapter.titel, "nummer": chapter.nummer, "ebene": chapter.ebene,
            "klasse": chapter.klasse, "datei": chapter.datei}


def report_notebook(bericht: dict[str, Any], farben: list[tuple[str, str]], structure: Structure) -> Any:
    nb = new_notebook()
    nb.metadata["berichtswerk"] = {"bericht": _plain(bericht), "farben": [list(p) for p in farben],
                                   "toc_tiefe": structure.toc_depth, "nummerierung": structure.nummerierung}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def append_chapter(nb: Any, chapter: Chapter, text: str | None, executed: Any | None) -> None:
    """The chapter's heading cell, its prose text, then the executed notebook's cells."""
    origin = {"datei": chapter.datei, "abschnitt": chapter.ueberschrift,
              "notebook": chapter.notebook or ""}
    nb.cells.append(new_raw_cell("", metadata={"raw_mimetype": "text/html",
                                               "berichtswerk": {"kapitel": chapter_metadata(chapter)}}))
    if text is not None:
        nb.cells.append(new_markdown_cell(text, metadata={"berichtswerk": {**origin,
                                                                           "zelle": f"Text texte/{chapter.text}.md"}}))
    if chapter.verzeichnis:
        nb.cells.append(new_raw_cell(f'<nav class="verzeichnis" data-verzeichnis="{chapter.verzeichnis}"></nav>',
                                     metadata={"raw_mimetype": "text/html", "berichtswerk": origin}))
    if executed is not None:
        labels = cell_labels(executed.cells)
        for position, cell in enumerate(executed.cells):
            cell = nbformat.from_dict(copy.deepcopy(dict(cell)))
            meta = cell.setdefault("metadata", {})
            meta["berichtswerk"] = {**meta.get("berichtswerk", {}), **origin, "zelle": labels.get(position, "")}
            nb.cells.append(cell)


def renumber_cell_ids(nb: Any) -> Any:
    for n, cell in enumerate(nb.cells):
        cell["id"] = f"c{n:04d}"
    return nb


def merge(structure: Structure, texts: dict[str, str], executed: dict[str, Any], bericht: dict[str, Any],
          farben: list[tuple[str, str]]) -> Any:
    """One notebook holding the whole report in order (inputs are left out on export)."""
    nb = report_notebook(bericht, farben, structure)
    for chapter in structure.chapters:
        append_chapter(nb, chapter, texts.get(chapter.text) if chapter.text else None,
                       executed.get(chapter.key) if chapter.notebook else None)
    return renumber_cell_ids(nb)


def prepare_single(nb: Any, resources: dict[str, Any]) -> Any:
    """A single executed notebook (e.g. papermill's output) as a one-chapter report: the chapter is
    found in the structure by notebook name and parameters; title page data comes from the data folder."""
    papermill = nb.metadata.get("papermill", {})
    parameters = dict(papermill.get("parameters") or {})
    data_dir = find_data_dir(parameters.get("data_dir"))
    # papermill records a notebook it was handed as an object in place of a path (older builds did)
    recorded = papermill.get("input_path")
    name = Path((recorded if isinstance(recorded, str) else "") or resources.get("metadata", {}).get("name", "") or "").name
    if name and not name.endswith(".ipynb"):
        name += ".ipynb"
    structure = load_structure(data_dir)
    candidates = [c for c in structure.sections() if c.notebook == name]
    chapter = next((c for c in candidates if all(parameters.get(k) == v for k, v in c.parameter.items())),
                   candidates[0] if len(candidates) == 1 else None)
    merged = report_notebook(load_bericht(data_dir), handlungsfeld_farben(data_dir), structure)
    if chapter is None:
        for cell in nb.cells:
            merged.cells.append(nbformat.from_dict(copy.deepcopy(dict(cell))))
    else:
        append_chapter(merged, chapter, load_text(chapter.text, data_dir) if chapter.text else None, nb)
    merged.metadata["berichtswerk"]["einzeln"] = True
    return renumber_cell_ids(merged)
