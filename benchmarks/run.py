"""Benchmarks for the build (not a test): median wall time of repeated runs, all in one run so the
numbers compare on the same machine state.

    python benchmarks/run.py [--runs 3] [--skip-large] [--skip-preview]

Scenarios:
  naive          serial shell loop: `papermill` CLI then `jupyter nbconvert --to html` per section
  cold-html      `berichtswerk build --format html` into an empty folder
  cold-html-pdf  `berichtswerk build` (HTML + PDF) into an empty folder
  noop           the same build again, nothing changed
  edit-one       after changing one measure's text, `berichtswerk build` (HTML + PDF)
  edit-one-html  the same, HTML only (compared with cold-html)
  preview-*      `berichtswerk vorschau` with the report open in headless Chromium (selenium); edits
                 alternate between one measure's text and a Handlungsfeld's introduction:
                 (and, in a report with notebooks of its own, a Markdown cell of its first notebook):
                 preview-edit-html  save → new HTML published by the preview
                 preview-edit-seen  save (the file's mtime) → the new text visible in the open page,
                                    split into detect (mtime → rebuild starts), the build's stages
                                    (check, plan, execute, assemble, publish) and deliver (published →
                                    visible)
                 preview-noop       a save that changes nothing → the preview has answered
  large-10x/100x cold HTML build on synthetic data 10× / 100× the measures

Peak memory is the largest sum of the proportional set sizes (PSS) of the build process and all its
descendants (worker processes, kernel template, kernels), sampled every 50 ms from /proc; for the preview scenarios it is the
preview's process tree over all its runs (the browser is not counted).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "lib"))

from berichtswerk.data.gliederung import load_structure


def pss_tree_kib(pid: int) -> int:
    """Memory of a process tree: the sum of proportional set sizes. Kernels forked from one template
    share most of their pages; a sum of resident sizes would count those pages once per kernel, PSS
    counts each page once in total."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


class PeakMemory:
    """Samples a process tree's memory every ``interval`` seconds in a thread until stopped; ``peak``
    in KiB. A sample costs ~10 ms of CPU (smaps_rollup of every process), so timed runs do not sample:
    on 2 cores every 50 ms that is a fifth of a core taken from the build."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.peak, self.interval = pid, 0, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, pss_tree_kib(self.pid))
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(cmd: list[str], cwd: Path = ROOT, memory: bool = False) -> tuple[float, int]:
    """Run ``cmd``; return (seconds, peak KiB of its process tree if ``memory``, else 0). Fails loudly
    on error."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = PeakMemory(proc.pid) if memory else None
    _, err = proc.communicate()
    peak = sampler.stop() if sampler else 0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return time.perf_counter() - start, peak


def naive_loop(data: Path, work: Path) -> list[str]:
    """The shell loop a user would otherwise write, as one bash script."""
    lines = ["set -e"]
    for s in load_structure(data).sections():
        out = work / f"{s.key}.ipynb"
        params = " ".join(f"-p {k} {sh(str(v))}" for k, v in {**s.parameter, "data_dir": str(data)}.items())
        lines.append(f"{BIN}/papermill {sh(str(s.notebook_path))} {sh(str(out))} {params} --no-progress-bar")
        lines.append(f"{BIN}/jupyter nbconvert --to html {sh(str(out))}")
    return ["bash", "-c", "\n".join(lines)]


