"""The command line as users drive it: exit codes, formats, config, discovery, errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli, run_process

BLOCKED = "from openai import OpenAI\nclient = OpenAI()\n"
CLEAN = "from openai import OpenAI\nclient = OpenAI(base_url='http://localhost:8000/v1')\n"


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_version_does_not_import_libcst(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "offramp", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("offramp ")
    assert "libcst" not in proc.stderr
    assert "rich" not in proc.stderr


def test_exit_codes(tmp_path: Path) -> None:
    """The process's status (other tests run the command line in-process, see helpers.run_cli)."""
    write(tmp_path, "clean.py", CLEAN)
    assert run_process(["check", "clean.py"], tmp_path).returncode == 0
    write(tmp_path, "bad.py", BLOCKED)
    proc = run_process(["check", "."], tmp_path)
    assert proc.returncode == 1
    assert "bad.py:2:10: OFR101" in proc.stdout
    assert run_process(["check", ".", "--exit-zero"], tmp_path).returncode == 0


def test_concise_format_marks_fixable(tmp_path: Path) -> None:
    write(tmp_path, "a.py", BLOCKED + "import os\nk = os.getenv('OPENAI_ORG_ID')\n")
    out = run_cli(["check", "a.py", "--output-format", "concise"], tmp_path).stdout.splitlines()
    assert out[0].startswith("a.py:2:10: OFR101 ") and out[0].endswith(" [*]")
    assert out[1].startswith("a.py:4:15: OFR301 ") and not out[1].endswith("[*]")


def test_json_format(tmp_path: Path) -> None:
    write(tmp_path, "pkg/a.py", BLOCKED)
    proc = run_cli(["check", "--output-format", "json"], tmp_path)
    doc = json.loads(proc.stdout)
    (f,) = doc["findings"]
    assert {
        k: f[k] for k in ("path", "line", "column", "end_line", "end_column", "code", "name", "severity", "fixable")
    } == {
        "path": "pkg/a.py",
        "line": 2,
        "column": 10,
        "end_line": 2,
        "end_column": 18,
        "code": "OFR101",
        "name": "openai-client",
        "severity": "error",
        "fixable": True,
    }
    assert doc["summary"]["findings"] == 1 and doc["summary"]["by_code"] == {"OFR101": 1}
    assert doc["summary"]["files"] == 1


