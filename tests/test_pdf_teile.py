"""The PDF laid out part by part and joined (assembly/pdf/parts.py) is the PDF one pass over the whole
report gives: page by page the same text and the same pixels, the same outline, every link to the same
page, the same structure elements – for the 2021 report, the example report, and a report whose chapter
grows by a page after its parts were cached (every later page number and the table of contents follow,
and only the grown chapter and the contents are laid out again)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from berichtswerk.assembly.pdf import parts
from berichtswerk.assembly.pdf.render import html_to_pdf
from berichtswerk.checks import pdfua
from conftest import build, need_tools, read_rows, report_folder, row_of, write_rows
from pdfstruktur import read_structure
from pypdf import PdfReader
from pypdf.generic import Destination


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page) of every bookmark, in order."""
    entries: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item)))
    walk(reader.outline, 0)
    return entries


def link_targets(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(page, target name, target page) of every internal link; (page, URI, -1) of every external one."""
    named = reader.named_destinations
    links = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                name = str(annotation["/Dest"])
                destination: Destination = named[name]
                links.append((number, name, reader.get_destination_page_number(destination)))
            elif "/A" in annotation:
                links.append((number, str(annotation["/A"]["/URI"]), -1))
    return links


def parent_tree_complete(reader: PdfReader) -> bool:
    """Every page and every annotation is found in the structure's parent tree under its own key."""
    tree = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"].get_object()
    keys = {int(tree["/Nums"][i]) for i in range(0, len(tree["/Nums"]), 2)}
    wanted = [int(page["/StructParents"]) for page in reader.pages]
    wanted += [int(a.get_object()["/StructParent"]) for page in reader.pages for a in page.get("/Annots", []) or []]
    return len(wanted) == len(set(wanted)) and set(wanted) <= keys


def page_pixels(pdf: Path) -> list[bytes]:
    """Every page as the reader sees it (poppler at 40 dpi), as PNG bytes."""
    need_tools("Seitenbilder (make browser: poppler-utils)", [] if shutil.which("pdftoppm") else ["pdftoppm fehlt"])
    folder = pdf.with_suffix(".seiten")
    folder.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "s")], check=True, timeout=300)
    return [page.read_bytes() for page in sorted(folder.glob("s-*.png"))]


def assert_same_pdf(single: Path, joined: Path) -> None:
    a, b = PdfReader(single), PdfReader(joined)
    assert len(b.pages) == len(a.pages)
    for number, (one, other) in enumerate(zip(page_texts(a), page_texts(b), strict=True), start=1):
        assert other == one, f"Seite {number}"
    # the text alone would not see a margin drawn upside down or a page painted over
    for number, (one, other) in enumerate(zip(page_pixels(single), page_pixels(joined), strict=True), start=1):
        assert other == one, f"Seite {number} sieht anders aus"
    assert outline(b) == outline(a)
    assert link_targets(b) == link_targets(a)
    assert read_structure(joined).typen == read_structure(single).typen
    assert parent_tree_complete(b)
    assert b.metadata.title == a.metadata.title
    assert b.trailer["/Root"]["/Lang"] == a.trailer["/Root"]["/Lang"]