def sh(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def build(data: Path, out: Path, formats: str) -> list[str]:
    return [str(BIN / "berichtswerk"), "build", "--data", str(data), "--out", str(out), "--format", formats]


def copy_report(data: Path, folder: Path) -> Path:
    """A copy of the report: its data and, if it has them, its own notebooks; returns the data folder."""
    shutil.copytree(data, folder / "data")
    if own_notebooks(data):
        shutil.copytree(data.parent / "notebooks", folder / "notebooks")
    return folder / "data"


def synthetic(source: Path, folder: Path, factor: int) -> Path:
    """A copy of the report with every measure repeated ``factor`` times under new numbers."""
    target = copy_report(source, folder)
    with (source / "massnahmen.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    out = [header]
    for copy in range(factor):
        for row in body:
            row = list(row)
            if row[0] and copy:
                row[0] = str(int(row[0]) + copy * 1000) if row[0].isdigit() else f"{row[0]}{copy}"
            if copy:
                row[3] += f" ({copy + 1})"
            out.append(row)
    with (target / "massnahmen.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(out)
    return target


def edit_measure(data: Path, text: str) -> str:
    """Append ``text`` to the first numbered measure's description (replacing an earlier append)."""
    path = data / "massnahmen.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    row = next(r for r in rows[1:] if r[0])
    column = rows[0].index("beschreibung")
    row[column] = row[column].split(" [Bench")[0] + f" [Bench {text}]"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return f"[Bench {text}]"


def edit_handlungsfeld(data: Path, text: str) -> str:
    """Append ``text`` to the first line of the first Handlungsfeld's introduction (replacing an
    earlier append)."""
    path = data / "handlungsfelder.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    line = next(i for i, line in enumerate(lines) if line.strip() == "einleitung: |-") + 1
    marker = f"[Bench {text}]"
    lines[line] = re.sub(r" \[Bench [^\]]*\]$", "", lines[line]) + f" {marker}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return marker


def edit_notebook(data: Path, text: str) -> str:
    """Append ``text`` to the first paragraph of the longest Markdown cell of the report's first own
    notebook (``notebooks/`` beside ``data/``), replacing an earlier append."""
    import json

    path = sorted((data.parent / "notebooks").glob("*.ipynb"))[0]
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = max((c for c in notebook["cells"] if c["cell_type"] == "markdown"), key=lambda c: len("".join(c["source"])))
    source = re.sub(r" \[Bench [^\]]*\]", "", "".join(cell["source"]))
    first, _, rest = source.partition("\n")
    marker = f"[Bench {text}]"
    cell["source"] = f"{first} {marker}" + ("\n" + rest if rest else "")
    path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return marker


def own_notebooks(data: Path) -> bool:
    return any((data.parent / "notebooks").glob("*.ipynb"))


#: In the open page: note the time (ms since the epoch) when a text appears, checked at every DOM change.
WATCH = """
const marker = '[Bench ' + arguments[0] + ']';
window.__gesehen = null;
const check = () => { if (window.__gesehen === null && document.body.innerText.includes(marker)) {
  window.__gesehen = performance.timeOrigin + performance.now(); } };
new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true});
check();
"""


def preview_runs(data: Path, tmp: Path, runs: int, results: dict, split: dict) -> None:
    """The preview in a real browser: time from saving a file to the preview's answer and to the
    new text in the open page."""
    import json
    import urllib.request

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    work = copy_report(data, tmp / "preview")
    proc = subprocess.Popen([str(BIN / "berichtswerk"), "vorschau", "--data", str(work), "--out",
                             str(tmp / "preview-out"), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = None
    for line in proc.stdout:
        if match := re.search(r"(http://127\.0\.0\.1:\d+/)", line):
            url = match.group(1)
            break
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # keep the pipe drained
    memory = PeakMemory(proc.pid, interval=1.0)  # sparse: the timed edits run meanwhile

    def state() -> dict:
        with urllib.request.urlopen(f"{url}__vorschau/stand", timeout=5) as response:
            return json.loads(response.read())

    def until(check, seconds: float = 600) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            current = state()
            if check(current):
                return current
            time.sleep(0.02)
        raise SystemExit(f"preview did not answer: {current}")

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp / 'chromium'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    try:
        until(lambda s: s["ok"] is True)
        driver.get(url)
        edit_measure(work, "warm-up")  # the first edit imports what the no-op start did not need
        until(lambda s: s["stand"] >= 2 and s["ok"] is True)
        built, seen, noop = [], [], []
        stages: dict[str, list[float]] = {}
        edits = [("Maßnahme", edit_measure, "massnahmen.csv"), ("Handlungsfeld", edit_handlungsfeld,
                                                               "handlungsfelder.yaml")]
        if own_notebooks(work):
            edits.append(("Notebook", edit_notebook,
                          "../notebooks/" + sorted((work.parent / "notebooks").glob("*.ipynb"))[0].name))
        for i in range(runs):
            for kind, edit, name in edits:
                before = state()["stand"]
                # the page notes when the new text appears; polling it every 2 ms from outside took CPU
                # from the preview it measures
                tag = f"v{i}{kind[:2]}"  # each edit its own text: one already on the page counts at once
                driver.execute_script(WATCH, tag)
                edit(work, tag)
                saved = os.stat(work / name).st_mtime
                current = until(lambda s, before=before: s["stand"] > before)
                built.append(current["begonnen"] + current["sekunden"] - saved)
                visible = None
                while visible is None:
                    visible = driver.execute_script("return window.__gesehen")
                    time.sleep(0.02)
                visible = visible / 1000
                seen.append(visible - saved)
                times = {"erkennen": current["begonnen"] - saved, **current["zeiten"],
                         "ausliefern": visible - current["begonnen"] - current["sekunden"]}
                for stage, seconds in times.items():
                    stages.setdefault(stage, []).append(seconds)
                print(f"  preview-edit   run {i + 1} {kind}: built {built[-1]:.2f} s, seen {seen[-1]:.2f} s "
                      f"({', '.join(f'{k} {v:.2f}' for k, v in times.items())})", flush=True)
        split.update({stage: statistics.median(values) for stage, values in stages.items()})
        for i in range(runs):
            before = state()["stand"]
            path = work / "massnahmen.csv"
            start = time.perf_counter()
            path.write_bytes(path.read_bytes())
            until(lambda s, before=before: s["stand"] > before)
            noop.append(time.perf_counter() - start)
            print(f"  preview-noop   run {i + 1}: {noop[-1]:.2f} s", flush=True)
    finally:
        driver.quit()
        peak = memory.stop()
        proc.send_signal(2)
        proc.wait(timeout=60)
    for label, times in (("preview-edit-html", built), ("preview-edit-seen", seen), ("preview-noop", noop)):
        results[label] = (statistics.median(times), peak, times)


def median_runs(label: str, runs: int, prepare, command, results: dict) -> None:
    """``runs`` timed runs, then one more that samples memory (and is not timed)."""
    times = []
    for i in range(runs):
        cmd, cwd = prepare(i)
        seconds, _ = timed(cmd, cwd)
        times.append(seconds)
        print(f"  {label:<14} run {i + 1}: {seconds:6.2f} s", flush=True)
    cmd, cwd = prepare(runs)
    _, peak = timed(cmd, cwd, memory=True)
    print(f"  {label:<14} memory run: peak {peak / 1024:7.0f} MiB", flush=True)
    results[label] = (statistics.median(times), peak, times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true", help="skip the 10×/100× synthetic builds")
    parser.add_argument("--skip-preview", action="store_true", help="skip the preview scenarios (need Chromium)")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="data folder to measure (any valid one)")
    args = parser.parse_args()
    data = args.data.resolve()
    tmp = Path(tempfile.mkdtemp(prefix="berichtswerk-bench-"))
    results: dict[str, tuple[float, int, list[float]]] = {}
    print(f"Benchmarks on {os.cpu_count()} cores, {args.runs} runs each, work folder {tmp}")

    def fresh(name: str) -> Path:
        path = tmp / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    median_runs("naive", args.runs, lambda i: (naive_loop(data, fresh(f"naive{i}")), ROOT), None, results)
    median_runs("cold-html", args.runs, lambda i: (build(data, fresh(f"html{i}"), "html"), ROOT), None, results)
    median_runs("cold-html-pdf", args.runs, lambda i: (build(data, fresh(f"pdf{i}"), "html,pdf"), ROOT), None, results)
    median_runs("noop", args.runs, lambda i: (build(data, tmp / "pdf0", "html,pdf"), ROOT), None, results)

    edit_data = copy_report(data, tmp / "edit")
    edit_out = fresh("edit-out")
    timed(build(edit_data, edit_out, "html,pdf"))

    def edit(i: int) -> tuple[list[str], Path]:
        edit_measure(edit_data, str(i))
        return build(edit_data, edit_out, "html,pdf"), ROOT

    median_runs("edit-one", args.runs, edit, None, results)

    html_out = fresh("edit-html-out")
    timed(build(edit_data, html_out, "html"))

    def edit_html(i: int) -> tuple[list[str], Path]:
        edit(i + 100)
        return build(edit_data, html_out, "html"), ROOT

    median_runs("edit-one-html", args.runs, edit_html, None, results)

    split: dict[str, float] = {}
    if not args.skip_preview:
        preview_runs(data, tmp, args.runs, results, split)

    if not args.skip_large:
        for factor in (10, 100):
            big = synthetic(data, tmp / f"bericht-{factor}x", factor)
            median_runs(f"large-{factor}x", 1 if factor == 100 else args.runs,
                        lambda i, big=big, factor=factor: (build(big, fresh(f"out-{factor}x-{i}"), "html"), ROOT),
                        None, results)

    naive, cold_html, cold_pdf = results["naive"][0], results["cold-html"][0], results["cold-html-pdf"][0]
    lines = [
        "| Szenario | Median | Läufe (s) | Spitze Speicher (PSS) | Verhältnis, Ziel |",
        "| --- | ---: | --- | ---: | --- |",
    ]
    ratios = {"cold-html": f"{cold_html / naive:.2f} × naiv (Ziel ≤ 0,1)",
              "cold-html-pdf": f"{cold_pdf / naive:.2f} × naiv (Ziel ≤ 0,11)",
              "noop": "Ziel ≤ 0,2 s",
              "edit-one": f"{results['edit-one'][0] / cold_pdf:.2f} × kalt HTML+PDF (Ziel ≤ 0,3)",
              "edit-one-html": f"{results['edit-one-html'][0] / cold_html:.2f} × kalt HTML (Ziel ≤ 1,5 s)",
              "preview-edit-seen": "Ziel ≤ 0,5 s",
              "preview-noop": "Ziel ≤ 0,2 s"}
    if "large-10x" in results:
        ratios["large-10x"] = f"{results['large-10x'][0] / cold_html:.2f} × kalt HTML"
    if "large-100x" in results:
        ratios["large-100x"] = f"{results['large-100x'][0] / cold_html:.2f} × kalt HTML (Ziel ≤ 2)"
    for label, (median, peak, times) in results.items():
        runs = ", ".join(f"{t:.2f}" for t in times)
        lines.append(f"| {label} | {median:.2f} s | {runs} | {peak / 1024:.0f} MiB | {ratios.get(label, '')} |")
    if split:
        lines += ["", "Vorschau, Median je Schritt vom Speichern bis zum sichtbaren Text: "
                  + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in split.items())]
    table = "\n".join(lines)
    print("\n" + table)
    flags = "".join(f" --{name.replace('_', '-')}" for name in ("skip_large", "skip_preview") if getattr(args, name))
    header = (f"Gemessen mit `python benchmarks/run.py --runs {args.runs}{flags}` am {time.strftime('%Y-%m-%d')} "
              f"auf {os.cpu_count()} Kernen.\n\n")
    (ROOT / "benchmarks" / "results.md").write_text(header + table + "\n", encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
