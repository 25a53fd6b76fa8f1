"""BITV 2.0 / WCAG 2.1 AA for the HTML (axe-core in headless Chromium) and PDF/UA properties of the
PDF. Browser checks skip with the reason when Chromium or axe-core are missing – unless
BERICHTSWERK_BROWSER_TESTS=required (set by .ci/run), where a missing browser is a failure."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from berichtswerk import browser
from bs4 import BeautifulSoup


@pytest.fixture(scope="module")
def need_browser() -> None:
    reasons = browser.missing()
    if reasons:
        message = "Barrierefreiheitsprüfung im Browser nicht ausgeführt: " + "; ".join(reasons)
        if os.environ.get("BERICHTSWERK_BROWSER_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)


def test_axe_finds_no_wcag21_aa_violation_in_the_report(built: Path, need_browser) -> None:
    violations = browser.axe_audit(built / "bericht.html")
    assert violations == [], _describe(violations)


def test_axe_finds_no_violation_in_a_chapter_file(built: Path, need_browser) -> None:
    violations = browser.axe_audit(built / "kapitel" / "4_zusammenfassung_ausblick.html")
    assert violations == [], _describe(violations)


def test_the_audit_can_fail(built: Path, tmp_path: Path, need_browser) -> None:
    broken = tmp_path / "kaputt.html"
    markup = (built / "bericht.html").read_text(encoding="utf-8")
    broken.write_text(markup.replace('<main id="inhalt">', '<main id="inhalt"><img src="data:,">', 1), encoding="utf-8")
    assert "image-alt" in {v["id"] for v in browser.axe_audit(broken)}


def test_headings_in_strict_order(soup: BeautifulSoup) -> None:
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert levels[0] == 1 and not jumps


def test_charts_have_text_alternatives_with_their_values(soup: BeautifulSoup) -> None:
    figure = soup.find(id="handlungsfeld-gefluechtete").find_parent("div").find_next("figure")
    alt = figure.img["alt"]
    assert alt.startswith("Balkendiagramm: Maßnahmen je Organisationseinheit im Handlungsfeld Geflüchtete: ")
    assert re.search(r"Fachbereich \w+ \d+", alt)
    assert all(img.get("alt", "").strip() for img in soup.find_all("img"))


def test_tables_have_captions_and_scoped_headers(soup: BeautifulSoup) -> None:
    tables = soup.find_all("table")
    assert tables
    for table in tables:
        assert table.caption and table.caption.get_text().strip()
        assert all(th.get("scope") in {"col", "row", "rowgroup", "colgroup"} for th in table.find_all("th"))


def test_skip_link_and_link_texts(soup: BeautifulSoup) -> None:
    skip = soup.find("a", class_="skip-link")
    assert skip["href"] == "#inhalt" and soup.find(id="inhalt").name == "main"
    vague = [a for a in soup.find_all("a") if a.get_text().strip().lower() in {"hier", "mehr", "link", "klicken"}]
    assert not vague


def test_pdf_is_tagged_german_titled_and_bookmarked(built: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(built / "bericht.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Vielfalt und Zusammenhalt – Bericht zum Integrationskonzept der Region Hannover"
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfuaid:part="1"' in xmp
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    assert top[:2] == ["1 Einführung", "2 Vorgehensweise und inhaltliche Ausrichtung"]
    nested = [o.title for group in reader.outline if isinstance(group, list) for o in group if not isinstance(o, list)]
    assert "3.3 Geflüchtete" in nested
