"""The design-team handoff, ``outputs/design/``: the report HTML with its stylesheet as a separate
file, every figure of every section as SVG and 300-dpi PNG, every table as CSV and XLSX, and
``LIESMICH.md`` listing it all. Figures and tables come from the executed notebooks (collected by the
:class:`~berichtswerk.exporters.content.ContentPreprocessor`), named from chapter file and label.

Handoff files are inert: a cell a spreadsheet would read as a formula (leading ``= + - @``, tab or
carriage return) gets a leading apostrophe in CSV and is stored as text in XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import xlsxwriter

from berichtswerk.core.files import atomic_write
from berichtswerk.core.hashing import digest
from berichtswerk.core.versions import version
from berichtswerk.markup import templating

_STYLE = re.compile(r"<style>\n(.*?)\n</style>", re.DOTALL)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def split_stylesheet(markup: str) -> tuple[str, str]:
    """Move the inline stylesheet into ``bericht.css`` and link it instead."""
    match = _STYLE.search(markup)
    if not match:
        raise ValueError("Kein <style>-Block im Bericht gefunden")
    linked = markup[: match.start()] + '<link rel="stylesheet" href="bericht.css">' + markup[match.end():]
    return linked, match.group(1)


def inert(value: Any) -> Any:
    """A cell value no spreadsheet will evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table_csv(columns: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([inert(c) for c in columns])
    writer.writerows([["" if v is None else inert(v) for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(title: str, columns: list[str], rows: list[list[Any]]) -> bytes:
    """One sheet; every text cell is stored as text (never as a formula, number or link). XlsxWriter
    writes rows as they come (openpyxl builds a cell object for each of a large appendix's hundred
    thousand cells first); the fixed creation date keeps equal tables equal bytes."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        book.set_properties({"created": dt.datetime(2000, 1, 1)})
        sheet = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Tabelle")
        for r, row in enumerate([columns, *rows]):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write(r, c, value)
    return buffer.getvalue()


def _xlsx_shaping() -> str:
    """What shapes an XLSX besides its cells: XlsxWriter's version and this module's code."""
    return digest(f"XlsxWriter {version('XlsxWriter')}", Path(__file__).read_bytes())


def export_design(report_html: str, resources: dict[str, Any], bericht: dict[str, Any], target: Path,
                  cache: Path, force: bool = False, reference_docx: bytes | None = None) -> list[Path]:
    """Write the handoff into ``target`` (created); return the files written, relative to it.

    XLSX files are cached by their content and everything that shapes them (XlsxWriter's version and
    this module's code); ``force`` writes them anew."""
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)

    markup, css = split_stylesheet(report_html)
    (target / "bericht.html").write_text(markup, encoding="utf-8")
    (target / "bericht.css").write_text(css, encoding="utf-8")
    written += [Path("bericht.html"), Path("bericht.css")]

    chart_dir = target / "abbildungen"
    chart_dir.mkdir()
    for figure in resources.get("abbildungen", []):
        (chart_dir / f"{figure['datei']}.svg").write_text(figure["svg"], encoding="utf-8")
        written.append(Path("abbildungen") / f"{figure['datei']}.svg")
        if figure["png"]:
            (chart_dir / f"{figure['datei']}.png").write_bytes(figure["png"])
            written.append(Path("abbildungen") / f"{figure['datei']}.png")

    table_dir = target / "tabellen"
    table_dir.mkdir()
    shaping = _xlsx_shaping()
    for table in resources.get("tabellen", []):
        name = table["datei"]
        data = table_csv(table["spalten"], table["zeilen"])
        (table_dir / f"{name}.csv").write_bytes(data)
        xlsx = cache / f"{digest(data, shaping)[:32]}.xlsx"
        if force or not xlsx.is_file():
            atomic_write(xlsx, xlsx_bytes(table.get("titel") or name, table["spalten"], table["zeilen"]))
        shutil.copyfile(xlsx, table_dir / f"{name}.xlsx")
        written += [Path("tabellen") / f"{name}.csv", Path("tabellen") / f"{name}.xlsx"]

    if reference_docx is not None:  # the Word file's look: the design team edits it, the report keeps it
        (target / "vorlage.docx").write_bytes(reference_docx)
        written.append(Path("vorlage.docx"))
    (target / "LIESMICH.md").write_text(_liesmich(bericht, resources, css), encoding="utf-8")
    written.append(Path("LIESMICH.md"))
    return written


def zip_folder(folder: Path, archive: Path, cache: Path | None = None) -> None:
    """``folder`` as a zip with fixed dates (equal content, equal bytes). With a ``cache`` folder the
    archive is compressed only when a file in it changed; otherwise the cached one is copied."""
    files = [(str(p.relative_to(folder.parent)), p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()]
    key = digest(*(name.encode() + b"\0" + content for name, content in files))[:32]
    cached = cache / f"{key}.zip" if cache else None
    if cached is not None and cached.is_file():
        shutil.copyfile(cached, archive)
        return
    # level 3, not zlib's 6: a third of the time for a tenth more bytes (the appendix's tables at
    # 100-fold data: 0.36 s instead of 0.95 s)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content, compresslevel=3)
    if cached is not None:
        for old in cached.parent.glob("*.zip"):
            old.unlink(missing_ok=True)
        atomic_write(cached, archive.read_bytes())


def _liesmich(bericht: dict[str, Any], resources: dict[str, Any], css: str) -> str:
    return templating.render("assembly", "liesmich", titel=bericht.get("titel", ""), abbildungen=resources.get("abbildungen", []),
                             tabellen=resources.get("tabellen", []), klassen=_css_classes(css)) + "\n"


def _css_classes(css: str) -> list[str]:
    found = re.findall(r"\.([a-z][a-z0-9_-]*(?:--[a-z0-9-]+)?)", re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL))
    return sorted(set(found))
