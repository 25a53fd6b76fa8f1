"""A cached build equals a forced one. Property test over a corpus of edits: after each edit the
incremental build's outputs equal a ``--force`` build's (``bericht.html`` and ``kapitel/`` byte for
byte, design tables cell for cell, PDF text), and exactly the sections the edit touches re-ran.

Caches are keyed by what shapes them: an edit of one file of berichtswerk itself – made in a copy of
the library, never in ``lib/`` – re-runs exactly the sections whose kernels used that file, and
re-assembles (and lays out the PDF anew) exactly when the file shapes the assembly (the PDF)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from berichtswerk.build.pipeline import BuildOptions, run_build
from berichtswerk.core.paths import package_path
from conftest import BEISPIEL, copy_report, read_rows, row_of, write_rows

ARBEIT, WOHNEN, GESUNDHEIT = "2.1 Arbeit und Qualifizierung", "2.2 Wohnen", "2.3 Gesundheit"
AUSWERTUNG, LISTE, ORGANISATION = "3 Eigene Auswertung", "4.1 Alle Maßnahmen", "4.2 Wer wofür zuständig ist"
FORMATS = {"html", "pdf", "docx"}


def run(data: Path, out: Path, capsys, force: bool = False) -> set[str]:
    code = run_build(BuildOptions(data_dir=data, out_dir=out, jobs=2, force=force, formats=FORMATS))
    captured = capsys.readouterr()
    text = captured.out
    assert code == 0, text + captured.err
    return {line.split(None, 1)[1].strip() for line in text.splitlines() if line.strip().startswith("läuft")}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example report, built once: ``bericht/`` (data, notebooks) and ``ausgabe/``."""
    root = tmp_path_factory.mktemp("basis")
    data = copy_report(BEISPIEL, root / "bericht")
    assert run_build(BuildOptions(data_dir=data, out_dir=root / "ausgabe", jobs=2, formats=FORMATS)) == 0
    return root


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages))


def xlsx_cells(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    return [list(row) for row in load_workbook(path).active.iter_rows(values_only=True)]


def assert_same_outputs(a: Path, b: Path) -> None:
    assert (a / "bericht.html").read_bytes() == (b / "bericht.html").read_bytes()
    chapters = sorted(p.name for p in (a / "kapitel").iterdir())
    assert chapters == sorted(p.name for p in (b / "kapitel").iterdir())
    for name in chapters:
        assert (a / "kapitel" / name).read_bytes() == (b / "kapitel" / name).read_bytes(), name
    tables = sorted(p.name for p in (a / "design" / "tabellen").iterdir())
    assert tables == sorted(p.name for p in (b / "design" / "tabellen").iterdir())
    for name in tables:
        if name.endswith(".csv"):
            assert (a / "design/tabellen" / name).read_bytes() == (b / "design/tabellen" / name).read_bytes()
        else:
            assert xlsx_cells(a / "design/tabellen" / name) == xlsx_cells(b / "design/tabellen" / name)
    figures = sorted(p.name for p in (a / "design" / "abbildungen").iterdir())
    assert figures == sorted(p.name for p in (b / "design" / "abbildungen").iterdir())
    assert pdf_text(a / "bericht.pdf") == pdf_text(b / "bericht.pdf")
    assert docx_content(a / "bericht.docx") == docx_content(b / "bericht.docx")


def docx_content(path: Path) -> tuple[bytes, bytes]:
    """The Word file's text and styles (its package also holds a creation time)."""
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml"), package.read("word/styles.xml")


# --- the corpus: each edit returns the sections it must re-run ----------------------------------------


def excel_csv_with_edited_measure(data: Path, out: Path) -> set[str]:
    """massnahmen.csv as German Excel saves it (; and Windows-1252), one Wohnen measure edited."""
    rows = read_rows(data / "massnahmen.csv")
    rows[row_of(rows, 4)][4] += " Neu: auch für Familien."
    write_rows(data / "massnahmen.csv", rows, encoding="cp1252", delimiter=";")
    return {WOHNEN, AUSWERTUNG, LISTE}


def same_table_saved_by_excel(data: Path, out: Path) -> set[str]:
    """Only the file format changes: the parsed data is the same, nothing re-runs."""
    write_rows(data / "massnahmen.csv", read_rows(data / "massnahmen.csv"), encoding="cp1252", delimiter=";")
    return set()


def trailing_blank_in_new_row(data: Path, out: Path) -> set[str]:
    rows = read_rows(data / "massnahmen.csv")
    rows.append(["8", "Wohnen ", "Wohnraum schaffen", "Tauschbörse", "Wohnungstausch für Ältere", "laufend", "WO", "",
                 ""])
    assert len(rows[0]) == len(rows[-1])
    write_rows(data / "massnahmen.csv", rows)
    return {WOHNEN, AUSWERTUNG, LISTE}


def byte_order_mark_and_changed_number(data: Path, out: Path) -> set[str]:
    rows = read_rows(data / "massnahmen.csv")
    rows[row_of(rows, 7)][0] = "9"
    write_rows(data / "massnahmen.csv", rows, encoding="utf-8-sig")
    return {GESUNDHEIT, AUSWERTUNG, LISTE}


def measure_moved_to_another_field(data: Path, out: Path) -> set[str]:
    rows = read_rows(data / "massnahmen.csv")
    rows[row_of(rows, 3)][1:3] = ["Gesundheit", "Pflege sichern"]
    write_rows(data / "massnahmen.csv", rows)
    return {ARBEIT, GESUNDHEIT, AUSWERTUNG, LISTE}


def ziel_renamed(data: Path, out: Path) -> set[str]:
    for name in ("ziele.csv", "massnahmen.csv"):
        path = data / name
        path.write_text(path.read_text(encoding="utf-8").replace("Wohnraum schaffen", "Wohnraum bauen"),
                        encoding="utf-8")
    return {WOHNEN, AUSWERTUNG, LISTE}


def unit_renamed(data: Path, out: Path) -> set[str]:
    path = data / "organisationseinheiten.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Amt für Wohnen", "Amt für Wohnungswesen"),
                    encoding="utf-8")
    return {WOHNEN, LISTE, ORGANISATION}


