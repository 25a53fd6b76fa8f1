"""Assemble executed sections into the deliverables: ``bericht.html``, ``bericht.pdf``, one HTML file
per chapter under ``kapitel/`` and the design handoff. Everything is written into a staging folder
first and moved into place only when complete, so a failure never leaves a half-written report."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import PACKAGE_DIR
from .structure import Structure

_HREF_FRAGMENT = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')
STAGING_PREFIX = ".entstehung-"


@dataclass
class Assembled:
    written: list[Path]
    hinweise: list[str] = field(default_factory=list)


def standalone_chapter(markup: str, report_name: str = "bericht.html") -> str:
    """Links to anchors that are not in this chapter point into the full report instead."""
    ids = set(_ID.findall(markup))
    return _HREF_FRAGMENT.sub(
        lambda m: m.group(0) if m.group(1) in ids else f'href="../{report_name}#{m.group(1)}"', markup)


def merged_report(structure: Structure, executed: dict[str, Any], data_dir: Path) -> Any:
    """The report as one notebook: structure order, prose texts, executed sections."""
    from .documents import handlungsfeld_farben, load_bericht, load_text
    from .exporters.merge import merge

    texts = {c.text: load_text(c.text, data_dir) for c in structure.chapters if c.text}
    return merge(structure, texts, executed, load_bericht(data_dir), handlungsfeld_farben(data_dir))


def pdf_shaping() -> bytes:
    """Everything besides the HTML that shapes the PDF: the renderer's version and our PDF code."""
    from importlib.metadata import version

    return (f"weasyprint {version('weasyprint')} pydyf {version('pydyf')}".encode()
            + (PACKAGE_DIR / "exporters" / "pdf.py").read_bytes())


def render_outputs(structure: Structure, executed: dict[str, Any], data_dir: Path, formats: set[str],
                   staging: Path, cache: Path, force: bool = False) -> Assembled:
    """Write every requested output into ``staging``; return the paths relative to it.

    Formats: ``html`` (report page, chapter pages, design handoff and its zip), ``pdf``, and ``seite``
    – the report page alone, which is all the preview shows.

    The PDF is cached by the HTML it is laid out from and by :func:`pdf_shaping`; ``force`` lays it
    out anew."""
    from .exporters import ReportHTMLExporter

    exporter = ReportHTMLExporter()
    markup, resources = exporter.from_notebook_node(merged_report(structure, executed, data_dir))
    result = Assembled([], list(resources.get("hinweise", [])))
    if formats & {"html", "seite"}:
        (staging / "bericht.html").write_text(markup, encoding="utf-8")
        result.written.append(Path("bericht.html"))
    if "html" in formats:
        chapters = staging / "kapitel"
        chapters.mkdir()
        titel = resources["bericht"].get("titel", "")
        for chapter, body in resources["kapitel_html"]:
            page = exporter.chapter_page(standalone_chapter(body), resources,
                                         f"{titel} – {chapter['nummer'] or ''} {chapter['titel']}".replace("  ", " "))
            (chapters / f"{chapter['datei']}.html").write_text(page, encoding="utf-8")
        from .design import export_design, zip_folder

        export_design(markup, resources, resources["bericht"], staging / "design", cache / "design", force)
        zip_folder(staging / "design", staging / "design.zip", cache / "design")
        result.written += [Path("kapitel"), Path("design"), Path("design.zip")]
    if "pdf" in formats:
        from .exporters.pdf import html_to_pdf

        pdf_cache = cache / "pdf"
        pdf_cache.mkdir(parents=True, exist_ok=True)
        key = hashlib.sha256(markup.encode("utf-8") + pdf_shaping()).hexdigest()[:32]
        cached = pdf_cache / f"{key}.pdf"
        if force or not cached.is_file():
            for old in pdf_cache.glob("*.pdf"):
                old.unlink(missing_ok=True)
            tmp = cached.with_suffix(".tmp")
            tmp.write_bytes(html_to_pdf(markup))
            os.replace(tmp, cached)
        shutil.copyfile(cached, staging / "bericht.pdf")
        result.written.append(Path("bericht.pdf"))
    return result


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
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))


def remove_stale_staging(out_dir: Path) -> None:
    """Staging folders left by a build that was killed (we hold the lock, so none is in use)."""
    for folder in out_dir.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(folder, ignore_errors=True)
