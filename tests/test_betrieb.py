"""The scheduled job's promises: a build never hangs, never publishes a half-built or mixed report,
leaves no process behind and says in one sentence – with its own exit code – why it stopped: a cell
over its time limit, a kernel that died (named by its cell, not run again), a signal, the deadline
(waiting for another build included), an output folder that cannot be written, a full disk."""

from __future__ import annotations

import os
import resource
import signal
import sys
import threading
from pathlib import Path

import nbformat
from berichtswerk.build.guard import LOCK_NAME
from berichtswerk.build.publish import CURRENT, PUBLISHED, VERSIONS
from berichtswerk.core.exitcodes import ExitCode
from berichtswerk.core.processes import descendants
from conftest import Live, build, until

BERICHTSWERK = str(Path(sys.executable).with_name("berichtswerk"))


def add_cell(data: Path, source: str, position: int = 3) -> None:
    notebook = data.parent / "notebooks" / "auswertung.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(position if position >= 0 else len(nb.cells), nbformat.v4.new_code_cell(source))
    nbformat.write(nb, notebook)


def alive(pids: list[int]) -> list[int]:
    return [p for p in pids if Path(f"/proc/{p}").exists()
            and "zombie" not in Path(f"/proc/{p}/status").read_text().lower()]


def versions(out: Path) -> list[str]:
    return sorted(p.name for p in (out / VERSIONS).iterdir())


def published_version(out: Path) -> str:
    return Path(os.readlink(out / CURRENT)).name


def test_a_cell_that_never_finishes_ends_the_build_with_the_limit_named(beispiel: Path, tmp_path: Path,
                                                                         capsys) -> None:
    add_cell(beispiel, "import time\nwhile True:\n    time.sleep(1)")
    out = tmp_path / "out"
    code, text = build(beispiel, out, capsys, formats={"html"}, cell_timeout=8)
    assert code == ExitCode.TIME_LIMIT, text
    assert "3 Eigene Auswertung (auswertung.ipynb), Code-Zelle 3 „import time“: Zeitlimit von 8 s" in text
    code, text = build(beispiel, out, capsys, formats={"html"}, cell_timeout=8)  # the lock was released
    assert code == ExitCode.TIME_LIMIT and "anderer Build" not in text


def test_a_kernel_that_dies_in_the_last_cell_is_named_by_that_cell_and_not_run_again(beispiel: Path, tmp_path: Path,
                                                                                      capsys) -> None:
    runs = tmp_path / "durchlaeufe.txt"
    add_cell(beispiel, f"import os\nwith open({str(runs)!r}, 'a') as f:\n    f.write('x')\nos._exit(1)", position=-1)
    code, text = build(beispiel, tmp_path / "out", capsys, formats={"html"})
    assert code == ExitCode.SECTION_FAILED, text
    assert "3 Eigene Auswertung (auswertung.ipynb), Code-Zelle 6 „import os“: Kernel unerwartet beendet" in text
    assert "beim Start des Kernels" not in text and "Traceback" not in text
    assert runs.read_text() == "x"  # the section ran once: a death during a cell is no start failure


def test_a_kernel_that_does_not_start_is_started_once_more(beispiel: Path, tmp_path: Path, monkeypatch,
                                                             capsys) -> None:
    from berichtswerk.data.gliederung import load_structure
    from berichtswerk.execution import jobs
    from berichtswerk.execution.kernels import KernelStartError

    real_start, attempts = jobs.start_kernel, []

    def flaky(cwd: Path):
        attempts.append(cwd)
        if len(attempts) == 1 or failing_twice:
            raise KernelStartError("ZMQError: Address already in use")
        return real_start(cwd)

    monkeypatch.setattr(jobs, "start_kernel", flaky)
    chapter = next(c for c in load_structure(beispiel).sections() if c.key == "auswertung")
    job = jobs.Job(chapter.key, chapter.notebook_path.read_text(encoding="utf-8"), {})
    failing_twice = False
    outcome = jobs.run_job(job, beispiel, beispiel.parent)
    assert outcome.ok and len(attempts) == 2, outcome
    assert "Kernelstart fehlgeschlagen (ZMQError: Address already in use), zweiter Versuch" in capsys.readouterr().err
    attempts.clear()
    failing_twice = True
    outcome = jobs.run_job(job, beispiel, beispiel.parent)
    assert outcome.failure is jobs.Failure.KERNEL_START and len(attempts) == 2 and outcome.notebook is None


