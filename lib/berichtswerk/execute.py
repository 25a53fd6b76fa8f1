"""Execute section notebooks with papermill, several at once, each in a kernel of its own.

A :class:`Job` carries the notebook's text and its parameters; an :class:`Outcome` carries the
executed notebook's text back. Nothing in between needs a shared file system, so the same jobs run
in the local process pool (:class:`LocalExecutor`) or on a Dask cluster
(:class:`~berichtswerk.executors.dask.DaskExecutor`): both implement :class:`Executor`.

Isolation is kept – every section gets a kernel process no other section used – but the waiting is
not: each worker keeps the *next* kernel ready while the current section runs (:class:`KernelStock`),
forked from a template that has imported the heavy third-party libraries (pandas, matplotlib …;
:mod:`.kernel_fork`), so no section pays for those imports. Its outputs equal those of a fresh kernel
(tested); our own modules are not pre-imported, because the dependency record lists the library
modules a section imported.

Around the notebook's own cells the build adds two hidden cells (tag ``berichtswerk-intern``): the
first starts recording what the kernel reads (:mod:`.deps`), the last hands the record back. The
record is moved into the executed notebook's metadata and the hidden cells are removed again. A
failed section keeps its executed notebook – with the error in the failing cell – for inspection,
like papermill itself does."""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.util
import os
import queue
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .kernel_fork import PRELOAD, ForkProvisioner, Template

INTERNAL_TAG = "berichtswerk-intern"
END_SOURCE = "_berichtswerk_deps.emit()"
KERNEL_START_TIMEOUT = 60

StatusCallback = Callable[[str, str], None]


@dataclass(frozen=True)
class Job:
    key: str
    notebook: str                        # the notebook as nbformat JSON text
    parameters: dict[str, object]        # without data_dir: the executor knows where the data is
    validated: str | None = None         # data digest the coordinator validated (kernels skip validating)
    timeout: int | None = None


@dataclass(frozen=True)
class Outcome:
    key: str
    ok: bool
    seconds: float
    notebook: str | None = None          # the executed notebook (also for a failure, where there is one)
    cell: int | None = None
    error: str | None = None
    source: str | None = None


class Executor(Protocol):
    """Runs jobs somewhere and brings the executed notebooks back to the coordinator."""

    def start(self) -> Executor:
        """Get ready (start workers) while the coordinator does other work."""

    def run(self, jobs: Iterable[Job], on_status: StatusCallback) -> list[Outcome]:
        """Run all jobs; ``on_status(state, key)`` sees "läuft", "fertig" and "FEHLER"."""

    def close(self) -> None:
        """Release workers and kernels."""


def start_source(validated: str | None) -> str:
    return f"import berichtswerk.deps as _berichtswerk_deps\n_berichtswerk_deps.start({validated!r})"


def with_recording(nb: Any, validated: str | None = None) -> Any:
    """A copy of the notebook with the two hidden bookkeeping cells around its own cells."""
    import copy

    from nbformat.v4 import new_code_cell

    nb = copy.deepcopy(nb)
    meta = {"tags": [INTERNAL_TAG]}
    nb.cells.insert(0, new_code_cell(start_source(validated), metadata=dict(meta)))
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


# --- kernels started ahead -------------------------------------------------------------------------


