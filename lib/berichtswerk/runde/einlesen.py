"""Read the returned Abfrage workbooks, show what each unit changed, and merge it into ``data/``.

The merge is three-way: *base* is what the query sent (``abfragen/<id>.json``), *return* is what a
unit sent back, *current* is ``data/massnahmen.csv`` now. A field changes where return ≠ base. It is a
conflict – refused until someone decides – where two units changed it differently, or where
``data/`` changed it too since the query. Nothing is written unless every workbook is valid and
conflict-free; then ``massnahmen.csv`` is replaced atomically and the old one is kept under
``sicherungen/<Zeitpunkt>/``."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from berichtswerk.checks.data_folder import check_data
from berichtswerk.core.errors import Problem
from berichtswerk.core.files import atomic_write
from berichtswerk.core.hashing import file_digest
from berichtswerk.core.paths import report_dir
from berichtswerk.data import drucksachen, schema
from berichtswerk.data.documents import load_bericht
from berichtswerk.data.load import load_handlungsfelder, load_organisationseinheiten, load_ziele
from berichtswerk.data.measures import validate_measures
from berichtswerk.runde import abfrage
from berichtswerk.runde.abfrage import (
    COLUMNS,
    EDITABLE,
    MARKER_KIND,
    MARKER_SHEET,
    SHEET,
    Query,
    cell_text,
)

BACKUP_DIR = "sicherungen"


@dataclass
class ReturnedRow:
    zeile: int                       # as Excel shows it
    werte: dict[str, str | None]     # data column → text


@dataclass
class Return:
    """One returned workbook, read and checked on its own."""

    datei: Path
    sha256: str
    abfrage: str | None = None
    oe: str | None = None
    zeilen: dict[str, ReturnedRow] = field(default_factory=dict)   # key → row
    neue: list[ReturnedRow] = field(default_factory=list)
    probleme: list[Problem] = field(default_factory=list)


@dataclass
class Change:
    key: str
    feld: str
    alt: str | None
    neu: str | None


@dataclass
class UnitReport:
    """What one unit's workbook changes, for the printed overview."""

    datei: str
    oe: str
    name: str
    sha256: str
    neu: list[dict[str, str | None]] = field(default_factory=list)
    geaendert: dict[str, list[Change]] = field(default_factory=dict)
    beendet: list[str] = field(default_factory=list)
    unveraendert: int = 0
    bereits_eingelesen: bool = False


@dataclass
class MergePlan:
    query: Query | None
    einheiten: list[UnitReport]
    probleme: list[Problem]
    zeilen: list[dict[str, str | None]]          # the merged massnahmen.csv, in table order
    titel: dict[str, str]                         # key → title, for messages

    @property
    def ok(self) -> bool:
        return not self.probleme

    @property
    def aendert_etwas(self) -> bool:
        return any(u.neu or u.geaendert for u in self.einheiten)


# --- reading one workbook ----------------------------------------------------------------------


