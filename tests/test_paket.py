"""berichtswerk as another administration gets it: a wheel, installed into a fresh virtual environment
outside this checkout, a report folder made by ``berichtswerk neu`` – and every command working there
without reading a file of the checkout (as root the checkout is hidden under an empty file system
for the commands; otherwise every file a Python process opens is logged and checked).

Also: ``environment.yml`` declares what ``pyproject.toml`` declares."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import PROJECT_ROOT, Live, until

SITECUSTOMIZE = '''
import os, sys
_log = os.environ.get("BERICHTSWERK_OEFFNUNGEN")
if _log:
    _busy = []
    def _opened(event, args):
        if event == "open" and not _busy and isinstance(args[0], (str, os.PathLike)):
            _busy.append(1)
            try:
                fd = os.open(_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                os.write(fd, (os.path.abspath(os.fspath(args[0])) + "\\n").encode("utf-8", "replace"))
                os.close(fd)
            finally:
                _busy.pop()
    sys.addaudithook(_opened)
'''


def can_hide_checkout() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None


class Outside:
    """Commands of the installed tool, run so that the checkout is out of reach."""

    def __init__(self, venv: Path, log: Path) -> None:
        self.bin = venv / "bin"
        self.log = log

    def run(self, *args: str, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
        command, env = self._command(args)
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)

    def start(self, *args: str, cwd: Path) -> Live:
        command, env = self._command(args)
        return Live(command, cwd=cwd, env=env)

    def _command(self, args: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
        command = [str(self.bin / args[0]), *args[1:]]
        if can_hide_checkout():
            command = ["unshare", "--mount", "--", "sh", "-c", 'mount -t tmpfs -o ro tmpfs "$0" && exec "$@"',
                       str(PROJECT_ROOT), *command]
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "BERICHTSWERK_DATA")}
        env.update(PATH=f"{self.bin}:{env.get('PATH', '')}", BERICHTSWERK_OEFFNUNGEN=str(self.log))
        return command, env

    def ok(self, *args: str, cwd: Path, timeout: int = 900) -> str:
        result = self.run(*args, cwd=cwd, timeout=timeout)
        assert result.returncode == 0, f"{args}: {result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        assert "Traceback" not in result.stderr
        return result.stdout

    def checkout_files_opened(self) -> list[str]:
        opened = self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []
        return sorted({p for p in opened if p.startswith(str(PROJECT_ROOT) + os.sep)})


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip wheel`` of a copy of the checkout's sources (building writes build/ and egg-info)."""
    source = tmp_path_factory.mktemp("quelle")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    shutil.copytree(PROJECT_ROOT / "lib", source / "lib", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path_factory.mktemp("rad")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
                   check=True, timeout=600)
    return next(out.glob("berichtswerk-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Outside:
    """A fresh venv outside the checkout with the wheel and its dependencies from the package index."""
    root = tmp_path_factory.mktemp("frisch")
    venv = root / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   timeout=1800)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return Outside(venv, root / "oeffnungen.txt")


def test_the_wheel_carries_everything_the_tool_needs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = PROJECT_ROOT / "lib" / "berichtswerk"
    shipped = {f"berichtswerk/{p.relative_to(package).as_posix()}" for p in package.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert shipped <= names, sorted(shipped - names)  # every file of the package, code and resources alike
    assert {"berichtswerk/notebooks/handlungsfeld.ipynb", "berichtswerk/checks/PdfUaPruefung.java",
            "berichtswerk/markup/komponenten.css", "berichtswerk/neu/vorlage/gitignore"} <= names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "berichtswerk_html = berichtswerk.assembly.exporters.html:ReportHTMLExporter" in text
    assert "berichtswerk = berichtswerk.cli:main" in text


def test_a_report_folder_anywhere_builds_with_the_installed_tool(installed: Outside, tmp_path: Path) -> None:
    from berichtswerk import __version__

    assert installed.ok("berichtswerk", "--version", cwd=tmp_path).strip() == f"berichtswerk {__version__}"
    where = installed.ok("python", "-c", "import berichtswerk, sys; print(berichtswerk.__file__); print(sys.path)",
                         cwd=tmp_path)
    assert str(PROJECT_ROOT) not in where and "site-packages" in where.splitlines()[0]

    installed.ok("berichtswerk", "neu", "bericht", cwd=tmp_path)
    report = tmp_path / "bericht"
    for name in ("data/gliederung.yaml", "data/README.md", "notebooks/README.md", "README.md", ".gitignore",
                 ".gitattributes"):
        assert (report / name).is_file(), name
    assert "outputs/" in (report / ".gitignore").read_text() and "nbstripout" in (report / ".gitattributes").read_text()
    assert "berichtswerk anpassen" in (report / "README.md").read_text(encoding="utf-8")

    assert "Daten in Ordnung" in installed.ok("berichtswerk", "check", cwd=report)
    outline = installed.ok("berichtswerk", "gliederung", cwd=report / "notebooks")  # from a sub-folder too
    assert "Notebook handlungsfeld.ipynb" in outline
    log = installed.ok("berichtswerk", "build", cwd=report)
    assert f"Start: berichtswerk {__version__}" in log.splitlines()[0]
    html = (report / "outputs" / "bericht.html").read_text(encoding="utf-8")
    assert "Titel des Berichts" in html and (report / "outputs" / "bericht.pdf").read_bytes().startswith(b"%PDF")
    assert (report / "outputs" / "design.zip").is_file() and list((report / "outputs" / "kapitel").glob("*.html"))
    word = zipfile.ZipFile(report / "outputs" / "bericht.docx")  # pandoc came with the wheel's dependencies
    assert "Titel des Berichts" in word.read("docProps/core.xml").decode("utf-8")
    assert (report / "outputs" / "design" / "vorlage.docx").is_file()

    # the report overrides one standard notebook by name
    installed.ok("berichtswerk", "anpassen", "handlungsfeld.ipynb", cwd=report)
    own = report / "notebooks" / "handlungsfeld.ipynb"
    nb = nbformat.read(own, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Ein Absatz, den nur dieser Bericht hat."))
    nbformat.write(nb, own)
    log = installed.ok("berichtswerk", "build", cwd=report)
    assert re.search(r"läuft\s+2\.1 ", log), log
    assert "Ein Absatz, den nur dieser Bericht hat." in (report / "outputs" / "bericht.html").read_text("utf-8")
    assert installed.run("berichtswerk", "anpassen", "handlungsfeld.ipynb", cwd=report).returncode == 2

    # one executed notebook through the registered exporter, as from JupyterLab's export menu
    exporters = installed.ok("python", "-c", "from nbconvert.exporters import get_export_names; "
                             "print(get_export_names())", cwd=tmp_path)
    assert all(f"berichtswerk_{fmt}" in exporters for fmt in ("html", "pdf", "docx"))
    installed.ok("papermill", str(own), "feld.ipynb", "-p", "data_dir", str(report / "data"), cwd=tmp_path)
    installed.ok("jupyter", "nbconvert", "--to", "berichtswerk_html", "feld.ipynb", cwd=tmp_path)
    page = (tmp_path / "feld.html").read_text(encoding="utf-8")
    assert "Ein Absatz, den nur dieser Bericht hat." in page and 'class="abschnitt__titel"' in page
    installed.ok("jupyter", "nbconvert", "--to", "berichtswerk_docx", "feld.ipynb", cwd=tmp_path)
    assert "Ein Absatz, den nur dieser Bericht hat." in zipfile.ZipFile(tmp_path / "feld.docx").read(
        "word/document.xml").decode("utf-8")

    # the yearly round and the preview, in the same folder
    log = installed.ok("berichtswerk", "abfrage", "--out", str(tmp_path / "abfrage"), cwd=report)
    workbooks = sorted((tmp_path / "abfrage").glob("*.xlsx"))
    assert workbooks and "Verzeichnet in" in log
    assert "Keine Änderungen" in installed.ok("berichtswerk", "einlesen", str(workbooks[0]), cwd=report)
    installed.ok("berichtswerk", "einfrieren", "2025", cwd=report)
    assert json.loads((report / "ausgaben" / "2025" / "manifest.json").read_text())["ausgabe"] == "2025"
    preview = installed.start("berichtswerk", "vorschau", "--port", "0", cwd=report)
    try:
        url = preview.wait_for("Vorschau: http://", 120).split("Vorschau: ", 1)[1].split()[0]
        until(lambda: json.loads(urllib.request.urlopen(url + "__vorschau/stand", timeout=10).read())["ok"], 180,
              "die Vorschau hat gebaut")
        assert "Ein Absatz, den nur dieser Bericht hat." in urllib.request.urlopen(url, timeout=10).read().decode()
    finally:
        preview.process.send_signal(signal.SIGINT)
        code, output = preview.finish(60)
    assert code == 0 and "Vorschau beendet" in output and "Traceback" not in output

    assert installed.checkout_files_opened() == []  # nothing of the checkout was read


def test_environment_yml_declares_what_pyproject_declares() -> None:
    import tomllib

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra, requirements in project["optional-dependencies"].items():
        wanted += [r for r in requirements if not r.startswith("berichtswerk[")]
    conda = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    declared = [d for d in conda if isinstance(d, str) and not d.startswith(("python=", "pip"))]
    declared += [d for d in next(d for d in conda if isinstance(d, dict))["pip"] if not d.startswith("-e")]

    def normal(requirement: str) -> tuple[str, str]:
        name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement.split("#")[0].strip()).groups()
        return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")

    assert sorted(map(normal, declared)) == sorted(map(normal, wanted))