def test_output_file(tmp_path: Path) -> None:
    write(tmp_path, "a.py", BLOCKED)
    proc = run_cli(["check", "a.py", "--output-format", "json", "-o", "out/report.json"], tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads((tmp_path / "out/report.json").read_text())["summary"]["findings"] == 1


def test_full_format_plain_when_piped(tmp_path: Path) -> None:
    write(tmp_path, "a.py", BLOCKED)
    out = run_cli(["check", "a.py"], tmp_path).stdout
    assert "\x1b[" not in out
    assert "a.py:2:10: OFR101" in out and "client = OpenAI()" in out and "^^^^^^^^" in out
    assert "Found 1 finding" in out


def test_full_format_shows_source_lines_as_written(tmp_path: Path) -> None:
    """Rich replaced `:smile:` in a source line with an emoji, and the caret stood under the wrong column of a line
    indented with a tab (expanded to 8 columns above it, one column in the caret line). The same in colour."""
    from dataclasses import replace

    from offramp.report import ReportContext
    from offramp.report.full import render
    from offramp.types import Finding, Span

    write(tmp_path, "a.py", "if x:\n\tc = OpenAI()  # :smile: [bold]x[/bold]\n")
    f = Finding("a.py", Span(2, 6, 2, 14), "OFR101", "n", "error", "msg [red]", True)
    ctx = ReportContext(files=1, parsed=1, extra={"root": str(tmp_path), "quiet": True})
    plain = render([f], ctx)
    assert plain.splitlines()[:3] == [
        "a.py:2:6: OFR101 msg [red] [*]",
        "     2 |        c = OpenAI()  # :smile: [bold]x[/bold]",
        "       |            ^^^^^^^^",
    ]
    coloured = render([f], replace(ctx, color=True))
    assert "\x1b[" in coloured and re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_full_format_never_prints_keys(tmp_path: Path) -> None:
    key = "sk-proj-Zq81Lm2Xw8ZpR6vB1nK3sD7"
    write(tmp_path, "a.py", f"from openai import OpenAI\nclient = OpenAI(api_key='{key}')\n")
    for fmt in ("full", "concise", "json", "sarif"):
        proc = run_cli(["check", "a.py", "--output-format", fmt], tmp_path)
        assert "OFR302" in proc.stdout
        assert key not in proc.stdout and key[8:] not in proc.stdout, fmt


def test_select_ignore_and_prefixes(tmp_path: Path) -> None:
    write(tmp_path, "a.py", BLOCKED + "import os\nk = os.environ['OPENAI_API_KEY']\n")
    codes = lambda args: [  # noqa: E731
        line.split()[1]
        for line in run_cli(["check", "a.py", "--output-format", "concise", *args], tmp_path).stdout.splitlines()
        if line.startswith("a.py")
    ]
    assert codes([]) == ["OFR101", "OFR301"]
    assert codes(["--select", "OFR3"]) == ["OFR301"]
    assert codes(["--ignore", "OFR301"]) == ["OFR101"]
    assert codes(["--select", "OFR1", "--extend-select", "OFR301"]) == ["OFR101", "OFR301"]
    bad = run_cli(["check", "a.py", "--select", "XYZ9"], tmp_path)
    assert bad.returncode == 2 and "unknown rule code" in bad.stderr and "Traceback" not in bad.stderr


def test_pyproject_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        "[tool.offramp]\nignore = ['OFR301']\nextend-exclude = ['legacy']\n"
        "[tool.offramp.per-file-ignores]\n'tests/*' = ['OFR1']\n",
    )
    write(tmp_path, "app.py", BLOCKED + "import os\nos.environ['OPENAI_API_KEY']\n")
    write(tmp_path, "legacy/old.py", BLOCKED)
    write(tmp_path, "tests/test_x.py", BLOCKED)
    proc = run_cli(["check", "--output-format", "concise"], tmp_path)
    lines = [line for line in proc.stdout.splitlines() if ": OFR" in line]
    assert lines == [line for line in lines if line.startswith("app.py:2:10: OFR101")] and len(lines) == 1


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ("[tool.offramp]\nselct = ['OFR1']\n", "tool.offramp.selct: unknown option"),
        ("[tool.offramp]\nselect = 'OFR1'\n", "tool.offramp.select: expected a list"),
        ("[tool.offramp]\noutput-format = 'xml'\n", "tool.offramp.output-format"),
        ("[tool.offramp\n", "invalid TOML"),
        ("[tool.offramp]\nrespect_gitignore = false\n", "did you mean `respect-gitignore`"),
    ],
)
def test_bad_config_is_one_line_exit_2(tmp_path: Path, config: str, needle: str) -> None:
    write(tmp_path, "pyproject.toml", config)
    write(tmp_path, "a.py", BLOCKED)
    proc = run_cli(["check", "."], tmp_path)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "pyproject.toml" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_standalone_config_file(tmp_path: Path) -> None:
    write(tmp_path, ".offramp.toml", "select = ['OFR3']\n")
    write(tmp_path, "a.py", BLOCKED + "import os\nos.getenv('OPENAI_API_KEY')\n")
    out = run_cli(["check", "--output-format", "concise"], tmp_path).stdout
    assert "OFR301" in out and "OFR101" not in out


def test_unknown_provider_lists_known(tmp_path: Path) -> None:
    write(tmp_path, "a.py", BLOCKED)
    proc = run_cli(["check", "a.py", "--to", "openrouter"], tmp_path)
    assert proc.returncode == 2
    assert "unknown provider 'openrouter'" in proc.stderr
    for known in ("qwen", "ernie", "glm", "kimi", "minimax", "deepseek", "doubao", "hunyuan", "siliconflow"):
        assert known in proc.stderr


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    proc = run_cli(["check", "nope.py"], tmp_path)
    assert proc.returncode == 2 and "path does not exist: nope.py" in proc.stderr


def test_syntax_error_is_a_finding_and_run_continues(tmp_path: Path) -> None:
    write(tmp_path, "broken.py", "import openai\nclient = openai.OpenAI(\n")
    write(tmp_path, "ok.py", BLOCKED)
    proc = run_cli(["check", ".", "--output-format", "concise"], tmp_path)
    assert proc.returncode == 1
    assert "broken.py:2:23: OFR000 cannot parse file: '(' was never closed" in proc.stdout
    assert "ok.py:2:10: OFR101" in proc.stdout


def test_undecodable_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b"import openai\nx = '\xe9'\n")
    proc = run_cli(["check", "latin.py", "--output-format", "concise"], tmp_path)
    assert proc.returncode == 1
    assert "latin.py:1:1: OFR001 cannot read file: not valid utf-8" in proc.stdout


