"""The PDF: the report's HTML laid out for A4 by WeasyPrint (pure pip, no LaTeX, no browser).

Page numbers, the table of contents' page references and PDF bookmarks come from the print rules
in ``report.css`` (``@page``, ``target-counter``, ``bookmark-level``); the structure tags are
WeasyPrint's, completed by :mod:`.tagging`. The renderer fetches nothing but data embedded in the
document: a URL in the content can never make it read a local file or the network
(:func:`embedded_only`). Everything that shapes the PDF besides its HTML is in this package, so
:func:`shaping` – the PDF cache's key – covers it by construction."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from berichtswerk.assembly.pdf.tagging import install
from berichtswerk.core.hashing import digest, tree_digest
from berichtswerk.core.versions import package_versions

#: Packages whose version changes the PDF laid out from the same HTML.
PDF_PACKAGES = ("weasyprint", "pydyf", "fonttools", "pikepdf")


def shaping() -> str:
    """Everything besides the HTML that shapes the PDF: this package's code and the renderer's version."""
    versions = package_versions(PDF_PACKAGES)
    return digest(tree_digest(Path(__file__).parent, ("*.py",)), *(f"{k}={v}" for k, v in sorted(versions.items())))


def embedded_only() -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and refuses every other protocol."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def _quiet() -> None:
    install()
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


def lay_out(markup: str, pdf_variant: str | None = "pdf/ua-1") -> Any:
    """The document laid out in pages (WeasyPrint's ``Document``), not yet written."""
    from weasyprint import HTML  # imported when a PDF is made, not by every build

    _quiet()
    return HTML(string=markup, base_url=None, url_fetcher=embedded_only()).render(
        pdf_variant=pdf_variant, pdf_tags=True)


def write(document: Any, pdf_variant: str | None = "pdf/ua-1") -> bytes:
    """A laid-out document as a tagged PDF (PDF/UA-1 unless told otherwise)."""
    _quiet()
    return document.write_pdf(pdf_variant=pdf_variant, pdf_tags=True)


def html_to_pdf(markup: str, pdf_variant: str | None = "pdf/ua-1") -> bytes:
    """The PDF in one pass over the whole document (a single section's export, and the reference
    the report's part-by-part layout is compared with)."""
    return write(lay_out(markup, pdf_variant), pdf_variant)
