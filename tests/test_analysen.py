"""Analyst notebooks as people write them after a Quarto or Jupyter Book guide – built as a real report.

The corpus (``tests/fixtures/analysen``) holds the forms public guides teach: ``#|`` options with block
scalars, quoted and unquoted colons, lists, folded multi-line captions, labels with and without the
``fig-`` prefix, references within and across notebooks, ``include``/``output``/``eval``, sub-figures
side by side, ``Markdown`` displayed and as a cell's last value, inline values in Markdown cells. Each
form is checked where a reader of the HTML and the PDF would look; a broken option, a reference to
nothing and a missing text alternative each fail the build naming the cell."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from berichtswerk.core.exitcodes import ExitCode
from bs4 import BeautifulSoup
from conftest import BEISPIEL, FIXTURES, build, need_browser, need_tools

CORPUS = FIXTURES / "analysen"


def analysis_report(root: Path, numbering: str | None = None) -> Path:
    """The example report with the corpus' two chapters and lists of figures and tables."""
    shutil.copytree(BEISPIEL, root)
    for notebook in CORPUS.glob("*.ipynb"):
        shutil.copy(notebook, root / "notebooks" / notebook.name)
    structure = root / "data" / "gliederung.yaml"
    extra = (CORPUS / "gliederung_zusatz.yaml").read_text(encoding="utf-8").split("\n", 1)[1]
    text = structure.read_text(encoding="utf-8") + extra
    if numbering:
        text = f"nummerierung: {numbering}\n" + text
    structure.write_text(text, encoding="utf-8")
    return root / "data"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BeautifulSoup, str]:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    root = tmp_path_factory.mktemp("analysen")
    data = analysis_report(root / "bericht")
    log = io.StringIO()
    with redirect_stdout(log), redirect_stderr(log):
        code, _ = build(data, root / "ausgabe", formats={"html", "pdf"})
    assert code == ExitCode.OK, log.getvalue()
    out = root / "ausgabe"
    return out, BeautifulSoup((out / "bericht.html").read_text(encoding="utf-8"), "html.parser"), log.getvalue()


def chapter(soup: BeautifulSoup, ident: str):
    return soup.find(id=f"sec-{ident}").find_parent("section")


def pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_alt_texts_in_every_form_reach_their_own_figure(built) -> None:
    _, soup, _ = built
    verteilung = soup.find(id="fig-verteilung")
    assert verteilung.img["alt"] == ("Balkendiagramm der Maßnahmen je Handlungsfeld. Arbeit und Qualifizierung 3, "
                                     "Wohnen 3, Gesundheit 2.")                      # block scalar „|“
    assert verteilung.select_one(".abbildung__titel").get_text() == "Verteilung: Maßnahmen je Handlungsfeld"
    jahreszeiten = soup.find(id="fig-jahreszeiten")                                  # label without prefix
    assert jahreszeiten.img["alt"] == "Balkendiagramm: Frühjahr 3, Sommer 5"        # unquoted colon
    assert jahreszeiten.select_one(".abbildung__titel").get_text() == "Ein Beispiel mit einer zweizeiligen Bildunterschrift"


def test_figures_and_tables_are_numbered_in_reading_order_and_referenced_across_notebooks(built) -> None:
    _, soup, _ = built
    numbers = [s.get_text() for s in soup.select(".nummer")]
    figures = [int(n.split()[1].rstrip(":")) for n in numbers if n.startswith("Abbildung")]
    tables = [int(n.split()[1].rstrip(":")) for n in numbers if n.startswith("Tabelle")]
    assert figures == list(range(1, len(figures) + 1)) and len(figures) == 7
    assert tables == [1, 2, 3]
    refs = {(a["href"], a.get_text()) for a in chapter(soup, "quarto").select("a.querverweis")}
    assert refs == {("#fig-verteilung", "Abbildung 5"), ("#tbl-felder", "Tabelle 2"),
                    ("#fig-jahreszeiten", "Abbildung 6"), ("#fig-ansichten", "Abbildung 7"),
                    ("#sec-felder", "Kapitel 2"), ("#sec-verweise", "Kapitel 6"), ("#tbl-zweite", "Tabelle 3")}
    back = {(a["href"], a.get_text()) for a in chapter(soup, "verweise").select("a.querverweis")}
    assert back == {("#fig-verteilung", "Abbildung 5"), ("#tbl-felder", "Tabelle 2")}
    assert soup.find(id="tbl-zweite").caption.get_text() == "Tabelle 3: Eine Tabelle im zweiten Notebook"


def test_references_in_chapter_files_point_into_the_report(built) -> None:
    out, _, _ = built
    page = BeautifulSoup((out / "kapitel" / "6_verweise.html").read_text(encoding="utf-8"), "html.parser")
    assert {a["href"] for a in page.select("a.querverweis")} == {"../bericht.html#fig-verteilung",
                                                                   "../bericht.html#tbl-felder"}


