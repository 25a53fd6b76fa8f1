"""Dependencies recorded, not declared – in the spirit of a compiler's dependency files.

While a section executes inside the build, its kernel records what it actually read:
- ``daten``: every piece of data it loaded through the library, at the granularity the loader filtered
  (e.g. one Handlungsfeld's measures), as a digest of the *parsed* value;
- ``dateien``: the files those loaders read (raw digests: if they are unchanged, nothing needs parsing);
- ``direkt``: every other file under the data folder the kernel opened (a Python audit hook sees it);
- ``module``: every file of berichtswerk the kernel used – the modules it imported and the templates
  and stylesheets it opened – so a change in code no section uses (the preview, the handoff, the
  command line) re-runs no section; and ``pakete``: versions of the packages that shape output.
The build stores the record in the executed notebook's metadata and, next time, re-derives exactly
these inputs with the same loaders (:mod:`berichtswerk.build.plan`). Paths are relative, so a moved
report folder reuses its cache. Outside a build nothing is recorded (:func:`record_data` is a no-op)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from berichtswerk.core.hashing import file_digest
from berichtswerk.core.mime import DEPS_MIME
from berichtswerk.core.paths import find_data_dir, package_path
from berichtswerk.core.versions import package_versions

#: Packages whose version can change a section's output (kernel side).
SECTION_PACKAGES = ("pandas", "numpy", "matplotlib", "mistune", "nh3", "PyYAML", "openpyxl", "Jinja2",
                    "pandera")

_record: dict[str, Any] | None = None
_validated: str | None = None
_loader_depth = 0
_hook_installed = False
_package = str(package_path()) + os.sep


def start(validated: str | None = None) -> None:
    """Begin recording (the build runs this in a hidden first cell of every section). ``validated`` is
    the digest of the data folder the build has just validated (see :func:`validated_by_build`)."""
    global _record, _hook_installed, _validated
    _validated = validated
    _record = {"daten": {}, "dateien": set(), "direkt": set(), "paket": set(), "data_dir": None}
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True


def validated_by_build() -> str | None:
    """The data digest the running build validated, if this kernel runs inside a build."""
    return _validated


def recording() -> bool:
    return _record is not None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or _record is None:
        return
    path = args[0]
    if not isinstance(path, (str, os.PathLike)):
        return
    path = os.path.abspath(os.fspath(path))
    if path.startswith(_package):
        if "__pycache__" in path:
            return  # bytecode follows its source, which is recorded
        _record["paket"].add(path)  # a template or stylesheet of ours shapes the section's markup
    elif not _loader_depth:
        _record["direkt"].add(path)


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
    """Remember the digest of a parsed piece of data under a key
    :func:`~berichtswerk.data.report_data.derive` understands."""
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


def _relative(paths: set[str], root: Path) -> dict[str, str | None]:
    root = root.resolve()
    found = {}
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_relative_to(root) and not path.is_dir():
            found[path.relative_to(root).as_posix()] = file_digest(path)
    return found


def package_files(opened: set[str]) -> dict[str, str | None]:
    """Digests of the berichtswerk files this process used: the modules imported and the files opened
    (templates, stylesheets), relative to the package."""
    root = package_path()
    used = set(opened)
    for name, module in list(sys.modules.items()):
        if name == "berichtswerk" or name.startswith("berichtswerk."):
            if file := getattr(module, "__file__", None):
                used.add(file)
    return _relative(used, root)


def result() -> dict[str, Any]:
    """The record as JSON-able data (the hidden last cell displays it)."""
    if _record is None:
        return {}
    with untracked():  # hashing the inputs is not reading them
        data_dir = Path(_record["data_dir"] or find_data_dir())
        return {
            "daten": dict(sorted(_record["daten"].items())),
            "dateien": dict(sorted(_relative(_record["dateien"], data_dir).items())),
            "direkt": dict(sorted(_relative(_record["direkt"], data_dir).items())),
            "module": dict(sorted(package_files(_record["paket"]).items())),
            "pakete": package_versions(SECTION_PACKAGES),
        }


def emit() -> None:
    """Display the record as one output (the build moves it into the notebook's metadata)."""
    from IPython.display import display

    display({DEPS_MIME: result(), "text/plain": "[Abhängigkeiten]"}, raw=True)
