"""Jinja2 for every piece of report markup: autoescape on, so data is text unless it went through
the sanitising Markdown pipeline (the ``markdown`` filter returns already-safe markup)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import markdown
from .format import datum, zahl
from .paths import TEMPLATE_DIR


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR / "fragmente")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
    )
    env.filters["zahl"] = zahl
    env.filters["datum"] = datum
    env.filters["markdown"] = lambda text: Markup(markdown.render(text))
    env.filters["markdown_inline"] = lambda text: Markup(markdown.render_inline(text))
    return env


def render(template: str, /, **context: Any) -> str:
    """Render ``templates/fragmente/<template>.html.j2``."""
    return environment().get_template(f"{template}.html.j2").render(**context).strip()


@lru_cache(maxsize=1)
def text_environment() -> Environment:
    """Plain-text templates (e.g. the Abfrage's instructions): no HTML, so no escaping – the text
    ends up in spreadsheet cells that are written as text, never as formulas."""
    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=False,  # noqa: S701
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_text(template: str, /, **context: Any) -> str:
    """Render ``templates/<template>`` as plain text."""
    return text_environment().get_template(template).render(**context).strip()
