"""Colours that stay readable: WCAG contrast, and a distinct colour derived for every Handlungsfeld
that does not set one. A derived colour comes from the field's slug, darkened until it has at least
4.5 : 1 contrast on white – so it works as text colour on white and as background behind white
text – and kept away from the hues already taken, so two new fields do not share one grey."""

from __future__ import annotations

import colorsys
import hashlib
import re
from collections.abc import Iterable

MIN_CONTRAST = 4.5
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str = "#ffffff") -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _colour_at(hue: float) -> str:
    """The colour of a hue, darkened until it has :data:`MIN_CONTRAST` against white."""
    lightness = 0.42
    while True:
        r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, 0.65)
        colour = f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
        if contrast(colour) >= MIN_CONTRAST or lightness <= 0.1:
            return colour
        lightness -= 0.02


def _hue(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0]


def derived_colour(slug: str, taken: Iterable[float] = ()) -> str:
    """A stable colour for a slug: hue from its hash, moved on by the golden angle while it is closer
    than 1/12 of the colour wheel to a hue already ``taken``."""
    hue = int(hashlib.sha256(slug.encode("utf-8")).hexdigest()[:8], 16) % 360 / 360
    taken = list(taken)
    for _ in range(24):
        if all(min(abs(hue - h), 1 - abs(hue - h)) >= 1 / 12 for h in taken):
            break
        hue = (hue + 0.381966) % 1.0
    return _colour_at(hue)


def colours(entries: Iterable[tuple[str, str | None]]) -> list[str]:
    """The colour of each entry (slug, configured colour) in order: configured ones as given, the
    others derived so that they stay apart from every colour before them."""
    pairs = list(entries)
    taken = [_hue(str(c)) for _, c in pairs if c and HEX.match(str(c))]
    result = []
    for slug, configured in pairs:
        if configured and HEX.match(str(configured)):
            result.append(str(configured).lower())
        else:
            colour = derived_colour(slug, taken)
            taken.append(_hue(colour))
            result.append(colour)
    return result
