"""Stopping a build completely: every process it started – worker processes and the kernels they
launched (which may sit in sessions of their own) – found through the process tree, not by name."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity: a container or ``taskset`` may allow fewer
    than the machine has), at least one."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def descendants(pid: int) -> list[int]:
    """All processes below ``pid`` (Linux ``/proc``; empty elsewhere)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            stack += children
    return found


def kill_descendants(pid: int | None = None) -> int:
    """SIGKILL every process below ``pid`` (default: this one); returns how many were signalled."""
    victims = descendants(pid or os.getpid())
    for victim in victims:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for victim in victims:  # reap our own children so none is left as a zombie
        try:
            os.waitpid(victim, os.WNOHANG)
        except ChildProcessError:
            pass
    return len(victims)
