"""Third-party imports our own processes do without."""

from __future__ import annotations

import sys


def without_iri_format_checker() -> None:
    """jsonschema (under nbformat, papermill and nbconvert) imports ``rfc3987_syntax`` when it is
    installed – Jupyter's dependencies install it – and that import compiles some forty grammars:
    about 0.9 s of every command that reads a notebook (``check`` took 3 s for the 2021 report), only
    to check the string formats "iri" and "iri-reference", which no notebook schema uses. Without it,
    jsonschema leaves those two formats unchecked (upstream: python-jsonschema/jsonschema#1428).
    Called by the command line and by builds run as a library; kernels are not affected."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
