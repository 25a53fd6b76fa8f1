"""Assemble executed sections into the deliverables, written into a folder the build publishes when
complete (:mod:`berichtswerk.build.publish`): ``bericht.html``, one HTML file per chapter under
``kapitel/``, the open data (``daten/``, :mod:`.opendata`), the design handoff (``design/``,
``design.zip``), ``bericht.pdf`` and ``bericht.docx``."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from berichtswerk.assembly import opendata
from berichtswerk.assembly.anchors import ANCHOR, LINK
from berichtswerk.assembly.docx import reference as docx_reference
from berichtswerk.assembly.docx import render as docx
from berichtswerk.assembly.exporters.html import ReportHTMLExporter
from berichtswerk.assembly.handoff import export_design, zip_folder
from berichtswerk.assembly.merge import merge
from berichtswerk.assembly.pdf import parts as pdf_parts
from berichtswerk.assembly.pdf import render as pdf
from berichtswerk.core.errors import BerichtswerkError
from berichtswerk.core.files import atomic_write
from berichtswerk.core.hashing import digest
from berichtswerk.data.documents import (
    handlungsfeld_farben,
    load_bericht,
    load_text,
    reference_docx,
)
from berichtswerk.data.gliederung import Structure



class ContentError(BerichtswerkError):
    """What the sections made cannot be put together: a reference to nothing, named with its cell."""

    def __init__(self, fehler: list[str]) -> None:
        self.fehler = fehler
        super().__init__("\n".join(fehler))


@dataclass
class Assembled:
    written: list[Path]
    hinweise: list[str] = field(default_factory=list)
    aus_zwischenspeicher: list[str] = field(default_factory=list)   # copied from the cache, not made anew
    anmerkungen: dict[str, str] = field(default_factory=dict)      # file → how it was made, for the log


def standalone_chapter(markup: str, report_name: str = "bericht.html") -> str:
    """Links to anchors that are not in this chapter point into the full report instead; links into
    the open data (``daten/``) go one folder up, where the data are beside the report."""
    ids = set(ANCHOR.findall(markup))
    markup = markup.replace(f'href="{opendata.FOLDER}/', f'href="../{opendata.FOLDER}/')
    return LINK.sub(
        lambda m: m.group(0) if m.group(1) in ids else f'href="../{report_name}#{m.group(1)}"', markup)


def merged_report(structure: Structure, executed: dict[str, Any], data_dir: Path) -> Any:
    """The report as one notebook: structure order, prose texts, executed sections."""
    texts = {c.text: load_text(c.text, data_dir) for c in structure.chapters if c.text}
    return merge(structure, texts, executed, load_bericht(data_dir), handlungsfeld_farben(data_dir))


def render_outputs(structure: Structure, executed: dict[str, Any], data_dir: Path, formats: set[str],
                   staging: Path, cache: Path, force: bool = False) -> Assembled:
    """Write every requested output into ``staging``; return the paths relative to it.

    Formats: ``html`` (report page, chapter pages, design handoff and its zip), ``pdf``, ``docx``, and
    ``seite`` – the report page alone, which is all the preview shows.

    The PDF and the Word file are cached by the HTML they are made from and by everything else that
    shapes them (:func:`berichtswerk.assembly.pdf.render.shaping`, the reference document,
    :func:`berichtswerk.assembly.docx.render.shaping`); ``force`` makes them anew. Within the PDF, each
    part that starts on a new page is cached by its own markup, and new parts are laid out while the
    other outputs are written (:mod:`berichtswerk.assembly.pdf.parts`)."""
    exporter = ReportHTMLExporter()
    markup, resources = exporter.from_notebook_node(merged_report(structure, executed, data_dir))
    if resources.get("fehler"):
        raise ContentError(resources["fehler"])
    result = Assembled([], list(resources.get("hinweise", [])))
    pdf_key = digest(markup, pdf.shaping())
    # the PDF's new parts are laid out in processes of their own while this one writes the rest
    layout = pdf_parts.ReportLayout(markup, cache / "pdf-teile", force) \
        if "pdf" in formats and (force or not _entry(cache / "pdf", pdf_key, ".pdf").is_file()) else None
    try:
        if formats & {"html", "seite"}:  # the page with its data: its download links resolve in the preview too
            (staging / "bericht.html").write_text(markup, encoding="utf-8")
            opendata.write_open_data(staging, opendata.datasets(data_dir, resources), resources["bericht"],
                                     catalogue="html" in formats)
            result.written += [Path("bericht.html"), Path(opendata.FOLDER)]
        if "html" in formats:
            chapters = staging / "kapitel"
            chapters.mkdir()
            titel = resources["bericht"].get("titel", "")
            for chapter, body in resources["kapitel_html"]:
                page = exporter.chapter_page(standalone_chapter(body), resources,
                                             f"{titel} – {chapter['nummer'] or ''} {chapter['titel']}".replace("  ", " "))
                (chapters / f"{chapter['datei']}.html").write_text(page, encoding="utf-8")
            export_design(markup, resources, resources["bericht"], staging / "design", cache / "design", force,
                          docx_reference.prepared(reference_docx(data_dir), resources.get("farben", [])))
            shutil.copytree(staging / opendata.FOLDER, staging / "design" / opendata.FOLDER)  # the handoff's links work
            zip_folder(staging / "design", staging / "design.zip", cache / "design")
            result.written += [Path("kapitel"), Path("design"), Path("design.zip")]
        if "pdf" in formats:
            def laid_out_in_parts() -> bytes:
                assert layout is not None
                joined = layout.finish()
                result.anmerkungen["bericht.pdf"] = f"{joined.laid_out} von {joined.parts} Teilen neu gesetzt"
                return joined.pdf

            _cached(cache / "pdf", pdf_key, laid_out_in_parts, staging / "bericht.pdf", force, result)
    finally:
        if layout is not None:
            layout.close()
    if "docx" in formats:
        template = reference_docx(data_dir)
        _cached(cache / "docx", digest(markup, template or b"", docx.shaping()),
                lambda: docx.html_to_docx(markup, resources, template, structure.nummerierung == "kapitel"),
                staging / "bericht.docx", force, result)
    return result


def _entry(folder: Path, key: str, suffix: str) -> Path:
    """The cache entry for ``key`` in ``folder`` (one per folder: the last build's)."""
    return folder / f"{key[:32]}{suffix}"


def _cached(folder: Path, key: str, make: Any, target: Path, force: bool, result: Assembled) -> None:
    """``target`` from the cache entry ``key`` (made and kept if missing or ``force``); one entry per
    folder – the last build's."""
    folder.mkdir(parents=True, exist_ok=True)
    cached = _entry(folder, key, target.suffix)
    if force or not cached.is_file():
        for old in folder.glob(f"*{target.suffix}"):
            old.unlink(missing_ok=True)
        atomic_write(cached, make())
    else:
        result.aus_zwischenspeicher.append(target.name)
    shutil.copyfile(cached, target)
    result.written.append(Path(target.name))
