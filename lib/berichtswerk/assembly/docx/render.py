"""``bericht.docx``: pandoc writes it from the report's HTML (:mod:`.variant`) with the reference
document (:mod:`.reference`); lxml then adds what Word needs and pandoc does not write:

- each picture's SVG beside its PNG (Word's SVG extension; the PNG is the fallback), the picture's
  description = its text alternative everywhere Word looks for it;
- captions numbered by Word's own ``SEQ Abbildung``/``SEQ Tabelle`` fields, so Word's table of figures
  works; the lists of figures and tables as such fields, the table of contents as a TOC field – each
  already filled with its entries and links (LibreOffice shows them as they are, Word updates them,
  with page numbers, when the file is opened);
- tables with row headers say so (``firstColumn``); the Handlungsfelder's colours; German.

:func:`shaping` – everything besides the HTML that shapes the file – is the Word cache's key."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from berichtswerk.assembly.docx import reference
from berichtswerk.assembly.docx.variant import PLACEHOLDER, pandoc_html
from berichtswerk.core.hashing import digest, tree_digest
from berichtswerk.core.versions import version

SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
ASVG = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
CAPTION = re.compile(r"^(Abbildung|Tabelle) ((?:\d+\.)?)(\d+): ")
LABELS = {"abbildungen": "Abbildung", "tabellen": "Tabelle"}


def shaping() -> str:
    """This package's code, pandoc's and python-docx's versions."""
    return digest(tree_digest(Path(__file__).parent, ("*.py",)), f"pandoc {pandoc_version()}",
                  f"python-docx {version('python-docx')}")


def pandoc_version() -> str:
    return subprocess.run([reference.pandoc_path(), "--version"], capture_output=True, text=True, check=True,
                          timeout=60).stdout.split()[1]


def html_to_docx(markup: str, resources: dict[str, Any], reference_docx: bytes | None,
                 per_chapter: bool = False) -> bytes:
    variant = pandoc_html(markup, resources)
    bericht = resources.get("bericht", {})
    with tempfile.TemporaryDirectory(prefix="berichtswerk-docx-") as work:
        folder = Path(work)
        (folder / "bericht.html").write_text(variant.html, encoding="utf-8")
        (folder / "vorlage.docx").write_bytes(reference.prepared(reference_docx, resources.get("farben", [])))
        place_and_date = " · ".join(p for p in (str(bericht.get("stelle") or ""), _date(bericht.get("datum"))) if p)
        metadata = {"title": bericht.get("titel", ""), "subtitle": bericht.get("untertitel", ""),
                    "author": bericht.get("herausgeber", ""), "date": place_and_date,
                    "lang": "de-DE", "toc-title": "Inhaltsverzeichnis"}
        arguments = [reference.pandoc_path(), "bericht.html", "--from", "html", "--to", "docx", "--output",
                     "bericht.docx", "--reference-doc", "vorlage.docx", "--toc",
                     "--toc-depth", str(resources.get("toc_tiefe", 2))]
        for key, value in metadata.items():
            if value:
                arguments += ["--metadata", f"{key}={value}"]
        subprocess.run(arguments, cwd=folder, check=True, capture_output=True, timeout=600)
        document = Document(str(folder / "bericht.docx"))
    _pictures(document, variant.svgs)
    _captions(document, per_chapter)
    _toc(document, resources.get("toc", []))
    _listings(document, resources.get("verzeichnisse", {}))
    _row_headers(document, variant.row_headers)
    _no_empty_paragraphs(document)
    _update_fields_on_open(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _date(value: Any) -> str:
    from berichtswerk.core.formats import datum

    try:
        return datum(value) if value else ""
    except (TypeError, ValueError):
        return str(value)


def _pictures(document: Document, svgs: list[str]) -> None:
    """The SVG beside each PNG; the text alternative as the picture's description too."""
    body = document.element.body
    pictures = body.findall(".//" + qn("pic:pic"))
    if len(pictures) != len(svgs):
        raise ValueError(f"{len(pictures)} Bilder im Word-Dokument, {len(svgs)} Abbildungen im Bericht")
    for number, (picture, svg) in enumerate(zip(pictures, svgs, strict=True), start=1):
        part = Part(PackURI(f"/word/media/abbildung-{number}.svg"), "image/svg+xml", svg.encode("utf-8"),
                    document.part.package)
        relation = document.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE)
        blip = picture.find(".//" + qn("a:blip"))
        extensions = blip.find(qn("a:extLst"))
        if extensions is None:
            extensions = etree.SubElement(blip, qn("a:extLst"))
        extension = etree.SubElement(extensions, qn("a:ext"), {"uri": SVG_EXTENSION})
        etree.SubElement(extension, f"{{{ASVG}}}svgBlip", {qn("r:embed"): relation}, nsmap={"asvg": ASVG})
        inline = picture.getparent().getparent().getparent()   # pic:pic ← a:graphicData ← a:graphic ← wp:inline
        description = inline.find(qn("wp:docPr")).get("descr", "")
        picture.find(".//" + qn("pic:cNvPr")).set("descr", description)


def bookmark_name(ident: str) -> str:
    """The bookmark pandoc makes of an HTML id: Word allows 40 characters, beginning with a letter, so a
    longer id becomes "X" and the rest of its SHA-1 (as pandoc's ``toBookmarkName`` does)."""
    if ident[:1].isalpha() and len(ident) <= 40:
        return ident
    return "X" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[1:]  # noqa: S324 – a name, not security


def _text(paragraph: Any) -> str:
    return "".join(t.text or "" for t in paragraph.iter(qn("w:t")))


