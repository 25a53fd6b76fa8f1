"""Shared fixtures: a throw-away copy of ``data/`` that a test may break on purpose."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from berichtswerk.build import BuildOptions, run_build
from bs4 import BeautifulSoup

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def row_of(rows: list[list[str]], nr: int) -> int:
    """Index in ``rows`` (header = 0) of measure ``nr``; index + 1 is the spreadsheet row."""
    return next(i for i, r in enumerate(rows) if r[0] == str(nr))


def make_small_dataset(target: Path) -> Path:
    """A small but complete data folder: every measure an example cites, the first two measures of
    each Handlungsfeld and one unnumbered row. Reference tables and prose stay as shipped."""
    import yaml

    shutil.copytree(DATA_DIR, target)
    doc = yaml.safe_load((DATA_DIR / "handlungsfelder.yaml").read_text(encoding="utf-8"))
    cited = {str(nr) for e in doc["handlungsfelder"] for b in e.get("beispiele") or [] for nr in b["massnahmen"]}
    rows = read_rows(DATA_DIR / "massnahmen.csv")
    header, body = rows[0], rows[1:]
    keep, per_field, unnumbered = [], {}, False
    for row in body:
        nr, hf = row[0], row[1]
        if nr in cited or per_field.get(hf, 0) < 2 or (not nr and not unnumbered):
            keep.append(row)
            per_field[hf] = per_field.get(hf, 0) + 1
            unnumbered = unnumbered or not nr
    write_rows(target / "massnahmen.csv", [header, *keep])
    return target


@pytest.fixture(scope="session")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_dataset(tmp_path_factory.mktemp("klein") / "data")


@pytest.fixture(scope="session")
def built(small_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ausgabe")
    code = run_build(BuildOptions(data_dir=small_data, out_dir=out, jobs=2, formats={"html", "pdf"}))
    assert code == 0
    return out


@pytest.fixture(scope="session")
def soup(built: Path) -> BeautifulSoup:
    return BeautifulSoup((built / "bericht.html").read_text(encoding="utf-8"), "html.parser")
