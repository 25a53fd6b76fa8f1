"""Execute section notebooks with papermill, several at once, each in its own kernel.

Workers are processes (one papermill import each); they report "running" through a queue so the
parent can print progress. A failed section keeps its executed notebook – with the error in the
failing cell – for inspection, like papermill itself does.

Around the notebook's own cells the build adds two hidden cells (tag ``berichtswerk-intern``): the
first starts recording what the kernel reads (:mod:`.deps`), the last hands the record back. The
record is moved into the executed notebook's metadata and the hidden cells are removed again."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_status: mp.Queue[tuple[str, str, float]] | None = None


INTERNAL_TAG = "berichtswerk-intern"
START_SOURCE = "import berichtswerk.deps as _berichtswerk_deps\n_berichtswerk_deps.start()"
END_SOURCE = "_berichtswerk_deps.emit()"


@dataclass(frozen=True)
class Job:
    key: str
    notebook: Path
    output: Path
    parameters: dict[str, object]
    cwd: Path
    timeout: int | None = None


def with_recording(nb: Any) -> Any:
    """A copy of the notebook with the two hidden bookkeeping cells around its own cells."""
    import copy

    from nbformat.v4 import new_code_cell

    nb = copy.deepcopy(nb)
    meta = {"tags": [INTERNAL_TAG]}
    nb.cells.insert(0, new_code_cell(START_SOURCE, metadata=dict(meta)))
    nb.cells.append(new_code_cell(END_SOURCE, metadata=dict(meta)))
    return nb


def take_record(nb: Any) -> Any:
    """Move the dependency record into ``metadata.berichtswerk.abhaengigkeiten``; drop hidden cells."""
    from .blocks import DEPS_MIME

    record = {}
    for cell in nb.cells:
        if INTERNAL_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                record = output.get("data", {}).get(DEPS_MIME, record)
    nb.cells = [c for c in nb.cells if INTERNAL_TAG not in c.get("metadata", {}).get("tags", [])]
    nb.metadata.setdefault("berichtswerk", {})["abhaengigkeiten"] = record
    return nb


@dataclass(frozen=True)
class Outcome:
    key: str
    ok: bool
    seconds: float
    cell: int | None = None
    error: str | None = None
    source: str | None = None


def _init_worker(status: mp.Queue[tuple[str, str, float]], env: dict[str, str], log: str) -> None:
    global _status
    _status = status
    os.environ.update(env)
    # the coordinator handles Ctrl-C and SIGTERM and ends the whole process tree
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Kernels inherit this process's stderr; their chatter goes to a log file instead of the
    # progress display. Notebook errors still reach the user through papermill's exception.
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    import papermill  # noqa: F401  # import once per worker, not once per section


def run_job(job: Job) -> Outcome:
    """Execute one notebook; never raises for notebook errors (they are the outcome)."""
    import nbformat
    import papermill as pm

    start = time.perf_counter()
    if _status is not None:
        _status.put(("läuft", job.key, time.time()))
    for attempt in (1, 2):
        try:
            source = with_recording(nbformat.read(job.notebook, as_version=4))
            pm.execute_notebook(
                source, str(job.output), parameters=job.parameters, kernel_name="python3",
                progress_bar=False, log_output=False, cwd=str(job.cwd), request_save_on_cell_execute=False,
                execution_timeout=job.timeout,
            )
            break
        except pm.PapermillExecutionError as exc:
            return Outcome(job.key, False, time.perf_counter() - start, exc.exec_count,
                           f"{exc.ename}: {exc.evalue}", exc.source)
        except Exception as exc:  # kernel died, timeout, notebook unreadable …: still a section failure
            if attempt == 1 and _kernel_start_failed(exc):
                # two kernels starting at once can race for a port: one fresh start, then it counts
                print(f"{job.key}: Kernelstart fehlgeschlagen ({type(exc).__name__}: {exc}), zweiter Versuch",
                      file=sys.stderr, flush=True)
                continue
            message, source = f"{type(exc).__name__}: {exc}", None
            if type(exc).__name__ in ("CellTimeoutError", "TimeoutError"):
                message = f"Zeitlimit von {job.timeout} s für eine Zelle überschritten"
                # nbclient quotes the cell between dashed lines; that names the cell for the analyst
                parts = str(exc).split("-------------------")
                source = parts[1].strip() if len(parts) >= 3 else None
            return Outcome(job.key, False, time.perf_counter() - start, None, message, source)
    executed = take_record(nbformat.read(job.output, as_version=4))
    nbformat.write(executed, job.output)
    return Outcome(job.key, True, time.perf_counter() - start)


def _kernel_start_failed(exc: BaseException) -> bool:
    """The kernel never ran a cell: it died while starting or its ports were taken (not a cell error,
    not a timeout of the analyst's code)."""
    text = f"{type(exc).__name__}: {exc}"
    return any(sign in text for sign in ("Kernel died before replying", "Address already in use", "ZMQError",
                                         "Kernel didn't respond", "DeadKernelError"))


def _ready() -> int:
    return os.getpid()


class SectionRunner:
    """A pool of worker processes that execute section notebooks.

    :meth:`start` forks the workers and lets them import papermill while the parent does other work
    (validation); :meth:`run` then executes the jobs. Anything that starts threads in the parent must
    wait until :meth:`start` returned: forking while another thread holds the import lock deadlocks
    the child."""

    def __init__(self, workers: int, env: dict[str, str], log: Path) -> None:
        self.size = max(1, workers)
        self._ctx = mp.get_context("fork")
        self._status: mp.Queue[tuple[str, str, float]] = self._ctx.Queue()
        self._pool = ProcessPoolExecutor(max_workers=self.size, mp_context=self._ctx, initializer=_init_worker,
                                         initargs=(self._status, env, str(log)))

    def start(self) -> SectionRunner:
        # With the "fork" start method the pool forks all its workers at the first submit(), before
        # it starts its own manager thread; later submissions fork nothing.
        for _ in range(self.size):
            self._pool.submit(_ready)
        return self

    def run(self, jobs: Iterable[Job], on_status: Callable[[str, str], None]) -> list[Outcome]:
        """Run all jobs; ``on_status(state, key)`` sees "läuft", "fertig" and "FEHLER"."""
        pending: dict[Future[Outcome], Job] = {self._pool.submit(run_job, job): job for job in jobs}
        outcomes: list[Outcome] = []
        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(self._status, on_status)
            for future in done:
                pending.pop(future)
                outcome = future.result()
                outcomes.append(outcome)
                on_status("fertig" if outcome.ok else "FEHLER", outcome.key)
        _drain(self._status, on_status)
        return outcomes

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _drain(status: mp.Queue[tuple[str, str, float]], on_status: Callable[[str, str], None]) -> None:
    while True:
        try:
            state, key, _ = status.get_nowait()
        except queue.Empty:
            return
        on_status(state, key)
