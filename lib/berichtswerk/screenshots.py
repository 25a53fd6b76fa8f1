"""Pictures of the built report, to look at it as a reader would (``make screenshots``):
headless-Chromium screenshots of the title page, one Handlungsfeld, the summary and the appendix,
and the PDF's pages via ``pdftoppm``. Writes into ``<out>/screenshots/``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from . import browser
from .paths import DEFAULT_OUTPUT_DIR

PAGES = {
    "titelseite": "bericht.html",
    "handlungsfeld_3-3": "kapitel/3-3_gefluechtete.html",
    "zusammenfassung_4": "kapitel/4_zusammenfassung_ausblick.html",
    "anhang_6": "kapitel/5-6_anhang.html",
}


def take(out_dir: Path, pdf_dpi: int = 60) -> list[Path]:
    target = out_dir / "screenshots"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    written = []
    if browser.chromium():
        for name, page in PAGES.items():
            written.append(browser.screenshot(out_dir / page, target / f"html_{name}.png", height=2400))
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
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT_DIR
    written = take(out_dir)
    print(f"{len(written)} Bilder in {out_dir / 'screenshots'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
