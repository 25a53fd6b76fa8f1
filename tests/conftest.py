"""Shared fixtures: a throw-away copy of ``data/`` that a test may break on purpose."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

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
