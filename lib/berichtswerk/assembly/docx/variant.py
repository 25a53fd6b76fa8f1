"""The report's HTML prepared for pandoc's Word writer – same content, other conventions:

- the title page becomes document metadata (pandoc's title block and the file's properties), the
  imprint (a ``footer`` after ``main``, which pandoc would skip) a division in the body, the
  table of contents a Word TOC field, each list of figures or tables a placeholder for a Word
  "table of figures" field (:mod:`.render` puts the fields in);
- footnotes get the roles pandoc reads as notes (``doc-noteref``, ``doc-endnotes``): one Word footnote
  each, numbered in reading order as in the report; a second reference to the same note stays its
  number in superscript (Word cannot point two markers at one footnote);
- a figure's data (the web's disclosure) is a table after it; the download links stay on the web;
- a figure's source line leaves its caption (the caption is what Word's table of figures lists);
- ids of table rows (the appendix's ``massnahme-12``) move onto the first cell's text, where pandoc
  keeps them as bookmarks;
- the appendix's cells in their own paragraph style (``Anhang``), its columns weighted;
- headings in a Handlungsfeld, and the appendix's caption of it, carry its character style (its
  colour, :mod:`.reference`);
- each figure's SVG is replaced by its 300-dpi PNG (the SVG is added back as Word's SVG extension)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup

PLACEHOLDER = "[[berichtswerk:verzeichnis:{}]]"
HANDLUNGSFELD_STYLE = "Handlungsfeld {}"
#: Nr., Maßnahme, OE, Drucksachen – the appendix's columns; OE wide enough for
#: "Beschäftigungsförderung" in one line (LibreOffice and Word break a long word anywhere)
APPENDIX_WIDTHS = (7, 43, 26, 24)
#: the paragraph style of the appendix's cells – smaller than the text, as in the printed report
APPENDIX_STYLE = "Anhang"


@dataclass
class Variant:
    html: str
    svgs: list[str] = field(default_factory=list)          # one per picture, in document order
    row_headers: list[bool] = field(default_factory=list)  # one per table: does it have th scope="row"?


def handlungsfeld_style(slug: str) -> str:
    return HANDLUNGSFELD_STYLE.format(slug)


def pandoc_html(markup: str, resources: dict[str, Any]) -> Variant:
    soup = BeautifulSoup(markup, "html.parser")
    for element in soup.select("style, script, .skip-link, header.titelseite, nav.inhaltsverzeichnis"):
        element.decompose()
    for footer in soup.select("footer"):  # pandoc reads no footer element: the imprint is a division
        footer.name = "div"
    for main in soup.select("main"):  # with a main element pandoc would read nothing outside it (the imprint)
        main.unwrap()
    for nav in soup.select("nav.verzeichnis"):
        paragraph = soup.new_tag("p")
        paragraph.string = PLACEHOLDER.format("abbildungen" if "Abbildung" in nav.get("aria-label", "") else "tabellen")
        nav.replace_with(paragraph)
    for link in soup.select(".daten-link"):  # the files beside the web report are not beside a Word file
        link.decompose()
    for details in soup.select("details.abbildung__daten"):  # a figure's data: its table after the figure
        details.summary.decompose()
        details.name = "div"
    _footnotes(soup)
    for quelle in soup.select("figcaption .quelle, .abbildung__unterschrift .quelle"):
        caption = quelle.find_parent(["figcaption", "p"])
        moved = soup.new_tag("p", attrs={"class": "quelle"})
        moved.string = quelle.get_text()
        quelle.decompose()
        (caption.find_parent("figure") or caption.find_parent("div") or caption).insert_after(moved)
    for row in soup.select("tr[id]"):
        cell = row.find(["th", "td"])
        if cell is not None:
            anchor = soup.new_tag("span", attrs={"id": row["id"]})
            anchor.extend(list(cell.contents))
            cell.clear()
            cell.append(anchor)
        del row["id"]
    for section in soup.select("section.handlungsfeld, table.anhang"):
        slug = next((c.split("--", 1)[1] for c in section.get("class", []) if c.startswith("handlungsfeld--")), None)
        titles = re.compile(r"^caption$" if section.name == "table" else r"^h[1-6]$")
        for heading in section.find_all(titles) if slug else []:
            styled = soup.new_tag("span", attrs={"data-custom-style": handlungsfeld_style(slug)})
            styled.extend(list(heading.contents))
            heading.append(styled)
    pngs = [figure["png"] for figure in resources.get("abbildungen", [])]
    svgs = [figure["svg"] for figure in resources.get("abbildungen", [])]
    images = soup.find_all("img")
    if len(images) != len(pngs):
        raise ValueError(f"{len(images)} Bilder im HTML, aber {len(pngs)} Abbildungen in den Ressourcen")
    for image, png in zip(images, pngs, strict=True):
        image["src"] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    for cell in soup.select("table.anhang tbody td, table.anhang tbody th[scope=row]"):
        text = soup.new_tag("div", attrs={"data-custom-style": APPENDIX_STYLE})
        if cell.find(["p", "ul", "ol", "div"]):
            text.extend(list(cell.contents))
        else:  # pandoc styles paragraphs, not the bare text of a cell
            paragraph = soup.new_tag("p")
            paragraph.extend(list(cell.contents))
            text.append(paragraph)
        cell.append(text)
    for table in soup.select("table.anhang"):  # pandoc would give its four columns equal widths
        columns = soup.new_tag("colgroup")
        for width in APPENDIX_WIDTHS:
            columns.append(soup.new_tag("col", attrs={"style": f"width: {width}%"}))
        caption = table.find("caption", recursive=False)
        if caption is not None:  # a colgroup comes after the caption, or pandoc reads no table at all
            caption.insert_after(columns)
        else:
            table.insert(0, columns)
    row_headers = [bool(table.select('th[scope="row"], th[scope="rowgroup"]')) for table in soup.find_all("table")]
    return Variant(str(soup), svgs, row_headers)


def _footnotes(soup: BeautifulSoup) -> None:
    seen: set[str] = set()
    for marker in soup.select("sup.fussnote a"):
        key = marker["href"].lstrip("#")
        sup = marker.find_parent("sup")
        if key in seen:
            sup.string = marker.get_text()
            continue
        seen.add(key)
        note_ref = soup.new_tag("a", attrs={"href": f"#{key}", "role": "doc-noteref", "class": "footnote-ref"})
        note_ref.append(soup.new_tag("sup"))
        note_ref.sup.string = marker.get_text()
        sup.replace_with(note_ref)
    notes = soup.new_tag("section", attrs={"role": "doc-endnotes", "class": "footnotes"})
    listing = soup.new_tag("ol")
    notes.append(listing)
    for ol in soup.select("ol.anmerkungen"):
        for item in ol.find_all("li", recursive=False):
            del item["value"]
            listing.append(item.extract())
        ol.decompose()
    if listing.contents:
        (soup.body or soup).append(notes)
