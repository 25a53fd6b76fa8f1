"""Writing files so that a reader – or a crash – never sees half of one: write a temporary file in
the same folder, flush it to disk, rename it over the target, flush the folder. The one place that
does this; every file berichtswerk replaces goes through here."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, content: bytes | str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``content``; a reader sees the old file or the new one, never a mix."""
    path = Path(path)
    data = content.encode(encoding) if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_rename(source: Path, target: Path) -> None:
    """Move a finished file or folder into place (same file system) and make it durable."""
    os.replace(source, target)
    fsync_dir(Path(target).parent)