def test_discovery_skips_venvs_build_and_gitignored(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path, ".gitignore", "generated/\nsecret_*.py\n")
    write(tmp_path, "src/app.py", BLOCKED)
    write(tmp_path, "generated/gen.py", BLOCKED)
    write(tmp_path, "src/secret_x.py", BLOCKED)
    write(tmp_path, "node_modules/x.py", BLOCKED)
    write(tmp_path, "build/x.py", BLOCKED)
    write(tmp_path, "myenv/pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "myenv/lib/x.py", BLOCKED)
    write(tmp_path, "stubs/a.pyi", BLOCKED)
    out = run_cli(["check", "--output-format", "concise"], tmp_path).stdout
    paths = sorted({line.split(":")[0] for line in out.splitlines() if ": OFR" in line})
    assert paths == ["src/app.py", "stubs/a.pyi"]
    # explicit files are checked even when ignored, unless --force-exclude
    assert "OFR101" in run_cli(["check", "build/x.py"], tmp_path).stdout
    proc = run_cli(["check", "node_modules/x.py", "--force-exclude", "--extend-exclude", "node_modules"], tmp_path)
    assert proc.returncode == 0
    assert (
        run_cli(["check", "--no-respect-gitignore", "--output-format", "concise"], tmp_path).stdout.count(
            "generated/gen.py"
        )
        == 1
    )


def test_gitignore_is_judged_from_the_repository_not_from_the_cwd(tmp_path: Path) -> None:
    """`offramp check proj` from proj's parent: git must not read `proj/...` relative to proj/."""
    repo = tmp_path / "proj"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    write(repo, ".gitignore", "proj\n/pkg/ignored.py\n")  # a pattern that matches the folder's own name
    write(repo, "pkg/a.py", BLOCKED)
    write(repo, "pkg/ignored.py", BLOCKED)
    (tmp_path / "link").symlink_to(repo)
    for target in ("proj", "link", str(repo)):
        out = run_cli(["check", "--output-format", "concise", target], tmp_path).stdout
        files = sorted({line.split(":")[0].rsplit("/", 1)[-1] for line in out.splitlines() if ": OFR" in line})
        assert files == ["a.py"], (target, out)


def test_rules_and_explain(tmp_path: Path) -> None:
    out = run_cli(["rules"], tmp_path).stdout
    assert "OFR101" in out and "openai-client" in out and "OFR404" in out
    page = run_cli(["explain", "ofr201"], tmp_path)
    assert page.returncode == 0
    assert page.stdout.startswith("OFR201 (openai-model)")
    assert "MODEL = 'gpt-4o-mini'" in page.stdout  # an example from the catalogue
    assert run_cli(["explain", "OFR999"], tmp_path).returncode == 2


def test_python_dash_m_and_help(tmp_path: Path) -> None:
    proc = run_process(["--help"], tmp_path)
    assert proc.returncode == 0
    for cmd in ("check", "fix", "rules", "explain", "providers"):
        assert cmd in proc.stdout


def test_light_file_before_sdk_file(tmp_path: Path) -> None:
    """Regression: a file without the SDK import checked first must not break scope analysis of the next."""
    write(tmp_path, "a_env.py", "import os\nos.getenv('OPENAI_API_KEY')\n")
    write(tmp_path, "b_sdk.py", BLOCKED)
    proc = run_cli(["check", ".", "--output-format", "concise", "-j", "1"], tmp_path)
    assert "internal error" not in proc.stdout
    assert "b_sdk.py:2:10: OFR101" in proc.stdout and "a_env.py:2:11: OFR301" in proc.stdout


def test_config_files_are_checked_and_fixed(tmp_path: Path) -> None:
    write(tmp_path, ".env.example", "# keys\nOPENAI_API_KEY=replace-me\nOPENAI_BASE_URL=https://api.openai.com/v1\n")
    write(tmp_path, "config/app.yaml", "llm:\n  model: gpt-4o  # the default\n")
    out = run_cli(["check", "--output-format", "concise"], tmp_path).stdout
    assert ".env.example:2:1: OFR301" in out and ".env.example:3:17: OFR106" in out
    assert "config/app.yaml:2:10: OFR201" in out
    assert "OFR" not in run_cli(["check", "--output-format", "concise", "--no-config-files"], tmp_path).stdout
    # nothing reads them yet: reported, not rewritten (a configuration file moves with its readers)
    proc = run_cli(["fix", "--to", "deepseek", "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert (tmp_path / ".env.example").read_text().startswith("# keys\nOPENAI_API_KEY=replace-me\n")
    assert ".env.example:1: note: not rewritten: no Python code in this run reads it" in proc.stderr
    # the code that reads them moves: so do they
    write(
        tmp_path,
        "app.py",
        "import yaml\nfrom openai import OpenAI\n\ncfg = yaml.safe_load(open('config/app.yaml'))\nclient = OpenAI()\n"
        "client.chat.completions.create(model=cfg['llm']['model'], messages=[])\n",
    )
    proc = run_cli(["fix", "--to", "deepseek", "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert (tmp_path / ".env.example").read_text() == (
        "# keys\nDEEPSEEK_API_KEY=replace-me\nOPENAI_BASE_URL=https://api.deepseek.com/v1\n"
    )
    assert (tmp_path / "config/app.yaml").read_text() == "llm:\n  model: deepseek-v4-pro  # the default\n"
