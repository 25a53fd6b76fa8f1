"""The Word version of the report (``bericht.docx``), made from the same HTML as the page and the PDF:
pandoc (PyPI ``pypandoc-binary``) writes the document (:mod:`.render`) from a variant of the HTML
prepared for it (:mod:`.variant`), styled by a reference document the design team can edit in Word
(:mod:`.reference`); what pandoc leaves out for accessibility is added afterwards with lxml."""