def _field_runs(instruction: str, result: str) -> list[Any]:
    """A complex field as runs: begin, instruction, separate, cached result, end."""
    runs = []
    for kind in ("begin", None, "separate", "result", "end"):
        run = OxmlElement("w:r")
        if kind is None:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {instruction} "
            run.append(text)
        elif kind == "result":
            text = OxmlElement("w:t")
            text.text = result
            run.append(text)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)
        runs.append(run)
    return runs


def _run(text: str) -> Any:
    run = OxmlElement("w:r")
    element = OxmlElement("w:t")
    element.set(qn("xml:space"), "preserve")
    element.text = text
    run.append(element)
    return run


def _captions(document: Document, per_chapter: bool) -> None:
    """"Abbildung 7: " of every caption as Word's own numbering (a SEQ field showing 7)."""
    for paragraph in document.element.body.iter(qn("w:p")):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is None or style.get(qn("w:val")) not in ("ImageCaption", "TableCaption", "Caption"):
            continue
        match = CAPTION.match(_text(paragraph))
        if match is None:
            continue
        label, chapter, number = match.groups()
        _drop_leading_text(paragraph, len(match.group(0)))
        instruction = f"SEQ {label} \\* ARABIC" + (" \\s 1" if per_chapter else "")
        new = [_run(f"{label} {chapter}"), *_field_runs(instruction, number), _run(": ")]
        properties = paragraph.find(qn("w:pPr"))
        position = list(paragraph).index(properties) + 1 if properties is not None else 0
        for offset, run in enumerate(new):
            paragraph.insert(position + offset, run)


def _drop_leading_text(paragraph: Any, count: int) -> None:
    """Remove the first ``count`` characters of the paragraph's text (runs emptied are removed)."""
    for text in list(paragraph.iter(qn("w:t"))):
        if count <= 0:
            return
        content = text.text or ""
        if len(content) <= count:
            count -= len(content)
            run = text.getparent()
            run.getparent().remove(run)
        else:
            text.text = content[count:]
            text.set(qn("xml:space"), "preserve")
            count = 0


def _entries(instruction: str, entries: list[tuple[int, str, str]], style: Any) -> list[Any]:
    """A TOC-type field over several paragraphs, filled with linked entries (level, anchor, text)."""
    paragraphs = []
    for position, (level, anchor, text) in enumerate(entries or [(1, "", "")]):
        paragraph = OxmlElement("w:p")
        properties = OxmlElement("w:pPr")
        paragraph_style = OxmlElement("w:pStyle")
        paragraph_style.set(qn("w:val"), style(level))
        properties.append(paragraph_style)
        paragraph.append(properties)
        if position == 0:
            for run in _field_runs(instruction, "")[:3]:
                paragraph.append(run)
            paragraph[-3].find(qn("w:fldChar")).set(qn("w:dirty"), "true")
        if anchor:
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), bookmark_name(anchor))
            link.append(_run(text))
            paragraph.append(link)
        paragraphs.append(paragraph)
    end = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end.append(char)
    paragraphs[-1].append(end)
    return paragraphs


def _replace(old: Any, new: list[Any]) -> None:
    parent = old.getparent()
    position = list(parent).index(old)
    parent.remove(old)
    for offset, element in enumerate(new):
        parent.insert(position + offset, element)


def _toc(document: Document, toc: list[dict[str, Any]]) -> None:
    """pandoc's empty TOC field, filled with the report's table of contents."""
    style_ids = {level: document.styles[f"toc {level}"].style_id for level in range(1, 5)}
    for instruction in document.element.body.iter(qn("w:instrText")):
        if instruction.text and instruction.text.strip().startswith("TOC \\o"):
            paragraph = next(p for p in instruction.iterancestors(qn("w:p")))
            entries = [(e["level"], e["id"], e["text"]) for e in toc]
            _replace(paragraph, _entries(instruction.text.strip(), entries, lambda level: style_ids[min(level, 4)]))
            return


def _listings(document: Document, items: dict[str, list[tuple[str, str, str]]]) -> None:
    """The placeholders of the lists of figures and tables as Word's "table of figures" fields."""
    style_id = document.styles["table of figures"].style_id
    for paragraph in list(document.element.body.iter(qn("w:p"))):
        text = _text(paragraph)
        for which, label in LABELS.items():
            if text == PLACEHOLDER.format(which):
                kind = "fig" if which == "abbildungen" else "tbl"
                entries = [(1, ident, f"{label} {number}: {caption}") for ident, number, caption in items.get(kind, [])]
                _replace(paragraph, _entries(f'TOC \\h \\z \\c "{label}"', entries, lambda level: style_id))


def _row_headers(document: Document, row_headers: list[bool]) -> None:
    tables = document.element.body.findall(qn("w:tbl"))
    for table, has_row_headers in zip(tables, row_headers, strict=False):
        look = table.find(f"{qn('w:tblPr')}/{qn('w:tblLook')}")
        if has_row_headers and look is not None:
            look.set(qn("w:firstColumn"), "1")


def _no_empty_paragraphs(document: Document) -> None:
    """pandoc ends every table with an empty paragraph; spacing is the styles' job. Only one between two
    tables stays (without it Word would join them)."""
    body = document.element.body
    for paragraph in body.findall(qn("w:p")):
        if len(paragraph) or (paragraph.text or "").strip():
            continue
        before, after = paragraph.getprevious(), paragraph.getnext()
        if before is not None and after is not None and before.tag == after.tag == qn("w:tbl"):
            continue
        body.remove(paragraph)


def _update_fields_on_open(document: Document) -> None:
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.insert(0, update)
