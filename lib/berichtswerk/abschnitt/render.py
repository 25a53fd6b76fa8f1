"""The report's building blocks for notebooks: data in, a displayable block out (a
:class:`~berichtswerk.blocks.Fragment` of prose, a :class:`~berichtswerk.blocks.Tabelle`). The markup
lives in Jinja templates (``templates/fragmente``, autoescaped); prose from data goes through the one
sanitising Markdown pipeline (:mod:`.markdown`).

Headings inside blocks are relative to the chapter they stand in (``h2`` = first level below it); the
assembler numbers and shifts them. Chapter headings come from the structure, not from here."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from markupsafe import Markup

from berichtswerk.abschnitt import counts
from berichtswerk.abschnitt.blocks import Fragment, Tabelle, tabelle_aus_frame
from berichtswerk.core.formats import zahl
from berichtswerk.data import ausgaben, schema
from berichtswerk.data.report_data import ReportData
from berichtswerk.markup import markdown, templating


def _fragment(html: str, text: str = "", farbe: str | None = None) -> Fragment:
    return Fragment(html, farbe, text)


def prosa(text: str) -> Fragment:
    """Markdown prose (from data or an analyst) as report text."""
    return _fragment(markdown.render(text), text[:60])


def text(data: ReportData, name: str) -> Fragment:
    """A prose file from ``data/texte/<name>.md``."""
    return prosa(data.text(name))


def zwischentitel(titel: str, farbe: str | None = None) -> Fragment:
    """An unnumbered sub-heading below the chapter (coloured like the chapter)."""
    return _fragment(templating.render("abschnitt", "zwischentitel", titel=titel, id=None), titel, farbe)


# --- one Handlungsfeld ------------------------------------------------------------------------------


def handlungsfeld_kopf(data: ReportData, handlungsfeld: str | None = None) -> Fragment:
    """The field's intro text with its footnotes (written in the text, ``[^name]``)."""
    hf = data.handlungsfeld(handlungsfeld)
    html = templating.render("abschnitt", "handlungsfeld_kopf", einleitung=Markup(markdown.render(hf["einleitung"])),
                             slug=hf["slug"])
    return _fragment(html, hf["titel"], hf["farbe"])


def handlungsfeld_ziele(data: ReportData, handlungsfeld: str | None = None) -> Fragment:
    """"Wo wollten wir hin?": the field's Ziele, each with the number of measures serving it."""
    hf = data.handlungsfeld(handlungsfeld)
    ziele = counts.ziele_with_counts(data, hf["titel"]).to_dict("records")
    html = (templating.render("abschnitt", "zwischentitel", titel=data.beschriftung("ziele"), id=f"{hf['slug']}-ziele")
            + templating.render("abschnitt", "ziele", ziele=ziele))
    return _fragment(html, data.beschriftung("ziele"), hf["farbe"])


def verweis(nr: object) -> Markup:
    """The report's citation of a measure, as a working link into the appendix."""
    return Markup(templating.render("abschnitt", "verweis", nr=str(nr), anker=schema.anchor(nr)))


def handlungsfeld_erreicht(data: ReportData, handlungsfeld: str | None = None) -> Fragment:
    """"Was haben wir erreicht?": the report's examples with links into the appendix; where the data
    gives none, the field's measures grouped by Ziel with their status instead – recognisably
    generated (the wording is ``ohne_beispiele`` in ``bericht.yaml``), so a planned measure is never
    presented as an achievement."""
    hf = data.handlungsfeld(handlungsfeld)
    beispiele = []
    for _, b in data.beispiele(hf["titel"]).iterrows():
        links = ", ".join(str(verweis(nr)) for nr in b["massnahmen"])
        body = markdown.render(b["text"]).rstrip()
        body = re.sub(r"</(p|li)>\s*(</[uo]l>)?\s*$",
                      lambda m, links=links: f" ({links})</{m.group(1)}>" + (m.group(2) or ""), body, count=1)
        beispiele.append(Markup(body))
    gruppen = []
    if not beispiele:
        measures = data.massnahmen(hf["titel"])
        for ziel in data.ziele(hf["titel"])["ziel"]:
            rows = measures[measures["ziel"] == ziel]
            if len(rows):
                gruppen.append({"ziel": ziel, "massnahmen": [
                    {"titel": r["titel"], "nr": None if pd.isna(r["nr"]) else str(r["nr"]),
                     "anker": None if pd.isna(r["nr"]) else schema.anchor(r["nr"]), "status": str(r["status"])}
                    for r in rows.to_dict("records")]})
    html = (templating.render("abschnitt", "zwischentitel", titel=data.beschriftung("erreicht"), id=f"{hf['slug']}-erreicht")
            + templating.render("abschnitt", "erreicht", beispiele=beispiele, gruppen=gruppen,
                                hinweis=data.beschriftung("ohne_beispiele") if not beispiele else ""))
    return _fragment(html, data.beschriftung("erreicht"), hf["farbe"])


