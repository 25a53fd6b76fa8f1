"""The one documented list of corrections (``data/korrekturen.yaml``).

``data/`` keeps the source's text as printed, typos included; obvious errors are corrected only through
this list – original, corrected, reason – and alike everywhere the text is read for the report (prose,
Handlungsfelder, measures, Ziele, outlook): the readers apply it. The Abfrage and ``einlesen`` work on
the text as stored. ``check`` validates the list (:mod:`berichtswerk.checks.corrections`); a list that
cannot be read is reported there, once, and the readers then apply none."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from berichtswerk.core.errors import DataError
from berichtswerk.core.textfiles import read_yaml
from berichtswerk.data import recording, schema

FILE = schema.FILES["korrekturen"]


@dataclass(frozen=True)
class Korrektur:
    original: str
    korrigiert: str
    grund: str


def read(data_dir: Path) -> Any:
    """The list's YAML document (``None`` without the file); :class:`DataError` if it cannot be read."""
    path = Path(data_dir) / FILE
    if not path.exists():
        return None
    with recording.loader_reads(path):
        return read_yaml(path, FILE, "eine Liste „korrekturen“")


def load(data_dir: Path) -> tuple[Korrektur, ...]:
    """The corrections of a data folder (none without the file, none if it cannot be read)."""
    path = Path(data_dir) / FILE
    try:
        stat = path.stat()
    except OSError:
        return ()
    with recording.loader_reads(path):
        return _parse(Path(data_dir), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _parse(data_dir: Path, _mtime: int, _size: int) -> tuple[Korrektur, ...]:
    try:
        doc = read(data_dir)
    except DataError:
        return ()
    entries = doc.get("korrekturen") if isinstance(doc, dict) else None
    return tuple(Korrektur(str(e["original"]), str(e["korrigiert"]), str(e.get("grund") or ""))
                 for e in entries or [] if isinstance(e, dict) and e.get("original")
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
