"""Editions ("Ausgaben"): a published report's data, frozen, and the comparison with it.

``berichtswerk einfrieren 2021`` copies ``data/`` to ``ausgaben/2021/data/`` beside it and writes
``ausgaben/2021/manifest.json`` with a SHA-256 of every file. A frozen edition is read only through
:func:`edition_data_dir`, which verifies those digests: an edition edited after its publication is an
error, not a silently different comparison. A report compares with the edition named in
``bericht.yaml`` (``vergleich_mit: "2021"``).

Matching across editions is by Nr. (measures without one by Handlungsfeld and Titel). A measure is
*neu* if the previous edition did not list it, *beendet* if it was running there and is now
``abgeschlossen``/``eingestellt`` or no longer listed, *fortgeführt* otherwise; measures already ended
in the previous edition are not counted again."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd

from . import __version__, schema
from .errors import DataError, Problem

EDITIONS_DIR = "ausgaben"
MANIFEST = "manifest.json"
KINDS = ("neu", "fortgeführt", "beendet")
COMPARE_KEY = "vergleich_mit"


def editions_dir(data_dir: Path) -> Path:
    return data_dir.parent / EDITIONS_DIR


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _git_commit(folder: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


def freeze(data_dir: Path, name: str) -> Path:
    """Copy the (valid) data folder into ``ausgaben/<name>/`` with a manifest; never overwrites."""
    from .validation import check_data

    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z._-]*", name):
        raise DataError([Problem(EDITIONS_DIR, "ungültiger Name der Ausgabe", "Buchstaben, Ziffern, „.“, „-“, "
                                 "„_“, z. B. „2021“", wert=name)])
    target = editions_dir(data_dir) / name
    if target.exists():
        raise DataError([Problem(f"{EDITIONS_DIR}/{name}", "diese Ausgabe ist schon eingefroren",
                                 "einen neuen Namen – eine eingefrorene Ausgabe wird nie überschrieben")])
    result = check_data(data_dir)
    if not result.ok:
        raise DataError(result.fehler)
    staging = target.with_name(f".{name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(data_dir, staging / "data", ignore=shutil.ignore_patterns(".*", "__pycache__"))
    manifest = {
        "ausgabe": name,
        "eingefroren": dt.datetime.now().isoformat(timespec="seconds"),
        "berichtswerk": __version__,
        "git_commit": _git_commit(data_dir),
        "dateien": _digests(staging / "data"),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    staging.replace(target)
    return target


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
    recorded = json.loads(manifest_path.read_text(encoding="utf-8"))["dateien"]
    actual = _digests(folder / "data")
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
