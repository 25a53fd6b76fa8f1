from __future__ import annotations

import pytest
from berichtswerk.cli import main


def help_text(args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_build_help_lists_every_option(capsys) -> None:
    text = help_text(["build", "--help"], capsys)
    for option in ("--data", "--out", "--jobs", "--force", "--format"):
        assert option in text
    assert "letzte gute Bericht" in text


def test_check_help_explains_rows_and_exit_codes(capsys) -> None:
    text = help_text(["check", "--help"], capsys)
    assert "--measures" in text and "Kopfzeile = Zeile 1" in text and "Exit-Code" in text


def test_unknown_format_is_rejected(capsys) -> None:
    assert main(["build", "--format", "docx"]) == 2
    assert "Erlaubt: html, pdf" in capsys.readouterr().err
