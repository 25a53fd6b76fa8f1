"""Acceptance of the 2021 edition: the whole report from ``data/``, as printed in 2021 – chapters and
numbers, the 19 examples and their citations, the appendix, no text lost, WCAG and PDF."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
import yaml
from berichtswerk import markdown
from berichtswerk.build import BuildOptions, run_build
from bs4 import BeautifulSoup
from conftest import DATA_DIR, need_browser

FIELDS = ["3.1 Partizipation und Teilhabe", "3.2 Willkommenskultur", "3.3 Geflüchtete", "3.4 Bildung und Sprache",
          "3.5 Wirtschaft und Arbeit", "3.6 Gesundheit und Pflege", "3.7 Vernetzung", "3.8 Interkulturelle Öffnung"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bericht-2021")
    assert run_build(BuildOptions(data_dir=DATA_DIR, out_dir=out, jobs=2, formats={"html", "pdf"})) == 0
    return out


@pytest.fixture(scope="module")
def soup(built: Path) -> BeautifulSoup:
    return BeautifulSoup((built / "bericht.html").read_text(encoding="utf-8"), "html.parser")


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", BeautifulSoup(markdown.render(text), "html.parser").get_text(" ")).strip()


def test_chapters_and_numbers_as_printed(soup: BeautifulSoup) -> None:
    numbers = [a.get_text().split()[0] for a in soup.select("nav.inhaltsverzeichnis a")]
    assert numbers == ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "3", "3.1", "3.2", "3.3", "3.4", "3.5",
                       "3.6", "3.7", "3.8", "4", "5", "6", "6.1", "6.2"]
    assert [h.get_text() for h in soup.select("section.handlungsfeld > h2")] == FIELDS
    assert soup.select_one('a.querverweis[href="#sec-fuehrungsnetzwerk"]').get_text() == "Kapitel 2.1"


def test_every_citation_links_to_its_appendix_row(soup: BeautifulSoup) -> None:
    links = soup.select("a.verweis")
    assert len(links) >= 19
    for a in links:
        number = re.search(r"Nr\.\s*(\d+)", a.get_text()).group(1)
        assert a["href"] == f"#massnahme-{number}"
        row = soup.find(id=f"massnahme-{number}")
        assert row is not None and row.name == "tr" and row.th.get_text() == number
    rows = soup.select("table.anhang tbody tr:not(.ziel)")
    assert len([r for r in rows if r.get("id", "").startswith("massnahme-")]) == 129


def test_no_text_of_the_data_is_lost(soup: BeautifulSoup) -> None:
    """Every paragraph and footnote of the prose in data/ (after the corrections list) is in the report."""
    from berichtswerk import korrekturen

    for marker in soup.select("sup.fussnote"):
        marker.decompose()
    text = re.sub(r"\s+", " ", soup.get_text(" "))
    sources = [p.read_text(encoding="utf-8") for p in sorted((DATA_DIR / "texte").glob("*.md"))]
    fields = yaml.safe_load((DATA_DIR / "handlungsfelder.yaml").read_text(encoding="utf-8"))["handlungsfelder"]
    sources += [f["einleitung"] for f in fields] + [b["text"] for f in fields for b in f.get("beispiele") or []]
    corrections = korrekturen.load(DATA_DIR)
    for source in sources:
        body, notes = markdown.split_footnotes(korrekturen.apply(source, corrections))
        body = re.sub(r"\[\^[^\]]+\]", "", body)
        for paragraph in [*re.split(r"\n\s*\n", body), *notes.values()]:
            words = plain(paragraph)
            if words:
                assert words[:80] in text, words[:80]


def test_design_handoff_has_every_chart(built: Path) -> None:
    figures = sorted(p.stem for p in (built / "design" / "abbildungen").glob("*.svg"))
    assert len(figures) == 11 and "3-3_gefluechtete_massnahmen-je-oe" in figures
    for stem in figures:
        data = (built / "design" / "abbildungen" / f"{stem}.png").read_bytes()
        i = data.index(b"pHYs")
        x, _, unit = struct.unpack(">IIB", data[i + 4:i + 13])
        assert unit == 1 and round(x * 0.0254) == 300


def test_pdf_toc_pages_and_bookmarks(built: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(built / "bericht.pdf")
    assert 20 <= len(reader.pages) <= 90
    assert reader.metadata.title.startswith("Vielfalt und Zusammenhalt")
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "3 Umsetzung von Maßnahmen und Projekten in den verschiedenen Handlungsfeldern" in outline
    toc = re.sub(r"\s+", " ", reader.pages[1].extract_text())
    pages = {title: int(n) for title, n in re.findall(r"(3\.\d [A-ZÄÖÜ][^.\d]+?)[ .]*(\d+)", toc)}
    assert len(pages) == 8 and list(pages.values()) == sorted(pages.values())
    assert "3.3 Geflüchtete" in reader.pages[pages["3.3 Geflüchtete"] - 1].extract_text()
    box = reader.pages[1].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_axe_finds_no_wcag_violation(built: Path) -> None:
    from berichtswerk import browser

    need_browser()
    violations = browser.axe_audit(built / "bericht.html")
    assert violations == [], violations


def test_pdf_passes_pdfua1_and_no_text_leaves_the_text_area(built: Path) -> None:
    from pdfstruktur import read_structure, words_outside_text_area
    from test_pdfua import PAGE_MARGIN_MM, need_pdftotext, need_verapdf

    from berichtswerk import verapdf

    tree = read_structure(built / "bericht.pdf")
    assert set(tree.link_eltern) == {"Link"} and tree.th_ohne_scope == 0 and tree.figuren_ohne_alt == 0
    need_pdftotext()
    checked, outside = words_outside_text_area(built / "bericht.pdf", PAGE_MARGIN_MM)
    assert checked > 10000 and outside == [], outside[:10]
    need_verapdf()
    result = verapdf.validate(built / "bericht.pdf", "ua1")
    assert result.konform and result.fehler == {}, result.describe()
