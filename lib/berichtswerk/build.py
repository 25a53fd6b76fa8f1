"""``berichtswerk build`` as a pipeline of stages that return data:

check → plan → execute → assemble → publish

- *check* validates ``data/`` (cached by content: unchanged data need not be validated again);
- *plan* reads the structure and decides per section whether its recorded inputs changed
  (:mod:`.deps`); the result is a list of sections to run, with the reason;
- *execute* runs those sections in parallel worker processes and keeps each executed notebook, with
  its dependency record in the metadata, in ``outputs/.cache/abschnitte/``;
- *assemble* merges structure, prose and executed sections into HTML, chapters, design files and PDF
  in a staging folder; *publish* moves them into place atomically.
The assembly is keyed on the executed sections plus everything else that shapes it (structure,
texts, templates, stylesheets, exporter code, package versions) – a template change re-assembles
without re-running a single section."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from . import deps
from .assemble import remove_stale_staging
from .errors import BuildInterrupted, DeadlineExceeded
from .fingerprint import data_digest, library_digest, tree_digest
from .paths import PACKAGE_DIR, PROJECT_ROOT
from .processes import kill_descendants
from .structure import Chapter, Structure

if TYPE_CHECKING:
    from .execute import Executor

# jsonschema (under nbformat and papermill) imports rfc3987_syntax when it is installed, which compiles
# some forty grammars on import – about 2.5 s of CPU in the coordinator and in every worker – only to
# check the "iri" string format, which no notebook schema uses. Builds do without it; kernels are
# not affected (they never import this module).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

LOCK_NAME = ".berichtswerk.lock"
CACHE_DIR = ".cache"
FAILED_DIR = "fehlgeschlagen"
#: Packages whose version changes the assembled outputs (sections record their own, see deps).
ASSEMBLY_PACKAGES = ("nbconvert", "weasyprint", "pydyf", "mistune", "nh3", "openpyxl", "Jinja2", "MarkupSafe")
DEFAULT_CELL_TIMEOUT = 600
TIMEOUT_WORDS = "Zeitlimit von"


@dataclass
class BuildOptions:
    data_dir: Path
    out_dir: Path
    jobs: int = 1
    force: bool = False
    formats: set[str] = field(default_factory=lambda: {"html", "pdf"})
    cell_timeout: int | None = None       # None: the structure's zeitlimit_zelle, else the default
    deadline: int | None = None           # seconds for the whole build (--frist)
    wait: int | None = None               # seconds to wait for a running build (--wait)
    scheduler: str | None = None          # a Dask scheduler's address (--executor dask --scheduler …)


@dataclass(frozen=True)
class PlannedSection:
    chapter: Chapter
    reason: str | None          # why it runs; None = cached output is current

    @property
    def runs(self) -> bool:
        return self.reason is not None


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


class Progress:
    """One line per section and state change, aligned, with times (German, for report authors)."""

    def __init__(self, chapters: list[Chapter], stream: Any = None) -> None:
        self.titles = {c.key: c.ueberschrift for c in chapters}
        self.started: dict[str, float] = {}
        self.finished: set[str] = set()
        self.stream = stream
        self.width = max((len(t) for t in self.titles.values()), default=10)

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


# --- manifest: what the last build knew -----------------------------------------------------------


def _manifest_path(out_dir: Path) -> Path:
    return out_dir / CACHE_DIR / "manifest.json"


def read_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(_manifest_path(out_dir).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"abschnitte": {}}
    manifest.setdefault("abschnitte", {})
    return manifest


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    path = _manifest_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


# --- plan ------------------------------------------------------------------------------------------


def static_key(chapter: Chapter) -> str:
    """The notebook and its parameters (the data folder's location is not an input: its content is)."""
    params = {k: v for k, v in chapter.parameter.items() if k != "data_dir"}
    return digest(chapter.notebook_path.read_bytes(), json.dumps(params, sort_keys=True, ensure_ascii=False).encode())


def plan_sections(structure: Structure, data_dir: Path, section_dir: Path, manifest: dict[str, Any],
                  force: bool) -> list[PlannedSection]:
    """Which sections run and why; refreshes raw digests in ``manifest`` where parsed data is equal."""
    derive = _deriver(data_dir)
    planned = []
    for chapter in structure.sections():
        record = manifest["abschnitte"].get(chapter.key)
        cached = section_dir / f"{chapter.key}.ipynb"
        if force:
            reason = "--force"
        elif record is None or not cached.is_file():
            reason = "noch nicht ausgeführt"
        elif record.get("statisch") != static_key(chapter):
            reason = "Notebook oder Parameter geändert"
        elif record.get("ausgabe") != deps.file_digest(cached):
            reason = "Zwischenstand verändert"
        else:
            reason = deps.stale_reason(record.get("abhaengigkeiten", {}), data_dir, derive)
            if reason is None:
                record["abhaengigkeiten"] = deps.refreshed(record.get("abhaengigkeiten", {}), data_dir)
        planned.append(PlannedSection(chapter, reason))
    return planned


def _deriver(data_dir: Path) -> Callable[[str], str | None]:
    """Re-derivation for one plan: the data is parsed (lazily, once) from the files as they are now,
    and each recorded piece is derived once however many sections recorded it."""
    loaded = []
    derived: dict[str, str | None] = {}

    def derive(key: str) -> str | None:
        from .load import ReportData
        from .load import derive as derive_with_loaders

        if not loaded:
            loaded.append(ReportData(data_dir))
        if key not in derived:
            derived[key] = derive_with_loaders(loaded[0], key)
        return derived[key]

    return derive


def assembly_key(structure: Structure, data_dir: Path, manifest: dict[str, Any], formats: set[str]) -> str:
    """Everything that shapes the assembled outputs besides the sections' executed notebooks."""
    from .schema import FILES, TEXT_DIR

    texts = [(name, deps.file_digest(data_dir / TEXT_DIR / f"{name}.md")) for name in
             sorted({c.text for c in structure.chapters if c.text})]
    sections = [(c.key, manifest["abschnitte"].get(c.key, {}).get("ausgabe")) for c in structure.sections()]
    return digest(
        structure.describe().encode(),
        json.dumps([texts, sections], sort_keys=True).encode(),
        *(str(deps.file_digest(data_dir / FILES[name])).encode() for name in ("bericht", "handlungsfelder", "gliederung")),
        tree_digest(PACKAGE_DIR, ("*.py", "*.j2", "*.css", "*.json")),
        json.dumps(deps.package_versions(ASSEMBLY_PACKAGES), sort_keys=True).encode(),
        ",".join(sorted(formats)).encode(),
    )


# --- the build -------------------------------------------------------------------------------------


def log(text: str) -> None:
    """A line for people reading a scheduled job's log: date, time, text."""
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}", flush=True)


