"""The shape of ``data/``: file names, column order and what each column must hold. Kept in one
place so the validator, the loaders, the docs and the tests agree."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Feld:
    """A column of a data table: its German title and meaning (the open data's Table Schema), its
    type there, and whether it is published. Every column of every table is declared here, public or
    not – a column that is not declared cannot pass ``check``, so nothing reaches the open data
    unless somebody decided it may."""

    titel: str
    beschreibung: str
    typ: str = "string"
    oeffentlich: bool = True


FELDER: dict[str, dict[str, Feld]] = {
    "massnahmen": {
        "nr": Feld("Nr.", "Nummer der Maßnahme im Anhang des Berichts; leer bei Maßnahmen ohne Nummer"),
        "handlungsfeld": Feld("Handlungsfeld", "Handlungsfeld des Integrationskonzepts"),
        "ziel": Feld("Ziel", "Ziel im Handlungsfeld, dem die Maßnahme dient"),
        "titel": Feld("Maßnahme", "Kurzbezeichnung der Maßnahme"),
        "beschreibung": Feld("Beschreibung", "Beschreibung der Maßnahme (Markdown)"),
        "status": Feld("Status", "geplant, laufend, abgeschlossen oder eingestellt"),
        "oe": Feld("OE", "Kennungen der zuständigen Organisationseinheiten, durch Komma getrennt "
                         "(siehe organisationseinheiten.csv)"),
        "drucksachen": Feld("Drucksachen", "zitierte Drucksachen, durch Semikolon getrennt"),
        "weitere_infos": Feld("weitere Infos", "weitere Verweise, z. B. Internetadressen, durch Semikolon getrennt"),
    },
    "ziele": {
        "handlungsfeld": Feld("Handlungsfeld", "Handlungsfeld des Integrationskonzepts"),
        "ziel": Feld("Ziel", "Ziel im Handlungsfeld"),
    },
    "organisationseinheiten": {
        "oe": Feld("OE", "Kennung der Organisationseinheit"),
        "name": Feld("Name", "Name der Organisationseinheit"),
        "dezernat": Feld("Dezernat", "Dezernat, zu dem die Einheit gehört (siehe dezernate.csv)"),
        "mitwirkung": Feld("Mitwirkung", "Art der Mitwirkung am Bericht; leer: nicht beteiligt"),
        "name_mitwirkende": Feld("Name (Mitwirkende)", "Name in der Liste der Mitwirkenden, wo er abweicht"),
    },
    "dezernate": {
        "dezernat": Feld("Dezernat", "Kennung des Dezernats"),
        "bezeichnung": Feld("Bezeichnung", "Bezeichnung des Dezernats"),
        # a person's name: printed in the report's organisation chart, not published as data
        "leitung": Feld("Leitung", "Name der Dezernentin oder des Dezernenten", oeffentlich=False),
    },
}

MEASURES_COLUMNS: tuple[str, ...] = tuple(FELDER["massnahmen"])


def public_fields(key: str) -> dict[str, Feld]:
    """The columns of a data table that go into the open data."""
    return {name: feld for name, feld in FELDER[key].items() if feld.oeffentlich}


def unpublished_columns(columns: list[str]) -> list[str]:
    """Problems for the columns of a report table or figure data that carry a field declared not
    public (by its column name or its German title): the open data would publish them."""
    private = {}
    for key, fields in FELDER.items():
        for name, feld in fields.items():
            if not feld.oeffentlich:
                private[name.casefold()] = private[feld.titel.casefold()] = f"{FILES[key]}, Spalte „{name}“"
    return [f"Spalte „{column}“ enthält ein nicht öffentliches Feld ({private[str(column).casefold()]}) und ginge "
            "so in die offenen Daten (daten/). Erwartet: die Tabelle oder die Daten der Abbildung ohne diese Spalte"
            for column in columns if str(column).casefold() in private]


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
ZIELE_COLUMNS = tuple(FELDER["ziele"])
#: ``name_mitwirkende``: the unit's name as the list of contributors prints it, where that differs
#: from ``name`` (the 2021 report names two units differently in chapter 5 and in the org chart).
OE_OPTIONAL_COLUMNS = ("name_mitwirkende",)
OE_COLUMNS = tuple(c for c in FELDER["organisationseinheiten"] if c not in OE_OPTIONAL_COLUMNS)
#: Value of ``dezernat`` for a unit directly under the head of administration (e.g. a Stabsstelle).
HEAD = "Verwaltungsspitze"
DEZERNAT_COLUMNS = tuple(FELDER["dezernate"])
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

#: ``offene_daten`` in ``bericht.yaml``: the open data's licence and DCAT-AP.de metadata.
OPEN_DATA_KEYS = {
    "lizenz": "Lizenz der Daten (Standard: dl-by-de/2.0)",
    "adresse": "Internetadresse, unter der der Ordner daten/ veröffentlicht wird (sonst verweist dcat.ttl relativ)",
    "landingpage": "Internetseite des Berichts",
    "kontakt": "name, url und/oder email, telefon – eine Stelle, keine Person",
    "raum": "räumliche Abdeckung, z. B. der Name des Kreises",
    "zeitraum": "von und bis: Jahr oder Datum",
    "themen": "Kategorien des EU-Vokabulars Data Theme, z. B. [SOCI, GOVE]",
    "schlagworte": "Liste von Schlagworten",
    "govdata_id": "Kennung der liefernden Stelle bei GovData (dcatde:contributorID), nur für die Lieferung an GovData",
}
#: Licences as DCAT-AP.de names them (http://dcat-ap.de/def/licenses/…): title and licence text.
LICENCES = {
    "dl-by-de/2.0": ("Datenlizenz Deutschland – Namensnennung – Version 2.0", "https://www.govdata.de/dl-de/by-2-0"),
    "dl-zero-de/2.0": ("Datenlizenz Deutschland – Zero – Version 2.0", "https://www.govdata.de/dl-de/zero-2-0"),
    "cc-by/4.0": ("Creative Commons Namensnennung – 4.0 International (CC BY 4.0)",
                  "https://creativecommons.org/licenses/by/4.0/"),
    "cc-zero": ("Creative Commons Zero v1.0 Universell (CC0 1.0)",
                "https://creativecommons.org/publicdomain/zero/1.0/"),
}
DEFAULT_LICENCE = "dl-by-de/2.0"
#: The EU's data themes (DCAT-AP: dcat:theme), by code.
DATA_THEMES = {"AGRI": "Landwirtschaft", "ECON": "Wirtschaft und Finanzen", "EDUC": "Bildung, Kultur und Sport",
               "ENER": "Energie", "ENVI": "Umwelt", "GOVE": "Regierung und öffentlicher Sektor",
               "HEAL": "Gesundheit", "INTR": "Internationale Themen", "JUST": "Justiz und Sicherheit",
               "REGI": "Regionen und Städte", "SOCI": "Bevölkerung und Gesellschaft",
               "TECH": "Wissenschaft und Technologie", "TRAN": "Verkehr"}
DEFAULT_THEMES = ("SOCI",)

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
