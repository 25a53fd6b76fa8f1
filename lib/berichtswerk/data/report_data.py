"""What notebooks read: :class:`ReportData`, everything of one data folder, loaded lazily.

Its accessors filter (one Handlungsfeld's measures, one unit's name) and, inside a build, record a
digest of exactly what they returned (:mod:`.recording`): that record, not a hand-written list,
decides which sections a data edit re-runs. :func:`derive` re-derives a recorded piece the same way
when the build plans the next run."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from berichtswerk.core.errors import DataError, Problem
from berichtswerk.core.paths import find_data_dir
from berichtswerk.data import ausgaben, recording, schema
from berichtswerk.data.documents import load_bericht, load_text
from berichtswerk.data.gliederung import Structure, load_structure
from berichtswerk.data.load import (
    load_ausblick,
    load_beispiele,
    load_dezernate,
    load_handlungsfelder,
    load_measures,
    load_organisationseinheiten,
    load_ziele,
    measures_from,
)


def _key(table: str, **filters: Any) -> str:
    chosen = {k: v for k, v in filters.items() if v is not None}
    return table + "".join(f"?{k}={v}" for k, v in sorted(chosen.items()))


@dataclass
class ReportData:
    """Everything a section reads, loaded lazily from one data folder.

    Accessors take optional filters; what they return is what the section depends on."""

    data_dir: Path
    validated: str | None = None   # digest of the data folder as the caller validated it (the build's plan)

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> ReportData:
        data = cls(find_data_dir(data_dir))
        recording.note_data_dir(data.data_dir)
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
        return measures_from(self.data_dir / schema.FILES["massnahmen"], self.data_dir,
                             list(self._handlungsfelder["titel"]), lambda: set(self._organisationseinheiten["oe"]),
                             self._bericht, self.validated)

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
        recording.record_data(_key(table, **filters), value)
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
    def _structure(self) -> Structure:
        return load_structure(self.data_dir)

    def nummer(self, handlungsfeld: str) -> str | None:
        """The chapter number the structure gives a Handlungsfeld's section (e.g. "3.3")."""
        found = next((c.nummer for c in self._structure.chapters
                      if c.parameter.get("handlungsfeld") == handlungsfeld and c.notebook), None)
        return self._recorded(found, "nummer", handlungsfeld=handlungsfeld)

    def text(self, name: str) -> str:
        return load_text(name, self.data_dir)

    def vergleich_mit(self) -> str | None:
        """The edition this report compares with (``bericht.yaml``, ``vergleich_mit``), or ``None``."""
        name = self._bericht.get(ausgaben.COMPARE_KEY)
        return self._recorded(None if name is None else str(name), "vergleich_mit")

    def vergleich(self) -> pd.DataFrame | None:
        """Every measure that counts in the comparison with the previous edition (see
        :func:`~berichtswerk.ausgaben.compare`), or ``None`` when the report compares with none."""
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
    return recording.value_digest(value)
