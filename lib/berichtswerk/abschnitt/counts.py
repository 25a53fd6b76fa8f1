"""Figures computed from the measures: counts per unit, per Handlungsfeld, per Ziel, and the key
figures of a section. Pure functions of the loaded data; given a Handlungsfeld they read only that
field's data (which is what the section is then recorded to depend on)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from berichtswerk.data.report_data import ReportData

#: The measure columns counts are made of – not titles or descriptions, so a text edit re-runs no chart.
COUNTED = "nr,handlungsfeld,ziel,oe,drucksachen"


def measures_per_oe(data: ReportData, handlungsfeld: str | None = None) -> pd.DataFrame:
    """Measures per organisational unit (a measure with two units counts for both), most first;
    measures without a unit are counted as "ohne Angabe"."""
    exploded = data.massnahmen(handlungsfeld, COUNTED).explode("oe")
    codes = exploded["oe"].fillna("")
    counts = codes.value_counts()
    frame = pd.DataFrame({"oe": counts.index, "anzahl": counts.to_numpy()})
    frame["name"] = [data.oe_name(c) if c else "ohne Angabe" for c in frame["oe"]]
    return frame.sort_values(["anzahl", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)


def measures_per_handlungsfeld(data: ReportData) -> pd.DataFrame:
    m, ziele = data.massnahmen(spalten=COUNTED), data.ziele()
    rows = []
    for _, hf in data.handlungsfelder("titel,slug,farbe").iterrows():
        part = m[m["handlungsfeld"] == hf["titel"]]
        rows.append({"nummer": data.nummer(hf["titel"]), "handlungsfeld": hf["titel"], "slug": hf["slug"],
                     "farbe": hf["farbe"], "massnahmen": int(part["nr"].notna().sum()),
                     "ohne_nr": int(part["nr"].isna().sum()),
                     "ziele": int((ziele["handlungsfeld"] == hf["titel"]).sum())})
    return pd.DataFrame(rows, columns=["nummer", "handlungsfeld", "slug", "farbe", "massnahmen", "ohne_nr", "ziele"])


def ziele_with_counts(data: ReportData, handlungsfeld: str) -> pd.DataFrame:
    """The field's Ziele in table order with the number of entries serving each."""
    ziele = data.ziele(handlungsfeld)[["ziel"]].copy()
    counts = data.massnahmen(handlungsfeld, COUNTED).groupby("ziel", observed=True).size()
    ziele["anzahl"] = [int(counts.get(z, 0)) for z in ziele["ziel"]]
    return ziele


def ziele_without_measures(data: ReportData, handlungsfeld: str | None = None) -> pd.DataFrame:
    m, ziele = data.massnahmen(handlungsfeld, COUNTED), data.ziele(handlungsfeld)
    used = set(zip(m["handlungsfeld"].astype(str), m["ziel"], strict=True))
    mask = [(h, z) not in used for h, z in zip(ziele["handlungsfeld"], ziele["ziel"], strict=True)]
    return ziele[mask].reset_index(drop=True)


def matrix_handlungsfeld_oe(data: ReportData) -> pd.DataFrame:
    """Handlungsfeld × unit: number of measures; columns ordered by total, rows in report order."""
    exploded = data.massnahmen(spalten=COUNTED).explode("oe").dropna(subset=["oe"])
    exploded = exploded.assign(name=[data.oe_name(c) for c in exploded["oe"]])
    table = pd.crosstab(exploded["handlungsfeld"], exploded["name"])
    table = table.reindex(list(data.handlungsfelder("titel")["titel"]), fill_value=0)
    order = table.sum().sort_values(ascending=False, kind="stable").index
    return table[order]


@dataclass(frozen=True)
class KeyFigures:
    massnahmen: int
    ohne_nr: int
    organisationseinheiten: int
    drucksachen: int
    ziele: int
    ziele_ohne_massnahme: int


def key_figures(data: ReportData, handlungsfeld: str | None = None) -> KeyFigures:
    m = data.massnahmen(handlungsfeld, COUNTED)
    units = {c for cell in m["oe"] for c in cell}
    papers = {d.kennung for cell in m["drucksachen"] for d in cell}
    return KeyFigures(
        massnahmen=int(m["nr"].notna().sum()),
        ohne_nr=int(m["nr"].isna().sum()),
        organisationseinheiten=len(units),
        drucksachen=len(papers),
        ziele=len(data.ziele(handlungsfeld)),
        ziele_ohne_massnahme=len(ziele_without_measures(data, handlungsfeld)),
    )
