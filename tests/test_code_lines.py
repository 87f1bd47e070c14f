"""Line numbers as Python's parser counts them (offramp/syntax/lines.py): a form feed, a vertical tab or a Unicode
line separator inside a module is whitespace to the tokenizer but a line break to `str.splitlines`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import concise_check, run_cli

from offramp.syntax.lines import code_lines

APP = (
    "from openai import OpenAI\n"
    "from settings import CHAT_MODEL\n"
    "{sep}\n"
    "{sep}\n"
    "client = OpenAI()\n"
    "\n"
    "def ask(q):\n"
    "    return client.chat.completions.create(model=CHAT_MODEL, messages=[q])  # the request\n"
)


@pytest.mark.parametrize("sep", ["\x0c", "# \x0b", "S = '\u2028'", "x = 1  # \x1c\x85"])
def test_code_lines_number_lines_as_the_parser_does(sep: str) -> None:
    text = APP.format(sep=sep) + "y = 2\r\nz = 3\rw = 4\n"
    lines = code_lines(text)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "create":
            assert "# the request" in lines[node.lineno - 1]
    assert lines[-3:] == ["y = 2", "z = 3", "w = 4"]
    assert "".join(code_lines(text, keepends=True)) == text


@pytest.mark.parametrize("sep", ["\x0c", "# \u2028 (a line separator in a comment)"])
def test_a_form_feed_does_not_hide_a_route_from_check_or_fix(tmp_path: Path, sep: str) -> None:
    """Before, the index's line table drifted by one line per form feed: the request's route was lost, the settings
    module's model went unreported, and after `fix` moved the client check said "All checks passed!" while gpt-4o
    went to the provider."""
    (tmp_path / "settings.py").write_text('CHAT_MODEL = "gpt-4o"\n', encoding="utf-8")
    (tmp_path / "app.py").write_text(APP.format(sep=sep), encoding="utf-8", newline="")
    before = concise_check(tmp_path)
    assert any(line.startswith("settings.py:1:14: OFR201") and "[*]" in line for line in before), before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert "gpt-4o" not in (tmp_path / "settings.py").read_text(encoding="utf-8")
    assert "All checks passed!" in "\n".join(concise_check(tmp_path))


def test_noqa_after_a_form_feed_suppresses_its_own_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        '\x0c\nURL = "https://api.openai.com/v1"  # noqa: OFR106\nOTHER = "https://api.openai.com/v1"\n',
        encoding="utf-8",
        newline="",
    )
    lines = concise_check(tmp_path)
    assert [line.split(":")[1] for line in lines if "OFR106" in line] == ["3"], lines
