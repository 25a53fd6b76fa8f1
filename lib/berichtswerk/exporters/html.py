"""The report's HTML exporter: nbconvert's HTMLExporter with our template and no code."""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import HTMLExporter
from traitlets import Bool, default

from .. import __version__, theme
from ..paths import TEMPLATE_DIR
from ..render import titelseite
from .toc import TocPreprocessor


class ReportHTMLExporter(HTMLExporter):
    """Renders an executed (merged) report notebook as one self-contained HTML page.

    The notebook's ``metadata.berichtswerk.bericht`` carries title page data (``bericht.yaml``).
    """

    export_from_notebook = "Bericht (HTML)"
    full_report = Bool(True, help="Titelseite und Inhaltsverzeichnis ausgeben").tag(config=True)

    @default("template_name")
    def _template_name_default(self) -> str:
        return "berichtswerk"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(TEMPLATE_DIR)]

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self) -> bool:
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self) -> bool:
        return True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_preprocessor(TocPreprocessor, enabled=True)

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[str, dict]:
        resources = dict(resources or {})
        bericht = dict(nb.metadata.get("berichtswerk", {}).get("bericht", {}))
        resources.setdefault("bericht", bericht)
        resources["version"] = __version__
        resources["report_css"] = theme.css_variables() + "\n" + (TEMPLATE_DIR / "berichtswerk" / "report.css").read_text(encoding="utf-8")
        resources.setdefault("seitentitel", f"{bericht.get('titel', '')} – {bericht.get('untertitel', '')}")
        resources.setdefault("body_class", "bericht" if self.full_report else "bericht kapitel-einzeln")
        resources["titelseite"] = titelseite(bericht) if self.full_report and bericht else ""
        output, resources = super().from_notebook_node(nb, resources, **kw)
        if not self.full_report:
            resources["toc"] = []
        return output, resources

    def _init_resources(self, resources: dict[str, Any]) -> dict[str, Any]:
        resources = super()._init_resources(resources)
        if not self.full_report:
            resources["toc"] = []
        return resources