def read_return(path: Path) -> Return:
    """Read a workbook as the unit left it; structural problems (not our workbook, a column renamed,
    a locked Nr. edited) go into ``probleme``, located by file, sheet, Excel row and column."""
    result = Return(path, file_digest(path))

    def problem(message: str, expected: str = "", **where: Any) -> None:
        result.probleme.append(Problem(path.name, message, expected, **where))

    try:
        wb = load_workbook(path, data_only=True)
    except Exception:  # noqa: BLE001 – zip, XML and format errors of every kind: the file is not usable
        problem("keine lesbare Excel-Arbeitsmappe", "die zurückgeschickte Datei der Abfrage (.xlsx)")
        return result
    if MARKER_SHEET not in wb.sheetnames or SHEET not in wb.sheetnames:
        problem("keine Arbeitsmappe dieser Abfrage (verstecktes Blatt „berichtswerk“ oder Blatt „Maßnahmen“ fehlt)",
                "eine mit „berichtswerk abfrage“ erzeugte Arbeitsmappe")
        return result
    marker = {cell_text(r[0]): cell_text(r[1]) for r in wb[MARKER_SHEET].iter_rows(values_only=True) if len(r) > 1}
    if marker.get("art") != MARKER_KIND or not marker.get("abfrage") or not marker.get("oe"):
        problem("Kennung der Abfrage fehlt oder ist verändert", "das unveränderte versteckte Blatt „berichtswerk“",
                ort=f"Blatt „{MARKER_SHEET}“")
        return result
    result.abfrage, result.oe = marker["abfrage"], marker["oe"]

    sheet = wb[SHEET]
    where = f"Blatt „{SHEET}“"
    header = [cell_text(c) for c in next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())]
    positions = {}
    for column, label in COLUMNS.items():
        if label in header:
            positions[column] = header.index(label)
        else:
            problem("Spalte fehlt oder wurde umbenannt", "die Spalten " + ", ".join(f"„{x}“" for x in COLUMNS.values()),
                    zeile=1, ort=where, spalte=label)
    if len(positions) < len(COLUMNS):
        return result

    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        cells = {c: cell_text(values[i]) if i < len(values) else None for c, i in positions.items()}
        key, nr = cells["schluessel"], cells["nr"]
        if not key and not nr and not any(cells[c] for c in EDITABLE):
            continue
        row = ReturnedRow(number, {c: cells[c] for c in EDITABLE})
        if not key:
            if nr:
                problem("neue Maßnahme mit Nr.", "„Nr.“ leer lassen – die Nummer vergibt die Koordinierungsstelle",
                        zeile=number, ort=where, spalte=COLUMNS["nr"], wert=nr)
            result.neue.append(row)
            continue
        expected_nr = key.removeprefix("Nr. ") if key.startswith("Nr. ") else None
        if nr != expected_nr:
            problem("die gesperrte Nr. wurde geändert", f"„{expected_nr}“ wie in der Abfrage" if expected_nr else
                    "keine Nr. (wie in der Abfrage)", zeile=number, ort=where, spalte=COLUMNS["nr"], wert=nr or "")
        if key in result.zeilen:
            problem("Maßnahme steht doppelt in der Tabelle (Zeile kopiert?)",
                    f"jede Maßnahme einmal – schon in Zeile {result.zeilen[key].zeile}", zeile=number, ort=where,
                    spalte=COLUMNS["schluessel"], wert=key)
            continue
        result.zeilen[key] = row
    return result


# --- merging -----------------------------------------------------------------------------------


