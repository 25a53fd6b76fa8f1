"""The design-team handoff, ``outputs/design/``: the report HTML with its one stylesheet as a separate
file, every chart as SVG and 300-dpi PNG, every table as CSV and XLSX, and ``LIESMICH.md`` listing it
all. Team Medienservice lays out the printed report from these files."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from . import charts, figures
from .load import ReportData

_STYLE = re.compile(r"<style>\n(.*?)\n</style>", re.S)


def split_stylesheet(markup: str) -> tuple[str, str]:
    """Move the inline stylesheet into ``bericht.css`` and link it instead."""
    match = _STYLE.search(markup)
    if not match:
        raise ValueError("Kein <style>-Block im Bericht gefunden")
    linked = markup[: match.start()] + '<link rel="stylesheet" href="bericht.css">' + markup[match.end():]
    return linked, match.group(1)


def export_design(report_html: str, data_dir: Path, target: Path) -> list[Path]:
    """Write the handoff into ``target`` (created); return the files written, relative to it."""
    data = ReportData.load(data_dir)
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)

    markup, css = split_stylesheet(report_html)
    (target / "bericht.html").write_text(markup, encoding="utf-8")
    (target / "bericht.css").write_text(css, encoding="utf-8")
    written += [Path("bericht.html"), Path("bericht.css")]

    chart_dir = target / "abbildungen"
    chart_dir.mkdir()
    chart_list = charts.all_charts(data)
    for chart in chart_list:
        (chart_dir / f"{chart.name}.svg").write_text(chart.svg, encoding="utf-8")
        (chart_dir / f"{chart.name}.png").write_bytes(chart.png(dpi=300))
        written += [Path("abbildungen") / f"{chart.name}.svg", Path("abbildungen") / f"{chart.name}.png"]

    table_dir = target / "tabellen"
    table_dir.mkdir()
    tables = figures.all_tables(data)
    for name, frame in tables.items():
        frame.to_csv(table_dir / f"{name}.csv", index=False, encoding="utf-8")
        frame.to_excel(table_dir / f"{name}.xlsx", index=False, sheet_name=name[:31])
        written += [Path("tabellen") / f"{name}.csv", Path("tabellen") / f"{name}.xlsx"]

    (target / "LIESMICH.md").write_text(_liesmich(chart_list, tables, css), encoding="utf-8")
    written.append(Path("LIESMICH.md"))
    return written


def zip_folder(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder.parent))


def _liesmich(chart_list: list[charts.Chart], tables: dict, css: str) -> str:
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
    lines += [f"  - `{c.name}` – {c.title}" for c in chart_list]
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
    found = re.findall(r"\.([a-z][a-z0-9_-]*(?:--[a-z0-9-]+)?)", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    return sorted(set(found))
