"""One exception root for the project; every error carries what a report author needs to act."""

from __future__ import annotations

from dataclasses import dataclass


class BerichtswerkError(Exception):
    """Root of all errors raised on purpose by berichtswerk."""


@dataclass(frozen=True)
class Problem:
    """One problem in one input file, located as the analyst sees it in a spreadsheet.

    ``zeile`` counts like Excel/LibreOffice: the header is row 1, the first record row 2.
    For YAML files ``ort`` names the place instead (e.g. "Handlungsfeld 3.3, Beispiel 2").
    """

    datei: str
    meldung: str
    erwartet: str = ""
    zeile: int | None = None
    spalte: str | None = None
    wert: str | None = None
    ort: str | None = None
    hinweis: bool = False   # True: reported, but the build goes on (e.g. markup the sanitiser removes)

    def __str__(self) -> str:
        where = [self.datei]
        if self.zeile is not None:
            where.append(f"Zeile {self.zeile}")
        if self.ort:
            where.append(self.ort)
        if self.spalte:
            where.append(f"Spalte „{self.spalte}“")
        text = ", ".join(where) + ": " + self.meldung
        if self.wert is not None:
            text += f" (Wert: „{self.wert}“)"
        if self.erwartet:
            text += f". Erwartet: {self.erwartet}"
        return text


class DataError(BerichtswerkError):
    """The data cannot be used; holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UnreadableFileError(BerichtswerkError):
    """A file is not a table we can read (not CSV, not XLSX, not text)."""


class BuildInterrupted(BerichtswerkError):
    """SIGINT or SIGTERM: the build stops, its processes are ended, the last good report stays."""


class DeadlineExceeded(BerichtswerkError):
    """The build's overall time limit (``--frist``) ran out."""
