"""Exit codes of every command, with the meaning the README and ``--help`` give them."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    SECTION_FAILED = 1
    BAD_DATA = 2
    LOCKED = 3
    TIME_LIMIT = 4
    INTERRUPTED = 5
    OUTPUT_UNWRITABLE = 6

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "fertig oder schon aktuell",
    ExitCode.SECTION_FAILED: "ein Abschnitt ist fehlgeschlagen",
    ExitCode.BAD_DATA: "Daten- oder Aufruffehler",
    ExitCode.LOCKED: "ein anderer Build schreibt gerade in denselben Ausgabeordner",
    ExitCode.TIME_LIMIT: "Zeitlimit überschritten (Zelle oder ganzer Build)",
    ExitCode.INTERRUPTED: "abgebrochen (Strg-C, SIGTERM)",
    ExitCode.OUTPUT_UNWRITABLE: "Ausgabe nicht schreibbar oder Speicher voll",
}


def help_text() -> str:
    """One line for ``--help``: every code and its meaning."""
    return "Exit-Codes: " + ", ".join(f"{code.value} {code.meaning}" for code in ExitCode) + "."
