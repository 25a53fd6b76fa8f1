"""The structure (``data/gliederung.yaml``) as ``check`` sees it: the reader's own problems
(:func:`berichtswerk.data.gliederung.problems`) plus what only papermill can tell – whether a
notebook's ``parameters`` cell defines the parameters the structure passes it."""

from __future__ import annotations

from pathlib import Path

from berichtswerk.core.errors import DataError, Problem
from berichtswerk.data import gliederung


def notebook_parameters(path: Path) -> set[str]:
    """Names in the notebook's ``parameters`` cell, as papermill sees them."""
    import papermill as pm  # heavy; only ``check`` and ``gliederung`` ask

    return set(pm.inspect_notebook(str(path)))


def structure_problems(data_dir: Path) -> list[Problem]:
    try:
        doc = gliederung.read_document(data_dir)
    except DataError as exc:
        return exc.problems
    return gliederung.problems(doc, data_dir, notebook_parameters)


def checked_structure(data_dir: Path) -> gliederung.Structure:
    """The resolved structure, its notebooks' parameters checked (``DataError`` with every problem)."""
    return gliederung.load_structure(data_dir, notebook_parameters)
