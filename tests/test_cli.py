"""The command line speaks German, documents every option it has, and turns every user mistake into
one sentence with its exit code."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from berichtswerk.cli import _parser, main
from berichtswerk.core.exitcodes import ExitCode
from conftest import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def help_text(args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def commands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def options(command: argparse.ArgumentParser) -> list[str]:
    return [s for a in command._actions for s in a.option_strings if s.startswith("--") and s != "--help"]


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_option_of_every_command_is_explained_in_help_and_readme(name: str, capsys) -> None:
    command = commands()[name]
    text = help_text([name, "--help"], capsys)
    assert command.description and "usage" not in text and "Aufruf:" in text
    for action in command._actions:
        if action.option_strings and action.option_strings[0] != "-h":
            assert action.help, f"{name} {action.option_strings}: ohne Erklärung"
            assert action.option_strings[-1] in text
    assert f"berichtswerk {name}" in README, f"Befehl {name} steht nicht im README"
    for option in options(command):
        assert option in README, f"{name} {option} steht nicht im README"


def test_exit_codes_are_those_of_the_readme(capsys) -> None:
    text = help_text(["build", "--help"], capsys)
    for code in ExitCode:
        assert f"{code.value} {code.meaning}" in " ".join(text.split())
        assert f"| {code.value} |" in README


def test_check_help_explains_rows_and_exit_codes(capsys) -> None:
    text = help_text(["check", "--help"], capsys)
    assert "--measures" in text and "Kopfzeile = Zeile 1" in text and "Exit-Code" in text


def test_unknown_format_is_rejected(capsys) -> None:
    assert main(["build", "--format", "docx,odt,rtf"]) == ExitCode.BAD_DATA
    assert "Unbekanntes Format: odt, rtf. Erlaubt: html, pdf, docx" in capsys.readouterr().err


def test_version_names_the_tool(capsys) -> None:
    from berichtswerk import __version__

    assert help_text(["--version"], capsys).strip() == f"berichtswerk {__version__}"


def test_no_report_folder_is_one_sentence(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BERICHTSWERK_DATA", raising=False)
    assert main(["check"]) == ExitCode.BAD_DATA
    err = capsys.readouterr().err
    assert "Datenordner" in err and "berichtswerk neu" in err and "Traceback" not in err


def test_check_reads_notebooks_without_the_slow_iri_checker(tmp_path: Path) -> None:
    """jsonschema imports rfc3987_syntax when it is installed (Jupyter installs it) and compiles some
    forty grammars doing so – most of what ``berichtswerk check`` used to take. The command line
    leaves it out; nbformat never checks that string format."""
    import subprocess
    import sys

    probe = ("import sys\nfrom berichtswerk.cli import main\ncode = main(['check'])\n"
             "print(code, sys.modules.get('jsonschema') is not None, sys.modules.get('rfc3987_syntax') is not None)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.stdout.split()[-3:] == ["0", "True", "False"], result.stdout + result.stderr
