"""Developer tooling, not part of the installed tool. Headless Chromium for checks a person would do: screenshots of the report and an axe-core
accessibility audit. Uses Debian's ``chromium`` and the npm package ``axe-core``; both are optional
at run time – :func:`missing` says what is not installed, so tests can skip with that reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

#: The checkout (``make browser`` installs axe-core into its ``node_modules``).
CHECKOUT = Path(__file__).resolve().parents[2]
AXE_PATHS = (CHECKOUT / "node_modules" / "axe-core" / "axe.min.js",)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--hide-scrollbars", "--disable-extensions"]


def chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def axe_script() -> Path | None:
    return next((p for p in AXE_PATHS if p.is_file()), None)


def missing() -> list[str]:
    reasons = []
    if not chromium():
        reasons.append("Chromium fehlt (Debian-Paket „chromium“: apt-get install chromium)")
    if not axe_script():
        reasons.append("axe-core fehlt (npm install --no-save axe-core@4 im Projektordner)")
    return reasons


def _run(args: list[str], timeout: int = 180) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run([chromium(), *_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout, check=False)


def screenshot(page: Path, target: Path, width: int = 1280, height: int = 1800) -> Path:
    """PNG of the top ``width`` × ``height`` pixels of a local HTML file."""
    _run([f"--window-size={width},{height}", f"--screenshot={target}", page.resolve().as_uri()])
    if not target.is_file():
        raise RuntimeError(f"Chromium hat keinen Screenshot von {page} erzeugt")
    return target


def axe_audit(page: Path, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core on a copy of ``page`` with the script inlined; return the violations."""
    script = axe_script()
    if script is None or not chromium():
        raise RuntimeError("; ".join(missing()))
    markup = page.read_text(encoding="utf-8")
    runner = (
        "<script>" + script.read_text(encoding="utf-8") + "</script>\n<script>\n"
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(tags or WCAG_TAGS)}}}, "
        "resultTypes: ['violations']}).then(function (r) {\n"
        "  var out = document.createElement('pre'); out.id = 'axe-ergebnis';\n"
        "  out.textContent = JSON.stringify(r.violations.map(function (v) { return {id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' ') + ' :: ' +"
        " n.failureSummary; })}; }));\n"
        "  document.body.appendChild(out);\n"
        "}).catch(function (e) { var out = document.createElement('pre'); out.id = 'axe-fehler';"
        " out.textContent = String(e); document.body.appendChild(out); });\n</script>\n"
    )
    with tempfile.TemporaryDirectory(prefix="axe-") as folder:
        copy = Path(folder) / page.name
        copy.write_text(markup.replace("</body>", runner + "</body>"), encoding="utf-8")
        result = _run(["--virtual-time-budget=60000", "--dump-dom", copy.as_uri()])
    dom = result.stdout
    start = dom.find('<pre id="axe-ergebnis">')
    if start < 0:
        error = dom[dom.find('<pre id="axe-fehler">'):][:500] if 'axe-fehler' in dom else result.stderr[-800:]
        raise RuntimeError(f"axe-core lieferte kein Ergebnis: {error}")
    body = dom[start + len('<pre id="axe-ergebnis">'): dom.find("</pre>", start)]
    import html

    return json.loads(html.unescape(body))
