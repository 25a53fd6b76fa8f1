"""Jinja2 for every piece of markup: autoescape on, so data is text unless it went through the
sanitising Markdown pipeline (the ``markdown`` filter returns already-safe markup). Each part of
berichtswerk keeps its templates in its own ``templates/`` folder, loaded as package resources
(:class:`jinja2.PackageLoader`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from berichtswerk.core.formats import datum, zahl
from berichtswerk.markup import markdown


@cache
def environment(package: str) -> Environment:
    """The HTML environment for ``berichtswerk.<package>/templates``."""
    env = Environment(
        loader=PackageLoader(f"berichtswerk.{package}", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
    )
    env.filters["zahl"] = zahl
    env.filters["datum"] = datum
    env.filters["markdown"] = lambda text: Markup(markdown.render(text))
    env.filters["markdown_inline"] = lambda text: Markup(markdown.render_inline(text))
    return env


def render(package: str, template: str, /, **context: Any) -> str:
    """Render ``berichtswerk/<package>/templates/<template>.html.j2``."""
    return environment(package).get_template(f"{template}.html.j2").render(**context).strip()


@cache
def text_environment(package: str) -> Environment:
    """Plain-text templates (e.g. the Abfrage's instructions): no HTML, so no escaping – the text
    ends up in spreadsheet cells that are written as text, never as formulas."""
    return Environment(loader=PackageLoader(f"berichtswerk.{package}", "templates"), autoescape=False,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_text(package: str, template: str, /, **context: Any) -> str:
    """Render ``berichtswerk/<package>/templates/<template>`` as plain text."""
    return text_environment(package).get_template(template).render(**context).strip()
