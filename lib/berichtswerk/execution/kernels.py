"""Kernels for sections: started fresh, or taken from a worker's stock of one kernel started ahead.

Every section gets a kernel process no other section used. Starting one is its own step – before
papermill runs a single cell – so a failure there is known to be a start failure by where it
happened, not by its message: it is retried once (two kernels starting at once can race for a
port), a failure while a cell runs is not."""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from berichtswerk.execution.kernel_fork import PRELOAD, ForkProvisioner

KERNEL_START_TIMEOUT = 60


class KernelStartError(Exception):
    """The kernel did not come up (it never ran a cell of the section)."""


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, except that it knows the kernel is ready when the kernel says so.

    nbclient waits for readiness before every section; jupyter_client's wait ends only after 0.2 s
    without any IOPub message. Here it ends at the kernel's own "idle" for the ``kernel_info``
    request, on IOPub: that proves the channel is connected (else the request is repeated, as
    jupyter_client does), and whatever the kernel published before it is discarded, as
    jupyter_client's flush would (nbclient takes only messages answering its own requests)."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            try:
                reply = await self._async_recv_reply(msg_id, timeout=1)
            except TimeoutError:
                pass
            else:
                self._handle_kernel_info_reply(reply)
                if await self._idle_after(msg_id, timeout=1):
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    wait_for_ready = _async_wait_for_ready  # the base class binds its own coroutine to this name

    async def _idle_after(self, msg_id: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await self.iopub_channel.get_msg(timeout=left)
            except Empty:
                return False
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return True
        return False


def _manager() -> AsyncKernelManager:
    return AsyncKernelManager(kernel_name="python3", client_class=f"{__name__}.ReadyClient")


def start_kernel(cwd: Path) -> Any:
    """A fresh kernel, ready to execute; :class:`KernelStartError` if it does not come up."""
    km = _manager()
    try:
        run_sync(km.start_kernel)(cwd=str(cwd))
        client = km.blocking_client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=KERNEL_START_TIMEOUT)
        finally:
            client.stop_channels()
    except Exception as exc:
        shutdown(km)
        raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc
    return km


def shutdown(km: Any) -> None:
    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception as exc:  # noqa: BLE001 – a kernel that is already gone is fine
        print(f"Kernel beim Beenden: {type(exc).__name__}: {exc}", file=sys.stderr)


class KernelStock:
    """The next kernel of this process, started ahead and warm.

    Kernels are forked from a template process that has imported :data:`PRELOAD`
    (:mod:`.kernel_fork`); if the template cannot start, they are started the ordinary way and import
    :data:`PRELOAD` silently while waiting. :meth:`take` hands the kernel out (or ``None`` if it did
    not come up: the section then gets a fresh one) and immediately starts the following one."""

    def __init__(self, cwd: Path, template_socket: str | None) -> None:
        self.cwd = cwd
        self._template = template_socket
        self._next: tuple[Any, Any, str] | None = None
        self.fill()

    def fill(self) -> None:
        km = _manager()
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
