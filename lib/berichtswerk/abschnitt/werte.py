"""The kernel's half of inline values (:mod:`berichtswerk.markup.inline`): evaluate a Markdown cell's
expressions in the notebook's namespace and hand the values – as German text – to the build."""

from __future__ import annotations

import datetime as dt
import numbers
from typing import Any

from berichtswerk.core import formats
from berichtswerk.core.mime import INLINE_MIME


def als_text(value: Any) -> str:
    """A value as the report writes it: numbers German (1.234,5), dates as 31.12.2025, yes/no."""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, numbers.Integral):
        return formats.zahl(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        places = next((d for d in (0, 1) if round(number, d) == round(number, 2)), 2)
        return formats.zahl(number, places)
    if isinstance(value, (dt.date, dt.datetime)):
        return formats.datum(value if isinstance(value, dt.date) else value.date())
    if hasattr(value, "to_pydatetime"):  # pandas' Timestamp
        return formats.datum(value.to_pydatetime().date())
    return str(value)


def anzeigen(ausdruecke: list[str]) -> None:
    """Evaluate and display the values (the build's hidden cell calls this)."""
    from IPython import get_ipython
    from IPython.display import display

    namespace = get_ipython().user_ns
    werte, fehler = {}, {}
    for ausdruck in ausdruecke:
        try:
            werte[ausdruck] = als_text(eval(ausdruck, namespace))  # noqa: S307 – the notebook's own code
        except Exception as exc:  # noqa: BLE001 – reported with the Markdown cell that holds it
            fehler[ausdruck] = f"{type(exc).__name__}: {exc}"
    display({INLINE_MIME: {"werte": werte, "fehler": fehler}, "text/plain": ""}, raw=True)
