"""HTML fragments for the report sections. Notebooks call these and display the result; the
assembler turns the outputs into one document. Every function is pure: data in, markup out.

Conventions the assembler and the stylesheet rely on:
- chapter headings are ``<h1 id="kapitel-N">``, sub-chapters ``<h2 id="kapitel-N-M">``, a
  Handlungsfeld is ``<h2 id="handlungsfeld-<slug>">``; only h1/h2 enter the table of contents;
- each appendix row of a numbered measure has ``id="massnahme-<nr>"`` and every citation of a
  measure links there with the text "vgl. Anhang Maßnahme Nr. X".
"""

from __future__ import annotations

import base64
import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING

import mistune
import pandas as pd

from . import figures
from .format import datum, zahl
from .load import ReportData

if TYPE_CHECKING:
    from .charts import Chart

_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\s+")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def kapitel_id(nummer: str) -> str:
    return "kapitel-" + nummer.replace(".", "-")


def massnahme_id(nr: int) -> str:
    return f"massnahme-{int(nr)}"


def verweis(nr: int) -> str:
    """The report's citation of a measure, as a working link into the appendix."""
    return f'<a class="verweis" href="#{massnahme_id(nr)}">vgl. Anhang Maßnahme Nr.&nbsp;{int(nr)}</a>'


class _Renderer(mistune.HTMLRenderer):
    def heading(self, text: str, level: int, **attrs: object) -> str:
        match = _NUMBERED.match(re.sub(r"<[^>]+>", "", text))
        ident = kapitel_id(match.group(1)) if match else "abschnitt-" + _slug(text)
        return f'<h{level} id="{ident}">{text}</h{level}>\n'


@lru_cache(maxsize=1)
def _markdown() -> mistune.Markdown:
    return mistune.create_markdown(renderer=_Renderer(escape=False), plugins=["strikethrough"])


def markdown(text: str) -> str:
    """Render trusted Markdown from ``data/`` (raw HTML such as the notes block is allowed)."""
    return _markdown()(text)


def _slug(text: str) -> str:
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def kapitel(data: ReportData, nummer: str, text: str | None = None) -> str:
    """Chapter heading (numbered as in the report) followed by its prose from ``data/texte``."""
    titel = data.bericht["kapitel"][nummer]
    level = 1 if "." not in nummer else 2
    body = markdown(text) if text else ""
    return f'<h{level} id="{kapitel_id(nummer)}">{esc(nummer)} {esc(titel)}</h{level}>\n{body}'


# --- chapter 3: one Handlungsfeld --------------------------------------------------------------


def _wrap(data: ReportData, handlungsfeld: str, inner: str) -> str:
    slug = data.handlungsfeld(handlungsfeld)["slug"]
    return f'<div class="handlungsfeld handlungsfeld--{slug}">\n{inner}\n</div>'


def handlungsfeld_kopf(data: ReportData, handlungsfeld: str) -> str:
    """"3.N Titel", the intro text and its footnote(s)."""
    hf = data.handlungsfeld(handlungsfeld)
    notes = []
    if pd.notna(hf["integrationskonzept_seite"]):
        notes.append(f"Vgl. Integrationskonzept der Region Hannover, Seite {int(hf['integrationskonzept_seite'])}.")
    notes += [f'Vgl. <a href="{esc(u)}">{esc(u)}</a>' for u in hf["weitere_quellen"]]
    intro = markdown(hf["einleitung"])
    if notes:
        marks = "".join(f'<sup><a href="#fn-{hf["slug"]}-{i}" id="fnref-{hf["slug"]}-{i}" '
                        f'aria-label="Anmerkung {i}">{i}</a></sup>' for i in range(1, len(notes) + 1))
        intro = re.sub(r"</p>\s*$", marks + "</p>", intro.rstrip(), count=1)
        items = "".join(f'<li id="fn-{hf["slug"]}-{i}">{n}</li>' for i, n in enumerate(notes, start=1))
        intro += f'\n<ol class="anmerkungen" aria-label="Anmerkungen">{items}</ol>'
    inner = (f'<h2 id="handlungsfeld-{hf["slug"]}" class="handlungsfeld__titel">'
             f'{esc(hf["nummer"])} {esc(hf["titel"])}</h2>\n{intro}')
    return _wrap(data, handlungsfeld, inner)


