"""``berichtswerk build``: a pipeline of stages that return data (:mod:`.pipeline`) –
check (:mod:`berichtswerk.checks`) → plan (:mod:`.plan`) → execute (:mod:`berichtswerk.execution`) →
assemble (:mod:`berichtswerk.assembly`) → publish (:mod:`.publish`) – under one lock and one deadline
(:mod:`.guard`), with what the last build knew in a manifest (:mod:`.manifest`) and one line per
section and state for the people reading the log (:mod:`.progress`)."""

#: What a build can make, and by default makes: ``bericht.html`` (with chapters and handoff), ``.pdf``, ``.docx``.
FORMATS = ("html", "pdf", "docx")
