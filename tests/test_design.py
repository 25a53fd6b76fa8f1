"""The design-team handoff under outputs/design/ is complete and usable."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup

SLUGS = ["partizipation-und-teilhabe", "willkommenskultur", "gefluechtete", "bildung-und-sprache",
         "wirtschaft-und-arbeit", "gesundheit-und-pflege", "vernetzung", "interkulturelle-oeffnung"]


def png_dpi(path: Path) -> float:
    data = path.read_bytes()
    i = data.index(b"pHYs")
    x, _, unit = struct.unpack(">IIB", data[i + 4:i + 13])
    assert unit == 1  # metres
    return x * 0.0254


def test_html_uses_the_separate_stylesheet(built: Path) -> None:
    design = built / "design"
    soup = BeautifulSoup((design / "bericht.html").read_text(encoding="utf-8"), "html.parser")
    assert not soup.find_all("style")
    assert [link["href"] for link in soup.find_all("link")] == ["bericht.css"]
    css = (design / "bericht.css").read_text(encoding="utf-8")
    for slug in SLUGS:
        assert f".handlungsfeld--{slug}" in css
        assert soup.select(f".handlungsfeld--{slug}")


def test_every_chart_as_svg_and_300_dpi_png(built: Path) -> None:
    charts = built / "design" / "abbildungen"
    stems = sorted(p.stem for p in charts.glob("*.svg"))
    assert stems == sorted(p.stem for p in charts.glob("*.png"))
    assert "3-3_gefluechtete_massnahmen_je_oe" in stems and "4_matrix_handlungsfeld_oe" in stems
    assert len(stems) == 11
    for stem in stems:
        assert (charts / f"{stem}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
        assert round(png_dpi(charts / f"{stem}.png")) == 300


def test_every_table_as_csv_and_xlsx_with_the_same_content(built: Path) -> None:
    tables = built / "design" / "tabellen"
    stems = sorted(p.stem for p in tables.glob("*.csv"))
    assert stems == sorted(p.stem for p in tables.glob("*.xlsx"))
    assert {"6-1_massnahmen", "4_massnahmen_je_handlungsfeld", "4_ausblick_themenfelder",
            "3-3_gefluechtete_ziele"} <= set(stems)
    for stem in ("6-1_massnahmen", "3-3_gefluechtete_massnahmen_je_oe"):
        csv = pd.read_csv(tables / f"{stem}.csv", dtype=str, keep_default_na=False)
        xlsx = pd.read_excel(tables / f"{stem}.xlsx", dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(csv, xlsx)


def test_liesmich_lists_everything_and_the_zip_holds_it(built: Path) -> None:
    design = built / "design"
    readme = (design / "LIESMICH.md").read_text(encoding="utf-8")
    for path in list((design / "abbildungen").glob("*.svg")) + list((design / "tabellen").glob("*.csv")):
        assert f"`{path.stem}`" in readme, path.stem
    assert "`.handlungsfeld--gefluechtete`" in readme
    with zipfile.ZipFile(built / "design.zip") as z:
        names = set(z.namelist())
    assert "design/LIESMICH.md" in names and "design/abbildungen/4_matrix_handlungsfeld_oe.svg" in names
