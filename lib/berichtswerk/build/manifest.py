"""What the last build knew, in ``outputs/.cache/manifest.json``: the validated data's digest, per
section its static key, executed notebook's digest, duration and dependency record, and the key of
the last assembly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from berichtswerk.core.files import atomic_write

CACHE_DIR = ".cache"


def _path(out_dir: Path) -> Path:
    return out_dir / CACHE_DIR / "manifest.json"


def read_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(_path(out_dir).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {"abschnitte": {}}
    if not isinstance(manifest, dict):
        return {"abschnitte": {}}
    manifest.setdefault("abschnitte", {})
    return manifest


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    path = _path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True))
