"""Command line: ``berichtswerk check``, ``build``, ``gliederung``, ``neu``, ``anpassen``, the yearly round
``abfrage`` → ``einlesen`` → ``einfrieren``, and ``vorschau`` (a live preview).

Every command begins the same way (:func:`data_dir_of`, :func:`output_dir_of`), prints problems the
same way (:func:`~berichtswerk.core.errors.print_problems`) and ends with an :class:`~berichtswerk.core.exitcodes.ExitCode`.
A user's mistake is one German sentence, never a traceback. Heavy imports (pandas, papermill,
WeasyPrint) happen inside the commands so that ``--help`` and a no-op rebuild stay fast."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from berichtswerk import __version__
from berichtswerk.build import FORMATS
from berichtswerk.core.errors import BerichtswerkError, DataError, os_error_text, print_problems
from berichtswerk.core.exitcodes import ExitCode, help_text
from berichtswerk.core.imports import without_iri_format_checker
from berichtswerk.core.paths import default_output_dir, find_data_dir
from berichtswerk.core.processes import usable_cores

#: argparse's own words, in German (it asks gettext, which has no German catalogue for it)
_ARGPARSE_DE = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "show this help message and exit": "diese Hilfe zeigen und beenden",
    "show program's version number and exit": "Versionsnummer zeigen und beenden",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ungültige Wahl: %(value)r (möglich: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "Angabe %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "unbekannte Angaben: %s",
    "expected one argument": "erwartet einen Wert",
    "invalid %(type)s value: %(value)r": "ungültiger Wert: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "mehrdeutige Option: %(option)s passt zu %(matches)s",
}


def _german(text: str) -> str:
    return _ARGPARSE_DE.get(text, text)


argparse._ = _german  # type: ignore[attr-defined]  # argparse looks its words up through this name


class UsageError(BerichtswerkError):
    """A mistake in how a command was called: one sentence, exit code 2."""


class OutputUnwritable(BerichtswerkError):
    """The output folder cannot be written: one sentence, exit code 6."""


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine ganze Zahl") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} ist zu klein – mindestens 1")
    return value


def _data_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--data", metavar="DIR",
                         help="Datenordner (Standard: data/ im Berichtsordner, in dem der Befehl läuft)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="berichtswerk",
        description="Erzeugt einen Bericht (HTML und PDF) aus den Daten in data/: Gliederung, Texte, "
        "Maßnahmen und Notebooks.",
        epilog=help_text(),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL", title="Befehle")

    check = commands.add_parser(
        "check",
        help="Daten prüfen, alle Probleme auf einmal melden (ändert nichts)",
        description="Prüft alles, was ein Build braucht, und meldet jedes Problem mit Datei, Zeile "
        "(wie in der Tabellenkalkulation, Kopfzeile = Zeile 1), Spalte, Wert und Erwartung. "
        "Exit-Code 0 wenn alles in Ordnung ist, 2 sonst. Die Eingabedateien werden nicht verändert.",
    )
    _data_option(check)
    check.add_argument("--measures", metavar="FILE",
                       help="andere Maßnahmentabelle prüfen (CSV oder .xlsx) statt DIR/massnahmen.csv")

    outline = commands.add_parser(
        "gliederung",
        help="aufgelöste Gliederung zeigen: Nummern, Titel, Notebooks, Parameter, Kapiteldateien",
        description="Zeigt die Gliederung aus DIR/gliederung.yaml so, wie der Build sie verwendet: "
        "Nummern (aus der Reihenfolge), Titel, Texte, Notebooks mit Parametern und die Kapiteldateien.",
    )
    _data_option(outline)

    new = commands.add_parser(
        "neu",
        help="einen neuen Bericht anlegen: ein Berichtsordner, der sofort prüft und baut",
        description="Legt ORDNER an: data/ (Gliederung, Titel und eigene Worte, ein Handlungsfeld, eine "
        "Maßnahme, ein Organigramm und einen Text – Platzhalter, die sofort bauen), notebooks/ für eigene "
        "Notebooks, README.md für die Redaktion, .gitignore und .gitattributes. Danach im Ordner: "
        "berichtswerk check und berichtswerk build (Ausgabe in ORDNER/outputs).",
    )
    new.add_argument("ordner", metavar="ORDNER", help="neuer oder leerer Ordner")

    customise = commands.add_parser(
        "anpassen",
        help="ein Standard-Notebook in den Bericht kopieren, um es dort zu ändern",
        description="Kopiert das Standard-Notebook NAME (z. B. handlungsfeld.ipynb) nach notebooks/ neben dem "
        "Datenordner. Ein Notebook dort ersetzt das gleichnamige Standard-Notebook für diesen Bericht. Ohne NAME: "
        "die Standard-Notebooks auflisten.",
    )
    customise.add_argument("name", metavar="NAME", nargs="?", help="Name des Standard-Notebooks")
    _data_option(customise)

    query = commands.add_parser(
        "abfrage",
        help="Abfrage an die Fachbereiche: je Einheit eine Excel-Arbeitsmappe mit ihren Maßnahmen",
        description="Schreibt je Organisationseinheit eine Arbeitsmappe „Abfrage <Einheit>.xlsx“ mit ihren "
        "Maßnahmen (Auswahllisten für Handlungsfeld, Ziel und Status, gesperrte Nr., leere Zeilen für neue "
        "Maßnahmen, Blatt „Anleitung“) und verzeichnet die Abfrage in abfragen/<Datum>.json neben dem "
        "Datenordner – damit „einlesen“ die Rückmeldungen sicher zuordnen kann. Die Daten müssen „check“ bestehen.",
    )
    _data_option(query)
    query.add_argument("--out", metavar="DIR",
                       help="Ordner für die Arbeitsmappen (Standard: outputs/abfrage/<Datum>/ neben dem Datenordner)")

    read_in = commands.add_parser(
        "einlesen",
        help="zurückgeschickte Arbeitsmappen prüfen, Änderungen zeigen und in data/ übernehmen",
        description="Prüft alle Arbeitsmappen auf einmal (Datei, Blatt, Zeile wie in Excel, Spalte, Wert, "
        "Erwartung), zeigt je Einheit neue, geänderte (Feld für Feld) und beendete Maßnahmen und erkennt "
        "Konflikte: zwei Einheiten ändern dieselbe Angabe verschieden, data/ wurde seit der Abfrage auch "
        "geändert, eine Mappe stammt aus einer älteren Abfrage, eine gesperrte Nr. wurde verändert. Nur wenn "
        "alles in Ordnung ist, wird massnahmen.csv ersetzt (neue Maßnahmen erhalten Nummern); die alte Datei "
        "bleibt in sicherungen/<Zeitpunkt>/.",
        epilog="Exit-Codes: 0 übernommen (bzw. mit --dry-run: übernehmbar), 2 Probleme oder Konflikte – "
        "data/ bleibt dann unverändert, 6 Speicher voll oder keine Schreibrechte.",
    )
    read_in.add_argument("dateien", metavar="DATEI", nargs="+", help="zurückgeschickte Arbeitsmappen (.xlsx)")
    _data_option(read_in)
    read_in.add_argument("--dry-run", action="store_true", help="nur prüfen und Änderungen zeigen, nichts schreiben")
    read_in.add_argument("--aeltere-abfrage", action="store_true",
                         help="Mappen aus einer älteren Abfrage zulassen (abgeglichen mit dem damaligen Stand)")
    read_in.add_argument("--vorrang", metavar="DATEI", action="append", default=[],
                         help="bei einem Konflikt gilt diese Arbeitsmappe (mehrfach möglich)")

    freeze = commands.add_parser(
        "einfrieren",
        help="eine veröffentlichte Ausgabe einfrieren: Kopie der Daten nach ausgaben/NAME/",
        description="Kopiert den (gültigen) Datenordner nach ausgaben/NAME/data/ neben dem Datenordner und "
        "schreibt ausgaben/NAME/manifest.json mit einer Prüfsumme je Datei. Eine eingefrorene Ausgabe wird nie "
        "überschrieben; ein späterer Bericht vergleicht mit ihr über „vergleich_mit: NAME“ in bericht.yaml.",
    )
    freeze.add_argument("name", metavar="NAME", help="Name der Ausgabe, z. B. 2021")
    _data_option(freeze)

    build = commands.add_parser(
        "build",
        help="Bericht bauen: Abschnitte ausführen, HTML, PDF und Word-Fassung zusammensetzen",
        description="Prüft die Daten (wie „check“), führt die Abschnitts-Notebooks mit papermill aus "
        "(parallel, nur geänderte) und setzt bericht.html, bericht.pdf, bericht.docx und die Kapitel unter "
        "kapitel/ zusammen. Neue Dateien ersetzen alte erst, wenn sie vollständig sind; schlägt ein "
        "Abschnitt fehl, bleibt der letzte gute Bericht unverändert.",
        epilog=help_text(),
    )
    _data_option(build)
    build.add_argument("--out", metavar="DIR", help="Ausgabeordner (Standard: outputs/ neben dem Datenordner)")
    build.add_argument("--jobs", metavar="N", type=positive_int, default=None,
                       help="wie viele Abschnitte gleichzeitig laufen (Standard: Anzahl CPU-Kerne)")
    build.add_argument("--force", action="store_true",
                       help="alles neu: alle Abschnitte ausführen, PDF und Tabellen neu schreiben")
    build.add_argument("--format", default=",".join(FORMATS), metavar="LISTE",
                       help="Ausgabeformate, kommagetrennt: " + ", ".join(FORMATS) + " (Standard: alle)")
    build.add_argument("--zeitlimit", metavar="SEKUNDEN", type=positive_int, default=None,
                       help="höchstens so lange darf eine Zelle rechnen (Standard: zeitlimit_zelle in "
                       "gliederung.yaml, sonst 600); danach scheitert der Abschnitt mit Exit-Code 4")
    build.add_argument("--frist", metavar="SEKUNDEN", type=positive_int, default=None,
                       help="höchstens so lange darf der ganze Build dauern, Warten (--wait) eingeschlossen "
                       "(für zeitgesteuerte Läufe); danach bricht er ab, der letzte gute Bericht bleibt (Exit-Code 4)")
    build.add_argument("--executor", choices=("lokal", "dask"), default="lokal",
                       help="wo die Abschnitte laufen: lokal (Prozesse auf diesem Rechner, Standard) oder "
                       "dask (ein Dask-Cluster, siehe --scheduler; Zusatzpaket: pip install "
                       "'berichtswerk[verteilt]')")
    build.add_argument("--scheduler", metavar="ADRESSE",
                       help="Adresse des Dask-Schedulers, z. B. tcp://127.0.0.1:8786 (nur mit --executor dask)")
    build.add_argument("--wait", metavar="SEKUNDEN", type=positive_int, nargs="?", const=3600, default=None,
                       help="läuft schon ein Build in den Ausgabeordner, so lange auf ihn warten (ohne Zahl: "
                       "bis zu einer Stunde) statt mit Exit-Code 3 abzubrechen")
    preview = commands.add_parser(
        "vorschau",
        help="Live-Vorschau im Browser: baut bei jedem Speichern neu und aktualisiert die offene Seite",
        description="Zeigt den Bericht unter http://127.0.0.1:PORT/ und beobachtet data/ und die Notebooks. "
        "Nach jedem Speichern wird nur neu gebaut, was sich geändert hat (nur die Berichtsseite, in "
        "outputs/vorschau/); "
        "die offene Seite wird ohne Neuladen ersetzt und behält ihre Scrollposition. Probleme in den Daten "
        "oder ein fehlgeschlagener Abschnitt erscheinen in der Seite. Strg-C beendet die Vorschau.",
    )
    _data_option(preview)
    preview.add_argument("--port", metavar="N", type=int, default=8000,
                         help="Port auf 127.0.0.1 (Standard: 8000; 0 = ein freier Port)")
    preview.add_argument("--out", metavar="DIR",
                         help="Ordner für die Vorschau (Standard: outputs/vorschau/ neben dem Datenordner)")
    preview.add_argument("--jobs", metavar="N", type=positive_int, default=None,
                         help="wie viele Abschnitte gleichzeitig laufen (Standard: Anzahl CPU-Kerne)")
    return parser


# --- the preamble every command shares -------------------------------------------------------------


def data_dir_of(args: argparse.Namespace) -> Path:
    """The data folder the command works on (``--data``, else found from the working directory)."""
    data_dir = find_data_dir(args.data)
    if not data_dir.is_dir():
        raise UsageError(f"Datenordner {data_dir} nicht gefunden – bitte im Berichtsordner starten oder mit "
                         "--data einen Ordner wie data/ angeben (einen neuen Bericht legt „berichtswerk neu“ an).")
    return data_dir


def output_dir_of(value: str | None, data_dir: Path) -> Path:
    """The output folder, created and tried (default: ``outputs/`` beside the data folder)."""
    out_dir = Path(value).expanduser().resolve() if value else default_output_dir(data_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"Ausgabeordner {out_dir} ist eine Datei – bitte mit --out einen Ordner angeben.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".schreibprobe"
        probe.write_bytes(b"")
        probe.unlink()
    except NotADirectoryError:
        raise UsageError(f"Ausgabeordner {out_dir} liegt in einer Datei – bitte mit --out einen Ordner "
                         "angeben.") from None
    except OSError as exc:
        reason = "keine Schreibrechte" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
        raise OutputUnwritable(f"Ausgabeordner {out_dir} ist nicht nutzbar ({reason}) – bitte mit --out einen "
                               "beschreibbaren Ordner angeben.") from None
    return out_dir


# --- the commands -----------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> ExitCode:
    from berichtswerk.checks.data_folder import check_data

    data_dir = data_dir_of(args)
    result = check_data(data_dir, args.measures)
    for key, fmt in result.formats.items():
        if key == "massnahmen" and args.measures:
            print(f"{Path(args.measures).name}: gelesen als {fmt.describe()}")
    if result.hinweise:
        print(f"{len(result.hinweise)} Hinweis(e) – wird im Bericht entfernt bzw. so nicht gezeigt:")
        for problem in result.hinweise:
            print(f"  - {problem}")
    if result.ok:
        print(f"Daten in Ordnung: {data_dir}")
        return ExitCode.OK
    print_problems(result.fehler, f"Problem(e) in {data_dir}")
    return ExitCode.BAD_DATA


def cmd_outline(args: argparse.Namespace) -> ExitCode:
    from berichtswerk.checks.structure import checked_structure

    data_dir = data_dir_of(args)
    try:
        structure = checked_structure(data_dir)
    except DataError as exc:
        print_problems(exc.problems, "Problem(e) in der Gliederung")
        return ExitCode.BAD_DATA
    print(structure.describe())
    return ExitCode.OK


def cmd_new(args: argparse.Namespace) -> ExitCode:
    from berichtswerk.neu import create_report

    target = Path(args.ordner).expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} gibt es schon und ist nicht leer – bitte einen neuen oder leeren Ordner angeben.")
    create_report(target)
    print(f"Neuer Bericht in {target}. Weiter mit:\n  cd {target}\n  berichtswerk check\n  berichtswerk build\n"
          "Was wo steht, erklärt README.md im Berichtsordner.")
    return ExitCode.OK


def cmd_customise(args: argparse.Namespace) -> ExitCode:
    from berichtswerk.neu import customise_notebook, standard_notebooks

    data_dir = data_dir_of(args)
    if not args.name:
        print("Standard-Notebooks (berichtswerk anpassen NAME kopiert eines nach notebooks/):")
        for name in standard_notebooks():
            print(f"  {name}")
        return ExitCode.OK
    target = customise_notebook(data_dir, args.name)
    print(f"{args.name} liegt jetzt in {target} und gilt für diesen Bericht statt des Standard-Notebooks.")
    return ExitCode.OK


def cmd_build(args: argparse.Namespace) -> ExitCode:
    from berichtswerk.build.pipeline import BuildOptions, run_build

    formats = {f.strip().lower() for f in args.format.split(",") if f.strip()}
    unknown = formats - set(FORMATS)
    if unknown or not formats:
        raise UsageError(f"Unbekanntes Format: {', '.join(sorted(unknown)) or '(leer)'}. Erlaubt: {', '.join(FORMATS)}")
    if (args.executor == "dask") != bool(args.scheduler):
        raise UsageError("--executor dask braucht --scheduler ADRESSE (und --scheduler gilt nur mit --executor dask).")
    if args.scheduler:
        try:
            import distributed  # noqa: F401  # the optional extra
        except ImportError:
            raise UsageError("Für --executor dask fehlt das Paket „distributed“: pip install "
                             "'berichtswerk[verteilt]'") from None
    data_dir = data_dir_of(args)
    options = BuildOptions(
        data_dir=data_dir,
        out_dir=output_dir_of(args.out, data_dir),
        jobs=args.jobs or usable_cores(),
        force=args.force,
        formats=formats,
        cell_timeout=args.zeitlimit,
        deadline=args.frist,
        wait=args.wait,
        scheduler=args.scheduler,
    )
    return run_build(options)


def cmd_preview(args: argparse.Namespace) -> ExitCode:
    from berichtswerk.build.pipeline import BuildOptions
    from berichtswerk.vorschau.server import serve

    data_dir = data_dir_of(args)
    out_dir = output_dir_of(args.out or str(default_output_dir(data_dir) / "vorschau"), data_dir)
    options = BuildOptions(data_dir=data_dir, out_dir=out_dir, jobs=args.jobs or usable_cores(),
                           formats={"seite"})
    return serve(options, args.port)


def cmd_query(args: argparse.Namespace) -> ExitCode:
    from berichtswerk.runde.abfrage import create_query

    data_dir = data_dir_of(args)
    out_dir = Path(args.out).expanduser().resolve() if args.out else \
        default_output_dir(data_dir) / "abfrage" / dt.date.today().isoformat()
    try:
        result = create_query(data_dir, out_dir)
    except DataError as exc:
        print_problems(exc.problems, f"Problem(e) in {data_dir} – erst beheben (berichtswerk check), dann abfragen")
        return ExitCode.BAD_DATA
    print(f"Abfrage {result.query.id}: {len(result.dateien)} Arbeitsmappe(n) in {out_dir}")
    for unit in result.query.einheiten.values():
        print(f"  {unit.datei}  ({len(unit.massnahmen)} Maßnahme(n))")
    if result.ohne_oe:
        print(f"Ohne OE, daher in keiner Arbeitsmappe: {', '.join(result.ohne_oe)}")
    print(f"Verzeichnet in {result.record} – diese Datei bitte aufbewahren (einlesen braucht sie).")
    return ExitCode.OK


def cmd_read_in(args: argparse.Namespace) -> ExitCode:
    from berichtswerk.runde.einlesen import apply_merge, describe, plan_merge

    data_dir = data_dir_of(args)
    missing = [f for f in args.dateien if not Path(f).is_file()]
    if missing:
        raise UsageError("Datei nicht gefunden: " + ", ".join(missing))
    plan = plan_merge(data_dir, [Path(f) for f in args.dateien], aeltere=args.aeltere_abfrage,
                      vorrang=[Path(f) for f in args.vorrang])
    print(describe(plan))
    print()
    if not plan.ok:
        print_problems(plan.probleme, "Problem(e) – nichts übernommen, data/ ist unverändert")
        return ExitCode.BAD_DATA
    if not plan.aendert_etwas:
        print("Keine Änderungen – data/ bleibt, wie es ist.")
        return ExitCode.OK
    if args.dry_run:
        print("Probelauf (--dry-run): alles übernehmbar, nichts geschrieben.")
        return ExitCode.OK
    backup = apply_merge(data_dir, plan)
    print(f"Übernommen in {data_dir / 'massnahmen.csv'}; vorheriger Stand in {backup}.")
    print(f"Weiter mit: berichtswerk check --data {data_dir}  und  berichtswerk build --data {data_dir}")
    return ExitCode.OK


def cmd_freeze(args: argparse.Namespace) -> ExitCode:
    from berichtswerk.runde.einfrieren import freeze

    data_dir = data_dir_of(args)
    try:
        target = freeze(data_dir, args.name)
    except DataError as exc:
        print_problems(exc.problems, "Problem(e) – nichts eingefroren")
        return ExitCode.BAD_DATA
    print(f"Ausgabe {args.name} eingefroren: {target} (Prüfsummen in {target / 'manifest.json'}).")
    print(f"Ein späterer Bericht vergleicht mit ihr über „vergleich_mit: \"{args.name}\"“ in bericht.yaml.")
    return ExitCode.OK


COMMANDS: dict[str, Callable[[argparse.Namespace], ExitCode]] = {
    "check": cmd_check, "build": cmd_build, "gliederung": cmd_outline, "neu": cmd_new, "anpassen": cmd_customise,
    "abfrage": cmd_query, "einlesen": cmd_read_in, "einfrieren": cmd_freeze, "vorschau": cmd_preview,
}


def main(argv: list[str] | None = None) -> int:
    without_iri_format_checker()
    args = _parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command](args))
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.BAD_DATA
    except DataError as exc:
        print_problems(exc.problems, "Problem(e)")
        return ExitCode.BAD_DATA
    except OutputUnwritable as exc:
        print(exc, file=sys.stderr)
        return ExitCode.OUTPUT_UNWRITABLE
    except OSError as exc:  # disk full, no rights: a sentence, not a traceback
        print(os_error_text(exc), file=sys.stderr)
        return ExitCode.OUTPUT_UNWRITABLE


if __name__ == "__main__":
    sys.exit(main())
