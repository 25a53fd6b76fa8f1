"""The yearly round on the example report: Abfrage → a unit edits its workbook → Einlesen → check →
build; conflicts, malformed returns and a LibreOffice re-save; nothing in data/ changes unless the
whole round is valid."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from berichtswerk import cli
from berichtswerk.checks.data_folder import check_data
from berichtswerk.runde import abfrage
from berichtswerk.runde.einlesen import read_return
from conftest import BEISPIEL, need_tools
from openpyxl import load_workbook


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "bericht"
    shutil.copytree(BEISPIEL, root)
    return root


def run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def make_query(capsys, project: Path) -> Path:
    out = project / "abfrage"
    code, text = run(capsys, "abfrage", "--data", str(project / "data"), "--out", str(out))
    assert code == 0, text
    return out


class Sheet:
    """A returned workbook as a unit edits it in Excel: cells addressed by Nr. and column header."""

    def __init__(self, path: Path):
        self.path = path
        self.wb = load_workbook(path)
        self.ws = self.wb[abfrage.SHEET]
        self.col = {c.value: c.column for c in self.ws[1]}

    def row_of(self, nr: str) -> int:
        return next(r for r in range(2, self.ws.max_row + 1) if self.ws.cell(r, self.col["Nr."]).value == nr)

    def set(self, nr: str, header: str, value: str) -> None:
        self.ws.cell(self.row_of(nr), self.col[header]).value = value

    def get(self, nr: str, header: str) -> str:
        return self.ws.cell(self.row_of(nr), self.col[header]).value

    def add(self, **values: str) -> int:
        row = next(r for r in range(2, self.ws.max_row + 1) if not any(
            self.ws.cell(r, c).value for c in self.col.values()))
        for header, value in values.items():
            self.ws.cell(row, self.col[header]).value = value
        return row

    def save(self, target: Path | None = None) -> Path:
        self.wb.save(target or self.path)
        return target or self.path


def unit_edits(path: Path, *, break_nr: bool) -> Sheet:
    """What the test round's unit does: a status, a new measure, a description, (a locked Nr.)."""
    sheet = Sheet(path)
    sheet.set("1", "Status", "abgeschlossen")
    sheet.set("2", "Beschreibung", sheet.get("2", "Beschreibung") + "\nSeit 2024 auch samstags.")
    sheet.add(Handlungsfeld="Arbeit und Qualifizierung", Ziel="Berufliche Bildung stärken", Titel="Mentoring für Auszubildende", Beschreibung="Ehrenamtliche begleiten Azubis", Status="geplant")
    if break_nr:
        sheet.set("3", "Nr.", "33")
    sheet.save()
    return sheet


def test_workbooks_per_unit_prefilled_locked_with_lists_and_marker(capsys, project: Path) -> None:
    out = make_query(capsys, project)
    names = sorted(p.name for p in out.glob("*.xlsx"))
    assert names == sorted(["Abfrage Amt für Arbeit und Qualifizierung.xlsx", "Abfrage Wirtschaftsförderung.xlsx",
                            "Abfrage Amt für Wohnen.xlsx", "Abfrage Sozialamt.xlsx", "Abfrage Gesundheitsamt.xlsx",
                            "Abfrage Stabsstelle Teilhabe.xlsx"])
    wb = load_workbook(out / "Abfrage Amt für Arbeit und Qualifizierung.xlsx")
    assert wb.sheetnames[:2] == ["Anleitung", "Maßnahmen"]
    assert wb["berichtswerk"].sheet_state == "hidden"
    ws = wb["Maßnahmen"]
    header = [c.value for c in ws[1]]
    assert header[:9] == ["Nr.", "Handlungsfeld", "Ziel", "Titel", "Beschreibung", "Status", "Drucksachen",
                          "weitere Infos", "gemeinsam mit"]
    rows = {ws.cell(r, 1).value: [c.value for c in ws[r]] for r in range(2, 5)}
    assert set(rows) == {"1", "2", "3"}                       # only this unit's measures
    assert rows["3"][8] == "gemeinsam mit Wirtschaftsförderung"  # shared measure marked
    assert ws.protection.sheet and ws["A2"].protection.locked and not ws["E2"].protection.locked
    assert not ws.cell(ws.max_row, 2).protection.locked          # empty rows for new measures are open
    validations = {str(d.sqref).split(":")[0][0]: d.formula1 for d in ws.data_validations.dataValidation}
    assert set(validations) == {"B", "C", "F"}                 # Handlungsfeld, Ziel, Status
    lists = wb["Listen"]
    assert validations["F"] == "Listen!$C$2:$C$5"
    assert [lists.cell(r, 3).value for r in range(2, 6)] == ["geplant", "laufend", "abgeschlossen", "eingestellt"]
    guide = " ".join(str(c.value) for c in wb["Anleitung"]["A"] if c.value)
    assert "Nr.“ leer" in guide and "abgeschlossen" in guide
    assert len(list((project / "abfragen").glob("*.json"))) == 1


