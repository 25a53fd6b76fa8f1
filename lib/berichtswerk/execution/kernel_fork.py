"""Kernels forked from a warm template process, so that no section pays for importing pandas and
matplotlib again – while every section still gets a kernel process no other section used.

The local executor starts one *template* (``python -m berichtswerk.execution.kernel_fork SOCKET``): it imports
ipykernel and the heavy third-party libraries (:data:`PRELOAD`), then waits on a Unix socket. For each
kernel a worker's jupyter_client asks it – through :class:`ForkProvisioner`, a jupyter_client
provisioner – to fork: the child becomes a new session, takes the working directory,
environment and ``sys.path[0]`` a kernel started by jupyter_client would have, forgets any
berichtswerk module, reseeds numpy's global random generator and starts an ordinary ipykernel on
the connection file jupyter_client wrote. Interrupts, shutdown and kill work as for any kernel
(signals to the kernel's process group). The template dies with the build (``PR_SET_PDEATHSIG``);
its kernels end when the template does (ipykernel's parent poller).

Outputs equal those of a fresh kernel – tested over every section of the example report and a probe
of the kernel's observable state (``tests/test_ausfuehrung.py``)."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

#: Imported by the template: third-party only (the dependency record lists our own modules a
#: section imports, so those must be imported by the section itself).
PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_svg",
           "matplotlib.backends.backend_agg", "yaml", "jinja2", "markupsafe", "mistune", "nh3")


class Template:
    """The template process, owned by the coordinator: one for all workers (they are its clients)."""

    def __init__(self, folder: Path, log: Path) -> None:
        self.socket_path = str(folder / "vorlage.sock")
        with log.open("ab") as output:  # the template's and its kernels' chatter, as for other kernels
            self.process = subprocess.Popen([sys.executable, "-m", "berichtswerk.execution.kernel_fork", self.socket_path],
                                            stdin=subprocess.DEVNULL, stdout=output, stderr=output)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        Path(self.socket_path).unlink(missing_ok=True)


def fork_kernel(socket_path: str, connection_file: str, cwd: str, env: dict[str, str],
                timeout: float = 60) -> int:
    """Ask the template at ``socket_path`` for a kernel; its process id. Waits while the template is
    still importing (its socket does not accept yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(socket_path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            client.close()
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel-Vorlage antwortet nicht ({socket_path})") from None
            time.sleep(0.02)
    with client:
        request = {"connection_file": connection_file, "cwd": cwd, "env": env}
        client.sendall(json.dumps(request).encode() + b"\n")
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = client.recv(64)
            if not chunk:
                raise RuntimeError("Kernel-Vorlage hat nicht geantwortet")
            answer += chunk
    return int(answer)


class ForkedKernel:
    """What jupyter_client needs of a ``Popen`` for a kernel that is the template's child."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdout = self.stderr = self.stdin = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait_gone(self, timeout: float) -> None:
        """Return as soon as the process has ended (a pidfd works for a process that is not our
        child), at the latest after ``timeout`` seconds."""
        try:
            fd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # gone already, or no pidfd on this system
            return
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            poller.poll(timeout * 1000)
        finally:
            os.close(fd)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, except that the kernel process is forked by the template."""

    template_socket = Unicode()

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or Path.cwd())
        pid = fork_kernel(self.template_socket, cmd[cmd.index("-f") + 1], cwd, env)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid  # the child starts its own session
        self.cwd = cwd
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        await super().kill(restart)
        # jupyter_client then checks every 0.1 s whether the kernel is gone; after SIGKILL it is gone
        # within milliseconds, so the check finds it gone the first time
        if isinstance(self.process, ForkedKernel):
            self.process.wait_gone(timeout=1)


# --- the template process ---------------------------------------------------------------------------


def _die_with_parent() -> None:
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _become_kernel(request: dict[str, Any], listener: socket.socket) -> None:
    listener.close()
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    # ipykernel_launcher drops the folder ``-m`` put first on sys.path (IPython adds its own entry)
    del sys.path[0]
    for name in [m for m in sys.modules if m == "berichtswerk" or m.startswith("berichtswerk.")]:
        del sys.modules[name]
    # what importing matplotlib in the kernel would have done: ipykernel sets MPLBACKEND before any
    # user code runs, matplotlib takes it on import
    backend = os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import matplotlib
    import numpy

    matplotlib.rcParams["backend"] = backend
    numpy.random.seed()  # a fresh kernel seeds from the OS; forked ones must not share a state
    import ipykernel_launcher
    from ipykernel import kernelapp

    sys.argv = [ipykernel_launcher.__file__, "-f", request["connection_file"]]
    try:
        # the kernel ends when the template does: ipykernel read JPY_PARENT_PID when the template
        # imported it, before there was a parent to name, so the parent is handed to the app
        kernelapp.IPKernelApp.launch_instance(parent_handle=os.getppid())
    finally:
        os._exit(0)


def main(socket_path: str) -> None:
    _die_with_parent()
    import ipykernel.kernelapp  # noqa: F401
    import ipykernel_launcher  # noqa: F401

    for name in PRELOAD:
        __import__(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they end
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staging = f"{socket_path}.{os.getpid()}"
    listener.bind(staging)
    listener.listen(16)
    os.replace(staging, socket_path)  # clients connect only once it listens
    while True:
        connection, _ = listener.accept()
        with connection:
            data = b""
            while not data.endswith(b"\n"):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                data += chunk
            if not data.endswith(b"\n"):
                continue
            request = json.loads(data)
            pid = os.fork()
            if pid == 0:
                connection.close()
                _become_kernel(request, listener)
            connection.sendall(f"{pid}\n".encode())


if __name__ == "__main__":
    main(sys.argv[1])
