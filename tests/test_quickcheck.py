"""The no-parse path of `offramp check` (offramp.quickcheck) says exactly what the full command line says.

`quickcheck.run` either answers (stdout + exit code) or declines with None before printing
anything. Every scenario here runs both paths on the same tree and compares; the declining
scenarios prove that anything it does not fully understand goes to the full command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from click.testing import CliRunner

from offramp import quickcheck
from offramp.cli import main as cli_main
from offramp.prefilter import may_match
from offramp.userconfig.kind import config_kind

FIXTURES = Path(__file__).parent / "fixtures"
PLAIN = "import os\n\n\ndef area(r):\n    return 3.14159 * r * r\n"
SDK = "from openai import OpenAI\n\nclient = OpenAI()\n"


def _tree(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _both(root: Path, args: List[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(root)
    for name in ("OFFRAMP_OUTPUT_FORMAT", "OFFRAMP_OUTPUT_FILE", "OFFRAMP_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    capsys.readouterr()
    quick = quickcheck.run(list(args))
    quick_out = capsys.readouterr().out
    full = CliRunner().invoke(cli_main, ["check", *args])
    return quick, quick_out, full


QUICK_ANSWERS = {
    "no SDK anywhere": ({"a.py": PLAIN, "pkg/b.py": PLAIN, "pkg/c.pyi": "x: int\n"}, []),
    "explicit files (pre-commit)": ({"a.py": PLAIN, "b.py": PLAIN}, ["--force-exclude", "a.py", "b.py"]),
    "SDK file excluded by config": (
        {"a.py": PLAIN, "vendor/sdk.py": SDK, "pyproject.toml": '[tool.offramp]\nexclude = ["vendor"]\n'},
        [],
    ),
    "SDK file excluded, forced on an explicit path": (
        {"a.py": PLAIN, "vendor/sdk.py": SDK, "offramp.toml": 'extend-exclude = ["vendor"]\n'},
        ["--force-exclude", "a.py", "vendor/sdk.py"],
    ),
    "config files without OpenAI settings": (
        {"a.py": PLAIN, ".env": "DEBUG=1\n", "deploy.yaml": "replicas: 3\n", "package.json": '{"name": "x"}\n'},
        [],
    ),
    "config files off": ({"a.py": PLAIN, ".env": "OPENAI_API_KEY=\n"}, ["--no-config-files"]),
    "target on the command line and ignored flags": (
        {"a.py": PLAIN},
        ["--to", "qwen", "-j", "2", "--no-cache", "--exit-zero", "-v", "--cache-dir=.c", "."],
    ),
    "concise and full formats": ({"a.py": PLAIN}, ["--output-format", "concise", "--output-format=full"]),
    "format in the config": ({"a.py": PLAIN, "offramp.toml": 'output-format = "concise"\n'}, []),
    "target in the config": ({"a.py": PLAIN, "pyproject.toml": '[tool.offramp]\ntarget = "deepseek"\n'}, []),
    "an unrelated pyproject.toml": ({"a.py": PLAIN, "pyproject.toml": "[project]\nname = 'x'\n"}, []),
    "no files at all": ({"README.md": "hello\n"}, []),
    "virtualenvs and caches skipped": ({"a.py": PLAIN, ".venv/lib/sdk.py": SDK, "build/sdk.py": SDK}, []),
}


@pytest.mark.parametrize("name", sorted(QUICK_ANSWERS))
def test_quick_answer_equals_full_command_line(name: str, tmp_path: Path, capsys, monkeypatch) -> None:
    files, args = QUICK_ANSWERS[name]
    _tree(tmp_path, files)
    quick, out, full = _both(tmp_path, args, capsys, monkeypatch)
    assert quick == 0, "the no-parse path should have answered"
    assert full.exit_code == 0, full.output
    assert out == full.output  # stdout and stderr: the quick path writes nothing else
    assert out.startswith("All checks passed! (")


def test_quick_answer_respects_gitignore_in_a_repository(tmp_path: Path, capsys, monkeypatch) -> None:
    _tree(tmp_path, {"a.py": PLAIN, "generated/sdk.py": SDK, ".gitignore": "generated/\n"})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    quick, out, full = _both(tmp_path, [], capsys, monkeypatch)
    assert (quick, out) == (0, full.output) == (0, "All checks passed! (1 file checked)\n")
    quick, out, full = _both(tmp_path, ["--no-respect-gitignore"], capsys, monkeypatch)
    assert quick is None and full.exit_code == 1


def test_quick_and_full_paths_check_a_tracked_file_that_gitignore_matches(tmp_path: Path, capsys, monkeypatch) -> None:
    """git tracks `vendored/sdk.py` although .gitignore matches it: both paths check it (issue 15)."""
    _tree(tmp_path, {"a.py": PLAIN, "vendored/sdk.py": SDK})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    _tree(tmp_path, {".gitignore": "vendored/\n", "vendored/local.py": PLAIN})
    quick, out, full = _both(tmp_path, [], capsys, monkeypatch)
    assert (quick, out) == (None, "")  # the SDK file is seen, so the full command line answers
    assert full.exit_code == 1 and "vendored/sdk.py" in full.output
    (tmp_path / "vendored" / "sdk.py").write_text(PLAIN)
    quick, out, full = _both(tmp_path, [], capsys, monkeypatch)
    assert (quick, out) == (0, full.output) == (0, "All checks passed! (2 files checked)\n")


DECLINES = {
    "an SDK file": ({"a.py": PLAIN, "b.py": SDK}, []),
    "a key in a file that never says openai": ({"settings.py": 'KEY = "sk-proj-abcdefghijklmnopqrstu"\n'}, []),
    "an Azure AI host": ({"a.py": 'URL = "https://x.services.ai.azure.com/models"\n'}, []),
    "a model under a config key": ({"a.py": PLAIN, ".env": "LLM_MODEL=gpt-4o\n"}, []),
    "an output format": ({"a.py": PLAIN}, ["--output-format", "json"]),
    "an output format in the config": ({"a.py": PLAIN, "offramp.toml": 'output-format = "sarif"\n'}, []),
    "an invalid output format": ({"a.py": PLAIN}, ["--output-format", "fancy"]),
    "a selection": ({"a.py": PLAIN}, ["--select", "OFR1"]),
    "a selection in the config": ({"a.py": PLAIN, "offramp.toml": 'select = ["OFR1"]\n'}, []),
    "a mistyped config": ({"a.py": PLAIN, "offramp.toml": "respect-gitignore = 'no'\n"}, []),
    "a broken config": ({"a.py": PLAIN, "offramp.toml": "exclude = [\n"}, []),
    "an unknown provider": ({"a.py": PLAIN}, ["--to", "nosuch"]),
    "a region": ({"a.py": PLAIN}, ["--to", "qwen", "--region", "intl"]),
    "a missing path": ({"a.py": PLAIN}, ["a.py", "missing.py"]),
    "stdin": ({"a.py": PLAIN}, ["-"]),
    "a jobs value that is not a number": ({"a.py": PLAIN}, ["-j", "x"]),
}


@pytest.mark.parametrize("name", sorted(DECLINES))
def test_declines_what_needs_the_full_command_line(name: str, tmp_path: Path, capsys, monkeypatch) -> None:
    files, args = DECLINES[name]
    _tree(tmp_path, files)
    quick, out, full = _both(tmp_path, args, capsys, monkeypatch)
    assert quick is None
    assert out == ""  # nothing printed before declining
    assert full.exit_code in (0, 1, 2)


def test_declines_on_an_unreadable_or_special_file(tmp_path: Path, capsys, monkeypatch) -> None:
    _tree(tmp_path, {"a.py": PLAIN})
    os.mkfifo(tmp_path / "pipe.py")  # never read (it would block); the full path reports OFR001
    quick, out, full = _both(tmp_path, [], capsys, monkeypatch)
    assert (quick, out) == (None, "")
    assert "OFR001" in full.stdout


def test_declines_when_the_environment_asks_for_another_report(tmp_path: Path, capsys, monkeypatch) -> None:
    _tree(tmp_path, {"a.py": PLAIN})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OFFRAMP_OUTPUT_FORMAT", "sarif")
    assert quickcheck.run([]) is None
    monkeypatch.setenv("OFFRAMP_OUTPUT_FORMAT", "concise")
    monkeypatch.setenv("OFFRAMP_OUTPUT_FILE", "report.txt")
    assert quickcheck.run([]) is None
    assert capsys.readouterr().out == ""
    monkeypatch.delenv("OFFRAMP_OUTPUT_FILE")
    assert quickcheck.run([]) == 0
    assert capsys.readouterr().out == "All checks passed! (1 file checked)\n"


def _entry(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    code = (
        "import sys\n"
        f"sys.argv = ['offramp', *{list(args)!r}]\n"
        "from offramp import entry\n"
        "try:\n    entry.main()\nexcept SystemExit as e:\n    code = e.code\n"
        "heavy = [m for m in ('click', 'rich', 'libcst', 'dataclasses', 'pathlib', 'offramp.cli', 'offramp.engine')"
        " if m in sys.modules]\n"
        "print('EXIT', code, 'HEAVY', ','.join(heavy) or '-')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_console_script_answers_a_clean_tree_without_heavy_imports(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.py": PLAIN, "b.py": PLAIN})
    proc = _entry(tmp_path, "check")
    assert proc.stdout.splitlines() == ["All checks passed! (2 files checked)", "EXIT 0 HEAVY -"], proc.stderr
    (tmp_path / "c.py").write_text(SDK, encoding="utf-8")
    proc = _entry(tmp_path, "check", "--no-cache")
    last = proc.stdout.splitlines()[-1]
    assert last.startswith("EXIT 1 HEAVY ") and "click" in last and "offramp.engine" in last


CONFIG_SUFFIXES = (".env", ".yaml", ".yml", ".toml", ".json", ".ini", ".cfg", ".conf")


def test_config_prefilter_keeps_every_config_fixture_with_findings() -> None:
    """The config tokens are a promise: no file the scanners report on may miss them."""
    from offramp.catalog import load_sdk
    from offramp.providers import builtin_providers, known_provider_hosts
    from offramp.userconfig.scan import scan_config

    checked = 0
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or config_kind(path) is None or path.suffix in (".py", ".ipynb"):
            continue
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        for provider in (None, builtin_providers()["qwen"]):
            hits = scan_config(str(path), text, load_sdk(), known_provider_hosts(), provider, {})
            if hits:
                checked += 1
                assert may_match(data, config=True), path
    assert checked >= 10


def test_prefilter_is_case_insensitive_and_token_driven() -> None:
    assert may_match(b"import OpenAI_wrapper") and may_match(b"X = 'https://R.COGNITIVESERVICES.AZURE.COM'")
    assert not may_match(b"import os\nprint('hello')\n")
    assert may_match(b"model: gpt-4o\n", config=True) and not may_match(b"model: gpt-4o\n")
    assert not may_match(b"replicas: 3\n", config=True)


def test_unused_pyproject_is_never_parsed(tmp_path: Path, capsys, monkeypatch) -> None:
    """A project's pyproject.toml that is not valid TOML is not ours to judge when it never mentions offramp."""
    _tree(tmp_path, {"a.py": PLAIN, "pyproject.toml": "[project\nname = 'x'\n"})
    quick, out, full = _both(tmp_path, [], capsys, monkeypatch)
    assert (quick, out) == (0, full.output) and full.exit_code == 0


