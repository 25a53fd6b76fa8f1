"""The yearly round – the next edition of a report: the query to the units (``abfrage``, one Excel
workbook each: :mod:`.abfrage`), reading their answers back in a three-way merge (``einlesen``:
:mod:`.einlesen`) and freezing a published edition (``einfrieren``: :mod:`.einfrieren`)."""