def handlungsfeld_ziele(data: ReportData, handlungsfeld: str) -> str:
    """"Wo wollten wir hin?": the field's Ziele, each with the number of measures serving it."""
    slug = data.handlungsfeld(handlungsfeld)["slug"]
    items = []
    for _, row in figures.ziele_with_counts(data, handlungsfeld).iterrows():
        n = row["anzahl"]
        count = ("keine Maßnahme im Bericht" if n == 0 else f"{zahl(n)} Maßnahme" if n == 1
                 else f"{zahl(n)} Maßnahmen")
        cls = ' class="ziel--ohne"' if n == 0 else ""
        items.append(f'<li{cls}><span class="ziel__text">{esc(row["ziel"])}</span> '
                     f'<span class="ziel__anzahl">{count}</span></li>')
    inner = (f'<h3 id="handlungsfeld-{slug}-ziele">Wo wollten wir hin?</h3>\n'
             f'<ul class="ziele">{"".join(items)}</ul>')
    return _wrap(data, handlungsfeld, inner)


def handlungsfeld_erreicht(data: ReportData, handlungsfeld: str) -> str:
    """"Was haben wir erreicht?": the report's examples with links into the appendix; where the
    report gives none, the field's measures grouped by Ziel instead (and it says so)."""
    slug = data.handlungsfeld(handlungsfeld)["slug"]
    beispiele = data.beispiele[data.beispiele["handlungsfeld"] == handlungsfeld]
    parts = [f'<h3 id="handlungsfeld-{slug}-erreicht">Was haben wir erreicht?</h3>']
    if len(beispiele):
        for _, b in beispiele.iterrows():
            links = ", ".join(verweis(nr) for nr in b["massnahmen"])
            body = markdown(b["text"]).rstrip()
            body = re.sub(r"</(p|li)>\s*(</[uo]l>)?\s*$", lambda m, links=links: f" ({links})</{m.group(1)}>" +
                          (m.group(2) or ""), body, count=1)
            parts.append(f'<div class="beispiel">{body}</div>')
    else:
        parts.append('<p class="hinweis">Der Bericht von 2021 nennt für dieses Handlungsfeld keine '
                     'Beispiele. Hier stehen stattdessen alle Maßnahmen des Handlungsfelds, geordnet '
                     'nach Zielen.</p>')
        measures = figures.measures_of(data, handlungsfeld)
        for ziel in data.ziele.loc[data.ziele["handlungsfeld"] == handlungsfeld, "ziel"]:
            rows = measures[measures["ziel"] == ziel]
            if rows.empty:
                continue
            items = "".join(
                f'<li>{esc(r["titel"])}' + (f' ({verweis(r["nr"])})' if pd.notna(r["nr"]) else "") + "</li>"
                for _, r in rows.iterrows())
            parts.append(f'<h4>{esc(ziel)}</h4><ul class="massnahmenliste">{items}</ul>')
    return _wrap(data, handlungsfeld, "\n".join(parts))


def kennzahlen(data: ReportData, handlungsfeld: str | None = None) -> str:
    """Key figures: measures, units involved, council papers cited (for one field or all)."""
    k = figures.key_figures(data, handlungsfeld)
    items = [("Maßnahmen", k.massnahmen), ("beteiligte Organisationseinheiten", k.organisationseinheiten),
             ("zitierte Drucksachen", k.drucksachen), ("Ziele", k.ziele)]
    if k.ohne_nr:
        items.insert(1, ("weitere Einträge ohne Nr.", k.ohne_nr))
    cells = "".join(f'<div class="kennzahl"><dt>{esc(label)}</dt><dd>{zahl(n)}</dd></div>'
                    for label, n in items)
    label = f"Kennzahlen {handlungsfeld}" if handlungsfeld else "Kennzahlen des Berichts"
    html_ = f'<dl class="kennzahlen" title="{esc(label)}">{cells}</dl>'
    return _wrap(data, handlungsfeld, html_) if handlungsfeld else html_


def handlungsfeld_in_zahlen(data: ReportData, handlungsfeld: str) -> str:
    """Key figures and the chart of the field's measures by organisational unit."""
    from .charts import massnahmen_je_oe

    slug = data.handlungsfeld(handlungsfeld)["slug"]
    inner = (f'<h3 id="handlungsfeld-{slug}-zahlen">Das Handlungsfeld in Zahlen</h3>'
             + kennzahlen(data, handlungsfeld) + abbildung(massnahmen_je_oe(data, handlungsfeld), slug))
    return _wrap(data, handlungsfeld, inner)


def split_anmerkungen(text: str) -> tuple[str, str]:
    """Separate a chapter's prose from its trailing notes block (``<div class="anmerkungen">``)."""
    marker = '<div class="anmerkungen">'
    if marker not in text:
        return text, ""
    body, _, notes = text.partition(marker)
    return body, marker + notes


