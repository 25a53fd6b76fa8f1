"""Where things live. Every path the project uses is derived here, never from the working directory
alone, so a notebook opened in JupyterLab (cwd ``notebooks/``) and the scheduled build (cwd = project
root) find the same data."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
#: The checkout this package was installed from (editable install: ``lib/berichtswerk`` → root).
PROJECT_ROOT = PACKAGE_DIR.parents[1]
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_OUTPUT_DIR = PROJECT_ROOT / "outputs"

MEASURES_FILE = "massnahmen.csv"


def find_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data folder: an explicit argument wins, then ``$BERICHTSWERK_DATA``, then the
    nearest ``data/`` above the working directory, then the project's own ``data/``."""
    if data_dir:
        return Path(data_dir).expanduser().resolve()
    if env := os.environ.get("BERICHTSWERK_DATA"):
        return Path(env).expanduser().resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / MEASURES_FILE).is_file():
            return folder / "data"
    return DEFAULT_DATA_DIR
