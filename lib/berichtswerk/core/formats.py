"""German number and date formats for the report: "1.300", "18,22 %", "09.02.2021"."""

from __future__ import annotations

import datetime as dt


def zahl(value: float, stellen: int = 0) -> str:
    text = f"{value:,.{stellen}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def prozent(value: float, stellen: int = 1) -> str:
    return f"{zahl(value, stellen)}\u00a0%"


def datum(value: dt.date | str) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value.strftime("%d.%m.%Y")
