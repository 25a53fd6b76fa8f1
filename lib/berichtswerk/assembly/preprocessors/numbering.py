"""Headings, numbers and the table of contents, decided in one pass over the report in order.

Chapter headings come from the structure (raw cells carrying ``metadata.berichtswerk.kapitel``); every
other heading is relative to the chapter it stands in (``h2`` = first level below it) and is shifted
to its absolute level here. Headings down to the structure's ``tiefe`` are numbered (unless marked
``unnumbered``) and listed in the table of contents (unless ``unlisted``). Figures and tables with a
caption (marked ``data-nummer`` by their templates) are numbered through the report ("Abbildung 7")
or per chapter ("Abbildung 3.2", ``nummerierung: kapitel`` in ``gliederung.yaml``). Then ``@sec-…``,
``@fig-…`` and ``@tbl-…`` cross-references become "Kapitel N", "Abbildung N", "Tabelle N" links – so
moving a chapter renumbers it everywhere – and the chapters that list figures or tables are filled.
A reference to nothing is an error naming the reference, section and cell (``resources["fehler"]``).
Footnotes are numbered once for the whole report, in reading order (as the printed edition numbers
them)."""

from __future__ import annotations

import html
import re
from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Int

from berichtswerk.markup.markdown import footnote_marker, slug

HEADING = re.compile(r"<h([1-6])((?:\s+[a-z-]+=\"[^\"]*\")*)\s*>(.*?)</h\1>", re.DOTALL)
ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
TAG = re.compile(r"<[^>]+>")
CROSS_REF = re.compile(r'<a class="querverweis" href="#([^"]+)">[^<]*</a>')
FOOTNOTE_REF = re.compile(r'<sup class="fussnote"><a href="#fn-([^"]+)"( id="fnref-[^"]+")?[^>]*>\d+</a></sup>')
FOOTNOTE_ITEM = re.compile(r'(<li id="fn-([^"]+)" value=")\d+(")')
NUMBERED = re.compile(r'<(figure|table|div) class="(abbildung|tabelle)[^"]*"[^>]*\sdata-nummer=""[^>]*>')
NUMBER_SLOT = '<span class="nummer"></span>'
LISTING = re.compile(r'<nav class="verzeichnis" data-verzeichnis="(abbildungen|tabellen)"></nav>')
KINDS = {"fig": "Abbildung", "tbl": "Tabelle", "sec": "Kapitel"}
LISTING_TITLES = {"abbildungen": ("fig", "Abbildungsverzeichnis"), "tabellen": ("tbl", "Tabellenverzeichnis")}


def plain(markup: str) -> str:
    return html.unescape(TAG.sub("", markup)).strip()


