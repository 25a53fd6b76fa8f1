"""One section, executed: a :class:`Job` carries the notebook's text and its parameters, an
:class:`Outcome` carries the executed notebook's text back – nothing in between needs a shared file
system, so the same jobs run in the local process pool (:mod:`.local`) or on a Dask cluster
(:mod:`.dask`); both are an :class:`Executor`.

Around the notebook's own cells the build adds hidden cells (tag ``berichtswerk-intern``): the first
starts recording what the kernel reads (:mod:`berichtswerk.data.recording`), the last hands the record
back, and one after each Markdown cell with inline values (`` `{python} n` ``) evaluates them where
the Markdown stands. The record moves into the executed notebook's metadata, the values into their
Markdown cell's, and the hidden cells are removed again. A cell with ``#| eval: false`` is tagged
for nbclient to skip. A failed section keeps its executed notebook – with the error in the failing cell –
for inspection, like papermill itself does; why it failed is a :class:`Failure`, told by where it
happened and by the exception's type, never by its message."""

from __future__ import annotations

import copy
import enum
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import nbformat
import papermill as pm
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell
from papermill.engines import NBClientEngine, papermill_engines

from berichtswerk.core.mime import DEPS_MIME, INLINE_MIME
from berichtswerk.execution.kernels import KernelStartError, KernelStock, shutdown, start_kernel
from berichtswerk.markup import cell_options, inline

INTERNAL_TAG = "berichtswerk-intern"
SKIP_TAG = "skip-execution"   # nbclient leaves such a cell alone
END_SOURCE = "_berichtswerk_recording.emit()"

StatusCallback = Callable[[str, str], None]
ENGINE = "berichtswerk"


class _KeepingEngine(NBClientEngine):
    """papermill's nbclient engine, keeping the notebook as far as it ran: papermill writes it only on
    success or a cell error, and a section that hit its time limit or lost its kernel must show the
    analyst which cell was running (the last one papermill started)."""

    running = threading.local()   # Dask runs several jobs per worker process, in threads

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
        cls.running.manager = nb_man
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    @classmethod
    def as_far_as_it_ran(cls) -> str | None:
        manager = getattr(cls.running, "manager", None)
        return nbformat.writes(manager.nb) if manager is not None else None


papermill_engines.register(ENGINE, _KeepingEngine)


class Failure(enum.Enum):
    """Why a section failed."""

    CELL_ERROR = "Fehler in einer Zelle"
    TIME_LIMIT = "Zeitlimit einer Zelle überschritten"
    KERNEL_START = "Kernel startet nicht"
    KERNEL_DIED = "Kernel während einer Zelle beendet"


@dataclass(frozen=True)
class Job:
    key: str
    notebook: str                        # the notebook as nbformat JSON text
    parameters: dict[str, object]        # without data_dir: the executor knows where the data is
    validated: str | None = None         # data digest the coordinator validated (kernels skip validating)
    timeout: int | None = None
    name: str = ""                       # the notebook's file name, as the executed notebook records it
    print_images: bool = True            # figures with their print PNG (Word, design handoff)


@dataclass(frozen=True)
class Outcome:
    key: str
    seconds: float
    notebook: str | None = None          # the executed notebook (also for a failure, where there is one)
    failure: Failure | None = None
    error: str | None = None             # what went wrong, for the analyst
    cell: int | None = None              # execution count of the failing cell (cell errors)

    @property
    def ok(self) -> bool:
        return self.failure is None


class Executor(Protocol):
    """Runs jobs somewhere and brings the executed notebooks back to the coordinator."""

    def start(self) -> Executor:
        """Get ready (start workers) while the coordinator does other work."""

    def run(self, jobs: Iterable[Job], on_status: StatusCallback) -> list[Outcome]:
        """Run all jobs; ``on_status(state, key)`` sees "läuft", "fertig" and "FEHLER"."""

    def close(self) -> None:
        """Release workers and kernels."""


def start_source(validated: str | None, print_images: bool = True) -> str:
    source = (f"import berichtswerk.data.recording as _berichtswerk_recording\n"
              f"_berichtswerk_recording.start({validated!r})")
    if not print_images:
        source += ("\nimport berichtswerk.abschnitt.blocks as _berichtswerk_blocks\n"
                   "_berichtswerk_blocks.print_images = False")
    return source


def _hidden(source: str) -> Any:
    return new_code_cell(source, metadata={"tags": [INTERNAL_TAG]})