def run_build(options: BuildOptions, executor: Executor | None = None) -> int:
    """Lock, build, always unlock. SIGINT/SIGTERM and the overall deadline stop every process the build
    started, remove its staging folders and keep the last good report (exit 5 / 4).

    ``executor``: one the caller keeps between builds (the preview); otherwise the build starts and
    closes its own."""
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    fingerprint = data_digest(options.data_dir)[:12]
    log(f"Start: Bericht aus {options.data_dir} nach {out_dir}, Daten {fingerprint}")
    code = _locked_build(options, out_dir, executor)
    words = {0: "fertig", 1: "Abschnitt fehlgeschlagen", 2: "Datenfehler", 3: "gesperrt", 4: "Zeitlimit",
             5: "abgebrochen"}
    log(f"Ende: Exit {code} ({words.get(code, '?')}), Daten {fingerprint}")
    return code


def _locked_build(options: BuildOptions, out_dir: Path, executor: Executor | None) -> int:
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        if options.wait:
            print(f"Warte bis zu {options.wait} s auf einen laufenden Build in {out_dir} …", flush=True)
        lock.acquire(timeout=options.wait or 0)
    except Timeout:
        print(f"Ein anderer Build schreibt gerade nach {out_dir} (Sperre {out_dir / LOCK_NAME}). "
              "Bitte warten, bis er fertig ist, oder mit --wait starten.", file=sys.stderr)
        return 3

    def stop(signum: int, frame: Any) -> None:
        kill_descendants()
        raise BuildInterrupted(signal.Signals(signum).name)

    def too_late(signum: int, frame: Any) -> None:
        kill_descendants()
        raise DeadlineExceeded()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, too_late)
    if options.deadline:
        signal.setitimer(signal.ITIMER_REAL, options.deadline)
    try:
        remove_stale_staging(out_dir)
        return _build(options, executor)
    except BuildInterrupted as exc:
        print(f"Build abgebrochen ({exc}): alle Abschnitte und Kernel beendet; der letzte gute Bericht in "
              f"{out_dir} bleibt unverändert.", file=sys.stderr)
        return 5
    except DeadlineExceeded:
        print(f"Build nach der Frist von {options.deadline} s abgebrochen: alle Abschnitte und Kernel beendet; "
              f"der letzte gute Bericht in {out_dir} bleibt unverändert.", file=sys.stderr)
        return 4
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        remove_stale_staging(out_dir)
        shutil.rmtree(out_dir / CACHE_DIR / "laufend", ignore_errors=True)
        lock.release()


