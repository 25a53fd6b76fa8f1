"""Command line: ``berichtswerk check``, ``build`` and ``gliederung``.

Exit codes: 0 success, 1 a section failed, 2 the data has problems, 3 another build is running.
Heavy imports (pandas, papermill, WeasyPrint) happen inside the commands so that ``--help`` and a
no-op rebuild stay fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .paths import find_data_dir

EXIT_OK, EXIT_SECTION_FAILED, EXIT_BAD_DATA, EXIT_LOCKED = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="berichtswerk",
        description="Erzeugt einen Bericht (HTML und PDF) aus den Daten in data/: Gliederung, Texte, "
        "Maßnahmen und Notebooks.",
        epilog="Exit-Codes: 0 ok, 1 ein Abschnitt ist fehlgeschlagen, 2 Datenfehler, "
        "3 ein anderer Build läuft gerade.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")

    check = commands.add_parser(
        "check",
        help="Daten prüfen, alle Probleme auf einmal melden (ändert nichts)",
        description="Prüft alles, was ein Build braucht, und meldet jedes Problem mit Datei, Zeile "
        "(wie in der Tabellenkalkulation, Kopfzeile = Zeile 1), Spalte, Wert und Erwartung. "
        "Exit-Code 0 wenn alles in Ordnung ist, 2 sonst. Die Eingabedateien werden nicht verändert.",
    )
    check.add_argument("--data", metavar="DIR", help="Datenordner (Standard: data/ des Projekts)")
    check.add_argument("--measures", metavar="FILE",
                       help="andere Maßnahmentabelle prüfen (CSV oder .xlsx) statt DIR/massnahmen.csv")

    outline = commands.add_parser(
        "gliederung",
        help="aufgelöste Gliederung zeigen: Nummern, Titel, Notebooks, Parameter, Kapiteldateien",
        description="Zeigt die Gliederung aus DIR/gliederung.yaml so, wie der Build sie verwendet: "
        "Nummern (aus der Reihenfolge), Titel, Texte, Notebooks mit Parametern und die Kapiteldateien.",
    )
    outline.add_argument("--data", metavar="DIR", help="Datenordner (Standard: data/ des Projekts)")

    new = commands.add_parser(
        "neu",
        help="einen neuen Bericht anlegen: ORDNER/data mit einer kleinen, gültigen Gliederung und Daten",
        description="Legt ORDNER/data an: Gliederung, Titel und eigene Worte, ein Handlungsfeld, eine Maßnahme, "
        "ein Organigramm und einen Text – alles Platzhalter, die sofort bauen. Danach: berichtswerk check "
        "--data ORDNER/data und berichtswerk build --data ORDNER/data (Ausgabe in ORDNER/outputs).",
    )
    new.add_argument("ordner", metavar="ORDNER", help="neuer oder leerer Ordner")

    build = commands.add_parser(
        "build",
        help="Bericht bauen: Abschnitte ausführen, HTML und PDF zusammensetzen",
        description="Prüft die Daten (wie „check“), führt die Abschnitts-Notebooks mit papermill aus "
        "(parallel, nur geänderte) und setzt bericht.html, bericht.pdf und die Kapitel unter "
        "kapitel/ zusammen. Neue Dateien ersetzen alte erst, wenn sie vollständig sind; schlägt ein "
        "Abschnitt fehl, bleibt der letzte gute Bericht unverändert.",
    )
    build.add_argument("--data", metavar="DIR", help="Datenordner (Standard: data/ des Projekts)")
    build.add_argument("--out", metavar="DIR", help="Ausgabeordner (Standard: outputs/ neben dem Datenordner)")
    build.add_argument("--jobs", metavar="N", type=int, default=None,
                       help="wie viele Abschnitte gleichzeitig laufen (Standard: Anzahl CPU-Kerne)")
    build.add_argument("--force", action="store_true",
                       help="alle Abschnitte neu ausführen, auch wenn sich nichts geändert hat")
    build.add_argument("--format", default="html,pdf", metavar="LISTE",
                       help="Ausgabeformate, kommagetrennt: html, pdf (Standard: html,pdf)")
    return parser


def cmd_check(args: argparse.Namespace) -> int:
    from .validation import check_data

    data_dir = find_data_dir(args.data)
    result = check_data(data_dir, args.measures)
    for key, fmt in result.formats.items():
        if key == "massnahmen" and args.measures:
            print(f"{Path(args.measures).name}: gelesen als {fmt.describe()}")
    if result.ok:
        print(f"Daten in Ordnung: {data_dir}")
        return EXIT_OK
    print(f"{len(result.problems)} Problem(e) in {data_dir}:", file=sys.stderr)
    for problem in result.problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_BAD_DATA


def cmd_outline(args: argparse.Namespace) -> int:
    from .errors import DataError
    from .structure import load_structure

    data_dir = find_data_dir(args.data)
    try:
        structure = load_structure(data_dir)
    except DataError as exc:
        print(f"{len(exc.problems)} Problem(e) in der Gliederung:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_BAD_DATA
    print(structure.describe())
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    import shutil

    from .paths import PACKAGE_DIR

    target = Path(args.ordner).expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"{target} gibt es schon und ist nicht leer – bitte einen neuen oder leeren Ordner angeben.",
              file=sys.stderr)
        return EXIT_BAD_DATA
    try:
        shutil.copytree(PACKAGE_DIR / "vorlage" / "data", target / "data", dirs_exist_ok=True)
    except OSError as exc:
        print(f"Konnte {target} nicht anlegen: {exc.strerror or exc}.", file=sys.stderr)
        return EXIT_BAD_DATA
    print(f"Neuer Bericht in {target / 'data'}. Weiter mit:\n"
          f"  berichtswerk check --data {target / 'data'}\n  berichtswerk build --data {target / 'data'}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildOptions, run_build

    formats = {f.strip().lower() for f in args.format.split(",") if f.strip()}
    unknown = formats - {"html", "pdf"}
    if unknown or not formats:
        print(f"Unbekanntes Format: {', '.join(sorted(unknown)) or '(leer)'}. Erlaubt: html, pdf",
              file=sys.stderr)
        return EXIT_BAD_DATA
    options = BuildOptions(
        data_dir=find_data_dir(args.data),
        out_dir=Path(args.out).resolve() if args.out else find_data_dir(args.data).parent / "outputs",
        jobs=args.jobs or os.cpu_count() or 1,
        force=args.force,
        formats=formats,
    )
    return run_build(options)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"check": cmd_check, "build": cmd_build, "gliederung": cmd_outline, "neu": cmd_new}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
