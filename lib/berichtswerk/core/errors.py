"""One exception root for the project; every error carries what a report author needs to act."""

from __future__ import annotations

import difflib
import errno
import sys
from collections.abc import Iterable
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


class BuildInterrupted(BerichtswerkError):
    """SIGINT or SIGTERM: the build stops, its processes are ended, the last good report stays."""


class DeadlineExceeded(BerichtswerkError):
    """The build's overall time limit (``--frist``) ran out."""


def print_problems(problems: list[Problem], heading: str) -> None:
    """"N <heading>:" and one line per problem, on stderr – how every command lists problems."""
    print(f"{len(problems)} {heading}:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """" – meinten Sie „X“?" for the closest of ``choices`` (case-insensitive), or ``""``."""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.5)
    return f" – meinten Sie „{lowered[match[0]]}“?" if match else ""


#: Error numbers that mean "the output cannot be written": full disk or quota, too large, read-only, no rights.
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_NO_RIGHTS = {errno.EACCES, errno.EPERM, errno.EROFS}


def os_error_text(exc: OSError) -> str:
    """One German sentence for a failed write (never a traceback)."""
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    if exc.errno in _NO_SPACE:
        reason = "Speicher voll"
    elif exc.errno in _NO_RIGHTS:
        reason = "keine Schreibrechte"
    else:
        reason = exc.strerror or str(exc)
    return (f"Abgebrochen: {reason}{where}. Bitte Speicherplatz und Rechte des Ausgabeordners prüfen und erneut "
            "starten; der letzte gute Bericht bleibt unverändert.")
