"""nbconvert preprocessors of the report, one job each: executed cells to report content
(:mod:`.content`), headings, numbers, cross-references and footnotes (:mod:`.numbering`)."""
