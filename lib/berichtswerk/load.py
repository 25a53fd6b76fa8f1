"""Typed loaders: each file of ``data/`` has exactly one reader here. Tables are validated first (see
:mod:`.validation`) and come back as pandas objects with proper dtypes: ``nr`` as nullable integer,
multi-valued cells as lists, Drucksachen parsed into :class:`~berichtswerk.drucksachen.Drucksache`.

:class:`ReportData` is what notebooks use. Its accessors filter (one Handlungsfeld's measures, one
unit's name) and, inside a build, record a digest of exactly what they returned (:mod:`.deps`): that
record, not a hand-written list, decides which sections a data edit re-runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from . import deps, drucksachen, schema, theme
from .documents import handlungsfelder_document, load_bericht, load_text, read_yaml
from .errors import DataError, Problem, UnreadableFileError
from .paths import find_data_dir
from .tables import read_table


def _frame(path: Path, data_dir: Path | None = None) -> pd.DataFrame:
    """A table as text cells, with the data folder's corrections (:mod:`.korrekturen`) applied (the
    folder of the file unless another is given: an analyst's Excel file is read against data/)."""
    from . import korrekturen

    try:
        with deps.loader_reads(path):
            frame, _ = read_table(path)
    except UnreadableFileError as exc:
        raise DataError([Problem(path.name, str(exc).split(": ", 1)[-1])]) from None
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
    return _measures(Path(path), data_dir, list(load_handlungsfelder(data_dir)["titel"]),
                     lambda: set(load_organisationseinheiten(data_dir)["oe"]), load_bericht(data_dir))


def _measures(path: Path, data_dir: Path, handlungsfelder: list[str],
              oe_codes: Callable[[], set[str]], bericht: dict[str, Any]) -> pd.DataFrame:
    from .validation import validate_measures

    formats = drucksachen.formats_from(bericht)
    frame = _frame(path, data_dir)
    if not _validated_by_build(data_dir, path):
        problems = validate_measures(frame, path.name, handlungsfelder, oe_codes(), formats,
                                     schema.measure_number_pattern(bericht))
        if problems:
            raise DataError(problems)
    measures = type_measures(frame, formats)
    measures["handlungsfeld"] = measures["handlungsfeld"].cat.set_categories(handlungsfelder, ordered=True)
    return measures


def _validated_by_build(data_dir: Path, path: Path) -> bool:
    """True inside a build's kernels when the build has just validated exactly this data folder
    (same content digest), so each section need not import pandera and validate again."""
    from .fingerprint import data_digest

    token = deps.validated_by_build()
    if not token or path.parent != data_dir:
        return False
    with deps.untracked():
        return token == data_digest(data_dir)


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
    entries = handlungsfelder_document(data_dir)
    colours = theme.farben((e["slug"], e.get("farbe")) for e in entries)
    rows = [
        {
            "titel": e["titel"],
            "slug": e["slug"],
            "farbe": colour,
            "einleitung": e["einleitung"],
        }
        for e, colour in zip(entries, colours, strict=True)
    ]
    frame = pd.DataFrame(rows, columns=["titel", "slug", "farbe", "einleitung"])
    return frame


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
    doc = read_yaml(find_data_dir(data_dir) / schema.FILES["ausblick"])
    return pd.DataFrame(doc["themenfelder"]).astype("string")


def _key(table: str, **filters: Any) -> str:
    chosen = {k: v for k, v in filters.items() if v is not None}
    return table + "".join(f"?{k}={v}" for k, v in sorted(chosen.items()))


