"""The Word version, as the council's paper trail receives it: the 2021 report and the example report
as ``bericht.docx``, read back as a package (python-docx, lxml) and checked where an accessibility
review of a Word file looks; then opened and laid out by LibreOffice (Debian
``libreoffice-writer-nogui``), and exported by it as a tagged PDF for veraPDF – reported, not judged."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from berichtswerk.core.exitcodes import ExitCode
from bs4 import BeautifulSoup
from conftest import BEISPIEL, Live, build, copy_report, need_tools, report_folder
from docx import Document
from docx.oxml.ns import qn

FORMATS = {"html", "docx"}
BERICHTSWERK = str(Path(sys.executable).with_name("berichtswerk"))


def built(root: Path, data: Path) -> tuple[Path, BeautifulSoup, Document]:
    import contextlib

    with contextlib.redirect_stdout(io.StringIO()):
        code, _ = build(data, root / "ausgabe", formats=FORMATS)
    assert code == ExitCode.OK
    out = root / "ausgabe"
    soup = BeautifulSoup((out / "bericht.html").read_text(encoding="utf-8"), "html.parser")
    return out, soup, Document(str(out / "bericht.docx"))


@pytest.fixture(scope="module", params=["2021", "beispiel"])
def report(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, BeautifulSoup, Document]:
    root = tmp_path_factory.mktemp(f"word-{request.param}")
    return (request.param, *built(root, report_folder(request.param, root / "bericht")))


def body(document: Document):
    return document.element.body


def paragraphs(document: Document) -> list:
    return list(body(document).iter(qn("w:p")))


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def style_of(paragraph) -> str | None:
    style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return style.get(qn("w:val")) if style is not None else None


def test_every_heading_of_the_contents_is_a_word_heading_of_its_level(report) -> None:
    _, _, soup, document = report
    headings = [(style_of(p), text_of(p)) for p in paragraphs(document) if (style_of(p) or "").startswith("Heading")]
    toc = [(int(a.find_parent("li")["class"][1].rsplit("--", 1)[1]), a.get_text())
           for a in soup.select("nav.inhaltsverzeichnis a")]
    for level, text in toc:
        assert (f"Heading{level}", text) in headings, (level, text)
    field = next(t.text for t in body(document).iter(qn("w:instrText")) if t.text.strip().startswith("TOC \\o"))
    assert '"1-2"' in field  # Word's table of contents, to the structure's depth


def test_every_figure_has_its_text_alternative_and_svg_with_png_fallback(report) -> None:
    _, out, soup, document = report
    alts = [img["alt"] for img in soup.find_all("img")]
    inlines = list(body(document).iter(qn("wp:inline")))
    assert len(inlines) == len(alts) > 0
    assert [i.find(qn("wp:docPr")).get("descr") for i in inlines] == alts
    for inline in inlines:
        blip = inline.find(".//" + qn("a:blip"))
        png = document.part.related_parts[blip.get(qn("r:embed"))]
        svg_blip = blip.find(".//{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip")
        svg = document.part.related_parts[svg_blip.get(qn("r:embed"))]
        assert png.content_type == "image/png" and png.blob.startswith(b"\x89PNG")
        assert svg.content_type == "image/svg+xml" and b"<svg" in svg.blob[:500]


def test_every_table_repeats_its_header_row_and_says_where_rows_have_headers(report) -> None:
    _, _, soup, document = report
    tables = body(document).findall(qn("w:tbl"))
    assert len(tables) == len(soup.find_all("table"))
    for table, html in zip(tables, soup.find_all("table"), strict=True):
        first = table.find(qn("w:tr"))
        # a header row (every table with column headers) repeats on each page
        assert (first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None) == (html.thead is not None)
        look = table.find(f"{qn('w:tblPr')}/{qn('w:tblLook')}")
        has_row_headers = bool(html.select('th[scope="row"], th[scope="rowgroup"]'))
        assert (look.get(qn("w:firstColumn")) == "1") == has_row_headers


def test_captions_are_numbered_by_word_fields(report) -> None:
    _, _, soup, document = report
    instructions = [t.text.strip() for t in body(document).iter(qn("w:instrText"))]
    figures = [s.get_text() for s in soup.select(".nummer") if s.get_text().startswith("Abbildung")]
    tables = [s.get_text() for s in soup.select(".nummer") if s.get_text().startswith("Tabelle")]
    assert instructions.count("SEQ Abbildung \\* ARABIC") == len(figures) > 0
    assert instructions.count("SEQ Tabelle \\* ARABIC") == len(tables)
    captions = [text_of(p) for p in paragraphs(document) if style_of(p) in ("ImageCaption", "TableCaption")]
    shown = [c for c in captions if re.match(r"(Abbildung|Tabelle) \d+: ", c)]
    assert len(shown) == len(figures) + len(tables)  # the field shows the report's number


def test_every_internal_link_has_its_bookmark(report) -> None:
    _, _, _, document = report
    anchors = {link.get(qn("w:anchor")) for link in body(document).iter(qn("w:hyperlink")) if link.get(qn("w:anchor"))}
    bookmarks = {mark.get(qn("w:name")) for mark in body(document).iter(qn("w:bookmarkStart"))}
    assert anchors and anchors <= bookmarks, sorted(anchors - bookmarks)


def test_footnotes_are_word_footnotes_in_the_reports_order(report) -> None:
    name, _, soup, document = report
    notes = [" ".join(li.get_text().split()) for li in sorted(soup.select("ol.anmerkungen li"),
                                                               key=lambda li: int(li["value"]))]
    unique = list(dict.fromkeys(notes))
    part = next(p for p in document.part.package.parts if p.partname == "/word/footnotes.xml")
    tree = part.element if hasattr(part, "element") else __import__("lxml.etree").etree.fromstring(part.blob)
    words = [" ".join(text_of(n).split()) for n in tree.findall(qn("w:footnote")) if not n.get(qn("w:type"))]
    assert words == unique
    if name == "2021":
        assert len(words) == 12 and words[1] == "Vgl. Integrationskonzept Seite 26"


BLOCKS = ["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "figcaption", "caption", "dt", "dd"]


def test_the_word_text_holds_the_reports_sentences(report) -> None:
    _, _, soup, document = report
    for element in soup.select("nav.inhaltsverzeichnis, .skip-link, style, ol.anmerkungen, sup.fussnote, "
                               ".daten-link"):  # the download links are the web's
        element.decompose()
    sentences = set()
    for block in soup.body.find_all(BLOCKS):
        if block.find(BLOCKS):
            continue  # the innermost blocks carry the text
        text = " ".join(block.get_text().split())
        sentences |= {s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 30}
    words = " ".join(" ".join(text_of(p) for p in paragraphs(document)).split())
    found = [s for s in sentences if s in words]
    assert len(sentences) > 10 and len(found) >= 0.99 * len(sentences), sorted(sentences - set(found))[:5]


def test_accessible_by_construction(report) -> None:
    _, out, soup, document = report
    assert document.core_properties.title == soup.select_one(".titelseite__titel").get_text()
    assert document.core_properties.author
    styles = document.styles.element
    language = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert language.get(qn("w:val")) == "de-DE"
    assert document.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    for paragraph in body(document).findall(qn("w:p")):   # no empty paragraph used for spacing
        assert len(paragraph) or text_of(paragraph).strip(), "leerer Absatz"
    assert not list(body(document).iter(qn("w:txbxContent")))  # no text boxes
    assert not list(body(document).iter(qn("w:tblpPr")))        # no floating (layout) tables
    heading_styles = {p.get(qn("w:val")) for p in body(document).iter(qn("w:rStyle"))}
    colours = {style.name: style.font.color.rgb for style in document.styles if style.name.startswith("Handlungsfeld ")}
    assert colours and all(colours.values()) and {s.replace(" ", "") for s in colours} <= heading_styles
    readme = (out / "design" / "LIESMICH.md").read_text(encoding="utf-8")
    assert (out / "design" / "vorlage.docx").is_file() and "vorlage.docx" in readme


def test_the_reference_document_styles_the_word_file(tmp_path: Path) -> None:
    from berichtswerk.assembly.docx.reference import default_reference
    from docx.shared import Pt, RGBColor

    template = Document(io.BytesIO(default_reference()))
    template.styles["Heading 1"].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    template.styles["Normal"].font.size = Pt(13)
    data = copy_report(BEISPIEL, tmp_path / "bericht")
    template.save(str(data / "vorlage.docx"))
    out, soup, document = built(tmp_path, data)
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    assert document.styles["Normal"].font.size == Pt(13)
    handed_over = Document(str(out / "design" / "vorlage.docx"))  # the team's own, with what it may restyle
    assert handed_over.styles["Heading 1"].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    field_styles = [style.name for style in handed_over.styles if style.name.startswith("Handlungsfeld ")]
    assert len(field_styles) == len(soup.select("section.handlungsfeld"))


def need_writer() -> None:
    soffice = shutil.which("soffice")
    writer = soffice and (Path(soffice).resolve().parent / "libswlo.so").exists()
    need_tools("LibreOffice-Prüfung", [] if writer else
               ["LibreOffice Writer fehlt (make browser: apt-get install libreoffice-writer-nogui)"])


def libreoffice(source: Path, target: str, folder: Path) -> Path:
    """``source`` converted by LibreOffice headless (``target`` as for ``--convert-to``), in ``folder``."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{folder / 'lo'}", "--convert-to",
                    target, "--outdir", str(folder), str(source)], check=True, capture_output=True, timeout=600)
    return folder / f"{source.stem}.{target.split(':')[0]}"


