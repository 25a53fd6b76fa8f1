"""The PDF of the report: layout (:mod:`.render`) and PDF/UA structure tags (:mod:`.tagging`)."""
