"""The report's sections in chapter order: which notebook, which parameters, and which slice of
``data/`` each one reads. The slice is what the section cache keys on, so that editing one measure's
text re-executes only the sections that show it (its Handlungsfeld and the appendix).

The declared inputs are tested (``tests/test_sections.py``): changing data outside a section's
slice must leave that section's executed output unchanged."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import schema
from .paths import NOTEBOOK_DIR

#: Measure columns that figures and charts use; prose (titel, beschreibung) is not among them.
FIGURE_COLUMNS = ("nr", "handlungsfeld", "ziel", "oe", "drucksachen")


@dataclass(frozen=True)
class Section:
    key: str                      # stable id, e.g. "handlungsfeld-gefluechtete"
    title: str                    # for progress lines, e.g. "3.3 Geflüchtete"
    notebook: Path
    parameters: dict[str, object]
    chapter_file: str             # stem under outputs/kapitel/
    inputs: Callable[[Path], bytes] = field(compare=False, repr=False)

    def fingerprint(self, data_dir: Path) -> bytes:
        return self.inputs(data_dir)


def _files(*names: str) -> Callable[[Path], bytes]:
    def read(data_dir: Path) -> bytes:
        return b"\0".join(name.encode() + b"\0" + _bytes(data_dir / name) for name in names)
    return read


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b"<missing>"


def _measure_rows(data_dir: Path, handlungsfeld: str | None, columns: tuple[str, ...] | None) -> bytes:
    """The measures (optionally of one field, optionally some columns) as canonical JSON."""
    text = _bytes(data_dir / schema.FILES["massnahmen"]).decode("utf-8", errors="replace")
    rows = list(csv.DictReader(io.StringIO(text)))
    chosen = [r for r in rows if handlungsfeld is None or r.get("handlungsfeld") == handlungsfeld]
    if columns:
        chosen = [{c: r.get(c) for c in columns} for r in chosen]
    return json.dumps(chosen, ensure_ascii=False, sort_keys=True).encode()


def _handlungsfeld_inputs(titel: str) -> Callable[[Path], bytes]:
    base = _files(schema.FILES["bericht"], schema.FILES["handlungsfelder"], schema.FILES["ziele"],
                  schema.FILES["organisationseinheiten"])

    def read(data_dir: Path) -> bytes:
        # the whole table's validity matters too: a section only runs on data that passed check
        return base(data_dir) + _measure_rows(data_dir, titel, None)
    return read


def _summary_inputs(data_dir: Path) -> bytes:
    return (_files(schema.FILES["bericht"], schema.FILES["handlungsfelder"], schema.FILES["ziele"],
                   schema.FILES["organisationseinheiten"], schema.FILES["ausblick"],
                   f"{schema.TEXT_DIR}/kapitel_4.md")(data_dir)
            + _measure_rows(data_dir, None, FIGURE_COLUMNS))


def handlungsfeld_titles(data_dir: Path) -> list[tuple[str, str, str]]:
    """(nummer, titel, slug) of each Handlungsfeld, read with plain YAML (no pandas)."""
    doc = yaml.safe_load((data_dir / schema.FILES["handlungsfelder"]).read_text(encoding="utf-8"))
    return [(e["nummer"], e["titel"], e["slug"]) for e in doc["handlungsfelder"]]


def report_sections(data_dir: Path) -> list[Section]:
    data = {"data_dir": str(data_dir)}
    sections = [Section(
        "einfuehrung", "1–3 Einführung, Vorgehensweise, Einleitung Kapitel 3", NOTEBOOK_DIR / "einfuehrung.ipynb",
        data, "1-3_einfuehrung",
        _files(schema.FILES["bericht"], *(f"{schema.TEXT_DIR}/kapitel_{n}.md" for n in (1, 2, 3))))]
    for nummer, titel, slug in handlungsfeld_titles(data_dir):
        sections.append(Section(
            f"handlungsfeld-{slug}", f"{nummer} {titel}", NOTEBOOK_DIR / "handlungsfeld.ipynb",
            {"handlungsfeld": titel, **data}, f"{nummer.replace('.', '-')}_{slug}", _handlungsfeld_inputs(titel)))
    sections.append(Section(
        "zusammenfassung-ausblick", "4 Zusammenfassung und Ausblick",
        NOTEBOOK_DIR / "zusammenfassung_ausblick.ipynb", data, "4_zusammenfassung_ausblick", _summary_inputs))
    sections.append(Section(
        "anhang", "5–6 Mitwirkende und Anhang", NOTEBOOK_DIR / "anhang.ipynb", data, "5-6_anhang",
        lambda d: _files(*schema.FILES.values(), f"{schema.TEXT_DIR}/kapitel_5.md",
                         f"{schema.TEXT_DIR}/kapitel_5_dank.md", f"{schema.TEXT_DIR}/kapitel_6_1.md")(d)))
    return sections


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()
