"""Figures computed from the measures: counts per unit, per Handlungsfeld, per Ziel, and the key
figures of a section. Pure functions of the loaded data."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .load import ReportData


def measures_of(data: ReportData, handlungsfeld: str | None = None) -> pd.DataFrame:
    m = data.massnahmen
    return m if handlungsfeld is None else m[m["handlungsfeld"] == handlungsfeld]


def measures_per_oe(data: ReportData, handlungsfeld: str | None = None) -> pd.DataFrame:
    """Measures per organisational unit (a measure with two units counts for both), most first;
    measures without a unit are counted as "ohne Angabe"."""
    exploded = measures_of(data, handlungsfeld).explode("oe")
    codes = exploded["oe"].fillna("")
    counts = codes.value_counts()
    frame = pd.DataFrame({"oe": counts.index, "anzahl": counts.to_numpy()})
    frame["name"] = [data.oe_name(c) if c else "ohne Angabe" for c in frame["oe"]]
    return frame.sort_values(["anzahl", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)


def measures_per_handlungsfeld(data: ReportData) -> pd.DataFrame:
    m = data.massnahmen
    rows = []
    for _, hf in data.handlungsfelder.iterrows():
        part = m[m["handlungsfeld"] == hf["titel"]]
        rows.append({"nummer": hf["nummer"], "handlungsfeld": hf["titel"], "slug": hf["slug"],
                     "massnahmen": int(part["nr"].notna().sum()), "ohne_nr": int(part["nr"].isna().sum()),
                     "ziele": int((data.ziele["handlungsfeld"] == hf["titel"]).sum())})
    return pd.DataFrame(rows)


def ziele_with_counts(data: ReportData, handlungsfeld: str) -> pd.DataFrame:
    """The field's Ziele in table order with the number of entries serving each."""
    ziele = data.ziele[data.ziele["handlungsfeld"] == handlungsfeld][["ziel"]].reset_index(drop=True)
    counts = measures_of(data, handlungsfeld).groupby("ziel", observed=True).size()
    ziele["anzahl"] = [int(counts.get(z, 0)) for z in ziele["ziel"]]
    return ziele


def ziele_without_measures(data: ReportData) -> pd.DataFrame:
    used = set(zip(data.massnahmen["handlungsfeld"].astype(str), data.massnahmen["ziel"], strict=True))
    mask = [(h, z) not in used for h, z in zip(data.ziele["handlungsfeld"], data.ziele["ziel"], strict=True)]
    return data.ziele[mask].reset_index(drop=True)


def matrix_handlungsfeld_oe(data: ReportData) -> pd.DataFrame:
    """Handlungsfeld × unit: number of measures; columns ordered by total, rows in report order."""
    exploded = data.massnahmen.explode("oe").dropna(subset=["oe"])
    exploded = exploded.assign(name=[data.oe_name(c) for c in exploded["oe"]])
    table = pd.crosstab(exploded["handlungsfeld"], exploded["name"])
    table = table.reindex(list(data.handlungsfelder["titel"]), fill_value=0)
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
    m = measures_of(data, handlungsfeld)
    units = {c for cell in m["oe"] for c in cell}
    papers = {d.kennung for cell in m["drucksachen"] for d in cell}
    ziele = data.ziele if handlungsfeld is None else data.ziele[data.ziele["handlungsfeld"] == handlungsfeld]
    empty = ziele_without_measures(data)
    if handlungsfeld is not None:
        empty = empty[empty["handlungsfeld"] == handlungsfeld]
    return KeyFigures(
        massnahmen=int(m["nr"].notna().sum()),
        ohne_nr=int(m["nr"].isna().sum()),
        organisationseinheiten=len(units),
        drucksachen=len(papers),
        ziele=len(ziele),
        ziele_ohne_massnahme=len(empty),
    )


def all_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every table of the report as plain data, keyed by a stable, readable file stem
    (for the design-team export): German column names, lists joined with "; "."""
    tables: dict[str, pd.DataFrame] = {}
    for _, hf in data.handlungsfelder.iterrows():
        stem = f"{hf['nummer'].replace('.', '-')}_{hf['slug']}"
        ziele = ziele_with_counts(data, hf["titel"]).rename(columns={"ziel": "Ziel", "anzahl": "Maßnahmen"})
        tables[f"{stem}_ziele"] = ziele
        per_oe = measures_per_oe(data, hf["titel"])
        tables[f"{stem}_massnahmen_je_oe"] = pd.DataFrame(
            {"OE": per_oe["oe"], "Organisationseinheit": per_oe["name"], "Maßnahmen": per_oe["anzahl"]})
    per_hf = measures_per_handlungsfeld(data)
    tables["4_massnahmen_je_handlungsfeld"] = pd.DataFrame({
        "Nummer": per_hf["nummer"], "Handlungsfeld": per_hf["handlungsfeld"], "Ziele": per_hf["ziele"],
        "Maßnahmen": per_hf["massnahmen"], "Einträge ohne Nr.": per_hf["ohne_nr"]})
    per_oe = measures_per_oe(data)
    tables["4_massnahmen_je_oe"] = pd.DataFrame(
        {"OE": per_oe["oe"], "Organisationseinheit": per_oe["name"], "Maßnahmen": per_oe["anzahl"]})
    matrix = matrix_handlungsfeld_oe(data)
    tables["4_matrix_handlungsfeld_oe"] = matrix.reset_index().rename(columns={"handlungsfeld": "Handlungsfeld"})
    tables["4_ziele_ohne_massnahmen"] = ziele_without_measures(data).rename(
        columns={"handlungsfeld": "Handlungsfeld", "ziel": "Ziel"})
    tables["4_ausblick_themenfelder"] = data.ausblick.rename(columns={
        "themenfeld": "Themenfeld", "ziel": "Ziel", "beschreibung": "Beschreibung",
        "geplante_massnahmen": "Exemplarische Auswahl geplanter Maßnahmen und Schritte"})
    m = data.massnahmen
    tables["6-1_massnahmen"] = pd.DataFrame({
        "Nr.": m["nr"], "Handlungsfeld": m["handlungsfeld"].astype(str), "Ziel": m["ziel"], "Titel": m["titel"],
        "Maßnahme (Kurzbeschreibung)": m["beschreibung"],
        "OE": ["; ".join(v) for v in m["oe"]],
        "Drucksachen": ["; ".join(str(d) for d in v) for v in m["drucksachen"]],
        "Weitere Infos": ["; ".join(v) for v in m["weitere_infos"]]})
    tables["6-2_organisationseinheiten"] = data.organisationseinheiten[["oe", "name", "dezernat", "mitwirkung"]].rename(
        columns={"oe": "OE", "name": "Name", "dezernat": "Dezernat", "mitwirkung": "Mitwirkung am Bericht"})
    return tables
