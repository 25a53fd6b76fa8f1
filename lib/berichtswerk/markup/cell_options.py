"""Cell options the way Quarto reads them: the ``#|`` lines at the top of a code cell are YAML.

Each option line loses its ``#|`` and one space after it – nothing more, so indentation stays and
block scalars (``#| fig-alt: |`` with indented lines below), lists and quoted strings work as in
Quarto. Where the YAML does not parse, an option on one line is read the way a person meant it:
everything after ``key: ``, e.g. ``#| fig-alt: Balkendiagramm: Frühjahr 3, Sommer 5``. What still
cannot be read – a broken multi-line value, a line that is no ``key: value``, a value of the wrong
kind – is a :class:`OptionProblem` naming the line; an unknown key is a hint with the closest known
one (``fig_alt`` → ``fig-alt``). The kernel shows the problems under the cell in JupyterLab; the
build reads the same options from the same source and fails the section for an error.

Pure functions of the cell's source: the kernels (:mod:`berichtswerk.abschnitt`) and the assembly
(:mod:`berichtswerk.assembly.cells`) read a cell alike."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from berichtswerk.core.errors import did_you_mean
from berichtswerk.core.textfiles import parse_yaml

_OPTION_LINE = re.compile(r"^\s*#\| ?")
_ENTRY = re.compile(r"^([A-Za-z][\w-]*)\s*:(.*)$")

#: Options and what they do here (the README's table is made from the same list).
OPTIONS: dict[str, str] = {
    "label": "Kennung der Abbildung oder Tabelle: Verweise (@fig-…, @tbl-…), Dateinamen der Übergabe",
    "fig-cap": "Bildunterschrift",
    "fig-alt": "Textalternative (Pflicht für jede Abbildung); eine Liste bei mehreren Abbildungen",
    "fig-subcap": "Unterschriften der Teilabbildungen (Liste); mit layout-ncol nebeneinander",
    "fig-quelle": "Quellenangabe unter der Abbildung",
    "fig-daten": "Name des DataFrames, aus dem die Abbildung gezeichnet ist: Tabelle „Daten zur Abbildung“ darunter, "
                 "CSV in den offenen Daten; eine Liste bei mehreren Abbildungen",
    "tbl-cap": "Tabellenüberschrift",
    "tbl-quelle": "Quellenangabe unter der Tabelle",
    "layout-ncol": "Teilabbildungen je Zeile",
    "layout-nrow": "Zeilen der Teilabbildungen",
    "include": "false: die Zelle läuft, nichts von ihr erscheint",
    "output": "false: wie include: false (Code erscheint ohnehin nie)",
    "eval": "false: die Zelle wird im Build nicht ausgeführt",
    "echo": "angenommen, ohne Wirkung: Code erscheint im Bericht nie",
}
#: Quarto's options that are accepted without effect here (no hint, nothing shown).
QUARTO_ONLY = {"warning", "error", "message", "code-fold", "code-summary", "code-overflow", "fig-width", "fig-height",
               "fig-align", "fig-pos", "fig-env", "fig-format", "fig-dpi", "tbl-colwidths", "classes",
               "tags", "column", "lst-label", "lst-cap", "tbl-cap-location", "fig-cap-location", "results"}
_BOOLEAN = ("include", "output", "eval", "echo")
_TEXT = ("label", "fig-cap", "tbl-cap", "fig-quelle", "tbl-quelle")
_TEXT_OR_LIST = ("fig-alt", "fig-subcap", "fig-daten")
_COUNT = ("layout-ncol", "layout-nrow")


@dataclass(frozen=True)
class OptionProblem:
    zeile: int                 # line of the cell, counted from 1
    text: str                  # the line as written
    meldung: str
    schwer: bool = True        # True: the build fails; False: a hint

    def __str__(self) -> str:
        return f"Zellenoption in Zeile {self.zeile} „{self.text.strip()}“: {self.meldung}"


@dataclass(frozen=True)
class CellOptions:
    werte: dict[str, Any] = field(default_factory=dict)
    probleme: tuple[OptionProblem, ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return self.werte.get(key, default)

    @property
    def shown(self) -> bool:
        """False for ``include: false`` or ``output: false``: nothing of the cell reaches the report."""
        return self.werte.get("include", True) is not False and self.werte.get("output", True) is not False

    @property
    def evaluated(self) -> bool:
        return self.werte.get("eval", True) is not False


def option_lines(source: str) -> list[tuple[int, str]]:
    """The ``#|`` lines at the top of a cell: (line number, line as written)."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        if _OPTION_LINE.match(line):
            found.append((number, line))
        elif line.strip():
            break
    return found


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return {"mapping values are not allowed here": "ein Doppelpunkt mit Leerzeichen mitten im Wert",
            "found character '\\t' that cannot start any token": "ein Tabulator (bitte Leerzeichen)",
            "found unexpected end of stream": "ein Anführungszeichen oder eine Klammer wird nicht geschlossen",
            "did not find expected key": "Einrückung oder Klammer stimmt nicht",
            "could not find expected ':'": "ein Doppelpunkt fehlt",
            "did not find expected ',' or ']'": "eine Liste in [ ] wird nicht geschlossen",
            }.get(problem, problem)


