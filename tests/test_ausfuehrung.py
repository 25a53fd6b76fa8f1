"""Execution: kernels started ahead give exactly what fresh kernels give, and the Dask executor builds
the same report as the local pool.

The corpus is every section of the example report plus a probe notebook that prints what an analyst's
code could observe of a kernel's state (its names, execution counter, history, working directory,
``sys.path``, ``sys.argv``, matplotlib backend and style, the library modules it imported).
Kernels now come from a template process by fork (:mod:`berichtswerk.kernel_fork`); the same
property held for the earlier kernels started ahead by jupyter_client."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from berichtswerk.build.pipeline import BuildOptions, run_build
from berichtswerk.data.gliederung import load_structure
from berichtswerk.execution.jobs import Job
from berichtswerk.execution.local import LocalExecutor
from nbformat.v4 import new_code_cell, new_notebook

PROBE = [
    "data_dir = None",
    "import sys\nsorted(k for k in globals() if not k.startswith('_'))",
    "get_ipython().execution_count, len(In), len(Out)",
    "import os\nos.getcwd(), sys.path[0], sys.argv[0].rsplit('/', 1)[-1], sys.modules['__main__'].__name__",
    ("import matplotlib\nmatplotlib.get_backend(), matplotlib.rcParams['font.size'], "
     "matplotlib.rcParams['axes.prop_cycle']"),
    "from berichtswerk import abschnitt\nsorted(m for m in sys.modules if m.startswith('berichtswerk'))",
    ("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.bar(['a', 'b'], [1, 2])\n"
     "abschnitt.abbildung(fig, alt='Zwei Säulen: a 1, b 2.', titel='Probe')"),
]


def _probe_notebook() -> str:
    nb = new_notebook(cells=[new_code_cell(source, id=f"probe-{i}") for i, source in enumerate(PROBE)])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb)


def _comparable(text: str) -> dict:
    """The executed notebook without what differs between any two runs: timings, papermill's own
    bookkeeping and the random id papermill gives the cell it injects."""
    nb = json.loads(text)
    nb["metadata"].pop("papermill", None)
    for cell in nb["cells"]:
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
        if "injected-parameters" in cell["metadata"].get("tags", []):
            cell.pop("id", None)
    return nb


def _jobs(data: Path) -> list[Job]:
    structure = load_structure(data)
    jobs = [Job(c.key, c.notebook_path.read_text(encoding="utf-8"),
                {k: v for k, v in c.parameter.items() if k != "data_dir"}) for c in structure.sections()]
    return jobs + [Job("probe", _probe_notebook(), {})]


def _run(data: Path, log: Path, stock: bool) -> dict[str, dict]:
    executor = LocalExecutor(2, data, log, data.parent, stock=stock).start()
    try:
        outcomes = executor.run(_jobs(data), lambda state, key: None)
    finally:
        executor.close()
    assert all(o.ok for o in outcomes), [(o.key, o.error) for o in outcomes if not o.ok]
    return {o.key: _comparable(o.notebook) for o in outcomes}


def test_kernels_started_ahead_give_the_outputs_of_fresh_kernels(beispiel: Path, tmp_path: Path) -> None:
    fresh = _run(beispiel, tmp_path / "frisch.log", stock=False)
    warm = _run(beispiel, tmp_path / "vorgestartet.log", stock=True)
    assert fresh.keys() == warm.keys() and len(fresh) >= 5
    for key in fresh:
        assert warm[key] == fresh[key], f"Abschnitt {key} weicht vom frischen Kernel ab"
    probe = {c["id"]: "".join(c["outputs"][0]["data"]["text/plain"]) for c in warm["probe"]["cells"]
             if c.get("id", "").startswith("probe-") and c["outputs"]}
    # the probe really looked: a clean namespace, counter and history as in a fresh kernel
    assert "numpy" not in probe["probe-1"] and "pandas" not in probe["probe-1"] and "'sys'" in probe["probe-1"]
    count, inputs, _ = (int(n) for n in probe["probe-2"].strip("()").split(","))
    assert count == inputs >= 4  # the warm-up left no entry in the counter or the history
    assert warm["probe"]["metadata"]["berichtswerk"]["abhaengigkeiten"]["module"] \
        == fresh["probe"]["metadata"]["berichtswerk"]["abhaengigkeiten"]["module"]


def test_kernels_forked_from_one_template_draw_different_random_numbers(beispiel: Path, tmp_path: Path) -> None:
    draw = nbformat.writes(new_notebook(cells=[new_code_cell("import numpy\nnumpy.random.random()")],
                                        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}}))
    executor = LocalExecutor(2, beispiel, tmp_path / "kernel.log", beispiel.parent).start()
    try:
        outcomes = executor.run([Job(f"zufall-{i}", draw, {}) for i in range(4)], lambda state, key: None)
    finally:
        executor.close()
    assert all(o.ok for o in outcomes)
    drawn = {json.dumps(c["outputs"]) for o in outcomes for c in json.loads(o.notebook)["cells"]
             if "".join(c["source"]).startswith("import numpy")}
    assert len(drawn) == 4


@pytest.fixture
def dask_cluster():
    distributed = pytest.importorskip("distributed", reason="Zusatzpaket „verteilt“ (distributed) fehlt")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, worker_class=distributed.Nanny) as cluster:
        yield cluster


def test_dask_executor_builds_the_same_report(dask_cluster, beispiel: Path, tmp_path: Path, capsys) -> None:
    local_out, dask_out = tmp_path / "lokal", tmp_path / "dask"
    assert run_build(BuildOptions(data_dir=beispiel, out_dir=local_out, jobs=2, formats={"html"})) == 0
    capsys.readouterr()
    options = BuildOptions(data_dir=beispiel, out_dir=dask_out, jobs=2, formats={"html"},
                           scheduler=dask_cluster.scheduler_address)
    code = run_build(options)
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    def pages(out: Path) -> list[Path]:
        return [Path("bericht.html")] + sorted(p.relative_to(out) for p in (out / "kapitel").glob("*.html"))

    assert len(pages(local_out)) > 3 and pages(local_out) == pages(dask_out)
    for page in pages(local_out):
        assert (dask_out / page).read_bytes() == (local_out / page).read_bytes(), page
    # the workers read their own copy of the data, not the coordinator's folder
    executed = nbformat.read(next((dask_out / ".cache" / "abschnitte").glob("*.ipynb")), as_version=4)
    parameters = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert str(beispiel) not in parameters.source and "berichtswerk-daten-" in parameters.source
    # and a rebuild from the Dask build's cache is a no-op locally: the records are the same
    (dask_out / "design").unlink()  # one published output missing: assembled again, sections from the cache
    assert run_build(BuildOptions(data_dir=beispiel, out_dir=dask_out, jobs=2, formats={"html"})) == 0
    rebuilt = capsys.readouterr().out
    assert "Cache" in rebuilt and "läuft" not in rebuilt
