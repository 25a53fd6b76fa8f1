"""The architecture is enforced, not described: the import contracts of pyproject.toml hold, and a
planted import across the layers breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from berichtswerk.core.paths import package_path
from conftest import PROJECT_ROOT

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint(library: Path | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if library is not None:
        env["PYTHONPATH"] = str(library)
    return subprocess.run([LINT_IMPORTS, "--no-cache", "--config", str(PROJECT_ROOT / "pyproject.toml")],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_import_contracts_hold(tmp_path: Path) -> None:
    result = lint(None, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_a_kernel_module_importing_the_build_breaks_the_contracts(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    shutil.copytree(package_path(), library / "berichtswerk", ignore=shutil.ignore_patterns("__pycache__"))
    blocks = library / "berichtswerk" / "abschnitt" / "blocks.py"
    blocks.write_text(blocks.read_text(encoding="utf-8") + "\nfrom berichtswerk.build import pipeline  # noqa\n",
                      encoding="utf-8")
    result = lint(library, tmp_path)
    assert result.returncode == 1, result.stdout
    assert "Schichten: jede Schicht importiert nur Schichten darunter BROKEN" in result.stdout
    assert "Kernel importieren nur abschnitt, markup, data und core BROKEN" in result.stdout
    assert "berichtswerk.abschnitt.blocks -> berichtswerk.build.pipeline" in result.stdout