def test_round_trip_dry_run_refuses_edited_nr_then_merges(capsys, project: Path) -> None:
    data = project / "data"
    out = make_query(capsys, project)
    workbook = out / "Abfrage Amt für Arbeit und Qualifizierung.xlsx"
    sheet = unit_edits(workbook, break_nr=True)
    before = digest(data)

    code, text = run(capsys, "einlesen", "--data", str(data), "--dry-run", str(workbook))
    assert code == 2
    assert "Amt für Arbeit und Qualifizierung (OE AQ)" in text
    assert "neu:       „Mentoring für Auszubildende“ (Arbeit und Qualifizierung, Status geplant) – erhält Nr. 8" in text
    assert "Status: „laufend“ → „abgeschlossen“" in text
    assert "beendet:   Nr. 1 „Sprachkurse im Betrieb“ (abgeschlossen)" in text
    assert "Seit 2024 auch samstags." in text
    assert text.count("geändert:") == 2                       # Nr. 1 and Nr. 2, nothing else
    edited_row = sheet.row_of("33")
    assert (f"{workbook.name}, Zeile {edited_row}, Blatt „Maßnahmen“, Spalte „Nr.“: die gesperrte Nr. wurde "
            "geändert (Wert: „33“). Erwartet: „3“ wie in der Abfrage") in text
    assert "nichts übernommen" in text
    assert digest(data) == before

    sheet.set("33", "Nr.", "3")
    sheet.save()
    original = (data / "massnahmen.csv").read_bytes()
    code, text = run(capsys, "einlesen", "--data", str(data), str(workbook))
    assert code == 0, text
    assert check_data(data).ok
    backups = list((project / "sicherungen").glob("*/massnahmen.csv"))
    assert len(backups) == 1 and backups[0].read_bytes() == original   # the backup is the file as it was
    from berichtswerk.data.report_data import ReportData

    m = ReportData.load(data).massnahmen().set_index("nr")
    assert m.at["1", "status"] == "abgeschlossen"
    assert m.at["2", "beschreibung"].endswith("Seit 2024 auch samstags.")
    assert m.at["8", "titel"] == "Mentoring für Auszubildende" and m.at["8", "oe"] == ["AQ"]
    assert list(m.index[:4]) == ["1", "2", "3", "8"]          # inserted with its Handlungsfeld
    # the same file again changes nothing
    code, text = run(capsys, "einlesen", "--data", str(data), str(workbook))
    assert code == 0 and "bereits eingelesen" in text


def test_conflicting_returns_are_refused_until_decided(capsys, project: Path) -> None:
    data = project / "data"
    out = make_query(capsys, project)
    aq = Sheet(out / "Abfrage Amt für Arbeit und Qualifizierung.xlsx")
    wi = Sheet(out / "Abfrage Wirtschaftsförderung.xlsx")
    aq.set("3", "Beschreibung", "Beratungstage viermal im Jahr")
    wi.set("3", "Beschreibung", "Beratungstage jeden Monat")
    aq.save(), wi.save()
    before = digest(data)
    code, text = run(capsys, "einlesen", "--data", str(data), str(aq.path), str(wi.path))
    assert code == 2 and digest(data) == before
    assert "Konflikt bei Nr. 3 „Beratungstage“, Spalte „Beschreibung“: zwei Einheiten ändern sie verschieden" in text
    assert "--vorrang" in text
    code, text = run(capsys, "einlesen", "--data", str(data), "--vorrang", str(wi.path), str(aq.path), str(wi.path))
    assert code == 0, text
    assert "Beratungstage jeden Monat" in (data / "massnahmen.csv").read_text(encoding="utf-8")


def test_edit_in_data_since_the_query_is_a_conflict(capsys, project: Path) -> None:
    data = project / "data"
    out = make_query(capsys, project)
    csv_path = data / "massnahmen.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace("Werkstattschule\n", "Werkstattschule (neu)\n", 1),
                        encoding="utf-8")
    sheet = Sheet(out / "Abfrage Amt für Arbeit und Qualifizierung.xlsx")
    sheet.set("2", "Beschreibung", "Werkstattschule am Abend")
    sheet.save()
    before = digest(data)
    code, text = run(capsys, "einlesen", "--data", str(data), str(sheet.path))
    assert code == 2 and digest(data) == before
    assert "seit der Abfrage auch in data/ geändert" in text