def built_html(which: str, root: Path) -> tuple[Path, str]:
    data = report_folder(which, root / "bericht")
    out = root / "ausgabe"
    code, _ = build(data, out, formats={"html"})
    assert code == 0
    return data, (out / "bericht.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("which", ["2021", "beispiel"])
def test_joined_parts_equal_one_pass(which: str, tmp_path: Path) -> None:
    _, markup = built_html(which, tmp_path)
    split = parts.split(markup)
    assert len(split) > 5, "the report is laid out in parts"
    assert all(p.content in markup for p in split)
    (tmp_path / "single.pdf").write_bytes(html_to_pdf(markup))
    (tmp_path / "joined.pdf").write_bytes(parts.lay_out_report(markup, tmp_path / "teile").pdf)
    assert_same_pdf(tmp_path / "single.pdf", tmp_path / "joined.pdf")
    if which == "2021":
        need_tools("PDF/UA-Prüfung (make pdfua)", pdfua.missing())
        result = pdfua.validate(tmp_path / "joined.pdf")
        assert result.konform, result.fehler


def toc_numbers(reader: PdfReader) -> dict[str, int]:
    """Chapter title → page number, as the table of contents (page 2) prints them."""
    found = re.findall(r"^(\d+(?:\.\d+)* .+?)[ .…]*(\d+)$", reader.pages[1].extract_text(), re.MULTILINE)
    return {title.strip(" ."): int(number) for title, number in found}


def test_a_chapter_grows_by_a_page_and_everything_after_follows(tmp_path: Path) -> None:
    data, markup = built_html("beispiel", tmp_path)
    cache = tmp_path / "teile"
    (tmp_path / "vorher.pdf").write_bytes(parts.lay_out_report(markup, cache).pdf)
    before = PdfReader(tmp_path / "vorher.pdf")

    text = data / "texte" / "einleitung.md"  # chapter 1: every numbered chapter comes after it
    filler = "\n\n".join(f"Absatz {i}: " + "Ein Satz, der den Abschnitt um eine Seite verlängert. " * 12
                         for i in range(14))
    text.write_text(text.read_text(encoding="utf-8") + "\n\n" + filler + "\n", encoding="utf-8")
    code, _ = build(data, tmp_path / "ausgabe", formats={"html"})
    assert code == 0
    grown = (tmp_path / "ausgabe" / "bericht.html").read_text(encoding="utf-8")
    joined = parts.lay_out_report(grown, cache)
    (tmp_path / "nachher.pdf").write_bytes(joined.pdf)
    (tmp_path / "einmal.pdf").write_bytes(html_to_pdf(grown))
    assert_same_pdf(tmp_path / "einmal.pdf", tmp_path / "nachher.pdf")

    after = PdfReader(tmp_path / "nachher.pdf")
    added = len(after.pages) - len(before.pages)
    assert added >= 1
    old, new = toc_numbers(before), toc_numbers(after)
    assert old.keys() == new.keys() and len(old) >= 3
    shifted = [title for title in old if new[title] == old[title] + added]
    assert shifted, (old, new)
    assert all(new[t] in (old[t], old[t] + added) for t in old)
    # the page numbers are stamped on: besides the grown chapter only the contents (its numbers changed)
    # are laid out again, every part after it comes from the cache
    assert joined.laid_out == 2, joined


def test_every_element_is_in_exactly_one_part_and_parts_start_where_pages_do(tmp_path: Path) -> None:
    _, markup = built_html("beispiel", tmp_path)
    split = parts.split(markup)
    ids = re.compile(r'\sid="([^"]+)"')
    held = [i for p in split for i in ids.findall(p.content)]
    enclosing = {i for p in split for i in ids.findall(p.prefix[p.prefix.index("<body"):])}
    assert len(held) == len(set(held)), "no element is laid out twice"
    assert set(held) | enclosing == set(ids.findall(markup[markup.index("<body"):])), "none is left out"
    for part in split[1:]:
        tag, classes = re.match(r'<(\w+)[^>]*class="([^"]*)"', part.content).groups()
        assert any(tag == t and c in classes.split() for t, c in parts.PAGE_STARTS), part.content[:80]


def test_a_build_after_one_changed_measure_lays_out_only_the_parts_that_show_it(tmp_path: Path, capsys) -> None:
    data = report_folder("beispiel", tmp_path / "bericht")
    out = tmp_path / "ausgabe"
    code, _ = build(data, out, capsys, formats={"html", "pdf"})
    assert code == 0
    rows = read_rows(data / "massnahmen.csv")
    rows[row_of(rows, 1)][rows[0].index("beschreibung")] = "Kurse direkt am Arbeitsplatz, jetzt dreimal pro Woche"
    write_rows(data / "massnahmen.csv", rows)

    code, log = build(data, out, capsys, formats={"html", "pdf"})
    assert code == 0, log
    laid, total = map(int, re.search(r"bericht\.pdf \((\d+) von (\d+) Teilen neu gesetzt\)", log).groups())
    assert 1 <= laid < total / 2, log
    assert "jetzt dreimal pro Woche" in "".join(page_texts(PdfReader(out / "bericht.pdf")))
    markup = (out / "bericht.html").read_text(encoding="utf-8")
    (tmp_path / "einmal.pdf").write_bytes(html_to_pdf(markup))
    assert_same_pdf(tmp_path / "einmal.pdf", out / "bericht.pdf")
