"""Every number has its data: the table behind each chart and the report's data as open data.

The 2021 report and the example report (with an analyst notebook that gives its figures' data in each
form: ``#| fig-daten:``, ``abschnitt.abbildung(…, daten=…)``, sub-figures, a misspelt name, a figure
without data) are built once; then checked where a reader, a screen reader and an open-data portal look:
the numbers in each disclosure are the numbers drawn in its chart; every download link resolves;
``frictionless validate`` passes; the DCAT-AP.de document conforms to the DCAT-AP.de 2.0 SHACL shapes
(with the Konventionen, validated offline by pyshacl against the shapes in ``tests/fixtures/dcat-ap-de``);
axe-core finds nothing with the disclosures closed and open; nothing declared non-public leaves."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from berichtswerk.core.exitcodes import ExitCode
from bs4 import BeautifulSoup
from conftest import BEISPIEL, DATA_DIR, FIXTURES, build, copy_report, need_browser, report_folder

SHAPES = FIXTURES / "dcat-ap-de"
#: The profile "DCAT-AP.de 2.0 – Spezifikation + Konventionen" of GovData's validator, offline.
PROFILE = ("dcat-ap-spec-german-messages.ttl", "dcat-ap-spec-german-additions.ttl", "dcat-ap-de-deprecated.ttl",
           "dcat-ap-konventionen.ttl", "dcat-ap_2.1.1_shacl_shapes.ttl")
#: What the profile imports from the web (dcat-ap-de-imports.ttl), from the validator's own mirror and lists.
IMPORTS = ("foaf_0_1.rdf", "vcard.ttl", "dcat-ap-de-licenses-open.rdf", "dcat-ap-de-contributors.rdf",
           "eu-vokabulare.ttl")
NUMBER = re.compile(r"^-?\d{1,3}(?:\.\d{3})*(?:,\d+)?$|^-?\d+(?:,\d+)?$")


def with_analyst_notebook(root: Path) -> Path:
    """The example report as ``root``, with the corpus notebook as a chapter of its own."""
    data = report_folder("beispiel", root)
    shutil.copy(FIXTURES / "offene_daten" / "daten_zur_abbildung.ipynb", root / "notebooks")
    with (data / "gliederung.yaml").open("a", encoding="utf-8") as structure:
        structure.write("  - id: daten\n    titel: Daten hinter den Abbildungen\n    notebook: daten_zur_abbildung.ipynb\n")
    return data


@pytest.fixture(scope="module", params=["2021", "beispiel"])
def report(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, BeautifulSoup, str]:
    import contextlib

    root = tmp_path_factory.mktemp(f"daten-{request.param}")
    data = (with_analyst_notebook if request.param == "beispiel" else
            lambda folder: report_folder("2021", folder))(root / "bericht")
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        code, _ = build(data, root / "ausgabe", formats={"html", "pdf"})
    assert code == ExitCode.OK, log.getvalue()
    out = root / "ausgabe"
    return request.param, out, BeautifulSoup((out / "bericht.html").read_text(encoding="utf-8"), "html.parser"), \
        log.getvalue()


def german_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def drawn_numbers(img) -> list[float]:
    """The numbers a chart shows as text (bar labels, cell values) – not its axis ticks; for a chart
    without any, the numbers its text alternative names."""
    svg = ET.fromstring(base64.b64decode(img["src"].split(",", 1)[1]))
    parents = {child: parent for parent in svg.iter() for child in parent}
    numbers = []
    for text in svg.iter("{http://www.w3.org/2000/svg}text"):
        value = "".join(text.itertext()).strip()
        node, tick = text, False
        while node in parents:
            node = parents[node]
            tick = tick or node.get("id", "").startswith(("xtick", "ytick"))
        if NUMBER.match(value) and not tick:
            numbers.append(german_number(value))
    if not numbers:
        numbers = [german_number(n) for n in re.findall(r"\d+(?:,\d+)?", img["alt"])]
    return numbers


def table_columns(table) -> list[list[float]]:
    """The numeric columns of a report table, as numbers."""
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in table.tbody.find_all("tr")]
    columns = list(zip(*rows, strict=True)) if rows else []
    return [[german_number(v) for v in column] for column in columns if all(NUMBER.match(v) for v in column)]


def test_every_chart_has_its_data_and_the_numbers_are_the_charts(report) -> None:
    name, _, soup, _ = report
    charts = [img for img in soup.select("main img")]
    with_data = 0
    for img in charts:
        holder = img.find_parent("div", class_="teilabbildung__zelle") or img.find_parent("figure")
        disclosure = holder.find_next_sibling("details") if holder.name == "figure" else holder.find("details")
        if disclosure is None or "abbildung__daten" not in disclosure.get("class", []):
            assert name == "beispiel" and img["alt"] in ("Linie ohne Daten.", "Skizze: ein Kreis."), img["alt"]
            continue  # the analyst corpus: a misspelt name and a sketch – allowed, and said in the log
        with_data += 1
        assert disclosure.summary.get_text() == "Daten zur Abbildung"
        table = disclosure.table
        assert table.caption.get_text().startswith("Daten zur Abbildung") and table.thead.select("th[scope=col]")
        assert "data-nummer" not in table.attrs  # the data belong to the figure: no "Tabelle n"
        drawn = sorted(n for n in drawn_numbers(img) if n)
        columns = table_columns(table)
        candidates = [sorted(n for n in c if n) for c in columns] + [sorted(n for c in columns for n in c if n)]
        assert drawn in candidates, (img["alt"], drawn, columns)
    assert with_data == {"2021": 11, "beispiel": 8}[name]


def test_the_log_names_a_misspelt_data_frame(report) -> None:
    name, _, _, log = report
    if name == "beispiel":
        assert "fig-daten: „nach_stauts“ gibt es nicht – meinten Sie „nach_status“?" in log


def test_every_download_link_resolves_to_a_file_in_daten(report) -> None:
    _, out, soup, _ = report
    for disclosure in soup.select("details.abbildung__daten"):  # each figure's data: its link right below
        assert "daten-link" in disclosure.find_next_sibling("p")["class"]
    for table in soup.select("table[data-nummer]"):
        assert table.find_next("p", class_="daten-link") is not None
    links = [a["href"] for a in soup.select(".daten-link a")]
    assert links and all(href.startswith("daten/") and (out / href).is_file() for href in links)
    assert all(a.get_text().startswith("Daten herunterladen (CSV)") for a in soup.select(".daten-link a"))
    for page in (out / "kapitel").glob("*.html"):  # one folder down: ../daten/
        chapter = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for a in chapter.select(".daten-link a"):
            assert a["href"].startswith("../daten/") and (page.parent / a["href"]).resolve().is_file(), a["href"]
    handoff = BeautifulSoup((out / "design" / "bericht.html").read_text(encoding="utf-8"), "html.parser")
    assert all((out / "design" / a["href"]).is_file() for a in handoff.select(".daten-link a"))
    import zipfile

    assert {f"design/{href}" for href in links} <= set(zipfile.ZipFile(out / "design.zip").namelist())


def test_each_csv_is_machine_readable_and_equals_its_json(report) -> None:
    _, out, _, _ = report
    package = json.loads((out / "daten" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} >= {"massnahmen.csv", "ziele.csv", "organisationseinheiten.csv"}
    for resource in package["resources"]:
        raw = (out / "daten" / resource["path"]).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw  # UTF-8 without BOM, one line ending
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
        records = json.loads((out / "daten" / resource["path"].replace(".csv", ".json")).read_text(encoding="utf-8"))
        assert len(rows) == len(records) and list(rows[0]) == [f["name"] for f in resource["schema"]["fields"]]
        for field in resource["schema"]["fields"]:
            assert field["title"] and field["type"] in ("string", "integer", "number", "boolean", "date")
            if field["type"] in ("integer", "number"):  # dot decimals, no thousands separator, as in the JSON
                for row, record in zip(rows, records, strict=True):
                    cell, value = row[field["name"]], record[field["name"]]
                    assert (cell == "" and value is None) or (re.fullmatch(r"-?\d+(\.\d+)?", cell)
                                                              and float(cell) == value), (cell, value)
    measures = json.loads((out / "daten" / "massnahmen.json").read_text(encoding="utf-8"))
    source = list(csv.DictReader(io.StringIO((out.parent / "bericht" / "data" / "massnahmen.csv").read_text(
        encoding="utf-8-sig"))))
    assert len(measures) == len(source) and measures[0]["titel"] == source[0]["titel"].strip()


def test_frictionless_validates_the_data_package(report) -> None:
    _, out, _, _ = report
    command = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(command), "validate", "--json", str(out / "daten" / "datapackage.json")],
                            capture_output=True, text=True, timeout=300, check=False)
    verdict = json.loads(result.stdout)
    assert result.returncode == 0 and verdict["valid"], result.stdout[-3000:]
    assert len(verdict["tasks"]) == len(json.loads((out / "daten" / "datapackage.json").read_text())["resources"])


def dcat_report(path: Path, extra: dict | None = None) -> list[tuple[str, str, str]]:
    """(severity, message, focus) of every result of the DCAT-AP.de 2.0 profile with the Konventionen."""
    import pyshacl
    import rdflib

    shapes = rdflib.Graph()
    for name in PROFILE:
        shapes.parse(SHAPES / name)
    data = rdflib.Graph().parse(path, publicID=path.resolve().as_uri())
    for name in IMPORTS:  # owl:imports, as the validator resolves them: into the data graph
        data.parse(SHAPES / name)
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs", allow_warnings=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    return [(str(results.value(r, sh.resultSeverity)).rsplit("#", 1)[1], str(results.value(r, sh.resultMessage)),
             str(results.value(r, sh.focusNode))) for r in results.subjects(rdflib.RDF.type, sh.ValidationResult)]


def test_the_dcat_ap_de_metadata_conform_to_the_shapes(report) -> None:
    import rdflib
    from rdflib.namespace import DCAT, DCTERMS

    name, out, _, _ = report
    path = out / "daten" / "dcat.ttl"
    text = path.read_text(encoding="utf-8")
    # without a published address every IRI of the report's files is relative to dcat.ttl, with one absolute
    assert ("@base <https://www.birkenau.example/teilhabebericht/daten/> ." in text) == (name == "beispiel")
    assert "@base" in text or "<dcat.ttl#datensatz> a dcat:Dataset" in text
    graph = rdflib.Graph().parse(path, publicID=path.resolve().as_uri())
    dataset = graph.value(predicate=rdflib.RDF.type, object=DCAT.Dataset)
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.contactPoint, DCAT.theme,
                      DCTERMS.temporal, DCTERMS.spatial, DCAT.landingPage):
        assert graph.value(dataset, predicate) is not None, predicate
    distributions = set(graph.objects(dataset, DCAT.distribution))
    files = {p.name for p in (out / "daten").iterdir() if p.name != "dcat.ttl"}
    assert {str(d).rsplit("/", 1)[1] for d in distributions} == files  # each file, found where it is
    for distribution in distributions:
        assert str(graph.value(distribution, DCTERMS.license)).startswith("http://dcat-ap.de/def/licenses/")
        assert (out / "daten" / str(graph.value(distribution, DCAT.downloadURL)).rsplit("/", 1)[1]).is_file() \
            or str(graph.value(distribution, DCAT.downloadURL)).startswith("https://www.birkenau.example/")
    results = dcat_report(path)
    violations = [(m, f) for severity, m, f in results if severity == "Violation"]
    # K12: the GovData contributor id – set only by whoever delivers to GovData (offene_daten.govdata_id)
    assert [m[:6] for m, _ in violations] == ["K12&13"], violations
    assert all(severity != "Violation" for severity, *_ in results if not _[0].startswith("K12"))


def test_with_a_govdata_id_the_metadata_conform_to_the_profile_entirely(tmp_path: Path, capsys) -> None:
    data = copy_report(BEISPIEL, tmp_path / "bericht")
    with (data / "bericht.yaml").open("a", encoding="utf-8") as bericht:
        bericht.write("  govdata_id: landNiedersachsen\n")
    assert build(data, tmp_path / "aus", formats={"html"})[0] == ExitCode.OK
    assert [r for r in dcat_report(tmp_path / "aus" / "daten" / "dcat.ttl") if r[0] == "Violation"] == []
    text = (tmp_path / "aus" / "daten" / "dcat.ttl").read_text(encoding="utf-8")
    assert "@base <https://www.birkenau.example/teilhabebericht/daten/>" in text  # published address: absolute


def test_nothing_declared_non_public_leaves(report) -> None:
    name, out, _, _ = report
    source = DATA_DIR if name == "2021" else BEISPIEL / "data"
    people = [row["leitung"] for row in csv.DictReader(io.StringIO((source / "dezernate.csv").read_text(
        encoding="utf-8-sig"))) if row["leitung"]]
    assert people
    for path in (out / "daten").iterdir():
        text = path.read_text(encoding="utf-8")
        assert not any(person in text for person in people), path.name
    package = json.loads((out / "daten" / "datapackage.json").read_text(encoding="utf-8"))
    dezernate = next(r for r in package["resources"] if r["name"] == "dezernate")
    assert [f["name"] for f in dezernate["schema"]["fields"]] == ["dezernat", "bezeichnung"]


def test_a_table_with_a_non_public_field_fails_the_build_naming_the_cell(tmp_path: Path, capsys) -> None:
    import nbformat

    data = with_analyst_notebook(tmp_path / "bericht")
    notebook = tmp_path / "bericht" / "notebooks" / "daten_zur_abbildung.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("#| tbl-cap: Dezernate\ndaten.dezernate()"))
    nbformat.write(nb, notebook)
    code, text = build(data, tmp_path / "aus", capsys, formats={"html"})
    assert code == ExitCode.SECTION_FAILED, text
    assert "5 Daten hinter den Abbildungen (daten_zur_abbildung.ipynb), Code-Zelle 8 „daten.dezernate()“: " in text
    assert "Spalte „leitung“ enthält ein nicht öffentliches Feld (dezernate.csv, Spalte „leitung“)" in text
    assert not (tmp_path / "aus" / "daten").exists()


def test_check_names_an_undeclared_column_and_a_wrong_licence(tmp_path: Path) -> None:
    from berichtswerk.checks.data_folder import check_data
    from conftest import read_rows, write_rows

    data = copy_report(BEISPIEL, tmp_path / "bericht")
    header, *rows = read_rows(data / "massnahmen.csv")
    write_rows(data / "massnahmen.csv", [[*header, "ansprechperson"], *[[*row, "Frau Beispiel"] for row in rows]])
    bericht = (data / "bericht.yaml").read_text(encoding="utf-8")
    (data / "bericht.yaml").write_text(bericht.replace("lizenz: dl-zero-de/2.0", "lizenz: dl-by-de/2").replace(
        "themen: [SOCI]", "themen: [SOZI]"), encoding="utf-8")
    problems = [str(p) for p in check_data(data).fehler]
    assert any("massnahmen.csv, Zeile 1, Spalte „ansprechperson“: unbekannte Spalte" in p for p in problems), problems
    assert any("offene_daten.lizenz: unbekannte Lizenz (Wert: „dl-by-de/2“)" in p and "meinten Sie „dl-by-de/2.0“"
               in p for p in problems), problems
    assert any("offene_daten.themen: unbekanntes Thema (Wert: „SOZI“)" in p and "meinten Sie „SOCI“" in p
               for p in problems), problems


def test_axe_finds_nothing_with_the_disclosures_closed_and_open(report, tmp_path: Path) -> None:
    from werkzeuge import browser

    need_browser()
    _, out, _, _ = report
    for page in sorted((out / "kapitel").glob("*.html")):
        markup = page.read_text(encoding="utf-8")
        if "abbildung__daten" not in markup:
            continue
        opened = tmp_path / page.name
        opened.write_text(markup.replace('<details class="abbildung__daten">',
                                         '<details class="abbildung__daten" open>'), encoding="utf-8")
        for variant in (page, opened):
            assert browser.axe_audit(variant) == [], variant


def test_the_pdf_keeps_the_data_to_the_web(report) -> None:
    from pypdf import PdfReader

    _, out, _, _ = report
    text = " ".join(page.extract_text() for page in PdfReader(out / "bericht.pdf").pages)
    assert "Daten herunterladen" not in text and "Daten zur Abbildung" not in text