def kennzahlen(data: ReportData, handlungsfeld: str | None = None) -> Fragment:
    """Key figures: measures, units involved, council papers cited, Ziele (for one field or all)."""
    k = counts.key_figures(data, handlungsfeld)
    items = [("Maßnahmen", k.massnahmen), ("beteiligte Organisationseinheiten", k.organisationseinheiten),
             ("zitierte Drucksachen", k.drucksachen), ("Ziele", k.ziele)]
    if k.ohne_nr:
        items.insert(1, ("weitere Einträge ohne Nr.", k.ohne_nr))
    label = f"Kennzahlen {handlungsfeld}" if handlungsfeld else "Kennzahlen des Berichts"
    farbe = data.handlungsfeld(handlungsfeld)["farbe"] if handlungsfeld else None
    return _fragment(templating.render("abschnitt", "kennzahlen", titel=label, eintraege=items), label, farbe)


def handlungsfeld_in_zahlen(data: ReportData, handlungsfeld: str | None = None) -> Fragment:
    """The sub-heading and key figures of one field (the chart follows as a figure of its own)."""
    hf = data.handlungsfeld(handlungsfeld)
    titel = data.beschriftung("in_zahlen")
    head = templating.render("abschnitt", "zwischentitel", titel=titel, id=f"{hf['slug']}-zahlen", erzeugt=True)
    return _fragment(head, titel, hf["farbe"]) + kennzahlen(data, hf["titel"])


# --- summary ----------------------------------------------------------------------------------------


def prosa_und_anmerkungen(text: str) -> tuple[Fragment, Fragment]:
    """Prose and its footnotes as two blocks, so a chapter can show its notes at its end (after its
    tables) while the markers stay in the prose."""
    body, notes = markdown.render_with_notes(text)
    return _fragment(body, text[:60]), _fragment(notes, "Anmerkungen")


def massnahmen_je_handlungsfeld_tabelle(data: ReportData) -> Tabelle:
    per_hf = counts.measures_per_handlungsfeld(data)
    names = [f"{n} {t}" if n else t for n, t in zip(per_hf["nummer"], per_hf["handlungsfeld"], strict=True)]
    frame = pd.DataFrame({"Handlungsfeld": names, "Ziele": per_hf["ziele"], "Maßnahmen": per_hf["massnahmen"],
                          "Einträge ohne Nr.": per_hf["ohne_nr"]})
    total = pd.DataFrame([{"Handlungsfeld": "Gesamt", **{c: int(frame[c].sum()) for c in frame.columns[1:]}}])
    return tabelle_aus_frame(pd.concat([frame, total], ignore_index=True),
                             "Ziele und Maßnahmen je Handlungsfeld", "massnahmen-je-handlungsfeld")


def ziele_ohne_massnahmen(data: ReportData) -> Fragment:
    empty = counts.ziele_without_measures(data)
    if empty.empty:
        return _fragment('<p class="erzeugt">Jedes Ziel hat mindestens eine Maßnahme.</p>')
    word = "Ziel hat" if len(empty) == 1 else "Ziele haben"
    items = [f"{r['ziel']} ({r['handlungsfeld']})" for _, r in empty.iterrows()]
    html = templating.render("abschnitt", "liste", einleitung=f"{zahl(len(empty))} {word} im Bericht keine Maßnahme:",
                             eintraege=items, klasse="erzeugt")
    return _fragment(html, "Ziele ohne Maßnahmen")


def ausblick(data: ReportData) -> Tabelle:
    """The outlook: one table per Themenfeld, as the report prints it."""
    frame = data.ausblick()
    geplant = data.beschriftung("ausblick_massnahmen")
    html = templating.render("abschnitt", "ausblick", themenfelder=frame.to_dict("records"), geplant=geplant)
    columns = {"themenfeld": "Themenfeld", "ziel": "Ziel", "beschreibung": "Beschreibung",
               "geplante_massnahmen": geplant}
    chosen = frame[[c for c in columns if c in frame.columns]].rename(columns=columns)
    return Tabelle("Themenfelder", "ausblick-themenfelder", list(chosen.columns),
                   chosen.astype(object).where(chosen.notna(), None).to_numpy().tolist(), html)


# --- contributors, appendix, organisation ------------------------------------------------------------


