"""``berichtswerk build``: validate → execute changed sections in parallel → assemble → publish.

Three stages as in every step of the pipeline (load inputs, process, save outputs); each stage is a
module of its own (:mod:`.validation`, :mod:`.execute`, :mod:`.assemble`). This module decides what
is up to date and prints one progress line per section."""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from .fingerprint import data_digest, library_digest, section_key
from .paths import PROJECT_ROOT
from .sections import Section, digest, report_sections

LOCK_NAME = ".berichtswerk.lock"
CACHE_DIR = ".cache"
FAILED_DIR = "fehlgeschlagen"


@dataclass
class BuildOptions:
    data_dir: Path
    out_dir: Path
    jobs: int = 1
    force: bool = False
    formats: set[str] = field(default_factory=lambda: {"html", "pdf"})


class Progress:
    """One line per section and state change, aligned, with times (German, for report authors)."""

    def __init__(self, sections: list[Section], stream=None) -> None:
        self.titles = {s.key: s.title for s in sections}
        self.started: dict[str, float] = {}
        self.finished: set[str] = set()
        self.stream = stream
        self.width = max(len(t) for t in self.titles.values())

    def __call__(self, state: str, key: str, seconds: float | None = None) -> None:
        if state == "läuft":
            if key in self.finished or key in self.started:
                return
            self.started[key] = time.perf_counter()
        if state in ("fertig", "FEHLER"):
            self.finished.add(key)
            if seconds is None and key in self.started:
                seconds = time.perf_counter() - self.started[key]
        time_text = f"  {seconds:5.1f} s".replace(".", ",") if seconds is not None else ""
        line = f"  {state:<10} {self.titles[key]:<{self.width}}{time_text}".rstrip()
        print(line, file=self.stream or sys.stdout, flush=True)


def _manifest_path(out_dir: Path) -> Path:
    return out_dir / CACHE_DIR / "manifest.json"


