"""How report content becomes markup, shared by the kernels, ``check`` and the assembly: Markdown
to safe HTML (:mod:`.markdown`), Jinja environments with autoescaping (:mod:`.templating`) and the
visual identity – stylesheet of the blocks, chart style, colours as CSS (:mod:`.theme`)."""