def test_workbook_of_an_older_query_needs_a_decision(capsys, project: Path) -> None:
    data = project / "data"
    old = make_query(capsys, project)
    older = project / "alt.xlsx"
    shutil.copy(old / "Abfrage Amt für Wohnen.xlsx", older)
    make_query(capsys, project)   # a second round, e.g. sent again with corrections
    sheet = Sheet(older)
    sheet.set("4", "Status", "eingestellt")
    sheet.save()
    before = digest(data)
    code, text = run(capsys, "einlesen", "--data", str(data), str(older))
    assert code == 2 and digest(data) == before
    assert "stammt aus der älteren Abfrage" in text and "--aeltere-abfrage" in text
    code, text = run(capsys, "einlesen", "--data", str(data), "--aeltere-abfrage", str(older))
    assert code == 0, text


def test_malformed_returns_all_problems_at_once_data_unchanged(capsys, project: Path) -> None:
    data = project / "data"
    out = make_query(capsys, project)
    not_excel = project / "notiz.xlsx"
    not_excel.write_text("keine Tabelle", encoding="utf-8")
    renamed = Sheet(out / "Abfrage Sozialamt.xlsx")
    renamed.ws.cell(1, renamed.col["Status"]).value = "Stand"
    renamed.save()
    bad = Sheet(out / "Abfrage Gesundheitsamt.xlsx")
    bad.set("6", "Status", "fertig")
    bad.set("6", "Ziel", "Wohnraum schaffen")          # a Ziel of another Handlungsfeld
    bad.ws.delete_rows(bad.row_of("7"))               # a measure deleted instead of ended
    new_row = bad.add(Handlungsfeld="Gesundheit", Titel="Impfbus", Beschreibung="mobil", Status="laufend")     # no Ziel
    bad.save()
    before = digest(data)
    code, text = run(capsys, "einlesen", "--data", str(data), str(not_excel), str(renamed.path), str(bad.path))
    assert code == 2 and digest(data) == before
    row6 = bad.row_of("6")
    for expected in (
        "notiz.xlsx: keine lesbare Excel-Arbeitsmappe",
        "Abfrage Sozialamt.xlsx, Zeile 1, Blatt „Maßnahmen“, Spalte „Status“: Spalte fehlt oder wurde umbenannt",
        (f"Abfrage Gesundheitsamt.xlsx, Zeile {row6}, Blatt „Maßnahmen“, Spalte „Status“: unbekannter Status "
         "(Wert: „fertig“)"),
        f"Zeile {row6}, Blatt „Maßnahmen“, Spalte „Ziel“: Ziel gehört nicht zum Handlungsfeld (Wert: „Wohnraum schaffen“)",
        "Maßnahme Nr. 7 „Pflegestützpunkt“ fehlt",
        f"Zeile {new_row}, Blatt „Maßnahmen“, Spalte „Ziel“: Pflichtfeld ist leer",
    ):
        assert expected in text, (expected, text)
    assert "Traceback" not in text


def test_cells_from_data_are_text_never_formulas(capsys, project: Path) -> None:
    csv_path = project / "data" / "massnahmen.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace(
        "Werkstattschule\n", '=HYPERLINK(""http://example.org"";""x"")\n', 1), encoding="utf-8")
    out = make_query(capsys, project)
    ws = load_workbook(out / "Abfrage Amt für Arbeit und Qualifizierung.xlsx")["Maßnahmen"]
    cell = ws.cell(3, 5)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_libreoffice_resave_reads_back_equal_and_merges(capsys, project: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    need_tools("LibreOffice-Rundreise", [] if soffice else
               ["LibreOffice fehlt (make browser installiert libreoffice-calc-nogui)"])
    out = make_query(capsys, project)
    original = out / "Abfrage Amt für Arbeit und Qualifizierung.xlsx"
    unit_edits(original, break_nr=False)
    resaved_dir = tmp_path / "libreoffice"
    profile = tmp_path / "lo-profil"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(resaved_dir), str(original)],
                   check=True, capture_output=True, timeout=180)
    resaved = resaved_dir / original.name
    assert resaved.read_bytes() != original.read_bytes()      # really written by LibreOffice
    a, b = read_return(original), read_return(resaved)
    assert (a.abfrage, a.oe, a.probleme) == (b.abfrage, b.oe, b.probleme) == (a.abfrage, "AQ", [])
    assert {k: r.werte for k, r in a.zeilen.items()} == {k: r.werte for k, r in b.zeilen.items()}
    assert [r.werte for r in a.neue] == [r.werte for r in b.neue]
    ws = load_workbook(resaved)["Maßnahmen"]
    assert ws.protection.sheet and len(ws.data_validations.dataValidation) == 3
    code, text = run(capsys, "einlesen", "--data", str(project / "data"), str(resaved))
    assert code == 0, text
    assert check_data(project / "data").ok
