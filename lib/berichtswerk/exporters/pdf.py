"""PDF exporter: the same HTML, laid out for A4 by WeasyPrint (pure pip, no LaTeX, no browser).

Page numbers, the table of contents' page references and PDF bookmarks come from the print rules
in ``report.css`` (``@page``, ``target-counter``, ``bookmark-level``). The renderer fetches nothing
but data embedded in the document: a URL in the content can never make it read a local file or the
network (:func:`embedded_only`)."""

from __future__ import annotations

from typing import Any

from traitlets import Unicode, default

from .html import ReportHTMLExporter


class ReportPDFExporter(ReportHTMLExporter):
    export_from_notebook = "Berichtswerk (PDF)"
    output_mimetype = "application/pdf"
    pdf_variant = Unicode("pdf/ua-1", allow_none=True,
                          help="WeasyPrint PDF variant; PDF/UA-1 makes a tagged, accessible PDF").tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"  # the PDF is laid out from the HTML template

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[bytes, dict]:
        markup, resources = super().from_notebook_node(nb, resources, **kw)
        return html_to_pdf(markup, self.pdf_variant), resources


def embedded_only() -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and refuses every other protocol."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def html_to_pdf(markup: str, pdf_variant: str | None = "pdf/ua-1") -> bytes:
    import logging

    from weasyprint import HTML

    from .tagging import install

    install()
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=markup, base_url=None, url_fetcher=embedded_only()).write_pdf(
        pdf_variant=pdf_variant, pdf_tags=True)
