"""``berichtswerk vorschau``: the report served on 127.0.0.1, rebuilt on every save and swapped into
the open page (:mod:`.server`; the page's script and the waiting page are in ``templates/``)."""
