"""Council paper references ("Drucksachen"), in whatever form a report's council cites them.

The forms are data of the report (``bericht.yaml``, ``formate.drucksachen``): patterns with named
parts – ``nummer`` (required), ``wahlperiode`` and ``art`` (optional). A note in parentheses after a
reference is kept as its ``hinweis`` ("3266 (IV) BDs (Willkommensorte Garbsen)"). Without configured
forms every reference counts as written. Validation and the key figures use the same parser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NOTE = r"(?: \((?P<hinweis>[^()]+)\))?"


@dataclass(frozen=True)
class Format:
    """One citation form: a name, a regular expression with named parts, and an example."""

    name: str
    muster: str
    beispiel: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.muster)

    def describe(self) -> str:
        return f"„{self.beispiel}“ ({self.name})" if self.name else f"„{self.beispiel}“"


def _compiled(muster: str) -> re.Pattern[str]:
    return re.compile(f"(?:{muster}){_NOTE}")


def formats_from(bericht: dict[str, Any] | None) -> list[Format]:
    """The forms declared in ``bericht.yaml`` (``formate.drucksachen``); empty if none are."""
    entries = ((bericht or {}).get("formate") or {}).get("drucksachen") or []
    return [Format(str(e.get("name", "")), str(e["muster"]), str(e.get("beispiel", e["muster"])))
            for e in entries if isinstance(e, dict) and e.get("muster")]


def kinds_from(bericht: dict[str, Any] | None) -> dict[str, str]:
    """Short kind → full name, e.g. ``BDs`` → ``Beschlussdrucksache``."""
    return dict(((bericht or {}).get("formate") or {}).get("drucksache_arten") or {})


def format_problems(bericht: dict[str, Any] | None) -> list[str]:
    """What is wrong with the declared forms (for ``check``)."""
    found = []
    for position, entry in enumerate(((bericht or {}).get("formate") or {}).get("drucksachen") or [], start=1):
        if not isinstance(entry, dict) or not entry.get("muster"):
            found.append(f"Format {position}: Angabe „muster“ fehlt")
            continue
        try:
            pattern = _compiled(str(entry["muster"]))
        except re.error as exc:
            found.append(f"Format {position}: Muster ist kein gültiger regulärer Ausdruck ({exc})")
            continue
        if "nummer" not in pattern.groupindex:
            found.append(f"Format {position}: Muster hat keinen Teil (?P<nummer>…)")
        example = entry.get("beispiel")
        if example and not pattern.fullmatch(str(example)):
            found.append(f"Format {position}: das Beispiel „{example}“ passt nicht zum Muster")
    return found


def expected(formats: list[Format]) -> str:
    if not formats:
        return "eine Drucksache"
    return "eine Drucksache in der Form " + " oder ".join(f.describe() for f in formats) + \
        ", mehrere durch „; “ getrennt"


@dataclass(frozen=True, order=True)
class Drucksache:
    """One parsed reference; ``str()`` gives it back exactly as written."""

    kennung: str                     # the paper itself, as written, without the note
    nummer: str
    wahlperiode: str | None = None
    art: str | None = None
    hinweis: str | None = None

    def __str__(self) -> str:
        return f"{self.kennung} ({self.hinweis})" if self.hinweis else self.kennung


def split_references(cell: str | None) -> list[str]:
    """Split a cell of references on ``;`` (the separator used in ``data/``)."""
    if cell is None or cell != cell or not str(cell).strip():  # None, NaN or blank
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def parse_drucksache(text: str, formats: list[Format]) -> Drucksache:
    """Parse one reference with the first form that matches; ``ValueError`` names the forms tried."""
    text = text.strip()
    if not formats:
        return Drucksache(text, text)
    for form in formats:
        match = form.pattern.fullmatch(text)
        if match:
            parts = match.groupdict()
            note = parts.get("hinweis")
            kennung = text[: match.start("hinweis") - 2] if note else text
            return Drucksache(kennung, parts["nummer"], parts.get("wahlperiode"), parts.get("art"), note)
    raise ValueError(f"„{text}“ ist keine gültige Drucksache; erwartet {expected(formats)}")


def parse_drucksachen(cell: str | None, formats: list[Format]) -> list[Drucksache]:
    return [parse_drucksache(part, formats) for part in split_references(cell)]


def is_valid(text: str, formats: list[Format]) -> bool:
    return not formats or any(f.pattern.fullmatch(text.strip()) for f in formats)
