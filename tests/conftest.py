"""Shared fixtures, and two rules for the whole suite.

Most tests use ``tests/fixtures/beispielbericht``: a made-up report of its own shape (three
Handlungsfelder, an unnumbered foreword, an analyst's own chapter, no contributors chapter, its own
words and colours). Tests of the 2021 edition live in ``tests/abnahme_2021`` and use ``data/``.

- In CI (``CI=true``, set by ``.ci/run``) a skipped test is a failed test unless it is on
  :data:`ALLOWED_SKIPS_IN_CI`: a missing browser, veraPDF, LibreOffice or ``../shared/seeds`` must
  not turn a promise into a silent pass.
- Tests work on copies: nothing under ``lib/``, ``data/``, ``notebooks/`` or ``tests/fixtures/``
  may change while the suite runs (checked at its end)."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest
from berichtswerk.build.pipeline import BuildOptions, run_build
from bs4 import BeautifulSoup

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
FIXTURES = Path(__file__).parent / "fixtures"
BEISPIEL = FIXTURES / "beispielbericht"
#: Tests that may be skipped in CI, each with the reason it is allowed (none today).
ALLOWED_SKIPS_IN_CI: dict[str, str] = {}
#: What the suite must never write into (it works on copies).
GUARDED = ("lib", "data", "notebooks", "tests/fixtures")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and item.nodeid not in ALLOWED_SKIPS_IN_CI:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"In CI darf dieser Test nicht übersprungen werden: {reason}"


def _guarded_state() -> str:
    h = hashlib.sha256()
    for folder in GUARDED:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts:
                h.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session", autouse=True)
def checkout_untouched():
    """The suite changes nothing in the checkout: every test writes into copies."""
    before = _guarded_state()
    yield
    assert _guarded_state() == before, f"Ein Test hat in {', '.join(GUARDED)} geschrieben (statt in eine Kopie)"


def need_tools(what: str, reasons: list[str]) -> None:
    """Skip when a tool is missing (in CI that skip is a failure, see the module's docstring)."""
    if reasons:
        pytest.skip(f"{what} nicht ausgeführt: " + "; ".join(reasons))


def need_browser() -> None:
    """Chromium and axe-core (``make browser``)."""
    from werkzeuge import browser

    need_tools("Browser-Prüfung", browser.missing())


def selenium_tools() -> list[str]:
    """What is missing to drive headless Chromium with selenium."""
    reasons = []
    if not shutil.which("chromium"):
        reasons.append("Chromium fehlt (apt-get install chromium)")
    if not shutil.which("chromedriver"):
        reasons.append("ChromeDriver fehlt (apt-get install chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        reasons.append("selenium fehlt (pip install selenium)")
    return reasons


def browser(tmp_path: Path):
    """Headless Chromium driven by selenium (the caller quits it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--window-size=1400,2200",
                 f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    driver.set_script_timeout(180)
    return driver


def wait(driver, script: str, seconds: float) -> None:
    """Until ``script`` returns something true in the page, or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if driver.execute_script(script):
                return
        except Exception:  # noqa: BLE001 – the page is still loading
            pass
        time.sleep(0.2)
    raise AssertionError(f"Bedingung im Browser nicht erfüllt nach {seconds} s: {script[:160]}")


class Live:
    """A command running in the background whose output lines are collected as they come, so a test
    can wait for what it prints instead of sleeping."""

    def __init__(self, args: list[str], **kwargs) -> None:
        import subprocess
        import threading

        self.lines: list[str] = []
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, seconds: float) -> str:
        """The first line containing ``text``; fails after ``seconds`` or when the process ended first."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = next((line for line in list(self.lines) if text in line), None)
            if found is not None:
                return found
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"„{text}“ nicht ausgegeben:\n" + "\n".join(self.lines[-40:]))

    def finish(self, seconds: float = 300) -> tuple[int, str]:
        code = self.process.wait(timeout=seconds)
        self._reader.join(timeout=10)
        return code, "\n".join(self.lines)


def until(condition, seconds: float, what: str):
    """Poll ``condition`` until it returns something true; fail with ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"nicht eingetreten nach {seconds} s: {what}")


def painted(driver) -> None:
    """Until the browser has painted what the page just changed (two animation frames)."""
    driver.execute_async_script("var done = arguments[0]; requestAnimationFrame(function () {"
                                " requestAnimationFrame(function () { done(true); }); });")


def copy_report(source: Path, target: Path) -> Path:
    """Copy a report folder (``data/`` and, if present, ``notebooks/``); return the data folder."""
    shutil.copytree(source, target)
    return target / "data"


def report_folder(which: str, root: Path) -> Path:
    """A copy of the 2021 report (``"2021"``: its data) or of the example report (``"beispiel"``) as the
    report folder ``root``; returns its data folder."""
    if which == "2021":
        shutil.copytree(DATA_DIR, root / "data")
        return root / "data"
    return copy_report(BEISPIEL, root)


@pytest.fixture
def beispiel(tmp_path: Path) -> Path:
    """A throw-away copy of the example report; returns its data folder."""
    return copy_report(BEISPIEL, tmp_path / "beispiel")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def build(data: Path, out: Path, capsys=None, **kw) -> tuple[int, str]:
    kw.setdefault("jobs", 2)
    code = run_build(BuildOptions(data_dir=data, out_dir=out, **kw))
    text = ""
    if capsys is not None:
        captured = capsys.readouterr()
        text = captured.out + captured.err
    return code, text


@pytest.fixture(scope="session")
def beispiel_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example report built once (HTML and PDF); read-only for the tests that share it."""
    root = tmp_path_factory.mktemp("beispiel")
    data = copy_report(BEISPIEL, root / "bericht")
    out = root / "ausgabe"
    code = run_build(BuildOptions(data_dir=data, out_dir=out, jobs=2, formats={"html", "pdf"}))
    assert code == 0
    return out


@pytest.fixture(scope="session")
def beispiel_soup(beispiel_built: Path) -> BeautifulSoup:
    return BeautifulSoup((beispiel_built / "bericht.html").read_text(encoding="utf-8"), "html.parser")


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]], **kw) -> None:
    with path.open("w", encoding=kw.pop("encoding", "utf-8"), newline="") as f:
        csv.writer(f, lineterminator="\n", **kw).writerows(rows)


def row_of(rows: list[list[str]], nr: int) -> int:
    """Index in ``rows`` (header = 0) of measure ``nr``; index + 1 is the spreadsheet row."""
    return next(i for i, r in enumerate(rows) if r[0] == str(nr))
