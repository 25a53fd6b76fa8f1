"""``berichtswerk check``: everything a build needs, *all* problems at once, each located the way the
analyst sees the file. Every file is read through its reader (:mod:`berichtswerk.data`); a file that
cannot be read is one problem, and nothing is checked against its (missing) content – one root
cause, reported once. The measures table's own rules live with its reader
(:mod:`berichtswerk.data.measures`); rules that span files are here, prose in :mod:`.prose`, the
structure in :mod:`.structure`, the corrections list in :mod:`.corrections`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from berichtswerk.checks.corrections import corrections_problems
from berichtswerk.checks.prose import prose_problems
from berichtswerk.checks.structure import structure_problems
from berichtswerk.core import colours
from berichtswerk.core.errors import DataError, Problem, did_you_mean
from berichtswerk.data import ausgaben, documents, drucksachen, schema
from berichtswerk.data.gliederung import ID_PATTERN
from berichtswerk.data.measures import validate_measures
from berichtswerk.data.tables import TableFormat, read_table, spreadsheet_row

T = TypeVar("T")


@dataclass
class CheckResult:
    """Outcome of :func:`check_data`: problems (empty = clean) and how each table was read."""

    problems: list[Problem] = field(default_factory=list)
    formats: dict[str, TableFormat] = field(default_factory=dict)

    @property
    def fehler(self) -> list[Problem]:
        return [p for p in self.problems if not p.hinweis]

    @property
    def hinweise(self) -> list[Problem]:
        return [p for p in self.problems if p.hinweis]

    @property
    def ok(self) -> bool:
        return not self.fehler


# --- reference tables and prose ----------------------------------------------------------------


def _require_columns(frame: pd.DataFrame, file_name: str, columns: tuple[str, ...],
                     optional: tuple[str, ...] = ()) -> list[Problem]:
    expected = ", ".join(columns) + (f" (optional: {', '.join(optional)})" if optional else "")
    problems = [Problem(file_name, "Spalte fehlt", f"die Spalten {expected}", zeile=1, spalte=c)
                for c in columns if c not in frame.columns]
    problems += [Problem(file_name, "unbekannte Spalte", f"nur die Spalten {expected}", zeile=1, spalte=c)
                 for c in frame.columns if c not in columns and c not in optional]
    return problems


def _empty_cells(frame: pd.DataFrame, file_name: str, columns: Iterable[str]) -> list[Problem]:
    return [
        Problem(file_name, "Pflichtfeld ist leer", "ein Eintrag", zeile=spreadsheet_row(i), spalte=c)
        for c in columns if c in frame.columns
        for i in frame.index[frame[c].isna()]
    ]


def readable(read: Callable[[], T], problems: list[Problem]) -> T | None:
    """What a reader returns, or ``None`` with its problems noted (the file's one root cause)."""
    try:
        return read()
    except DataError as exc:
        problems += exc.problems
        return None


def _read(path: Path, result: CheckResult, key: str) -> pd.DataFrame | None:
    table = readable(lambda: read_table(path), result.problems)
    if table is None:
        return None
    frame, result.formats[key] = table
    return frame


def check_data(data_dir: str | Path, measures_file: str | Path | None = None) -> CheckResult:
    """Validate the whole data folder (or another measures file against it) without changing it."""
    data_dir = Path(data_dir)
    result = CheckResult()
    problems = result.problems
    if not data_dir.is_dir():
        problems.append(Problem(str(data_dir), "Datenordner nicht gefunden", "ein Ordner wie data/"))
        return result

    bericht = readable(lambda: documents.raw_yaml(data_dir, "bericht"), problems)
    problems += _check_bericht(bericht)
    problems += _check_edition(data_dir, bericht)
    formats = drucksachen.formats_from(bericht) if not _has_format_problems(bericht) else []
    readable(lambda: documents.reference_docx(data_dir), problems)
    hf_doc = readable(lambda: documents.raw_yaml(data_dir, "handlungsfelder"), problems)
    handlungsfelder = _check_handlungsfelder_doc(hf_doc, problems)
    # a file that could not be read is one problem: nothing is checked against its (missing) content
    known_fields: list[str] | None = handlungsfelder if hf_doc is not None else None

    oe = _read(data_dir / schema.FILES["organisationseinheiten"], result, "organisationseinheiten")
    oe_codes: set[str] | None = None
    if oe is not None:
        name = schema.FILES["organisationseinheiten"]
        problems += _require_columns(oe, name, schema.OE_COLUMNS, schema.OE_OPTIONAL_COLUMNS)
        problems += _empty_cells(oe, name, ["oe"])
        if {"name", "mitwirkung"} <= set(oe.columns):
            problems += [Problem(name, "Pflichtfeld ist leer", "ein Name – die Einheit steht in der Liste der "
                                 "Mitwirkenden", zeile=spreadsheet_row(i), spalte="name")
                         for i in oe.index[oe["name"].isna() & oe["mitwirkung"].notna()]]
        if "oe" in oe.columns:
            oe_codes = set(oe["oe"].dropna())
            for i in oe.index[oe["oe"].duplicated(keep="first") & oe["oe"].notna()]:
                problems.append(Problem(name, "OE kommt mehrfach vor", "jede OE genau einmal",
                                        zeile=spreadsheet_row(i), spalte="oe", wert=oe.at[i, "oe"]))

    dez = _read(data_dir / schema.FILES["dezernate"], result, "dezernate")
    if dez is not None:
        problems += _require_columns(dez, schema.FILES["dezernate"], schema.DEZERNAT_COLUMNS)
        problems += _empty_cells(dez, schema.FILES["dezernate"], ["dezernat", "bezeichnung"])
        if "dezernat" in dez.columns:
            problems += [Problem(schema.FILES["dezernate"], "Dezernat kommt mehrfach vor", "jedes Dezernat einmal",
                                 zeile=spreadsheet_row(i), spalte="dezernat", wert=dez.at[i, "dezernat"])
                         for i in dez.index[dez["dezernat"].duplicated(keep="first") & dez["dezernat"].notna()]]
        if oe is not None and "dezernat" in oe.columns and "dezernat" in dez.columns:
            problems += _check_org_tree(oe, set(dez["dezernat"].dropna()))

    ziele = _read(data_dir / schema.FILES["ziele"], result, "ziele")
    ziel_keys: set[tuple[str, str]] = set()
    if ziele is not None:
        name = schema.FILES["ziele"]
        problems += _require_columns(ziele, name, schema.ZIELE_COLUMNS)
        problems += _empty_cells(ziele, name, schema.ZIELE_COLUMNS)
        if set(schema.ZIELE_COLUMNS) <= set(ziele.columns):
            for i in ziele.index[ziele.duplicated(subset=["handlungsfeld", "ziel"], keep="first")
                                 & ziele["ziel"].notna()]:
                problems.append(Problem(name, "Ziel kommt im Handlungsfeld mehrfach vor", "jedes Ziel einmal je "
                                        "Handlungsfeld", zeile=spreadsheet_row(i), spalte="ziel",
                                        wert=ziele.at[i, "ziel"]))
            unknown = ~ziele["handlungsfeld"].isin(handlungsfelder) if known_fields is not None else False
            for i in ziele.index[ziele["handlungsfeld"].notna() & unknown]:
                value = ziele.at[i, "handlungsfeld"]
                problems.append(Problem(name, "unbekanntes Handlungsfeld", "eines der Handlungsfelder aus "
                                        "handlungsfelder.yaml" + did_you_mean(value, handlungsfelder),
                                        zeile=spreadsheet_row(i), spalte="handlungsfeld", wert=value))
            ziel_keys = set(zip(ziele["handlungsfeld"], ziele["ziel"], strict=True))

    measures_path = Path(measures_file) if measures_file else data_dir / schema.FILES["massnahmen"]
    measures = _read(measures_path, result, "massnahmen")
    measure_hf: dict[str, str] = {}
    if measures is not None:
        name = measures_path.name
        problems += validate_measures(measures, name, known_fields, oe_codes, formats, _number_pattern(bericht))
        if {"nr", "handlungsfeld", "ziel"} <= set(measures.columns):
            for i, row in zip(measures.index, measures.to_dict("records"), strict=True):
                if schema.is_filled(row["nr"]):
                    measure_hf.setdefault(str(row["nr"]).strip(), row["handlungsfeld"])
                if ziel_keys and schema.is_filled(row["ziel"]) and row["handlungsfeld"] in handlungsfelder and \
                        (row["handlungsfeld"], row["ziel"]) not in ziel_keys:
                    problems.append(Problem(name, "Ziel steht nicht in ziele.csv",
                                            f"ein Ziel des Handlungsfelds „{row['handlungsfeld']}“ aus ziele.csv "
                                            "(Schreibweise genau gleich)",
                                            zeile=spreadsheet_row(i), spalte="ziel", wert=row["ziel"]))

    if hf_doc and measures is not None:
        problems += _check_citations(hf_doc, measure_hf)

    ausblick = readable(lambda: documents.raw_yaml(data_dir, "ausblick"), problems)
    problems += structure_problems(data_dir)
    problems += prose_problems(data_dir, hf_doc, ausblick)
    problems += corrections_problems(data_dir)
    return result


def _check_org_tree(oe: pd.DataFrame, dezernate: set[str]) -> list[Problem]:
    """Every unit hangs under a Dezernat, another unit or the head of administration – without cycles."""
    name = schema.FILES["organisationseinheiten"]
    codes = set(oe["oe"].dropna())
    parent = dict(zip(oe["oe"], oe["dezernat"], strict=True))
    found = []
    allowed = f"ein Dezernat aus dezernate.csv ({', '.join(sorted(dezernate))}), eine OE oder „{schema.HEAD}“"
    for i in oe.index[oe["dezernat"].notna()]:
        value = oe.at[i, "dezernat"]
        if value not in dezernate and value not in codes and value != schema.HEAD:
            found.append(Problem(name, "unbekannte übergeordnete Stelle", allowed, zeile=spreadsheet_row(i),
                                 spalte="dezernat", wert=value))
            continue
        seen, step = {oe.at[i, "oe"]}, value
        while step in codes and step not in dezernate:
            if step in seen:
                found.append(Problem(name, "Einheiten sind sich gegenseitig übergeordnet (Kreis)",
                                     "eine Baumstruktur unter Dezernaten oder der Verwaltungsspitze",
                                     zeile=spreadsheet_row(i), spalte="dezernat", wert=value))
                break
            seen.add(step)
            step = parent.get(step)
    return found


def _check_edition(data_dir: Path, bericht: Any) -> list[Problem]:
    """``vergleich_mit`` names a frozen edition that is still as it was frozen."""
    if not isinstance(bericht, dict) or bericht.get(ausgaben.COMPARE_KEY) is None:
        return []
    try:
        ausgaben.edition_data_dir(data_dir, str(bericht[ausgaben.COMPARE_KEY]))
    except DataError as exc:
        return [dataclasses.replace(p, datei=f"{schema.FILES['bericht']} → {p.datei}") for p in exc.problems]
    return []


def _number_pattern(doc: Any) -> str:
    """The declared form of measure numbers, or the default where it is missing or broken (reported)."""
    pattern = schema.measure_number_pattern(doc if isinstance(doc, dict) else None)
    try:
        re.compile(pattern)
    except re.error:
        return schema.DEFAULT_MEASURE_NUMBER
    return pattern


def _has_format_problems(doc: Any) -> bool:
    return isinstance(doc, dict) and bool(drucksachen.format_problems(doc))


def _check_bericht(doc: Any) -> list[Problem]:
    """Title page, imprint and the report's own words: every key the templates use."""
    name = schema.FILES["bericht"]
    if doc is None:
        return []
    if not isinstance(doc, dict):
        return [Problem(name, "keine Zuordnung", "Schlüssel wie titel, untertitel, …")]
    found = [Problem(name, f"Angabe „{key}“ fehlt", "„" + "“, „".join(schema.BERICHT_KEYS) + "“", ort=key)
             for key in schema.BERICHT_KEYS if doc.get(key) in (None, "")]
    impressum = doc.get("impressum")
    if isinstance(impressum, dict):
        found += [Problem(name, f"Angabe „impressum.{key}“ fehlt", "ein Text", ort="impressum")
                  for key in schema.IMPRESSUM_KEYS if not impressum.get(key)]
    found += [Problem(name, problem, "ein regulärer Ausdruck mit benannten Teilen, z. B. "
                      "'(?P<nummer>\\d{4}) \\((?P<wahlperiode>[IVX]+)\\) (?P<art>BDs|IDs)'",
                      ort="formate.drucksachen") for problem in drucksachen.format_problems(doc)]
    number = ((doc.get("formate") or {}) if isinstance(doc.get("formate"), dict) else {}).get("massnahme_nr")
    if number is not None:
        try:
            re.compile(str(number))
        except re.error as exc:
            found.append(Problem(name, f"Muster der Maßnahmen-Nr. ungültig ({exc})", "ein regulärer Ausdruck wie '\\d+'",
                                 ort="formate.massnahme_nr", wert=str(number)))
    labels = doc.get("beschriftungen")
    if isinstance(labels, dict):
        found += [Problem(name, f"Beschriftung „{key}“ fehlt", meaning, ort="beschriftungen")
                  for key, meaning in schema.BESCHRIFTUNGEN.items() if not isinstance(labels.get(key), str)]
    return found + _check_open_data(doc.get("offene_daten"))


_URL = re.compile(r"https?://[^\s<>\"]+")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


def _check_open_data(given: Any) -> list[Problem]:
    """``offene_daten``: known keys, a licence and themes from their vocabularies, web addresses, a
    period of years or dates; a contact without e-mail or web address is a hint (DCAT-AP.de K01)."""
    name, ort = schema.FILES["bericht"], "offene_daten"
    if given is None:
        return []
    if not isinstance(given, dict):
        return [Problem(name, "keine Zuordnung", "Schlüssel wie " + ", ".join(schema.OPEN_DATA_KEYS), ort=ort)]
    found = [Problem(name, f"unbekannter Schlüssel „{key}“", ", ".join(schema.OPEN_DATA_KEYS) + did_you_mean(
        str(key), schema.OPEN_DATA_KEYS), ort=ort) for key in given if key not in schema.OPEN_DATA_KEYS]
    licence = given.get("lizenz")
    if licence is not None and str(licence) not in schema.LICENCES:
        found.append(Problem(name, "unbekannte Lizenz", "eine von " + ", ".join(schema.LICENCES)
                             + did_you_mean(str(licence), schema.LICENCES), ort=f"{ort}.lizenz", wert=str(licence)))
    themes = given.get("themen")
    for theme in themes if isinstance(themes, list) else [] if themes is None else [themes]:
        if str(theme) not in schema.DATA_THEMES:
            found.append(Problem(name, "unbekanntes Thema", "Codes des EU-Vokabulars Data Theme, z. B. " + ", ".join(
                f"{code} ({meaning})" for code, meaning in list(schema.DATA_THEMES.items())[:3]) + " …"
                + did_you_mean(str(theme), schema.DATA_THEMES), ort=f"{ort}.themen", wert=str(theme)))
    contact = given.get("kontakt") if isinstance(given.get("kontakt"), dict) else {}
    for place, value in (("adresse", given.get("adresse")), ("landingpage", given.get("landingpage")),
                         ("kontakt.url", contact.get("url"))):
        if value is not None and not _URL.fullmatch(str(value)):
            found.append(Problem(name, "keine Internetadresse", "eine Adresse wie https://www.example.org/bericht/",
                                 ort=f"{ort}.{place}", wert=str(value)))
    if contact.get("email") is not None and not _EMAIL.fullmatch(str(contact["email"])):
        found.append(Problem(name, "keine E-Mail-Adresse", "eine Adresse wie integration@example.org",
                             ort=f"{ort}.kontakt.email", wert=str(contact["email"])))
    if not contact.get("url") and not contact.get("email"):
        found.append(Problem(name, "Kontakt ohne E-Mail- oder Internetadresse", "kontakt: mit email oder url – "
                             "Open-Data-Portale verlangen eine (DCAT-AP.de, Konvention 1)", ort=f"{ort}.kontakt",
                             hinweis=True))
    period = given.get("zeitraum")
    for key, value in (period.items() if isinstance(period, dict) else []):
        if key not in ("von", "bis") or not _year_or_date(value):
            found.append(Problem(name, "Zeitraum nicht lesbar", "von: und bis: mit einem Jahr (2016) oder Datum "
                                 "(2021-02-09)", ort=f"{ort}.zeitraum.{key}", wert=str(value)))
    return found


def _year_or_date(value: Any) -> bool:
    if isinstance(value, (dt.date, int)):
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return bool(re.fullmatch(r"\d{4}", str(value)))
    return True


def _check_handlungsfelder_doc(doc: Any, problems: list[Problem]) -> list[str]:
    name = schema.FILES["handlungsfelder"]
    if doc is None:
        return []
    entries = doc.get("handlungsfelder") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        problems.append(Problem(name, "Liste „handlungsfelder“ fehlt", "handlungsfelder: mit einer Liste"))
        return []
    titles: list[str] = []
    slugs: list[str] = []
    for position, entry in enumerate(entries, start=1):
        for key in ("titel", "slug", "einleitung"):
            if not isinstance(entry, dict) or not entry.get(key):
                problems.append(Problem(name, f"Angabe „{key}“ fehlt", f"„{key}“ bei jedem Handlungsfeld",
                                        ort=f"Handlungsfeld Nr. {position} der Liste"))
        where = f"Handlungsfeld Nr. {position} der Liste"
        if isinstance(entry, dict) and entry.get("titel"):
            if entry["titel"] in titles:
                problems.append(Problem(name, "Titel kommt mehrfach vor", "jeden Titel einmal", ort=where,
                                        spalte="titel", wert=str(entry["titel"])))
            titles.append(entry["titel"])
        if isinstance(entry, dict) and entry.get("slug"):
            if entry["slug"] in slugs:
                problems.append(Problem(name, "Kurzname kommt mehrfach vor", "jeden Kurznamen einmal", ort=where,
                                        spalte="slug", wert=str(entry["slug"])))
            slugs.append(entry["slug"])
        if isinstance(entry, dict) and entry.get("slug") and not ID_PATTERN.match(str(entry["slug"])):
            problems.append(Problem(name, "Kurzname ungültig", "nur a–z, 0–9 und Bindestriche, z. B. „bildung-und-sprache“",
                                    ort=f"Handlungsfeld Nr. {position} der Liste", spalte="slug", wert=str(entry["slug"])))
        if isinstance(entry, dict) and entry.get("farbe") is not None:
            colour = str(entry["farbe"])
            if not colours.HEX.match(colour):
                problems.append(Problem(name, "Farbe ungültig", "eine Farbe wie „#1d4e89“ (oder keine Angabe)",
                                        ort=f"Handlungsfeld Nr. {position} der Liste", spalte="farbe", wert=colour))
            elif colours.contrast(colour) < colours.MIN_CONTRAST:
                problems.append(Problem(name, f"Farbe zu hell (Kontrast {colours.contrast(colour):.1f} : 1 auf Weiß)",
                                        "mindestens 4,5 : 1 – eine dunklere Farbe oder keine Angabe",
                                        ort=f"Handlungsfeld Nr. {position} der Liste", spalte="farbe", wert=colour))
    return titles


def _check_citations(doc: dict[str, Any], measure_hf: dict[str, str]) -> list[Problem]:
    """Every "vgl. Anhang Maßnahme Nr. X" must point at a measure of the same Handlungsfeld."""
    name = schema.FILES["handlungsfelder"]
    problems = []
    for entry in doc.get("handlungsfelder", []):
        if not isinstance(entry, dict):
            continue
        for position, beispiel in enumerate(entry.get("beispiele") or [], start=1):
            where = f"Handlungsfeld „{entry.get('titel')}“, Beispiel {position}"
            for nr in beispiel.get("massnahmen") or []:
                nr = str(nr)
                if nr not in measure_hf:
                    problems.append(Problem(name, "Beispiel verweist auf eine Maßnahme, die es nicht gibt",
                                            "eine Nr. aus massnahmen.csv", ort=where, spalte="massnahmen",
                                            wert=str(nr)))
                elif measure_hf[nr] != entry.get("titel"):
                    problems.append(Problem(name, f"Maßnahme Nr. {nr} gehört zum Handlungsfeld "
                                            f"„{measure_hf[nr]}“", f"eine Maßnahme des Handlungsfelds "
                                            f"„{entry.get('titel')}“", ort=where, spalte="massnahmen", wert=str(nr)))
    return problems
