"""The MIME types that carry report content out of a kernel: the contract between what a section
displays (:mod:`berichtswerk.abschnitt`) and what the build and the assembly take from it."""

#: A report block: the bare markup the assembler typesets (``text/html`` is JupyterLab's rendering).
HTML_MIME = "application/vnd.berichtswerk.html"
#: A table's data (columns, rows) for the design handoff.
TABLE_MIME = "application/vnd.berichtswerk.tabelle+json"
#: What a section read while it ran (the build's dependency record).
DEPS_MIME = "application/vnd.berichtswerk.abhaengigkeiten+json"
#: A warning for the analyst under a cell in JupyterLab (the report never shows it).
WARNING_MIME = "application/vnd.berichtswerk.warnung+json"
#: The values of a Markdown cell's inline expressions (`` `{python} n` ``), computed by the build.
INLINE_MIME = "application/vnd.berichtswerk.inline+json"
