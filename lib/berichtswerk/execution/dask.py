"""Sections on a Dask ``distributed`` cluster (optional extra ``verteilt``): for organisations that
build many reports – one per municipality or edition – on shared machines.

Workers need berichtswerk installed, nothing else: no shared file system. The coordinator packs the
data folder and what lies beside it that sections read – frozen editions (``ausgaben/``, for a
comparison chapter) and the report's own ``notebooks/`` (the structure names them) – into one archive,
sends it to every worker once per build, and each task unpacks it into a folder of its own (cached
by content), executes its notebook there and returns the executed notebook's text."""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path

from berichtswerk.core.hashing import digest
from berichtswerk.core.paths import DATA_FOLDER, NOTEBOOK_FOLDER, own_notebook_dir
from berichtswerk.data.ausgaben import EDITIONS_DIR, editions_dir
from berichtswerk.execution.jobs import Job, Outcome, StatusCallback, run_job


def pack_data(data_dir: Path) -> bytes:
    """``data/``, ``ausgaben/`` and ``notebooks/`` as a tar archive, sorted (equal data, equal bytes)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        roots = [(data_dir, DATA_FOLDER), (editions_dir(data_dir), EDITIONS_DIR),
                 (own_notebook_dir(data_dir), NOTEBOOK_FOLDER)]
        for root, name in roots:
            if not root.is_dir():
                continue
            for path in sorted(p for p in root.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts):
                info = tarfile.TarInfo(f"{name}/{path.relative_to(root).as_posix()}")
                content = path.read_bytes()
                info.size, info.mode, info.mtime = len(content), 0o644, 0
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def unpacked(archive: bytes) -> Path:
    """The archive's data folder on this worker (unpacked once per content)."""
    root = Path(tempfile.gettempdir()) / f"berichtswerk-daten-{digest(archive)[:16]}"
    if not (root / ".vollstaendig").is_file():
        staging = Path(tempfile.mkdtemp(prefix=f"{root.name}-", dir=root.parent))
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            tar.extractall(staging, filter="data")
        (staging / ".vollstaendig").touch()
        try:
            staging.rename(root)
        except OSError:  # another task of this worker was quicker: same content
            shutil.rmtree(staging, ignore_errors=True)
    return root / DATA_FOLDER


def run_remote(job: Job, archive: bytes) -> Outcome:
    """One section on a worker, against the worker's own copy of the data."""
    data_dir = unpacked(archive)
    return run_job(job, data_dir, data_dir.parent)


class DaskExecutor:
    """The :class:`~berichtswerk.execute.Executor` for a Dask scheduler at ``address``
    (``tcp://host:8786``)."""

    def __init__(self, address: str, data_dir: Path) -> None:
        self.address = address
        self.data_dir = data_dir
        self._client = None

    def start(self) -> DaskExecutor:
        from distributed import Client

        self._client = Client(self.address, timeout="30s")
        return self

    def run(self, jobs: Iterable[Job], on_status: StatusCallback) -> list[Outcome]:
        from distributed import as_completed

        assert self._client is not None, "start() first"
        archive = self._client.scatter(pack_data(self.data_dir), broadcast=True)
        futures = []
        for job in jobs:
            futures.append(self._client.submit(run_remote, job, archive, pure=False,
                                               key=f"abschnitt-{job.key}-{uuid.uuid4().hex[:8]}"))
            on_status("läuft", job.key)  # queued on the cluster; Dask decides when it starts
        outcomes = []
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            on_status("fertig" if outcome.ok else "FEHLER", outcome.key)
        return outcomes

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
