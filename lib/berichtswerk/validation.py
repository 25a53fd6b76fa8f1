"""Check everything a build needs and report *all* problems at once, each located the way the
analyst sees the file. Column-level rules of the measures table are a pandera schema (validated
lazily, so every failing cell is collected); rules that span files are plain functions below."""

from __future__ import annotations

import dataclasses

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import drucksachen, schema, theme
from .documents import parse_yaml
from .errors import DataError, Problem, UnreadableFileError
from .structure import ID_PATTERN
from .tables import TableFormat, read_table, spreadsheet_row


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


def _suggest(value: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.5)
    return f" – meinten Sie „{lowered[match[0]]}“?" if match else ""


# --- measures table ---------------------------------------------------------------------------


def measures_schema(handlungsfelder: list[str] | None, oe_codes: set[str] | None,
                    formats: list[drucksachen.Format], number_pattern: str) -> Any:
    """``None`` for the Handlungsfelder or units: their file could not be read (reported once there),
    so the cells referring to them are not checked against it."""
    """The pandera schema of ``massnahmen.csv``; check names are keys of :data:`_EXPLAIN`."""
    import pandera.pandas as pa

    def text_column(nullable: bool) -> pa.Column:
        return pa.Column(object, nullable=nullable, required=True)

    return pa.DataFrameSchema(
        {
            "nr": pa.Column(
                object,
                checks=[
                    pa.Check(lambda v: re.fullmatch(number_pattern, str(v).strip()) is not None,
                             element_wise=True, name="nr_format", ignore_na=True),
                    pa.Check(lambda s: s.isna() | ~s.duplicated(keep=False), name="nr_eindeutig"),
                ],
                nullable=True,
            ),
            "handlungsfeld": pa.Column(
                object, [pa.Check.isin(handlungsfelder, name="handlungsfeld_bekannt")] if handlungsfelder is not None
                else [], nullable=False
            ),
            "ziel": text_column(False),
            "titel": text_column(False),
            "beschreibung": text_column(False),
            "status": pa.Column(object, [pa.Check.isin(list(schema.STATUS), name="status_bekannt")], nullable=False),
            "oe": pa.Column(
                object,
                [pa.Check(lambda v: all(c in oe_codes for c in schema.split_oe(v)),
                          element_wise=True, name="oe_bekannt", ignore_na=True)] if oe_codes is not None else [],
                nullable=True,
            ),
            "drucksachen": pa.Column(
                object,
                pa.Check(lambda v: all(drucksachen.is_valid(p, formats) for p in drucksachen.split_references(v)),
                         element_wise=True, name="drucksache_format", ignore_na=True),
                nullable=True,
            ),
            "weitere_infos": text_column(True),
        },
        strict=True,
        coerce=False,
    )


_EXPLAIN = {
    "not_nullable": ("Pflichtfeld ist leer", "ein Eintrag"),
    "nr_format": ("Nr. hat nicht die Form der Maßnahmen-Nummern", "eine Nr. wie „42“ oder leer für Zeilen ohne Nr."),
    "nr_eindeutig": ("Nr. kommt mehrfach vor", "jede Nr. genau einmal"),
}