@dataclass
class ReportData:
    """Everything a section reads, loaded lazily from one data folder.

    Accessors take optional filters; what they return is what the section depends on."""

    data_dir: Path

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> ReportData:
        data = cls(find_data_dir(data_dir))
        deps.note_data_dir(data.data_dir)
        return data

    # parsed files, cached, not recorded (the public accessors below record what they hand out)
    @cached_property
    def _handlungsfelder(self) -> pd.DataFrame:
        return load_handlungsfelder(self.data_dir)

    @cached_property
    def _organisationseinheiten(self) -> pd.DataFrame:
        return load_organisationseinheiten(self.data_dir)

    @cached_property
    def _massnahmen(self) -> pd.DataFrame:
        return _measures(self.data_dir / schema.FILES["massnahmen"], self.data_dir,
                         list(self._handlungsfelder["titel"]), lambda: set(self._organisationseinheiten["oe"]),
                         self._bericht)

    @cached_property
    def _ziele(self) -> pd.DataFrame:
        return load_ziele(self.data_dir)

    @cached_property
    def _beispiele(self) -> pd.DataFrame:
        return load_beispiele(self.data_dir)

    @cached_property
    def _bericht(self) -> dict[str, Any]:
        return load_bericht(self.data_dir)

    @cached_property
    def _oe_names(self) -> dict[str, str]:
        named = self._organisationseinheiten.dropna(subset=["name"])
        return dict(zip(named["oe"], named["name"], strict=True))

    def _recorded(self, value: Any, table: str, **filters: Any) -> Any:
        deps.record_data(_key(table, **filters), value)
        return value

    # --- accessors ---------------------------------------------------------------------------------

    def massnahmen(self, handlungsfeld: str | None = None, spalten: str | None = None) -> pd.DataFrame:
        """All measures, or those of one Handlungsfeld, in table order; ``spalten="nr,oe"`` for just
        those columns (counting sections then do not depend on the measures' texts)."""
        m = self._massnahmen
        if handlungsfeld is not None:
            self.handlungsfeld(handlungsfeld)  # a clear error for an unknown title
            m = m[m["handlungsfeld"] == handlungsfeld].reset_index(drop=True)
        if spalten:
            m = m[[c.strip() for c in spalten.split(",")]]
        return self._recorded(m, "massnahmen", handlungsfeld=handlungsfeld, spalten=spalten)

    def ziele(self, handlungsfeld: str | None = None) -> pd.DataFrame:
        """The Ziele (all, or of one Handlungsfeld) in table order, including those without measures."""
        z = self._ziele
        if handlungsfeld is not None:
            z = z[z["handlungsfeld"] == handlungsfeld].reset_index(drop=True)
        return self._recorded(z, "ziele", handlungsfeld=handlungsfeld)

    def handlungsfelder(self, spalten: str | None = None) -> pd.DataFrame:
        """All Handlungsfelder in report order; ``spalten="titel,slug"`` for just those columns (a
        section that lists the fields then does not depend on their intro texts)."""
        frame = self._handlungsfelder
        if spalten:
            frame = frame[[c.strip() for c in spalten.split(",")]]
        return self._recorded(frame, "handlungsfelder", spalten=spalten)

    def handlungsfeld(self, titel: str | None = None) -> pd.Series:
        """One Handlungsfeld by title (``None``: the first); a clear error lists the valid titles."""
        frame = self._handlungsfelder
        if titel is None:
            if frame.empty:
                raise DataError([Problem(schema.FILES["handlungsfelder"], "keine Handlungsfelder",
                                         "mindestens ein Handlungsfeld")])
            titel = str(frame.iloc[0]["titel"])
        match = frame[frame["titel"] == titel]
        if match.empty:
            valid = ", ".join(f"„{t}“" for t in frame["titel"])
            raise DataError([Problem(schema.FILES["handlungsfelder"], f"Handlungsfeld „{titel}“ gibt es nicht",
                                     f"eines von {valid}", spalte="handlungsfeld", wert=titel)])
        return self._recorded(match.iloc[0], "handlungsfeld", titel=titel)

    def beispiele(self, handlungsfeld: str) -> pd.DataFrame:
        b = self._beispiele
        return self._recorded(b[b["handlungsfeld"] == handlungsfeld].reset_index(drop=True), "beispiele", handlungsfeld=handlungsfeld)

    def organisationseinheiten(self) -> pd.DataFrame:
        return self._recorded(self._organisationseinheiten, "organisationseinheiten")

    def oe_name(self, code: str) -> str:
        """The unit's name, or "OE <code>" where the report names none."""
        return self._recorded(self._oe_names.get(code, f"OE {code}"), "oe_name", code=code)

    def hat_oe_namen(self, code: str) -> bool:
        return self._recorded(code in self._oe_names, "hat_oe_namen", code=code)

    def dezernate(self) -> pd.DataFrame:
        return self._recorded(load_dezernate(self.data_dir), "dezernate")

    def ausblick(self) -> pd.DataFrame:
        return self._recorded(load_ausblick(self.data_dir), "ausblick")

    def bericht(self, schluessel: str) -> Any:
        """One top-level entry of ``bericht.yaml`` (e.g. ``"impressum"``)."""
        return self._recorded(self._bericht.get(schluessel), "bericht", schluessel=schluessel)

    def beschriftung(self, name: str, **werte: Any) -> str:
        """One of the report's own words (``bericht.yaml``, ``beschriftungen``), placeholders filled."""
        text = self._recorded((self._bericht.get("beschriftungen") or {}).get(name), "beschriftung", name=name)
        if text is None:
            raise DataError([Problem(schema.FILES["bericht"], f"Beschriftung „{name}“ fehlt",
                                     schema.BESCHRIFTUNGEN.get(name, "ein Text"), ort="beschriftungen")])
        return str(text).format(**werte) if werte else str(text)

    @cached_property
    def _structure(self) -> Any:
        from .structure import load_structure

        with deps.loader_reads(self.data_dir / schema.FILES["gliederung"]):
            return load_structure(self.data_dir, inspect_parameters=False)

    def nummer(self, handlungsfeld: str) -> str | None:
        """The chapter number the structure gives a Handlungsfeld's section (e.g. "3.3")."""
        found = next((c.nummer for c in self._structure.chapters
                      if c.parameter.get("handlungsfeld") == handlungsfeld and c.notebook), None)
        return self._recorded(found, "nummer", handlungsfeld=handlungsfeld)

    def text(self, name: str) -> str:
        return load_text(name, self.data_dir)

    def vergleich_mit(self) -> str | None:
        """The edition this report compares with (``bericht.yaml``, ``vergleich_mit``), or ``None``."""
        from .ausgaben import COMPARE_KEY

        name = self._bericht.get(COMPARE_KEY)
        return self._recorded(None if name is None else str(name), "vergleich_mit")

    def vergleich(self) -> pd.DataFrame | None:
        """Every measure that counts in the comparison with the previous edition (see
        :func:`~berichtswerk.ausgaben.compare`), or ``None`` when the report compares with none."""
        from . import ausgaben

        name = self._bericht.get(ausgaben.COMPARE_KEY)
        if name is None:
            return self._recorded(None, "vergleich")
        frozen = ausgaben.edition_data_dir(self.data_dir, str(name))
        previous = load_measures(frozen / schema.FILES["massnahmen"], frozen)
        return self._recorded(ausgaben.compare(previous, self._massnahmen), "vergleich")


def derive(data: ReportData, key: str) -> str | None:
    """Re-derive a recorded piece of data with the same loaders; its digest, or ``None`` if it can no
    longer be derived (which counts as changed). A key is ``accessor?parameter=value…``. ``data`` is
    loaded once per plan, so its parsed files are the current ones."""
    accessor, *filters = key.split("?")
    kwargs = dict(f.split("=", 1) for f in filters)
    try:
        value = getattr(data, accessor)(**kwargs)
    except (DataError, AttributeError, KeyError, OSError, ValueError, TypeError):
        return None
    return deps.value_digest(value)