def test_a_reference_saved_by_libreoffice_styles_the_report_and_a_wrong_file_is_named(tmp_path: Path) -> None:
    """The design team opens the shipped vorlage.docx, changes it and saves – in LibreOffice, as DOCX
    or, by mistake, as ODT under the old name."""
    need_writer()
    from berichtswerk.assembly.docx.reference import default_reference

    data = copy_report(BEISPIEL, tmp_path / "bericht")
    (tmp_path / "lo-in").mkdir()
    (tmp_path / "lo-in" / "vorlage.docx").write_bytes(default_reference())
    saved = libreoffice(tmp_path / "lo-in" / "vorlage.docx", "docx:MS Word 2007 XML", tmp_path / "lo-docx")
    shutil.copy(saved, data / "vorlage.docx")
    out, soup, document = built(tmp_path / "docx", data)
    headings = {text_of(p) for p in paragraphs(document) if (style_of(p) or "").startswith("Heading")}
    assert {a.get_text() for a in soup.select("nav.inhaltsverzeichnis a")} <= headings
    odt = libreoffice(tmp_path / "lo-in" / "vorlage.docx", "odt", tmp_path / "lo-odt")
    shutil.copy(odt, data / "vorlage.docx")
    good = (out / "bericht.docx").read_bytes()
    for command in (["check"], ["build", "--out", str(out)]):
        code, output = Live([BERICHTSWERK, *command, "--data", str(data)]).finish(300)
        assert code == ExitCode.BAD_DATA and "Traceback" not in output, output
        assert "vorlage.docx: keine Word-Datei (DOCX). Erwartet: ein Word-Dokument" in output
    assert (out / "bericht.docx").read_bytes() == good  # the last good report stays


def test_libreoffice_opens_and_lays_out_the_word_file(report, tmp_path: Path) -> None:
    name, out, soup, _ = report
    need_writer()
    shutil.copy(out / "bericht.docx", tmp_path / "bericht.docx")
    laid_out = libreoffice(tmp_path / "bericht.docx", 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean",'
                           '"value":"true"},"PDFUACompliance":{"type":"boolean","value":"true"}}', tmp_path)
    from pypdf import PdfReader

    pdf = PdfReader(laid_out)
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    title = soup.select_one(".titelseite__titel").get_text()
    assert len(pdf.pages) > 5 and title in text and "Inhaltsverzeichnis" in text
    for entry in [a.get_text() for a in soup.select("nav.inhaltsverzeichnis a")][:6]:
        assert entry in text  # the table of contents is filled before Word updates it
    from berichtswerk.checks import pdfua

    if not pdfua.missing():  # information, not a gate: what veraPDF says of LibreOffice's tagged PDF
        result = pdfua.validate(laid_out)
        print(f"\nveraPDF zu LibreOffices PDF der Word-Fassung ({name}): {result.describe()}")
