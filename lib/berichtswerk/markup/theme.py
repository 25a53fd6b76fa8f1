"""Visual identity shared by charts (matplotlib) and stylesheets (CSS). The Handlungsfelder's
colours are data (``handlungsfelder.yaml``, derived where not set: :mod:`berichtswerk.core.colours`);
here they become CSS custom properties. ``komponenten.css`` styles the blocks a section displays, in
the report and – scoped – in JupyterLab."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from berichtswerk.core.paths import package_path

NEUTRAL = "#3d4650"
TEXT = "#1f2328"
FONT_FAMILY = "DejaVu Sans"


def css_variables(colours: Iterable[tuple[str, str]]) -> str:
    """``:root`` custom properties and one modifier class per Handlungsfeld (slug, colour)."""
    pairs = list(colours)
    lines = [":root {"] + [f"  --hf-{slug}: {colour};" for slug, colour in pairs] + ["}"]
    lines += [f".handlungsfeld--{slug} {{ --hf-farbe: var(--hf-{slug}); }}" for slug, _ in pairs]
    return "\n".join(lines)


@lru_cache(maxsize=1)
def component_css() -> str:
    """Styles of the blocks sections display (key figures, tables, figures, …), shared by report and notebook."""
    return package_path("markup", "komponenten.css").read_text(encoding="utf-8")


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
