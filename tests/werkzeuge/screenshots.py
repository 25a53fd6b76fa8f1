"""Developer tooling (``make screenshots``: ``python -m werkzeuge.screenshots OUTPUTS`` with ``tests/`` on
the path). Pictures of the built report, to look at it as a reader would (``make screenshots``): a headless
Chromium screenshot of the title page and of every chapter file, and every PDF page via ``pdftoppm``.
Works for any report: the pages are whatever the build wrote. Writes into ``<out>/screenshots/``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from werkzeuge import browser


def take(out_dir: Path, pdf_dpi: int = 60) -> list[Path]:
    target = out_dir / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("html_*.png"):
        old.unlink()
    for old in target.glob("pdf_seite-*.png"):
        old.unlink()
    written = []
    pages = [("titelseite", out_dir / "bericht.html")] + [
        (f"kapitel_{p.stem}", p) for p in sorted((out_dir / "kapitel").glob("*.html"))]
    if browser.chromium():
        for name, page in pages:
            if page.is_file():
                written.append(browser.screenshot(page, target / f"html_{name}.png", height=2400))
    else:
        print("Chromium fehlt: keine HTML-Screenshots (apt-get install chromium)", file=sys.stderr)
    pdf = out_dir / "bericht.pdf"
    if shutil.which("pdftoppm") and pdf.is_file():
        subprocess.run(["pdftoppm", "-r", str(pdf_dpi), "-png", str(pdf), str(target / "pdf_seite")], check=True)
        written += sorted(target.glob("pdf_seite-*.png"))
    else:
        print("pdftoppm (Debian-Paket poppler-utils) oder bericht.pdf fehlt: keine PDF-Seiten", file=sys.stderr)
    return written


def main() -> int:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("outputs")
    written = take(out_dir)
    print(f"{len(written)} Bilder in {out_dir / 'screenshots'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