def test_lists_of_figures_and_tables_with_links_and_pdf_pages(built) -> None:
    out, soup, _ = built
    listed = [(a["href"], a.get_text()) for a in chapter(soup, "abbildungsverzeichnis").select("li a")]
    assert [text.split(":")[0] for _, text in listed] == [f"Abbildung {n}" for n in range(1, 8)]
    assert ("#fig-verteilung", "Abbildung 5: Verteilung: Maßnahmen je Handlungsfeld") in listed
    assert all(soup.find(id=href[1:]) is not None for href, _ in listed)
    tables = [a.get_text() for a in chapter(soup, "tabellenverzeichnis").select("li a")]
    assert tables == ["Tabelle 1: Maßnahmen je Handlungsfeld", "Tabelle 2: Maßnahmen je Handlungsfeld",
                      "Tabelle 3: Eine Tabelle im zweiten Notebook"]
    pages = pdf_pages(out / "bericht.pdf")
    listing = next(i for i, text in enumerate(pages) if text.startswith("Abbildungsverzeichnis"))
    for _, text in listed:
        page = re.search(re.escape(text) + r" ?\.* ?(\d+)", pages[listing]).group(1)
        shown = [i + 1 for i, p in enumerate(pages) if i != listing and text in p]
        assert shown and int(page) == shown[0], (text, page, shown)


def test_hidden_and_skipped_cells_leave_nothing_and_say_nothing(built) -> None:
    _, soup, log = built
    text = soup.get_text(" ")
    for hidden in ("nur zur Kontrolle", "Zwischenergebnis", "darf im Build nicht laufen"):
        assert hidden not in text and hidden not in log
    assert "Auswertungen wie in Quarto" not in "\n".join(line for line in log.splitlines() if line.startswith("  - "))


def test_sub_figures_side_by_side_each_with_its_caption_and_alt(built) -> None:
    out, soup, _ = built
    group = soup.find(id="fig-ansichten")
    parts = group.select("figure.teilabbildung")
    assert [p.img["alt"] for p in parts] == ["Balken: Arbeit 3, Wohnen 3, Gesundheit 2",
                                              "Linie: Arbeit 3, Wohnen 3, Gesundheit 2"]
    assert [" ".join(p.figcaption.get_text().split()) for p in parts] == ["(a) Als Balken", "(b) Als Linie"]
    assert "abbildung--spalten-2" in group["class"]
    assert group.select_one(".abbildung__unterschrift").get_text() == "Abbildung 7: Zwei Ansichten derselben Zahlen"
    assert any("(a) Als Balken" in p and "(b) Als Linie" in p for p in pdf_pages(out / "bericht.pdf"))


def test_prose_computed_in_code_is_report_prose(built) -> None:
    _, soup, _ = built
    section = chapter(soup, "quarto")
    computed = next(p for p in section.find_all("p") if p.get_text().startswith("Berechnet:"))
    assert computed.strong.get_text() == "8" and "37,5\u00a0%" in computed.get_text()
    assert computed.select_one('a.verweis[href="#massnahme-2"]')                     # appendix citation
    assert computed.select_one('a.querverweis[href="#fig-verteilung"]').get_text() == "Abbildung 5"
    heading = section.find("h2", string=re.compile("Aus Code erzeugt"))
    assert heading.get_text() == "5.1 Aus Code erzeugt"                               # numbered, in the TOC
    assert soup.select_one(f'nav.inhaltsverzeichnis a[href="#{heading["id"]}"]')
    marker = section.select_one("sup.fussnote a")
    note = soup.find(id=marker["href"][1:])
    assert note.get_text().strip() == "Eine Anmerkung aus Code." and marker.get_text() == note["value"]


def test_inline_values_are_written_into_the_prose_as_text(built) -> None:
    _, soup, _ = built
    text = re.sub(r"[ \t\n]+", " ", chapter(soup, "quarto").get_text(" "))  # no-break spaces stay
    assert "Im Bericht stehen 8 Maßnahmen, davon 3 im Handlungsfeld Wohnen (37,5\u00a0%)" in text
    escaped = next(p for p in chapter(soup, "quarto").find_all("p") if p.get_text().startswith("Ein Wert"))
    assert escaped.get_text() == ("Ein Wert, der wie Markup aussieht, bleibt Text: <script>alert(1)</script> "
                                  "**fett** [Link](javascript:alert(1)).")
    assert not escaped.find_all(["script", "strong", "a", "b"])


def test_source_lines_under_figures_and_tables_and_in_the_handoff(built) -> None:
    out, soup, _ = built
    assert soup.find(id="fig-verteilung").select_one(".quelle").get_text() == "Quelle: Maßnahmentabelle"
    table = soup.find(id="tbl-felder")
    assert table.find_next_sibling("p", class_="quelle").get_text() == "Quelle: Maßnahmentabelle, Stand 31.12.2025"
    readme = (out / "design" / "LIESMICH.md").read_text(encoding="utf-8")
    assert "(Quelle: Maßnahmentabelle, Stand 31.12.2025)" in readme and "(Quelle: Maßnahmentabelle)" in readme