def _read_manifest(out_dir: Path) -> dict[str, str]:
    try:
        return json.loads(_manifest_path(out_dir).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_manifest(out_dir: Path, manifest: dict[str, str]) -> None:
    path = _manifest_path(out_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def run_build(options: BuildOptions) -> int:
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"Ein anderer Build schreibt gerade nach {out_dir} (Sperre {out_dir / LOCK_NAME}). "
              "Bitte warten, bis er fertig ist, und dann erneut starten.", file=sys.stderr)
        return 3
    try:
        return _build(options)
    finally:
        lock.release()


def _build(options: BuildOptions) -> int:
    started = time.perf_counter()
    out_dir, data_dir = options.out_dir, options.data_dir
    cache_dir = out_dir / CACHE_DIR / "abschnitte"
    cache_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(out_dir)

    library = library_digest()
    data_fp = data_digest(data_dir)
    validated = digest(data_fp.encode(), library)
    needs_check = options.force or manifest.get("validiert") != validated
    runner = None
    if needs_check:
        # Data changed, so sections will run: fork the workers now, they import papermill while
        # this process validates. (Forking happens before any thread of ours exists.)
        from .execute import SectionRunner

        runner = SectionRunner(options.jobs, {"BERICHTSWERK_VALIDIERT": data_fp},
                               cache_dir.parent / "kernel.log").start()
    try:
        if needs_check:
            from .validation import check_data

            result = check_data(data_dir)
            if not result.ok:
                print(f"Build abgebrochen: {len(result.problems)} Problem(e) in den Daten ({data_dir}). "
                      "Kein Abschnitt wurde ausgeführt.", file=sys.stderr)
                for problem in result.problems:
                    print(f"  - {problem}", file=sys.stderr)
                return 2
            manifest["validiert"] = validated
            _write_manifest(out_dir, manifest)

        sections = report_sections(data_dir)
        keys = {s.key: section_key(s, data_dir, library) for s in sections}
        cached = {s.key for s in sections
                  if not options.force and (cache_dir / f"{keys[s.key]}.ipynb").is_file()}
        to_run = [s for s in sections if s.key not in cached]

        assembly_key = digest(*(keys[s.key].encode() for s in sections),
                              ",".join(sorted(options.formats)).encode())
        expected = ([out_dir / "bericht.html", out_dir / "kapitel", out_dir / "design", out_dir / "design.zip"]
                    if "html" in options.formats else [])
        expected += [out_dir / "bericht.pdf"] if "pdf" in options.formats else []
        if not to_run and manifest.get("zusammengesetzt") == assembly_key and all(p.exists() for p in expected):
            print(f"Bericht ist aktuell ({len(sections)} Abschnitte unverändert): {out_dir}")
            return 0

        progress = Progress(sections)
        print(f"Baue den Bericht aus {data_dir} mit bis zu {options.jobs} Abschnitt(en) gleichzeitig:")
        for s in sections:
            progress("Cache" if s.key in cached else "wartet", s.key)
        if to_run and runner is None:
            from .execute import SectionRunner

            runner = SectionRunner(options.jobs, {"BERICHTSWERK_VALIDIERT": data_fp},
                                   cache_dir.parent / "kernel.log").start()
        # imports for assembling overlap with the kernels instead of following them
        warmup = threading.Thread(target=_import_assembly_modules, args=(options.formats,), daemon=True)
        warmup.start()
        failures = _execute(runner, to_run, keys, options, cache_dir, progress) if to_run else []
        warmup.join()
    finally:
        if runner is not None:
            runner.close()
    if failures:
        print(f"\n{len(failures)} Abschnitt(e) fehlgeschlagen; der letzte gute Bericht in {out_dir} "
              "bleibt unverändert.", file=sys.stderr)
        for section, outcome, kept in failures:
            cell = "beim Start des Kernels"
            if outcome.cell is not None:
                first_line = (outcome.source or "").strip().splitlines()[0:1]
                cell = f"Zelle [{outcome.cell}]" + (f" „{first_line[0][:60]}“" if first_line else "")
            print(f"  - {section.title} ({section.notebook.name}), {cell}: {outcome.error}\n"
                  f"    ausgeführtes Notebook zum Nachsehen: {kept}", file=sys.stderr)
        return 1

    import nbformat

    from .assemble import publish, render_outputs, staging_dir

    step = time.perf_counter()
    executed = [(keys[s.key], s.chapter_file, nbformat.read(cache_dir / f"{keys[s.key]}.ipynb", as_version=4))
                for s in sections]
    staging = staging_dir(out_dir)
    try:
        written = render_outputs(executed, data_dir, options.formats, staging, out_dir / CACHE_DIR)
        publish(staging, out_dir, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest["zusammengesetzt"] = assembly_key
    _write_manifest(out_dir, manifest)
    _prune(cache_dir, set(keys.values()))
    shutil.rmtree(out_dir / FAILED_DIR, ignore_errors=True)
    names = ", ".join(str(p.relative_to(out_dir)) for p in expected)
    print(f"Zusammengesetzt in {time.perf_counter() - step:.1f} s: {names}".replace(".", ",", 1))
    print(f"Fertig in {time.perf_counter() - started:.1f} s.".replace(".", ","))
    return 0


def _import_assembly_modules(formats: set[str]) -> None:
    import nbformat  # noqa: F401

    from . import assemble, exporters  # noqa: F401

    if "html" in formats:
        from . import design  # noqa: F401
    if "pdf" in formats:
        import weasyprint  # noqa: F401


def _execute(runner, to_run: list[Section], keys: dict[str, str], options: BuildOptions, cache_dir: Path,
             progress: Progress) -> list:
    from .execute import Job

    work = cache_dir.parent / "laufend"
    work.mkdir(exist_ok=True)
    jobs = [Job(s.key, s.notebook, work / f"{s.key}.ipynb", s.parameters, PROJECT_ROOT) for s in to_run]
    outcomes = runner.run(jobs, progress)
    by_key = {s.key: s for s in to_run}
    failures = []
    failed_dir = options.out_dir / FAILED_DIR
    for outcome in outcomes:
        section = by_key[outcome.key]
        produced = work / f"{section.key}.ipynb"
        if outcome.ok:
            os.replace(produced, cache_dir / f"{keys[section.key]}.ipynb")
        else:
            failed_dir.mkdir(exist_ok=True)
            kept = failed_dir / f"{section.key}.ipynb"
            if produced.exists():
                os.replace(produced, kept)
            failures.append((section, outcome, kept))
    return failures


def _prune(cache_dir: Path, keep: set[str]) -> None:
    for path in cache_dir.glob("*.ipynb"):
        if path.stem not in keep:
            path.unlink(missing_ok=True)
