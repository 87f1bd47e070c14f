"""The output a Ruff user expects (issue 15): `check --fix`, `-q`, `--show-settings`,
`--statistics` with names and fixable counts, `--output-format` on `fix`, JSON and unwrapped
tables from `providers`, "did you mean", a bad configured `target` naming its file, and
markdown whose code spans render. In-process (CliRunner): the CLI contract, not start-up, is tested.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXTURES, compare_snapshot
from markdown_it import MarkdownIt

from offramp import quickcheck
from offramp.cli import main

APP = "from openai import OpenAI\n\nclient = OpenAI()\nclient.chat.completions.create(model='gpt-4o', messages=[])\n"
KEYED = 'import openai\nopenai.api_key = "sk-proj-4fT9qLm2Xw8ZpR6vB1nK3sD7"\n'
# what fix leaves: an API Qwen does not serve, through a client that also sends chat (so the client moves)
ASSISTANTS = (
    "from openai import OpenAI\n\nclient = OpenAI()\nclient.beta.assistants.create(model='gpt-4o')\n"
    "client.chat.completions.create(model='gpt-4o', messages=[])\n"
)
# an Assistants-only client: Qwen answers none of its requests, so fix leaves it whole (project/unserved.py)
ASSISTANTS_ONLY = "from openai import OpenAI\n\nOpenAI().beta.assistants.create(model='gpt-4o')\n"
GOLDEN = FIXTURES / "cli-output"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("OFFRAMP_OUTPUT_FORMAT", "OFFRAMP_OUTPUT_FILE", "OFFRAMP_CACHE_DIR", "GITHUB_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "keys.py").write_text(KEYED, encoding="utf-8")
    return tmp_path


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_statistics_name_rules_and_count_fixable(project: Path) -> None:
    result = cli("check", "-n", "-j", "1", "--statistics")
    assert result.exit_code == 1
    compare_snapshot(result.stdout, GOLDEN / "statistics.txt")
    rows = json.loads(cli("check", "-n", "-j", "1", "--statistics", "--output-format", "json").stdout)
    assert {r["code"]: (r["name"], r["count"], r["fixable"]) for r in rows} == {
        "OFR101": ("openai-client", 1, 1),
        "OFR103": ("module-client-config", 1, 1),
        "OFR201": ("openai-model", 1, 1),
        "OFR302": ("hardcoded-api-key", 1, 0),
    }
    quiet = cli("check", "-n", "-j", "1", "--statistics", "-q")
    assert quiet.stdout == "".join(line + "\n" for line in result.stdout.splitlines()[:4])


def test_quiet_prints_findings_only(project: Path) -> None:
    loud = cli("check", "-n", "-j", "1", "--output-format", "concise")
    quiet = cli("check", "-n", "-j", "1", "--output-format", "concise", "-q")
    assert quiet.exit_code == loud.exit_code == 1
    assert loud.stdout.startswith(quiet.stdout) and "Found 4 findings" in loud.stdout
    assert [line.split(":")[0] for line in quiet.stdout.splitlines()] == ["app.py", "app.py", "keys.py", "keys.py"]
    full = cli("check", "-n", "-j", "1", "-q")
    assert "Summary" not in full.stdout and "Found" not in full.stdout and "OFR101" in full.stdout
    (project / "app.py").unlink()
    (project / "keys.py").unlink()
    (project / "clean.py").write_text("print('hi')\n", encoding="utf-8")
    clean = cli("check", "-n", "-q")
    assert (clean.exit_code, clean.output) == (0, "")
    assert quickcheck.run(["-q"]) == 0  # the fast path agrees: nothing printed (capsys-free: stdout is CliRunner's)


def test_quiet_fast_path_prints_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "clean.py").write_text("print('hi')\n", encoding="utf-8")
    assert quickcheck.run(["--quiet"]) == 0
    assert capsys.readouterr().out == ""
    for declined in (["--fix"], ["--show-settings"], ["--statistics"]):
        assert quickcheck.run(declined) is None


def test_check_fix_is_fix_then_check(project: Path) -> None:
    (project / "assist.py").write_text(ASSISTANTS, encoding="utf-8")
    result = cli("check", "--fix", "--to", "qwen", "-j", "1", "--output-format", "concise")
    assert 'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"' in (project / "app.py").read_text()
    # what remains is reported in the check's format
    # (the Assistants API: shut down by OpenAI (OFR108) and not served by Qwen (OFR401))
    lines = result.stdout.splitlines()
    assert [line.split(": ")[1].split()[0] for line in lines[:-1]] == ["OFR108", "OFR401"], lines
    assert all(line.startswith("assist.py:") for line in lines[:-1])
    assert lines[-1] == "Found 2 findings in 1 of 3 files."
    assert "Rewrote 3 files for Qwen" in result.stderr
    assert result.exit_code == 1
    again = cli(
        "check",
        "--fix",
        "--to",
        "qwen",
        "-j",
        "1",
        "--output-format",
        "concise",
        "--select",
        "OFR1",
        "--ignore",
        "OFR108",
    )
    assert (again.exit_code, again.stdout) == (0, "All checks passed! (3 files checked)\n")


def test_check_fix_reports_what_check_then_says(project: Path) -> None:
    """`check --fix` reported each fixed file's own findings: a client the route gate held (an Assistants-only
    client Qwen answers nothing of) came out `[*]`, which the `check` after it does not say."""
    (project / "assist.py").write_text(ASSISTANTS_ONLY, encoding="utf-8")
    fixed = cli("check", "--fix", "--to", "qwen", "-j", "1", "--output-format", "concise")
    then = cli("check", "--no-cache", "--to", "qwen", "-j", "1", "--output-format", "concise")
    assert fixed.stdout == then.stdout
    assert "assist.py:6:1: OFR101" in fixed.stdout and "[*]" not in fixed.stdout


def test_fix_output_format_reports_what_remains(project: Path) -> None:
    (project / "assist.py").write_text(ASSISTANTS, encoding="utf-8")
    result = cli("fix", "--to", "qwen", "-j", "1", "--output-format", "json")
    report = json.loads(result.stdout)
    assert [(f["path"], f["code"]) for f in report["findings"]] == [("assist.py", "OFR108"), ("assist.py", "OFR401")]
    assert result.exit_code == 1 and "Rewrote 3 files" in result.stderr
    both = cli("fix", "--to", "qwen", "--diff", "--output-format", "json")
    assert both.exit_code == 2 and "cannot be combined with --diff" in both.stderr


def test_fix_quiet_prints_no_summary(project: Path) -> None:
    (project / "assist.py").write_text(ASSISTANTS, encoding="utf-8")
    result = cli("fix", "--to", "qwen", "-j", "1", "-q")
    assert result.exit_code == 1 and result.output == ""
    assert "dashscope" in (project / "app.py").read_text()


def test_show_settings(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.offramp]\ntarget = "deepseek"\nignore = ["OFR3"]\nextend-exclude = ["vendor"]\n', encoding="utf-8"
    )
    result = cli("check", "--show-settings")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == f"Settings path: {project / 'pyproject.toml'}"
    assert 'target = "deepseek"' in lines and 'extend-exclude = ["vendor"]' in lines
    enabled = json.loads(next(x for x in lines if x.startswith("enabled-rules = ")).split(" = ", 1)[1])
    assert "OFR101" in enabled and not any(c.startswith("OFR3") for c in enabled)
    assert 'key-env = "DEEPSEEK_API_KEY"' in lines


def test_providers_json_and_unwrapped_tables() -> None:
    data = json.loads(cli("providers", "--output-format", "json").stdout)
    qwen = next(p for p in data if p["id"] == "qwen")
    assert qwen["key_env"] == "DASHSCOPE_API_KEY" and qwen["base_urls"]["cn"].startswith("https://")
    assert len(data) == 13
    table = cli("providers").stdout  # CliRunner's stdout is not a terminal, as in a pipe
    row = next(line for line in table.splitlines() if "│ qwen " in line)
    assert "DASHSCOPE_API_KEY" in row and "https://dashscope.aliyuncs.com/compatible-mode/v1" in row
    assert all(line == line.rstrip() for line in table.splitlines())
    rules = cli("rules").stdout
    row = next(line for line in rules.splitlines() if "OFR401" in line)
    assert row.rstrip().endswith("│") and "assistants anywhere)." in row  # the whole summary on one line


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["check", "--to", "qwn"], None, "unknown provider 'qwn' (did you mean `qwen`?)"),
        (["providers", "show", "deepseak"], None, "(did you mean `deepseek`?)"),
        (
            ["check", "--select", "OFR1O1"],
            None,
            "--select: unknown rule code or prefix 'OFR1O1' (did you mean `OFR101`?)",
        ),
        (["explain", "OFR1O1"], None, "unknown rule 'OFR1O1' (did you mean `OFR101`?)"),
        (
            ["check"],
            'extend-exlude = ["x"]\n',
            "extend-exlude: unknown option (did you mean `extend-exclude`?)",
        ),
        (
            ["check"],
            'ignore = ["OFR3O1"]\n',
            "ignore: unknown rule code or prefix 'OFR3O1' (did you mean `OFR301`?)",
        ),
        (["check"], 'target = "qwne"\n', "pyproject.toml: `target`: unknown provider 'qwne' (did you mean `qwen`?)"),
    ],
)
def test_mistakes_get_a_suggestion_and_name_their_file(project: Path, args, config, message) -> None:
    if config is not None:
        (project / "pyproject.toml").write_text("[tool.offramp]\n" + config, encoding="utf-8")
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("offramp: error: ") and len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    if config is not None:
        assert str(project / "pyproject.toml") in result.stderr


def test_markdown_code_spans_render_on_github(project: Path) -> None:
    text = cli("check", "-n", "-j", "1", "--to", "qwen", "--output-format", "markdown").stdout
    assert "\\`" not in text
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<code>OpenAI</code> sends requests to api.openai.com" in html
    assert "<code>openai fix --to qwen</code>" not in html and "<code>offramp fix --to qwen</code>" in html
    # text outside code spans is still escaped: a message cannot inject markup
    (project / "evil.py").write_text(
        "from openai import OpenAI\nclient = OpenAI(base_url='https://x.openai.azure.com/<b>*hi*</b>')\n",
        encoding="utf-8",
    )
    html = MarkdownIt("commonmark").enable("table").render(cli("check", "-n", "--output-format", "markdown").stdout)
    assert "x.openai.azure.com" in html and "<b>" not in html and "<em>hi</em>" not in html
