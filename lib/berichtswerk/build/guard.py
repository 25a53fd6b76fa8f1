"""One build at a time per output folder, within one deadline, stoppable.

:func:`guarded` starts the deadline (``--frist``) first – so waiting for another build's lock
(``--wait``) counts towards it, and "at most one hour" in a cron line means one hour – then installs
the handlers for SIGINT and SIGTERM and takes the lock. When the deadline passes or a signal comes,
every process the build started (workers, kernels) is ended and :class:`DeadlineExceeded` or
:class:`BuildInterrupted` is raised in the build, which then keeps the last good report."""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from berichtswerk.core.errors import BerichtswerkError, BuildInterrupted, DeadlineExceeded
from berichtswerk.core.processes import kill_descendants

LOCK_NAME = ".berichtswerk.lock"


class BuildLocked(BerichtswerkError):
    """Another build holds the output folder's lock (and ``--wait`` ran out or was not given)."""


@contextlib.contextmanager
def guarded(out_dir: Path, wait: int | None, deadline: int | None) -> Iterator[float]:
    """Hold the output folder's lock within the deadline; yields how many seconds it waited for it."""
    def stop(signum: int, frame: Any) -> None:
        kill_descendants()
        raise BuildInterrupted(signal.Signals(signum).name)

    def too_late(signum: int, frame: Any) -> None:
        kill_descendants()
        raise DeadlineExceeded()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, too_late)
    if deadline:
        signal.setitimer(signal.ITIMER_REAL, deadline)
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        asked = time.monotonic()
        try:
            lock.acquire(timeout=wait or 0)
        except Timeout:
            raise BuildLocked(str(out_dir / LOCK_NAME)) from None
        try:
            yield time.monotonic() - asked
        finally:
            lock.release()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
