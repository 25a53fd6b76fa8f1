"""The loaded data agrees with the printed report (appendix 6.1, chapters 3 and 5)."""

from __future__ import annotations

import pandas as pd
import pytest
from berichtswerk.data.drucksachen import Drucksache
from berichtswerk.data.load import load_measures
from berichtswerk.data.report_data import ReportData
from conftest import DATA_DIR

# Numbering of appendix 6.1: each Handlungsfeld holds a contiguous range of Nr.
NR_RANGES = {
    "Partizipation und Teilhabe": range(1, 6),
    "Willkommenskultur": range(6, 9),
    "Geflüchtete": range(9, 23),
    "Bildung und Sprache": range(23, 46),
    "Wirtschaft und Arbeit": range(46, 72),
    "Gesundheit und Pflege": range(72, 87),
    "Vernetzung": range(87, 103),
    "Interkulturelle Öffnung": range(103, 130),
}


@pytest.fixture(scope="module")
def data() -> ReportData:
    return ReportData.load(DATA_DIR)


def test_129_numbered_measures_and_5_unnumbered_rows(data: ReportData) -> None:
    m = data.massnahmen()
    assert list(m["nr"].dropna()) == [str(n) for n in range(1, 130)]
    assert m["nr"].isna().sum() == 5


def test_each_handlungsfeld_holds_its_numbers(data: ReportData) -> None:
    m = data.massnahmen().dropna(subset=["nr"])
    for hf, expected in NR_RANGES.items():
        assert list(m.loc[m["handlungsfeld"] == hf, "nr"]) == [str(n) for n in expected], hf


def test_unnumbered_rows_stand_where_the_table_has_them(data: ReportData) -> None:
    m = data.massnahmen().reset_index(drop=True)
    positions = [i for i in m.index[m["nr"].isna()]]
    before = [int(m.at[i - 1, "nr"]) if pd.notna(m.at[i - 1, "nr"]) else None for i in positions]
    assert before == [13, 112, None, None, 128]


def test_measures_per_unit(data: ReportData) -> None:
    per_oe = data.massnahmen().explode("oe")["oe"].value_counts()
    assert per_oe.to_dict() == {
        "51": 27, "11": 23, "80": 21, "50": 15, "32": 13, "52": 10,
        "Jobcenter Region Hannover": 7, "53": 6, "40": 5, "41": 4, "01": 2,
        "Stabsstelle EU-Angelegenheiten": 1, "13": 1,
    }
    assert list(data.massnahmen().loc[data.massnahmen()["nr"] == "8", "oe"].iloc[0]) == ["40", "50", "51"]


def test_all_ziele_including_the_one_without_measures(data: ReportData) -> None:
    ziele = data.ziele()
    assert len(ziele) == 36
    assert ziele["handlungsfeld"].value_counts().to_dict() == {
        "Interkulturelle Öffnung": 8, "Geflüchtete": 6, "Partizipation und Teilhabe": 5,
        "Bildung und Sprache": 5, "Vernetzung": 5, "Wirtschaft und Arbeit": 3,
        "Willkommenskultur": 2, "Gesundheit und Pflege": 2,
    }
    used = set(zip(data.massnahmen()["handlungsfeld"].astype(str), data.massnahmen()["ziel"], strict=True))
    unused = [z for h, z in zip(ziele["handlungsfeld"], ziele["ziel"], strict=True) if (h, z) not in used]
    assert unused == ["Transparenz und Informationen über Geflüchtete und ihre Unterbringung für "
                      "Bürgerinnen und Bürger schaffen"]


def test_examples_cite_the_measures_the_report_cites(data: ReportData) -> None:
    cited = {hf: [int(nr) for nr in nrs] for hf, nrs in
             data._beispiele.groupby("handlungsfeld")["massnahmen"].sum().to_dict().items()}
    assert cited == {
        "Partizipation und Teilhabe": [2, 1, 3, 5],
        "Geflüchtete": [10, 22, 21],
        "Bildung und Sprache": [24, 27, 28, 45, 41, 38],
        "Gesundheit und Pflege": [72, 73, 85, 76, 81, 75],
    }


def test_text_is_clean(data: ReportData) -> None:
    text = " ".join(data.massnahmen()["beschreibung"]) + " ".join(data.massnahmen()["ziel"])
    assert "<p>" not in text and "<ul" not in text and "•" not in text
    assert "Zu- sammenleben" not in text and "Zusammenleben" in text
    assert "Bildungs- und" in text  # a real hyphen stays
    bullets = data.massnahmen().loc[data.massnahmen()["nr"] == "10", "beschreibung"].iloc[0]
    assert bullets.count("\n- ") == 5


def test_types(data: ReportData) -> None:
    m = data.massnahmen()
    assert str(m["nr"].dtype) == "string"  # as written; a report may number "1.1"
    row = m.loc[m["nr"] == "2"].iloc[0]
    assert row["drucksachen"] == [Drucksache("0349 (IV) BDs", "0349", "IV", "BDs"),
                                  Drucksache("2718 (IV) BDs", "2718", "IV", "BDs")]
    assert row["titel"] == "Orientierungsberatungsstelle in der Ausländerbehörde"
    assert m.loc[m["nr"] == "72", "titel"].iloc[0] == "Treffpunkt Kinderwagen"
    assert m.loc[m["nr"] == "45", "titel"].iloc[0] == "MiT (Miteinander in Toleranz)"
    assert m.loc[m["nr"] == "1", "weitere_infos"].iloc[0][0].startswith("https://www.hannover.de/")


def test_organisation_units_name_every_code_used(data: ReportData) -> None:
    oe = data.organisationseinheiten().set_index("oe")
    assert oe.at["51", "name"] == "Fachbereich Jugend"
    assert oe.at["32", "dezernat"] == "I"
    assert data.oe_name("01") == "OE 01"  # the report never names unit 01
    assert (oe["mitwirkung"] == "mitgewirkt").sum() == 9
    assert (oe["mitwirkung"] == "involviert").sum() == 4


@pytest.mark.parametrize("kind", ["xlsx", "german_csv"])
def test_excel_and_german_csv_load_the_same_data(tmp_path, data: ReportData, kind: str) -> None:
    raw = pd.read_csv(DATA_DIR / "massnahmen.csv", dtype=str, keep_default_na=False)
    if kind == "xlsx":
        target = tmp_path / "von_excel.xlsx"
        raw.to_excel(target, index=False)
    else:
        target = tmp_path / "von_excel.csv"  # what "CSV (Trennzeichen-getrennt)" writes in German Excel
        # Windows-1252 has no "ń" (Poznań, Nr. 110): Excel writes "?" there, and so do we.
        raw.to_csv(target, sep=";", encoding="cp1252", errors="replace", index=False)
        assert b"\xfc" in target.read_bytes()  # "ü" in Windows-1252, i.e. really not UTF-8
    loaded = load_measures(target, DATA_DIR)
    expected = data.massnahmen().copy()
    if kind == "german_csv":
        expected["beschreibung"] = expected["beschreibung"].str.replace("ń", "?")
    pd.testing.assert_frame_equal(loaded, expected)
