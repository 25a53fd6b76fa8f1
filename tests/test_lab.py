"""A section notebook in a real JupyterLab (headless Chromium, driven by selenium): after "Run All" the
outputs read as the report will – key figures under their own labels, styled without the report's
stylesheet, the chart with its text alternative. The screenshot is kept for a person to look at."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from berichtswerk.core.paths import standard_notebook_dir
from conftest import BEISPIEL, browser, need_tools, painted, selenium_tools, wait

#: Where the screenshots are kept for a person to look at (outside the checkout).
SCREENSHOT_DIR = Path(os.environ.get("BERICHTSWERK_SCREENSHOTS", Path(tempfile.gettempdir()) / "berichtswerk-screenshots"))


def _lab_tools() -> list[str]:
    reasons = selenium_tools()
    if not Path(sys.executable).with_name("jupyter-lab").exists():
        reasons.append("JupyterLab fehlt (pip install jupyterlab)")
    return reasons


@pytest.fixture
def lab(tmp_path: Path):
    need_tools("JupyterLab-Test", _lab_tools())
    project = tmp_path / "projekt"
    shutil.copytree(BEISPIEL / "data", project / "data")
    (project / "notebooks").mkdir()
    shutil.copy(standard_notebook_dir() / "handlungsfeld.ipynb", project / "notebooks")
    shutil.copy(BEISPIEL / "notebooks" / "auswertung.ipynb", project / "notebooks")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "berichtswerk-test"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime")}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyter-lab")), "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={project}",
         "--expose-app-in-browser", "--LabApp.news_url=", "--LabApp.collaborative=False"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "lab.log", "w"), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab ist nicht gestartet:\n" + (tmp_path / "lab.log").read_text()[-2000:])
        yield url, token
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def run_all(driver, url: str, token: str, notebook: str, ready: str) -> None:
    """Open the notebook, start its kernel, "Run All", wait until ``ready`` holds."""
    driver.get(f"{url}/lab/tree/notebooks/{notebook}?token={token}&reset")
    wait(driver, "return !!(window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell'))", 120)
    # JupyterLab asks which kernel to start: take the notebook's own (Python 3)
    wait(driver, "var b = document.querySelector('.jp-Dialog .jp-mod-accept'); if (b) { b.click(); }"
                 "return !document.querySelector('.jp-Dialog') && "
                 "/Idle/.test(document.querySelector('#jp-main-statusbar').textContent);", 120)
    driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells');")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    try:
        wait(driver, ready, 150)
    except AssertionError:
        driver.save_screenshot(str(SCREENSHOT_DIR / f"jupyterlab_fehler_{Path(notebook).stem}.png"))
        raise


def test_section_notebook_in_jupyterlab_shows_the_report_blocks(lab, tmp_path: Path) -> None:
    url, token = lab
    driver = browser(tmp_path)
    try:
        run_all(driver, url, token, "handlungsfeld.ipynb",
                "return document.querySelectorAll('.jp-OutputArea-output .bw').length >= 5 && "
                "!!document.querySelector('.jp-OutputArea-output figure img');")
        driver.execute_script("document.querySelector('.kennzahlen').scrollIntoView({block: 'center'});")
        painted(driver)
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT_DIR / "jupyterlab_handlungsfeld.png"))
        tiles = driver.execute_script("""
            return Array.from(document.querySelectorAll('.jp-OutputArea-output .kennzahl')).map(function (t) {
              var box = t.getBoundingClientRect(), dd = t.querySelector('dd').getBoundingClientRect(),
                  dt = t.querySelector('dt').getBoundingClientRect();
              return {label: t.querySelector('dt').textContent, value: t.querySelector('dd').textContent,
                      inside: dd.left >= box.left - 1 && dd.right <= box.right + 1 && dd.top >= box.top - 1
                              && dd.bottom <= box.bottom + 1 && dt.left >= box.left - 1 && dt.right <= box.right + 1,
                      top: box.top, left: box.left, wide: dt.width >= 0.6 * (box.width - 30),
                      background: getComputedStyle(t).backgroundColor};
            });""")
        # the notebook's default: the first Handlungsfeld of whatever data is there
        assert [(t["label"], t["value"]) for t in tiles] == [
            ("Maßnahmen", "3"), ("beteiligte Organisationseinheiten", "2"), ("zitierte Drucksachen", "1"),
            ("Ziele", "2")]
        assert all(t["inside"] and t["wide"] for t in tiles), tiles  # labels not squeezed to a syllable
        assert len({round(t["top"]) for t in tiles}) == 1  # side by side, as in the report
        assert all(t["background"] == "rgb(243, 245, 248)" for t in tiles)  # styled without report.css
        alt = driver.execute_script("return document.querySelector('.jp-OutputArea-output figure img').alt;")
        assert alt.startswith("Balkendiagramm: Maßnahmen je Organisationseinheit im Handlungsfeld Arbeit")
    finally:
        driver.quit()


def test_analyst_notebook_in_jupyterlab_shows_table_and_figure_as_the_report(lab, tmp_path: Path) -> None:
    url, token = lab
    driver = browser(tmp_path)
    try:
        run_all(driver, url, token, "auswertung.ipynb",
                "return !!document.querySelector('.jp-OutputArea-output table.tabelle caption') && "
                "!!document.querySelector('.jp-OutputArea-output figure img');")
        driver.execute_script("document.querySelector('.jp-OutputArea-output table').scrollIntoView();")
        painted(driver)
        driver.save_screenshot(str(SCREENSHOT_DIR / "jupyterlab_auswertung.png"))
        found = driver.execute_script("""
            var table = document.querySelector('.jp-OutputArea-output table.tabelle');
            var img = document.querySelector('.jp-OutputArea-output figure img');
            return {caption: table.caption.textContent, scopes: Array.from(table.querySelectorAll('thead th'))
                      .map(function (th) { return th.getAttribute('scope'); }),
                    cells: Array.from(table.querySelectorAll('tbody tr:first-child td')).map(function (td) {
                      return td.textContent; }),
                    alt: img.alt, caption2: img.closest('figure').querySelector('figcaption').textContent,
                    svg: img.src.indexOf('data:image/svg+xml') === 0};""")
        assert found == {"caption": "Maßnahmen je Handlungsfeld", "scopes": ["col", "col", "col"],
                         "cells": ["3", "37,5"], "svg": True,
                         "alt": "Säulendiagramm: Arbeit und Qualifizierung 3, Wohnen 3, Gesundheit 2 Maßnahmen.",
                         "caption2": "Maßnahmen je Handlungsfeld"}
    finally:
        driver.quit()


def test_computed_prose_and_option_problems_show_in_jupyterlab(lab, tmp_path: Path) -> None:
    url, token = lab
    project = tmp_path / "projekt"  # the lab fixture's report folder
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("data_dir = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from IPython.display import Markdown, display\nfrom berichtswerk import abschnitt\n"
                                  "daten = abschnitt.daten(data_dir)\nn = len(daten.massnahmen())"),
        nbformat.v4.new_code_cell("display(Markdown(f\"Berechnet: **{abschnitt.zahl(n)}** Maßnahmen, \"\n"
                                  "                 f\"{abschnitt.zahl(1234.5)} Euro je Maßnahme.\"))"),
        nbformat.v4.new_code_cell("#| fig_alt: Tippfehler\n#| include: nein\n1 + 1"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, project / "notebooks" / "werte.ipynb")
    driver = browser(tmp_path)
    try:
        run_all(driver, url, token, "werte.ipynb",
                "return document.querySelectorAll('.jp-OutputArea .bw-warnung').length >= 2 && "
                "!!document.querySelector('.jp-OutputArea .jp-RenderedMarkdown strong');")
        painted(driver)
        driver.save_screenshot(str(SCREENSHOT_DIR / "jupyterlab_werte.png"))
        found = driver.execute_script("""
            return {prose: document.querySelector('.jp-OutputArea .jp-RenderedMarkdown').textContent.trim(),
                    warnings: Array.from(document.querySelectorAll('.jp-OutputArea .bw-warnung'))
                      .map(function (w) { return w.textContent; })};""")
        assert found["prose"] == "Berechnet: 8 Maßnahmen, 1.234,5 Euro je Maßnahme."
        assert found["warnings"] == [
            "Zellenoption in Zeile 1 „#| fig_alt: Tippfehler“: unbekannte Option „fig_alt“ – meinten Sie „fig-alt“? "
            "(Hinweis)",
            "Zellenoption in Zeile 2 „#| include: nein“: „include“ braucht true oder false (Fehler – der Build bricht "
            "hier ab)"]
    finally:
        driver.quit()
