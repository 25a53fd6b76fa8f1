"""Shared fixtures.

Most tests use ``tests/fixtures/beispielbericht``: a made-up report of its own shape (three
Handlungsfelder, an unnumbered foreword, an analyst's own chapter, no contributors chapter, its own
words and colours). Tests of the 2021 edition live in ``tests/abnahme_2021`` and use ``data/``."""

from __future__ import annotations

import csv
import os
import shutil
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
