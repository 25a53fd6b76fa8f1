"""``berichtswerk build`` as a pipeline of stages that return data:

check → plan → execute → assemble → publish

- *check* validates ``data/`` (:mod:`berichtswerk.checks`; cached by content: unchanged data need not
  be validated again);
- *plan* decides per section whether its recorded inputs changed (:mod:`.plan`): a list of sections
  to run, with the reason;
- *execute* runs those sections in parallel (:mod:`berichtswerk.execution`) and keeps each executed
  notebook, with its dependency record in the metadata, in ``outputs/.cache/abschnitte/``;
- *assemble* merges structure, prose and executed sections into HTML, chapters, design files and PDF
  (:mod:`berichtswerk.assembly`) in a folder of their own; *publish* switches to it at once
  (:mod:`.publish`).
The assembly is keyed on the executed sections plus everything else that shapes it – a template
change re-assembles without re-running a single section.

The modules of the later stages (papermill, nbconvert, WeasyPrint behind them) are imported when a
stage runs, not before: a build with nothing to do answers without them."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from berichtswerk import __version__
from berichtswerk.build import FORMATS
from berichtswerk.build.guard import BuildLocked, guarded
from berichtswerk.build.manifest import CACHE_DIR, read_manifest, write_manifest
from berichtswerk.build.plan import (
    assembly_key,
    needs_print_images,
    plan_sections,
    static_key,
    validation_key,
    without_print_images,
)
from berichtswerk.build.progress import Progress, log
from berichtswerk.build.publish import PUBLISHED, current, publish, remove_unpublished, staging_dir
from berichtswerk.core.errors import (
    BuildInterrupted,
    DeadlineExceeded,
    os_error_text,
    print_problems,
)
from berichtswerk.core.exitcodes import ExitCode
from berichtswerk.core.hashing import data_digest, file_digest
from berichtswerk.core.imports import without_iri_format_checker
from berichtswerk.core.paths import report_dir
from berichtswerk.data.gliederung import Chapter, Structure, load_structure

if TYPE_CHECKING:
    from berichtswerk.execution.jobs import Executor

without_iri_format_checker()  # before anything imports nbformat

FAILED_DIR = "fehlgeschlagen"
DEFAULT_CELL_TIMEOUT = 600


@dataclass
class BuildOptions:
    data_dir: Path
    out_dir: Path
    jobs: int = 1
    force: bool = False
    formats: set[str] = field(default_factory=lambda: set(FORMATS))
    cell_timeout: int | None = None       # None: the structure's zeitlimit_zelle, else the default
    deadline: int | None = None           # seconds for the whole build, waiting included (--frist)
    wait: int | None = None               # seconds to wait for a running build (--wait)
    scheduler: str | None = None          # a Dask scheduler's address (--executor dask --scheduler …)


def run_build(options: BuildOptions, executor: Executor | None = None) -> ExitCode:
    """Build under the lock and the deadline; always unlock. SIGINT/SIGTERM and the deadline stop
    every process the build started, remove its unpublished outputs and keep the last good report.

    ``executor``: one the caller keeps between builds (the preview); otherwise the build starts and
    closes its own."""
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    fingerprint = data_digest(options.data_dir)[:12]
    log(f"Start: berichtswerk {__version__}, Bericht aus {options.data_dir} nach {out_dir}, Daten {fingerprint}")
    if options.wait:
        print(f"Warte bis zu {options.wait} s auf einen laufenden Build in {out_dir} …", flush=True)
    try:
        with guarded(out_dir, options.wait, options.deadline) as waited:
            if options.wait:
                print(f"Sperre frei nach {waited:.1f} s".replace(".", ","), flush=True)
            remove_unpublished(out_dir)
            try:
                code = _build(options, executor)
            finally:
                shutil.rmtree(out_dir / CACHE_DIR / "laufend", ignore_errors=True)
    except BuildLocked as exc:
        print(f"Ein anderer Build schreibt gerade nach {out_dir} (Sperre {exc}). Bitte warten, bis er fertig "
              "ist, oder mit --wait starten.", file=sys.stderr)
        code = ExitCode.LOCKED
    except BuildInterrupted as exc:
        print(f"Build abgebrochen ({exc}): alle Abschnitte und Kernel beendet; der letzte gute Bericht in "
              f"{out_dir} bleibt unverändert.", file=sys.stderr)
        code = ExitCode.INTERRUPTED
    except OSError as exc:  # a full disk or a folder without rights: a sentence, the last report stays
        print(os_error_text(exc), file=sys.stderr)
        code = ExitCode.OUTPUT_UNWRITABLE
    except DeadlineExceeded:
        print(f"Build nach der Frist von {options.deadline} s abgebrochen (Warten eingeschlossen): alle Abschnitte "
              f"und Kernel beendet; der letzte gute Bericht in {out_dir} bleibt unverändert.", file=sys.stderr)
        code = ExitCode.TIME_LIMIT
    log(f"Ende: Exit {code.value} ({code.meaning}), Daten {fingerprint}")
    return code


def _check(options: BuildOptions, manifest: dict[str, Any], data_fp: str) -> bool:
    """Validate unless this exact data was validated before (by this version of the checks)."""
    validated = validation_key(data_fp)
    if not options.force and manifest.get("validiert") == validated:
        return True
    from berichtswerk.checks.data_folder import check_data

    result = check_data(options.data_dir)
    for problem in result.hinweise:
        print(f"Hinweis: {problem}")
    if not result.ok:
        print_problems(result.fehler, f"Problem(e) in den Daten ({options.data_dir}) – Build abgebrochen, kein "
                       "Abschnitt wurde ausgeführt")
        return False
    manifest["validiert"] = validated
    return True


def _build(options: BuildOptions, executor: Executor | None = None) -> ExitCode:
    started = time.perf_counter()
    out_dir, data_dir = options.out_dir, options.data_dir
    section_dir = out_dir / CACHE_DIR / "abschnitte"
    section_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(out_dir)

    own = executor is None
    data_fp = data_digest(data_dir)
    if own and (options.force or manifest.get("validiert") != validation_key(data_fp)):
        # data changed, so sections will probably run: start the workers now, they import papermill
        # and start kernels while this process validates (forking happens before any thread of ours)
        executor = start_executor(options)
    stages = Stages(started)
    try:
        if not _check(options, manifest, data_fp):
            return ExitCode.BAD_DATA
        stages.done("pruefen")
        structure = load_structure(data_dir)
        if options.cell_timeout is None:
            options.cell_timeout = structure.cell_timeout or DEFAULT_CELL_TIMEOUT
        planned = plan_sections(structure, data_dir, section_dir, manifest, options.force,
                                needs_print_images(options.formats), data_fp)
        to_run = [p.chapter for p in planned if p.runs]
        key = assembly_key(structure, data_dir, manifest, options.formats)
        stages.done("planen")
        if not to_run and not options.force and manifest.get("zusammengesetzt") == key \
                and _published_complete(out_dir, options.formats):
            manifest["zeiten"] = stages.seconds
            write_manifest(out_dir, manifest)
            print(f"Bericht ist aktuell ({len(planned)} Abschnitte unverändert): {out_dir}")
            return ExitCode.OK

        progress = Progress([p.chapter for p in planned])
        print(f"Baue den Bericht aus {data_dir} mit bis zu {options.jobs} Abschnitt(en) gleichzeitig:")
        for p in planned:
            progress("wartet" if p.runs else "Cache", p.chapter.key)
        failures: list[tuple[str, bool]] = []
        if to_run:
            if executor is None:
                executor = start_executor(options)
            # imports for assembling overlap with the kernels instead of following them
            warmup = threading.Thread(target=import_assembly_modules, args=(options.formats,), daemon=True)
            warmup.start()
            failures = _execute(executor, to_run, options, data_fp, section_dir, manifest, progress)
            warmup.join()
        stages.done("ausfuehren")
    finally:
        if own and executor is not None:
            executor.close()
    write_manifest(out_dir, manifest)
    if failures:
        print(f"\n{len(failures)} Abschnitt(e) fehlgeschlagen; der letzte gute Bericht in {out_dir} "
              "bleibt unverändert.", file=sys.stderr)
        for line, _ in failures:
            print(f"  - {line}", file=sys.stderr)
        return ExitCode.TIME_LIMIT if any(timed_out for _, timed_out in failures) else ExitCode.SECTION_FAILED
    return _assemble_and_publish(options, structure, section_dir, manifest, stages)


class Stages:
    """How long each stage of a build took, in seconds, as the manifest records it (``zeiten``)."""

    def __init__(self, started: float) -> None:
        self.started = self._last = started
        self.seconds: dict[str, float] = {}

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(now - self._last, 3)
        self._last = now


def _published_complete(out_dir: Path, formats: set[str]) -> bool:
    """Every output the requested formats make is published."""
    wanted = {"bericht.html", "daten"} if formats & {"html", "seite"} else set()
    if "html" in formats:
        wanted |= {"kapitel", "design", "design.zip"}
    wanted |= {f"bericht.{kind}" for kind in ("pdf", "docx") if kind in formats}
    return all((out_dir / name).exists() for name in wanted) and wanted <= set(PUBLISHED)


def start_executor(options: BuildOptions) -> Executor:
    """The local process pool, or the Dask cluster at ``options.scheduler``; started."""
    if options.scheduler:
        from berichtswerk.execution.dask import DaskExecutor

        return DaskExecutor(options.scheduler, options.data_dir).start()
    from berichtswerk.execution.local import LocalExecutor

    log_file = options.out_dir / CACHE_DIR / "kernel.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    return LocalExecutor(options.jobs, options.data_dir, log_file, report_dir(options.data_dir)).start()


def import_assembly_modules(formats: set[str]) -> None:
    """Import what assembling needs while the kernels run (or, in the preview, while it waits)."""
    import berichtswerk.assembly.outputs

    if "seite" in formats:  # the preview: everything a rebuild needs
        import berichtswerk.checks.data_folder
        import berichtswerk.execution.jobs  # noqa: F401
    if "pdf" in formats:
        import weasyprint  # noqa: F401
    if "docx" in formats:
        import docx  # noqa: F401


def _execute(executor: Executor, to_run: list[Chapter], options: BuildOptions, data_fp: str,
             section_dir: Path, manifest: dict[str, Any], progress: Progress) -> list[tuple[str, bool]]:
    """Run the sections; keep successes in the cache, failures under ``fehlgeschlagen/``. Returns a
    line per failure and whether it was a time limit."""
    import nbformat

    from berichtswerk.assembly.cells import (
        label_of_execution,
        label_of_last_started,
        section_problems,
    )
    from berichtswerk.execution.jobs import Failure, Job

    work = section_dir.parent / "laufend"
    work.mkdir(exist_ok=True)
    by_key = {c.key: c for c in to_run}
    sources = {c.key: c.notebook_path.read_text(encoding="utf-8") for c in to_run}
    print_images = needs_print_images(options.formats)
    jobs = [Job(c.key, sources[c.key], {k: v for k, v in c.parameter.items() if k != "data_dir"}, data_fp,
                options.cell_timeout, c.notebook or "", print_images)
            for c in longest_first(to_run, manifest, sources)]
    failures: list[tuple[str, bool]] = []
    failed_dir = options.out_dir / FAILED_DIR

    def keep_failed(chapter: Chapter, produced: Path) -> Path:
        failed_dir.mkdir(exist_ok=True)
        kept = failed_dir / f"{chapter.key}.ipynb"
        if produced.exists():
            os.replace(produced, kept)
        return kept

    for outcome in executor.run(jobs, progress):
        chapter = by_key[outcome.key]
        produced = work / f"{chapter.key}.ipynb"
        if outcome.notebook is not None:
            produced.write_text(outcome.notebook, encoding="utf-8")
        if outcome.failure is not None:
            cells = nbformat.read(produced, as_version=4).cells if produced.exists() else []
            if outcome.failure is Failure.KERNEL_START:
                cell = "beim Start des Kernels"
            elif outcome.failure is Failure.CELL_ERROR:
                cell = label_of_execution(cells, outcome.cell) or "in einer Zelle"
            else:
                cell = label_of_last_started(cells) or "in einer Zelle"
            kept = keep_failed(chapter, produced)
            failures.append((f"{chapter.ueberschrift} ({chapter.notebook}), {cell}: {outcome.error}"
                             + (f"\n    ausgeführtes Notebook zum Nachsehen: {kept}" if kept.exists() else ""),
                             outcome.failure is Failure.TIME_LIMIT))
            continue
        nb = nbformat.read(produced, as_version=4)
        errors = [p for p in section_problems(nb.cells, chapter.ueberschrift, chapter.notebook) if p.schwer]
        if errors:
            kept = keep_failed(chapter, produced)
            failures += [(f"{p}\n    ausgeführtes Notebook zum Nachsehen: {kept}", False) for p in errors]
            continue
        target = section_dir / f"{chapter.key}.ipynb"
        os.replace(produced, target)
        manifest["abschnitte"][chapter.key] = {
            "statisch": static_key(chapter), "ausgabe": file_digest(target),
            "sekunden": round(outcome.seconds, 2), "ohne_druckbilder": without_print_images(nb),
            "abhaengigkeiten": nb.metadata.get("berichtswerk", {}).get("abhaengigkeiten", {})}
    return failures


def longest_first(chapters: list[Chapter], manifest: dict[str, Any], sources: dict[str, str]) -> list[Chapter]:
    """Start the longest sections first, so that no long one is left running alone at the end: by the
    time the last run took; in a first build by the notebook's code cells, divided by how many
    sections run the same notebook (one run per Handlungsfeld works on a slice of the data, a notebook
    run once works on all of it)."""
    runs = Counter(c.notebook for c in chapters)

    def expected(chapter: Chapter) -> tuple[float, float]:
        seconds = manifest["abschnitte"].get(chapter.key, {}).get("sekunden")
        cells = sources[chapter.key].count('"cell_type": "code"')
        return (seconds if seconds is not None else -1.0, cells / runs[chapter.notebook])

    return sorted(chapters, key=expected, reverse=True)


def _assemble_and_publish(options: BuildOptions, structure: Structure, section_dir: Path,
                          manifest: dict[str, Any], stages: Stages) -> ExitCode:
    import nbformat

    from berichtswerk.assembly.cells import section_problems
    from berichtswerk.assembly.outputs import ContentError, render_outputs

    out_dir = options.out_dir
    step = time.perf_counter()
    executed = {c.key: nbformat.read(section_dir / f"{c.key}.ipynb", as_version=4) for c in structure.sections()}
    staging = staging_dir(out_dir)
    try:
        assembled = render_outputs(structure, executed, options.data_dir, options.formats, staging,
                                   out_dir / CACHE_DIR, options.force)
        stages.done("zusammensetzen")
        publish(staging, out_dir)
        stages.done("veroeffentlichen")
    except ContentError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"\n{len(exc.fehler)} Problem(e) beim Zusammensetzen; der letzte gute Bericht in {out_dir} bleibt "
              "unverändert.", file=sys.stderr)
        for line in exc.fehler:
            print(f"  - {line}", file=sys.stderr)
        return ExitCode.SECTION_FAILED
    except BaseException:  # a failure or an interruption: nothing of this build is published
        if current(out_dir) != staging:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    manifest["zusammengesetzt"] = assembly_key(structure, options.data_dir, manifest, options.formats)
    manifest["zeiten"] = stages.seconds
    write_manifest(out_dir, manifest)
    _prune(section_dir, {c.key for c in structure.sections()})
    shutil.rmtree(out_dir / FAILED_DIR, ignore_errors=True)
    notes = [str(p) for c in structure.sections()
             for p in section_problems(executed[c.key].cells, c.ueberschrift, c.notebook)]
    notes += assembled.hinweise
    if notes:
        print("Hinweise (im Bericht nicht enthalten):")
        for note in notes:
            print(f"  - {note}")
    def described(name: str) -> str:
        if name in assembled.aus_zwischenspeicher:
            return f"{name} (unverändert aus dem Zwischenspeicher)"
        return f"{name} ({assembled.anmerkungen[name]})" if name in assembled.anmerkungen else name

    names = ", ".join(described(str(p)) for p in assembled.written)
    print(f"Zusammengesetzt in {time.perf_counter() - step:.1f} s: {names}".replace(".", ",", 1))
    print(f"Fertig in {time.perf_counter() - stages.started:.1f}".replace(".", ",") + " s.")
    return ExitCode.OK


def _prune(section_dir: Path, keep: set[str]) -> None:
    for path in section_dir.glob("*.ipynb"):
        if path.stem not in keep:
            path.unlink(missing_ok=True)
