"""The one documented list of corrections (``data/korrekturen.yaml``).

``data/`` keeps the source's text as printed, typos included; obvious errors are corrected only through
this list – original, corrected, reason – and alike everywhere the text is read for the report (prose,
Handlungsfelder, measures, Ziele, outlook). The Abfrage and ``einlesen`` work on the text as stored."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import deps

FILE = "korrekturen.yaml"


@dataclass(frozen=True)
class Korrektur:
    original: str
    korrigiert: str
    grund: str


def load(data_dir: Path) -> tuple[Korrektur, ...]:
    """The corrections of a data folder (none without the file)."""
    path = Path(data_dir) / FILE
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ()
    with deps.loader_reads(path):
        return _parse(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _parse(path: str, _mtime: int, _size: int) -> tuple[Korrektur, ...]:
    from .documents import parse_yaml

    doc = parse_yaml(Path(path).read_text(encoding="utf-8")) or {}
    return tuple(Korrektur(str(e["original"]), str(e["korrigiert"]), str(e.get("grund") or ""))
                 for e in doc.get("korrekturen") or [] if isinstance(e, dict) and e.get("original")
                 and e.get("korrigiert") is not None)


def apply(value: Any, corrections: tuple[Korrektur, ...]) -> Any:
    """``value`` with every correction applied – text, or the text inside lists and mappings."""
    if not corrections:
        return value
    if isinstance(value, str):
        for correction in corrections:
            value = value.replace(correction.original, correction.korrigiert)
        return value
    if isinstance(value, list):
        return [apply(v, corrections) for v in value]
    if isinstance(value, dict):
        return {k: apply(v, corrections) for k, v in value.items()}
    return value


def problems(data_dir: Path) -> list[Any]:
    """For ``check``: every entry names original, correction and reason; the original occurs in the
    data (a correction of nothing is a stale entry)."""
    from .documents import parse_yaml
    from .errors import Problem

    path = Path(data_dir) / FILE
    if not path.is_file():
        return []
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8")) or {}
    except Exception as exc:  # noqa: BLE001 – any YAML error is one problem of this file
        return [Problem(FILE, f"kein gültiges YAML ({str(exc).splitlines()[0]})", "eine Liste „korrekturen“")]
    found = []
    entries = doc.get("korrekturen") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return [Problem(FILE, "Liste „korrekturen“ fehlt", "korrekturen: mit Einträgen original, korrigiert, grund")]
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in sorted(Path(data_dir).rglob("*"))
                       if p.is_file() and p.suffix in (".csv", ".md", ".yaml") and p.name != FILE)
    for i, entry in enumerate(entries, start=1):
        for key in ("original", "korrigiert", "grund"):
            if not isinstance(entry, dict) or not str(entry.get(key) or "").strip():
                found.append(Problem(FILE, f"Angabe „{key}“ fehlt", "original, korrigiert und grund bei jedem "
                                     "Eintrag", ort=f"Eintrag {i}"))
        if isinstance(entry, dict) and entry.get("original") and str(entry["original"]) not in corpus:
            found.append(Problem(FILE, "kommt in den Daten nicht vor", "eine Zeichenfolge, wie sie in data/ steht",
                                 ort=f"Eintrag {i}", spalte="original", wert=str(entry["original"])))
    return found