def test_files_that_cannot_match_are_read_once_even_when_the_quick_path_hands_over(tmp_path: Path) -> None:
    """quickcheck stops at the first candidate; the full path then answers the files it read by a stat."""
    _tree(tmp_path, {f"m{i:02d}.py": PLAIN for i in range(20)})
    _tree(tmp_path, {"k_sdk.py": SDK, ".env": "DEBUG=1\n"})  # sorted mid-tree: some files read before, some after
    code = (
        "import collections, os, sys\n"
        "import offramp.rawread as raw\n"
        "reads = collections.Counter()\n"
        "real = raw.read_regular_stat\n"
        "def counting(path, root=None):\n"
        "    reads[os.path.basename(os.fspath(path))] += 1\n"
        "    return real(path, root)\n"
        "raw.read_regular_stat = counting\n"
        "raw.read_regular = lambda path, root=None: counting(path, root)[0]\n"
        "sys.argv = ['offramp', 'check', '--no-cache', '-j', '1', '--output-format', 'concise', '.']\n"
        "from offramp import entry\n"
        "try:\n    entry.main()\nexcept SystemExit as e:\n    print('EXIT', e.code)\n"
        "print('READS', sorted(reads.items()))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    lines = proc.stdout.splitlines()
    assert "EXIT 1" in lines, proc.stdout + proc.stderr
    assert any(": OFR" in line and "k_sdk.py" in line for line in lines)
    reads = dict(eval(lines[-1][len("READS ") :]))
    assert reads.pop("k_sdk.py") == 2  # the candidate: once by quickcheck, once to parse
    assert reads == {**{f"m{i:02d}.py": 1 for i in range(20)}, ".env": 1}


@pytest.mark.parametrize("extra", [[], ["--select", "OFR1"]], ids=["quick path", "full path"])
def test_a_reader_that_went_away_ends_the_run_quietly(tmp_path: Path, extra: List[str]) -> None:
    """`offramp check | head`: status 1 and no traceback, on both paths."""
    _tree(tmp_path, {"a.py": PLAIN})
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
        proc = subprocess.run(
            [sys.executable, "-m", "offramp", "check", *extra, "."],
            cwd=tmp_path,
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 1
    assert proc.stderr == ""


def test_the_full_command_line_takes_over_quickchecks_walk(tmp_path: Path, monkeypatch) -> None:
    """A check that quickcheck declines (a file can match) walks the tree once: the full path gets the files
    quickcheck found with the same options; other options (another path, another working directory) walk."""
    from helpers import run_cli

    from offramp import discover

    _tree(tmp_path, {"a.py": PLAIN, "sub/b.py": PLAIN, "sub/c.py": SDK})
    walks: List[tuple] = []
    real = discover._discover_paths
    monkeypatch.setattr(discover, "_discover_paths", lambda *a: walks.append(a[0]) or real(*a))
    proc = run_cli(["check", "--output-format", "concise", "."], tmp_path)
    assert proc.returncode == 1 and "sub/c.py" in proc.stdout, proc.stdout + proc.stderr
    assert walks == [["."]], walks
    walks.clear()
    monkeypatch.chdir(tmp_path)
    discover.discover_paths(["."], root=str(tmp_path), hand_over=True)
    files, _ = discover.discover_paths(["sub"], root=str(tmp_path))  # other arguments: a walk of its own
    assert sorted(files) == ["sub/b.py", "sub/c.py"] and walks == [["."], ["sub"]], (files, walks)
    again, _ = discover.discover_paths(["."], root=str(tmp_path))  # (taken once: the hand-over is gone)
    assert len(walks) == 3 and sorted(os.path.normpath(f) for f in again) == ["a.py", "sub/b.py", "sub/c.py"]
