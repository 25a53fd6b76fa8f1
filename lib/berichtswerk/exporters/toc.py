"""Preprocessor that collects the headings of all HTML outputs for the table of contents."""

from __future__ import annotations

import html
import re
from typing import Any

from nbconvert.preprocessors import Preprocessor

HEADING = re.compile(r'<h([12]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def headings(markup: str) -> list[dict[str, Any]]:
    """Chapters (h1) and numbered sub-chapters (h2 "3.3 …"); unnumbered h2 stay out, as in print."""
    found = []
    for level, ident, text in HEADING.findall(markup):
        plain = html.unescape(TAG.sub("", text)).strip()
        if level == "1" or plain[:1].isdigit():
            found.append({"level": int(level), "id": ident, "text": html.escape(plain)})
    return found


class TocPreprocessor(Preprocessor):
    """Put ``resources["toc"]``: chapter (h1) and sub-chapter (h2) headings in document order."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        toc: list[dict[str, Any]] = []
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                markup = output.get("data", {}).get("text/html")
                if markup:
                    toc += headings("".join(markup) if isinstance(markup, list) else markup)
        resources["toc"] = toc
        return nb, resources
