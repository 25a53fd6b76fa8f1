"""Editions ("Ausgaben"): a published report's data, frozen, and the comparison with it.

``berichtswerk einfrieren 2021`` (:mod:`berichtswerk.runde.einfrieren`) copies ``data/`` to
``ausgaben/2021/data/`` beside it and writes ``ausgaben/2021/manifest.json`` with a SHA-256 of every
file. This module is the reader of ``ausgaben/``: a frozen edition is read only through
:func:`edition_data_dir`, which verifies those digests – an edition edited after its publication is
an error, not a silently different comparison. A report compares with the edition named in
``bericht.yaml`` (``vergleich_mit: "2021"``).

Matching across editions is by Nr. (measures without one by Handlungsfeld and Titel). A measure is
*neu* if the previous edition did not list it, *beendet* if it was running there and is now
``abgeschlossen``/``eingestellt`` or no longer listed, *fortgeführt* otherwise; measures already ended
in the previous edition are not counted again."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from berichtswerk.core.errors import DataError, Problem
from berichtswerk.core.hashing import file_digest
from berichtswerk.core.paths import report_dir
from berichtswerk.data import schema

EDITIONS_DIR = "ausgaben"
MANIFEST = "manifest.json"
KINDS = ("neu", "fortgeführt", "beendet")
COMPARE_KEY = "vergleich_mit"


def editions_dir(data_dir: Path) -> Path:
    return report_dir(data_dir) / EDITIONS_DIR


def digests(folder: Path) -> dict[str, str | None]:
    """SHA-256 of every file below ``folder``, by relative path (what a manifest records)."""
    return {p.relative_to(folder).as_posix(): file_digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def edition_data_dir(data_dir: Path, name: str) -> Path:
    """The frozen data folder of edition ``name``, after checking it is unchanged since freezing."""
    folder = editions_dir(data_dir) / str(name)
    where = f"{EDITIONS_DIR}/{name}"
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        known = sorted(p.name for p in editions_dir(data_dir).glob("*") if (p / MANIFEST).is_file())
        raise DataError([Problem(f"{where}/{MANIFEST}", f"Ausgabe „{name}“ ist nicht eingefroren",
                                 "eine Ausgabe aus ausgaben/: " + (", ".join(known) or "(keine)")
                                 + " – einfrieren mit „berichtswerk einfrieren NAME“",
                                 spalte=COMPARE_KEY, wert=str(name))])
    try:
        recorded = json.loads(manifest_path.read_text(encoding="utf-8"))["dateien"]
    except (OSError, ValueError, KeyError, TypeError):
        raise DataError([Problem(f"{where}/{MANIFEST}", "Manifest nicht lesbar",
                                 "die Datei, wie „berichtswerk einfrieren“ sie geschrieben hat")]) from None
    actual = digests(folder / "data")
    changed = sorted(f for f in set(recorded) | set(actual) if recorded.get(f) != actual.get(f))
    if changed:
        raise DataError([Problem(where, "eingefrorene Ausgabe wurde nachträglich verändert: " + ", ".join(changed),
                                 f"die Dateien wie beim Einfrieren ({MANIFEST}) – Änderung rückgängig machen")])
    return folder / "data"


def _identity(frame: pd.DataFrame) -> pd.Series:
    titles = frame["handlungsfeld"].astype(str) + " / " + frame["titel"].astype(str)
    return frame["nr"].astype(object).where(frame["nr"].notna(), "ohne Nr.: " + titles).astype(str)


def compare(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """One row per measure of either edition that counts: ``art`` (neu / fortgeführt / beendet),
    ``status_geaendert`` (listed in both editions with different statuses), both statuses, Nr., Titel
    and the Handlungsfeld it belongs to now (or last)."""
    before = previous.assign(_id=_identity(previous)).set_index("_id")
    now = current.assign(_id=_identity(current)).set_index("_id")
    rows = []
    for key, m in now.iterrows():
        old = before.loc[key] if key in before.index else None
        was_ended = old is not None and old["status"] in schema.ENDED_STATUS
        is_ended = m["status"] in schema.ENDED_STATUS
        if was_ended:
            continue
        kind = "neu" if old is None else "beendet" if is_ended else "fortgeführt"
        rows.append({"nr": m["nr"], "titel": m["titel"], "handlungsfeld": m["handlungsfeld"], "art": kind,
                     "status_vorher": None if old is None else old["status"], "status_jetzt": m["status"],
                     "status_geaendert": old is not None and old["status"] != m["status"]})
    for key, old in before.iterrows():
        if key not in now.index and old["status"] not in schema.ENDED_STATUS:
            rows.append({"nr": old["nr"], "titel": old["titel"], "handlungsfeld": old["handlungsfeld"],
                         "art": "beendet", "status_vorher": old["status"], "status_jetzt": None,
                         "status_geaendert": False})
    columns = ["nr", "titel", "handlungsfeld", "art", "status_vorher", "status_jetzt", "status_geaendert"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("nr", "titel", "handlungsfeld", "art", "status_vorher", "status_jetzt"):
        frame[column] = frame[column].astype("string")
    frame["status_geaendert"] = frame["status_geaendert"].astype(bool)
    return frame


def summary(comparison: pd.DataFrame, handlungsfelder: list[str]) -> pd.DataFrame:
    """Per Handlungsfeld (report order, then fields only the previous edition had): counts."""
    order = list(handlungsfelder) + sorted(set(comparison["handlungsfeld"].dropna()) - set(handlungsfelder))
    rows = []
    for hf in order:
        part = comparison[comparison["handlungsfeld"] == hf]
        rows.append({"Handlungsfeld": hf, **{k.capitalize(): int((part["art"] == k).sum()) for k in KINDS},
                     "Status geändert": int((part["status_geaendert"] & (part["art"] != "neu")).sum())})
    frame = pd.DataFrame(rows, columns=["Handlungsfeld", "Neu", "Fortgeführt", "Beendet", "Status geändert"])
    total = {"Handlungsfeld": "Gesamt", **{c: int(frame[c].sum()) for c in frame.columns[1:]}}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
