"""Real code: the public PyPI corpora (pinned wheels, see tests/corpus/pypi.tsv).

Downloads them once per session with tests/corpus/fetch.py (no ../shared needed), then runs `check`
and `fix --to` two providers over copies: no crash (OFR002, traceback, internal error), every
file that compiled before compiles after, and a second `fix` has nothing left to do. Per-corpus
counts (sites rewritten, TODOs left) are printed and written to corpus-summary.json in the
session's temporary directory. Run alone with `pytest -m corpus -s`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Dict, List

import pytest
from corpus.fetch import fetch
from helpers import run_cli

pytestmark = pytest.mark.corpus

PROVIDERS = ("qwen", "deepseek")
JOBS = "2"


@pytest.fixture(scope="session")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public PyPI corpora (pins in tests/corpus/pypi.tsv), downloaded and unpacked once per test session."""
    dest = tmp_path_factory.mktemp("pypi-corpora")
    try:
        fetch(dest)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"downloading the pinned corpora failed (exit {exc.returncode}):\n{exc.stderr[-2000:]}")
    shutil.rmtree(dest / ".download", ignore_errors=True)
    names = sorted(p.name for p in dest.iterdir() if p.is_dir())
    assert len(names) >= 5, names
    return dest


@pytest.fixture(scope="session")
def summary() -> Dict[str, dict]:
    """Per-corpus counts, filled by the tests below and kept in corpus-summary.json."""
    return {}


def write_summary(data: Dict[str, dict], where: Path) -> Path:
    out = where / "corpus-summary.json"
    out.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    return out


def corpus_dirs(root: Path) -> List[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir())


def no_crash(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream, stream[-3000:]
    assert "internal error" not in proc.stderr, proc.stderr[-3000:]
    assert "refused:" not in proc.stderr, proc.stderr[-3000:]


def compiles(data: bytes, path: Path) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def py_files(root: Path) -> Dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*.py")) if p.is_file() and not p.is_symlink()}


def test_check_never_crashes_on_real_code(corpora: Path, summary: Dict[str, dict]) -> None:
    proc = run_cli(
        ["check", "--to", "qwen", "-j", JOBS, "--no-cache", "--output-format", "json", "."], corpora, timeout=600
    )
    no_crash(proc)
    doc = json.loads(proc.stdout)
    crashed = [f for f in doc["findings"] if f["code"] == "OFR002"]
    assert not crashed, crashed[:5]
    for d in corpus_dirs(corpora):
        mine = [f for f in doc["findings"] if f["path"].startswith(d.name + "/")]
        row = summary.setdefault(d.name, {})
        row["findings"] = len(mine)
        row["unparsable"] = sum(f["code"] == "OFR000" for f in mine)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_fix_real_code(
    corpora: Path, tmp_path: Path, provider: str, summary: Dict[str, dict], capsys: pytest.CaptureFixture
) -> None:
    tree = tmp_path / "corpora"
    shutil.copytree(corpora, tree, symlinks=True)
    before = py_files(tree)
    report = tmp_path / "migration.md"
    proc = run_cli(["fix", "--to", provider, "-j", JOBS, "--report", str(report), "."], tree, timeout=900)
    no_crash(proc)
    assert re.search(r"^Rewrote \d+ files? for ", proc.stderr, re.M), proc.stderr[-2000:]
    after = py_files(tree)
    assert set(after) == set(before)  # nothing created, nothing deleted
    changed = [p for p in after if after[p] != before[p]]
    assert changed, "fix changed nothing in the corpora"
    # A file fix left byte for byte compiles as it did: the rewritten ones are compiled, before and after.
    broken = [str(p.relative_to(tree)) for p in changed if compiles(before[p], p) and not compiles(after[p], p)]
    assert not broken, broken
    assert not [p for p in tree.rglob("*") if p.name.endswith(".offramp-tmp")]

    # per-corpus counts: sites from the migration report's file list, TODOs from the files
    listed = re.findall(r"^- `([^`/]+)/[^`]*`(?: \((\d+) site\(s\)\))?$", report.read_text(encoding="utf-8"), re.M)
    lines = []
    for d in corpus_dirs(tree):
        row = summary.setdefault(d.name, {})
        row[f"{provider}_files_rewritten"] = sum(1 for name, _ in listed if name == d.name)
        row[f"{provider}_sites_rewritten"] = sum(int(n or 0) for name, n in listed if name == d.name)
        row[f"{provider}_todos"] = sum(
            data.decode("utf-8", "replace").count("# TODO[offramp]:") for p, data in after.items() if d in p.parents
        )
        lines.append(
            f"{d.name:<26} --to {provider}: {row[f'{provider}_files_rewritten']} files, "
            f"{row[f'{provider}_sites_rewritten']} sites rewritten, {row[f'{provider}_todos']} TODOs left"
        )
    assert sum(row[f"{provider}_files_rewritten"] for row in summary.values()) == len(changed)
    write_summary(summary, tmp_path.parent)
    with capsys.disabled():
        print("\n" + "\n".join(lines))

    # A second run finds nothing left to rewrite. Files the first run left alone are the same
    # bytes it already decided about, so the rewritten ones are the ones to run again.
    again = run_cli(
        ["fix", "--to", provider, "-j", JOBS, "--diff", *[str(p.relative_to(tree)) for p in changed]],
        tree,
        timeout=600,
    )
    no_crash(again)
    assert again.stdout == "", again.stdout[:3000]
    assert "Would rewrite 0 files" in again.stderr
