"""Shared fixtures.

Most tests use ``tests/fixtures/beispielbericht``: a made-up report of its own shape (three
Handlungsfelder, an unnumbered foreword, an analyst's own chapter, no contributors chapter, its own
words and colours). Tests of the 2021 edition live in ``tests/abnahme_2021`` and use ``data/``."""

from __future__ import annotations

import csv
import os
import shutil
import time
from pathlib import Path

import pytest
from berichtswerk.build import BuildOptions, run_build
from bs4 import BeautifulSoup

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
FIXTURES = Path(__file__).parent / "fixtures"
BEISPIEL = FIXTURES / "beispielbericht"


def need_tools(what: str, reasons: list[str]) -> None:
    """Skip (or, with BERICHTSWERK_BROWSER_TESTS=required as in CI, fail) when a tool is missing."""
    if reasons:
        message = f"{what} nicht ausgeführt: " + "; ".join(reasons)
        if os.environ.get("BERICHTSWERK_BROWSER_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)


def need_browser() -> None:
    """Chromium and axe-core (``make browser``)."""
    from berichtswerk import browser

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


def copy_report(source: Path, target: Path) -> Path:
    """Copy a report folder (``data/`` and, if present, ``notebooks/``); return the data folder."""
    shutil.copytree(source, target)
    return target / "data"


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