def test_numbering_per_chapter(tmp_path: Path, capsys) -> None:
    data = analysis_report(tmp_path / "bericht", numbering="kapitel")
    code, text = build(data, tmp_path / "out", capsys, formats={"html"})
    assert code == ExitCode.OK, text
    soup = BeautifulSoup((tmp_path / "out" / "bericht.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.find(id="fig-verteilung").select_one(".nummer").get_text() == "Abbildung 5.1: "
    assert soup.find(id="tbl-zweite").select_one(".nummer").get_text() == "Tabelle 6.1: "
    assert chapter(soup, "verweise").select_one('a[href="#fig-verteilung"]').get_text() == "Abbildung 5.1"


def broken(tmp_path: Path, cell: int, change) -> Path:
    data = analysis_report(tmp_path / "bericht")
    path = data.parent / "notebooks" / "quarto_formen.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[cell].source = change(nb.cells[cell].source)
    nbformat.write(nb, path)
    return data


@pytest.mark.parametrize(("cell", "change", "expected"), [
    (10, lambda s: s.replace('#|   - "Linie: Arbeit 3, Wohnen 3, Gesundheit 2"', '#|  - "Linie: kaputt eingerückt"'),
     "5 Auswertungen wie in Quarto (quarto_formen.ipynb), Code-Zelle 9 „plt.figure(figsize=(3, 2.2))“: Zellenoption "
     "in Zeile 8 „#|  - \"Linie: kaputt eingerückt\"“: kein gültiges YAML (Einrückung oder Klammer stimmt nicht)"),
    (8, lambda s: "#| include: nein\n" + s,
     "5 Auswertungen wie in Quarto (quarto_formen.ipynb), Code-Zelle 7 „fig, ax = plt.subplots(figsize=(6, 3))“: "
     "Zellenoption in Zeile 1 „#| include: nein“: „include“ braucht true oder false"),
    (6, lambda s: s + " Siehe auch @fig-gibtsnicht.",
     "5 Auswertungen wie in Quarto (quarto_formen.ipynb), Markdown-Zelle 2 „Im Bericht stehen `{python} len(m)` "
     "Maßnahmen, davon `{pytho“: Verweis @fig-gibtsnicht: Abbildung gibt es nicht"),
    (9, lambda s: s.replace("#| fig-alt: Balkendiagramm: Frühjahr 3, Sommer 5\n", ""),
     "5 Auswertungen wie in Quarto (quarto_formen.ipynb), Code-Zelle 8 „fig, ax = plt.subplots(figsize=(4, 2.5))“: "
     "Abbildung ohne Textalternative"),
    (6, lambda s: s + " `{python} gibt_es_nicht`",
     "5 Auswertungen wie in Quarto (quarto_formen.ipynb), Markdown-Zelle 2 „Im Bericht stehen `{python} len(m)` "
     "Maßnahmen, davon `{pytho“: `{python} gibt_es_nicht` – NameError: name 'gibt_es_nicht' is not defined"),
], ids=["kaputte-option", "falscher-wert", "unbekannter-verweis", "ohne-textalternative", "fehlender-wert"])
def test_a_mistake_fails_the_build_naming_section_notebook_and_cell(cell, change, expected, tmp_path: Path,
                                                                     capsys) -> None:
    data = broken(tmp_path, cell, change)
    code, text = build(data, tmp_path / "out", capsys, formats={"html"})
    assert code == ExitCode.SECTION_FAILED, text
    assert expected in text and "Traceback" not in text
    problems = [line for line in text.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1, problems  # the root cause, once
    assert not (tmp_path / "out" / "bericht.html").exists()  # nothing published


def test_an_unknown_option_is_a_hint_with_the_likely_one(tmp_path: Path, capsys) -> None:
    data = broken(tmp_path, 9, lambda s: "#| fig_cap: Tippfehler\n" + s)
    code, text = build(data, tmp_path / "out", capsys, formats={"html"})
    assert code == ExitCode.OK, text
    assert "Zellenoption in Zeile 1 „#| fig_cap: Tippfehler“: unbekannte Option „fig_cap“ – meinten Sie „fig-cap“?" in text


def test_axe_finds_no_violation_in_the_analysts_chapters(built) -> None:
    from werkzeuge import browser

    need_browser()
    out, _, _ = built
    for name in ("5_quarto.html", "6_verweise.html", "abbildungsverzeichnis.html", "tabellenverzeichnis.html"):
        assert browser.axe_audit(out / "kapitel" / name) == [], name


def test_pdf_with_sub_figures_and_lists_passes_pdfua1(built) -> None:
    from berichtswerk.checks import pdfua

    need_tools("PDF/UA-Prüfung", pdfua.missing())
    out, _, _ = built
    result = pdfua.validate(out / "bericht.pdf")
    assert result.konform, result.describe()


def test_every_cell_option_is_explained_in_the_readme() -> None:
    from berichtswerk.markup.cell_options import OPTIONS
    from conftest import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert [key for key in OPTIONS if f"`{key}" not in readme] == []
