"""Values computed in code, written into a Markdown cell – Quarto's inline code:
``Im Jahr 2023 wurden `{python} n` Maßnahmen umgesetzt.``

The build evaluates each expression in the kernel right where the Markdown cell stands (after the
code cells above it; :mod:`berichtswerk.execution.jobs` adds a hidden cell there, and
:mod:`berichtswerk.abschnitt.werte` evaluates), and the assembly writes the values into the prose
(:func:`substitute`) before it becomes HTML. A value is text: it is escaped, so it cannot add markup.
JupyterLab shows the expression itself, as code – the value appears in the report and the preview."""

from __future__ import annotations

import re

#: `` `{python} expression` `` – the backticks, the engine in braces, the expression.
INLINE = re.compile(r"`\{python\}\s+([^`]+?)\s*`")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def expressions(source: str) -> list[str]:
    """The inline expressions of a Markdown cell, in order, each once."""
    return list(dict.fromkeys(m.group(1) for m in INLINE.finditer(source)))


def escaped(value: str) -> str:
    """Plain text as Markdown that reads exactly as that text (no emphasis, no link, no HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value.replace("&", "&amp;"))


def substitute(source: str, values: dict[str, str]) -> str:
    """The Markdown with every inline expression replaced by its value (unknown ones stay as written)."""
    return INLINE.sub(lambda m: escaped(values[m.group(1)]) if m.group(1) in values else m.group(0), source)
