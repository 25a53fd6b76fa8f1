"""The printed 2021 report as text (``../shared/seeds``), cut into chapters and sentences, for
comparing what the regenerated report says with what the source says."""

from __future__ import annotations

import itertools
import re

from berichtswerk.data import korrekturen
from conftest import DATA_DIR, PROJECT_ROOT

SOURCE = PROJECT_ROOT.parent / "shared" / "seeds" / "002_73551bb98ae2eb86.txt"
SUPERSCRIPT = "¹²³⁴⁵⁶⁷⁸⁹⁰"
#: chapter (id in gliederung.yaml, a Handlungsfeld's slug) → its heading line in the source, in order
CHAPTERS = [
    ("einfuehrung", "1 EINFÜHRUNG"),
    ("vorgehensweise", "VORGEHENSWEISE UND INHALTLICHE AUSRICHTUNG"),
    ("handlungsfelder", "UMSETZUNG VON MASSNAHMEN UND PROJEKTEN IN DEN VERSCHIEDENEN HANDLUNGSFELDERN"),
    ("partizipation-und-teilhabe", "3.1 PARTIZIPATION UND TEILHABE"),
    ("willkommenskultur", "3.2 WILLKOMMENSKULTUR"),
    ("gefluechtete", "3.3 GEFLÜCHTETE"),
    ("bildung-und-sprache", "3.4 BILDUNG UND SPRACHE"),
    ("wirtschaft-und-arbeit", "3.5 WIRTSCHAFT UND ARBEIT"),
    ("gesundheit-und-pflege", "3.6 GESUNDHEIT UND PFLEGE"),
    ("vernetzung", "3.7 VERNETZUNG"),
    ("interkulturelle-oeffnung", "3.8 INTERKULTURELLE ÖFFNUNG"),
    ("zusammenfassung-ausblick", "ZUSAMMENFASSUNG UND AUSBLICK"),
    ("mitwirkende", "5 MITWIRKENDE AN DER ERSTELLUNG DES BERICHTEES"),
    (None, "6 ANHANG"),
]
_ABBREVIATIONS = ("vgl", "Vgl", "U", "z", "B", "u", "a", "Nr", "ca", "S", "d", "h", "bzw", "Dr", "o", "s", "ggf")
_SENTENCE_END = re.compile("".join(rf"(?<!\b{a}\.)" for a in _ABBREVIATIONS) + r"(?<=[.!?)])\s+(?=[A-ZÄÖÜ„(])")


def available() -> bool:
    return SOURCE.is_file()


def normalise(text: str) -> str:
    """Whitespace, footnote digits, autolink brackets and line-break hyphenation (the text conversion
    keeps "struk-\\n\\nturellen") made comparable; real hyphens ("Bildungs- und") stay."""
    text = text.replace("\u00a0", " ").replace("\u00ad", "")
    text = re.sub(f"[{SUPERSCRIPT}]+", "", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(\w)- (?!und\b|oder\b|sowie\b|bzw\.|als\b|bis\b)([a-zäöüß])", r"\1\2", text)
    return re.sub(r"([a-zäöüß])-([a-zäöüß])", r"\1\2", text)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(normalise(text)) if len(s) >= 25]


def _corrected(text: str) -> str:
    return korrekturen.apply(text, korrekturen.load(DATA_DIR))


def chapters() -> dict[str, str]:
    """Prose of every chapter as printed (after the corrections list): no headings, no footnotes, no
    tables (chapter 4's Themenfelder), list bullets removed."""
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    starts = []
    for key, heading in CHAPTERS:
        starts.append((key, next(i for i, line in enumerate(lines) if line.strip() == heading)))
    found = {}
    for (key, start), (_, end) in itertools.pairwise(starts):
        kept, in_note = [], False
        for line in lines[start + 1:end]:
            text = re.sub(r"^[-•]\s+", "", line.strip())
            if not text:
                in_note = False
                continue
            if text[0] in SUPERSCRIPT:
                in_note = True
            if in_note or "\t" in line or text.startswith("<") or text == text.upper():
                continue
            kept.append(text)
        found[key] = _corrected("\n".join(kept))
    return found


def footnotes() -> dict[int, str]:
    """The printed footnotes by number, continuation lines joined."""
    digits = {c: str(i) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
    notes, current = {}, None
    for line in SOURCE.read_text(encoding="utf-8").split("\n"):
        match = re.match(f"^([{SUPERSCRIPT}]+) (.*)", line.strip())
        if match:
            current = int("".join(digits[c] for c in match.group(1)))
            notes[current] = match.group(2)
        elif current is not None and line.strip():
            notes[current] += " " + line.strip()
        else:
            current = None
    return {n: normalise(_corrected(t)) for n, t in notes.items()}


def whole() -> str:
    """All of the source, list bullets removed, normalised."""
    text = re.sub(r"^[ \t]*[-•][ \t]+", "", SOURCE.read_text(encoding="utf-8"), flags=re.MULTILINE)
    # footnotes sit between the two halves of a sentence broken by a page: out of the running text
    text = re.sub(f"^[{SUPERSCRIPT}]+ [^\n]*(\n[^\n]+)*", "", text, flags=re.MULTILINE)
    return normalise(_corrected(text))
