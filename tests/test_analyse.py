"""The analyst's contract: notebooks run as-is (JupyterLab, plain papermill), a figure without a text
alternative stops the build with the cell named, and the registered exporters work on one notebook."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from berichtswerk.core.mime import HTML_MIME
from berichtswerk.core.paths import standard_notebook_dir
from bs4 import BeautifulSoup
from conftest import BEISPIEL, build

NOTEBOOKS = sorted(standard_notebook_dir().glob("*.ipynb")) + sorted((BEISPIEL / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_and_no_committed_outputs(path: Path) -> None:
    params = pm.inspect_notebook(str(path))
    assert params["data_dir"]["default"] == "None"
    assert all(p["default"] == "None" for p in params.values()), params  # works on any data
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
            tree = ast.parse(cell.source)
            assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


@pytest.mark.parametrize("path", sorted(standard_notebook_dir().glob("*.ipynb")), ids=lambda p: p.stem)
def test_runs_with_plain_papermill_and_its_defaults(path: Path, beispiel: Path, tmp_path: Path) -> None:
    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), parameters={"data_dir": str(beispiel)}, kernel_name="python3",
                        progress_bar=False, cwd=str(standard_notebook_dir()))
    blocks = [o for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", [])
              if HTML_MIME in o.get("data", {})]
    assert blocks


def test_figure_without_text_alternative_fails_the_build(beispiel: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert build(beispiel, out, formats={"html"})[0] == 0
    good = hashlib.sha256((out / "bericht.html").read_bytes()).hexdigest()
    notebook = beispiel.parent / "notebooks" / "auswertung.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if "fig-alt" in c.source)
    cell.source = "\n".join(line for line in cell.source.splitlines() if "fig-alt" not in line)
    nbformat.write(nb, notebook)
    code, text = build(beispiel, out, capsys, formats={"html"})
    assert code == 1
    assert ("3 Eigene Auswertung (auswertung.ipynb), Code-Zelle 4 „fig, ax = plt.subplots(figsize=(6, 3))“: "
            "Abbildung ohne Textalternative") in text
    assert "letzte gute Bericht" in text and (out / "fehlgeschlagen" / "auswertung.ipynb").is_file()
    assert hashlib.sha256((out / "bericht.html").read_bytes()).hexdigest() == good


def test_failing_cell_is_named_as_the_analyst_sees_it(beispiel: Path, tmp_path: Path, capsys) -> None:
    notebook = beispiel.parent / "notebooks" / "auswertung.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('absichtlich kaputt')"))
    nbformat.write(nb, notebook)
    code, text = build(beispiel, tmp_path / "out", capsys, formats={"html"})
    assert code == 1
    assert ("3 Eigene Auswertung (auswertung.ipynb), Code-Zelle 6 „raise ValueError('absichtlich kaputt')“: "
            "ValueError: absichtlich kaputt") in text


def test_section_output_equals_a_fresh_plain_papermill_run(beispiel: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(beispiel, out, formats={"html"})[0] == 0
    in_build = nbformat.read(out / ".cache" / "abschnitte" / "feld-wohnen.ipynb", as_version=4)
    alone = tmp_path / "alone.ipynb"
    pm.execute_notebook(str(standard_notebook_dir() / "handlungsfeld.ipynb"), str(alone),
                        parameters={"handlungsfeld": "Wohnen", "data_dir": str(beispiel)},
                        kernel_name="python3", progress_bar=False)

    def outputs(nb) -> list:
        return [o.get("data") for c in nb.cells if c.cell_type == "code" for o in c.outputs]

    assert outputs(nbformat.read(alone, as_version=4)) == outputs(in_build)


@pytest.mark.parametrize("fmt", ["berichtswerk_html", "berichtswerk_pdf", "berichtswerk_docx"])
def test_nbconvert_exports_one_executed_notebook(fmt: str, beispiel: Path, tmp_path: Path) -> None:
    executed = tmp_path / "wohnen.ipynb"
    pm.execute_notebook(str(standard_notebook_dir() / "handlungsfeld.ipynb"), str(executed),
                        parameters={"handlungsfeld": "Wohnen", "data_dir": str(beispiel)},
                        kernel_name="python3", progress_bar=False)
    jupyter = Path(sys.executable).with_name("jupyter")
    result = subprocess.run([str(jupyter), "nbconvert", "--to", fmt, str(executed)], capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    if fmt == "berichtswerk_html":
        soup = BeautifulSoup(executed.with_suffix(".html").read_text(encoding="utf-8"), "html.parser")
        assert soup.h2.get_text() == "2.2 Wohnen" and soup.select_one("section.handlungsfeld--wohnen")
        assert soup.find("figure").img["alt"].startswith("Balkendiagramm")
        assert not soup.select(".titelseite")
    elif fmt == "berichtswerk_pdf":
        assert executed.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    else:
        from docx import Document

        document = Document(str(executed.with_suffix(".docx")))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        assert "2.2 Wohnen" in headings


def test_nbconvert_exports_a_section_notebook_as_the_build_keeps_it(beispiel_built: Path, tmp_path: Path) -> None:
    """The executed notebooks a build keeps (cache, ``fehlgeschlagen/``) are what an analyst opens in
    JupyterLab and exports; papermill had recorded the notebook object itself as its input path."""
    executed = tmp_path / "feld-wohnen.ipynb"
    executed.write_bytes((beispiel_built / ".cache" / "abschnitte" / "feld-wohnen.ipynb").read_bytes())
    assert nbformat.read(executed, as_version=4).metadata.papermill.input_path == "handlungsfeld.ipynb"
    jupyter = Path(sys.executable).with_name("jupyter")
    result = subprocess.run([str(jupyter), "nbconvert", "--to", "berichtswerk_html", str(executed)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    soup = BeautifulSoup(executed.with_suffix(".html").read_text(encoding="utf-8"), "html.parser")
    assert soup.h2.get_text() == "2.2 Wohnen" and soup.select_one("section.handlungsfeld--wohnen")


def test_exporters_appear_in_jupyterlab_export_menu() -> None:
    from nbconvert.exporters import get_export_names

    names = get_export_names()
    assert {"berichtswerk_html", "berichtswerk_pdf", "berichtswerk_docx"} <= set(names)