def validate_measures(
    frame: pd.DataFrame, file_name: str, handlungsfelder: list[str] | None, oe_codes: set[str] | None,
    formats: list[drucksachen.Format] | None = None, number_pattern: str = schema.DEFAULT_MEASURE_NUMBER,
) -> list[Problem]:
    """Every problem of the measures table, in sheet order (column problems first)."""
    import pandera.pandas as pa

    problems: list[Problem] = []
    expected_columns = ", ".join(schema.MEASURES_COLUMNS)
    try:
        measures_schema(handlungsfelder, oe_codes, formats or [], number_pattern).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for case in cases.itertuples(index=False):
            check = str(case.check)
            value = None if pd.isna(case.failure_case) else str(case.failure_case)
            if check == "column_in_dataframe":
                problems.append(Problem(file_name, "Spalte fehlt", f"die Spalten {expected_columns}",
                                        zeile=1, spalte=value))
                continue
            if check == "column_in_schema":
                problems.append(Problem(file_name, "unbekannte Spalte", f"nur die Spalten {expected_columns}",
                                        zeile=1, spalte=value))
                continue
            if check.startswith("dtype"):
                continue
            row = spreadsheet_row(case.index) if not pd.isna(case.index) else None
            column = case.column
            if column == "status" and check != "not_nullable":
                problems.append(Problem(file_name, "unbekannter Status", "einer von " + ", ".join(
                    f"„{s}“ ({erklaerung})" for s, erklaerung in schema.STATUS.items()) + _suggest(value or "", schema.STATUS),
                    zeile=row, spalte=column, wert=value))
            elif check.startswith("handlungsfeld_bekannt") or check.startswith("isin"):
                problems.append(Problem(file_name, "unbekanntes Handlungsfeld",
                                        "eines der Handlungsfelder " + ", ".join(f"„{h}“" for h in handlungsfelder)
                                        + _suggest(value or "", handlungsfelder),
                                        zeile=row, spalte=column, wert=value))
            elif check == "oe_bekannt":
                unknown = [c for c in schema.split_oe(value) if c not in oe_codes]
                problems.append(Problem(file_name, "unbekannte Organisationseinheit " +
                                        ", ".join(f"„{c}“" for c in unknown),
                                        "Codes aus organisationseinheiten.csv (Spalte „oe“), mehrere durch „, “ getrennt"
                                        + (_suggest(unknown[0], {c for c in oe_codes if not c[0].isdigit()})
                                           if unknown and not unknown[0][0].isdigit() else ""),
                                        zeile=row, spalte=column, wert=value))
            elif check == "drucksache_format":
                bad = [p for p in drucksachen.split_references(value) if not drucksachen.is_valid(p, formats or [])]
                problems.append(Problem(file_name, "Drucksache nicht erkannt: " +
                                        ", ".join(f"„{b}“" for b in bad),
                                        drucksachen.expected(formats or []) + " (andere Quellen gehören in „weitere_infos“)",
                                        zeile=row, spalte=column, wert=value))
            elif check == "nr_format":
                problems.append(Problem(file_name, "Nr. hat nicht die Form der Maßnahmen-Nummern",
                                        f"eine Nr. der Form {number_pattern!r} (bericht.yaml, formate.massnahme_nr) "
                                        "oder leer für Zeilen ohne Nr.", zeile=row, spalte=column, wert=value))
            else:
                message, expected = _EXPLAIN.get(check, (f"Regel „{check}“ verletzt", ""))
                problems.append(Problem(file_name, message, expected, zeile=row, spalte=column, wert=value))
    return sorted(problems, key=lambda p: (p.zeile or 0, schema.MEASURES_COLUMNS.index(p.spalte)
                                           if p.spalte in schema.MEASURES_COLUMNS else -1))


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


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(path.name, "Datei fehlt", f"die Datei {path}"))
    except UnicodeDecodeError:
        problems.append(Problem(path.name, "Datei ist nicht UTF-8-kodiert", "Text in UTF-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(path.name, f"YAML nicht lesbar: {getattr(exc, 'problem', exc)}",
                                "gültiges YAML (Einrückung mit Leerzeichen)",
                                zeile=mark.line + 1 if mark else None))
    return None


def _read(path: Path, result: CheckResult, key: str) -> pd.DataFrame | None:
    try:
        frame, fmt = read_table(path)
    except UnreadableFileError as exc:
        result.problems.append(Problem(path.name, str(exc).split(": ", 1)[-1]))
        return None
    result.formats[key] = fmt
    return frame


def check_data(data_dir: str | Path, measures_file: str | Path | None = None) -> CheckResult:
    """Validate the whole data folder (or another measures file against it) without changing it."""
    data_dir = Path(data_dir)
    result = CheckResult()
    problems = result.problems
    if not data_dir.is_dir():
        problems.append(Problem(str(data_dir), "Datenordner nicht gefunden", "ein Ordner wie data/"))
        return result

    bericht = _read_yaml(data_dir / schema.FILES["bericht"], problems)
    problems += _check_bericht(bericht)
    problems += _check_edition(data_dir, bericht)
    formats = drucksachen.formats_from(bericht) if not _has_format_problems(bericht) else []
    hf_doc = _read_yaml(data_dir / schema.FILES["handlungsfelder"], problems)
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
                                        "handlungsfelder.yaml" + _suggest(value, handlungsfelder),
                                        zeile=spreadsheet_row(i), spalte="handlungsfeld", wert=value))
            ziel_keys = set(zip(ziele["handlungsfeld"], ziele["ziel"], strict=True))

    measures_path = Path(measures_file) if measures_file else data_dir / schema.FILES["massnahmen"]
    measures = _read(measures_path, result, "massnahmen")
    measure_hf: dict[str, str] = {}
    if measures is not None:
        name = measures_path.name
        problems += validate_measures(measures, name, known_fields, oe_codes, formats, _number_pattern(bericht))
        if {"nr", "handlungsfeld", "ziel"} <= set(measures.columns):
            for i, row in measures.iterrows():
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

    ausblick = _read_yaml(data_dir / schema.FILES["ausblick"], problems)
    problems += _check_structure(data_dir)
    problems += _check_prose(data_dir, hf_doc, ausblick)
    from . import korrekturen

    problems += korrekturen.problems(data_dir)
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
    from .ausgaben import COMPARE_KEY, edition_data_dir

    if not isinstance(bericht, dict) or bericht.get(COMPARE_KEY) is None:
        return []
    try:
        edition_data_dir(data_dir, str(bericht[COMPARE_KEY]))
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
    return found


