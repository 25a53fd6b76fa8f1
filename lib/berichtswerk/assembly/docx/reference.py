"""The reference document that styles ``bericht.docx`` – the design team's lever in Word.

A report may bring its own (``data/vorlage.docx``, or the path ``vorlage_docx`` in ``bericht.yaml``):
page layout, fonts, colours and every paragraph and character style come from it. Without one, the
default is made here from pandoc's own reference document and the report's theme: A4, the report's
text colour, headings like the report's, German as the document language. Either way each
Handlungsfeld gets a character style in its colour (``Handlungsfeld <kurzname>``), added where the
reference document does not define it."""

from __future__ import annotations

import io
import subprocess
from functools import cache

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from berichtswerk.assembly.docx.variant import APPENDIX_STYLE, handlungsfeld_style
from berichtswerk.markup import theme

FONT = "Arial"   # on every office machine; LibreOffice maps it to Liberation Sans


def pandoc_path() -> str:
    import pypandoc  # the engine is imported where a Word file is made, not by every build

    return pypandoc.get_pandoc_path()


@cache
def pandoc_reference() -> bytes:
    return subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"], check=True,
                          capture_output=True, timeout=60).stdout


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


@cache
def default_reference() -> bytes:
    """pandoc's reference document in the report's look (A4, fonts, colours, German)."""
    document = Document(io.BytesIO(pandoc_reference()))
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    styles = {style.name: style for style in document.styles}  # by the name Word shows
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Footnote Text", "Caption", "Table Caption",
                 "Image Caption", "Title", "Subtitle", "Author", "Date", "TOC Heading",
                 *(f"Heading {n}" for n in range(1, 7))):
        style = styles[name]
        style.font.name = FONT
        style.font.color.rgb = _rgb(theme.TEXT)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT)
    styles["Normal"].font.size = Pt(10.5)
    for level, size in ((1, 18), (2, 14), (3, 12), (4, 11)):
        styles[f"Heading {level}"].font.size = Pt(size)
        styles[f"Heading {level}"].font.bold = True
    styles["Title"].font.size = Pt(26)
    # the title page, the table of contents and each chapter on a page of their own, as in the PDF
    for name in ("TOC Heading", "Heading 1"):
        styles[name].paragraph_format.page_break_before = True
    for name in ("Caption", "Table Caption", "Image Caption"):
        styles[name].font.size = Pt(9)
        styles[name].font.italic = False
    # a table's caption stands above it as a small heading (the appendix: the Handlungsfeld), as in the PDF
    styles["Table Caption"].font.size = Pt(11)
    styles["Table Caption"].font.bold = True
    styles["Table Caption"].paragraph_format.space_before = Pt(12)
    styles["Table Caption"].paragraph_format.keep_with_next = True
    styles["Definition Term"].paragraph_format.space_after = Pt(0)
    styles["Definition Term"].paragraph_format.keep_with_next = True
    styles["Definition"].paragraph_format.space_after = Pt(4)
    _with_needed_styles(document)
    styles = {style.name: style for style in document.styles}
    for level in range(1, 5):
        styles[f"toc {level}"].paragraph_format.left_indent = Cm(0.6 * (level - 1))
        styles[f"toc {level}"].paragraph_format.space_after = Pt(3)
        styles[f"toc {level}"].font.bold = level == 1
    styles["table of figures"].paragraph_format.space_after = Pt(3)
    styles[APPENDIX_STYLE].font.size = Pt(9)
    styles[APPENDIX_STYLE].paragraph_format.space_after = Pt(3)
    _german(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def prepared(reference: bytes | None, farben: list[tuple[str, str]]) -> bytes:
    """The reference document pandoc uses and the design team receives: the report's own or the
    default, with every style the Word file uses that it lacks – each Handlungsfeld's character style
    in its colour, the paragraph styles of the table of contents, of the lists of figures and tables and
    of the appendix's cells."""
    document = Document(io.BytesIO(reference or default_reference()))
    _with_needed_styles(document)
    names = {style.name for style in document.styles}
    for slug, colour in farben:
        name = handlungsfeld_style(slug)
        if name not in names:
            document.styles.add_style(name, WD_STYLE_TYPE.CHARACTER).font.color.rgb = _rgb(colour)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _german(document: Document) -> None:
    """German as the language of every run unless a style says otherwise (spelling, hyphenation,
    and what a screen reader pronounces)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = run.find(qn("w:lang"))
    if language is None:
        language = run.makeelement(qn("w:lang"), {})
        run.append(language)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        language.set(qn(attribute), "de-DE")


def _with_needed_styles(document: Document) -> None:
    """The paragraph styles the Word file uses beyond pandoc's (Word's "toc 1"…"toc 4" and "table of
    figures", the appendix's cells), each added if missing."""
    names = {style.name for style in document.styles}
    for name in (*(f"toc {level}" for level in range(1, 5)), "table of figures", APPENDIX_STYLE):
        if name not in names:
            style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles["Normal"]
