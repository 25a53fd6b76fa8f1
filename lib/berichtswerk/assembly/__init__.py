"""Assembly: executed sections become the deliverables – nbconvert's way. Exporters
(:mod:`.exporters`: ``berichtswerk_html``, ``berichtswerk_pdf``) with Jinja templates
(``templates/berichtswerk``), preprocessors that each do one job (:mod:`.preprocessors`: cells to
report content, numbering and cross-references), the merged report notebook (:mod:`.merge`), the
PDF (:mod:`.pdf`), the design handoff (:mod:`.handoff`) and the outputs of one build
(:mod:`.outputs`). What the report can take from an executed cell is decided in :mod:`.cells`."""
