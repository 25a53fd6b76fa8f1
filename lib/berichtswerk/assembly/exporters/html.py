"""The report's HTML exporter: nbconvert's HTMLExporter with our template, our preprocessors and no
code. Registered as ``berichtswerk_html``: it exports the merged report as well as a single executed
section notebook (from the command line or JupyterLab's "Save and Export Notebook As")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from markupsafe import Markup
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets import Bool, default

from berichtswerk import __version__
from berichtswerk.assembly.cells import HIDDEN_TAGS
from berichtswerk.assembly.merge import prepare_single
from berichtswerk.assembly.preprocessors.content import ContentPreprocessor
from berichtswerk.assembly.preprocessors.numbering import NumberingPreprocessor
from berichtswerk.core.formats import datum
from berichtswerk.core.paths import package_path
from berichtswerk.markup import theme

TEMPLATES = package_path("assembly", "templates")


def css_string(text: str) -> Markup:
    """A CSS string literal that cannot end the string or the ``<style>`` element."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def _date(value: Any) -> str:
    try:
        return datum(value if isinstance(value, dt.date) else str(value))
    except ValueError:
        return str(value)


class _CompiledOnce(BytecodeCache):
    """The exporter's templates compiled once per process, not once per exporter (the preview
    renders the report at every save). Jinja checks each template's source checksum on load, so an
    edited template is compiled anew; every environment using it is made alike, by
    :meth:`ReportHTMLExporter._create_environment`."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledOnce()


class ReportHTMLExporter(HTMLExporter):
    """Renders an executed report notebook (or one section) as one self-contained HTML page."""

    export_from_notebook = "Berichtswerk (HTML)"
    full_report = Bool(True, help="Titelseite und Inhaltsverzeichnis ausgeben").tag(config=True)

    @default("template_name")
    def _template_name_default(self) -> str:
        return "berichtswerk"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(TEMPLATES)]

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self) -> bool:
        return True

    @default("optimistic_validation")
    def _optimistic_validation_default(self) -> bool:
        return True  # validate once after all preprocessors, not after each of them

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self) -> bool:
        return True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True))
        self.register_preprocessor(ContentPreprocessor(enabled=True))
        self.register_preprocessor(NumberingPreprocessor(enabled=True))

    def _create_environment(self):  # type: ignore[override]
        environment = super()._create_environment()
        environment.autoescape = True  # data is text unless it passed the sanitiser (then it is Markup)
        environment.bytecode_cache = _COMPILED
        return environment

    def default_filters(self):  # type: ignore[override]
        yield from super().default_filters()
        yield ("css_string", css_string)
        yield ("datum_de", _date)

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[str, dict]:
        resources = dict(resources or {})
        # no copy here: nbconvert's Exporter.from_notebook_node copies before preprocessing, and
        # prepare_single builds a new notebook
        if "bericht" not in nb.metadata.get("berichtswerk", {}):
            nb = prepare_single(nb, resources)
        meta = nb.metadata["berichtswerk"]
        bericht = dict(meta.get("bericht", {}))
        resources["bericht"] = bericht
        resources["beschriftungen"] = dict(bericht.get("beschriftungen") or {})
        resources["farben"] = [tuple(p) for p in meta.get("farben", [])]
        resources["toc_tiefe"] = meta.get("toc_tiefe", 2)
        resources["nummerierung"] = meta.get("nummerierung", "bericht")
        resources["version"] = __version__
        resources["report_css"] = "\n".join([
            theme.css_variables(tuple(p) for p in meta.get("farben", [])),
            theme.component_css(),
            (TEMPLATES / "berichtswerk" / "report.css").read_text(encoding="utf-8"),
        ])
        resources.setdefault("seitentitel", f"{bericht.get('titel', '')} – {bericht.get('untertitel', '')}")
        full = self.full_report and not meta.get("einzeln")
        resources["body_class"] = "bericht" if full else "bericht kapitel-einzeln"
        resources["vollstaendig"] = full
        # HTMLExporter.from_notebook_node would re-parse the finished page with BeautifulSoup to add
        # alt text and tabindex to notebook cell markup this template does not produce; it only
        # registers these two filters first, which the base templates name
        self.register_filter("highlight_code", self.filters.get("highlight_code", lambda code, *a, **k: code))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=nb.metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    def chapter_page(self, body: str, resources: dict[str, Any], title: str) -> str:
        """One chapter (already numbered markup) as a page of its own, with the report's styles."""
        template = self.environment.get_template("kapitel.html.j2")
        return template.render(body=body, resources={**resources, "seitentitel": title,
                                                     "body_class": "bericht kapitel-einzeln"})
