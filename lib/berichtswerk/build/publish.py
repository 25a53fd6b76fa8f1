"""Publishing a build's outputs all at once.

Every build writes its outputs into a folder of its own, ``outputs/.stand/<Zeitpunkt>/``. When it is
complete, one atomic rename switches the link ``outputs/.aktuell`` to it. The names people and web
servers use – ``bericht.html``, ``bericht.pdf``, ``kapitel/``, ``design/``, ``design.zip`` – are links
into ``.aktuell``, so at every moment all of them show the same build: never a new ``bericht.html``
beside an old ``bericht.pdf``, never half a folder. A build that fails or is interrupted never
switches; its folder is removed by the next build. The previous build's folder is kept until then,
for a reader who is still downloading from it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

from berichtswerk.core.files import fsync_dir

VERSIONS = ".stand"
CURRENT = ".aktuell"
#: Everything a build may publish; a name the current build did not write is removed.
PUBLISHED = ("bericht.html", "bericht.pdf", "bericht.docx", "kapitel", "daten", "design", "design.zip")


def staging_dir(out_dir: Path) -> Path:
    """A new, empty folder for this build's outputs (on the same file system as ``out_dir``)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = out_dir / VERSIONS / f"{stamp}-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    return folder


def current(out_dir: Path) -> Path | None:
    """The folder of the published build, if there is one."""
    link = out_dir / CURRENT
    return (out_dir / os.readlink(link)) if link.is_symlink() else None


def _link(path: Path, target: str) -> None:
    """Make ``path`` a symbolic link to ``target``, replacing what is there atomically where it can."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.link")
    os.symlink(target, temporary)
    if path.is_dir() and not path.is_symlink():
        # a folder of a build from before this layout: moved aside first (once per output folder)
        aside = path.with_name(f".{path.name}.alt")
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(path, aside)
        os.replace(temporary, path)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(temporary, path)


def publish(staging: Path, out_dir: Path) -> None:
    """Make ``staging`` (a folder from :func:`staging_dir`) the published build, in one switch."""
    fsync_dir(staging)
    _link(out_dir / CURRENT, staging.relative_to(out_dir).as_posix())
    fsync_dir(out_dir)
    for name in PUBLISHED:
        if (staging / name).exists():
            _link(out_dir / name, f"{CURRENT}/{name}")
        elif (out_dir / name).is_symlink():
            (out_dir / name).unlink()


def remove_unpublished(out_dir: Path) -> None:
    """Every build folder but the published one: builds that never switched (failed, interrupted,
    killed) and the one published before it, kept until now for a reader still downloading from it.
    Called when a build starts, under its lock."""
    versions = out_dir / VERSIONS
    if not versions.is_dir():
        return
    published = current(out_dir)
    keep = {published.resolve()} if published is not None else set()
    finished = sorted((p for p in versions.iterdir() if p.is_dir() and p.resolve() not in keep),
                      key=lambda p: p.name)
    for folder in finished:
        shutil.rmtree(folder, ignore_errors=True)
