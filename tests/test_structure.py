"""The structure file decides chapters, numbers, notebooks and parameters – nothing else does."""

from __future__ import annotations

from pathlib import Path

import yaml
from berichtswerk.checks.data_folder import check_data
from berichtswerk.cli import main
from berichtswerk.data.gliederung import load_structure


def edit_structure(data: Path, change) -> None:
    path = data / "gliederung.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_numbers_follow_from_order(beispiel: Path) -> None:
    s = load_structure(beispiel)
    assert [(c.nummer, c.titel) for c in s.chapters] == [
        (None, "Vorwort"), ("1", "Worum es geht"), ("2", "Die Handlungsfelder"),
        ("2.1", "Arbeit und Qualifizierung"), ("2.2", "Wohnen"), ("2.3", "Gesundheit"),
        ("3", "Eigene Auswertung"), ("4", "Anhang"), ("4.1", "Alle Maßnahmen"), ("4.2", "Wer wofür zuständig ist")]
    assert [c.datei for c in s.sections()] == ["2-1_feld-arbeit", "2-2_feld-wohnen", "2-3_feld-gesundheit",
                                               "3_auswertung", "4-1_liste", "4-2_organisation"]
    assert s.by_id("feld-wohnen").parameter == {"handlungsfeld": "Wohnen"}


def test_moving_and_removing_chapters_renumbers(beispiel: Path) -> None:
    def move(doc):
        chapters = doc["kapitel"]
        auswertung = next(c for c in chapters if c["id"] == "auswertung")
        chapters.remove(auswertung)
        chapters.insert(1, auswertung)
        doc["kapitel"] = [c for c in chapters if c["id"] != "einleitung"]

    edit_structure(beispiel, move)
    s = load_structure(beispiel)
    assert [(c.nummer, c.id) for c in s.chapters if c.ebene == 1] == [
        (None, "vorwort"), ("1", "auswertung"), ("2", "felder"), ("3", "anhang")]
    assert s.by_id("feld-gesundheit").nummer == "2.3" and s.by_id("liste").datei == "3-1_liste"


def test_check_reports_every_structure_problem_at_once(beispiel: Path) -> None:
    def break_it(doc):
        chapters = doc["kapitel"]
        chapters[0]["id"] = "Vorwort!"
        chapters[1]["id"] = "felder"                        # duplicate of chapter 2
        chapters[3]["notebook"] = "gibt_es_nicht.ipynb"
        chapters[4]["abschnitte"][0]["parameter"] = {"unbekannt": 1}
        chapters[1]["text"] = "fehlt"
        chapters[1]["farbe"] = "rot"                         # unknown key

    edit_structure(beispiel, break_it)
    problems = [str(p) for p in check_data(beispiel).problems]
    joined = "\n".join(problems)
    assert "Eintrag 1, Spalte „id“: Kurzname ungültig (Wert: „Vorwort!“)" in joined
    assert "Kurzname kommt mehrfach vor (Wert: „felder“)" in joined
    assert "Notebook nicht gefunden (Wert: „gibt_es_nicht.ipynb“)" in joined
    assert "Parameter „unbekannt“ gibt es im Notebook massnahmen.ipynb nicht" in joined
    assert "Erwartet: einen Parameter der parameters-Zelle: data_dir" in joined
    assert "Text nicht gefunden (Wert: „fehlt“)" in joined
    assert "unbekannter Schlüssel „farbe“" in joined
    assert all(p.startswith("gliederung.yaml") for p in problems), problems


def test_outline_command_prints_the_resolved_structure(beispiel: Path, capsys) -> None:
    assert main(["gliederung", "--data", str(beispiel)]) == 0
    out = capsys.readouterr().out
    assert "  2.2 Wohnen  [feld-wohnen]  Notebook handlungsfeld.ipynb (handlungsfeld='Wohnen')" in out
    assert "→ kapitel/2-2_feld-wohnen.html" in out and "Vorwort  [vorwort]" in out


def test_handlungsfeld_without_colour_gets_its_own_readable_one(beispiel: Path) -> None:
    from berichtswerk.core.colours import _hue, contrast
    from berichtswerk.core.colours import colours as farben
    from berichtswerk.data.report_data import ReportData

    fields = ReportData.load(beispiel).handlungsfelder().set_index("slug")["farbe"].to_dict()
    assert fields["arbeit"] == "#7a2e8c" and fields["gesundheit"] == "#8a3b12"
    assert fields["wohnen"] not in ("#7a2e8c", "#8a3b12") and contrast(fields["wohnen"]) >= 4.5
    slugs = ["wohnen", "bildung", "kultur", "sport", "umwelt", "verkehr", "digitales", "familie"]
    colours = farben([(s, None) for s in slugs])
    assert colours == farben([(s, None) for s in slugs])  # deterministic
    hues = sorted(_hue(c) for c in colours)
    gaps = [b - a for a, b in zip(hues, hues[1:], strict=False)] + [1 - hues[-1] + hues[0]]
    assert min(gaps) >= 1 / 12 - 0.01 and all(contrast(c) >= 4.5 for c in colours)


def test_colour_with_too_little_contrast_is_refused(beispiel: Path) -> None:
    path = beispiel / "handlungsfelder.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("'#7a2e8c'", "'#f0e68c'"), encoding="utf-8")
    problems = [str(p) for p in check_data(beispiel).problems]
    assert any("Farbe zu hell" in p and "#f0e68c" in p for p in problems), problems