def plan_merge(data_dir: Path, files: list[Path], aeltere: bool = False,
               vorrang: list[Path] | None = None) -> MergePlan:
    """Read every workbook, check it like ``check`` checks data, and compute the merged table.

    ``aeltere``: accept workbooks from an older query (merged against what that query sent).
    ``vorrang``: these workbooks win a conflict (over another unit and over later edits in ``data/``)."""
    project = report_dir(data_dir)
    queries = abfrage.load_queries(project) if abfrage.query_dir(project).is_dir() else {}
    latest = next(reversed(queries.values()), None)
    problems: list[Problem] = []
    if latest is None:
        problems.append(Problem(abfrage.QUERY_DIR, "keine Abfrage verzeichnet",
                                f"zuerst „berichtswerk abfrage“ (legt {abfrage.QUERY_DIR}/<Datum>.json an)"))
    base_check = check_data(data_dir)
    if not base_check.ok:
        problems += [dataclasses.replace(p, meldung="data/ ist schon vor dem Einlesen fehlerhaft: " + p.meldung)
                     for p in base_check.fehler]
    current = abfrage._measure_rows(data_dir)
    current_keys = [abfrage.measure_key(r, i) for i, r in enumerate(current)]
    reference = _Reference.load(data_dir)
    winners = {Path(p).resolve() for p in vorrang or []}

    returns = [read_return(Path(f)) for f in files]
    reports: list[UnitReport] = []
    seen_units: dict[tuple[str, str], Path] = {}
    field_changes: dict[tuple[str, str], list[tuple[Return, str | None]]] = {}
    titles: dict[str, str] = {}
    new_rows: list[tuple[Return, ReturnedRow, UnitReport]] = []
    for ret in returns:
        problems += ret.probleme
        if ret.abfrage is None or not (ret.zeilen or ret.neue) and ret.probleme:
            continue
        query = queries.get(ret.abfrage)
        if query is None:
            problems.append(Problem(ret.datei.name, f"unbekannte Abfrage „{ret.abfrage}“",
                                    "eine Abfrage aus " + abfrage.QUERY_DIR + "/: " + ", ".join(queries) or "–"))
            continue
        unit = query.einheiten.get(ret.oe or "")
        if unit is None:
            problems.append(Problem(ret.datei.name, f"die Abfrage „{query.id}“ ging nicht an OE „{ret.oe}“",
                                    "eine Arbeitsmappe dieser Abfrage"))
            continue
        report = UnitReport(ret.datei.name, unit.oe, unit.name, ret.sha256)
        reports.append(report)
        if any(entry["sha256"] == ret.sha256 for entry in query.eingelesen):
            report.bereits_eingelesen = True
            continue
        if latest is not None and query.id != latest.id and not aeltere:
            problems.append(Problem(ret.datei.name, f"stammt aus der älteren Abfrage {query.id}; die aktuelle ist "
                                    f"{latest.id}", "eine Arbeitsmappe der aktuellen Abfrage – oder bewusst "
                                    "„--aeltere-abfrage“ (abgeglichen mit dem Stand der älteren Abfrage)"))
            continue
        if (query.id, unit.oe) in seen_units:
            problems.append(Problem(ret.datei.name, f"zweite Rückmeldung von {unit.name} zur Abfrage {query.id} "
                                    f"(auch in {seen_units[(query.id, unit.oe)].name})",
                                    "eine Arbeitsmappe je Einheit – die richtige auswählen"))
            continue
        seen_units[(query.id, unit.oe)] = ret.datei
        row_problems = _validate_rows(reference, ret, query)
        problems += row_problems
        for key in unit.massnahmen:
            if key not in ret.zeilen:
                problems.append(Problem(ret.datei.name, f"Maßnahme {key} „{query.basis[key]['titel']}“ fehlt",
                                        "jede Maßnahme der Abfrage bleibt in der Tabelle; beendete bitte mit Status "
                                        "„abgeschlossen“ oder „eingestellt“ markieren", ort=f"Blatt „{SHEET}“"))
        for key, row in ret.zeilen.items():
            if key not in unit.massnahmen:
                problems.append(Problem(ret.datei.name, "Maßnahme gehört nicht zu dieser Einheit",
                                        "nur die Zeilen der Abfrage", zeile=row.zeile, ort=f"Blatt „{SHEET}“",
                                        spalte=COLUMNS["schluessel"], wert=key))
                continue
            base = query.basis[key]
            titles[key] = base["titel"] or key
            changes = [Change(key, f, base.get(f), row.werte[f]) for f in EDITABLE if row.werte[f] != base.get(f)]
            if changes:
                report.geaendert[key] = changes
                if any(c.feld == "status" and c.neu in schema.ENDED_STATUS for c in changes):
                    report.beendet.append(key)
            else:
                report.unveraendert += 1
            for change in changes:
                field_changes.setdefault((key, change.feld), []).append((ret, change.neu))
        new_rows += [(ret, row, report) for row in ret.neue]

    merged = [dict(r) for r in current]
    base_of = {key: (query, query.basis[key]) for query in queries.values() for key in query.basis}
    for (key, name), proposals in field_changes.items():
        values = {value for _, value in proposals}
        chosen = [(r, v) for r, v in proposals if r.datei.resolve() in winners]
        if len(values) > 1 and len(chosen) != 1:
            listed = "; ".join(f"{r.datei.name}: „{_short(v)}“" for r, v in proposals)
            for ret, _ in proposals:
                problems.append(Problem(ret.datei.name, f"Konflikt bei {key} „{titles[key]}“, Spalte "
                                        f"„{COLUMNS[name]}“: zwei Einheiten ändern sie verschieden ({listed})",
                                        "eine Entscheidung: die Arbeitsmappen angleichen oder mit „--vorrang DATEI“ "
                                        "eine gelten lassen", ort=f"Blatt „{SHEET}“", spalte=COLUMNS[name],
                                        zeile=ret.zeilen[key].zeile))
            continue
        ret, value = chosen[0] if chosen else proposals[0]
        index = _current_index(key, base_of[key][1], current, current_keys)
        if index is None:
            problems.append(Problem(ret.datei.name, f"{key} „{titles[key]}“ steht nicht mehr in "
                                    f"{schema.FILES['massnahmen']}", "die Maßnahme in data/ – sie wurde seit der "
                                    "Abfrage entfernt oder umnummeriert", zeile=ret.zeilen[key].zeile,
                                    ort=f"Blatt „{SHEET}“"))
            continue
        now, before = current[index].get(name), base_of[key][1].get(name)
        if now != before and now != value and not chosen:
            problems.append(Problem(ret.datei.name, f"Konflikt bei {key} „{titles[key]}“, Spalte „{COLUMNS[name]}“: "
                                    f"seit der Abfrage auch in data/ geändert („{_short(before)}“ → "
                                    f"„{_short(now)}“), die Rückmeldung sagt „{_short(value)}“",
                                    "eine Entscheidung: data/ oder die Arbeitsmappe angleichen oder mit "
                                    "„--vorrang DATEI“ die Rückmeldung gelten lassen", zeile=ret.zeilen[key].zeile,
                                    ort=f"Blatt „{SHEET}“", spalte=COLUMNS[name]))
            continue
        merged[index][name] = value

    pattern = schema.measure_number_pattern(reference.bericht)
    for ret, row, report in new_rows:
        werte = row.werte
        clash = next((r for r in merged if r["handlungsfeld"] == werte["handlungsfeld"]
                      and (r["titel"] or "").casefold() == (werte["titel"] or "").casefold()), None)
        if clash is not None and werte["titel"]:
            problems.append(Problem(ret.datei.name, "neue Maßnahme gibt es schon"
                                    + (f" (Nr. {clash['nr']})" if clash["nr"] else ""),
                                    "die vorhandene Zeile ändern statt eine neue anzulegen – oder einen anderen Titel",
                                    zeile=row.zeile, ort=f"Blatt „{SHEET}“", spalte=COLUMNS["titel"],
                                    wert=werte["titel"]))
            continue
        entry = {c: None for c in schema.MEASURES_COLUMNS} | werte | {"oe": ret.oe}
        entry["nr"] = _next_number(merged, entry["handlungsfeld"], pattern)
        position = max((i for i, r in enumerate(merged) if r["handlungsfeld"] == entry["handlungsfeld"]),
                       default=len(merged) - 1)
        merged.insert(position + 1, entry)
        report.neu.append(entry)

    if not problems and any(u.neu or u.geaendert for u in reports):
        problems += _check_merged(data_dir, merged)
    query = queries.get(next((r.abfrage for r in returns if r.abfrage in queries), ""), latest)
    return MergePlan(query, reports, _unique(problems), merged, titles)


