"""The report's structure, read from ``data/gliederung.yaml``: chapters in order, each with its title,
optional prose text, optional notebook and parameters, and sub-chapters. A ``foreach`` entry expands to
one entry per Handlungsfeld. Numbers follow from order – nothing else in the project decides them.

Plain YAML, no pandas: the planner and a no-op rebuild read the structure without heavy imports.
:func:`problems` explains everything wrong with the file at once; ``check`` adds what only papermill
can tell (the parameters a notebook accepts, :mod:`berichtswerk.checks.structure`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from berichtswerk.core.errors import DataError, Problem
from berichtswerk.core.paths import find_notebook, notebook_names
from berichtswerk.core.textfiles import read_yaml
from berichtswerk.data import recording, schema
from berichtswerk.data.documents import handlungsfelder_document, text_path

#: The names a notebook's ``parameters`` cell defines (for checking ``parameter:`` entries).
ParameterInspector = Callable[[Path], set[str]]

FILE = schema.FILES["gliederung"]
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ENTRY_KEYS = {"id", "titel", "text", "notebook", "parameter", "abschnitte", "foreach", "klasse", "nummeriert",
              "verzeichnis"}
#: A chapter may list the report's figures or tables (number, caption, link; page in the PDF).
VERZEICHNISSE = ("abbildungen", "tabellen")
#: How figures and tables are numbered: through the report ("Abbildung 7") or per chapter ("Abbildung 3.2").
NUMBERINGS = ("bericht", "kapitel")
TOP_KEYS = ("kapitel", "inhaltsverzeichnis", "zeitlimit_zelle", "nummerierung")
FOREACH_SOURCES = ("handlungsfelder",)
#: Notebook parameters that name a prose file in texte/ (checked like ``text`` entries).
TEXT_PARAMETERS = ("text", "einleitung", "schluss")


@dataclass(frozen=True)
class Chapter:
    """One entry of the resolved structure: a chapter or sub-chapter."""

    id: str
    titel: str
    ebene: int                          # 1 = chapter, 2 = sub-chapter, …
    nummer: str | None                  # "3.3"; None for an unnumbered chapter
    text: str | None = None             # name of a prose file in texte/ (without .md)
    notebook: str | None = None         # file name in notebooks/
    parameter: dict[str, Any] = field(default_factory=dict)
    klasse: str = ""
    notebook_path: Path | None = None   # resolved by :func:`find_notebook`
    verzeichnis: str | None = None      # "abbildungen" or "tabellen": the chapter lists them

    @property
    def key(self) -> str:
        """Stable identity of the chapter (cache entries, HTML ids): its id, not its number."""
        return self.id

    @property
    def anker(self) -> str:
        return f"sec-{self.id}"

    @property
    def ueberschrift(self) -> str:
        return f"{self.nummer} {self.titel}" if self.nummer else self.titel

    @property
    def datei(self) -> str:
        """File stem under ``outputs/kapitel/``: number and id, e.g. ``3-3_gefluechtete``."""
        return f"{self.nummer.replace('.', '-')}_{self.id}" if self.nummer else self.id


@dataclass(frozen=True)
class Structure:
    chapters: list[Chapter]
    toc_depth: int = 2
    cell_timeout: int | None = None     # seconds a cell may run (zeitlimit_zelle); --zeitlimit overrides
    nummerierung: str = "bericht"       # figures and tables: through the report or per chapter

    def sections(self) -> list[Chapter]:
        """Chapters that execute a notebook, in report order."""
        return [c for c in self.chapters if c.notebook]

    def by_id(self, ident: str) -> Chapter:
        for chapter in self.chapters:
            if chapter.id == ident:
                return chapter
        raise KeyError(ident)

    def describe(self) -> str:
        """The resolved structure as the ``gliederung`` command prints it."""
        numbering = "je Kapitel" if self.nummerierung == "kapitel" else "durch den Bericht"
        lines = [f"Inhaltsverzeichnis bis Ebene {self.toc_depth}; Abbildungen und Tabellen nummeriert {numbering}:"]
        for c in self.chapters:
            parts = [f"{'  ' * (c.ebene - 1)}{c.ueberschrift}", f"[{c.id}]"]
            if c.verzeichnis:
                parts.append(f"Verzeichnis der {c.verzeichnis.capitalize()}")
            if c.text:
                parts.append(f"Text texte/{c.text}.md")
            if c.notebook:
                params = ", ".join(f"{k}={v!r}" for k, v in c.parameter.items())
                parts.append(f"Notebook {c.notebook}" + (f" ({params})" if params else ""))
            parts.append(f"→ kapitel/{c.datei}.html")
            lines.append("  " + "  ".join(parts))
        return "\n".join(lines)


def read_document(data_dir: Path) -> Any:
    """The raw YAML of the structure file (``DataError`` if it cannot be read)."""
    path = data_dir / FILE
    with recording.loader_reads(path):
        return read_yaml(path, FILE, "die Gliederung des Berichts")


def load_structure(data_dir: Path, parameters_of: ParameterInspector | None = None) -> Structure:
    """The resolved structure; raises :class:`DataError` listing every problem of the file.

    ``parameters_of``: how to learn the parameters a notebook accepts, to check ``parameter:``
    entries against them (``check`` passes papermill's inspection; the build has checked already)."""
    doc = read_document(data_dir)
    found = problems(doc, data_dir, parameters_of)
    if found:
        raise DataError(found)
    return _resolve(doc, data_dir)


def _resolve(doc: dict[str, Any], data_dir: Path) -> Structure:
    chapters: list[Chapter] = []
    fields = None

    def walk(entries: list[dict[str, Any]], prefix: str, ebene: int) -> None:
        nonlocal fields
        counter = 0
        for entry in entries:
            if "foreach" in entry:
                if fields is None:
                    fields = handlungsfelder_document(data_dir)
                expanded = [_substitute(entry, f) for f in fields]
            else:
                expanded = [entry]
            for item in expanded:
                numbered = item.get("nummeriert", True)
                if numbered:
                    counter += 1
                    nummer = f"{prefix}{counter}"
                else:
                    nummer = None
                chapters.append(Chapter(
                    id=str(item["id"]), titel=str(item["titel"]), ebene=ebene, nummer=nummer,
                    text=item.get("text"), notebook=item.get("notebook"),
                    parameter=dict(item.get("parameter") or {}), klasse=str(item.get("klasse") or ""),
                    notebook_path=find_notebook(item["notebook"], data_dir) if item.get("notebook") else None,
                    verzeichnis=item.get("verzeichnis")))
                if item.get("abschnitte"):
                    walk(item["abschnitte"], f"{nummer}." if nummer else prefix, ebene + 1)

    walk(doc["kapitel"], "", 1)
    timeout = doc.get("zeitlimit_zelle")
    return Structure(chapters, int((doc.get("inhaltsverzeichnis") or {}).get("tiefe", 2)),
                     timeout if isinstance(timeout, int) and timeout > 0 else None,
                     str(doc.get("nummerierung") or "bericht"))


def _substitute(entry: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``{titel}`` and ``{slug}`` in every string of a ``foreach`` entry."""

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{titel}", str(values.get("titel", ""))).replace("{slug}", str(values.get("slug", "")))
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return {k: fill(v) for k, v in entry.items() if k != "foreach"}


def problems(doc: Any, data_dir: Path, parameters_of: ParameterInspector | None = None) -> list[Problem]:
    """Everything wrong with the structure document, each with its place in the file."""
    found: list[Problem] = []
    if not isinstance(doc, dict) or not isinstance(doc.get("kapitel"), list) or not doc["kapitel"]:
        return [Problem(FILE, "Liste „kapitel“ fehlt oder ist leer", "kapitel: mit mindestens einem Eintrag")]
    depth = (doc.get("inhaltsverzeichnis") or {}).get("tiefe", 2)
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= 4:
        found.append(Problem(FILE, "Tiefe des Inhaltsverzeichnisses ungültig", "eine ganze Zahl von 1 bis 4",
                             ort="inhaltsverzeichnis", spalte="tiefe", wert=str(depth)))
    timeout = doc.get("zeitlimit_zelle")
    if timeout is not None and (not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 1):
        found.append(Problem(FILE, "Zeitlimit ungültig", "Sekunden als ganze Zahl ab 1", ort="zeitlimit_zelle",
                             wert=str(timeout)))
    numbering = doc.get("nummerierung", "bericht")
    if numbering not in NUMBERINGS:
        found.append(Problem(FILE, "Nummerierung ungültig", "„bericht“ (Abbildung 7) oder „kapitel“ (Abbildung 3.2)",
                             ort="nummerierung", wert=str(numbering)))
    for key in sorted(set(doc) - set(TOP_KEYS)):
        found.append(Problem(FILE, f"unbekannter Schlüssel „{key}“", ", ".join(TOP_KEYS)))
    fields: list[dict[str, Any]] | None = None
    seen: dict[str, str] = {}

    def where(path: str) -> str:
        return f"Eintrag {path}"

    def visit(entries: Any, path: str) -> None:
        nonlocal fields
        if not isinstance(entries, list):
            found.append(Problem(FILE, "„abschnitte“ ist keine Liste", "eine Liste von Einträgen", ort=where(path)))
            return
        for position, entry in enumerate(entries, start=1):
            here = f"{path}{position}"
            if not isinstance(entry, dict):
                found.append(Problem(FILE, "Eintrag ist kein Abschnitt", "Schlüssel wie id, titel, notebook",
                                     ort=where(here)))
                continue
            for key in sorted(set(entry) - ENTRY_KEYS):
                found.append(Problem(FILE, f"unbekannter Schlüssel „{key}“",
                                     "nur " + ", ".join(sorted(ENTRY_KEYS)), ort=where(here)))
            if "foreach" in entry:
                if entry["foreach"] not in FOREACH_SOURCES:
                    found.append(Problem(FILE, "unbekannte Quelle für foreach", "foreach: handlungsfelder",
                                         ort=where(here), wert=str(entry["foreach"])))
                    continue
                if fields is None:
                    try:
                        fields = handlungsfelder_document(data_dir)
                    except (DataError, AttributeError):
                        fields = []  # reported by the check of handlungsfelder.yaml itself
                items = [(f"{here} ({f.get('titel')})", _substitute(entry, f)) for f in fields]
            else:
                items = [(here, entry)]
            for label, item in items:
                _check_entry(item, label, data_dir, seen, found, parameters_of)
                if "abschnitte" in item:
                    visit(item["abschnitte"], f"{label}.")

    visit(doc["kapitel"], "")
    return found


def _check_entry(item: dict[str, Any], label: str, data_dir: Path, seen: dict[str, str],
                 found: list[Problem], parameters_of: ParameterInspector | None) -> None:
    where = f"Eintrag {label}"
    for key in ("id", "titel"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            found.append(Problem(FILE, f"Angabe „{key}“ fehlt", f"„{key}“ als Text bei jedem Eintrag", ort=where,
                                 spalte=key, wert=None if item.get(key) is None else str(item[key])))
    ident = item.get("id")
    if isinstance(ident, str) and ident:
        if not ID_PATTERN.match(ident):
            found.append(Problem(FILE, "Kurzname ungültig", "nur a–z, 0–9 und Bindestriche, z. B. „anhang-tabelle“",
                                 ort=where, spalte="id", wert=ident))
        elif ident in seen:
            found.append(Problem(FILE, "Kurzname kommt mehrfach vor", f"jeder Kurzname einmal (schon bei {seen[ident]})",
                                 ort=where, spalte="id", wert=ident))
        else:
            seen[ident] = where
    if not isinstance(item.get("nummeriert", True), bool):
        found.append(Problem(FILE, "„nummeriert“ ist kein Wahrheitswert", "true oder false", ort=where,
                             spalte="nummeriert", wert=str(item["nummeriert"])))
    listing = item.get("verzeichnis")
    if listing is not None and listing not in VERZEICHNISSE:
        found.append(Problem(FILE, "unbekanntes Verzeichnis", "verzeichnis: abbildungen oder verzeichnis: tabellen",
                             ort=where, spalte="verzeichnis", wert=str(listing)))
    text = item.get("text")
    if text is not None:
        if not isinstance(text, str) or not text_path(data_dir, text).is_file():
            found.append(Problem(FILE, "Text nicht gefunden", f"eine Datei {schema.TEXT_DIR}/<name>.md im Datenordner",
                                 ort=where, spalte="text", wert=str(text)))
    params = item.get("parameter")
    if params is not None and not isinstance(params, dict):
        found.append(Problem(FILE, "„parameter“ ist keine Zuordnung", "parameter: mit name: wert je Zeile",
                             ort=where, spalte="parameter"))
        params = None
    notebook = item.get("notebook")
    if notebook is None:
        if params:
            found.append(Problem(FILE, "Parameter ohne Notebook", "„notebook“ angeben oder „parameter“ entfernen",
                                 ort=where, spalte="parameter"))
        return
    if not isinstance(notebook, str) or "/" in notebook or not notebook.endswith(".ipynb") \
            or not find_notebook(notebook, data_dir).is_file():
        names = ", ".join(notebook_names(data_dir))
        found.append(Problem(FILE, "Notebook nicht gefunden", f"ein Notebook aus notebooks/: {names}",
                             ort=where, spalte="notebook", wert=str(notebook)))
        return
    path = find_notebook(notebook, data_dir)
    if parameters_of is not None and params:
        accepted = parameters_of(path)
        for name in params:
            if name not in accepted:
                found.append(Problem(FILE, f"Parameter „{name}“ gibt es im Notebook {notebook} nicht",
                                     "einen Parameter der parameters-Zelle: " + ", ".join(sorted(accepted)),
                                     ort=where, spalte="parameter", wert=name))
        for name, value in params.items():
            if name in TEXT_PARAMETERS and isinstance(value, str) and not text_path(data_dir, value).is_file():
                found.append(Problem(FILE, "Text nicht gefunden", f"eine Datei {schema.TEXT_DIR}/<name>.md",
                                     ort=where, spalte=f"parameter.{name}", wert=value))