def text_file_edited(data: Path, out: Path) -> set[str]:
    path = data / "texte" / "einleitung.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    return set()


def handlungsfeld_intro_edited(data: Path, out: Path) -> set[str]:
    path = data / "handlungsfelder.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("auch in den Dörfern", "auch auf dem Land"),
                    encoding="utf-8")
    return {GESUNDHEIT}


def notebook_reads_a_new_file_then_the_file_changes(data: Path, out: Path, capsys) -> set[str]:
    (data / "extra.md").write_text("Erste Fassung.", encoding="utf-8")
    notebook = data.parent / "notebooks" / "auswertung.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "from berichtswerk.abschnitt import render\nwith open(daten.data_dir / 'extra.md', encoding='utf-8') as f:\n"
        "    zusatz = f.read()\nrender.prosa(zusatz)"))
    nbformat.write(nb, notebook)
    assert run(data, out, capsys) == {AUSWERTUNG}
    (data / "extra.md").write_text("Zweite Fassung.", encoding="utf-8")
    return {AUSWERTUNG}


def word_template_added(data: Path, out: Path) -> set[str]:
    """The design team's reference document for the Word version: only bericht.docx changes."""
    from berichtswerk.assembly.docx.reference import default_reference
    from docx import Document
    from docx.shared import Pt

    template = Document(io.BytesIO(default_reference()))
    template.styles["Normal"].font.size = Pt(12)
    template.save(str(data / "vorlage.docx"))
    return set()


def package_version_changed(data: Path, out: Path) -> set[str]:
    """Simulated upgrade: the version a section was executed with is no longer the installed one."""
    manifest_path = out / ".cache" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    packages = manifest["abschnitte"]["feld-wohnen"]["abhaengigkeiten"]["pakete"]
    assert packages["matplotlib"]  # recorded by the kernel
    packages["matplotlib"] = "0.0.1"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return {WOHNEN}


CORPUS: list[Callable] = [
    excel_csv_with_edited_measure, same_table_saved_by_excel, trailing_blank_in_new_row,
    byte_order_mark_and_changed_number, measure_moved_to_another_field, ziel_renamed, unit_renamed,
    text_file_edited, handlungsfeld_intro_edited, notebook_reads_a_new_file_then_the_file_changes,
    word_template_added, package_version_changed,
]


