"""Read a spreadsheet the way analysts hand it in: canonical UTF-8 CSV, CSV as German Excel saves it
(``;`` separator, Windows-1252), or ``.xlsx``. The format is recognised by content, not by the file
name, because exported files are routinely renamed. A file that is no table we can read is one
:class:`~berichtswerk.core.errors.Problem` (in a :class:`~berichtswerk.core.errors.DataError`)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from berichtswerk.core.errors import DataError, Problem

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc


@dataclass(frozen=True)
class TableFormat:
    """How a file was recognised; shown to the user in ``check``."""

    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None

    def describe(self) -> str:
        if self.kind == "xlsx":
            return "Excel-Arbeitsmappe (.xlsx)"
        return f"CSV ({self.encoding}, Trennzeichen „{self.delimiter}“)"


EXPECTED = "CSV (UTF-8) oder Excel-Arbeitsmappe (.xlsx)"


def _unreadable(name: str, message: str, expected: str = EXPECTED) -> DataError:
    return DataError([Problem(name, message, expected)])


def sniff_format(raw: bytes, name: str) -> TableFormat:
    """Tell the file's format from its first bytes; :class:`DataError` if it is no table."""
    if raw.startswith(_XLSX_MAGIC):
        return TableFormat("xlsx")
    if raw.startswith(_OLE_MAGIC):
        raise _unreadable(name, "altes Excel-Format (.xls) oder anderes Office-Dokument",
                          EXPECTED + " – bitte in Excel „Speichern unter … Excel-Arbeitsmappe (*.xlsx)“ wählen")
    if b"\x00" in raw[:4096]:
        raise _unreadable(name, "keine Tabelle (Binärdatei)")
    try:
        text = raw.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        # Excel's "CSV (Trennzeichen-getrennt)" on German Windows writes Windows-1252.
        text = raw.decode("cp1252", errors="strict") if _is_cp1252(raw) else None
        if text is None:
            raise _unreadable(name, "Text in unbekannter Kodierung",
                              "CSV in UTF-8 (oder Windows-1252, wie Excel es speichert) oder .xlsx") from None
        encoding = "cp1252"
    header = text.splitlines()[0] if text else ""
    if not header.strip():
        raise _unreadable(name, "die Datei ist leer oder hat keine Kopfzeile")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return TableFormat("csv", encoding, delimiter)


def _is_cp1252(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def read_table(path: str | Path) -> tuple[pd.DataFrame, TableFormat]:
    """Read every cell as text (``None`` where empty), keeping the spreadsheet's column names.

    Nothing is converted here: typing happens after validation so that a bad value is reported
    as the analyst typed it.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _unreadable(path.name, "Datei fehlt", f"die Datei {path}") from None
    except PermissionError:
        raise _unreadable(path.name, "Datei nicht lesbar (keine Leserechte)") from None
    except OSError as exc:
        raise _unreadable(path.name, f"Datei nicht lesbar ({exc.strerror or exc})") from None
    fmt = sniff_format(raw, path.name)
    try:
        if fmt.kind == "xlsx":
            frame = pd.read_excel(io.BytesIO(raw), dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            text = raw.decode("utf-8-sig" if fmt.encoding == "utf-8" else fmt.encoding)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=fmt.delimiter,
                dtype=str,
                keep_default_na=False,
                quoting=csv.QUOTE_MINIMAL,
            )
    except (ValueError, KeyError, pd.errors.ParserError, OSError, zipfile.BadZipFile) as exc:
        raise _unreadable(path.name, f"nicht als Tabelle lesbar ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.astype(object).map(_cell)
    return frame, fmt


def _cell(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\r\n", "\n").strip()
    return text or None


def spreadsheet_row(index: int) -> int:
    """Row number as shown in a spreadsheet for the record at 0-based ``index`` (header = row 1)."""
    return int(index) + 2