def with_recording(nb: Any, validated: str | None = None, print_images: bool = True) -> Any:
    """A copy of the notebook with the hidden bookkeeping cells; ``#| eval: false`` cells skipped."""
    nb = copy.deepcopy(nb)
    cells = [_hidden(start_source(validated, print_images))]
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell_options.parse(cell.source).evaluated:
            cell.setdefault("metadata", {}).setdefault("tags", []).append(SKIP_TAG)
        cells.append(cell)
        if cell.cell_type == "markdown" and (expressions := inline.expressions(cell.source)):
            cells.append(_hidden(f"import berichtswerk.abschnitt.werte as _berichtswerk_werte\n"
                                 f"_berichtswerk_werte.anzeigen({expressions!r})"))
    nb.cells = [*cells, _hidden(END_SOURCE)]
    return nb


def _data(cell: Any, mime: str) -> Any:
    return next((o["data"][mime] for o in cell.get("outputs", []) if mime in o.get("data", {})), None)


def take_record(nb: Any) -> Any:
    """Move the dependency record into ``metadata.berichtswerk.abhaengigkeiten`` and inline values
    into their Markdown cell's ``metadata.berichtswerk.inline``; drop the hidden cells."""
    record: dict[str, Any] = {}
    kept = []
    for cell in nb.cells:
        if INTERNAL_TAG not in cell.get("metadata", {}).get("tags", []):
            kept.append(cell)
            continue
        record = _data(cell, DEPS_MIME) or record
        values = _data(cell, INLINE_MIME)
        if values is not None and kept and kept[-1].cell_type == "markdown":
            kept[-1].setdefault("metadata", {}).setdefault("berichtswerk", {})["inline"] = values
    nb.cells = kept
    nb.metadata.setdefault("berichtswerk", {})["abhaengigkeiten"] = record
    return nb


def _kernel(stock: KernelStock | None, cwd: Path) -> Any:
    """A ready kernel for one section: the stock's, else a fresh one; a failed start is retried once."""
    km = stock.take() if stock is not None else None
    if km is not None:
        return km
    try:
        return start_kernel(cwd)
    except KernelStartError as exc:
        print(f"Kernelstart fehlgeschlagen ({exc}), zweiter Versuch", file=sys.stderr, flush=True)
        return start_kernel(cwd)


def run_job(job: Job, data_dir: Path, cwd: Path, stock: KernelStock | None = None) -> Outcome:
    """Execute one notebook against ``data_dir``; never raises for notebook errors (they are the
    outcome). Each kernel runs exactly one section."""
    start = time.perf_counter()
    source = with_recording(nbformat.reads(job.notebook, as_version=4), job.validated, job.print_images)
    parameters = {**job.parameters, "data_dir": str(data_dir)}

    def failed(failure: Failure, error: str, produced: str | None = None, cell: int | None = None) -> Outcome:
        return Outcome(job.key, time.perf_counter() - start, produced, failure, error, cell)

    try:
        km = _kernel(stock, cwd)
    except KernelStartError as exc:
        return failed(Failure.KERNEL_START, str(exc))
    with tempfile.TemporaryDirectory(prefix="berichtswerk-abschnitt-") as work:
        output = Path(work) / f"{job.key}.ipynb"

        def produced() -> str | None:
            return output.read_text(encoding="utf-8") if output.is_file() else None

        _KeepingEngine.running.manager = None
        try:
            pm.execute_notebook(
                # every section runs in Python: a notebook saved without kernelspec or language_info
                # (nbformat.v4.new_notebook, jupytext, some editors) is not an error
                source, str(output), parameters=parameters, engine_name=ENGINE, kernel_name="python3",
                language="python", km=km,
                progress_bar=False, log_output=False, cwd=str(cwd), request_save_on_cell_execute=False,
                execution_timeout=job.timeout,
            )
        except pm.PapermillExecutionError as exc:
            return failed(Failure.CELL_ERROR, f"{exc.ename}: {exc.evalue}", produced(), exc.exec_count)
        except CellTimeoutError:
            return failed(Failure.TIME_LIMIT, f"Zeitlimit von {job.timeout} s für eine Zelle überschritten",
                          _KeepingEngine.as_far_as_it_ran())
        except DeadKernelError as exc:
            return failed(Failure.KERNEL_DIED, f"Kernel unerwartet beendet ({exc})", _KeepingEngine.as_far_as_it_ran())
        finally:
            shutdown(km)
        executed = take_record(nbformat.read(output, as_version=4))
    # papermill records its input and output as given: here the notebook itself and a file already
    # deleted; the notebook's name is what a reader (and the single-notebook export) can use
    executed.metadata.papermill.update(input_path=job.name or None, output_path=None)
    return Outcome(job.key, time.perf_counter() - start, nbformat.writes(executed))
