"""Assemble executed sections into the deliverables: ``bericht.html``, ``bericht.pdf`` and one HTML
file per section under ``kapitel/``. Everything is written into a staging folder first and moved
into place only when complete, so a failure never leaves a half-written report."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat

from .load import load_bericht

_HREF_FRAGMENT = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')


def merge_notebooks(notebooks: Iterable[Any], bericht: dict[str, Any]) -> Any:
    """One notebook holding every section's cells in chapter order (inputs are left out on export)."""
    merged = nbformat.v4.new_notebook()
    merged.metadata["berichtswerk"] = {"bericht": _plain(bericht)}
    merged.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for n, nb in enumerate(notebooks):
        for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            cell = nbformat.from_dict(dict(cell))
            cell["id"] = f"s{n:02d}-{i:02d}"
            merged.cells.append(cell)
    return merged


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def standalone_chapter(markup: str, report_name: str = "bericht.html") -> str:
    """Links to anchors that are not in this chapter point into the full report instead."""
    ids = set(_ID.findall(markup))
    return _HREF_FRAGMENT.sub(
        lambda m: m.group(0) if m.group(1) in ids else f'href="../{report_name}#{m.group(1)}"', markup)


def render_outputs(sections: list[tuple[str, str, Any]], data_dir: Path, formats: set[str],
                   staging: Path, cache: Path) -> list[Path]:
    """Write every requested output into ``staging``; return the paths relative to it.

    ``sections`` are (section cache key, chapter file stem, executed notebook). A chapter file depends
    only on its section, so it is re-used from ``cache`` while the section's key is unchanged."""
    from .exporters import ReportHTMLExporter, ReportPDFExporter

    bericht = load_bericht(data_dir)
    merged = merge_notebooks([nb for _, _, nb in sections], bericht)
    written: list[Path] = []
    if "html" in formats:
        markup_full, _ = ReportHTMLExporter().from_notebook_node(merged)
        (staging / "bericht.html").write_text(markup_full, encoding="utf-8")
        written.append(Path("bericht.html"))
        chapters = staging / "kapitel"
        chapters.mkdir()
        chapter_cache = cache / "kapitel"
        chapter_cache.mkdir(parents=True, exist_ok=True)
        chapter_exporter = ReportHTMLExporter(full_report=False)
        for key, stem, nb in sections:
            cached = chapter_cache / f"{key}.html"
            if not cached.is_file():
                single = merge_notebooks([nb], bericht)
                markup, _ = chapter_exporter.from_notebook_node(
                    single, {"seitentitel": f"{bericht['titel']} – {stem}"})
                cached.write_text(standalone_chapter(markup), encoding="utf-8")
            shutil.copyfile(cached, chapters / f"{stem}.html")
        _prune(chapter_cache, {f"{key}.html" for key, _, _ in sections})
        written.append(Path("kapitel"))

        from .design import export_design, zip_folder

        export_design(markup_full, data_dir, staging / "design", cache / "design")
        zip_folder(staging / "design", staging / "design.zip")
        written += [Path("design"), Path("design.zip")]
    if "pdf" in formats:
        pdf, _ = ReportPDFExporter().from_notebook_node(merged)
        (staging / "bericht.pdf").write_bytes(pdf)
        written.append(Path("bericht.pdf"))
    return written


def _prune(folder: Path, keep: set[str]) -> None:
    for path in folder.glob("*"):
        if path.name not in keep:
            path.unlink(missing_ok=True)


def publish(staging: Path, out_dir: Path, written: list[Path]) -> None:
    """Move finished outputs from ``staging`` into ``out_dir``; each replacement is atomic."""
    for rel in written:
        source, target = staging / rel, out_dir / rel
        if source.is_dir():
            old = out_dir / f".{rel.name}.alt"
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():
                os.replace(target, old)
            os.replace(source, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(source, target)


def staging_dir(out_dir: Path) -> Path:
    """A fresh folder on the same file system as ``out_dir`` (so ``os.replace`` is atomic)."""
    return Path(tempfile.mkdtemp(prefix=".entstehung-", dir=out_dir))
