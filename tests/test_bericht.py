"""The example report – another shape, other words, an analyst's own chapter – builds with no code
change into HTML, chapter files, a design handoff and a PDF, and reads as its own report."""

from __future__ import annotations

import csv
import html
import re
import zipfile
from pathlib import Path

import pandas as pd
import yaml
from bs4 import BeautifulSoup
from conftest import DATA_DIR, need_browser

#: Words of the 2021 data that are also plain words of any report of measures, not of that edition:
#: a chapter "Anhang", the data's own column "dezernat" as a table header, the root of the org chart.
SHARED_WORDS = {"Anhang", "Dezernat", "Verwaltungsspitze", "Teilhabe"}


def strings_of_2021() -> set[str]:
    """Every visible string of the 2021 data: YAML values, table cells, lines of the texts."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in DATA_DIR.glob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    for path in DATA_DIR.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            found |= {cell for row in list(csv.reader(f))[1:] for cell in row}
    for path in (DATA_DIR / "texte").glob("*.md"):
        found |= set(path.read_text(encoding="utf-8").splitlines())
    identifiers = re.compile(r"[a-z0-9_-]+|#[0-9a-fA-F]{6}")  # ids, slugs, status keys, colours: not words
    return {" ".join(s.split()) for s in found if len(s.strip()) >= 6 and not identifiers.fullmatch(s.strip())
            and not s.strip().startswith(("(?P", "\\"))} - SHARED_WORDS


def test_toc_and_headings_follow_the_structure(beispiel_soup: BeautifulSoup) -> None:
    toc = [a.get_text() for a in beispiel_soup.select("nav.inhaltsverzeichnis a")]
    assert toc == ["Vorwort", "1 Worum es geht", "1.1 Wie der Bericht entstand", "Was neu ist",
                   "2 Die Handlungsfelder", "2.1 Arbeit und Qualifizierung", "2.2 Wohnen", "2.3 Gesundheit",
                   "3 Eigene Auswertung", "3.1 Verteilung nach Handlungsfeld", "4 Anhang", "4.1 Alle Maßnahmen",
                   "4.2 Wer wofür zuständig ist"]
    for a in beispiel_soup.select("nav.inhaltsverzeichnis a"):
        target = beispiel_soup.find(id=a["href"][1:])
        assert target is not None and target.name in ("h1", "h2") and target.get_text() == a.get_text()
    levels = [int(h.name[1]) for h in beispiel_soup.find_all(re.compile(r"^h[1-6]$"))]
    assert not [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    ids = [t["id"] for t in beispiel_soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_cross_references_name_the_current_numbers(beispiel_soup: BeautifulSoup) -> None:
    refs = {a["href"]: a.get_text() for a in beispiel_soup.select("a.querverweis")}
    assert refs == {"#sec-felder": "Kapitel 2", "#sec-auswertung": "Kapitel 3"}
    citation = beispiel_soup.select_one('a.verweis[href="#massnahme-2"]')
    assert citation is not None and beispiel_soup.find(id="massnahme-2").name == "tr"


def test_everything_the_analyst_made_reaches_the_report(beispiel_soup: BeautifulSoup) -> None:
    chapter = beispiel_soup.find(id="sec-auswertung").find_parent("section")
    text = chapter.get_text(" ")
    assert "Die Auswertung zeigt, wie sich die Maßnahmen" in text          # Markdown cell
    assert chapter.find("h2").get_text() == "3.1 Verteilung nach Handlungsfeld"
    table = chapter.find("table")
    assert table.caption.get_text() == "Tabelle 1: Maßnahmen je Handlungsfeld"
    assert [th["scope"] for th in table.thead.find_all("th")] == ["col", "col", "col"]
    assert [td.get_text() for td in table.tbody.find_all("tr")[0].find_all("td")] == ["3", "37,5"]
    figure = chapter.find("figure")
    assert figure.img["src"].startswith("data:image/svg+xml;base64,")
    assert figure.img["alt"] == "Säulendiagramm: Arbeit und Qualifizierung 3, Wohnen 3, Gesundheit 2 Maßnahmen."
    assert figure.figcaption.get_text() == "Abbildung 4: Maßnahmen je Handlungsfeld"  # after the three fields' charts
    assert "Notiz für die Redaktion" not in beispiel_soup.get_text()          # tagged notiz
    assert "Zwischenstand" not in beispiel_soup.get_text()                    # print output
    assert not beispiel_soup.find_all("script") and not beispiel_soup.select("pre, .jp-InputArea")


def test_nothing_of_2021_in_any_output(beispiel_built: Path) -> None:
    """The tool brings no word of its first report into another one: every output, every string."""
    from pypdf import PdfReader

    published = (beispiel_built / ".aktuell").resolve()  # the folder the published names point into
    texts = {str(p.relative_to(published)): p.read_text(encoding="utf-8")
             for p in published.rglob("*") if p.suffix in (".html", ".css", ".md", ".csv")}
    texts["bericht.pdf"] = " ".join(page.extract_text() for page in PdfReader(beispiel_built / "bericht.pdf").pages)
    with zipfile.ZipFile(beispiel_built / "design.zip") as z:
        texts |= {f"design.zip:{n}": z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".md", ".csv"))}
    normal = {name: " ".join(html.unescape(text).split()) for name, text in texts.items()}
    assert "design/LIESMICH.md" in normal and len(normal) > 10
    words = strings_of_2021()
    assert len(words) > 500  # the 2021 data is there to compare with
    found = sorted({(word, name) for word in words for name, text in normal.items() if word in text})
    assert found == []


def test_reads_as_its_own_report(beispiel_built: Path, beispiel_soup: BeautifulSoup) -> None:
    text = beispiel_soup.get_text(" ")
    assert beispiel_soup.title.get_text() == "Gemeinsam in Birkenau – Teilhabebericht des Landkreises Birkenau"
    assert "Satz und Gestaltung" in text and "Unsere Ziele" in text
    css = beispiel_soup.style.get_text()
    assert '@bottom-left { content: "Gemeinsam in Birkenau – Teilhabebericht"; }' in css


def test_each_handlungsfeld_has_its_own_colour_in_headings_and_charts(beispiel_built: Path,
                                                                        beispiel_soup: BeautifulSoup) -> None:
    import base64

    css = beispiel_soup.style.get_text()
    colours = dict(re.findall(r"--hf-([a-z0-9-]+): (#[0-9a-f]{6});", css))
    assert set(colours) == {"arbeit", "wohnen", "gesundheit"} and len(set(colours.values())) == 3
    for slug, colour in colours.items():
        section = beispiel_soup.select_one(f"section.handlungsfeld--{slug}")
        assert section is not None and f".handlungsfeld--{slug} {{ --hf-farbe: var(--hf-{slug}); }}" in css
        svg = base64.b64decode(section.find("img")["src"].split(",", 1)[1]).decode()
        assert colour in svg, (slug, colour)


def test_organisation_chart_is_a_tree_with_units_under_the_head(beispiel_soup: BeautifulSoup) -> None:
    chart = beispiel_soup.select_one(".organigramm")
    assert chart.select_one(".organigramm__spitze").get_text() == "Landrätin Dr. Petra Quast"
    direct = chart.select_one(".dezernat--spitze")
    assert [li.get_text(" ", strip=True) for li in direct.select(":scope > ul > li")] == ["Stabsstelle Teilhabe (ST)"]
    social = next(li for li in chart.select("li") if li.get_text().startswith("Sozialamt"))
    assert [li.get_text() for li in social.select("ul > li")] == ["Schuldnerberatung (SO1)"]


def test_council_papers_in_the_reports_own_format(beispiel_soup: BeautifulSoup) -> None:
    row = beispiel_soup.find(id="massnahme-4")
    assert [li.get_text() for li in row.select("li.drucksache")] == ["BV/2022/0102", "MV/2022/0733 (Sachstand)"]
    wohnen = beispiel_soup.find(id="sec-feld-wohnen").find_parent("section")
    tiles = {t.dt.get_text(): t.dd.get_text() for t in wohnen.select(".kennzahl")}
    assert tiles["zitierte Drucksachen"] == "2"


def test_chapter_files(beispiel_built: Path) -> None:
    names = sorted(p.name for p in (beispiel_built / "kapitel").glob("*.html"))
    assert names == ["1_einleitung.html", "2-1_feld-arbeit.html", "2-2_feld-wohnen.html", "2-3_feld-gesundheit.html",
                     "2_felder.html", "3_auswertung.html", "4-1_liste.html", "4-2_organisation.html", "4_anhang.html",
                     "vorwort.html"]
    page = BeautifulSoup((beispiel_built / "kapitel" / "3_auswertung.html").read_text(encoding="utf-8"), "html.parser")
    assert page.h1.get_text() == "3 Eigene Auswertung" and not page.select("nav.inhaltsverzeichnis")
    assert page.select_one("a.verweis")["href"] == "../bericht.html#massnahme-2"


def test_design_handoff_takes_figures_and_tables_from_the_notebooks(beispiel_built: Path) -> None:
    design = beispiel_built / "design"
    figures = sorted(p.name for p in (design / "abbildungen").iterdir())
    assert "3_auswertung_verteilung-diagramm.svg" in figures and "3_auswertung_verteilung-diagramm.png" in figures
    assert "2-2_feld-wohnen_massnahmen-je-oe.svg" in figures
    csv = pd.read_csv(design / "tabellen" / "3_auswertung_verteilung.csv")
    xlsx = pd.read_excel(design / "tabellen" / "3_auswertung_verteilung.xlsx")
    pd.testing.assert_frame_equal(csv, xlsx)
    assert list(csv.columns) == ["Handlungsfeld", "Maßnahmen", "Anteil in %"] and csv["Maßnahmen"].sum() == 8
    readme = (design / "LIESMICH.md").read_text(encoding="utf-8")
    assert readme.startswith("# Übergabe an die Gestaltung – „Gemeinsam in Birkenau“")
    assert "`3_auswertung_verteilung-diagramm` – Maßnahmen je Handlungsfeld" in readme
    with zipfile.ZipFile(beispiel_built / "design.zip") as z:
        assert "design/tabellen/3_auswertung_verteilung.xlsx" in z.namelist()


def test_pdf(beispiel_built: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(beispiel_built / "bericht.pdf")
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Gemeinsam in Birkenau – Teilhabebericht" in text and "3.1 Verteilung nach Handlungsfeld" in text
    assert not any(w in text for w in ("Hannover", "Integrationskonzept"))

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    outline = list(titles(reader.outline))
    assert "2.2 Wohnen" in outline and "3 Eigene Auswertung" in outline
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"] and root["/Lang"] == "de"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title.startswith("Gemeinsam in Birkenau")
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


def test_axe_finds_no_wcag_violation(beispiel_built: Path) -> None:
    from werkzeuge import browser

    need_browser()
    for page in (beispiel_built / "bericht.html", beispiel_built / "kapitel" / "3_auswertung.html"):
        violations = browser.axe_audit(page)
        assert violations == [], (page.name, violations)
