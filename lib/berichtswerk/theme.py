"""Visual identity shared by charts (matplotlib) and stylesheets (CSS). Colours are data: each
Handlungsfeld may set ``farbe`` in ``handlungsfelder.yaml``; one without gets a deterministic colour
derived from its slug, darkened until it has at least 4.5:1 contrast on white – so it works as text
colour on white and as background behind white text, and two new fields do not share one grey."""

from __future__ import annotations

import colorsys
import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache

from .paths import TEMPLATE_DIR

NEUTRAL = "#3d4650"
TEXT = "#1f2328"
FONT_FAMILY = "DejaVu Sans"
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
        colour = "#{:02x}{:02x}{:02x}".format(round(r * 255), round(g * 255), round(b * 255))
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


def farben(entries: Iterable[tuple[str, str | None]]) -> list[str]:
    """The colour of each Handlungsfeld (slug, configured colour) in order: configured ones as given,
    the others derived so that they stay apart from every colour before them."""
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


def css_variables(colours: Iterable[tuple[str, str]]) -> str:
    """``:root`` custom properties and one modifier class per Handlungsfeld (slug, colour)."""
    pairs = list(colours)
    lines = [":root {"] + [f"  --hf-{slug}: {colour};" for slug, colour in pairs] + ["}"]
    lines += [f".handlungsfeld--{slug} {{ --hf-farbe: var(--hf-{slug}); }}" for slug, _ in pairs]
    return "\n".join(lines)


@lru_cache(maxsize=1)
def component_css() -> str:
    """Styles of the blocks sections display (key figures, tables, figures, …), shared by report and notebook."""
    return (TEMPLATE_DIR / "berichtswerk" / "komponenten.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def notebook_css() -> str:
    """:func:`component_css` scoped under ``.bw`` so it styles outputs in JupyterLab and nothing else."""
    css = re.sub(r"/\*.*?\*/", "", component_css(), flags=re.DOTALL)
    rules = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        scoped = ", ".join(".bw" if s.strip() == ":root" else f".bw {s.strip()}" for s in selectors.split(","))
        rules.append(f"{scoped} {{{body.strip()}}}")
    return " ".join(rules)


def matplotlib_style(colour: str | None = None) -> dict[str, object]:
    """rcParams that make any analyst's chart look like the report's own (font, colours, spines)."""
    from cycler import cycler

    return {
        "svg.hashsalt": "berichtswerk",
        "svg.fonttype": "none",  # real <text>: selectable, crisp, fast to lay out in the PDF
        "font.family": FONT_FAMILY,
        "font.size": 9,
        "text.color": TEXT,
        "axes.labelcolor": TEXT,
        "axes.edgecolor": NEUTRAL,
        "axes.titlesize": 11,
        "axes.titlelocation": "left",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=[colour or NEUTRAL, NEUTRAL, "#8a949e", "#b7c0c9"]),
        "xtick.color": NEUTRAL,
        "ytick.color": NEUTRAL,
        "figure.figsize": (7.2, 4.0),
        "figure.dpi": 100,
        "savefig.facecolor": "white",
    }
