"""The yearly query ("Abfrage"): one Excel workbook per unit, prefilled with its measures.

A query is recorded in ``abfragen/<id>.json`` beside ``data/``: the measures as they were sent out
(the *base* of a later three-way merge), which unit got which file, and later which returned files
were read in. The workbooks carry the query id and the unit in a hidden sheet and each measure's key
in a hidden column, so a returned file can be matched to exactly what was sent, whatever its name."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from berichtswerk.checks.data_folder import check_data
from berichtswerk.core.errors import DataError
from berichtswerk.core.files import atomic_write
from berichtswerk.core.paths import report_dir
from berichtswerk.data import schema
from berichtswerk.data.documents import load_bericht
from berichtswerk.data.load import load_handlungsfelder, load_organisationseinheiten, load_ziele
from berichtswerk.data.tables import read_table
from berichtswerk.markup.templating import render_text

#: Columns of the "Maßnahmen" sheet, in order: data column → header the unit sees.
COLUMNS: dict[str, str] = {
    "nr": "Nr.",
    "handlungsfeld": "Handlungsfeld",
    "ziel": "Ziel",
    "titel": "Titel",
    "beschreibung": "Beschreibung",
    "status": "Status",
    "drucksachen": "Drucksachen",
    "weitere_infos": "weitere Infos",
    "gemeinsam": "gemeinsam mit",
    "schluessel": "Schlüssel",
}
#: What a unit may change; everything else in a row is fixed by the query.
EDITABLE = ("handlungsfeld", "ziel", "titel", "beschreibung", "status", "drucksachen", "weitere_infos")
SHEET = "Maßnahmen"
GUIDE_SHEET = "Anleitung"
LISTS_SHEET = "Listen"
MARKER_SHEET = "berichtswerk"
MARKER_KIND = "berichtswerk-abfrage"
EMPTY_ROWS = 25
QUERY_DIR = "abfragen"


@dataclass
class Unit:
    oe: str
    name: str
    datei: str
    massnahmen: list[str]  # keys


@dataclass
class Query:
    """One round of the Abfrage as recorded in ``abfragen/<id>.json``."""

    id: str
    erstellt: str
    basis: dict[str, dict[str, str | None]]       # key → measure row as text, as sent out
    reihenfolge: list[str]                         # keys in table order
    einheiten: dict[str, Unit]
    nummer: int = 1                                # 1, 2, … in the order queries were made
    eingelesen: list[dict[str, Any]] = field(default_factory=list)

    def save(self, project: Path) -> Path:
        path = query_dir(project) / f"{self.id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n")
        return path

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Query:
        units = {k: Unit(**v) for k, v in doc["einheiten"].items()}
        return cls(doc["id"], doc["erstellt"], doc["basis"], doc["reihenfolge"], units, doc.get("nummer", 1),
                   doc.get("eingelesen", []))


def query_dir(project: Path) -> Path:
    return project / QUERY_DIR


def load_queries(project: Path) -> dict[str, Query]:
    """All recorded queries, oldest first."""
    found = {}
    for path in sorted(query_dir(project).glob("*.json")):
        query = Query.from_json(json.loads(path.read_text(encoding="utf-8")))
        found[query.id] = query
    return dict(sorted(found.items(), key=lambda item: (item[1].nummer, item[1].erstellt)))


def measure_key(row: dict[str, str | None], index: int) -> str:
    """A measure's identity across a round: its Nr., or its row in ``massnahmen.csv`` if it has none."""
    return f"Nr. {row['nr']}" if row.get("nr") else f"Zeile {index + 2} ohne Nr."


def file_name_for(name: str) -> str:
    """``Abfrage <Name der Einheit>.xlsx`` – readable, safe on every file system."""
    safe = re.sub(r"[\\/:*?\"<>|]+", "-", name).strip(" .-")
    return f"Abfrage {safe}.xlsx"


def _new_id_and_number(project: Path, today: dt.date) -> tuple[str, int]:
    """A free id (the date, then "<date>-2", …) and the next sequence number of the queries."""
    queries = load_queries(project) if query_dir(project).is_dir() else {}
    base = today.isoformat()
    ident = next(candidate for candidate in (base, *(f"{base}-{i}" for i in range(2, 1000)))
                 if candidate not in queries)
    return ident, max((q.nummer for q in queries.values()), default=0) + 1


