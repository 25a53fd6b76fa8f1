"""The local executor: a pool of worker processes on this machine, several sections at once, each
in a kernel of its own (:mod:`.kernels`).

Isolation is kept – every section gets a kernel process no other section used – but the waiting is
not: each worker keeps the *next* kernel ready while the current section runs
(:class:`~berichtswerk.execution.kernels.KernelStock`), forked from a template that has imported the
heavy third-party libraries (pandas, matplotlib …; :mod:`.kernel_fork`), so no section pays for
those imports. Its outputs equal those of a fresh kernel (tested); our own modules are not
pre-imported, because the dependency record lists the library files a section used."""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.util
import os
import queue
import shutil
import signal
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

import papermill  # noqa: F401  # imported once here; the workers inherit it with the fork

from berichtswerk.execution.jobs import Job, Outcome, StatusCallback, run_job
from berichtswerk.execution.kernel_fork import Template
from berichtswerk.execution.kernels import KernelStock

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

