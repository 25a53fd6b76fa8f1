"""Inputs we did not write: every file of a data folder replaced by binary garbage, the tables saved
the way German Excel saves CSV. Whatever arrives, ``check``, ``build`` and ``vorschau`` answer with one
problem naming the file – never a traceback – and Excel's CSV reads as the same data."""

from __future__ import annotations

import csv
import json
import random
import signal
import sys
import urllib.request
from pathlib import Path

import pytest
from berichtswerk.checks.data_folder import check_data
from berichtswerk.core.exitcodes import ExitCode
from berichtswerk.data.report_data import ReportData
from conftest import Live, read_rows, until, write_rows

BERICHTSWERK = str(Path(sys.executable).with_name("berichtswerk"))
#: every file of a data folder, by kind, and what its reader says about garbage
FILES = {
    "bericht.yaml": "keine Textdatei (Binärdatei)",
    "gliederung.yaml": "keine Textdatei (Binärdatei)",
    "handlungsfelder.yaml": "keine Textdatei (Binärdatei)",
    "ausblick.yaml": "keine Textdatei (Binärdatei)",
    "korrekturen.yaml": "keine Textdatei (Binärdatei)",
    "texte/vorwort.md": "keine Textdatei (Binärdatei)",
    "massnahmen.csv": "keine Tabelle (Binärdatei)",
    "ziele.csv": "keine Tabelle (Binärdatei)",
    "organisationseinheiten.csv": "keine Tabelle (Binärdatei)",
    "dezernate.csv": "keine Tabelle (Binärdatei)",
    "vorlage.docx": "keine Word-Datei (DOCX)",
}
TABLES = ("massnahmen.csv", "ziele.csv", "organisationseinheiten.csv", "dezernate.csv")


def garbage(path: Path) -> None:
    path.write_bytes(random.Random(path.name).randbytes(4000) + b"\x00")


@pytest.mark.parametrize("name", sorted(FILES))
def test_garbage_in_any_data_file_is_one_problem_for_check_and_build(name: str, beispiel: Path,
                                                                      tmp_path: Path) -> None:
    garbage(beispiel / name)
    expected = f"{name}: {FILES[name]}"
    for command in (["check"], ["build", "--out", str(tmp_path / "out")]):
        code, output = Live([BERICHTSWERK, *command, "--data", str(beispiel)]).finish(300)
        assert code == ExitCode.BAD_DATA, output
        problems = [line for line in output.splitlines() if line.startswith("  - ")]
        assert len(problems) == 1 and expected in problems[0], output  # the root cause, once
        assert "Traceback" not in output


def test_garbage_arriving_while_the_preview_runs_is_shown_in_the_page(beispiel: Path, tmp_path: Path) -> None:
    live = Live([BERICHTSWERK, "vorschau", "--data", str(beispiel), "--port", "0", "--out", str(tmp_path / "v"),
                 "--jobs", "2"])
    try:
        url = live.wait_for("Vorschau: http://", 120).split("Vorschau: ", 1)[1].split()[0]

        def state() -> dict:
            return json.loads(urllib.request.urlopen(url + "__vorschau/stand", timeout=10).read())

        until(lambda: state()["ok"], 180, "der erste Build der Vorschau")
        live.wait_for("Beobachte:", 60)
        for name in ("massnahmen.csv", "handlungsfelder.yaml", "texte/vorwort.md"):
            original = (beispiel / name).read_bytes()
            garbage(beispiel / name)
            broken = until(lambda: (s := state())["ok"] is False and s, 120, f"die Vorschau meldet {name}")
            assert f"{name}: {FILES[name]}" in broken["meldung"] and "Traceback" not in broken["meldung"]
            (beispiel / name).write_bytes(original)
            until(lambda: state()["ok"], 120, f"die Vorschau erholt sich von {name}")
    finally:
        live.process.send_signal(signal.SIGINT)
        code, output = live.finish(60)
    assert code == ExitCode.OK and "Traceback" not in output, output


def test_every_table_saved_by_german_excel_reads_as_the_same_data(data_copy: Path) -> None:
    """Semicolons, Windows-1252, CRLF – with the 2021 data, whose corrections list reads every table.
    Windows-1252 has no „ń“: Excel writes „?“ instead, and so does this test."""
    before = ReportData.load(data_copy)
    frames = {"massnahmen": before.massnahmen(), "ziele": before.ziele(),
              "organisationseinheiten": before.organisationseinheiten(), "dezernate": before.dezernate()}
    frames["massnahmen"]["beschreibung"] = frames["massnahmen"]["beschreibung"].map(
        lambda text: text.encode("cp1252", "replace").decode("cp1252"))
    for name in TABLES:
        rows = read_rows(data_copy / name)
        with (data_copy / name).open("w", encoding="cp1252", errors="replace", newline="") as f:
            csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(rows)
    result = check_data(data_copy)
    assert result.ok, [str(p) for p in result.fehler]
    assert {k: f.describe() for k, f in result.formats.items()}["massnahmen"] == "CSV (cp1252, Trennzeichen „;“)"
    after = ReportData.load(data_copy)
    assert after.massnahmen().equals(frames["massnahmen"]) and after.ziele().equals(frames["ziele"])
    assert after.organisationseinheiten().equals(frames["organisationseinheiten"])
    assert after.dezernate().equals(frames["dezernate"])


def test_a_table_that_is_no_table_names_the_file_and_the_cause(beispiel: Path) -> None:
    write_rows(beispiel / "ziele.csv", [["Handlungsfeld;Ziel"]])  # an empty sheet: just a header, wrong columns
    (beispiel / "dezernate.csv").write_bytes(b"")
    result = check_data(beispiel)
    texts = [str(p) for p in result.fehler]
    assert any(t.startswith("dezernate.csv: die Datei ist leer oder hat keine Kopfzeile") for t in texts), texts
    assert any(t.startswith("ziele.csv, Zeile 1, Spalte „handlungsfeld“: Spalte fehlt") for t in texts), texts


def test_a_notebook_saved_without_kernel_or_language_metadata_builds(beispiel: Path, tmp_path: Path) -> None:
    """``nbformat.v4.new_notebook()``, jupytext and some editors write no ``kernelspec`` and no
    ``language_info``; papermill then cannot tell the language – every section is Python."""
    notebook = beispiel.parent / "notebooks" / "auswertung.ipynb"
    content = json.loads(notebook.read_text(encoding="utf-8"))
    content["metadata"] = {}
    notebook.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    code, output = Live([BERICHTSWERK, "build", "--data", str(beispiel), "--out", str(tmp_path / "out"),
                         "--format", "html"]).finish(300)
    assert code == ExitCode.OK, output
    assert "Traceback" not in output
    assert "Die Auswertung zeigt" in (tmp_path / "out" / "bericht.html").read_text(encoding="utf-8")