def abbildung(chart: Chart, handlungsfeld_slug: str | None = None) -> str:
    """A chart as ``<figure>`` with the SVG embedded (no external request) and its text alternative."""
    src = "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode("utf-8")).decode("ascii")
    cls = f" handlungsfeld--{handlungsfeld_slug}" if handlungsfeld_slug else ""
    return (f'<figure class="abbildung{cls}" data-name="{esc(chart.name)}">'
            f'<img src="{src}" alt="{esc(chart.alt)}">'
            f'<figcaption>{esc(chart.title)}</figcaption></figure>')


# --- chapter 4 ---------------------------------------------------------------------------------


def tabelle(frame: pd.DataFrame, caption: str, numeric: tuple[str, ...] = (), css: str = "") -> str:
    head = "".join(f'<th scope="col"{" class=zahl" if c in numeric else ""}>{esc(c)}</th>' for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for i, c in enumerate(frame.columns):
            value = zahl(row[c]) if c in numeric else esc(row[c])
            if i == 0:
                cells.append(f'<th scope="row">{value}</th>')
            else:
                cells.append(f'<td class="zahl">{value}</td>' if c in numeric else f"<td>{value}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="tabelle {css}"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def massnahmen_je_handlungsfeld_tabelle(data: ReportData) -> str:
    per_hf = figures.measures_per_handlungsfeld(data)
    frame = pd.DataFrame({
        "Handlungsfeld": per_hf["nummer"] + " " + per_hf["handlungsfeld"],
        "Ziele": per_hf["ziele"],
        "Maßnahmen": per_hf["massnahmen"],
        "Einträge ohne Nr.": per_hf["ohne_nr"],
    })
    total = pd.DataFrame([{"Handlungsfeld": "Gesamt", "Ziele": frame["Ziele"].sum(),
                           "Maßnahmen": frame["Maßnahmen"].sum(),
                           "Einträge ohne Nr.": frame["Einträge ohne Nr."].sum()}])
    return tabelle(pd.concat([frame, total], ignore_index=True), "Ziele und Maßnahmen je Handlungsfeld",
                   numeric=("Ziele", "Maßnahmen", "Einträge ohne Nr."))


def ziele_ohne_massnahmen(data: ReportData) -> str:
    empty = figures.ziele_without_measures(data)
    if empty.empty:
        return "<p>Jedes Ziel hat mindestens eine Maßnahme.</p>"
    items = "".join(f"<li>{esc(r['ziel'])} <span class=\"ziel__hf\">({esc(r['handlungsfeld'])})</span></li>"
                    for _, r in empty.iterrows())
    word = "Ziel hat" if len(empty) == 1 else "Ziele haben"
    return f"<p>{zahl(len(empty))} {word} im Bericht keine Maßnahme:</p><ul>{items}</ul>"


def ausblick(data: ReportData) -> str:
    """The outlook table: one table per Themenfeld, as the report prints it."""
    parts = []
    for _, t in data.ausblick.iterrows():
        rows = "".join(
            f'<tr><th scope="row">{label}</th><td>{markdown(t[key]) if key != "ziel" else esc(t[key])}</td></tr>'
            for label, key in (("Ziel", "ziel"), ("Beschreibung", "beschreibung"),
                               ("Exemplarische Auswahl geplanter Maßnahmen und Schritte", "geplante_massnahmen")))
        parts.append(f'<table class="tabelle themenfeld"><caption>Themenfeld: {esc(t["themenfeld"])}</caption>'
                     f"<tbody>{rows}</tbody></table>")
    return "\n".join(parts)


# --- chapters 5 and 6 --------------------------------------------------------------------------


def _unit_item(unit: pd.Series) -> str:
    """"Fachbereich Jugend (51)" – the code in brackets only where it differs from the name."""
    code = f" ({esc(unit['oe'])})" if unit["oe"] != unit["name"] else ""
    return f"<li>{esc(unit['name'])}{code}</li>"


def mitwirkende(data: ReportData) -> str:
    oe = data.organisationseinheiten

    def items(role: str) -> str:
        chosen = oe[oe["mitwirkung"] == role]
        return "".join(_unit_item(r) for _, r in chosen.iterrows())

    return (f'{markdown(data.text("kapitel_5"))}<ul class="mitwirkende">{items("mitgewirkt")}</ul>'
            f'<p>Außerdem mit involviert:</p><ul class="mitwirkende">{items("involviert")}</ul>'
            f'{markdown(data.text("kapitel_5_dank"))}')


def _beschreibung(titel: str, text: str) -> str:
    lines = text.split("\n")
    out, open_list = [], None
    for i, line in enumerate(lines):
        kind = "ul" if line.startswith("- ") else "ol" if re.match(r"^\d+\. ", line) else None
        if kind != open_list and open_list:
            out.append(f"</{open_list}>")
            open_list = None
        if kind and not open_list:
            out.append(f"<{kind}>")
            open_list = kind
        content = esc(re.sub(r"^(- |\d+\. )", "", line))
        if kind:
            out.append(f"<li>{content}</li>")
        elif i == 0 and line == titel:
            out.append(f'<p class="massnahme__titel">{content}</p>')
        else:
            out.append(f"<p>{content}</p>")
    if open_list:
        out.append(f"</{open_list}>")
    if lines[0] != titel:
        out.insert(0, f'<p class="massnahme__titel">{esc(titel)}</p>')
    return "".join(out)


def anhang_tabelle(data: ReportData) -> str:
    """Table 6.1: one table per Handlungsfeld, Ziel rows as group headers, one row per measure."""
    m = data.massnahmen
    parts = []
    for _, hf in data.handlungsfelder.iterrows():
        groups = []
        measures = m[m["handlungsfeld"] == hf["titel"]]
        for ziel in data.ziele.loc[data.ziele["handlungsfeld"] == hf["titel"], "ziel"]:
            serving = measures[measures["ziel"] == ziel]
            rows = [f'<tr class="ziel"><th colspan="4" scope="rowgroup">Ziel: {esc(ziel)}</th></tr>']
            if serving.empty:
                rows.append('<tr><td colspan="4" class="hinweis">Keine Maßnahme im Bericht.</td></tr>')
            for _, r in serving.iterrows():
                ident = f' id="{massnahme_id(r["nr"])}"' if pd.notna(r["nr"]) else ""
                nr = esc(r["nr"]) if pd.notna(r["nr"]) else '<span class="ohne-nr">ohne Nr.</span>'
                units = "<br>".join(esc(c) + (f' <span class="oe-name">{esc(data.oe_names[c])}</span>'
                                              if data.oe_names.get(c, c) != c else "")
                                    for c in r["oe"])
                refs = [f'<li class="drucksache">{esc(d)}</li>' for d in r["drucksachen"]]
                refs += [f"<li>{_link(x)}</li>" for x in r["weitere_infos"]]
                rows.append(f'<tr{ident}><th scope="row" class="zahl">{nr}</th>'
                            f'<td class="massnahme">{_beschreibung(r["titel"], r["beschreibung"])}</td>'
                            f'<td class="oe">{units}</td><td class="verweise">'
                            f'{"<ul>" + "".join(refs) + "</ul>" if refs else ""}</td></tr>')
            groups.append(f'<tbody>{"".join(rows)}</tbody>')
        parts.append(
            f'<table class="tabelle anhang handlungsfeld--{hf["slug"]}">'
            f'<caption>{esc(hf["nummer"])} {esc(hf["titel"])}</caption>'
            '<thead><tr><th scope="col" class="zahl nr">Nr.</th><th scope="col" class="massnahme">Maßnahme '
            '(Kurzbeschreibung)</th><th scope="col" class="oe">OE</th><th scope="col" class="verweise">'
            'Drucksachen / weitere Infos</th></tr></thead>'
            f'{"".join(groups)}</table>')
    return "\n".join(parts)


def _link(text: str) -> str:
    if text.startswith(("http://", "https://")):
        return f'<a href="{esc(text)}">{esc(text)}</a>'
    return esc(text)


def aufbauorganisation(data: ReportData) -> str:
    """Chapter 6.2 as nested lists: the Regionspräsident, the Dezernate and their units."""
    oe = data.organisationseinheiten
    blocks = []
    for _, d in data.dezernate.iterrows():
        units = oe[oe["dezernat"] == d["dezernat"]]
        items = "".join(_unit_item(u) for _, u in units.iterrows())
        blocks.append(f'<section class="dezernat" aria-label="Dezernat {esc(d["dezernat"])}">'
                      f'<h3>Dezernat {esc(d["dezernat"])}: {esc(d["bezeichnung"])}</h3>'
                      f'<p class="leitung">{esc(d["leitung"])}</p><ul>{items}</ul></section>')
    spitze = (f'<p class="organigramm__spitze">Regionspräsident {esc(data.bericht["regionspraesident"])}</p>')
    return f'<div class="organigramm">{spitze}{"".join(blocks)}</div>'


def titelseite(bericht: dict) -> str:
    """Used by the template; kept here so the title page is tested like the rest."""
    return (f'<p class="titelseite__herausgeber">{esc(bericht["herausgeber"])}</p>'
            f'<h1 class="titelseite__titel">{esc(bericht["titel"])}</h1>'
            f'<p class="titelseite__untertitel">{esc(bericht["untertitel"])}</p>'
            f'<p class="titelseite__stelle">{esc(bericht["stelle"])} · {datum(str(bericht["datum"]))}</p>')
