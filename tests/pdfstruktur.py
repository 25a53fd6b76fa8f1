"""Read a tagged PDF's structure tree with pypdf: what a screen reader gets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


@dataclass
class StructureTree:
    typen: Counter = field(default_factory=Counter)
    th_ohne_scope: int = 0
    th_scopes: Counter = field(default_factory=Counter)
    figuren_ohne_alt: int = 0
    link_eltern: Counter = field(default_factory=Counter)   # type of the element holding a link annotation


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def read_structure(path: Path) -> StructureTree:
    reader = PdfReader(str(path))
    root = _resolve(reader.trailer["/Root"]["/StructTreeRoot"])
    tree = StructureTree()
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = _resolve(stack.pop())
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            continue
        seen.add(id(node))
        kind = node.get("/S")
        if kind is not None:
            kind = str(kind)[1:]
            tree.typen[kind] += 1
            if kind == "TH":
                attributes = _resolve(node.get("/A"))
                scope = attributes.get("/Scope") if isinstance(attributes, DictionaryObject) else None
                if scope is None:
                    tree.th_ohne_scope += 1
                else:
                    tree.th_scopes[str(scope)[1:]] += 1
            if kind == "Figure" and not node.get("/Alt"):
                tree.figuren_ohne_alt += 1
        kids = _resolve(node.get("/K"))
        kids = kids if isinstance(kids, ArrayObject) else [kids] if kids is not None else []
        for kid in kids:
            kid = _resolve(kid)
            if isinstance(kid, DictionaryObject) and str(kid.get("/Type")) == "/OBJR":
                annotation = _resolve(kid["/Obj"])
                if str(annotation.get("/Subtype")) == "/Link":
                    tree.link_eltern[kind or "?"] += 1
            elif isinstance(kid, DictionaryObject):
                stack.append(kid)
    return tree


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x_min: float
    x_max: float
    y_min: float
    y_max: float


def words_outside_text_area(path: Path, margin_mm: float, tolerance_pt: float = 1.0) -> tuple[int, list[Word]]:
    """Every word (``pdftotext -bbox``) that reaches into the left or right page margin or off the page:
    text that left its box. Returns the number of words checked and the offenders."""
    import html
    import re
    import subprocess

    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    margin = margin_mm / 25.4 * 72
    offenders, count = [], 0
    for number, page in enumerate(re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.DOTALL),
                                  start=1):
        width, height = float(page[0]), float(page[1])
        for x0, y0, x1, y1, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page[2]):
            count += 1
            word = Word(number, html.unescape(text), float(x0), float(x1), float(y0), float(y1))
            if word.x_min < margin - tolerance_pt or word.x_max > width - margin + tolerance_pt or \
                    word.y_min < 0 or word.y_max > height:
                offenders.append(word)
    return count, offenders
