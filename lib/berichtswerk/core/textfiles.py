"""Reading the text files of a report – Markdown and YAML – with one way of saying what is wrong.

Every problem becomes a :class:`~berichtswerk.core.errors.DataError` holding one
:class:`~berichtswerk.core.errors.Problem` that names the file as the author knows it (``name``, e.g.
``texte/kapitel_1.md``), what is wrong and what was expected – never a traceback: a missing file,
one without read permission, a binary file, text that is not UTF-8, YAML that does not parse (with
its line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from berichtswerk.core.errors import DataError, Problem

#: libyaml's parser where installed: ten times faster, and the no-op rebuild parses YAML.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """Safe YAML (no Python objects), with the fast parser where available."""
    return yaml.load(text, Loader=_LOADER)


def read_bytes(path: Path, name: str | None = None, expected: str = "eine lesbare Datei") -> bytes:
    """The file's content; :class:`DataError` if it is missing, a folder or not readable."""
    name = name or Path(path).name
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError([Problem(name, "Datei fehlt", f"die Datei {path}")]) from None
    except IsADirectoryError:
        raise DataError([Problem(name, "ist ein Ordner, keine Datei", expected)]) from None
    except PermissionError:
        raise DataError([Problem(name, "Datei nicht lesbar (keine Leserechte)", expected)]) from None
    except OSError as exc:
        raise DataError([Problem(name, f"Datei nicht lesbar ({exc.strerror or exc})", expected)]) from None


def read_text(path: Path, name: str | None = None, expected: str = "Text in UTF-8") -> str:
    """The file's text (UTF-8, a byte order mark is dropped); :class:`DataError` if it cannot be read."""
    name = name or Path(path).name
    raw = read_bytes(path, name, expected)
    if b"\x00" in raw[:8192]:
        raise DataError([Problem(name, "keine Textdatei (Binärdatei)", expected)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError([Problem(name, "Datei ist nicht UTF-8-kodiert", expected)]) from None


def read_yaml(path: Path, name: str | None = None, expected: str = "gültiges YAML") -> Any:
    """The parsed YAML document; :class:`DataError` with the line for a syntax error."""
    name = name or Path(path).name
    text = read_text(path, name, f"{expected} in UTF-8")
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError([Problem(name, f"YAML nicht lesbar: {getattr(exc, 'problem', None) or exc}",
                                 f"{expected} (Einrückung mit Leerzeichen)",
                                 zeile=mark.line + 1 if mark else None)]) from None
