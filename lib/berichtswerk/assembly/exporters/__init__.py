"""nbconvert exporters for the report (registered as ``berichtswerk_html`` and ``berichtswerk_pdf``,
so ``jupyter nbconvert --to berichtswerk_pdf merged.ipynb`` works too)."""

from berichtswerk.assembly.exporters.html import ReportHTMLExporter
from berichtswerk.assembly.exporters.pdf import ReportPDFExporter

__all__ = ["ReportHTMLExporter", "ReportPDFExporter"]
