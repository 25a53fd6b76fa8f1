"""Visual identity shared by the charts (Python) and the stylesheet (CSS): one colour per
Handlungsfeld. Every colour has at least 4.5:1 contrast against white, so it works as text colour
on white and as background behind white text."""

from __future__ import annotations

HANDLUNGSFELD_FARBEN: dict[str, str] = {
    "partizipation-und-teilhabe": "#1d4e89",
    "willkommenskultur": "#b03a2e",
    "gefluechtete": "#0b6e4f",
    "bildung-und-sprache": "#6a3d9a",
    "wirtschaft-und-arbeit": "#855400",
    "gesundheit-und-pflege": "#a4164e",
    "vernetzung": "#00607a",
    "interkulturelle-oeffnung": "#4a5a1c",
}
NEUTRAL = "#3d4650"
TEXT = "#1f2328"
FONT_FAMILY = "DejaVu Sans"


def farbe(slug: str) -> str:
    return HANDLUNGSFELD_FARBEN.get(slug, NEUTRAL)


def css_variables() -> str:
    """``:root`` custom properties and one modifier class per Handlungsfeld."""
    lines = [":root {"] + [f"  --hf-{slug}: {colour};" for slug, colour in HANDLUNGSFELD_FARBEN.items()]
    lines.append("}")
    lines += [f".handlungsfeld--{slug} {{ --hf-farbe: var(--hf-{slug}); }}" for slug in HANDLUNGSFELD_FARBEN]
    return "\n".join(lines)