def _unit(unit: pd.Series, name: str | None = None) -> str:
    """"Fachbereich Jugend (51)" – the code in brackets only where it differs from the name."""
    name = str(name or unit["name"])
    return f"{name} ({unit['oe']})" if unit["oe"] != unit["name"] else name


def _contributor(unit: pd.Series) -> str:
    """A unit as the list of contributors names it (``name_mitwirkende`` where that differs)."""
    return _unit(unit, unit["name_mitwirkende"] if pd.notna(unit["name_mitwirkende"]) else None)


def mitwirkende(data: ReportData, einleitung: str | None = None, schluss: str | None = None) -> Fragment:
    """Chapter 5: who wrote the report (from the units' ``mitwirkung``), framed by two prose texts."""
    oe = data.organisationseinheiten()
    named = oe[oe["name"].notna()]
    html = templating.render(
        "abschnitt", "mitwirkende",
        einleitung=Markup(markdown.render(data.text(einleitung))) if einleitung else "",
        schluss=Markup(markdown.render(data.text(schluss))) if schluss else "",
        mitgewirkt=[_contributor(u) for _, u in named[named["mitwirkung"] == "mitgewirkt"].iterrows()],
        involviert=[_contributor(u) for _, u in named[named["mitwirkung"] == "involviert"].iterrows()],
        weitere=data.beschriftung("mitwirkende_weitere"))
    return _fragment(html, "Mitwirkende")


def _description_blocks(titel: str, text: str) -> tuple[bool, list[dict]]:
    """A measure's cell text as paragraphs and lists ("- …" bullets, "1. …" numbered lines)."""
    lines = text.split("\n")
    blocks: list[dict] = []
    for i, line in enumerate(lines):
        kind = "ul" if line.startswith("- ") else "ol" if re.match(r"^\d+\. ", line) else None
        content = re.sub(r"^(- |\d+\. )", "", line)
        if kind:
            if blocks and blocks[-1]["art"] == kind:
                blocks[-1]["eintraege"].append(content)
            else:
                blocks.append({"art": kind, "eintraege": [content]})
        elif i == 0 and line == titel:
            blocks.append({"art": "titel", "text": content})
        else:
            blocks.append({"art": "p", "text": content})
    return lines[0] == titel, blocks


def _reference(text: str) -> Markup | str:
    return Markup(markdown.render_inline(f"<{text}>")) if text.startswith(("http://", "https://")) else text


def anhang_tabelle(data: ReportData) -> Tabelle:
    """Table 6.1: one table per Handlungsfeld, Ziel rows as group headers, one row per measure."""
    m = data.massnahmen()
    ziele = data.ziele()
    comparison, edition = data.vergleich(), data.vergleich_mit()
    marks: dict[str, str] = {}
    if comparison is not None:
        marks = {str(r["nr"]): str(r["art"]) for _, r in comparison.iterrows() if not pd.isna(r["nr"])}
    # plain records, grouped once: a row as a pandas Series costs more than rendering it
    records = m.to_dict("records")
    # once per unit, not per row: each lookup is also recorded as a dependency
    units = {code: data.oe_name(code) if data.hat_oe_namen(code) and data.oe_name(code) != code else None
             for code in dict.fromkeys(c for r in records for c in r["oe"])}
    by_goal: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in records:
        by_goal.setdefault((str(r["handlungsfeld"]), r["ziel"]), []).append(r)
    felder = []
    for _, hf in data.handlungsfelder("titel,slug").iterrows():
        gruppen = []
        for ziel in ziele.loc[ziele["handlungsfeld"] == hf["titel"], "ziel"]:
            rows = []
            for r in by_goal.get((hf["titel"], ziel), []):
                in_text, blocks = _description_blocks(r["titel"], r["beschreibung"])
                rows.append({
                    "nr": None if pd.isna(r["nr"]) else str(r["nr"]),
                    "anker": None if pd.isna(r["nr"]) else schema.anchor(r["nr"]),
                    "titel": r["titel"], "titel_in_text": in_text, "bloecke": blocks,
                    "oe": [(c, units[c]) for c in r["oe"]],
                    "drucksachen": [str(d) for d in r["drucksachen"]],
                    "weitere": [_reference(x) for x in r["weitere_infos"]],
                    "status": str(r["status"]),
                    "vergleich": None if pd.isna(r["nr"]) else marks.get(str(r["nr"])) if marks.get(
                        str(r["nr"])) in ("neu", "beendet") else None,
                })
            gruppen.append({"ziel": ziel, "zeilen": rows})
        nummer = data.nummer(hf["titel"])
        felder.append({"slug": hf["slug"], "ueberschrift": f"{nummer} {hf['titel']}" if nummer else hf["titel"],
                       "gruppen": gruppen})
    html = templating.render("abschnitt", "anhang", felder=felder, ausgabe=edition,
                             spalte_massnahme=data.beschriftung("anhang_massnahme"),
                             spalte_verweise=data.beschriftung("anhang_verweise"))
    columns = ["Nr.", "Handlungsfeld", "Ziel", "Titel", "Beschreibung", "Status", "OE", "Drucksachen",
               "Weitere Infos"] + ([f"seit {edition}"] if comparison is not None else [])
    rows = [[None if pd.isna(r["nr"]) else _number_value(r["nr"]), str(r["handlungsfeld"]), r["ziel"], r["titel"],
             r["beschreibung"], str(r["status"]), "; ".join(r["oe"]), "; ".join(str(d) for d in r["drucksachen"]),
             "; ".join(r["weitere_infos"])] + ([marks.get(str(r["nr"]), "vorher beendet")] if comparison is not None
                                               else []) for r in records]
    return Tabelle(data.beschriftung("anhang_tabelle"), "massnahmen", columns, rows, html)


