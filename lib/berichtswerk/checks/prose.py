"""Prose of the report – ``texte/*.md``, the Handlungsfelder's intros and examples, the outlook: markup
the sanitiser would remove (a note, the build goes on) and footnotes without text, unused or named
twice – the author learns of it here, not from a silent report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from berichtswerk.core.errors import DataError, Problem
from berichtswerk.data import documents, schema
from berichtswerk.markup import markdown


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle.lower() in line.lower():
            return number
    return None


def prose_problems(data_dir: Path, hf_doc: Any, ausblick: Any) -> list[Problem]:
    """Every problem of the prose, in file order (``hf_doc``, ``ausblick``: the raw documents, or
    ``None`` where they could not be read)."""
    found = []
    note_places: dict[str, str] = {}

    def check(file_name: str, text: Any, where: str | None, raw_file: str | None) -> None:
        if not isinstance(text, str):
            return
        place = file_name + (f", {where}" if where else "")
        body, notes = markdown.split_footnotes(text)
        refs = markdown.footnote_references(text)
        for key in dict.fromkeys(refs):
            if key not in notes:
                found.append(Problem(file_name, f"Anmerkung [^{key}] ohne Text", f"eine Zeile „[^{key}]: …“ im selben "
                                     "Text", ort=where, zeile=_line_of(raw_file, f"[^{key}]") if raw_file else None))
        for key in notes:
            if key not in refs:
                found.append(Problem(file_name, f"Anmerkung [^{key}] wird nirgends im Text verwendet",
                                     f"„[^{key}]“ an der Stelle im Text, auf die sich die Anmerkung bezieht",
                                     ort=where, zeile=_line_of(raw_file, f"[^{key}]:") if raw_file else None))
            elif key in note_places:
                found.append(Problem(file_name, f"Anmerkung [^{key}] gibt es schon ({note_places[key]})",
                                     "jeden Namen einer Anmerkung einmal im ganzen Bericht", ort=where))
            note_places.setdefault(key, place)
        removed = markdown.removed_content(text)
        if removed:
            token = removed[0].strip("<>").split()[0].split("„")[0]
            found.append(Problem(file_name, "nicht erlaubter Inhalt wird entfernt: " + ", ".join(removed),
                                 "Markdown ohne Skripte, Ereignis-Attribute, eingebettete Objekte; Links nur "
                                 "http, https, mailto oder #Anker", ort=where,
                                 zeile=_line_of(raw_file, token) if raw_file else None,
                                 hinweis=True))

    for name in documents.text_names(data_dir):
        try:
            content = documents.raw_text(data_dir, name)
        except DataError as exc:
            found += exc.problems
            continue
        check(f"{schema.TEXT_DIR}/{name}.md", content, None, content)
    if isinstance(hf_doc, dict):
        for entry in hf_doc.get("handlungsfelder") or []:
            if not isinstance(entry, dict):
                continue
            label = f"Handlungsfeld „{entry.get('titel')}“"
            check(schema.FILES["handlungsfelder"], entry.get("einleitung"), label + ", einleitung", None)
            for i, b in enumerate(entry.get("beispiele") or [], start=1):
                if isinstance(b, dict):
                    check(schema.FILES["handlungsfelder"], b.get("text"), f"{label}, Beispiel {i}", None)
    if isinstance(ausblick, dict):
        for i, t in enumerate(ausblick.get("themenfelder") or [], start=1):
            for key in ("themenfeld", "ziel", "beschreibung", "geplante_massnahmen"):
                if not isinstance(t, dict) or not isinstance(t.get(key), str) or not t[key].strip():
                    found.append(Problem(schema.FILES["ausblick"], f"Angabe „{key}“ fehlt",
                                         "themenfeld, ziel, beschreibung, geplante_massnahmen als Text",
                                         ort=f"Themenfeld {i}"))
            if isinstance(t, dict):
                for key in ("beschreibung", "geplante_massnahmen"):
                    check(schema.FILES["ausblick"], t.get(key), f"Themenfeld {i}, {key}", None)
    return found
