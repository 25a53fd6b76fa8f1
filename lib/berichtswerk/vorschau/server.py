"""``berichtswerk vorschau``: the report on http://127.0.0.1:PORT/, rebuilt whenever something it is
made from is saved, and swapped into the open page in place (``quarto preview``, ``myst start``).

- A watcher (:mod:`watchfiles`) follows ``data/`` and the folders of the structure's notebooks. It
  starts after the first build; what was saved before it ran (during that build) is found by
  comparing each file's modification time and size with a look taken before the build.
- Each change runs the ordinary build (:func:`~berichtswerk.build.run_build`, the report page only) into its
  own output folder, so only sections whose recorded inputs changed run again. The build's
  executor – worker processes with kernels started ahead – lives as long as the preview.
- The page holds a small script (``templates/vorschau/live.js``) that listens on a Server-Sent-Events
  stream; after a good build it fetches the new page and replaces the body, keeping the scroll
  position. A failed build (bad data, a failing section) shows the build's own German message in
  the page, over the last good report; the next good save removes it.
- Ctrl-C (or SIGTERM) stops the watcher, the workers, their kernels and the server."""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from watchfiles import Change, DefaultFilter, watch

from berichtswerk.build.manifest import read_manifest
from berichtswerk.build.pipeline import (
    BuildOptions,
    import_assembly_modules,
    run_build,
    start_executor,
)
from berichtswerk.core.exitcodes import ExitCode
from berichtswerk.core.hashing import file_digest
from berichtswerk.core.paths import package_path
from berichtswerk.core.processes import kill_descendants
from berichtswerk.data.gliederung import load_structure
from berichtswerk.markup import templating

EVENTS = "/__vorschau/ereignisse"
SCRIPT = "/__vorschau/live.js"
STATE = "/__vorschau/stand"
KEEPALIVE_SECONDS = 15
WATCHER_WAKE_MS = 1000     # the watcher's first answer (a change or this timeout) says it is running
WATCH_FILTER = DefaultFilter()  # no __pycache__, .git, editor swap files – for the watcher and the look before it
BUILD_WORDS = {ExitCode.SECTION_FAILED: "Ein Abschnitt ist fehlgeschlagen",
               ExitCode.BAD_DATA: "Die Daten haben Probleme", ExitCode.TIME_LIMIT: "Zeitlimit überschritten",
               ExitCode.OUTPUT_UNWRITABLE: "Die Vorschau kann nicht geschrieben werden"}


