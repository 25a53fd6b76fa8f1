"""nbconvert exporters for the report (registered as ``berichtswerk_html``, ``berichtswerk_pdf`` and
``berichtswerk_docx``, so ``jupyter nbconvert --to berichtswerk_docx section.ipynb`` works too)."""

from berichtswerk.assembly.exporters.docx import ReportDOCXExporter
from berichtswerk.assembly.exporters.html import ReportHTMLExporter
from berichtswerk.assembly.exporters.pdf import ReportPDFExporter

__all__ = ["ReportDOCXExporter", "ReportHTMLExporter", "ReportPDFExporter"]
