"""Another administration starts its own report: ``berichtswerk neu`` gives a data folder that builds at
once, and report-specific forms (measure numbers like "1.1") are data, not code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from berichtswerk.cli import main
from bs4 import BeautifulSoup
from conftest import build, read_rows, write_rows


def test_new_report_skeleton_checks_and_builds(tmp_path: Path, capsys) -> None:
    target = tmp_path / "landkreis"
    assert main(["neu", str(target)]) == 0
    assert main(["check", "--data", str(target / "data")]) == 0
    code, _ = build(target / "data", target / "outputs", capsys, formats={"html"})
    assert code == 0
    soup = BeautifulSoup((target / "outputs" / "bericht.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.h1.get_text() == "Titel des Berichts"
    assert [a.get_text() for a in soup.select("nav.inhaltsverzeichnis a")] == [
        "1 Einleitung", "2 Handlungsfelder", "2.1 Erstes Handlungsfeld", "3 Anhang", "3.1 Alle Maßnahmen",
        "3.2 Aufbauorganisation"]
    assert main(["neu", str(target)]) == 2  # never overwrites
    assert "nicht leer" in capsys.readouterr().err


def test_measure_numbers_per_field(beispiel: Path, tmp_path: Path, capsys) -> None:
    bericht = beispiel / "bericht.yaml"
    doc = yaml.safe_load(bericht.read_text(encoding="utf-8"))
    doc["formate"]["massnahme_nr"] = r"\d+\.\d+"
    bericht.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rows = read_rows(beispiel / "massnahmen.csv")
    counters: dict[str, int] = {}
    fields = {"Arbeit und Qualifizierung": 1, "Wohnen": 2, "Gesundheit": 3}
    renumbered = {}
    for row in rows[1:]:
        if row[0]:
            counters[row[1]] = counters.get(row[1], 0) + 1
            renumbered[row[0]] = f"{fields[row[1]]}.{counters[row[1]]}"
            row[0] = renumbered[row[0]]
    write_rows(beispiel / "massnahmen.csv", rows)
    for path in (beispiel / "handlungsfelder.yaml", beispiel.parent / "notebooks" / "auswertung.ipynb"):
        text = path.read_text(encoding="utf-8")
        text = text.replace("    - 2\n", "    - '1.2'\n").replace("Maßnahme Nr. 2)", "Maßnahme Nr. 1.2)")
        path.write_text(text, encoding="utf-8")
    assert main(["check", "--data", str(beispiel)]) == 0, capsys.readouterr().err
    code, text = build(beispiel, tmp_path / "out", capsys, formats={"html"})
    assert code == 0, text
    soup = BeautifulSoup((tmp_path / "out" / "bericht.html").read_text(encoding="utf-8"), "html.parser")
    links = soup.select("a.verweis")
    assert "#massnahme-1-2" in {a["href"] for a in links}
    for a in links:
        number = re.search(r"Nr\.\s*([\d.]+)", a.get_text()).group(1)
        assert a["href"] == "#massnahme-" + number.replace(".", "-")
        assert soup.find(id=a["href"][1:]).th.get_text() == number
    rows = read_rows(beispiel / "massnahmen.csv")
    rows[1][0] = "7"
    write_rows(beispiel / "massnahmen.csv", rows)
    assert main(["check", "--data", str(beispiel)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"Zeile 2, Spalte „nr“: Nr\. hat nicht die Form der Maßnahmen-Nummern \(Wert: „7“\)", err)
