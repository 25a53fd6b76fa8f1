"""The build end to end on a small dataset: real papermill kernels, real HTML and PDF files.

One session-wide build is shared by the read-only checks; tests that change things work on their own
copy of the output folder."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from berichtswerk import build as build_module
from berichtswerk.build import BuildOptions, run_build
from berichtswerk.sections import Section, report_sections
from bs4 import BeautifulSoup
from conftest import make_small_dataset, read_rows, row_of, write_rows
from filelock import FileLock

FIXTURES = Path(__file__).parent / "fixtures"
HANDLUNGSFELD_IDS = [
    "partizipation-und-teilhabe", "willkommenskultur", "gefluechtete", "bildung-und-sprache",
    "wirtschaft-und-arbeit", "gesundheit-und-pflege", "vernetzung", "interkulturelle-oeffnung",
]


def build(data: Path, out: Path, capsys=None, **kw) -> tuple[int, str]:
    code = run_build(BuildOptions(data_dir=data, out_dir=out, jobs=2, **kw))
    text = ""
    if capsys is not None:
        captured = capsys.readouterr()
        text = captured.out + captured.err
    return code, text


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_html_is_german_and_has_every_section(soup: BeautifulSoup) -> None:
    assert soup.html["lang"] == "de"
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    for chapter in ("1", "1-1", "1-2", "1-3", "2", "2-1", "2-2", "3", "4", "5", "6", "6-1", "6-2"):
        assert f"kapitel-{chapter}" in ids, chapter
    for slug in HANDLUNGSFELD_IDS:
        heading = soup.find(id=f"handlungsfeld-{slug}")
        assert heading is not None and heading.name == "h2", slug
    assert [h.get_text() for h in soup.find_all("h2") if h.get("id", "").startswith("handlungsfeld-")] == [
        "3.1 Partizipation und Teilhabe", "3.2 Willkommenskultur", "3.3 Geflüchtete", "3.4 Bildung und Sprache",
        "3.5 Wirtschaft und Arbeit", "3.6 Gesundheit und Pflege", "3.7 Vernetzung", "3.8 Interkulturelle Öffnung"]


def test_ids_are_unique(soup: BeautifulSoup) -> None:
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_every_citation_links_to_an_appendix_row(soup: BeautifulSoup) -> None:
    links = [a for a in soup.find_all("a") if "vgl. Anhang Maßnahme" in a.get_text()]
    assert len(links) >= 19  # the 19 examples of chapter 3, plus fallback lists
    for a in links:
        number = re.search(r"Nr\.\s*(\d+)", a.get_text()).group(1)
        assert a["href"] == f"#massnahme-{number}"
        target = soup.find(id=f"massnahme-{number}")
        assert target is not None and target.name == "tr", number
        assert target.th.get_text() == number


def test_toc_is_numbered_like_the_report_and_links_resolve(soup: BeautifulSoup) -> None:
    entries = soup.select("nav.inhaltsverzeichnis a")
    numbers = [a.get_text().split()[0] for a in entries]
    assert numbers == ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "3", "3.1", "3.2", "3.3", "3.4", "3.5",
                       "3.6", "3.7", "3.8", "4", "5", "6", "6.1", "6.2"]
    for a in entries:
        assert soup.find(id=a["href"][1:]) is not None


def test_no_code_no_prompts(soup: BeautifulSoup) -> None:
    text = soup.get_text()
    assert "display(HTML" not in text and "import " not in text and "In [" not in text
    assert not soup.select(".jp-InputArea, .input_area, .prompt, pre.fehler")


def test_single_file_makes_no_request(built: Path, soup: BeautifulSoup) -> None:
    assert not soup.find_all("script") and not soup.find_all("link")
    sources = [tag["src"] for tag in soup.find_all(src=True)]
    assert sources and all(s.startswith("data:") for s in sources)
    css = " ".join(s.get_text() for s in soup.find_all("style"))
    assert "@import" not in css and not re.search(r"url\((?!#)", css)
    assert all(img.get("alt") for img in soup.find_all("img"))


def test_examples_without_report_examples_fall_back_to_measures(soup: BeautifulSoup) -> None:
    section = soup.find(id="handlungsfeld-vernetzung-erreicht").parent
    assert "keine Beispiele" in section.get_text()
    assert section.find("a", class_="verweis")


def test_chapters_alone_for_the_design_team(built: Path) -> None:
    files = sorted(p.name for p in (built / "kapitel").glob("*.html"))
    assert files[0] == "1-3_einfuehrung.html" and "3-3_gefluechtete.html" in files and len(files) == 11
    chapter = BeautifulSoup((built / "kapitel" / "3-3_gefluechtete.html").read_text(encoding="utf-8"), "html.parser")
    assert chapter.find(id="handlungsfeld-gefluechtete")
    assert not chapter.select("nav.inhaltsverzeichnis")
    citations = [a["href"] for a in chapter.find_all("a", class_="verweis")]
    assert citations and all(h.startswith("../bericht.html#massnahme-") for h in citations)


def test_pdf_has_every_section_bookmarks_and_plausible_length(built: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(built / "bericht.pdf")
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    for title in ("Einführung", "Vorgehensweise und inhaltliche Ausrichtung", "Partizipation und Teilhabe",
                  "Geflüchtete", "Interkulturelle Öffnung", "Zusammenfassung und Ausblick",
                  "Auflistung Maßnahmen und Projekte", "Aufbauorganisation der Region Hannover"):
        assert title in flat, title
    assert 20 <= len(reader.pages) <= 90
    assert reader.metadata.title.startswith("Vielfalt und Zusammenhalt")
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "3 Umsetzung von Maßnahmen und Projekten in den verschiedenen Handlungsfeldern" in outline
    toc = re.sub(r"\s+", " ", reader.pages[1].extract_text())
    assert toc.startswith("Inhaltsverzeichnis")
    pages = {title: int(n) for title, n in re.findall(r"(3\.\d [A-ZÄÖÜ][^.\d]+?)[ .]*(\d+)", toc)}
    assert len(pages) == 8 and list(pages.values()) == sorted(pages.values()) and min(pages.values()) > 2
    geflüchtete = reader.pages[pages["3.3 Geflüchtete"] - 1].extract_text()
    assert "3.3 Geflüchtete" in geflüchtete  # the TOC's page number is where the section starts
    box = reader.pages[1].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_cached_rebuild_executes_nothing(built: Path, small_data: Path, capsys) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in built.glob("bericht.*")}
    code, text = build(small_data, built, capsys, formats={"html", "pdf"})
    assert code == 0 and "Bericht ist aktuell" in text and "läuft" not in text
    assert {p.name: p.stat().st_mtime_ns for p in built.glob("bericht.*")} == before


def test_one_measure_edit_reruns_only_its_sections(built: Path, tmp_path: Path, capsys) -> None:
    data = make_small_dataset(tmp_path / "data")
    out = tmp_path / "out"
    shutil.copytree(built, out)
    # same content → same keys, except for the data_dir parameter; rebuild once to settle the cache
    assert build(data, out, capsys, formats={"html"})[0] == 0
    rows = read_rows(data / "massnahmen.csv")
    rows[row_of(rows, 22)][4] += " Ergänzt."
    write_rows(data / "massnahmen.csv", rows)
    code, text = build(data, out, capsys, formats={"html"})
    assert code == 0
    ran = {line.split(None, 1)[1].strip() for line in text.splitlines() if line.strip().startswith("läuft")}
    assert ran == {"3.3 Geflüchtete", "5–6 Mitwirkende und Anhang"}
    assert "Ergänzt." in (out / "bericht.html").read_text(encoding="utf-8")


def test_bad_data_stops_before_any_notebook(tmp_path: Path, capsys) -> None:
    data = make_small_dataset(tmp_path / "data")
    rows = read_rows(data / "massnahmen.csv")
    rows[1][1] = "Partizipation"
    write_rows(data / "massnahmen.csv", rows)
    code, text = build(data, tmp_path / "out", capsys)
    assert code == 2
    assert "Zeile 2, Spalte „handlungsfeld“" in text and "Kein Abschnitt wurde ausgeführt" in text
    assert not list((tmp_path / "out" / ".cache" / "abschnitte").glob("*.ipynb"))


def test_failing_section_keeps_last_good_report(built: Path, small_data: Path, tmp_path: Path,
                                                monkeypatch, capsys) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    good = {name: digest(out / name) for name in ("bericht.html", "bericht.pdf")}

    def with_broken_section(data_dir: Path) -> list[Section]:
        sections = report_sections(data_dir)
        broken = Section("kaputt", "9 Absichtlich kaputt", FIXTURES / "kaputt.ipynb",
                         {"data_dir": str(data_dir)}, "9_kaputt", lambda d: b"")
        return [*sections, broken]

    monkeypatch.setattr(build_module, "report_sections", with_broken_section)
    code, text = build(small_data, out, capsys, formats={"html", "pdf"}, force=True)
    assert code == 1
    assert ("9 Absichtlich kaputt (kaputt.ipynb), Zelle [4] „raise ValueError(\"absichtlich kaputt\")“: "
            "ValueError: absichtlich kaputt") in text
    assert "letzte gute Bericht" in text
    kept = out / "fehlgeschlagen" / "kaputt.ipynb"
    assert kept.is_file() and "absichtlich kaputt" in kept.read_text(encoding="utf-8")
    assert {name: digest(out / name) for name in good} == good
    # the other sections completed and were cached: a normal build afterwards runs nothing
    monkeypatch.undo()
    code, text = build(small_data, out, capsys, formats={"html", "pdf"})
    assert code == 0 and "läuft" not in text


def test_second_build_at_the_same_time_stops_clearly(tmp_path: Path, small_data: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(str(out / build_module.LOCK_NAME)):
        code, text = build(small_data, out, capsys)
    assert code == 3 and "Ein anderer Build schreibt gerade" in text