class KernelStock:
    """The next kernel of this process, started ahead and warm.

    Kernels are forked from a template process that has imported :data:`PRELOAD`
    (:mod:`.kernel_fork`); if the template cannot start, they are started the ordinary way and import
    :data:`PRELOAD` silently while waiting. :meth:`take` hands the kernel out (or ``None`` if it did
    not come up: papermill then starts a fresh one) and immediately starts the following one."""

    def __init__(self, cwd: Path, template_socket: str | None) -> None:
        self.cwd = cwd
        self._template = template_socket
        self._next: tuple[Any, Any, str] | None = None
        self.fill()

    def fill(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name="python3")
        try:
            if self._template is not None:
                km.kernel_id = str(uuid.uuid4())
                km.provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km,
                                                 template_socket=self._template)
            run_sync(km.start_kernel)(cwd=str(self.cwd))
            client = km.blocking_client()
            client.start_channels()
            # imported, not bound: the analyst's namespace stays that of a fresh kernel
            msg_id = client.execute(f"[__import__(name) for name in {PRELOAD!r}]", silent=True, store_history=False)
            self._next = (km, client, msg_id)
        except Exception as exc:  # noqa: BLE001 – a kernel started ahead is an optimisation, never a failure
            print(f"Vorgestarteter Kernel nicht verfügbar: {type(exc).__name__}: {exc}", file=sys.stderr)
            self._next = None
            self._template = None  # from now on without the template

    def take(self) -> Any:
        """A ready kernel manager (its kernel warmed up), or ``None``; starts the next one."""
        taken, self._next = self._next, None
        ready = None
        if taken is not None:
            km, client, msg_id = taken
            try:
                # the execute request waited in the client's queue until the kernel came up; its reply
                # says the kernel is ready and warm (wait_for_ready would discard that reply)
                while True:
                    reply = client.get_shell_msg(timeout=KERNEL_START_TIMEOUT)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        break
                ready = km if reply["content"]["status"] == "ok" else None
            except Exception as exc:  # noqa: BLE001
                print(f"Vorgestarteter Kernel nicht bereit: {type(exc).__name__}: {exc}", file=sys.stderr)
            finally:
                client.stop_channels()
            if ready is None:
                shutdown(km)
        self.fill()
        return ready

    def close(self) -> None:
        if self._next is not None:
            km, client, _ = self._next
            client.stop_channels()
            shutdown(km)
            self._next = None


def shutdown(km: Any) -> None:
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception as exc:  # noqa: BLE001 – a kernel that is already gone is fine
        print(f"Kernel beim Beenden: {type(exc).__name__}: {exc}", file=sys.stderr)


# --- one job ---------------------------------------------------------------------------------------


def run_job(job: Job, data_dir: Path, cwd: Path, stock: KernelStock | None = None) -> Outcome:
    """Execute one notebook against ``data_dir``; never raises for notebook errors (they are the
    outcome). With a ``stock`` the kernel comes from there; each kernel runs exactly one section."""
    import nbformat
    import papermill as pm

    start = time.perf_counter()
    source = with_recording(nbformat.reads(job.notebook, as_version=4), job.validated)
    parameters = {**job.parameters, "data_dir": str(data_dir)}
    with tempfile.TemporaryDirectory(prefix="berichtswerk-abschnitt-") as work:
        output = Path(work) / f"{job.key}.ipynb"

        def produced() -> str | None:
            return output.read_text(encoding="utf-8") if output.is_file() else None

        for attempt in (1, 2):
            km = stock.take() if stock is not None and attempt == 1 else None
            try:
                pm.execute_notebook(
                    source, str(output), parameters=parameters, kernel_name="python3", km=km,
                    progress_bar=False, log_output=False, cwd=str(cwd), request_save_on_cell_execute=False,
                    execution_timeout=job.timeout,
                )
                break
            except pm.PapermillExecutionError as exc:
                return Outcome(job.key, False, time.perf_counter() - start, produced(), exc.exec_count,
                               f"{exc.ename}: {exc.evalue}", exc.source)
            except Exception as exc:  # noqa: BLE001 – kernel died, timeout, unreadable: a section failure
                if attempt == 1 and _kernel_start_failed(exc):
                    # two kernels starting at once can race for a port: one fresh start, then it counts
                    print(f"{job.key}: Kernelstart fehlgeschlagen ({type(exc).__name__}: {exc}), zweiter Versuch",
                          file=sys.stderr, flush=True)
                    continue
                message, cell_source = f"{type(exc).__name__}: {exc}", None
                if type(exc).__name__ in ("CellTimeoutError", "TimeoutError"):
                    message = f"Zeitlimit von {job.timeout} s für eine Zelle überschritten"
                    # nbclient quotes the cell between dashed lines; that names the cell for the analyst
                    parts = str(exc).split("-------------------")
                    cell_source = parts[1].strip() if len(parts) >= 3 else None
                return Outcome(job.key, False, time.perf_counter() - start, produced(), None, message,
                               cell_source)
            finally:
                if km is not None:
                    shutdown(km)
        executed = take_record(nbformat.read(output, as_version=4))
    return Outcome(job.key, True, time.perf_counter() - start, nbformat.writes(executed))


