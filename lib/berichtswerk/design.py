"""The design-team handoff, ``outputs/design/``: the report HTML with its one stylesheet as a separate
file, every chart as SVG and 300-dpi PNG, every table as CSV and XLSX, and ``LIESMICH.md`` listing it
all. Team Medienservice lays out the printed report from these files."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import shutil
import zipfile
from pathlib import Path

from . import charts, figures
from .load import ReportData

_STYLE = re.compile(r"<style>\n(.*?)\n</style>", re.DOTALL)
_FIGURE = re.compile(r'<figure\b[^>]*\bdata-name="([^"]+)"[^>]*>(.*?)</figure>', re.DOTALL)
_SVG_SRC = re.compile(r'\bsrc="data:image/svg\+xml;base64,([^"]+)"')
_CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.DOTALL)


def split_stylesheet(markup: str) -> tuple[str, str]:
    """Move the inline stylesheet into ``bericht.css`` and link it instead."""
    match = _STYLE.search(markup)
    if not match:
        raise ValueError("Kein <style>-Block im Bericht gefunden")
    linked = markup[: match.start()] + '<link rel="stylesheet" href="bericht.css">' + markup[match.end():]
    return linked, match.group(1)


def report_charts(report_html: str) -> dict[str, tuple[str, str]]:
    """(SVG, title) of every chart as embedded in the report, by file stem."""
    found = {}
    for name, block in _FIGURE.findall(report_html):
        source, caption = _SVG_SRC.search(block), _CAPTION.search(block)
        if source:
            found[name] = (base64.b64decode(source.group(1)).decode("utf-8"),
                           html.unescape(caption.group(1)) if caption else name)
    return found


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def export_design(report_html: str, data_dir: Path, target: Path, cache: Path) -> list[Path]:
    """Write the handoff into ``target`` (created); return the files written, relative to it.

    PNGs and XLSX files are content-addressed in ``cache`` (by the chart's SVG, by the table's CSV):
    a rebuild after a text edit re-uses them instead of drawing and writing everything again."""
    data = ReportData.load(data_dir)
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)

    markup, css = split_stylesheet(report_html)
    (target / "bericht.html").write_text(markup, encoding="utf-8")
    (target / "bericht.css").write_text(css, encoding="utf-8")
    written += [Path("bericht.html"), Path("bericht.css")]

    chart_dir = target / "abbildungen"
    chart_dir.mkdir()
    svgs = report_charts(report_html)
    drawn: dict[str, charts.Chart] | None = None
    titles: dict[str, str] = {}
    for name, (svg, title) in svgs.items():
        png = cache / f"{_sha(svg.encode())}.png"
        if not png.is_file():
            if drawn is None:
                drawn = {c.name: c for c in charts.all_charts(data)}
            png.write_bytes(drawn[name].png(dpi=300))
        (chart_dir / f"{name}.svg").write_text(svg, encoding="utf-8")
        shutil.copyfile(png, chart_dir / f"{name}.png")
        titles[name] = title
        written += [Path("abbildungen") / f"{name}.svg", Path("abbildungen") / f"{name}.png"]

    table_dir = target / "tabellen"
    table_dir.mkdir()
    tables = figures.all_tables(data)
    for name, frame in tables.items():
        csv = frame.to_csv(index=False).encode("utf-8")
        (table_dir / f"{name}.csv").write_bytes(csv)
        xlsx = cache / f"{_sha(csv)}.xlsx"
        if not xlsx.is_file():
            frame.to_excel(xlsx, index=False, sheet_name=name[:31])
        shutil.copyfile(xlsx, table_dir / f"{name}.xlsx")
        written += [Path("tabellen") / f"{name}.csv", Path("tabellen") / f"{name}.xlsx"]

    (target / "LIESMICH.md").write_text(_liesmich(titles, tables, css), encoding="utf-8")
    written.append(Path("LIESMICH.md"))
    return written


def zip_folder(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder.parent))


def _liesmich(chart_titles: dict[str, str], tables: dict, css: str) -> str:
    classes = _css_classes(css)
    lines = [
        "# Übergabe an die Gestaltung – „Vielfalt und Zusammenhalt“",
        "",
        "Erzeugt von Berichtswerk bei jedem Build aus den Daten; bitte nicht von Hand ändern, sondern",
        "die Daten (`data/`) oder das Stylesheet anpassen.",
        "",
        "## Dateien",
        "",
        "- `bericht.html` – der ganze Bericht; verweist auf `bericht.css`.",
        "- `bericht.css` – das einzige Stylesheet. Farben der Handlungsfelder als CSS-Variablen",
        "  `--hf-<kurzname>`; jede Klasse `.handlungsfeld--<kurzname>` setzt `--hf-farbe`.",
        "- `abbildungen/` – jedes Diagramm als SVG (Vektor) und PNG (300 dpi), gleicher Dateiname:",
    ]
    lines += [f"  - `{name}` – {title}" for name, title in chart_titles.items()]
    lines += ["- `tabellen/` – jede Tabelle als CSV (UTF-8) und XLSX:"]
    lines += [f"  - `{name}`" for name in tables]
    lines += [
        "",
        "Dateinamen: Kapitelnummer mit Bindestrich, Kurzname, Inhalt – z. B. `3-3_gefluechtete_massnahmen_je_oe`.",
        "",
        "## Klassen im Stylesheet",
        "",
        "Diese Klassen tragen die Gestaltung; sie können umgestaltet werden, ohne das HTML zu ändern:",
        "",
    ]
    lines += [f"- `.{c}`" for c in classes]
    return "\n".join(lines) + "\n"


def _css_classes(css: str) -> list[str]:
    found = re.findall(r"\.([a-z][a-z0-9_-]*(?:--[a-z0-9-]+)?)", re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL))
    return sorted(set(found))
