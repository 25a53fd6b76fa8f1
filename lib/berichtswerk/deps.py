"""Dependencies recorded, not declared – in the spirit of a compiler's dependency files.

While a section executes inside the build, its kernel records what it actually read:
- ``daten``: every piece of data it loaded through the library, at the granularity the loader filtered
  (e.g. one Handlungsfeld's measures), as a digest of the *parsed* value;
- ``dateien``: the files those loaders read (raw digests: if they are unchanged, nothing needs parsing);
- ``direkt``: every other file under the data folder the kernel opened (a Python audit hook sees it);
- ``module``: the berichtswerk modules the kernel imported, and ``pakete``: versions of the packages
  that shape output.
The build stores the record in the executed notebook's metadata and, next time, re-derives exactly
these inputs with the same loaders (:func:`changed`). Paths are relative, so a moved checkout reuses
its cache. Outside a build nothing is recorded (:func:`record_data` is a no-op)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .paths import PACKAGE_DIR

#: Packages whose version can change a section's output (kernel side).
SECTION_PACKAGES = ("pandas", "numpy", "matplotlib", "mistune", "nh3", "PyYAML", "openpyxl", "Jinja2",
                    "pandera")

_record: dict[str, Any] | None = None
_validated: str | None = None
_loader_depth = 0
_hook_installed = False


def start(validated: str | None = None) -> None:
    """Begin recording (the build runs this in a hidden first cell of every section). ``validated`` is
    the digest of the data folder the build has just validated (see :func:`validated_by_build`)."""
    global _record, _hook_installed, _validated
    _validated = validated
    _record = {"daten": {}, "dateien": set(), "direkt": set(), "data_dir": None}
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True


def validated_by_build() -> str | None:
    """The data digest the running build validated, if this kernel runs inside a build."""
    return _validated


def recording() -> bool:
    return _record is not None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or _record is None or _loader_depth:
        return
    path = args[0]
    if isinstance(path, (str, os.PathLike)):
        _record["direkt"].add(os.path.abspath(os.fspath(path)))


@contextlib.contextmanager
def loader_reads(*paths: Path) -> Iterator[None]:
    """Files read by a library loader: their parsed result is recorded instead of a raw access."""
    global _loader_depth
    if _record is not None:
        _record["dateien"].update(os.path.abspath(p) for p in paths)
    _loader_depth += 1
    try:
        yield
    finally:
        _loader_depth -= 1


@contextlib.contextmanager
def untracked() -> Iterator[None]:
    """Reads that are bookkeeping, not inputs (e.g. hashing the data folder to skip re-validation)."""
    global _loader_depth
    _loader_depth += 1
    try:
        yield
    finally:
        _loader_depth -= 1


def note_data_dir(data_dir: Path) -> None:
    if _record is not None and _record["data_dir"] is None:
        _record["data_dir"] = str(data_dir)


def record_data(key: str, value: Any) -> None:
    """Remember the digest of a parsed piece of data under a key :func:`derive` understands."""
    if _record is not None:
        _record["daten"][key] = value_digest(value)


def value_digest(value: Any) -> str:
    """Digest of a parsed value: DataFrames and Series by content, everything else as canonical JSON."""
    to_json = getattr(value, "to_json", None)
    if to_json is not None:
        text = to_json(orient="split", default_handler=str, force_ascii=False, date_format="iso")
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return None


def _relative(paths: set[str], root: Path) -> dict[str, str | None]:
    root = root.resolve()
    found = {}
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_relative_to(root) and not path.is_dir():
            found[path.relative_to(root).as_posix()] = file_digest(path)
    return found


def library_modules() -> dict[str, str | None]:
    """Digests of the berichtswerk modules imported in this process, relative to the package."""
    found = {}
    for name, module in list(sys.modules.items()):
        if name == "berichtswerk" or name.startswith("berichtswerk."):
            file = getattr(module, "__file__", None)
            if file:
                path = Path(file).resolve()
                found[path.relative_to(PACKAGE_DIR).as_posix()] = file_digest(path)
    # templates and stylesheets rendered inside the kernel shape the section's markup too
    for path in sorted((PACKAGE_DIR / "templates" / "fragmente").glob("*")) + [theme_css_path()]:
        found[path.relative_to(PACKAGE_DIR).as_posix()] = file_digest(path)
    return found


def theme_css_path() -> Path:
    return PACKAGE_DIR / "templates" / "berichtswerk" / "komponenten.css"


def package_versions(names: tuple[str, ...] = SECTION_PACKAGES) -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": sys.version.split()[0]}
    found.update((name, _version(name)) for name in names)
    return found


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


def _version(name: str) -> str | None:
    version = _installed().get(_normalise(name))
    if version is None:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as metadata_version

        try:
            version = metadata_version(name)
        except PackageNotFoundError:
            return None
    return version


def result() -> dict[str, Any]:
    """The record as JSON-able data (the hidden last cell displays it)."""
    from .paths import find_data_dir

    if _record is None:
        return {}
    with untracked():  # hashing the inputs is not reading them
        return _describe(Path(_record["data_dir"] or find_data_dir()))


def _describe(data_dir: Path) -> dict[str, Any]:
    assert _record is not None
    return {
        "daten": dict(sorted(_record["daten"].items())),
        "dateien": dict(sorted(_relative(_record["dateien"], data_dir).items())),
        "direkt": dict(sorted(_relative(_record["direkt"], data_dir).items())),
        "module": dict(sorted(library_modules().items())),
        "pakete": package_versions(),
    }


def emit() -> None:
    """Display the record as one output (the build moves it into the notebook's metadata)."""
    from IPython.display import display

    from .blocks import DEPS_MIME

    display({DEPS_MIME: result(), "text/plain": "[Abhängigkeiten]"}, raw=True)


# --- parent side: is a recorded section still fresh? ------------------------------------------------


def stale_reason(record: dict[str, Any], data_dir: Path,
                 derive: Callable[[str], str | None]) -> str | None:
    """Why the section must run again, or ``None`` if every recorded input is unchanged.

    Cheap first: raw file digests. Only when a loader-read file changed are the recorded pieces
    re-derived (with the same loaders), so a reformatted CSV that parses the same does not re-run."""
    for rel, digest in record.get("module", {}).items():
        if file_digest(PACKAGE_DIR / rel) != digest:
            return f"Bibliothek geändert ({rel})"
    current = package_versions(tuple(k for k in record.get("pakete", {}) if k != "python"))
    for name, version in record.get("pakete", {}).items():
        if current.get(name) != version:
            return f"Paket {name} {version} → {current.get(name)}"
    for rel, digest in record.get("direkt", {}).items():
        if file_digest(data_dir / rel) != digest:
            return f"Datei {rel} geändert"
    changed_files = [rel for rel, digest in record.get("dateien", {}).items()
                     if file_digest(data_dir / rel) != digest]
    if changed_files:
        for key, digest in record.get("daten", {}).items():
            if derive(key) != digest:
                return f"Daten geändert ({key})"
    return None


def refreshed(record: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """The record with current raw digests (after a re-derivation found the parsed data equal)."""
    updated = dict(record)
    updated["dateien"] = {rel: file_digest(data_dir / rel) for rel in record.get("dateien", {})}
    return updated
