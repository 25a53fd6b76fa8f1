"""Word exporter (``berichtswerk_docx``): the report's HTML as ``bericht.docx``
(:mod:`berichtswerk.assembly.docx`) – also for one executed section notebook, as from JupyterLab's
"Save and Export Notebook As"."""

from __future__ import annotations

from typing import Any

from traitlets import default

from berichtswerk.assembly.docx.render import html_to_docx
from berichtswerk.assembly.exporters.html import ReportHTMLExporter
from berichtswerk.core.paths import find_data_dir
from berichtswerk.data.documents import reference_docx


class ReportDOCXExporter(ReportHTMLExporter):
    export_from_notebook = "Berichtswerk (Word)"
    output_mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".docx"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"  # the Word file is made from the HTML template's page

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[bytes, dict]:
        markup, resources = super().from_notebook_node(nb, resources, **kw)
        data_dir = find_data_dir((nb.metadata.get("papermill", {}).get("parameters") or {}).get("data_dir"))
        return html_to_docx(markup, resources, reference_docx(data_dir) if data_dir.is_dir() else None,
                            resources.get("nummerierung") == "kapitel"), resources
