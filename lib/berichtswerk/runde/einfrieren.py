"""``berichtswerk einfrieren NAME``: a published edition's data, frozen beside the data folder in
``ausgaben/NAME/`` with a manifest of SHA-256 digests (read back only through
:func:`berichtswerk.data.ausgaben.edition_data_dir`, which verifies them)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

from berichtswerk import __version__
from berichtswerk.checks.data_folder import check_data
from berichtswerk.core.errors import DataError, Problem
from berichtswerk.core.files import atomic_rename, atomic_write
from berichtswerk.data.ausgaben import EDITIONS_DIR, MANIFEST, digests, editions_dir


def _git_commit(folder: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


def freeze(data_dir: Path, name: str) -> Path:
    """Copy the (valid) data folder into ``ausgaben/<name>/`` with a manifest; never overwrites."""
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
        "dateien": digests(staging / "data"),
    }
    atomic_write(staging / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    atomic_rename(staging, target)
    return target
