"""Typed loaders: each table of ``data/`` has exactly one reader here (the YAML and text files have
theirs in :mod:`.documents`). The measures table is validated first (:mod:`.measures`) and comes back
as a pandas frame with proper dtypes: ``nr`` as text, multi-valued cells as lists, Drucksachen parsed
into :class:`~berichtswerk.data.drucksachen.Drucksache`. A file that cannot be read or does not
validate is a :class:`~berichtswerk.core.errors.DataError` with every problem of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from berichtswerk.core.errors import DataError
from berichtswerk.core.hashing import data_digest
from berichtswerk.core.paths import find_data_dir
from berichtswerk.data import drucksachen, korrekturen, recording, schema
from berichtswerk.data.documents import document, handlungsfelder_document, load_bericht
from berichtswerk.data.measures import validate_measures
from berichtswerk.data.tables import read_table


def _frame(path: Path, data_dir: Path | None = None) -> pd.DataFrame:
    """A table as text cells, with the data folder's corrections (:mod:`.korrekturen`) applied (the
    folder of the file unless another is given: an analyst's Excel file is read against data/)."""
    with recording.loader_reads(path):
        frame, _ = read_table(path)
    corrections = korrekturen.load(data_dir or path.parent)
    return frame.map(lambda v: korrekturen.apply(v, corrections)) if corrections else frame


def type_measures(frame: pd.DataFrame, formats: list[drucksachen.Format] | None = None) -> pd.DataFrame:
    """Turn a validated text table into the typed measures frame. ``nr`` stays text as written
    ("12", or "1.1" where a report numbers per field); empty for rows without a number."""
    typed = frame.loc[:, list(schema.MEASURES_COLUMNS)].copy()
    typed["nr"] = pd.array([str(v).strip() if schema.is_filled(v) else None for v in typed["nr"]], dtype="string")
    for column in ("handlungsfeld", "ziel", "titel", "beschreibung"):
        typed[column] = typed[column].astype("string")
    typed["status"] = pd.Categorical(typed["status"], categories=list(schema.STATUS))
    typed["oe"] = [schema.split_oe(v) for v in typed["oe"]]
    typed["drucksachen"] = [drucksachen.parse_drucksachen(v, formats or []) for v in typed["drucksachen"]]
    typed["weitere_infos"] = [drucksachen.split_references(v) for v in typed["weitere_infos"]]
    typed["handlungsfeld"] = typed["handlungsfeld"].astype("category")
    return typed


def load_measures(path: str | Path, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load ``massnahmen.csv`` (or an analyst's ``.xlsx`` / German-Excel CSV) as a typed frame.

    Raises :class:`DataError` with every problem of the file if it does not validate.
    """
    data_dir = find_data_dir(data_dir)
    return measures_from(Path(path), data_dir, list(load_handlungsfelder(data_dir)["titel"]),
                     lambda: set(load_organisationseinheiten(data_dir)["oe"]), load_bericht(data_dir))


def measures_from(path: Path, data_dir: Path, handlungsfelder: list[str],
                  oe_codes: Callable[[], set[str]], bericht: dict[str, Any],
                  validated: str | None = None) -> pd.DataFrame:
    """``validated``: the digest of a data folder the caller has just validated (the build's plan)."""
    formats = drucksachen.formats_from(bericht)
    frame = _frame(path, data_dir)
    if not _validated_by_build(data_dir, path, validated):
        problems = validate_measures(frame, path.name, handlungsfelder, oe_codes(), formats,
                                     schema.measure_number_pattern(bericht))
        if problems:
            raise DataError(problems)
    measures = type_measures(frame, formats)
    measures["handlungsfeld"] = measures["handlungsfeld"].cat.set_categories(handlungsfelder, ordered=True)
    return measures


def _validated_by_build(data_dir: Path, path: Path, validated: str | None = None) -> bool:
    """True when the build has just validated exactly this data folder (same content digest) – in its
    kernels, so each section need not import pandera and validate again, and in its plan."""
    token = validated or recording.validated_by_build()
    if not token or path.parent != data_dir:
        return False
    with recording.untracked():
        return token == data_digest(data_dir)


def load_public(key: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """A data table as the open data publish it: its text cells with the folder's corrections, and
    only the columns :data:`schema.FELDER` declares public, in their declared order."""
    frame = _frame(find_data_dir(data_dir) / schema.FILES[key])
    return frame[[c for c in schema.public_fields(key) if c in frame.columns]]


def load_ziele(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Ziele in table order, including those without any measure."""
    return _frame(find_data_dir(data_dir) / schema.FILES["ziele"]).astype("string")


def load_organisationseinheiten(data_dir: str | Path | None = None) -> pd.DataFrame:
    """OE code → name, Dezernat and role in writing the report. ``anzeigename`` is what charts show:
    the name, or "OE <code>" where the report names no unit for a code."""
    frame = _frame(find_data_dir(data_dir) / schema.FILES["organisationseinheiten"]).astype("string")
    frame["anzeigename"] = frame["name"].fillna("OE " + frame["oe"])
    if "name_mitwirkende" not in frame.columns:
        frame["name_mitwirkende"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame


def load_dezernate(data_dir: str | Path | None = None) -> pd.DataFrame:
    return _frame(find_data_dir(data_dir) / schema.FILES["dezernate"]).astype("string")


def load_handlungsfelder(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The Handlungsfelder in report order: title, slug, colour (configured or derived), intro text
    (with its footnotes, ``[^name]``)."""
    columns = ["titel", "slug", "farbe", "einleitung"]
    return pd.DataFrame([{c: e.get(c) for c in columns} for e in handlungsfelder_document(data_dir)],
                        columns=columns)


def load_beispiele(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The "Was haben wir erreicht?" examples: one row per example with the measures it cites."""
    rows = [
        {"handlungsfeld": e["titel"], "position": i, "text": b["text"],
         "massnahmen": [str(nr) for nr in b["massnahmen"]]}
        for e in handlungsfelder_document(data_dir)
        for i, b in enumerate(e.get("beispiele") or [], start=1)
    ]
    return pd.DataFrame(rows, columns=["handlungsfeld", "position", "text", "massnahmen"])


def load_ausblick(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Chapter 4's table of Themenfelder (Ziel, Beschreibung, geplante Maßnahmen as Markdown)."""
    doc = document(data_dir, "ausblick")
    return pd.DataFrame(doc["themenfelder"]).astype("string")