class NumberingPreprocessor(Preprocessor):
    """Put ``resources["toc"]`` (level, id, text) and number every heading; chapters wrap in
    ``<section>``; ``resources["kapitel_html"]`` keeps each chapter's own markup for chapter files."""

    toc_depth = Int(2, help="Überschriften bis zu dieser Ebene werden nummeriert und verzeichnet").tag(config=True)

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        depth = int(nb.metadata.get("berichtswerk", {}).get("toc_tiefe", self.toc_depth))
        per_chapter = nb.metadata.get("berichtswerk", {}).get("nummerierung") == "kapitel"
        toc: list[dict[str, Any]] = []
        ids: set[str] = set()
        numbers: dict[str, str] = {}
        items: dict[str, list[tuple[str, str, str]]] = {"fig": [], "tbl": []}   # kind → (id, number, caption)
        counters = {"fig": 0, "tbl": 0}
        state = {"ebene": 1, "pfad": [], "nummeriert": True, "kapitel": None, "oberkapitel": ""}
        chapters: list[tuple[dict[str, Any], list[str]]] = []
        _number_footnotes(nb)

        def unique(ident: str) -> str:
            base, n = ident or "abschnitt", 2
            while ident in ids or not ident:
                ident = f"{base}-{n}"
                n += 1
            ids.add(ident)
            return ident

        def content_heading(match: re.Match[str]) -> str:
            level, attrs, inner = int(match.group(1)), dict(ATTR.findall(match.group(2))), match.group(3)
            classes = attrs.get("class", "").split()
            absolute = min(6, state["ebene"] + max(level, 2) - 1) if state["kapitel"] else level
            number = None
            if absolute <= depth and "unnumbered" not in classes and state["nummeriert"]:
                path = state["pfad"][: absolute - 1]
                path += [0] * (absolute - 1 - len(path))
                previous = state["pfad"][absolute - 1] if len(state["pfad"]) >= absolute else 0
                state["pfad"] = [*path, previous + 1]
                number = ".".join(str(p) for p in state["pfad"])
            chapter_id = state["kapitel"]["id"] if state["kapitel"] else "bericht"
            ident = unique(attrs.get("id") or f"{chapter_id}-{slug(plain(inner))}")
            text = f"{number} {inner}" if number else inner
            if number:
                numbers[ident] = number
            if absolute <= depth and "unlisted" not in classes:
                toc.append({"level": absolute, "id": ident, "text": plain(text)})
            class_attr = f' class="{" ".join(classes)}"' if classes else ""
            return f'<h{absolute} id="{ident}"{class_attr}>{text}</h{absolute}>'

        for cell in nb.cells:
            info = cell.get("metadata", {}).get("berichtswerk", {})
            chapter = info.get("kapitel")
            if chapter:
                state.update(ebene=chapter["ebene"], kapitel=chapter, nummeriert=bool(chapter.get("nummer")))
                if chapter["ebene"] == 1:
                    state["oberkapitel"] = chapter.get("nummer") or ""
                    if per_chapter:
                        counters.update(fig=0, tbl=0)
                state["pfad"] = [int(p) for p in chapter["nummer"].split(".")] if chapter.get("nummer") else []
                ident = unique(f"sec-{chapter['id']}")
                title = html.escape(chapter["titel"])
                text = f"{chapter['nummer']} {title}" if chapter.get("nummer") else title
                if chapter.get("nummer"):
                    numbers[ident] = chapter["nummer"]
                if chapter["ebene"] <= depth:
                    toc.append({"level": chapter["ebene"], "id": ident, "text": plain(text)})
                level = min(chapter["ebene"], 6)
                cell.source = f'<h{level} id="{ident}" class="abschnitt__titel">{text}</h{level}>'
                chapters.append((chapter, [cell.source]))
                continue
            cell.source = HEADING.sub(content_heading, cell.source)
            cell.source = self._number_items(cell.source, state, per_chapter, counters, items, numbers, unique)
            if chapters:
                chapters[-1][1].append(cell.source)

        errors = resources.setdefault("fehler", [])

        def resolve(match: re.Match[str], origin: dict[str, Any] | None) -> str:
            target = match.group(1)
            kind = KINDS.get(target.split("-", 1)[0], "Kapitel")
            if target in numbers:
                return f'<a class="querverweis" href="#{target}">{kind} {numbers[target]}</a>'
            if target in ids:
                return f'<a class="querverweis" href="#{target}">{kind}</a>'
            if origin is None:  # the chapter files repeat the report's cells: reported there already
                return f"@{html.escape(target)}"
            where = ", ".join(p for p in (f"{origin.get('abschnitt', '')} ({origin['notebook']})"
                                          if origin.get("notebook") else origin.get("abschnitt", ""),
                                          origin.get("zelle", "")) if p)
            expected = {"Kapitel": "@sec-<id> aus gliederung.yaml oder einer Überschrift mit {#sec-…}",
                        "Abbildung": "das Label einer Abbildung (#| label: fig-…)",
                        "Tabelle": "das Label einer Tabelle (#| label: tbl-…)"}[kind]
            message = f"{where}: Verweis @{target}: {kind} gibt es nicht (erwartet {expected})"
            if message not in errors:
                errors.append(message)
            return f"@{html.escape(target)}"

        def finished(markup: str, origin: dict[str, Any] | None) -> str:
            markup = CROSS_REF.sub(lambda m: resolve(m, origin), markup)
            return LISTING.sub(lambda m: self._listing(m.group(1), items), markup)

        for cell in nb.cells:
            cell.source = finished(cell.source, cell.get("metadata", {}).get("berichtswerk", {}))
        resources["toc"] = toc
        resources["verzeichnisse"] = items
        resources["kapitel_html"] = [(chapter, f"{section_start(chapter)}\n{finished(chr(10).join(parts), None)}\n</section>")
                                     for chapter, parts in chapters]
        _wrap_sections(nb)
        return nb, resources

    @staticmethod
    def _number_items(markup: str, state: dict[str, Any], per_chapter: bool, counters: dict[str, int],
                      items: dict[str, list[tuple[str, str, str]]], numbers: dict[str, str], unique: Any) -> str:
        """Number each captioned figure and table of ``markup``, in order; give it an id if it has none."""
        pieces, position = [], 0
        for match in NUMBERED.finditer(markup):
            if match.start() < position:
                continue
            kind = "tbl" if match.group(2) == "tabelle" else "fig"
            counters[kind] += 1
            number = (f"{state['oberkapitel']}.{counters[kind]}" if per_chapter and state["oberkapitel"]
                      else str(counters[kind]))
            tag = match.group(0)
            labelled = dict(ATTR.findall(tag)).get("id")
            # a label used again (a notebook run for every Handlungsfeld) gets a suffix: @ref finds the first
            ident = unique(labelled or f"{'abbildung' if kind == 'fig' else 'tabelle'}-{number.replace('.', '-')}")
            tag = tag.replace(f' id="{labelled}"', f' id="{ident}"') if labelled else tag[:-1] + f' id="{ident}">'
            numbers[ident] = number
            slot = markup.find(NUMBER_SLOT, match.end())
            end = _caption_end(markup, slot)
            caption = plain(markup[slot + len(NUMBER_SLOT):end]) if slot >= 0 else ""
            items[kind].append((ident, number, caption))
            label = f"{KINDS[kind]} {number}"
            pieces += [markup[position:match.start()], tag]
            if slot >= 0:
                pieces += [markup[match.end():slot], f'<span class="nummer">{label}: </span>']
                position = slot + len(NUMBER_SLOT)
            else:
                position = match.end()
        pieces.append(markup[position:])
        return "".join(pieces)

    @staticmethod
    def _listing(which: str, items: dict[str, list[tuple[str, str, str]]]) -> str:
        """The list of figures or of tables: number, caption, a link (and the page in the PDF)."""
        kind, title = LISTING_TITLES[which]
        entries = "".join(f'<li><a href="#{html.escape(ident)}">{KINDS[kind]} {number}: {html.escape(caption)}</a></li>'
                          for ident, number, caption in items[kind])
        if not entries:
            return f'<nav class="verzeichnis" aria-label="{title}"><p class="hinweis">Keine Einträge.</p></nav>'
        return f'<nav class="verzeichnis" aria-label="{title}"><ol class="verzeichnis__liste">{entries}</ol></nav>'