@pytest.mark.parametrize("edit", CORPUS, ids=lambda f: f.__name__)
def test_incremental_build_equals_forced_build(edit: Callable, baseline: Path, tmp_path: Path, capsys) -> None:
    root = tmp_path / "kopie"
    shutil.copytree(baseline, root, symlinks=True)  # a copied report folder: its cache is reused
    data, out = root / "bericht" / "data", root / "ausgabe"
    assert run(data, out, capsys) == set()
    args = (data, out, capsys) if edit is notebook_reads_a_new_file_then_the_file_changes else (data, out)
    expected = edit(*args)
    assert run(data, out, capsys) == expected
    forced = tmp_path / "erzwungen"
    shutil.copytree(out, forced, symlinks=True)
    assert run(data, forced, capsys, force=True) == {ARBEIT, WOHNEN, GESUNDHEIT, AUSWERTUNG, LISTE, ORGANISATION}
    assert_same_outputs(out, forced)


def test_noop_rebuild_touches_nothing(baseline: Path, tmp_path: Path, capsys) -> None:
    root = tmp_path / "kopie"
    shutil.copytree(baseline, root, symlinks=True)
    out = root / "ausgabe"
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}
    code = run_build(BuildOptions(data_dir=root / "bericht" / "data", out_dir=out, jobs=2, formats=FORMATS))
    assert code == 0 and "Bericht ist aktuell" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_record_travels_in_the_executed_notebook(baseline: Path) -> None:
    nb = nbformat.read(baseline / "ausgabe" / ".cache" / "abschnitte" / "feld-wohnen.ipynb", as_version=4)
    record = nb.metadata["berichtswerk"]["abhaengigkeiten"]
    assert "massnahmen?handlungsfeld=Wohnen" in record["daten"]
    assert "massnahmen" not in record["daten"]  # only its own field's measures
    assert set(record["dateien"]) >= {"massnahmen.csv", "handlungsfelder.yaml"}
    assert {"data/load.py", "abschnitt/charts.py", "abschnitt/templates/kennzahlen.html.j2"} <= set(record["module"])
    assert "vorschau/server.py" not in record["module"] and "cli.py" not in record["module"]
    assert record["pakete"]["pandas"]
    assert not any(str(Path("/")) == k[:1] for k in [*record["dateien"], *record["module"]])
    assert all(not c.get("metadata", {}).get("tags") or "berichtswerk-intern" not in c.metadata.tags
               for c in nb.cells)


def test_second_edit_in_the_same_process_is_seen(baseline: Path, tmp_path: Path, capsys) -> None:
    """Re-derived data is parsed anew for every build, never kept from an earlier one in this process."""
    root = tmp_path / "kopie"
    shutil.copytree(baseline, root, symlinks=True)
    data, out = root / "bericht" / "data", root / "ausgabe"
    for text in ("Erste Änderung.", "Zweite Änderung."):
        rows = read_rows(data / "massnahmen.csv")
        rows[row_of(rows, 4)][3] = text
        write_rows(data / "massnahmen.csv", rows)
        assert WOHNEN in run(data, out, capsys)
        assert text in (out / "bericht.html").read_text(encoding="utf-8")


# --- edits of berichtswerk itself, in a copy of the library ------------------------------------------

ALL = {ARBEIT, WOHNEN, GESUNDHEIT, AUSWERTUNG, LISTE, ORGANISATION}
FIELDS = {ARBEIT, WOHNEN, GESUNDHEIT}   # the sections of handlungsfeld.ipynb, which draws with charts
ASSEMBLY_FILES = sorted(p.relative_to(package_path()).as_posix() for p in package_path("assembly").rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts)
#: file of berichtswerk → (sections that re-run, whether the report is assembled again); the PDF must be
#: laid out anew exactly when its HTML changed or the PDF code (assembly/pdf/) did
CODE_EDITS: dict[str, tuple[set[str], bool]] = {
    **{name: (set(), True) for name in ASSEMBLY_FILES},
    "abschnitt/templates/kennzahlen.html.j2": (FIELDS, True),
    "abschnitt/templates/tabelle.html.j2": ({AUSWERTUNG} | FIELDS, True),   # charts show their data as tables
    "abschnitt/charts.py": (FIELDS, True),
    "abschnitt/blocks.py": (ALL, True),
    "markup/komponenten.css": (ALL, True),
    "cli.py": (set(), False),
    "vorschau/server.py": (set(), False),
    "vorschau/templates/live.js": (set(), False),
    "runde/einlesen.py": (set(), False),
    "neu/__init__.py": (set(), False),
    "build/pipeline.py": (set(), False),
    "execution/local.py": (set(), False),
    "checks/prose.py": (set(), False),
}


