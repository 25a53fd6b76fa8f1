"""Readers of the YAML and Markdown files of ``data/`` – plain data, no pandas, so the planner and a
no-op rebuild can read them without heavy imports. Every file has exactly one reader: the typed
loaders (:mod:`.load`) build on these. The folder's corrections (:mod:`.korrekturen`) are applied
here, alike for every file; a file that cannot be read is a
:class:`~berichtswerk.core.errors.DataError` naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from berichtswerk.core.colours import colours
from berichtswerk.core.paths import find_data_dir
from berichtswerk.core.textfiles import read_text, read_yaml
from berichtswerk.data import korrekturen, recording, schema


def raw_yaml(data_dir: Path, key: str) -> Any:
    """A YAML file of the data folder (``key`` of :data:`schema.FILES`) as stored, without corrections."""
    path = Path(data_dir) / schema.FILES[key]
    with recording.loader_reads(path):
        return read_yaml(path, schema.FILES[key])


def document(data_dir: str | Path | None, key: str) -> Any:
    """A YAML file of the data folder with the folder's corrections applied."""
    folder = find_data_dir(data_dir)
    return korrekturen.apply(raw_yaml(folder, key), korrekturen.load(folder))


def handlungsfelder_document(data_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """The entries of ``handlungsfelder.yaml``, each with its colour (``farbe``: configured, or derived
    – see :func:`~berichtswerk.core.colours.colours`)."""
    doc = document(data_dir, "handlungsfelder")
    entries = [dict(e) for e in ((doc or {}).get("handlungsfelder") or []) if isinstance(e, dict)]
    for entry, colour in zip(entries, colours((str(e.get("slug")), e.get("farbe")) for e in entries), strict=True):
        entry["farbe"] = colour
    return entries


def handlungsfeld_farben(data_dir: str | Path | None = None) -> list[tuple[str, str]]:
    """(slug, colour) of every Handlungsfeld, in report order."""
    return [(str(e.get("slug")), e["farbe"]) for e in handlungsfelder_document(data_dir)]


def load_bericht(data_dir: str | Path | None = None) -> dict[str, Any]:
    """Title page, imprint and the report's own words (``beschriftungen``)."""
    return document(data_dir, "bericht") or {}


def text_path(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / schema.TEXT_DIR / f"{name}.md"


def raw_text(data_dir: Path, name: str) -> str:
    """A prose file from ``data/texte/`` as stored (Markdown, without corrections)."""
    return read_text(text_path(data_dir, name), f"{schema.TEXT_DIR}/{name}.md", "Markdown-Text in UTF-8")


def load_text(name: str, data_dir: str | Path | None = None) -> str:
    """A prose file from ``data/texte/`` (Markdown), e.g. ``load_text("kapitel_1")``, corrected. Read as
    a plain file on purpose: the whole file is the dependency."""
    folder = find_data_dir(data_dir)
    return korrekturen.apply(raw_text(folder, name), korrekturen.load(folder))


def text_names(data_dir: Path) -> list[str]:
    """The names of the prose files in ``data/texte/``."""
    folder = Path(data_dir) / schema.TEXT_DIR
    return sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []
