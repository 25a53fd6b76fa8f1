"""PDF exporter (``berichtswerk_pdf``): the report's HTML, laid out for A4 by
:mod:`berichtswerk.assembly.pdf`."""

from __future__ import annotations

from typing import Any

from traitlets import Unicode, default

from berichtswerk.assembly.exporters.html import ReportHTMLExporter
from berichtswerk.assembly.pdf.render import html_to_pdf


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
