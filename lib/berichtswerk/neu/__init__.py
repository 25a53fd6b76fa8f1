"""``berichtswerk neu`` and ``berichtswerk anpassen``: a report is a folder.

:func:`create_report` writes a complete report folder from the skeleton in ``vorlage/`` (shipped with
the package): ``data/`` that already checks and builds, ``notebooks/`` for the report's own
notebooks, a README for the report's editors, ``.gitignore`` and ``.gitattributes``. The standard
notebooks stay in the installed tool; :func:`customise_notebook` copies one into the report, where it
overrides the standard one by name."""

from __future__ import annotations

import shutil
from pathlib import Path

from berichtswerk.core.errors import DataError, Problem
from berichtswerk.core.paths import own_notebook_dir, package_path, standard_notebook_dir

#: Files of the skeleton stored without their leading dot (package data leaves dotfiles out).
DOTFILES = {"gitignore": ".gitignore", "gitattributes": ".gitattributes"}


def create_report(target: Path) -> Path:
    """A new report folder at ``target`` (new or empty)."""
    skeleton = package_path("neu", "vorlage")
    shutil.copytree(skeleton, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", *DOTFILES))
    for stored, name in DOTFILES.items():
        shutil.copyfile(skeleton / stored, target / name)
    return target


def standard_notebooks() -> list[str]:
    return sorted(p.name for p in standard_notebook_dir().glob("*.ipynb"))


def customise_notebook(data_dir: Path, name: str) -> Path:
    """Copy the standard notebook ``name`` into the report's ``notebooks/`` (never over an own one)."""
    name = name if name.endswith(".ipynb") else f"{name}.ipynb"
    source = standard_notebook_dir() / name
    if not source.is_file():
        raise DataError([Problem(name, "kein Standard-Notebook", "eines von " + ", ".join(standard_notebooks()))])
    target = own_notebook_dir(data_dir) / name
    if target.exists():
        raise DataError([Problem(str(target), "gibt es im Bericht schon",
                                 "ein Standard-Notebook, das der Bericht noch nicht selbst hat")])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target
