"""The one way prose becomes HTML: Markdown (texts in ``data/``, YAML prose, notebook Markdown cells)
→ mistune → an allow-list sanitiser (nh3). Prose comes from many authors and is published, so nothing
in it may be executable: elements, attributes and URL schemes outside the lists below are removed.

Conventions shared with the assembler (:mod:`berichtswerk.exporters.numbering`):
- headings are written *relative* to the chapter they stand in: ``##`` is the first level below it;
  ``{#sec-name}`` after a heading gives it an id, ``{.unnumbered}`` / ``{.unlisted}`` keep it out of the
  numbering / the table of contents (as in Quarto);
- ``@sec-name``, ``@fig-name``, ``@tbl-name`` are cross-references; the assembler turns them into
  "Kapitel N", "Abbildung N", "Tabelle N" with a link;
- "vgl. Anhang Maßnahme Nr. X" becomes a link to the appendix row of measure X;
- footnotes as in Pandoc/Quarto: ``[^name]`` in the text, ``[^name]: Anmerkung`` on a line of its own
  (continued until a blank line). A text's notes follow it as ``<ol class="anmerkungen">``, numbered in
  order of first reference; the assembler renumbers them report-wide (one scheme for the whole report,
  as in the printed edition).
"""

from __future__ import annotations

import re
from functools import lru_cache

import mistune
import nh3

