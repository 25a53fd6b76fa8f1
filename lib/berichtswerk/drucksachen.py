"""Council paper references ("Drucksachen") as the Region Hannover cites them: ``2718 (IV) BDs`` –
number, Wahlperiode (electoral term, Roman numeral) and kind (BDs = Beschlussdrucksache,
IDs = Informationsdrucksache), optionally followed by a note in parentheses."""

from __future__ import annotations

import re
from dataclasses import dataclass

PATTERN = re.compile(
    r"^(?P<nummer>\d{4}) \((?P<wahlperiode>I|II|III|IV|V|VI|VII)\) (?P<art>BDs|IDs)"
    r"(?: \((?P<hinweis>[^()]+)\))?$"
)
EXPECTED = "„NNNN (WP) BDs“ oder „NNNN (WP) IDs“, z. B. „2718 (IV) BDs“, mehrere durch „; “ getrennt"
ART_NAMEN = {"BDs": "Beschlussdrucksache", "IDs": "Informationsdrucksache"}


@dataclass(frozen=True, order=True)
class Drucksache:
    """One parsed reference; ``str()`` gives it back exactly as written."""

    nummer: str
    wahlperiode: str
    art: str
    hinweis: str | None = None

    def __str__(self) -> str:
        text = f"{self.nummer} ({self.wahlperiode}) {self.art}"
        return f"{text} ({self.hinweis})" if self.hinweis else text

    @property
    def art_name(self) -> str:
        return ART_NAMEN[self.art]

    @property
    def kennung(self) -> str:
        """Identity of the paper itself, without the note (one paper may be cited twice)."""
        return f"{self.nummer} ({self.wahlperiode}) {self.art}"


def split_references(cell: str | None) -> list[str]:
    """Split a cell of references on ``;`` (the separator used in ``data/``)."""
    if cell is None or cell != cell or not str(cell).strip():  # None, NaN or blank
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def parse_drucksache(text: str) -> Drucksache:
    """Parse one reference; raise ``ValueError`` naming the expected form."""
    match = PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"„{text}“ ist keine gültige Drucksache; erwartet {EXPECTED}")
    return Drucksache(**match.groupdict())


def parse_drucksachen(cell: str | None) -> list[Drucksache]:
    return [parse_drucksache(part) for part in split_references(cell)]


def is_valid(text: str) -> bool:
    return PATTERN.match(text.strip()) is not None
