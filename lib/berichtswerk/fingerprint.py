"""Content fingerprints that decide what is up to date. Cheap (hashing a few hundred KB) and free
of heavy imports, so a no-op rebuild can answer without loading pandas or papermill."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from .paths import PACKAGE_DIR


def tree_digest(root: Path, patterns: tuple[str, ...]) -> bytes:
    h = hashlib.sha256()
    for path in sorted(p for pattern in patterns for p in root.rglob(pattern) if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.digest()


def library_digest() -> bytes:
    """The package's code and templates: a change there may change any output."""
    return tree_digest(PACKAGE_DIR, ("*.py", "*.j2", "*.css", "*.json")) + sys.version.encode()


def data_digest(data_dir: Path) -> str:
    """All of ``data/``; equal digests mean the last successful validation still holds."""
    return tree_digest(data_dir, ("*",)).hex()