def _check(options: BuildOptions, manifest: dict[str, Any]) -> tuple[bool, str]:
    """Validate unless this exact data (and library) was validated before; (ok, data fingerprint)."""
    data_fp = data_digest(options.data_dir)
    validated = digest(data_fp.encode(), library_digest())
    if not options.force and manifest.get("validiert") == validated:
        return True, data_fp
    from .validation import check_data

    result = check_data(options.data_dir)
    for problem in result.hinweise:
        print(f"Hinweis: {problem}")
    if not result.ok:
        print(f"Build abgebrochen: {len(result.fehler)} Problem(e) in den Daten ({options.data_dir}). "
              "Kein Abschnitt wurde ausgeführt.", file=sys.stderr)
        for problem in result.fehler:
            print(f"  - {problem}", file=sys.stderr)
        return False, data_fp
    manifest["validiert"] = validated
    return True, data_fp


def _build(options: BuildOptions, executor: Executor | None = None) -> int:
    from .structure import load_structure

    started = time.perf_counter()
    out_dir, data_dir = options.out_dir, options.data_dir
    section_dir = out_dir / CACHE_DIR / "abschnitte"
    section_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(out_dir)

    own = executor is None
    data_fp = data_digest(data_dir)
    if own and (options.force or manifest.get("validiert") != digest(data_fp.encode(), library_digest())):
        # data changed, so sections will probably run: start the workers now, they import papermill
        # and start kernels while this process validates (forking happens before any thread of ours)
        executor = start_executor(options)
    try:
        ok, data_fp = _check(options, manifest)
        if not ok:
            return 2
        structure = load_structure(data_dir, inspect_parameters=False)
        if options.cell_timeout is None:
            options.cell_timeout = structure.cell_timeout or DEFAULT_CELL_TIMEOUT
        planned = plan_sections(structure, data_dir, section_dir, manifest, options.force)
        to_run = [p.chapter for p in planned if p.runs]
        key = assembly_key(structure, data_dir, manifest, options.formats)
        expected = _expected_outputs(out_dir, options.formats)
        if not to_run and not options.force and manifest.get("zusammengesetzt") == key \
                and all(p.exists() for p in expected):
            write_manifest(out_dir, manifest)
            print(f"Bericht ist aktuell ({len(planned)} Abschnitte unverändert): {out_dir}")
            return 0

        chapters = [p.chapter for p in planned]
        progress = Progress(chapters) if chapters else None
        print(f"Baue den Bericht aus {data_dir} mit bis zu {options.jobs} Abschnitt(en) gleichzeitig:")
        for p in planned:
            progress("wartet" if p.runs else "Cache", p.chapter.key)
        failures: list[str] = []
        if to_run:
            if executor is None:
                executor = start_executor(options)
            # imports for assembling overlap with the kernels instead of following them
            warmup = threading.Thread(target=import_assembly_modules, args=(options.formats,), daemon=True)
            warmup.start()
            failures = _execute(executor, to_run, options, data_fp, section_dir, manifest, progress)
            warmup.join()
    finally:
        if own and executor is not None:
            executor.close()
    write_manifest(out_dir, manifest)
    if failures:
        print(f"\n{len(failures)} Abschnitt(e) fehlgeschlagen; der letzte gute Bericht in {out_dir} "
              "bleibt unverändert.", file=sys.stderr)
        for line in failures:
            print(f"  - {line}", file=sys.stderr)
        return 4 if any(TIMEOUT_WORDS in line for line in failures) else 1
    return _assemble_and_publish(options, structure, section_dir, manifest, started)


def start_executor(options: BuildOptions) -> Executor:
    """The local process pool, or the Dask cluster at ``options.scheduler``; started."""
    if options.scheduler:
        from .dask_executor import DaskExecutor

        return DaskExecutor(options.scheduler, options.data_dir).start()
    from .execute import LocalExecutor

    log_file = options.out_dir / CACHE_DIR / "kernel.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    return LocalExecutor(options.jobs, options.data_dir, log_file, PROJECT_ROOT).start()


def _expected_outputs(out_dir: Path, formats: set[str]) -> list[Path]:
    expected = [out_dir / "bericht.html"] if formats & {"html", "seite"} else []
    if "html" in formats:
        expected += [out_dir / "kapitel", out_dir / "design", out_dir / "design.zip"]
    return expected + ([out_dir / "bericht.pdf"] if "pdf" in formats else [])


