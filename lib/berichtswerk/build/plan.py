"""The plan: which sections run again, and whether the report must be assembled again.

A section runs again when its notebook or parameters changed (:func:`static_key`), its cached result
was altered, or anything it recorded while it last ran changed (:func:`stale_reason`): a berichtswerk
file it used, a package version, a file under ``data/`` it opened, or – re-derived with the same
loaders – a piece of data it loaded. The assembly runs again when anything that shapes it changed
(:func:`assembly_key`): the sections' results, the structure, texts and words of the report, the code
of the assembly and of the layers it may import, the versions of the packages it uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from berichtswerk.core.hashing import digest, file_digest, files_digest
from berichtswerk.core.paths import package_path
from berichtswerk.core.versions import package_versions
from berichtswerk.data import schema
from berichtswerk.data.documents import reference_docx_path, text_path
from berichtswerk.data.gliederung import Chapter, Structure

#: Packages whose version changes the assembled outputs (sections record their own).
ASSEMBLY_PACKAGES = ("nbconvert", "weasyprint", "pydyf", "mistune", "nh3", "XlsxWriter", "Jinja2", "MarkupSafe",
                     "python-docx", "pypandoc-binary", "beautifulsoup4", "rdflib")
#: The code that shapes the assembled outputs: the assembly and the layers below it that it may
#: import (the import contract in pyproject.toml keeps it so) – not the kernels' package, the
#: command line, the preview or the yearly round.
ASSEMBLY_CODE = ("assembly", "markup", "data", "core")
#: The code that judges data: the checks and the readers and markup they use.
CHECK_CODE = ("checks", "markup", "data", "core")
#: Data files the assembly reads itself (texts are added per structure).
ASSEMBLY_FILES = ("bericht", "handlungsfelder", "gliederung", "korrekturen")


@dataclass(frozen=True)
class PlannedSection:
    chapter: Chapter
    reason: str | None          # why it runs; None = cached output is current

    @property
    def runs(self) -> bool:
        return self.reason is not None


def static_key(chapter: Chapter) -> str:
    """The notebook and its parameters (the data folder's location is not an input: its content is)."""
    assert chapter.notebook_path is not None
    params = {k: v for k, v in chapter.parameter.items() if k != "data_dir"}
    return digest(chapter.notebook_path.read_bytes(), json.dumps(params, sort_keys=True, ensure_ascii=False))


def stale_reason(record: dict[str, Any], data_dir: Path, derive: Callable[[str], str | None],
                 digest_of: Callable[[Path], str | None] = file_digest) -> str | None:
    """Why the section must run again, or ``None`` if every recorded input is unchanged.

    Cheap first: raw file digests (``digest_of``: one plan hashes each file once). Only when a
    loader-read file changed are the recorded pieces re-derived (with the same loaders), so a
    reformatted CSV that parses the same does not re-run."""
    package = package_path()
    for rel, recorded in record.get("module", {}).items():
        if digest_of(package / rel) != recorded:
            return f"Bibliothek geändert ({rel})"
    current = package_versions(tuple(k for k in record.get("pakete", {}) if k != "python"))
    for name, version in record.get("pakete", {}).items():
        if current.get(name) != version:
            return f"Paket {name} {version} → {current.get(name)}"
    for rel, recorded in record.get("direkt", {}).items():
        if digest_of(data_dir / rel) != recorded:
            return f"Datei {rel} geändert"
    changed_files = [rel for rel, recorded in record.get("dateien", {}).items()
                     if digest_of(data_dir / rel) != recorded]
    if changed_files:
        for key, recorded in record.get("daten", {}).items():
            if derive(key) != recorded:
                return f"Daten geändert ({key})"
    return None


def without_print_images(nb: Any) -> bool:
    """A figure of the executed section lacks its print PNG (the build that ran it needed none)."""
    return any(out.get("metadata", {}).get("berichtswerk", {}).get("art") == "abbildung"
               and "image/png" not in out.get("data", {})
               for cell in nb.cells for out in cell.get("outputs", []))


def refreshed(record: dict[str, Any], data_dir: Path,
              digest_of: Callable[[Path], str | None] = file_digest) -> dict[str, Any]:
    """The record with current raw digests (after a re-derivation found the parsed data equal)."""
    updated = dict(record)
    updated["dateien"] = {rel: digest_of(data_dir / rel) for rel in record.get("dateien", {})}
    return updated


def needs_print_images(formats: set[str]) -> bool:
    """Word and the design handoff (part of ``html``) take figures as print PNGs; the page and the PDF
    take the SVG."""
    return bool(formats & {"html", "docx"})


def plan_sections(structure: Structure, data_dir: Path, section_dir: Path, manifest: dict[str, Any],
                  force: bool, print_images: bool = True, validated: str | None = None) -> list[PlannedSection]:
    """Which sections run and why; refreshes raw digests in ``manifest`` where parsed data is equal.
    ``print_images``: this build needs the figures' print PNGs (a section run without them runs again);
    ``validated``: the data digest the build has validated (re-derivation need not validate again)."""
    derive = _deriver(data_dir, validated)
    digest_of = cache(file_digest)   # the sections share most library and data files
    planned = []
    for chapter in structure.sections():
        record = manifest["abschnitte"].get(chapter.key)
        cached = section_dir / f"{chapter.key}.ipynb"
        if force:
            reason = "--force"
        elif record is None or not cached.is_file():
            reason = "noch nicht ausgeführt"
        elif record.get("statisch") != static_key(chapter):
            reason = "Notebook oder Parameter geändert"
        elif print_images and record.get("ohne_druckbilder"):
            reason = "Druckbilder fehlen (zuletzt ohne Word und Design-Übergabe ausgeführt)"
        elif record.get("ausgabe") != file_digest(cached):
            reason = "Zwischenstand verändert"
        else:
            reason = stale_reason(record.get("abhaengigkeiten", {}), data_dir, derive, digest_of)
            if reason is None:
                record["abhaengigkeiten"] = refreshed(record.get("abhaengigkeiten", {}), data_dir, digest_of)
        planned.append(PlannedSection(chapter, reason))
    return planned


def _deriver(data_dir: Path, validated: str | None = None) -> Callable[[str], str | None]:
    """Re-derivation for one plan: the data is parsed (lazily, once) from the files as they are now,
    and each recorded piece is derived once however many sections recorded it. pandas is imported
    only when a data file changed – the no-op plan does without."""
    loaded: list[Any] = []
    derived: dict[str, str | None] = {}

    def derive(key: str) -> str | None:
        from berichtswerk.data.report_data import ReportData
        from berichtswerk.data.report_data import derive as derive_with_loaders

        if not loaded:
            loaded.append(ReportData(data_dir, validated))
        if key not in derived:
            derived[key] = derive_with_loaders(loaded[0], key)
        return derived[key]

    return derive


def code_digest(packages: tuple[str, ...]) -> str:
    """The files (code, templates, stylesheets) of these sub-packages of berichtswerk and its
    ``__init__`` (the version)."""
    root = package_path()
    code = [root / "__init__.py"] + [p for name in packages for p in (root / name).rglob("*")
                                     if p.is_file() and "__pycache__" not in p.parts]
    return files_digest(root, code)


def validation_key(data_fp: str) -> str:
    """The data folder's digest and the code that judged it valid."""
    return digest(data_fp, code_digest(CHECK_CODE))


def assembly_key(structure: Structure, data_dir: Path, manifest: dict[str, Any], formats: set[str]) -> str:
    """Everything that shapes the assembled outputs besides the sections' executed notebooks."""
    texts = [(name, file_digest(text_path(data_dir, name)))
             for name in sorted({c.text for c in structure.chapters if c.text})]
    sections = [(c.key, manifest["abschnitte"].get(c.key, {}).get("ausgabe")) for c in structure.sections()]
    return digest(
        structure.describe(),
        json.dumps([texts, sections], sort_keys=True),
        *(str(file_digest(data_dir / schema.FILES[name])) for name in ASSEMBLY_FILES),
        str(file_digest(reference_docx_path(data_dir))),
        code_digest(ASSEMBLY_CODE),
        json.dumps(package_versions(ASSEMBLY_PACKAGES), sort_keys=True),
        ",".join(sorted(formats)),
    )
