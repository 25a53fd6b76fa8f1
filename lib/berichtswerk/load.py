"""Typed loaders, one per table of ``data/``. Each validates first (see :mod:`.validation`) and then
returns pandas objects with proper dtypes: ``nr`` as nullable integer, multi-valued cells as lists,
Drucksachen parsed into :class:`~berichtswerk.drucksachen.Drucksache`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import drucksachen, schema
from .errors import DataError, Problem, UnreadableFileError
from .paths import find_data_dir
from .tables import read_table


def _frame(path: Path) -> pd.DataFrame:
    try:
        frame, _ = read_table(path)
    except UnreadableFileError as exc:
        raise DataError([Problem(path.name, str(exc).split(": ", 1)[-1])]) from None
    return frame


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def type_measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn a validated text table into the typed measures frame."""
    typed = frame.loc[:, list(schema.MEASURES_COLUMNS)].copy()
    typed["nr"] = pd.array([int(v) if schema.is_filled(v) else None for v in typed["nr"]], dtype="Int64")
    for column in ("handlungsfeld", "ziel", "titel", "beschreibung"):
        typed[column] = typed[column].astype("string")
    typed["oe"] = [schema.split_oe(v) for v in typed["oe"]]
    typed["drucksachen"] = [drucksachen.parse_drucksachen(v) for v in typed["drucksachen"]]
    typed["weitere_infos"] = [drucksachen.split_references(v) for v in typed["weitere_infos"]]
    typed["handlungsfeld"] = typed["handlungsfeld"].astype("category")
    return typed