def test_sigterm_stops_everything_and_keeps_the_last_good_report(beispiel: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert build(beispiel, out, capsys, formats={"html"})[0] == ExitCode.OK
    good, good_version = (out / "bericht.html").read_bytes(), published_version(out)
    running = tmp_path / "zelle-laeuft"
    add_cell(beispiel, f"import pathlib, time\npathlib.Path({str(running)!r}).touch()\ntime.sleep(600)")
    live = Live([BERICHTSWERK, "build", "--data", str(beispiel), "--out", str(out), "--format", "html"])
    until(running.exists, 120, "die Zelle mit sleep(600) läuft in ihrem Kernel")
    family = descendants(live.process.pid)
    live.process.send_signal(signal.SIGTERM)
    code, output = live.finish(60)
    assert code == ExitCode.INTERRUPTED, output
    assert "abgebrochen" in output and "Traceback" not in output
    until(lambda: not alive(family), 30, f"alle Prozesse des Builds beendet: {alive(family)}")
    assert (out / "bericht.html").read_bytes() == good and published_version(out) == good_version
    assert versions(out) == [good_version]  # nothing half-built is left
    assert build(beispiel, out, capsys, formats={"html"}, cell_timeout=1)[0] == ExitCode.TIME_LIMIT  # lock free


def test_wait_for_a_running_build_and_say_how_long(beispiel: Path, tmp_path: Path) -> None:
    from filelock import FileLock

    out = tmp_path / "o"
    out.mkdir()
    lock = FileLock(str(out / LOCK_NAME))
    lock.acquire()
    live = Live([BERICHTSWERK, "build", "--data", str(beispiel), "--out", str(out), "--format", "html",
                 "--wait", "120"])
    live.wait_for("Warte bis zu 120 s", 60)
    held = 2.0
    threading.Event().wait(held)  # the lock stays taken a while, so that the build's wait is measurable
    assert live.process.poll() is None and not (out / ".cache").exists()  # waiting, nothing built yet
    lock.release()
    code, output = live.finish(300)
    assert code == ExitCode.OK, output
    waited = float(next(line for line in output.splitlines() if "Sperre frei nach" in line)
                   .split("Sperre frei nach ")[1].split(" s")[0].replace(",", "."))
    assert waited >= held - 0.2, output  # it waited for the lock, it did not merely print that it would


def test_the_deadline_counts_the_wait_too(beispiel: Path, tmp_path: Path) -> None:
    from filelock import FileLock

    out = tmp_path / "o"
    out.mkdir()
    lock = FileLock(str(out / LOCK_NAME))
    lock.acquire()
    try:
        live = Live([BERICHTSWERK, "build", "--data", str(beispiel), "--out", str(out), "--format", "html",
                     "--wait", "600", "--frist", "3"])
        code, output = live.finish(60)
    finally:
        lock.release()
    assert code == ExitCode.TIME_LIMIT, output
    assert "Frist von 3 s" in output and "Warten eingeschlossen" in output and "Traceback" not in output


def test_output_folder_that_is_a_file_or_not_writable(beispiel: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "datei"
    blocker.write_text("x")
    for out in (blocker, blocker / "unter"):
        live = Live([BERICHTSWERK, "build", "--data", str(beispiel), "--out", str(out)])
        code, output = live.finish(120)
        assert code == ExitCode.BAD_DATA and "Traceback" not in output and "Ausgabeordner" in output
    # a folder this user may not write: chmod – or, for root (CI runs as root; root may write anywhere),
    # a read-only file system mounted on it in a mount namespace of the command's own
    locked = tmp_path / "gesperrt"
    locked.mkdir()
    command = [BERICHTSWERK, "build", "--data", str(beispiel), "--out", str(locked / "x")]
    if os.geteuid() == 0:
        command = ["unshare", "--mount", "--", "sh", "-c", 'mount -t tmpfs -o ro tmpfs "$0" && exec "$@"',
                   str(locked), *command]
    else:
        locked.chmod(0o555)
    code, output = Live(command).finish(120)
    assert code == ExitCode.OUTPUT_UNWRITABLE, output
    assert "Ausgabeordner" in output and ("keine Schreibrechte" in output or "Read-only" in output), output
    assert "Traceback" not in output


def test_a_full_disk_keeps_the_last_good_report_and_says_so(beispiel: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert build(beispiel, out, capsys, formats={"html"})[0] == ExitCode.OK
    good, good_version = (out / "bericht.html").read_bytes(), published_version(out)
    add_cell(beispiel, "1 + 1")  # the section runs again, its notebook and the report are written anew

    def small_disk() -> None:  # every file this build (and its kernels) writes may hold at most 64 KiB
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    live = Live([BERICHTSWERK, "build", "--data", str(beispiel), "--out", str(out), "--format", "html"],
                preexec_fn=small_disk)
    code, output = live.finish(300)
    assert code == ExitCode.OUTPUT_UNWRITABLE, output
    assert "Speicher voll" in output and "letzte gute Bericht bleibt" in output and "Traceback" not in output
    assert (out / "bericht.html").read_bytes() == good and versions(out) == [good_version]
    assert build(beispiel, out, capsys, formats={"html"})[0] == ExitCode.OK  # with room again, all is well


def test_publishing_switches_every_output_at_once(beispiel: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert build(beispiel, out, capsys)[0] == ExitCode.OK
    first = published_version(out)
    for name in PUBLISHED:
        assert os.readlink(out / name) == f"{CURRENT}/{name}" and (out / name).exists()
    seen: list[tuple[str, ...]] = []
    incomplete: list[str] = []
    stop = threading.Event()

    def reader() -> None:  # what a web server sees while the next build publishes
        while not stop.is_set():
            target = out / os.readlink(out / CURRENT)
            seen.append(tuple(os.readlink(out / name) for name in PUBLISHED))
            incomplete.extend(str(target / name) for name in PUBLISHED if not (target / name).exists())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    path = beispiel / "texte" / "einleitung.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    try:
        assert build(beispiel, out, capsys)[0] == ExitCode.OK
    finally:
        stop.set()
        thread.join(timeout=10)
    assert published_version(out) != first and "Ein neuer Absatz." in (out / "bericht.html").read_text("utf-8")
    assert seen and set(seen) == {tuple(f"{CURRENT}/{name}" for name in PUBLISHED)}  # the names never moved
    assert not incomplete  # the current build was complete at every moment
    assert versions(out) == sorted([first, published_version(out)])  # the previous build stays until the next
