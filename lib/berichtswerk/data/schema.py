"""The shape of ``data/``: file names, column order and what each column must hold. Kept in one
place so the validator, the loaders, the docs and the tests agree."""

from __future__ import annotations

import re

MEASURES_COLUMNS: tuple[str, ...] = (
    "nr",
    "handlungsfeld",
    "ziel",
    "titel",
    "beschreibung",
    "status",
    "oe",
    "drucksachen",
    "weitere_infos",
)

#: Where a measure stands. A unit sets it in the Abfrage; "abgeschlossen" and "eingestellt" end a
#: measure (it stays in the table, so nothing is lost, and the edition comparison counts it as ended).
STATUS: dict[str, str] = {
    "geplant": "noch nicht begonnen",
    "laufend": "wird umgesetzt",
    "abgeschlossen": "umgesetzt und beendet",
    "eingestellt": "ohne Abschluss beendet",
}
ENDED_STATUS = ("abgeschlossen", "eingestellt")

FILES = {
    "massnahmen": "massnahmen.csv",
    "ziele": "ziele.csv",
    "organisationseinheiten": "organisationseinheiten.csv",
    "dezernate": "dezernate.csv",
    "handlungsfelder": "handlungsfelder.yaml",
    "ausblick": "ausblick.yaml",
    "bericht": "bericht.yaml",
    "gliederung": "gliederung.yaml",
    "korrekturen": "korrekturen.yaml",
}
ZIELE_COLUMNS = ("handlungsfeld", "ziel")
OE_COLUMNS = ("oe", "name", "dezernat", "mitwirkung")
#: ``name_mitwirkende``: the unit's name as the list of contributors prints it, where that differs
#: from ``name`` (the 2021 report names two units differently in chapter 5 and in the org chart).
OE_OPTIONAL_COLUMNS = ("name_mitwirkende",)
#: Value of ``dezernat`` for a unit directly under the head of administration (e.g. a Stabsstelle).
HEAD = "Verwaltungsspitze"
DEZERNAT_COLUMNS = ("dezernat", "bezeichnung", "leitung")
TEXT_DIR = "texte"

#: Required keys of ``bericht.yaml``: the title page, the imprint and the report's own words.
BERICHT_KEYS = ("titel", "untertitel", "herausgeber", "stelle", "datum", "impressum", "beschriftungen")
IMPRESSUM_KEYS = ("herausgeber", "text", "gestaltung")
BESCHRIFTUNGEN = {
    "fusszeile": "laufende Fußzeile jeder PDF-Seite",
    "impressum_gestaltung": "Bezeichnung der Gestaltung im Impressum",
    "spitze_organigramm": "Spitze des Organigramms (z. B. „Regionspräsident“)",
    "ziele": "Unterüberschrift der Ziele eines Handlungsfelds",
    "erreicht": "Unterüberschrift der Beispiele eines Handlungsfelds",
    "in_zahlen": "Unterüberschrift der Kennzahlen eines Handlungsfelds",
    "ohne_beispiele": "Hinweis, wenn ein Handlungsfeld keine Beispiele hat",
    "mitwirkende_weitere": "Einleitung der Liste weiterer beteiligter Stellen",
    "impressum_text": "Bezeichnung von Text und Redaktion im Impressum",
    "ausblick_massnahmen": "Zeilenkopf der geplanten Maßnahmen in den Tabellen der Themenfelder",
    "anhang_tabelle": "Titel der Tabelle aller Maßnahmen in der Übergabe an die Gestaltung",
    "anhang_massnahme": "Spaltenkopf der Maßnahmen in der Tabelle des Anhangs",
    "anhang_verweise": "Spaltenkopf der Drucksachen und weiteren Informationen in der Tabelle des Anhangs",
    "organigramm_bereich": "Bezeichnung der Bereiche unter der Verwaltungsspitze im Organigramm (z. B. „Dezernat“)",
}

#: Form of a measure number unless ``bericht.yaml`` declares another (``formate.massnahme_nr``).
DEFAULT_MEASURE_NUMBER = r"\d+"


def measure_number_pattern(bericht: dict | None) -> str:
    return str(((bericht or {}).get("formate") or {}).get("massnahme_nr") or DEFAULT_MEASURE_NUMBER)


def anchor(nr: object) -> str:
    """The HTML id of a measure's appendix row: ``massnahme-12``, ``massnahme-1-1`` for "1.1"."""
    return "massnahme-" + re.sub(r"[^0-9A-Za-z]+", "-", str(nr)).strip("-").lower()


#: Separator inside the ``oe`` cell (references use ``;``, see drucksachen.split_references).
OE_SEPARATOR = ","


def split_oe(cell: str | None) -> list[str]:
    """``"40, 50, 51"`` → ``["40", "50", "51"]``; empty → ``[]``."""
    if not is_filled(cell):
        return []
    return [part.strip() for part in str(cell).split(OE_SEPARATOR) if part.strip()]


def is_filled(cell: object) -> bool:
    """False for ``None``, NaN (pandas' empty cell) and blank text."""
    return cell is not None and cell == cell and str(cell).strip() != ""