def load_measures(path: str | Path, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load ``massnahmen.csv`` (or an analyst's ``.xlsx`` / German-Excel CSV) as a typed frame.

    Raises :class:`DataError` with every problem of the file if it does not validate.
    """
    data_dir = find_data_dir(data_dir)
    return _measures(Path(path), data_dir, list(load_handlungsfelder(data_dir)["titel"]),
                     lambda: set(load_organisationseinheiten(data_dir)["oe"]))


def _measures(path: Path, data_dir: Path, handlungsfelder: list[str],
              oe_codes: Callable[[], set[str]]) -> pd.DataFrame:
    from .validation import validate_measures

    frame = _frame(path)
    if not _validated_by_build(data_dir, path):
        problems = validate_measures(frame, path.name, handlungsfelder, oe_codes())
        if problems:
            raise DataError(problems)
    measures = type_measures(frame)
    measures["handlungsfeld"] = measures["handlungsfeld"].cat.set_categories(handlungsfelder, ordered=True)
    return measures


def _validated_by_build(data_dir: Path, path: Path) -> bool:
    """True inside a build's kernels when the build has just validated exactly this data folder
    (same content digest), so each section need not import pandera and validate again."""
    import os

    from .fingerprint import data_digest

    token = os.environ.get("BERICHTSWERK_VALIDIERT")
    return bool(token) and path.parent == data_dir and token == data_digest(data_dir)


def load_ziele(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Ziele in table order, including those without any measure."""
    frame = _frame(find_data_dir(data_dir) / schema.FILES["ziele"])
    return frame.astype("string")


def load_organisationseinheiten(data_dir: str | Path | None = None) -> pd.DataFrame:
    """OE code → name, Dezernat and role in writing the report. ``anzeigename`` is what charts show:
    the name, or "OE <code>" where the report names no unit for a code."""
    frame = _frame(find_data_dir(data_dir) / schema.FILES["organisationseinheiten"]).astype("string")
    frame["anzeigename"] = frame["name"].fillna("OE " + frame["oe"])
    return frame


def load_dezernate(data_dir: str | Path | None = None) -> pd.DataFrame:
    return _frame(find_data_dir(data_dir) / schema.FILES["dezernate"]).astype("string")


def load_handlungsfelder(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The eight Handlungsfelder (chapter 3) in report order, indexed by title."""
    doc = _yaml(find_data_dir(data_dir) / schema.FILES["handlungsfelder"])
    rows = [
        {
            "nummer": e["nummer"],
            "titel": e["titel"],
            "slug": e["slug"],
            "integrationskonzept_seite": e.get("integrationskonzept_seite"),
            "einleitung": e["einleitung"],
            "weitere_quellen": list(e.get("weitere_quellen") or []),
        }
        for e in doc["handlungsfelder"]
    ]
    frame = pd.DataFrame(rows)
    frame["integrationskonzept_seite"] = frame["integrationskonzept_seite"].astype("Int64")
    return frame


def load_beispiele(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The "Was haben wir erreicht?" examples: one row per example with the measures it cites."""
    doc = _yaml(find_data_dir(data_dir) / schema.FILES["handlungsfelder"])
    rows = [
        {"handlungsfeld": e["titel"], "position": i, "text": b["text"], "massnahmen": list(b["massnahmen"])}
        for e in doc["handlungsfelder"]
        for i, b in enumerate(e.get("beispiele") or [], start=1)
    ]
    return pd.DataFrame(rows, columns=["handlungsfeld", "position", "text", "massnahmen"])


def load_ausblick(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Chapter 4's table of Themenfelder (Ziel, Beschreibung, geplante Maßnahmen as Markdown)."""
    doc = _yaml(find_data_dir(data_dir) / schema.FILES["ausblick"])
    return pd.DataFrame(doc["themenfelder"]).astype("string")


def load_bericht(data_dir: str | Path | None = None) -> dict[str, Any]:
    """Title page, imprint and chapter titles."""
    return _yaml(find_data_dir(data_dir) / schema.FILES["bericht"])


def load_text(name: str, data_dir: str | Path | None = None) -> str:
    """A prose file from ``data/texte/`` (Markdown), e.g. ``load_text("kapitel_1")``."""
    return (find_data_dir(data_dir) / schema.TEXT_DIR / f"{name}.md").read_text(encoding="utf-8")


@dataclass
class ReportData:
    """Everything one section needs, loaded lazily from one data folder."""

    data_dir: Path

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> ReportData:
        return cls(find_data_dir(data_dir))

    @cached_property
    def massnahmen(self) -> pd.DataFrame:
        return _measures(self.data_dir / schema.FILES["massnahmen"], self.data_dir,
                         list(self.handlungsfelder["titel"]), lambda: set(self.organisationseinheiten["oe"]))

    @cached_property
    def ziele(self) -> pd.DataFrame:
        return load_ziele(self.data_dir)

    @cached_property
    def organisationseinheiten(self) -> pd.DataFrame:
        return load_organisationseinheiten(self.data_dir)

    @cached_property
    def dezernate(self) -> pd.DataFrame:
        return load_dezernate(self.data_dir)

    @cached_property
    def handlungsfelder(self) -> pd.DataFrame:
        return load_handlungsfelder(self.data_dir)

    @cached_property
    def beispiele(self) -> pd.DataFrame:
        return load_beispiele(self.data_dir)

    @cached_property
    def ausblick(self) -> pd.DataFrame:
        return load_ausblick(self.data_dir)

    @cached_property
    def bericht(self) -> dict[str, Any]:
        return load_bericht(self.data_dir)

    def text(self, name: str) -> str:
        return load_text(name, self.data_dir)

    def handlungsfeld(self, titel: str) -> pd.Series:
        """One Handlungsfeld by title; a clear error lists the valid titles."""
        match = self.handlungsfelder[self.handlungsfelder["titel"] == titel]
        if match.empty:
            valid = ", ".join(f"„{t}“" for t in self.handlungsfelder["titel"])
            raise DataError([Problem(schema.FILES["handlungsfelder"],
                                     f"Handlungsfeld „{titel}“ gibt es nicht", f"eines von {valid}",
                                     spalte="handlungsfeld", wert=titel)])
        return match.iloc[0]

    @cached_property
    def oe_names(self) -> dict[str, str]:
        """Code → name of every unit the report names (units without a name are left out)."""
        named = self.organisationseinheiten.dropna(subset=["name"])
        return dict(zip(named["oe"], named["name"], strict=True))

    def oe_name(self, code: str) -> str:
        """The unit's name, or "OE <code>" where the report names none."""
        return self.oe_names.get(code, f"OE {code}")
