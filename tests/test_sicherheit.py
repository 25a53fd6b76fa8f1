"""Safe by construction: content from data is never active, handoff files are inert, runs are bounded
and interruptible, ``check`` guards what the build reads, and every user error is one sentence."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from berichtswerk.cli import main
from bs4 import BeautifulSoup
from conftest import build, read_rows, row_of, write_rows

BERICHTSWERK = str(Path(sys.executable).with_name("berichtswerk"))
PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    "[Link](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">Daten</a>',
    '<a rel="attachment" href="file:///etc/passwd">Anhang</a>',
    '<link rel="attachment" href="file:///etc/hostname">',
    '<iframe src="https://example.org"></iframe>',
]


def inject(data: Path) -> None:
    """Every payload into every kind of prose: a text file, YAML prose, a source URL, a table cell."""
    payload = "\n\n".join(PAYLOADS)
    text = data / "texte" / "einleitung.md"
    text.write_text(text.read_text(encoding="utf-8") + "\n\n" + payload + "\n", encoding="utf-8")
    doc = yaml.safe_load((data / "handlungsfelder.yaml").read_text(encoding="utf-8"))
    doc["handlungsfelder"][0]["einleitung"] += "\n\n" + payload
    doc["handlungsfelder"][0]["beispiele"][0]["text"] += " " + PAYLOADS[0]
    (data / "handlungsfelder.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    rows = read_rows(data / "massnahmen.csv")
    rows[row_of(rows, 1)][4] += " " + " ".join(PAYLOADS)
    rows[row_of(rows, 2)][3] = "=HYPERLINK(\"https://example.org\";\"klick\")"
    rows[row_of(rows, 3)][3] = "+SUM(1;2)"
    rows[row_of(rows, 4)][3] = "@WEBSERVICE(\"x\")"
    rows[row_of(rows, 5)][3] = "-2+3"
    write_rows(data / "massnahmen.csv", rows)


def test_check_names_every_place_with_markup_that_will_be_removed(beispiel: Path, capsys) -> None:
    inject(beispiel)
    assert main(["check", "--data", str(beispiel)]) == 0  # removed, not fatal: the author is told
    out = capsys.readouterr().out
    assert re.search(r"texte/einleitung\.md, Zeile \d+: nicht erlaubter Inhalt wird entfernt: <script>", out)
    assert "handlungsfelder.yaml, Handlungsfeld „Arbeit und Qualifizierung“, einleitung: nicht erlaubter" in out
    assert "Beispiel 1: nicht erlaubter Inhalt" in out


def test_no_active_content_in_any_output_and_no_file_in_the_pdf(beispiel: Path, tmp_path: Path, capsys) -> None:
    inject(beispiel)
    out = tmp_path / "out"
    code, text = build(beispiel, out, capsys, formats={"html", "pdf"})
    assert code == 0, text
    assert "nicht erlaubter Inhalt wird entfernt" in text
    pages = [out / "bericht.html", out / "design" / "bericht.html", *(out / "kapitel").glob("*.html")]
    for page in pages:
        markup = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(markup, "html.parser")
        assert not soup.find_all(["script", "iframe", "object", "embed", "form"]), page
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)], page
        for tag in soup.find_all(True):  # table cells show such text escaped; no tag may carry it
            for attr in ("href", "src", "action", "data"):
                value = str(tag.get(attr, "")).strip().lower()
                assert not value.startswith(("javascript:", "data:text", "file:", "vbscript:")), (page, tag)
            assert "attachment" not in tag.get("rel", []), (page, tag)
    assert "Daten" in (out / "bericht.html").read_text(encoding="utf-8")  # the link text stays, inert
    from pypdf import PdfReader

    reader = PdfReader(out / "bericht.pdf")
    assert not reader.attachments
    raw = (out / "bericht.pdf").read_bytes()
    assert b"/EmbeddedFile" not in raw and b"/Launch" not in raw and b"/JavaScript" not in raw


def test_handoff_tables_are_inert(beispiel: Path, tmp_path: Path, capsys) -> None:
    rows = read_rows(beispiel / "massnahmen.csv")
    formulas = {"2": '=HYPERLINK("https://example.org";"klick")', "3": "+SUM(1;2)", "4": '@WEBSERVICE("x")',
                "5": "-2+3"}  # (a leading tab never reaches the handoff: cells are stripped on reading)
    for nr, title in formulas.items():
        rows[row_of(rows, int(nr))][3] = title
    write_rows(beispiel / "massnahmen.csv", rows)
    assert build(beispiel, tmp_path / "out", capsys, formats={"html"})[0] == 0
    from openpyxl import load_workbook

    tables = tmp_path / "out" / "design" / "tabellen"
    csv_rows = read_rows(tables / "4-1_liste_massnahmen.csv")
    titles = {r[0]: r[3] for r in csv_rows[1:]}
    for nr, title in formulas.items():
        assert titles[nr] == "'" + title
    sheet = load_workbook(tables / "4-1_liste_massnahmen.xlsx").active
    cells = {str(row[0].value): row[3] for row in sheet.iter_rows(min_row=2)}
    for nr, title in formulas.items():
        assert cells[nr].data_type == "s" and cells[nr].value == title
    assert "Apostroph" in (tmp_path / "out" / "design" / "LIESMICH.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: (d / "ziele.csv").write_text((d / "ziele.csv").read_text(encoding="utf-8")
                                            + "Wohnen,Wohnraum schaffen\n", encoding="utf-8"),
     "ziele.csv, Zeile 7, Spalte „ziel“: Ziel kommt im Handlungsfeld mehrfach vor (Wert: „Wohnraum schaffen“)"),
    (lambda d: (d / "organisationseinheiten.csv").write_text(
        (d / "organisationseinheiten.csv").read_text(encoding="utf-8") + "XX,,B,mitgewirkt\n", encoding="utf-8"),
     "organisationseinheiten.csv, Zeile 9, Spalte „name“: Pflichtfeld ist leer"),
    (lambda d: (d / "texte" / "vorwort.md").unlink(),
     "gliederung.yaml, Eintrag 1, Spalte „text“: Text nicht gefunden (Wert: „vorwort“)"),
    (lambda d: (d / "texte" / "vorwort.md").write_bytes("Grüße".encode("latin-1")),
     "texte/vorwort.md: Datei ist nicht UTF-8-kodiert"),
    (lambda d: (d / "handlungsfelder.yaml").write_text(
        (d / "handlungsfelder.yaml").read_text(encoding="utf-8").replace("slug: wohnen", "slug: arbeit"),
        encoding="utf-8"),
     "handlungsfelder.yaml, Handlungsfeld Nr. 2 der Liste, Spalte „slug“: Kurzname kommt mehrfach vor"),
    (lambda d: (d / "bericht.yaml").write_text(
        (d / "bericht.yaml").read_text(encoding="utf-8").replace("titel: Gemeinsam in Birkenau\n", ""),
        encoding="utf-8"),
     "bericht.yaml, titel: Angabe „titel“ fehlt"),
])
def test_check_catches_what_would_break_the_build(beispiel: Path, capsys, change, expected: str) -> None:
    change(beispiel)
    assert main(["check", "--data", str(beispiel)]) == 2
    assert expected in capsys.readouterr().err


def test_one_root_cause_is_reported_once(beispiel: Path, capsys) -> None:
    path = beispiel / "handlungsfelder.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  slug: wohnen", " slug: [wohnen"), encoding="utf-8")
    assert main(["check", "--data", str(beispiel)]) == 2
    err = capsys.readouterr().err
    problems = [line for line in err.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1, problems
    assert "handlungsfelder.yaml" in problems[0] and "YAML nicht lesbar" in problems[0]


@pytest.mark.parametrize("args", [
    ["build", "--jobs", "0"], ["build", "--jobs", "-3"], ["build", "--jobs", "zwei"],
    ["build", "--format", "odt"], ["build", "--zeitlimit", "0"], ["check", "--data", "/gibt/es/nicht"],
])
def test_usage_errors_exit_2_with_a_sentence(args: list[str], beispiel: Path) -> None:
    result = subprocess.run([BERICHTSWERK, *args, *(["--data", str(beispiel)] if "--data" not in args else [])],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_log_lines_carry_time_and_data_fingerprint(beispiel: Path, tmp_path: Path) -> None:
    result = subprocess.run([BERICHTSWERK, "build", "--data", str(beispiel), "--out", str(tmp_path / "o"),
                             "--format", "html"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    first, last = result.stdout.splitlines()[0], result.stdout.splitlines()[-1]
    stamp = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} "
    assert re.match(stamp + r"Start: .*Daten [0-9a-f]{12}", first), first
    assert re.match(stamp + r"Ende: .*Daten [0-9a-f]{12}", last), last
