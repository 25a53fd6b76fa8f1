"""Versions of installed packages – part of what a cached output was made with."""

from __future__ import annotations

import functools
import os
import re
import sys


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _installed() -> dict[str, str]:
    """Versions from the ``*.dist-info`` folder names on ``sys.path`` – a directory listing instead of
    parsing every package's metadata, which keeps the no-op rebuild fast."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.scandir(folder or ".")
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.name.endswith(".dist-info") and "-" in entry.name:
                    name, _, version = entry.name[: -len(".dist-info")].rpartition("-")
                    found.setdefault(_normalise(name), version)
    return found


def version(name: str) -> str | None:
    """The installed version of a distribution, or ``None``."""
    found = _installed().get(_normalise(name))
    if found is None:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as metadata_version

        try:
            found = metadata_version(name)
        except PackageNotFoundError:
            return None
    return found


def package_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    """Python's version and each package's, by name."""
    found: dict[str, str | None] = {"python": sys.version.split()[0]}
    found.update((name, version(name)) for name in names)
    return found