@dataclass
class Stand:
    """What the preview knows, as sent to the page."""
    stand: int = 0            # counts finished builds (also no-op ones)
    ok: bool | None = None    # None: the first build is still running
    seite: str = ""           # digest of the page being served ("" before the first good build)
    titel: str = ""
    meldung: str = ""
    sekunden: float = 0.0
    begonnen: float = 0.0     # wall-clock time the last good build began (time.time())
    zeiten: dict[str, float] = field(default_factory=dict)   # its stages, as the manifest records them


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy (the page shows what the terminal shows)."""

    def __init__(self, terminal: Any) -> None:
        self.terminal, self.copy = terminal, io.StringIO()

    def write(self, text: str) -> int:
        self.terminal.write(text)
        self.terminal.flush()
        return self.copy.write(text)

    def flush(self) -> None:
        self.terminal.flush()


class Preview:
    """The state shared by the build loop and the HTTP server's threads."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.site = options.out_dir
        self.state = Stand()
        self.changed = threading.Condition()
        self.stopping = threading.Event()

    def publish(self, **fields: Any) -> None:
        with self.changed:
            for name, value in fields.items():
                setattr(self.state, name, value)
            self.state.stand += 1
            self.changed.notify_all()

    def snapshot(self) -> dict[str, Any]:
        with self.changed:
            return asdict(self.state)

    def rebuild(self, executor: Any) -> ExitCode:
        """One build; its terminal output is also kept for the page when it fails."""
        out, err = _Tee(sys.stdout), _Tee(sys.stderr)
        begun = time.time()
        started = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run_build(self.options, executor)
        seconds = round(time.perf_counter() - started, 2)
        if code == ExitCode.OK:
            page = self.site / "bericht.html"
            digest = (file_digest(page) or "")[:16]
            self.publish(ok=True, seite=digest, titel="", meldung="", sekunden=seconds, begonnen=begun,
                         zeiten=read_manifest(self.site).get("zeiten", {}))
        elif code != ExitCode.INTERRUPTED:
            self.publish(ok=False, titel=BUILD_WORDS.get(code, code.meaning),
                         meldung=err.copy.getvalue().strip() or out.copy.getvalue().strip(), sekunden=seconds)
        return code

    def page(self, path: str) -> bytes | None:
        """A page of the site with the live script, the waiting page, or ``None``."""
        rel = "bericht.html" if path in ("", "/", "/index.html") else unquote(path).lstrip("/")
        target = (self.site / rel).resolve()
        if not target.is_relative_to(self.site.resolve()) or not target.is_file():
            if rel != "bericht.html":
                return None
            markup = templating.render("vorschau", "warten", data_dir=str(self.options.data_dir))
        elif target.suffix == ".html":
            markup = target.read_text(encoding="utf-8")
        else:
            return None
        tag = templating.render("vorschau", "skript", src=SCRIPT, seite=self.snapshot()["seite"])
        return markup.replace("</body>", tag + "\n</body>", 1).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows builds, not requests

    def do_GET(self) -> None:
        preview = self.server.preview
        path = urlsplit(self.path).path
        if path == EVENTS:
            return self._events(preview)
        if path == STATE:
            return self._send(json.dumps(preview.snapshot()).encode(), "application/json")
        if path == SCRIPT:
            return self._send(package_path("vorschau", "templates", "live.js").read_bytes(), "text/javascript")
        body = preview.page(path)
        if body is not None:
            return self._send(body, "text/html; charset=utf-8")
        target = (preview.site / unquote(path).lstrip("/")).resolve()
        if target.is_relative_to(preview.site.resolve()) and target.is_file() and not target.name.startswith("."):
            return self._send(target.read_bytes(), _mime(target))
        self.send_error(HTTPStatus.NOT_FOUND, "Nicht gefunden")

    def _send(self, body: bytes, mime: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self, preview: Preview) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            while not preview.stopping.is_set():
                with preview.changed:
                    if preview.state.stand == seen:
                        preview.changed.wait(KEEPALIVE_SECONDS)
                    state = asdict(preview.state)
                if state["stand"] != seen:
                    seen = state["stand"]
                    self.wfile.write(f"event: stand\ndata: {json.dumps(state)}\n\n".encode())
                else:
                    self.wfile.write(b": wach\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], preview: Preview) -> None:
        super().__init__(address, _Handler)
        self.preview = preview


def _mime(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".pdf": "application/pdf",
            ".zip": "application/zip", ".csv": "text/csv; charset=utf-8"}.get(path.suffix, "application/octet-stream")


def watched_folders(options: BuildOptions) -> list[Path]:
    """``data/`` and every folder holding a notebook of the structure (as it is now)."""
    folders = {options.data_dir.resolve()}
    try:
        folders |= {c.notebook_path.parent.resolve() for c in load_structure(options.data_dir).sections()}
    except Exception as exc:  # noqa: BLE001 – the build reports a broken structure; data/ is watched anyway
        print(f"Gliederung nicht lesbar ({exc}); beobachte nur {options.data_dir}", file=sys.stderr)
    return sorted(folders)


def _relevant(path: Path, folders: list[Path], ignore: set[Path]) -> bool:
    """Not the preview's own output, no hidden file or folder (``.ipynb_checkpoints``, editor and
    LibreOffice lock files), no backup copy."""
    if any(path.is_relative_to(i) for i in ignore) or path.name.endswith("~"):
        return False
    for folder in folders:
        if path.is_relative_to(folder):
            return not any(part.startswith(".") for part in path.relative_to(folder).parts)
    return True


def saved_files(folders: list[Path], ignore: set[Path]) -> dict[Path, tuple[int, int]]:
    """Each relevant file under ``folders`` with its modification time and size."""
    found: dict[Path, tuple[int, int]] = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if not (_relevant(path, folders, ignore) and WATCH_FILTER(Change.modified, str(path))):
                continue
            with contextlib.suppress(OSError):  # removed or unreadable meanwhile: the watcher reports it
                if path.is_file():
                    stat = path.stat()
                    found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def _saved_meanwhile(before: dict[Path, tuple[int, int]], folders: list[Path], ignore: set[Path]) -> list[Path]:
    now = saved_files(folders, ignore)
    return [path for path in before.keys() | now.keys() if before.get(path) != now.get(path)]


def serve(options: BuildOptions, port: int) -> ExitCode:
    """Run the preview until Ctrl-C/SIGTERM; returns the exit code."""
    preview = Preview(options)
    executor = start_executor(options)  # forks the workers before any thread of ours exists
    try:
        server = _Server(("127.0.0.1", port), preview)
    except OSError as exc:
        executor.close()
        print(f"Port {port} ist nicht frei ({exc.strerror}) – bitte mit --port einen anderen wählen.",
              file=sys.stderr)
        return ExitCode.BAD_DATA
    threading.Thread(target=server.serve_forever, name="vorschau-http", daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"Vorschau: {url}  (Strg-C beendet)", flush=True)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: preview.stopping.set())
    code = ExitCode.OK
    try:
        folders, ignore = watched_folders(options), {options.out_dir.resolve()}
        before_first_build: dict[Path, tuple[int, int]] | None = saved_files(folders, ignore)
        if preview.rebuild(executor) == ExitCode.INTERRUPTED:
            return ExitCode.INTERRUPTED
        # a first build served from the cache imported nothing a real rebuild needs
        threading.Thread(target=import_assembly_modules, args=(options.formats,), daemon=True).start()
        print("Beobachte: " + ", ".join(str(f) for f in folders), flush=True)
        for changes in watch(*folders, watch_filter=WATCH_FILTER, debounce=60, step=20, stop_event=preview.stopping,
                             rust_timeout=WATCHER_WAKE_MS, yield_on_timeout=True, raise_interrupt=False):
            paths = {Path(p) for _, p in changes if _relevant(Path(p), folders, ignore)}
            if before_first_build is not None:
                paths.update(_saved_meanwhile(before_first_build, folders, ignore))
                before_first_build = None
            if not paths:
                continue
            print(f"\nGeändert: {', '.join(sorted({p.name for p in paths}))}", flush=True)
            if preview.rebuild(executor) == ExitCode.INTERRUPTED:
                code = ExitCode.INTERRUPTED
                break
    finally:
        preview.stopping.set()
        with preview.changed:
            preview.changed.notify_all()
        signal.signal(signal.SIGTERM, previous)
        server.shutdown()
        server.server_close()
        executor.close()
        kill_descendants()  # nothing the preview started may outlive it
        print("Vorschau beendet.", flush=True)
    return code
