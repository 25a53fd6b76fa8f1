"""The shape of ``data/``: file names, column order and what each column must hold. Kept in one
place so the validator, the loaders, the docs and the tests agree."""

from __future__ import annotations

MEASURES_COLUMNS: tuple[str, ...] = (
    "nr",
    "handlungsfeld",
    "ziel",
    "titel",
    "beschreibung",
    "oe",
    "drucksachen",
    "weitere_infos",
)

FILES = {
    "massnahmen": "massnahmen.csv",
    "ziele": "ziele.csv",
    "organisationseinheiten": "organisationseinheiten.csv",
    "dezernate": "dezernate.csv",
    "handlungsfelder": "handlungsfelder.yaml",
    "ausblick": "ausblick.yaml",
    "bericht": "bericht.yaml",
}
ZIELE_COLUMNS = ("handlungsfeld", "ziel")
OE_COLUMNS = ("oe", "name", "dezernat", "mitwirkung")
DEZERNAT_COLUMNS = ("dezernat", "bezeichnung", "leitung")
TEXT_DIR = "texte"

#: Separator inside the ``oe`` cell (references use ``;``, see drucksachen.split_references).
OE_SEPARATOR = ","


def split_oe(cell: str | None) -> list[str]:
    """``"40, 50, 51"`` → ``["40", "50", "51"]``; empty → ``[]``."""
    if not is_filled(cell):
        return []
    return [part.strip() for part in str(cell).split(OE_SEPARATOR) if part.strip()]


def is_filled(cell: object) -> bool:
    """False for ``None``, NaN (pandas' empty cell) and blank text."""
    return cell is not None and cell == cell and str(cell).strip() != ""