def vergleich_uebersicht(data: ReportData) -> Tabelle | Fragment:
    """Per Handlungsfeld: measures new since the previous edition, continued, ended, status changed."""
    comparison, name = data.vergleich(), data.vergleich_mit()
    if comparison is None:
        return _no_comparison()
    frame = ausgaben.summary(comparison, list(data.handlungsfelder("titel")["titel"]))
    return tabelle_aus_frame(frame, f"Maßnahmen im Vergleich zur Ausgabe {name} (Übersicht aus den Daten)",
                             "vergleich-uebersicht")


def vergleich_liste(data: ReportData, art: str) -> Tabelle | None:
    """The measures of one kind (``neu`` or ``beendet``) since the previous edition, in report order
    (``None`` without a comparison: :func:`vergleich_uebersicht` already says so)."""
    comparison, name = data.vergleich(), data.vergleich_mit()
    if comparison is None:
        return None
    chosen = comparison[comparison["art"] == art]
    frame = pd.DataFrame({"Nr.": chosen["nr"].fillna("ohne Nr."), "Maßnahme": chosen["titel"],
                          "Handlungsfeld": chosen["handlungsfeld"],
                          "Status": chosen["status_jetzt"].fillna("nicht mehr aufgeführt")})
    title = {"neu": f"Neu seit der Ausgabe {name}", "beendet": f"Beendet seit der Ausgabe {name}"}[art]
    return tabelle_aus_frame(frame.reset_index(drop=True), title, f"vergleich-{art}")


def _no_comparison() -> Fragment:
    """Shown instead of a comparison when ``bericht.yaml`` names no previous edition – so the notebook
    still runs as-is on any data (in JupyterLab and with plain papermill)."""
    text = ("Kein Vergleich: bericht.yaml nennt keine frühere Ausgabe (vergleich_mit). Eine veröffentlichte "
            "Ausgabe einfrieren mit „berichtswerk einfrieren NAME“, dann vergleich_mit: NAME eintragen.")
    return _fragment(templating.render("abschnitt", "warnung", text=text), text)


def _number_value(nr: str) -> int | str:
    """A measure number for the design team's spreadsheets: a number where it is one."""
    return int(nr) if str(nr).isdigit() else str(nr)


def aufbauorganisation(data: ReportData) -> Tabelle:
    """The organisation chart as a tree of any depth: the head of administration, the units directly
    under it, the Dezernate and their units, and units under units."""
    oe = data.organisationseinheiten()
    shown = oe[oe["name"].notna() & oe["dezernat"].notna()]

    def units_under(parent: str) -> list[dict]:
        return [{"text": _unit(u), "kinder": units_under(u["oe"]) if u["oe"] != parent else []}
                for _, u in shown[shown["dezernat"] == parent].iterrows()]

    dezernate = [{**d.to_dict(), "einheiten": units_under(d["dezernat"])} for _, d in data.dezernate().iterrows()]
    head = data.bericht("verwaltungsspitze")
    spitze = data.beschriftung("spitze_organigramm")
    html = templating.render("abschnitt", "organigramm", spitze=f"{spitze} {head}" if head else spitze,
                             bereich=data.beschriftung("organigramm_bereich"),
                             direkt=units_under(schema.HEAD), dezernate=dezernate)
    columns = ["OE", "Name", "Dezernat", "Mitwirkung am Bericht"]
    chosen = oe[["oe", "name", "dezernat", "mitwirkung"]]
    return Tabelle("Organisationseinheiten", "organisationseinheiten", columns,
                   chosen.astype(object).where(chosen.notna(), None).to_numpy().tolist(), html)
