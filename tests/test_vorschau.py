"""``berichtswerk vorschau`` in real headless Chromium: a saved edit in ``data/`` appears in the open
page without a reload (a variable set in the page survives, the scroll position stays); a bad edit
shows the build's problem in the page over the last good report; the next good edit recovers;
Ctrl-C ends the preview and every process it started."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from berichtswerk.core.processes import descendants
from conftest import browser, need_tools, read_rows, row_of, selenium_tools, until, wait, write_rows

BIN = Path(sys.executable).parent


def _state(url: str) -> dict:
    with urllib.request.urlopen(f"{url}__vorschau/stand", timeout=5) as response:
        return json.loads(response.read())


def _wait_state(url: str, check, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = _state(url)
        if check(state):
            return state
        time.sleep(0.2)
    raise AssertionError(f"Vorschau-Zustand nicht erreicht nach {seconds} s: {state}")


def _edit(data: Path, nr: int, column: str, value: str) -> None:
    path = data / "massnahmen.csv"
    rows = read_rows(path)
    rows[row_of(rows, nr)][rows[0].index(column)] = value
    write_rows(path, rows)


@pytest.fixture
def vorschau(beispiel: Path, tmp_path: Path):
    """The preview on a free port, serving the example report; yields (url, process)."""
    proc = subprocess.Popen([str(BIN / "berichtswerk"), "vorschau", "--data", str(beispiel), "--out",
                             str(tmp_path / "vorschau"), "--port", "0", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    url = None
    for line in proc.stdout:
        lines.append(line)
        if match := re.search(r"Vorschau: (http://127\.0\.0\.1:\d+/)", line):
            url = match.group(1)
            break
    assert url, "".join(lines)
    try:
        yield url, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_preview_shows_edits_in_place_and_problems_in_the_page(vorschau, beispiel: Path, tmp_path: Path) -> None:
    need_tools("Vorschau im Browser", selenium_tools())
    url, proc = vorschau
    first = _wait_state(url, lambda s: s["ok"] is not None, 300)
    assert first["ok"] is True, first
    driver = browser(tmp_path)
    try:
        driver.get(url)
        wait(driver, "return document.body.innerText.includes('Sprachkurse im Betrieb')", 30)
        driver.execute_script("window.berichtswerkTest = 42; window.scrollTo(0, 900);")
        scroll = driver.execute_script("return window.scrollY")
        assert scroll > 0

        # every chapter gets a mark only this page object has; a link of the contents gets the focus
        driver.execute_script("document.querySelectorAll('main > section').forEach(function (s, i) {"
                              " s.berichtswerkMarke = i; });"
                              "document.querySelector('nav a').focus();")
        _edit(beispiel, 1, "beschreibung", "Kurse direkt am Arbeitsplatz, jetzt dreimal pro Woche")
        wait(driver, "return document.body.innerText.includes('jetzt dreimal pro Woche')", 60)
        assert driver.execute_script("return window.berichtswerkTest") == 42, "die Seite wurde neu geladen"
        assert driver.execute_script("return window.scrollY") == scroll
        chapters = driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('main > section'), function (s) {"
            " return [s.berichtswerkMarke === undefined ? null : s.berichtswerkMarke,"
            " s.innerText.includes('jetzt dreimal pro Woche')]; });")
        changed = [mark for mark, has_new_text in chapters if has_new_text]
        kept = [mark for mark, _ in chapters if mark is not None]
        assert changed and all(mark is None for mark in changed), chapters   # swapped in
        assert len(kept) >= len(chapters) - 2, chapters   # the chapters without the measure stay as they were
        assert driver.execute_script("return document.activeElement === document.querySelector('nav a')")
        assert "zweimal pro Woche" not in driver.execute_script("return document.body.innerText")

        _edit(beispiel, 1, "handlungsfeld", "Raumfahrt")
        wait(driver, "var m = document.getElementById('berichtswerk-vorschau-meldung');"
                     "return m && m.innerText.includes('Raumfahrt');", 60)
        problem = driver.execute_script("return document.getElementById('berichtswerk-vorschau-meldung').innerText")
        assert "massnahmen.csv" in problem and "Zeile 2" in problem and "handlungsfeld" in problem, problem
        # the last good report stays readable under the message
        assert "jetzt dreimal pro Woche" in driver.execute_script("return document.body.innerText")
        driver.save_screenshot(str(tmp_path / "vorschau_problem.png"))

        _edit(beispiel, 1, "handlungsfeld", "Arbeit und Qualifizierung")
        _edit(beispiel, 1, "beschreibung", "Kurse direkt am Arbeitsplatz, ab Herbst täglich")
        wait(driver, "return document.body.innerText.includes('ab Herbst täglich') && "
                     "!document.getElementById('berichtswerk-vorschau-meldung');", 60)
        assert driver.execute_script("return window.berichtswerkTest") == 42
    finally:
        driver.quit()

    started = descendants(proc.pid)
    assert started, "die Vorschau hält Arbeitsprozesse und Kernel bereit"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) in (0, 5)
    output = proc.stdout.read()
    assert "Vorschau beendet." in output
    left = [pid for pid in started if Path(f"/proc/{pid}").exists()
            and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]]
    assert not left, f"nach Strg-C laufen noch: {left}"


def test_an_edit_saved_while_the_first_build_runs_is_shown(vorschau, beispiel: Path) -> None:
    """The watcher starts after the first build; a save during that build (the analyst does not wait
    for it) must still reach the page – in CI an edit right after the first build was once lost."""
    url, proc = vorschau
    for line in proc.stdout:
        if "Baue den Bericht" in line:  # the first build has begun and read the data
            break
    _edit(beispiel, 1, "beschreibung", "Gespeichert, während die Vorschau startete")
    saved = time.time()
    state = _wait_state(url, lambda s: s["ok"] is not None and s["begonnen"] > saved, 120)
    assert state["ok"] is True, state
    page = urllib.request.urlopen(url, timeout=5).read().decode()
    assert "Gespeichert, während die Vorschau startete" in page


def test_preview_shows_a_failing_section_and_recovers(vorschau, beispiel: Path) -> None:
    url, _ = vorschau
    assert _wait_state(url, lambda s: s["ok"] is not None, 300)["ok"] is True
    notebook = beispiel.parent / "notebooks" / "auswertung.ipynb"
    original = notebook.read_text(encoding="utf-8")
    nb = json.loads(original)
    code = next(c for c in nb["cells"] if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", []))
    code["source"] = "raise ValueError('Absichtlich kaputt')\n" + "".join(code["source"])
    before = _state(url)["stand"]
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    failed = _wait_state(url, lambda s: s["stand"] > before and s["ok"] is not None, 120)
    assert failed["ok"] is False
    assert "Absichtlich kaputt" in failed["meldung"] and "auswertung.ipynb" in failed["meldung"]
    page = urllib.request.urlopen(url, timeout=5).read().decode()
    assert "Sprachkurse im Betrieb" in page and "live.js" in page  # the last good report is still served
    notebook.write_text(original, encoding="utf-8")
    assert _wait_state(url, lambda s: s["stand"] > failed["stand"] and s["ok"] is not None, 120)["ok"] is True


def test_a_killed_preview_leaves_no_kernel_behind(vorschau) -> None:
    """SIGKILL cannot be handled: the kernel template dies with its parent, and the kernels kept ready
    (a session of their own, out of reach of the process group) end when their template does."""
    url, proc = vorschau
    assert _wait_state(url, lambda s: s["ok"] is not None, 300)["ok"] is True
    started = descendants(proc.pid)
    sessions = {int(Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[3]) for pid in started
                if Path(f"/proc/{pid}/stat").exists()}
    assert len(sessions) > 1, "die Vorschau hält Kernel in eigenen Sitzungen bereit"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    def alive() -> list[int]:
        return [pid for pid in started if Path(f"/proc/{pid}").exists()
                and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]]
    until(lambda: not alive(), 30, "alle Prozesse der Vorschau beendet")
