"""PDF exporter: the same HTML, laid out for A4 by WeasyPrint (pure pip, no LaTeX, no browser).

Page numbers, the table of contents' page references and PDF bookmarks come from the print rules
in ``report.css`` (``@page``, ``target-counter``, ``bookmark-level``)."""

from __future__ import annotations

from typing import Any

from traitlets import Unicode, default

from .html import ReportHTMLExporter


class ReportPDFExporter(ReportHTMLExporter):
    export_from_notebook = "Bericht (PDF)"
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


def html_to_pdf(markup: str, pdf_variant: str | None = "pdf/ua-1") -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=markup, base_url=".").write_pdf(pdf_variant=pdf_variant, pdf_tags=True)
