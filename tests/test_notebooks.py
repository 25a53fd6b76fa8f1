"""The notebooks' contract: a tagged parameters cell, thin cells (no definitions), no committed
outputs, and the same result alone in a fresh kernel as inside the build."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from berichtswerk.paths import NOTEBOOK_DIR

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def test_all_four_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == ["anhang.ipynb", "einfuehrung.ipynb", "handlungsfeld.ipynb",
                                           "zusammenfassung_ausblick.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_contract(path: Path) -> None:
    params = pm.inspect_notebook(str(path))
    assert "data_dir" in params and params["data_dir"]["default"] == "None"
    if path.stem == "handlungsfeld":
        assert params["handlungsfeld"]["default"] == '"Geflüchtete"'


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_without_definitions(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.outputs and cell.execution_count is None
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_with_plain_papermill_on_small_data(path: Path, small_data: Path, tmp_path: Path) -> None:
    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), parameters={"data_dir": str(small_data)},
                        kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOK_DIR))
    html = "".join("".join(o.get("data", {}).get("text/html", ""))
                   for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
    assert "<h" in html


def test_section_same_alone_and_in_build(small_data: Path, tmp_path: Path) -> None:
    from berichtswerk.build import BuildOptions, run_build
    from berichtswerk.fingerprint import library_digest, section_key
    from berichtswerk.sections import report_sections

    out = tmp_path / "out"
    assert run_build(BuildOptions(data_dir=small_data, out_dir=out, jobs=2, formats={"html"})) == 0
    section = next(s for s in report_sections(small_data) if s.key == "handlungsfeld-bildung-und-sprache")
    in_build = nbformat.read(out / ".cache" / "abschnitte" / f"{section_key(section, small_data, library_digest())}.ipynb",
                             as_version=4)
    alone_path = tmp_path / "alone.ipynb"
    pm.execute_notebook(str(section.notebook), str(alone_path), parameters=section.parameters,
                        kernel_name="python3", progress_bar=False)
    alone = nbformat.read(alone_path, as_version=4)

    def outputs(nb) -> list:
        return [o.get("data") for c in nb.cells if c.cell_type == "code" for o in c.outputs]

    assert outputs(alone) == outputs(in_build)