def _kernel_start_failed(exc: BaseException) -> bool:
    """The kernel never ran a cell: it died while starting or its ports were taken (not a cell error,
    not a timeout of the analyst's code)."""
    text = f"{type(exc).__name__}: {exc}"
    return any(sign in text for sign in ("Kernel died before replying", "Address already in use", "ZMQError",
                                         "Kernel didn't respond", "DeadKernelError"))


# --- the local process pool ------------------------------------------------------------------------

_status: mp.Queue[tuple[str, str, float]] | None = None
_stock: KernelStock | None = None
_worker_data: tuple[Path, Path] | None = None


def _init_worker(status: mp.Queue[tuple[str, str, float]], log: str, data_dir: str, cwd: str,
                 stock: bool, template_socket: str | None) -> None:
    global _status, _stock, _worker_data
    _status = status
    _worker_data = (Path(data_dir), Path(cwd))
    # the coordinator handles Ctrl-C and SIGTERM and ends the whole process tree
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Kernels inherit this process's stderr; their chatter goes to a log file instead of the
    # progress display. Notebook errors still reach the user through papermill's exception.
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    import papermill  # noqa: F401  # inherited from the coordinator; never once per section

    if stock:
        _stock = KernelStock(Path(cwd), template_socket)
        # pool workers leave through multiprocessing's exit path, which runs finalizers, not atexit
        multiprocessing.util.Finalize(_stock, _stock.close, exitpriority=10)


def _run_in_worker(job: Job) -> Outcome:
    assert _worker_data is not None
    if _status is not None:
        _status.put(("läuft", job.key, time.time()))
    return run_job(job, *_worker_data, stock=_stock)


def _ready() -> int:
    return os.getpid()


class LocalExecutor:
    """A pool of worker processes on this machine, each with its next kernel started ahead.

    :meth:`start` forks the workers and lets them import papermill and start kernels while the
    parent does other work (validation); :meth:`run` then executes the jobs. Anything that starts
    threads in the parent must wait until :meth:`start` returned: forking while another thread
    holds the import lock deadlocks the child. The pool can run several builds (the preview keeps
    it, and its warm kernels, between rebuilds)."""

    def __init__(self, workers: int, data_dir: Path, log: Path, cwd: Path, stock: bool = True) -> None:
        self.size = max(1, workers)
        self._folder = Path(tempfile.mkdtemp(prefix="berichtswerk-kernel-"))
        # one template for all workers; it imports while this process validates
        self._template = Template(self._folder, log) if stock else None
        # imported once here, the workers inherit it with the fork instead of importing it each
        import papermill  # noqa: F401

        self._ctx = mp.get_context("fork")
        self._status: mp.Queue[tuple[str, str, float]] = self._ctx.Queue()
        self._pool = ProcessPoolExecutor(
            max_workers=self.size, mp_context=self._ctx, initializer=_init_worker,
            initargs=(self._status, str(log), str(data_dir), str(cwd), stock,
                      self._template.socket_path if self._template else None))

    def start(self) -> LocalExecutor:
        # With the "fork" start method the pool forks all its workers at the first submit(), before
        # it starts its own manager thread; later submissions fork nothing.
        for _ in range(self.size):
            self._pool.submit(_ready)
        return self

    def run(self, jobs: Iterable[Job], on_status: StatusCallback) -> list[Outcome]:
        pending: dict[Future[Outcome], Job] = {self._pool.submit(_run_in_worker, job): job for job in jobs}
        outcomes: list[Outcome] = []
        while pending:
            done, _ = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
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
        if self._template is not None:
            self._template.close()
        shutil.rmtree(self._folder, ignore_errors=True)


def _drain(status: mp.Queue[tuple[str, str, float]], on_status: StatusCallback) -> None:
    while True:
        try:
            state, key, _ = status.get_nowait()
        except queue.Empty:
            return
        on_status(state, key)