@dataclass
class QueryResult:
    query: Query
    record: Path
    dateien: list[Path]
    ohne_oe: list[str]


def create_query(data_dir: Path, out_dir: Path, today: dt.date | None = None) -> QueryResult:
    """Write one workbook per unit into ``out_dir`` and record the query beside ``data/``.

    The data must pass ``check`` first: a query sent out from broken data comes back broken."""
    result = check_data(data_dir)
    if not result.ok:
        raise DataError(result.fehler)
    project = report_dir(data_dir)
    rows = _measure_rows(data_dir)
    units_frame = load_organisationseinheiten(data_dir)
    names = dict(zip(units_frame["oe"], units_frame["anzeigename"], strict=True))
    keys = [measure_key(r, i) for i, r in enumerate(rows)]
    by_unit: dict[str, list[str]] = {}
    without_unit = []
    for key, row in zip(keys, rows, strict=True):
        codes = schema.split_oe(row["oe"])
        if not codes:
            without_unit.append(key)
        for code in codes:
            by_unit.setdefault(code, []).append(key)
    involved = set(units_frame.loc[units_frame["mitwirkung"].notna(), "oe"])
    order = [code for code in units_frame["oe"] if code in by_unit or code in involved]
    units = {code: Unit(code, str(names[code]), file_name_for(str(names[code])), by_unit.get(code, []))
             for code in order}
    ident, number = _new_id_and_number(project, today or dt.date.today())
    query = Query(ident, dt.datetime.now().isoformat(timespec="seconds"), dict(zip(keys, rows, strict=True)), keys,
                  units, nummer=number)

    context = {
        "handlungsfelder": list(load_handlungsfelder(data_dir)["titel"]),
        "ziele": list(dict.fromkeys(load_ziele(data_dir)["ziel"])),
        "names": {code: str(name) for code, name in names.items()},
        "bericht": load_bericht(data_dir),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in units.values():
        path = out_dir / unit.datei
        _write_workbook(path, query, unit, context)
        written.append(path)
    record = query.save(project)
    return QueryResult(query, record, written, without_unit)


def _measure_rows(data_dir: Path) -> list[dict[str, str | None]]:
    frame, _ = read_table(data_dir / schema.FILES["massnahmen"])
    return [{c: cell_text(frame.at[i, c]) for c in schema.MEASURES_COLUMNS} for i in frame.index]


def cell_text(value: object) -> str | None:
    """A cell as the text a person typed: ``None`` when empty, line breaks as ``\n``, no outer blanks;
    whole numbers a spreadsheet stored as numbers (``12``, ``12.0``) as ``"12"``."""
    if not schema.is_filled(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.strftime("%d.%m.%Y")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _write_workbook(path: Path, query: Query, unit: Unit, context: dict[str, Any]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    headers = list(COLUMNS.values())
    _append_text(ws, headers)
    header_font, header_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    for cell in ws[1]:
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    unlocked, wrap = Protection(locked=False), Alignment(vertical="top", wrap_text=True)
    fixed_fill = PatternFill("solid", fgColor="E7E6E6")
    for key in unit.massnahmen:
        row = query.basis[key]
        others = [context["names"].get(c, f"OE {c}") for c in schema.split_oe(row["oe"]) if c != unit.oe]
        values = {**{c: row.get(c) for c in EDITABLE}, "nr": row.get("nr"),
                  "gemeinsam": ("gemeinsam mit " + ", ".join(others)) if others else None, "schluessel": key}
        _append_text(ws, [values[c] for c in COLUMNS])
    last_filled = ws.max_row
    for _ in range(EMPTY_ROWS):
        ws.append([None] * len(COLUMNS))
    last = ws.max_row
    column_of = {c: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    for row in ws.iter_rows(min_row=2, max_row=last):
        for cell, column in zip(row, COLUMNS, strict=True):
            cell.alignment = wrap
            cell.number_format = "@"  # text: "0349 (IV) BDs" and "01" stay as typed
            if column in EDITABLE:
                cell.protection = unlocked
            elif cell.row <= last_filled:
                cell.fill = fixed_fill
    widths = {"nr": 7, "handlungsfeld": 22, "ziel": 30, "titel": 30, "beschreibung": 60, "status": 14,
              "drucksachen": 22, "weitere_infos": 30, "gemeinsam": 24, "schluessel": 12}
    for column, width in widths.items():
        ws.column_dimensions[column_of[column]].width = width
    ws.column_dimensions[column_of["schluessel"]].hidden = True
    for row in ws.iter_rows(min_row=1, max_row=last_filled):
        ws.row_dimensions[row[0].row].height = _row_height(
            [(cell.value, widths[column]) for cell, column in zip(row, COLUMNS, strict=True)
             if column != "schluessel"])
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{column_of['gemeinsam']}{last}"

    lists = wb.create_sheet(LISTS_SHEET)
    for col, (title, values) in enumerate((("Handlungsfeld", context["handlungsfelder"]), ("Ziel", context["ziele"]),
                                           ("Status", list(schema.STATUS))), start=1):
        for i, value in enumerate([title, *values], start=1):
            lists.cell(i, col, value).data_type = "s"
    lists.sheet_state = "hidden"
    for column, list_col, count in (("handlungsfeld", "A", len(context["handlungsfelder"])),
                                    ("ziel", "B", len(context["ziele"])), ("status", "C", len(schema.STATUS))):
        dv = DataValidation(type="list", formula1=f"{LISTS_SHEET}!${list_col}$2:${list_col}${count + 1}",
                            allow_blank=True, showErrorMessage=True, errorStyle="stop",
                            errorTitle="Bitte aus der Liste wählen",
                            error=f"Bitte einen Eintrag aus der Liste „{COLUMNS[column]}“ wählen.")
        dv.add(f"{column_of[column]}2:{column_of[column]}{last}")
        ws.add_data_validation(dv)

    guide = wb.create_sheet(GUIDE_SHEET, 0)
    text = render_text("runde", "anleitung.txt.j2", abfrage=query, einheit=unit, status=schema.STATUS,
                       bericht_titel=context["bericht"].get("titel", ""),
                       stelle=context["bericht"].get("stelle") or "Koordinierungsstelle")
    for i, line in enumerate(text.splitlines(), start=1):
        cell = guide.cell(i, 1, line or None)
        cell.data_type = "s" if line else cell.data_type
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        guide.row_dimensions[i].height = _row_height([(line, 110)], points=16)
        if i == 1 or line in ("So gehen Sie vor", "Bitte nicht ändern"):
            cell.font = Font(bold=True, size=13 if i == 1 else 11)
    guide.column_dimensions["A"].width = 110

    marker = wb.create_sheet(MARKER_SHEET)
    for item in (("art", MARKER_KIND), ("abfrage", query.id), ("oe", unit.oe), ("einheit", unit.name),
                 ("erstellt", query.erstellt)):
        _append_text(marker, list(item))
    marker.sheet_state = "hidden"

    ws.protection.sheet = True
    ws.protection.autoFilter = False  # False = allowed: filtering and sorting stay usable
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    wb.active = wb.sheetnames.index(SHEET)
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(path, buffer.getvalue())


def _row_height(cells: list[tuple[object, float]], points: float = 15.0) -> float:
    """Height for a row of wrapped cells: spreadsheets do not grow rows to fit text written by a
    program, so the row would show one line of a long description."""
    lines = 1
    for value, width in cells:
        if value:
            chars = max(width * 1.2, 1)  # a column of width w holds about 1.2 w characters at 11 pt
            lines = max(lines, sum(math.ceil(max(len(part), 1) / chars) for part in str(value).split("\n")))
    return min(points * lines + 4, 409)  # 409 pt is Excel's maximum row height


def _append_text(sheet: Any, values: list[str | None]) -> None:
    """Append a row whose text is stored as text: a description starting with "=" is never a formula."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row, col, value)
        if isinstance(value, str):
            cell.data_type = "s"
