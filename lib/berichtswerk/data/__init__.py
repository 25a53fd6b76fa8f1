"""The data of a report, read: exactly one reader for each file of ``data/`` – tables
(:mod:`.tables`, typed by :mod:`.load`, the measures' rules in :mod:`.measures`), YAML and prose
(:mod:`.documents`), the structure (:mod:`.gliederung`), the corrections list (:mod:`.korrekturen`),
frozen editions beside it (:mod:`.ausgaben`) – and what a section reads of them
(:class:`~berichtswerk.data.report_data.ReportData`), recorded while it runs (:mod:`.recording`).
No other part of berichtswerk opens a file under ``data/``."""
