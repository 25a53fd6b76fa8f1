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