def edited(path: Path) -> None:
    """A change that keeps the file working: a comment of its language at the end."""
    comment = {".py": "\n# geändert im Test\n", ".css": "\n/* geändert im Test */\n", ".js": "\n// geändert im Test\n",
               ".j2": "{# geändert im Test #}", ".json": None}[path.suffix]
    if comment is None:  # JSON has no comments: an extra key nbconvert ignores
        doc = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**doc, "geaendert_im_test": True}), encoding="utf-8")
    else:
        path.write_text(path.read_text(encoding="utf-8") + comment, encoding="utf-8")


def build_with(library: Path, data: Path, out: Path) -> str:
    """A build in a process (and kernels) that import berichtswerk from ``library``."""
    env = {**os.environ, "PYTHONPATH": str(library)}
    result = subprocess.run([sys.executable, "-m", "berichtswerk.cli", "build", "--data", str(data), "--out", str(out),
                             "--jobs", "2"], capture_output=True, text=True, timeout=600, env=env, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def ran(log: str) -> set[str]:
    return {line.split(None, 1)[1].strip() for line in log.splitlines() if line.strip().startswith("läuft")}


@pytest.mark.parametrize("module", sorted(CODE_EDITS), ids=str)
def test_a_change_to_berichtswerk_rebuilds_what_it_shapes_and_nothing_else(module: str, baseline: Path,
                                                                          tmp_path: Path) -> None:
    sections, assembled = CODE_EDITS[module]
    library = tmp_path / "lib"
    shutil.copytree(package_path(), library / "berichtswerk", ignore=shutil.ignore_patterns("__pycache__"))
    root = tmp_path / "kopie"
    shutil.copytree(baseline, root, symlinks=True)
    data, out = root / "bericht" / "data", root / "ausgabe"
    assert "Bericht ist aktuell" in build_with(library, data, out)  # the same code elsewhere: nothing to do
    html = (out / "bericht.html").read_bytes()
    edited(library / "berichtswerk" / module)
    log = build_with(library, data, out)
    assert ran(log) == sections, log
    assert ("Zusammengesetzt" in log) == assembled, log
    if assembled:
        html_changed = (out / "bericht.html").read_bytes() != html
        pdf_anew = module.startswith("assembly/pdf/") or html_changed
        docx_anew = module.startswith("assembly/docx/") or html_changed
        assert ("bericht.pdf (unverändert aus dem Zwischenspeicher)" not in log) == pdf_anew, log
        assert ("bericht.docx (unverändert aus dem Zwischenspeicher)" not in log) == docx_anew, log


def test_print_images_are_made_when_a_build_needs_them(baseline: Path, tmp_path: Path, capsys) -> None:
    """The 300-dpi PNGs go only into Word and the design handoff: a PDF-only build – like the preview –
    runs figures without them, and the next full build into the same folder runs exactly the sections
    with figures again, so that Word and the handoff have every image of a forced build."""
    data, out = copy_report(baseline / "bericht", tmp_path / "bericht"), tmp_path / "ausgabe"
    assert run_build(BuildOptions(data_dir=data, out_dir=out, jobs=2, formats={"pdf"})) == 0
    capsys.readouterr()
    figures = {path.stem: [o for cell in nbformat.read(path, as_version=4).cells for o in cell.get("outputs", [])
                           if o.get("metadata", {}).get("berichtswerk", {}).get("art") == "abbildung"]
               for path in (out / ".cache" / "abschnitte").glob("*.ipynb")}
    assert sum(len(found) for found in figures.values()) >= 3
    assert not any("image/png" in o["data"] for found in figures.values() for o in found)

    assert run(data, out, capsys) == {ARBEIT, WOHNEN, GESUNDHEIT, AUSWERTUNG}   # the sections that draw
    forced = tmp_path / "erzwungen"
    assert run(data, forced, capsys, force=True) == ALL
    assert_same_outputs(out, forced)
    pngs = sorted((out / "design" / "abbildungen").glob("*.png"))
    assert len(pngs) >= 3
    for png in pngs:
        assert png.read_bytes() == (forced / "design" / "abbildungen" / png.name).read_bytes(), png.name
    with zipfile.ZipFile(out / "bericht.docx") as ours, zipfile.ZipFile(forced / "bericht.docx") as theirs:
        media = sorted(n for n in ours.namelist() if n.startswith("word/media/"))
        assert media and media == sorted(n for n in theirs.namelist() if n.startswith("word/media/"))
        assert all(ours.read(n) == theirs.read(n) for n in media)