@dataclass
class _Reference:
    """What returned rows are checked against, read once per merge."""

    handlungsfelder: list[str]
    oe_codes: set[str]
    ziel_pairs: set[tuple[str, str]]
    bericht: dict[str, Any]

    @classmethod
    def load(cls, data_dir: Path) -> _Reference:
        ziele = load_ziele(data_dir)
        return cls(list(load_handlungsfelder(data_dir)["titel"]), set(load_organisationseinheiten(data_dir)["oe"]),
                   set(zip(ziele["handlungsfeld"], ziele["ziel"], strict=True)), load_bericht(data_dir))


def _validate_rows(reference: _Reference, ret: Return, query: Query) -> list[Problem]:
    """The returned rows checked by the same rules as ``massnahmen.csv``, located in the workbook."""
    rows = [(row, query.basis[key]["nr"], query.basis[key]["oe"]) for key, row in ret.zeilen.items()
            if key in query.basis] + [(row, None, ret.oe) for row in ret.neue]
    if not rows:
        return []
    frame = pd.DataFrame([{"nr": nr, **row.werte, "oe": oe} for row, nr, oe in rows],
                         index=[row.zeile - 2 for row, _, _ in rows], columns=list(schema.MEASURES_COLUMNS))
    frame = frame.astype(object).where(frame.notna(), None)
    fields = reference.handlungsfelder
    found = validate_measures(frame, ret.datei.name, fields, reference.oe_codes,
                              drucksachen.formats_from(reference.bericht),
                              schema.measure_number_pattern(reference.bericht))
    for index, row in frame.iterrows():
        if row["handlungsfeld"] in fields and row["ziel"] and (row["handlungsfeld"], row["ziel"]) not in \
                reference.ziel_pairs:
            found.append(Problem(ret.datei.name, "Ziel gehört nicht zum Handlungsfeld",
                                 f"ein Ziel des Handlungsfelds „{row['handlungsfeld']}“ aus der Liste",
                                 zeile=int(index) + 2, spalte="ziel", wert=row["ziel"]))
    return [dataclasses.replace(p, ort=f"Blatt „{SHEET}“", spalte=COLUMNS.get(p.spalte or "", p.spalte))
            for p in sorted(found, key=lambda p: (p.zeile or 0, list(COLUMNS).index(p.spalte)
                                                  if p.spalte in COLUMNS else 99))]


