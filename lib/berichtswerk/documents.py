"""Readers of the YAML and Markdown files of ``data/`` – plain data, no pandas, so the planner and a
no-op rebuild can read the structure without heavy imports. The typed loaders (:mod:`.load`) build on
these: every file still has exactly one reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import deps, schema
from .paths import find_data_dir

#: libyaml's parser where installed: ten times faster, and the no-op rebuild parses YAML.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """Safe YAML (no Python objects), with the fast parser where available."""
    return yaml.load(text, Loader=_LOADER)


def read_yaml(path: Path) -> Any:
    """A YAML file of a data folder, with the folder's corrections (:mod:`.korrekturen`) applied."""
    from . import korrekturen

    with deps.loader_reads(path):
        doc = parse_yaml(path.read_text(encoding="utf-8"))
    return korrekturen.apply(doc, korrekturen.load(path.parent))


def handlungsfelder_document(data_dir: str | Path | None = None) -> list[Any]:
    """The entries of ``handlungsfelder.yaml`` as plain data."""
    doc = read_yaml(find_data_dir(data_dir) / schema.FILES["handlungsfelder"])
    return list((doc or {}).get("handlungsfelder") or [])


def handlungsfeld_farben(data_dir: str | Path | None = None) -> list[tuple[str, str]]:
    """(slug, colour) of every Handlungsfeld: configured, or derived (see :func:`theme.farben`)."""
    from .theme import farben

    entries = [e for e in handlungsfelder_document(data_dir) if isinstance(e, dict)]
    slugs = [str(e.get("slug")) for e in entries]
    return list(zip(slugs, farben((s, e.get("farbe")) for s, e in zip(slugs, entries, strict=True)), strict=True))


def load_bericht(data_dir: str | Path | None = None) -> dict[str, Any]:
    """Title page, imprint and the report's own words (``beschriftungen``)."""
    return read_yaml(find_data_dir(data_dir) / schema.FILES["bericht"])


def load_text(name: str, data_dir: str | Path | None = None) -> str:
    """A prose file from ``data/texte/`` (Markdown), e.g. ``load_text("kapitel_1")``. Read as a plain
    file on purpose: the whole file is the dependency."""
    from . import korrekturen

    folder = find_data_dir(data_dir)
    text = (folder / schema.TEXT_DIR / f"{name}.md").read_text(encoding="utf-8")
    return korrekturen.apply(text, korrekturen.load(folder))