def parse(source: str) -> CellOptions:
    """The cell's options and every problem with them."""
    lines = option_lines(source)
    if not lines:
        return CellOptions()
    texts = [_OPTION_LINE.sub("", line, count=1) for _, line in lines]
    try:
        doc = parse_yaml("\n".join(texts))
    except yaml.YAMLError:
        doc = None
        werte, probleme = _entry_by_entry(lines, texts)
    else:
        if doc is None:
            return CellOptions()
        if not isinstance(doc, dict):
            return CellOptions({}, (OptionProblem(lines[0][0], lines[0][1], "keine Option der Form „schlüssel: wert“"),))
        werte, probleme = {str(k): v for k, v in doc.items()}, []
    first_line = {}
    for (number, line), text in zip(lines, texts, strict=True):
        match = _ENTRY.match(text)
        if match:
            first_line.setdefault(match.group(1), (number, line))
    probleme += _checked(werte, first_line, lines[0])
    return CellOptions(werte, tuple(probleme))


def _entry_by_entry(lines: list[tuple[int, str]], texts: list[str]) -> tuple[dict[str, Any], list[OptionProblem]]:
    """The block did not parse as a whole: each ``key:`` with its indented lines on its own."""
    entries: list[list[int]] = []
    problems: list[OptionProblem] = []
    for index, text in enumerate(texts):
        if text.strip() and not text[:1].isspace():
            entries.append([index])
        elif entries:
            entries[-1].append(index)
        elif text.strip():
            problems.append(OptionProblem(lines[index][0], lines[index][1], "eingerückt, aber unter keiner Option"))
    werte: dict[str, Any] = {}
    for indices in entries:
        head = texts[indices[0]]
        number, line = lines[indices[0]]
        match = _ENTRY.match(head)
        if match is None:
            problems.append(OptionProblem(number, line, "keine Option der Form „schlüssel: wert“"))
            continue
        key, rest = match.group(1), match.group(2).strip()
        try:
            parsed = parse_yaml("\n".join(texts[i] for i in indices))
            werte[key] = parsed.get(key) if isinstance(parsed, dict) else None
        except yaml.YAMLError as exc:
            if len(indices) == 1 and rest and rest not in ("|", ">", "|-", ">-"):
                werte[key] = rest  # what the person meant: everything after "key: "
            else:
                mark = getattr(exc, "problem_mark", None)
                at = lines[indices[0] + mark.line] if mark is not None and mark.line < len(indices) else (number, line)
                problems.append(OptionProblem(at[0], at[1], f"kein gültiges YAML ({_yaml_problem(exc)})"))
    return werte, problems


def _checked(werte: dict[str, Any], first_line: dict[str, tuple[int, str]],
             fallback: tuple[int, str]) -> list[OptionProblem]:
    problems = []
    for key, value in list(werte.items()):
        number, line = first_line.get(key, fallback)
        if key in _BOOLEAN and not isinstance(value, bool):
            problems.append(OptionProblem(number, line, f"„{key}“ braucht true oder false"))
            del werte[key]
        elif key in _TEXT and not isinstance(value, (str, int, float)):
            problems.append(OptionProblem(number, line, f"„{key}“ braucht einen Text"))
            del werte[key]
        elif key in _TEXT_OR_LIST and not (isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value))):
            problems.append(OptionProblem(number, line, f"„{key}“ braucht einen Text oder eine Liste von Texten"))
            del werte[key]
        elif key in _COUNT and not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            problems.append(OptionProblem(number, line, f"„{key}“ braucht eine ganze Zahl ab 1"))
            del werte[key]
        elif key not in OPTIONS and key not in QUARTO_ONLY:
            hint = did_you_mean(key, [*OPTIONS, *QUARTO_ONLY])
            problems.append(OptionProblem(number, line, f"unbekannte Option „{key}“{hint}", schwer=False))
    return problems