def _check_merged(data_dir: Path, rows: list[dict[str, str | None]]) -> list[Problem]:
    """``check`` with the merged table in place of ``massnahmen.csv``: the merge never writes what
    check would reject."""
    name = schema.FILES["massnahmen"]
    with tempfile.TemporaryDirectory(prefix="berichtswerk-einlesen-") as tmp:
        merged = Path(tmp) / name
        write_measures(merged, rows)
        result = check_data(data_dir, merged)
    return [dataclasses.replace(p, meldung="nach dem Zusammenführen: " + p.meldung) for p in result.fehler]


def _current_index(key: str, base: dict[str, str | None], current: list[dict[str, str | None]],
                   current_keys: list[str]) -> int | None:
    if base.get("nr"):
        return current_keys.index(key) if key in current_keys else None
    # a measure without Nr. is found by its content as sent out
    identity = ("handlungsfeld", "ziel", "titel")
    return next((i for i, r in enumerate(current)
                 if not r.get("nr") and all(r.get(c) == base.get(c) for c in identity)), None)


def _next_number(rows: list[dict[str, str | None]], handlungsfeld: str | None, pattern: str) -> str | None:
    """The next free number: ``max + 1`` for plain numbers; ``3.(max + 1)`` where a field numbers its
    measures "3.1, 3.2, …"; ``None`` (no number, which the table allows) where neither fits."""
    numbers = [r["nr"] for r in rows if r.get("nr")]
    if all(n.isdigit() for n in numbers):
        candidate = str(max((int(n) for n in numbers), default=0) + 1)
    else:
        own = [r["nr"] for r in rows if r.get("nr") and r["handlungsfeld"] == handlungsfeld]
        parts = [re.fullmatch(r"(.*\D)(\d+)", n) for n in own]
        prefixes = {m.group(1) for m in parts if m}
        if len(prefixes) != 1 or not all(parts):
            return None
        prefix = prefixes.pop()
        candidate = prefix + str(max(int(m.group(2)) for m in parts if m) + 1)
    return candidate if re.fullmatch(pattern, candidate) else None


def _short(value: str | None, limit: int = 80) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


# --- writing -----------------------------------------------------------------------------------


