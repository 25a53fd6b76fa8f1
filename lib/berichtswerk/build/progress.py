"""What a person reads while a build runs – or later in a scheduled job's log: one line per section
and state change, aligned, with times; start and end lines with date, time and the data's
fingerprint."""

from __future__ import annotations

import sys
import time
from typing import Any

from berichtswerk.data.gliederung import Chapter


def log(text: str) -> None:
    """A line for people reading a scheduled job's log: date, time, text."""
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}", flush=True)


class Progress:
    """One line per section and state change (German, for report authors)."""

    def __init__(self, chapters: list[Chapter], stream: Any = None) -> None:
        self.titles = {c.key: c.ueberschrift for c in chapters}
        self.started: dict[str, float] = {}
        self.finished: set[str] = set()
        self.stream = stream
        self.width = max((len(t) for t in self.titles.values()), default=10)

    def __call__(self, state: str, key: str, seconds: float | None = None) -> None:
        if state == "läuft":
            if key in self.finished or key in self.started:
                return
            self.started[key] = time.perf_counter()
        if state in ("fertig", "FEHLER"):
            self.finished.add(key)
            if seconds is None and key in self.started:
                seconds = time.perf_counter() - self.started[key]
        time_text = f"  {seconds:5.1f} s".replace(".", ",") if seconds is not None else ""
        line = f"  {state:<10} {self.titles[key]:<{self.width}}{time_text}".rstrip()
        print(line, file=self.stream or sys.stdout, flush=True)
