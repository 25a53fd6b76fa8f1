"""The corrections list (``data/korrekturen.yaml``): every entry names original, correction and reason,
and its original occurs in the data as stored – a correction of nothing is a stale entry. The data is
read through the readers of its files, so a file they cannot read is reported there, not here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from berichtswerk.core.errors import DataError, Problem
from berichtswerk.data import documents, korrekturen, schema
from berichtswerk.data.tables import read_table

TABLES = ("massnahmen", "ziele", "organisationseinheiten", "dezernate")
DOCUMENTS = ("bericht", "handlungsfelder", "ausblick", "gliederung")


def _stored_texts(data_dir: Path) -> Iterator[str]:
    """The text of every data file the corrections apply to, as stored (unreadable files skipped)."""
    for key in TABLES:
        try:
            frame, _ = read_table(data_dir / schema.FILES[key])
        except DataError:
            continue
        yield "\n".join(str(v) for v in frame.to_numpy().ravel() if v is not None)
    for key in DOCUMENTS:
        try:
            yield "\n".join(_strings(documents.raw_yaml(data_dir, key)))
        except DataError:
            continue
    for name in documents.text_names(data_dir):
        try:
            yield documents.raw_text(data_dir, name)
        except DataError:
            continue


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def corrections_problems(data_dir: Path) -> list[Problem]:
    name = korrekturen.FILE
    try:
        doc = korrekturen.read(data_dir)
    except DataError as exc:
        return exc.problems
    if doc is None:
        return []
    entries = doc.get("korrekturen") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return [Problem(name, "Liste „korrekturen“ fehlt", "korrekturen: mit Einträgen original, korrigiert, grund")]
    corpus = "\n".join(_stored_texts(data_dir))
    found = []
    for i, entry in enumerate(entries, start=1):
        for key in ("original", "korrigiert", "grund"):
            if not isinstance(entry, dict) or not str(entry.get(key) or "").strip():
                found.append(Problem(name, f"Angabe „{key}“ fehlt", "original, korrigiert und grund bei jedem "
                                     "Eintrag", ort=f"Eintrag {i}"))
        if isinstance(entry, dict) and entry.get("original") and str(entry["original"]) not in corpus:
            found.append(Problem(name, "kommt in den Daten nicht vor", "eine Zeichenfolge, wie sie in data/ steht",
                                 ort=f"Eintrag {i}", spalte="original", wert=str(entry["original"])))
    return found
