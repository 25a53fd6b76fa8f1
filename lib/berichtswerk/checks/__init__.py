"""``berichtswerk check`` and the checks the build runs first: every problem of a data folder at once
(:mod:`.data_folder`), with prose (:mod:`.prose`), the structure (:mod:`.structure`) and the
corrections list (:mod:`.corrections`); and the PDF/UA validation of a finished PDF (:mod:`.pdfua`)."""
