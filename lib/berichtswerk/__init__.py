"""Berichtswerk: regenerate a report of measures (first: the Region Hannover's 2021 integration report)
from the data in ``data/``.

The package is split by concern: :mod:`~berichtswerk.tables` reads spreadsheets,
:mod:`~berichtswerk.validation` checks them, :mod:`~berichtswerk.load` returns typed pandas
objects, :mod:`~berichtswerk.figures` and :mod:`~berichtswerk.charts` compute and draw,
:mod:`~berichtswerk.render` writes HTML fragments for the notebooks, and
:mod:`~berichtswerk.build` runs the notebooks and assembles the report.
"""

__version__ = "0.1.0"
