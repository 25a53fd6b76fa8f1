"""Richer PDF structure tags than WeasyPrint writes by itself.

WeasyPrint 70 tags a PDF from the HTML (``weasyprint.pdf.tags``) but leaves out what PDF/UA asks of
tables and inline text: a ``TH`` has no ``Scope`` attribute, and ``sup``, ``strong``, ``em`` or generated
``::before`` text become ``NonStruct``. It offers no hook, so this module wraps its two tagging
functions once per process: cells get ``/Scope /Column`` or ``/Row`` from the HTML ``scope`` attribute,
inline elements become ``Span`` (``Code``, ``Quote`` where they are), lists carry ``ListNumbering``. Guarded by the version it was
written against; ``tests/test_pdfua.py`` validates the result with veraPDF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: HTML inline elements that are text within a paragraph, not a structure of their own.
INLINE = frozenset({"sup", "sub", "small", "strong", "em", "b", "i", "u", "s", "abbr", "time", "cite", "mark",
                    "dfn", "var", "kbd", "samp", "data", "bdi", "bdo"})
SPECIFIC = {"code": "Code", "q": "Quote"}
SUPPORTED_MAJOR = "70"
_installed = False


def install() -> bool:
    """Wrap WeasyPrint's tagging (idempotent). False if this WeasyPrint is not the version the
    wrapper was written for – then the PDF keeps WeasyPrint's own tags."""
    global _installed
    import weasyprint
    from weasyprint.pdf import tags

    if _installed:
        return True
    if weasyprint.__version__.split(".")[0] != SUPPORTED_MAJOR:
        return False
    original_tag, original_tree = tags._get_pdf_tag, tags._build_box_tree

    def pdf_tag(tag: str | None) -> str:
        if tag is not None:
            name, _, pseudo = tag.partition("::")
            if name in SPECIFIC and not pseudo:
                return SPECIFIC[name]
            if name in INLINE or (pseudo in ("before", "after") and name != "a"):
                return "Span"
        return original_tag(tag)

    def box_tree(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        for element in original_tree(box, parent, *args):
            if element.get("S") == "/L" and getattr(box, "element", None) is not None and "A" not in element:
                element["A"] = pydyf.Dictionary({"O": "/List", "ListNumbering": _numbering(box)})
            yield element
        if getattr(box, "element", None) is not None and box.element_tag == "th" and hasattr(box, "mark"):
            scope = box.element.attrib.get("scope", "col")
            box.mark["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"

    import pydyf

    tags._get_pdf_tag, tags._build_box_tree = pdf_tag, box_tree
    _installed = True
    return True


#: CSS list-style-type → PDF ListNumbering (ISO 32000-1, table 347)
NUMBERING = {"decimal": "/Decimal", "disc": "/Disc", "circle": "/Circle", "square": "/Square",
             "lower-roman": "/LowerRoman", "upper-roman": "/UpperRoman", "lower-alpha": "/LowerAlpha",
             "lower-latin": "/LowerAlpha", "upper-alpha": "/UpperAlpha", "upper-latin": "/UpperAlpha"}


def _numbering(box: Any) -> str:
    """A list's numbering as PDF/UA-2 asks for it; ``/None`` for a list without markers."""
    style = box.style.get("list_style_type")
    name = style if isinstance(style, str) else None
    return NUMBERING.get(name or "", "/None" if name == "none" else "/Disc" if box.element_tag == "ul" else
                         "/Decimal" if box.element_tag == "ol" else "/None")
