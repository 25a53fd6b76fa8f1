"""Editions: freezing a published edition, guarding it, and comparing a synthetic next edition with
it – in numbers, in the comparison chapter and in the appendix."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from berichtswerk import cli
from berichtswerk.checks.data_folder import check_data
from berichtswerk.data import ausgaben
from berichtswerk.data.report_data import ReportData
from berichtswerk.runde.einfrieren import freeze
from bs4 import BeautifulSoup
from conftest import BEISPIEL, build, need_browser


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "bericht"
    shutil.copytree(BEISPIEL, root)
    return root


def rewrite_measures(data: Path, edit) -> None:
    path = data / "massnahmen.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    header, body = rows[0], rows[1:]
    records = [dict(zip(header, r, strict=True)) for r in body]
    records = edit(records)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[r.get(c, "") for c in header] for r in records])
    path.write_text(out.getvalue(), encoding="utf-8")


def next_edition(records: list[dict]) -> list[dict]:
    """Two new measures, one completed, one dropped from the table, one status change of a continued
    measure; Nr. 7 was already completed in the frozen edition and must not count again."""
    by_title = {r["titel"]: r for r in records}
    by_title["Werkstattschule"]["status"] = "abgeschlossen"
    by_title["Leerstandskataster"]["status"] = "laufend"
    kept = [r for r in records if r["nr"] != "5"]
    template = by_title["Sprachkurse im Betrieb"]
    kept.insert(3, {**template, "nr": "8", "titel": "Mentoring", "beschreibung": "Ehrenamtliche begleiten Azubis",
                    "drucksachen": "", "weitere_infos": ""})
    health = by_title["Gesundheitslotsen"]
    kept.append({**health, "nr": "9", "titel": "Impfbus", "beschreibung": "Mobiles Impfangebot", "status": "geplant",
                 "drucksachen": "", "weitere_infos": ""})
    return kept


def test_freeze_writes_a_verified_copy_and_never_overwrites(capsys, project: Path) -> None:
    data = project / "data"
    assert cli.main(["einfrieren", "2023", "--data", str(data)]) == 0
    manifest = json.loads((project / "ausgaben" / "2023" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["dateien"]) >= {"massnahmen.csv", "bericht.yaml", "gliederung.yaml"}
    assert (project / "ausgaben" / "2023" / "data" / "massnahmen.csv").read_bytes() == \
        (data / "massnahmen.csv").read_bytes()
    capsys.readouterr()
    assert cli.main(["einfrieren", "2023", "--data", str(data)]) == 2
    assert "schon eingefroren" in capsys.readouterr().err


def test_check_names_a_missing_or_altered_edition(project: Path) -> None:
    data = project / "data"
    freeze(data, "2023")
    bericht = (data / "bericht.yaml").read_text(encoding="utf-8")
    (data / "bericht.yaml").write_text(bericht + '\nvergleich_mit: "2021"\n', encoding="utf-8")
    messages = [str(p) for p in check_data(data).fehler]
    assert any("Ausgabe „2021“ ist nicht eingefroren" in m and "ausgaben/: 2023" in m for m in messages), messages
    (data / "bericht.yaml").write_text(bericht + '\nvergleich_mit: "2023"\n', encoding="utf-8")
    assert check_data(data).ok
    frozen = project / "ausgaben" / "2023" / "data" / "massnahmen.csv"
    frozen.write_text(frozen.read_text(encoding="utf-8").replace("Werkstattschule", "Werkstatt"), encoding="utf-8")
    messages = [str(p) for p in check_data(data).fehler]
    assert any("eingefrorene Ausgabe wurde nachträglich verändert: massnahmen.csv" in m for m in messages), messages


def test_comparison_counts_new_ended_continued_and_changed(project: Path) -> None:
    data = project / "data"
    freeze(data, "2023")
    rewrite_measures(data, next_edition)
    with (data / "bericht.yaml").open("a", encoding="utf-8") as f:
        f.write('\nvergleich_mit: "2023"\n')
    assert check_data(data).ok
    report = ReportData.load(data)
    comparison = report.vergleich()
    table = ausgaben.summary(comparison, list(report.handlungsfelder("titel")["titel"])).set_index("Handlungsfeld")
    assert table.loc["Arbeit und Qualifizierung"].to_dict() == {"Neu": 1, "Fortgeführt": 2, "Beendet": 1,
                                                                "Status geändert": 1}
    assert table.loc["Wohnen"].to_dict() == {"Neu": 0, "Fortgeführt": 2, "Beendet": 1, "Status geändert": 1}
    assert table.loc["Gesundheit"].to_dict() == {"Neu": 1, "Fortgeführt": 1, "Beendet": 0, "Status geändert": 0}
    assert table.loc["Gesamt"].to_dict() == {"Neu": 2, "Fortgeführt": 5, "Beendet": 2, "Status geändert": 2}
    assert "7" not in set(comparison["nr"].dropna())        # already completed in 2023
    dropped = comparison[comparison["nr"] == "5"].iloc[0]
    assert dropped["art"] == "beendet" and pd.isna(dropped["status_jetzt"])


def test_build_shows_the_comparison_chapter_and_marks_the_appendix(project: Path, tmp_path: Path) -> None:
    data = project / "data"
    freeze(data, "2023")
    rewrite_measures(data, next_edition)
    with (data / "bericht.yaml").open("a", encoding="utf-8") as f:
        f.write('\nvergleich_mit: "2023"\n')
    structure = data / "gliederung.yaml"
    structure.write_text(structure.read_text(encoding="utf-8").replace(
        "  - id: anhang\n", "  - id: veraenderungen\n    titel: Was hat sich seit 2023 verändert?\n"
        "    notebook: vergleich.ipynb\n  - id: anhang\n"), encoding="utf-8")
    out = tmp_path / "ausgabe"
    code, _ = build(data, out, formats={"html"})
    assert code == 0
    soup = BeautifulSoup((out / "bericht.html").read_text(encoding="utf-8"), "html.parser")
    section = soup.find("section", attrs={"aria-labelledby": "sec-veraenderungen"})
    assert section.find(["h1", "h2"]).get_text(" ", strip=True) == "4 Was hat sich seit 2023 verändert?"
    def caption(text: str):
        return section.find(lambda tag: tag.name == "caption" and text in tag.get_text())

    overview = caption("Übersicht aus den Daten").find_parent("table")
    total = [c.get_text(strip=True) for c in overview.find_all("tr")[-1].find_all(["th", "td"])]
    assert total == ["Gesamt", "2", "5", "2", "2"]
    alt = section.find("figure").find("img")["alt"]
    assert "Arbeit und Qualifizierung: neu 1, fortgeführt 2, beendet 1" in alt
    new_rows = [tuple(td.get_text(strip=True) for td in tr.find_all(["th", "td"]))
                for tr in caption("Neu seit der Ausgabe 2023").find_parent("table")
                .find("tbody").find_all("tr")]
    assert new_rows == [("8", "Mentoring", "Arbeit und Qualifizierung", "laufend"),
                        ("9", "Impfbus", "Gesundheit", "geplant")]
    appendix = soup.find("section", attrs={"aria-labelledby": "sec-liste"})
    assert appendix.find(id="massnahme-8").find(class_="seit--neu").get_text() == "neu seit 2023"
    assert appendix.find(id="massnahme-2").find(class_="seit--beendet").get_text() == "beendet seit 2023"
    assert appendix.find(id="massnahme-3").find(class_="seit") is None
    assert "Status: abgeschlossen" in appendix.find(id="massnahme-2").get_text(" ")
    need_browser()
    from werkzeuge import browser

    assert browser.axe_audit(out / "kapitel" / "4_veraenderungen.html") == []