def write_measures(path: Path, rows: list[dict[str, str | None]]) -> None:
    """``massnahmen.csv`` as the project keeps it (UTF-8, ``,``, minimal quoting, ``\\n``), via a
    temporary file in the same folder and an atomic rename: a reader sees the old or the new file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(schema.MEASURES_COLUMNS)
    writer.writerows([["" if r.get(c) is None else r[c] for c in schema.MEASURES_COLUMNS] for r in rows])
    atomic_write(path, buffer.getvalue())


def apply_merge(data_dir: Path, plan: MergePlan, now: dt.datetime | None = None) -> Path:
    """Keep a backup of ``massnahmen.csv``, write the merged table, note the files in the query
    record. Returns the backup folder."""
    assert plan.ok and plan.query is not None
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d_%H%M%S")
    backup = report_dir(data_dir) / BACKUP_DIR / stamp
    backup.mkdir(parents=True, exist_ok=False)
    source = data_dir / schema.FILES["massnahmen"]
    shutil.copy2(source, backup / source.name)
    write_measures(source, plan.zeilen)
    for report in plan.einheiten:
        if not report.bereits_eingelesen:
            plan.query.eingelesen.append({"datei": report.datei, "oe": report.oe, "sha256": report.sha256,
                                          "eingelesen": stamp, "sicherung": f"{BACKUP_DIR}/{stamp}"})
    plan.query.save(report_dir(data_dir))
    return backup



# --- the overview a person reads ---------------------------------------------------------------


def describe(plan: MergePlan) -> str:
    """Per unit: new measures, changes field by field, ended measures, what stayed the same."""
    lines = []
    if plan.query is not None:
        lines.append(f"Abfrage {plan.query.id} (erstellt {plan.query.erstellt.replace('T', ' ')}), "
                     f"{len(plan.einheiten)} Rückmeldung(en)")
    for unit in plan.einheiten:
        lines.append("")
        lines.append(f"{unit.name} (OE {unit.oe}) – {unit.datei}")
        if unit.bereits_eingelesen:
            lines.append("  bereits eingelesen – wird übersprungen")
            continue
        for entry in unit.neu:
            number = f"erhält Nr. {entry['nr']}" if entry.get("nr") else "ohne Nr."
            lines.append(f"  neu:       „{entry['titel']}“ ({entry['handlungsfeld']}, Status {entry['status']}) – "
                         f"{number}")
        for key, changes in unit.geaendert.items():
            lines.append(f"  geändert:  {key} „{plan.titel.get(key, key)}“")
            for change in changes:
                old, new = _difference(change.alt, change.neu)
                lines.append(f"               {COLUMNS[change.feld]}: {old} → {new}")
        for key in unit.beendet:
            status = next(c.neu for c in unit.geaendert[key] if c.feld == "status")
            lines.append(f"  beendet:   {key} „{plan.titel.get(key, key)}“ ({status})")
        lines.append(f"  unverändert: {unit.unveraendert} Maßnahme(n)")
    return "\n".join(lines)


def _difference(old: str | None, new: str | None, context: int = 30) -> tuple[str, str]:
    """Both values, shortened to the part that differs with some context on each side (cut at word
    boundaries); a line break shows as „↵“."""
    a, b = (" ↵ ".join(" ".join(line.split()) for line in (v or "").split("\n")) for v in (old, new))
    if not a:
        return "(leer)", f"„{_short(b, 120)}“"
    if not b:
        return f"„{_short(a, 120)}“", "(leer)"
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    lo = max(0, start - context)
    lo = a.rfind(" ", 0, lo) + 1 if lo > 0 else 0

    def cut(text: str) -> str:
        hi = min(len(text), len(text) - end + context)
        if hi < len(text):
            space = text.find(" ", hi)
            hi = len(text) if space == -1 else space
        return ("…" if lo > 0 else "") + _short(text[lo:hi], 160) + ("…" if hi < len(text) else "")

    return f"„{cut(a)}“", f"„{cut(b)}“"