from berichtswerk.data.schema import anchor

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "strong", "em", "b", "i",
    "sup", "sub", "code", "pre", "blockquote", "del", "span", "div", "table", "thead", "tbody", "tr", "th",
    "td", "caption", "abbr", "q", "small",
}
ALLOWED_ATTRIBUTES = {
    # "class" is governed by ALLOWED_CLASSES (nh3 wants it in one of the two lists only)
    "a": {"href", "id", "title", "aria-label"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id", "value"}, "ol": {"start", "aria-label"}, "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"}, "sup": {"id"},
}
URL_SCHEMES = {"http", "https", "mailto"}
ALLOWED_CLASSES = {
    "div": {"anmerkungen"}, "span": {"fussnote"}, "sup": {"fussnote"}, "a": {"verweis", "querverweis"},
    # "erzeugt": a heading over what the workbench computed (not text of the source edition)
    **{f"h{i}": {"unnumbered", "unlisted", "erzeugt"} for i in range(1, 7)},
    "ol": {"anmerkungen"},
}

_HEADING_ATTRS = re.compile(r"\s*\{((?:\s*[#.][\w-]+)+)\s*\}\s*$")
_CROSS_REF = re.compile(r"(?<![\w@/])@((?:sec|fig|tbl)-[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)")
_MEASURE_REF = re.compile(r"(?<![\w>])(vgl\. Anhang Maßnahme Nr\.)(?:\s|&nbsp;|\u00a0)*(\d+(?:\.\d+)*)")
_TAG_OR_TEXT = re.compile(r"(<a\b.*?</a>|<[^>]+>)", re.DOTALL)
FOOTNOTE_KEY = r"[A-Za-z0-9][A-Za-z0-9_-]*"
_FOOTNOTE_DEF = re.compile(rf"^\[\^({FOOTNOTE_KEY})\]:[ \t]*(.*?)(?=\n[ \t]*\n|\n\[\^{FOOTNOTE_KEY}\]:|\Z)",
                           re.MULTILINE | re.DOTALL)
_FOOTNOTE_REF = re.compile(rf"\[\^({FOOTNOTE_KEY})\]")


def sanitize(markup: str) -> str:
    """Keep only the allow-listed elements, attributes, classes and URL schemes."""
    return nh3.clean(markup, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, allowed_classes=ALLOWED_CLASSES, strip_comments=True)


def slug(text: str) -> str:
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


class _Renderer(mistune.HTMLRenderer):
    def heading(self, text: str, level: int, **attrs: object) -> str:
        ident, classes = None, []
        match = _HEADING_ATTRS.search(text)
        if match:
            text = text[: match.start()]
            for token in match.group(1).split():
                if token.startswith("#"):
                    ident = token[1:]
                else:
                    classes.append(token[1:])
        id_attr = f' id="{ident}"' if ident else ""
        class_attr = f' class="{" ".join(classes)}"' if classes else ""
        return f"<h{level}{id_attr}{class_attr}>{text}</h{level}>\n"


@lru_cache(maxsize=1)
def _markdown() -> mistune.Markdown:
    # escape=False: raw HTML is parsed here and then filtered by the sanitiser, so that the few allowed
    # constructs (the notes block ``<div class="anmerkungen">``) keep working and nothing else does.
    return mistune.create_markdown(renderer=_Renderer(escape=False), plugins=["strikethrough", "table"])


def link_references(markup: str) -> str:
    """Cross-references and measure citations in text (never inside an existing link or tag)."""
    parts = _TAG_OR_TEXT.split(markup)
    for i in range(0, len(parts), 2):
        text = parts[i]
        text = _MEASURE_REF.sub(
            lambda m: f'<a class="verweis" href="#{anchor(m.group(2))}">{m.group(1)}&nbsp;{m.group(2)}</a>',
            text)
        text = _CROSS_REF.sub(lambda m: f'<a class="querverweis" href="#{m.group(1)}">{m.group(1)}</a>', text)
        parts[i] = text
    return "".join(parts)


def split_footnotes(text: str) -> tuple[str, dict[str, str]]:
    """The text without its footnote definitions, and the definitions (name → Markdown)."""
    notes = {m.group(1): m.group(2).strip() for m in _FOOTNOTE_DEF.finditer(text or "")}
    return _FOOTNOTE_DEF.sub("", text or "").rstrip() + "\n", notes


def footnote_references(text: str) -> list[str]:
    """The footnote names a text refers to, in order, repeated as often as they occur."""
    return _FOOTNOTE_REF.findall(split_footnotes(text)[0])


def footnote_marker(key: str, number: int, first: bool = True) -> str:
    """The superscript link to a footnote (the first reference also is the note's way back)."""
    ident = f' id="fnref-{key}"' if first else ""
    return f'<sup class="fussnote"><a href="#fn-{key}"{ident} aria-label="Anmerkung {number}">{number}</a></sup>'


def render(text: str) -> str:
    """Markdown from an author → safe HTML with linked references and numbered footnotes."""
    body, notes = render_with_notes(text)
    return body + notes


def render_with_notes(text: str) -> tuple[str, str]:
    """Like :func:`render`, the prose and its footnote list apart (a chapter may show its notes at its
    end, after its tables); the notes are ``""`` for a text without footnotes."""
    body, notes = split_footnotes(text)
    html = link_references(sanitize(_markdown()(body)))
    order: list[str] = []

    def reference(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in notes:
            return match.group(0)  # ``check`` reports it; the text shows what the author wrote
        first = key not in order
        if first:
            order.append(key)
        return footnote_marker(key, order.index(key) + 1, first)

    parts = _TAG_OR_TEXT.split(html)
    parts[::2] = [_FOOTNOTE_REF.sub(reference, part) for part in parts[::2]]
    if not order:
        return "".join(parts), ""
    items = "".join(f'<li id="fn-{key}" value="{i}">{render_inline(notes[key])}</li>'
                    for i, key in enumerate(order, start=1))
    return "".join(parts), f'<ol class="anmerkungen" aria-label="Anmerkungen">{items}</ol>\n'


def render_inline(text: str) -> str:
    """One line of Markdown without the surrounding paragraph (for table cells and list items)."""
    html = render(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def removed_content(text: str) -> list[str]:
    """What the sanitiser would drop from this Markdown (for ``check``): element and attribute names."""
    raw = _markdown()(text or "")
    cleaned = sanitize(raw)
    harmful = "#harmful-link" in raw  # mistune has already defused a javascript:/vbscript: link
    if _normalise(raw) == _normalise(cleaned) and not harmful:
        return []
    found = []
    for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9-]*)\b", raw):
        if tag.lower() not in ALLOWED_TAGS and f"<{tag}" not in found:
            found.append(f"<{tag}>")
    for attr in re.findall(r"\s(on[a-z]+)\s*=", raw, flags=re.IGNORECASE):
        found.append(f"Attribut {attr}")
    for scheme in re.findall(r"href\s*=\s*[\"']?\s*([a-zA-Z][a-zA-Z0-9+.-]*):", raw):
        if scheme.lower() not in URL_SCHEMES:
            found.append(f"Link mit „{scheme}:“")
    if harmful:
        found.append("Link mit nicht erlaubtem Schema (z. B. „javascript:“)")
    for scheme in re.findall(r"src\s*=\s*[\"']?\s*([a-zA-Z][a-zA-Z0-9+.-]*):", raw):
        found.append(f"eingebettete Quelle „{scheme}:“")
    return found or ["nicht erlaubtes HTML"]


def _normalise(markup: str) -> str:
    return re.sub(r"\s+", " ", markup.replace("&amp;", "&").replace('rel="noopener noreferrer"', "")).strip()