def _check_structure(data_dir: Path) -> list[Problem]:
    from .errors import DataError
    from .structure import problems, read_document

    try:
        doc = read_document(data_dir)
    except DataError as exc:
        return exc.problems
    return problems(doc, data_dir)


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle.lower() in line.lower():
            return number
    return None


def _check_prose(data_dir: Path, hf_doc: Any, ausblick: Any) -> list[Problem]:
    """Markup the sanitiser would remove: the author learns of it here, not from a silent report."""
    from . import markdown

    found = []
    note_places: dict[str, str] = {}

    def check(file_name: str, text: Any, where: str | None, raw_file: str | None) -> None:
        if not isinstance(text, str):
            return
        place = file_name + (f", {where}" if where else "")
        body, notes = markdown.split_footnotes(text)
        refs = markdown.footnote_references(text)
        for key in dict.fromkeys(refs):
            if key not in notes:
                found.append(Problem(file_name, f"Anmerkung [^{key}] ohne Text", f"eine Zeile „[^{key}]: …“ im selben "
                                     "Text", ort=where, zeile=_line_of(raw_file, f"[^{key}]") if raw_file else None))
        for key in notes:
            if key not in refs:
                found.append(Problem(file_name, f"Anmerkung [^{key}] wird nirgends im Text verwendet",
                                     f"„[^{key}]“ an der Stelle im Text, auf die sich die Anmerkung bezieht",
                                     ort=where, zeile=_line_of(raw_file, f"[^{key}]:") if raw_file else None))
            elif key in note_places:
                found.append(Problem(file_name, f"Anmerkung [^{key}] gibt es schon ({note_places[key]})",
                                     "jeden Namen einer Anmerkung einmal im ganzen Bericht", ort=where))
            note_places.setdefault(key, place)
        removed = markdown.removed_content(text)
        if removed:
            token = removed[0].strip("<>").split()[0].split("„")[0]
            found.append(Problem(file_name, "nicht erlaubter Inhalt wird entfernt: " + ", ".join(removed),
                                 "Markdown ohne Skripte, Ereignis-Attribute, eingebettete Objekte; Links nur "
                                 "http, https, mailto oder #Anker", ort=where,
                                 zeile=_line_of(raw_file, token) if raw_file else None,
                                 hinweis=True))

    text_dir = data_dir / schema.TEXT_DIR
    for path in sorted(text_dir.glob("*.md")) if text_dir.is_dir() else []:
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            found.append(Problem(f"{schema.TEXT_DIR}/{path.name}", "Datei ist nicht UTF-8-kodiert", "Text in UTF-8"))
            continue
        check(f"{schema.TEXT_DIR}/{path.name}", content, None, content)
    if isinstance(hf_doc, dict):
        for entry in hf_doc.get("handlungsfelder") or []:
            if not isinstance(entry, dict):
                continue
            label = f"Handlungsfeld „{entry.get('titel')}“"
            check(schema.FILES["handlungsfelder"], entry.get("einleitung"), label + ", einleitung", None)
            for i, b in enumerate(entry.get("beispiele") or [], start=1):
                if isinstance(b, dict):
                    check(schema.FILES["handlungsfelder"], b.get("text"), f"{label}, Beispiel {i}", None)
    if isinstance(ausblick, dict):
        for i, t in enumerate(ausblick.get("themenfelder") or [], start=1):
            for key in ("themenfeld", "ziel", "beschreibung", "geplante_massnahmen"):
                if not isinstance(t, dict) or not isinstance(t.get(key), str) or not t[key].strip():
                    found.append(Problem(schema.FILES["ausblick"], f"Angabe „{key}“ fehlt",
                                         "themenfeld, ziel, beschreibung, geplante_massnahmen als Text",
                                         ort=f"Themenfeld {i}"))
            if isinstance(t, dict):
                for key in ("beschreibung", "geplante_massnahmen"):
                    check(schema.FILES["ausblick"], t.get(key), f"Themenfeld {i}, {key}", None)
    return found


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
            if not theme.HEX.match(colour):
                problems.append(Problem(name, "Farbe ungültig", "eine Farbe wie „#1d4e89“ (oder keine Angabe)",
                                        ort=f"Handlungsfeld Nr. {position} der Liste", spalte="farbe", wert=colour))
            elif theme.contrast(colour) < theme.MIN_CONTRAST:
                problems.append(Problem(name, f"Farbe zu hell (Kontrast {theme.contrast(colour):.1f} : 1 auf Weiß)",
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