def _caption_end(markup: str, start: int) -> int:
    """Where the caption that begins at ``start`` ends (its title, not a source line after it)."""
    if start < 0:
        return start
    ends = [i for i in (markup.find(end, start) for end in ('<span class="quelle">', "</caption>", "</figcaption>",
                                                              "</p>")) if i >= 0]
    return min(ends) if ends else len(markup)


def _number_footnotes(nb: Any) -> None:
    """Each section numbers its notes from 1; here they get one number each, report-wide."""
    numbers: dict[str, int] = {}

    def reference(match: re.Match[str]) -> str:
        number = numbers.setdefault(match.group(1), len(numbers) + 1)
        return footnote_marker(match.group(1), number, first=bool(match.group(2)))

    for cell in nb.cells:
        cell.source = FOOTNOTE_REF.sub(reference, cell.source)
    for cell in nb.cells:
        cell.source = FOOTNOTE_ITEM.sub(
            lambda m: f"{m.group(1)}{numbers[m.group(2)]}{m.group(3)}" if m.group(2) in numbers else m.group(0),
            cell.source)


def section_start(chapter: dict[str, Any]) -> str:
    classes = " ".join(["kapitel", f"kapitel--ebene-{chapter['ebene']}", chapter.get("klasse", "")]).strip()
    return f'<section class="{html.escape(classes)}" aria-labelledby="sec-{html.escape(chapter["id"])}">'


def _wrap_sections(nb: Any) -> None:
    """Each chapter's cells inside one ``<section>`` (flat: sub-chapters are siblings, so each chapter
    is also a complete chapter file)."""
    open_section = False
    for cell in nb.cells:
        chapter = cell.get("metadata", {}).get("berichtswerk", {}).get("kapitel")
        if chapter:
            prefix = "</section>\n" if open_section else ""
            cell.source = f"{prefix}{section_start(chapter)}\n{cell.source}"
            open_section = True
    if open_section and nb.cells:
        nb.cells[-1].source += "\n</section>"
