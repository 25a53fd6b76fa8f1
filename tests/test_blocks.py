"""What analysts display becomes report content: DataFrames as accessible tables, cell options."""

from __future__ import annotations

import pandas as pd
from berichtswerk.abschnitt.blocks import tabelle_aus_frame
from berichtswerk.core.mime import HTML_MIME, TABLE_MIME
from berichtswerk.markup.cell_options import parse
from bs4 import BeautifulSoup


def table(frame: pd.DataFrame, titel: str | None = "Titel") -> BeautifulSoup:
    return BeautifulSoup(tabelle_aus_frame(frame, titel).html, "html.parser")


def test_dataframe_becomes_an_accessible_table_in_german_format() -> None:
    frame = pd.DataFrame({"Amt": ["Bau", "Kultur"], "Anzahl": [1234, 5], "Anteil": [12.5, 3.25],
                          "Aktiv": [True, False]})
    soup = table(frame, "Maßnahmen je Amt")
    assert soup.caption.get_text() == "Maßnahmen je Amt"
    assert [th["scope"] for th in soup.thead.find_all("th")] == ["col"] * 4
    rows = soup.tbody.find_all("tr")
    assert rows[0].th["scope"] == "row" and rows[0].th.get_text() == "Bau"
    assert [td.get_text() for td in rows[0].find_all("td")] == ["1.234", "12,50", "ja"]  # one column, one format
    assert [td.get_text() for td in rows[1].find_all("td")] == ["5", "3,25", "nein"]
    assert not soup.find_all("style") and not soup.find_all(style=True)


def test_default_index_is_dropped_and_a_meaningful_one_kept() -> None:
    plain = table(pd.DataFrame({"a": [1, 2]}))
    assert [th.get_text() for th in plain.thead.find_all("th")] == ["a"]
    named = table(pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"], name="Amt")))
    assert [th.get_text() for th in named.thead.find_all("th")] == ["Amt", "a"]
    assert [th.get_text() for th in named.tbody.find_all("th")] == ["x", "y"]


def test_missing_values_and_markup_in_cells_are_plain_text() -> None:
    soup = table(pd.DataFrame({"Text": ["<script>x</script>", None], "Zahl": [1.0, None]}))
    assert not soup.find_all("script")
    assert "<script>x</script>" in soup.get_text()
    assert [td.get_text() for td in soup.find_all("td")] == ["1", "–"]


def test_table_bundle_carries_data_for_the_design_team() -> None:
    data, meta = tabelle_aus_frame(pd.DataFrame({"a": [1], "b": ["x"]}), "T", "name")._repr_mimebundle_()
    assert data[TABLE_MIME] == {"titel": "T", "name": "name", "spalten": ["a", "b"], "zeilen": [[1, "x"]],
                                "typen": ["integer", "string"], "quelle": None}
    assert '<div class="bw"' in data["text/html"] and "<style>" in data["text/html"]
    assert "<style>" not in data[HTML_MIME]
    assert meta == {"berichtswerk": {"art": "tabelle", "titel": "T", "name": "name", "quelle": None}}


def test_quarto_cell_options() -> None:
    source = "#| label: fig-amt\n#| fig-cap: \"Amt: Anzahl\"\n#| fig-alt: Balken je Amt\n\nx = 1\n#| kein: option"
    assert parse(source).werte == {"label": "fig-amt", "fig-cap": "Amt: Anzahl", "fig-alt": "Balken je Amt"}
    assert parse(source).probleme == ()  # an option line below the code is a comment
    assert parse("x = 1").werte == {}
    assert parse("#| fig-alt: [kaputt\nx").werte == {"fig-alt": "[kaputt"}  # what the person meant
