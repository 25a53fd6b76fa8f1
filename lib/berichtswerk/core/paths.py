"""Where things live.

The tool's own files – templates, stylesheets, the standard notebooks, the skeleton of a new report,
the Java source of the PDF/UA check – are resources of the installed package, found with
:mod:`importlib.resources`, never relative to a checkout.

A report is a folder (like a Quarto or Jupyter Book project)::

    bericht/
      data/          the source of truth: gliederung.yaml, massnahmen.csv, …
      notebooks/     the report's own notebooks; a notebook here overrides a standard one by name
      outputs/       generated
      ausgaben/ abfragen/ sicherungen/   the yearly round (beside data/)

A command finds the data folder from ``--data``, ``$BERICHTSWERK_DATA`` or the working directory
(the nearest ``data/`` with a ``gliederung.yaml`` in it or above it), so a notebook opened in
JupyterLab (cwd ``notebooks/``) and the scheduled build (cwd = the report folder) find the same data."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

DATA_FOLDER = "data"
NOTEBOOK_FOLDER = "notebooks"
OUTPUT_FOLDER = "outputs"
#: The file that makes a folder a report's data folder (the report's one declarative file).
STRUCTURE_FILE = "gliederung.yaml"


def package_path(*parts: str) -> Path:
    """A file or folder shipped with berichtswerk (``package_path("notebooks")``)."""
    return Path(str(files("berichtswerk").joinpath(*parts)))


def find_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: an explicit argument wins, then ``$BERICHTSWERK_DATA``, then the nearest
    ``data/`` holding a ``gliederung.yaml`` at or above the working directory, else ``./data``
    (which the commands then report as missing)."""
    if data_dir:
        return Path(data_dir).expanduser().resolve()
    if env := os.environ.get("BERICHTSWERK_DATA"):
        return Path(env).expanduser().resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / DATA_FOLDER / STRUCTURE_FILE).is_file():
            return folder / DATA_FOLDER
    return here / DATA_FOLDER


def report_dir(data_dir: Path) -> Path:
    """The report folder around a data folder (where notebooks/, outputs/, ausgaben/ … live)."""
    return Path(data_dir).resolve().parent


def standard_notebook_dir() -> Path:
    return package_path(NOTEBOOK_FOLDER)


def own_notebook_dir(data_dir: Path) -> Path:
    return report_dir(data_dir) / NOTEBOOK_FOLDER


def find_notebook(name: str, data_dir: Path) -> Path:
    """The report's own ``notebooks/<name>`` if there is one, else the standard notebook of that name."""
    own = own_notebook_dir(data_dir) / name
    return own if own.is_file() else standard_notebook_dir() / name


def notebook_names(data_dir: Path) -> list[str]:
    """Every notebook a structure may name: the report's own and the standard ones."""
    folders = (own_notebook_dir(data_dir), standard_notebook_dir())
    return sorted({p.name for folder in folders for p in folder.glob("*.ipynb")})


def default_output_dir(data_dir: Path) -> Path:
    return report_dir(data_dir) / OUTPUT_FOLDER
