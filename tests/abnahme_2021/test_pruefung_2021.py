"""Every kind of bad input gets a message naming file, spreadsheet row, column, value and what was
expected; all problems of a file are reported at once; the input is never changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from berichtswerk.checks.data_folder import check_data
from berichtswerk.cli import main
from conftest import DATA_DIR, read_rows, row_of, write_rows


def messages(data_dir: Path, measures: Path | None = None) -> list[str]:
    return [str(p) for p in check_data(data_dir, measures).problems]


def test_shipped_data_is_clean() -> None:
    assert messages(DATA_DIR) == []


def test_all_problems_of_a_file_at_once_with_row_and_column(data_copy: Path) -> None:
    path = data_copy / "massnahmen.csv"
    rows = read_rows(path)
    i = row_of(rows, 3)
    rows[i][1] = "Gefluechtete"            # unknown Handlungsfeld
    rows[row_of(rows, 4)][0] = "5"         # duplicate Nr. (5 exists)
    rows[row_of(rows, 6)][0] = "6a"        # non-numeric Nr.
    rows[row_of(rows, 9)][6] = "50, 77"    # unknown OE code
    rows[row_of(rows, 11)][7] = "0336 IV IDs"  # malformed Drucksache
    rows[row_of(rows, 12)][4] = ""         # empty required cell
    write_rows(path, rows)
    found = messages(data_copy)
    expected_fragments = [
        f"massnahmen.csv, Zeile {i + 1}, Spalte „handlungsfeld“: unbekanntes Handlungsfeld (Wert: „Gefluechtete“)",
        "meinten Sie „Geflüchtete“?",
        f"Zeile {row_of(rows, 5) + 1}, Spalte „nr“: Nr. kommt mehrfach vor (Wert: „5“)",
        "Spalte „nr“: Nr. hat nicht die Form der Maßnahmen-Nummern (Wert: „6a“)",
        "Spalte „oe“: unbekannte Organisationseinheit „77“ (Wert: „50, 77“)",
        "Spalte „drucksachen“: Drucksache nicht erkannt: „0336 IV IDs“",
        "Spalte „beschreibung“: Pflichtfeld ist leer",
    ]
    for fragment in expected_fragments:
        assert any(fragment in m for m in found), (fragment, found)
    # the duplicate is reported at both rows, as an analyst needs to find both
    assert sum("Nr. kommt mehrfach vor" in m for m in found) == 2


def test_missing_and_extra_column(data_copy: Path) -> None:
    path = data_copy / "massnahmen.csv"
    rows = read_rows(path)
    for row in rows:
        del row[6]  # oe
        row.append("x")
    rows[0][-1] = "bemerkung"
    write_rows(path, rows)
    found = messages(data_copy)
    assert any("massnahmen.csv, Zeile 1, Spalte „oe“: Spalte fehlt" in m for m in found), found
    assert any("Zeile 1, Spalte „bemerkung“: unbekannte Spalte" in m for m in found), found


def test_example_citing_missing_or_foreign_measure(data_copy: Path) -> None:
    path = data_copy / "handlungsfelder.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["handlungsfelder"][2]["beispiele"][0]["massnahmen"] = [999]   # 3.3, does not exist
    doc["handlungsfelder"][2]["beispiele"][1]["massnahmen"] = [72]    # belongs to 3.6
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    found = messages(data_copy)
    assert any("Handlungsfeld „Geflüchtete“, Beispiel 1, Spalte „massnahmen“: Beispiel verweist auf "
               "eine Maßnahme, die es nicht gibt (Wert: „999“)" in m for m in found), found
    assert any("Beispiel 2, Spalte „massnahmen“: Maßnahme Nr. 72 gehört zum Handlungsfeld "
               "„Gesundheit und Pflege“" in m for m in found), found


def test_ziel_not_in_ziele_table(data_copy: Path) -> None:
    path = data_copy / "massnahmen.csv"
    rows = read_rows(path)
    rows[row_of(rows, 24)][2] = "Sprachkurse anbietn"
    write_rows(path, rows)
    assert any(f"Zeile {row_of(rows, 24) + 1}, Spalte „ziel“: Ziel steht nicht in ziele.csv "
               "(Wert: „Sprachkurse anbietn“)" in m for m in messages(data_copy))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"%PDF-1.7\n\x00\x01\x02binary", "keine Tabelle (Binärdatei)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "altes Excel-Format (.xls)"),
        (b"", "leer"),
    ],
)
def test_unreadable_file_is_one_clear_line(tmp_path: Path, capsys, content: bytes, fragment: str) -> None:
    bad = tmp_path / "massnahmen.csv"
    bad.write_bytes(content)
    assert main(["check", "--data", str(DATA_DIR), "--measures", str(bad)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("  - ")]) == 1


def test_check_exit_codes_and_never_changes_input(data_copy: Path, capsys) -> None:
    digest = lambda: {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data_copy.rglob("*") if p.is_file()}
    before = digest()
    assert main(["check", "--data", str(data_copy)]) == 0
    rows = read_rows(data_copy / "massnahmen.csv")
    rows[1][1] = "Partizipation"
    write_rows(data_copy / "massnahmen.csv", rows)
    before = digest()
    assert main(["check", "--data", str(data_copy)]) == 2
    assert digest() == before
    assert "meinten Sie „Partizipation und Teilhabe“?" in capsys.readouterr().err


def test_xlsx_problems_are_located_too(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(DATA_DIR / "massnahmen.csv", dtype=str, keep_default_na=False)
    frame.loc[9, "drucksachen"] = "BDs 2957"
    target = tmp_path / "abgabe.xlsx"
    frame.to_excel(target, index=False)
    found = messages(DATA_DIR, target)
    assert found == ["abgabe.xlsx, Zeile 11, Spalte „drucksachen“: Drucksache nicht erkannt: „BDs 2957“ "
                     "(Wert: „BDs 2957“). Erwartet: eine Drucksache in der Form „2718 (IV) BDs“ (Drucksache der "
                     "Regionsversammlung), mehrere durch „; “ getrennt (andere Quellen gehören in „weitere_infos“)"]