def import_assembly_modules(formats: set[str]) -> None:
    import nbformat  # noqa: F401

    from . import assemble, exporters  # noqa: F401

    if "html" in formats:
        from . import design  # noqa: F401
    if "seite" in formats:  # the preview: everything a rebuild needs, imported while it waits
        import papermill  # noqa: F401

        from . import validation  # noqa: F401
    if "pdf" in formats:
        import weasyprint  # noqa: F401


def _execute(executor: Executor, to_run: list[Chapter], options: BuildOptions, data_fp: str,
             section_dir: Path, manifest: dict[str, Any], progress: Progress) -> list[str]:
    """Run the sections; keep successes in the cache, failures under ``fehlgeschlagen/``."""
    import nbformat

    from .cells import label_of_execution, label_of_running, label_of_source, section_problems
    from .execute import Job

    work = section_dir.parent / "laufend"
    work.mkdir(exist_ok=True)
    by_key = {c.key: c for c in to_run}
    sources = {c.key: c.notebook_path.read_text(encoding="utf-8") for c in to_run}
    jobs = [Job(c.key, sources[c.key], {k: v for k, v in c.parameter.items() if k != "data_dir"}, data_fp,
                options.cell_timeout)
            for c in longest_first(to_run, manifest, sources)]
    failures = []
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
        if not outcome.ok:
            cell = "beim Start des Kernels"
            if produced.exists():
                cells = nbformat.read(produced, as_version=4).cells
                cell = (label_of_execution(cells, outcome.cell) if outcome.cell is not None
                        else label_of_running(cells)) or cell
            elif outcome.source:
                cell = label_of_source(nbformat.read(chapter.notebook_path, as_version=4).cells,
                                       outcome.source) or "in einer Zelle"
            kept = keep_failed(chapter, produced)
            failures.append(f"{chapter.ueberschrift} ({chapter.notebook}), {cell}: {outcome.error}"
                            + (f"\n    ausgeführtes Notebook zum Nachsehen: {kept}" if kept.exists() else ""))
            continue
        nb = nbformat.read(produced, as_version=4)
        errors = [p for p in section_problems(nb.cells, chapter.ueberschrift, chapter.notebook) if p.schwer]
        if errors:
            kept = keep_failed(chapter, produced)
            failures += [f"{p}\n    ausgeführtes Notebook zum Nachsehen: {kept}" for p in errors]
            continue
        target = section_dir / f"{chapter.key}.ipynb"
        os.replace(produced, target)
        manifest["abschnitte"][chapter.key] = {
            "statisch": static_key(chapter), "ausgabe": deps.file_digest(target),
            "sekunden": round(outcome.seconds, 2),
            "abhaengigkeiten": nb.metadata.get("berichtswerk", {}).get("abhaengigkeiten", {})}
    return failures


def longest_first(chapters: list[Chapter], manifest: dict[str, Any], sources: dict[str, str]) -> list[Chapter]:
    """Start the longest sections first, so that no long one is left running alone at the end: by the
    time the last run took, else by the notebook's number of code cells (a first build)."""
    def expected(chapter: Chapter) -> tuple[float, int]:
        seconds = manifest["abschnitte"].get(chapter.key, {}).get("sekunden")
        return (seconds if seconds is not None else -1.0, sources[chapter.key].count('"cell_type": "code"'))

    return sorted(chapters, key=expected, reverse=True)


def _assemble_and_publish(options: BuildOptions, structure: Structure, section_dir: Path,
                          manifest: dict[str, Any], started: float) -> int:
    import nbformat

    from .assemble import publish, render_outputs, staging_dir
    from .cells import section_problems

    out_dir = options.out_dir
    step = time.perf_counter()
    executed = {c.key: nbformat.read(section_dir / f"{c.key}.ipynb", as_version=4) for c in structure.sections()}
    staging = staging_dir(out_dir)
    try:
        assembled = render_outputs(structure, executed, options.data_dir, options.formats, staging,
                                   out_dir / CACHE_DIR, options.force)
        publish(staging, out_dir, assembled.written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest["zusammengesetzt"] = assembly_key(structure, options.data_dir, manifest, options.formats)
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
    names = ", ".join(str(p) for p in assembled.written)
    print(f"Zusammengesetzt in {time.perf_counter() - step:.1f} s: {names}".replace(".", ",", 1))
    print(f"Fertig in {time.perf_counter() - started:.1f}".replace(".", ",") + " s.")
    return 0


def _prune(section_dir: Path, keep: set[str]) -> None:
    for path in section_dir.glob("*.ipynb"):
        if path.stem not in keep:
            path.unlink(missing_ok=True)
