"""Content hashes that decide what is up to date. Cheap (hashing a few hundred KB) and free of heavy
imports, so a no-op rebuild can answer without loading pandas or papermill."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def digest(*parts: bytes | str) -> str:
    """SHA-256 over the parts, each prefixed with its length (so ``("ab", "c")`` ≠ ``("a", "bc")``)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes; ``None`` for a file that is missing or unreadable."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError, PermissionError, NotADirectoryError):
        return None


def files_digest(root: Path, paths: Iterable[Path]) -> str:
    """Names (relative to ``root``) and contents of the given files, in a stable order."""
    parts: list[bytes | str] = []
    for path in sorted(paths):
        parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return digest(*parts)


def tree_digest(root: Path, patterns: tuple[str, ...] = ("*",)) -> str:
    """Every file below ``root`` matching one of ``patterns`` (``__pycache__`` left out)."""
    found = {p for pattern in patterns for p in root.rglob(pattern)
             if p.is_file() and "__pycache__" not in p.parts}
    return files_digest(root, found)


def data_digest(data_dir: Path) -> str:
    """All of a data folder: equal digests mean the last successful validation still holds."""
    return tree_digest(data_dir)
