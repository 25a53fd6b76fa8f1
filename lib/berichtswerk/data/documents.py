"""Readers of the YAML and Markdown files of ``data/`` – plain data, no pandas, so the planner and a
no-op rebuild can read them without heavy imports. Every file has exactly one reader: the typed
loaders (:mod:`.load`) build on these. The folder's corrections (:mod:`.korrekturen`) are applied
here, alike for every file; a file that cannot be read is a
:class:`~berichtswerk.core.errors.DataError` naming it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from berichtswerk.core.colours import colours
from berichtswerk.core.errors import DataError, Problem
from berichtswerk.core.paths import find_data_dir
from berichtswerk.core.textfiles import read_bytes, read_text, read_yaml
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


#: The design team's Word reference document, unless bericht.yaml names another (``vorlage_docx``).
REFERENCE_DOCX = "vorlage.docx"


def reference_docx_path(data_dir: Path) -> Path:
    """Where this report's Word reference document is (whether or not it exists)."""
    try:
        bericht = load_bericht(data_dir)
    except DataError:  # reported by check; the default name then
        bericht = {}
    named = bericht.get("vorlage_docx") if isinstance(bericht, dict) else None
    return Path(data_dir) / str(named or REFERENCE_DOCX)


#: What makes a file a Word document pandoc can take its styles from.
_REFERENCE_PARTS = ("word/document.xml", "word/styles.xml")


def reference_docx(data_dir: Path) -> bytes | None:
    """The report's Word reference document, or ``None`` (the default then comes from the theme).
    A file that is not a Word document (a .doc renamed, a template saved as .dotx with another
    name, a broken download) is a :class:`DataError`, as is a ``vorlage_docx`` that names no file."""
    path = reference_docx_path(data_dir)
    shown = path.name if path.parent == Path(data_dir) else str(path)
    expected = "ein Word-Dokument (.docx, in Word oder LibreOffice gespeichert) mit den Formatvorlagen des Berichts"
    if not path.is_file():
        if path.name == REFERENCE_DOCX and not path.exists():
            return None
        raise DataError([Problem(schema.FILES["bericht"], "Word-Vorlage nicht gefunden", expected,
                                 ort="vorlage_docx", wert=str(path))])
    with recording.loader_reads(path):
        content = read_bytes(path, shown)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            missing = [part for part in _REFERENCE_PARTS if part not in package.namelist()]
    except zipfile.BadZipFile:
        missing = list(_REFERENCE_PARTS)
    if missing:
        raise DataError([Problem(shown, "keine Word-Datei (DOCX)" if len(missing) == len(_REFERENCE_PARTS)
                                 else f"Word-Datei ohne {', '.join(missing)}", expected)])
    return content


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
