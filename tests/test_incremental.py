"""Incremental use on big repositories: the findings cache, baselines and --diff-base."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

import pytest
from helpers import run_cli

BLOCKED = "from openai import OpenAI\nclient = OpenAI()\n"


def concise(root: Path, *args: str, env: Optional[dict] = None) -> list:
    proc = run_cli(["check", "--output-format", "concise", *args], root, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return [line for line in proc.stdout.splitlines() if ": OFR" in line]


def rewrite_cache(cache_file: Path, machine: Path, monkeypatch, edit: Callable[[str, list], list]) -> None:
    """Change every cached entry's findings with `edit` and save, signed as `machine` would sign it."""
    from offramp.cache import FindingsCache

    monkeypatch.setenv("XDG_CACHE_HOME", str(machine))
    cache = FindingsCache.open(cache_file.parent, cache_file.name[len("findings-") : -len(".bin")])
    assert cache.entries, "the cache was not readable on the machine that wrote it"
    cache.entries = {p: (digest, edit(p, findings)) for p, (digest, findings) in cache.entries.items()}
    cache.dirty = True
    cache.save()


def test_cache_answers_unchanged_files_and_invalidates_on_change(tmp_path: Path, monkeypatch) -> None:
    machine = {"XDG_CACHE_HOME": str(tmp_path / "home-cache")}
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text(BLOCKED, encoding="utf-8")
    first = concise(root, env=machine)
    (cache_file,) = (root / ".offramp_cache").glob("findings-*.bin")
    assert (root / ".offramp_cache" / ".gitignore").read_text().strip().endswith("*")
    # Prove the second run reads the cache: change the stored message, signed with this machine's key.
    rewrite_cache(cache_file, tmp_path / "home-cache", monkeypatch, lambda p, fs: [{**fs[0], "message": "FROM CACHE"}])
    assert concise(root, env=machine) == ["a.py:2:10: OFR101 FROM CACHE [*]"]
    assert concise(root, "--no-cache", env=machine) == first
    # A content change invalidates the entry.
    (root / "a.py").write_text("\n" + BLOCKED, encoding="utf-8")
    assert concise(root, env=machine) == [first[0].replace("a.py:2:10", "a.py:3:10")]
    # Different settings use a different cache file.
    concise(root, "--select", "OFR3", env=machine)
    assert len(list((root / ".offramp_cache").glob("findings-*.bin"))) == 2


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BLOCKED, encoding="utf-8")
    concise(tmp_path)
    for f in (tmp_path / ".offramp_cache").glob("findings-*.bin"):
        f.write_text("{not json")
    assert len(concise(tmp_path)) == 1


def test_a_cache_written_elsewhere_is_not_trusted(tmp_path: Path, monkeypatch) -> None:
    """A cache committed to the repository (blanked on the attacker's machine) must not hide findings."""
    here = {"XDG_CACHE_HOME": str(tmp_path / "our-machine")}
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text(BLOCKED, encoding="utf-8")
    concise(root, env={"XDG_CACHE_HOME": str(tmp_path / "their-machine")})
    (cache_file,) = (root / ".offramp_cache").glob("findings-*.bin")
    rewrite_cache(cache_file, tmp_path / "their-machine", monkeypatch, lambda p, fs: [])
    assert concise(root, env={"XDG_CACHE_HOME": str(tmp_path / "their-machine")}) == []  # valid where it was made
    proc = run_cli(["check", "--output-format", "concise", "."], root, env=here)
    assert proc.returncode == 1 and "All checks passed" not in proc.stdout + proc.stderr, proc.stdout
    assert len([line for line in proc.stdout.splitlines() if ": OFR101" in line]) == 1
    # Edited by hand (no key at all): ignored too.
    doc = cache_file.read_bytes().replace(b"OFR101", b"OFR999")
    assert doc != cache_file.read_bytes()
    cache_file.write_bytes(doc)
    assert [line.split(": ")[1][:6] for line in concise(root, env=here)] == ["OFR101"]
    key = tmp_path / "our-machine" / "offramp" / "cache-key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32


def test_a_cache_link_or_special_file_in_the_tree_is_not_followed(tmp_path: Path) -> None:
    """The cache directory is in a tree strangers write: a link there must not send our writes elsewhere."""
    machine = {"XDG_CACHE_HOME": str(tmp_path / "home-cache")}
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text(BLOCKED, encoding="utf-8")
    (root / ".offramp_cache").symlink_to(outside, target_is_directory=True)
    assert len(concise(root, env=machine)) == 1
    assert list(outside.iterdir()) == []
    # A FIFO where the findings file belongs (it would block a plain read forever) is skipped.
    (root / ".offramp_cache").unlink()
    concise(root, env=machine)
    (cache_file,) = (root / ".offramp_cache").glob("findings-*.bin")
    cache_file.unlink()
    os.mkfifo(cache_file)
    assert len(concise(root, env=machine)) == 1
    # Links where .gitignore and CACHEDIR.TAG belong are neither followed nor written through.
    shutil.rmtree(root / ".offramp_cache")
    (root / ".offramp_cache").mkdir()
    (root / ".offramp_cache" / ".gitignore").symlink_to(outside / "planted")
    (root / ".offramp_cache" / "CACHEDIR.TAG").symlink_to(outside / "planted-tag")
    assert len(concise(root, env=machine)) == 1
    assert list(outside.iterdir()) == []


def test_checking_another_directory_keeps_its_cache_there(tmp_path: Path) -> None:
    """`check ../proj` caches in the project it checks, not in the current directory."""
    machine = {"XDG_CACHE_HOME": str(tmp_path / "home-cache")}
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "a.py").write_text(BLOCKED, encoding="utf-8")
    (tmp_path / "here").mkdir()
    assert len(concise(tmp_path / "here", "../proj", env=machine)) == 1
    assert not (tmp_path / "here" / ".offramp_cache").exists()
    assert list((tmp_path / "proj" / ".offramp_cache").glob("findings-*.bin"))
    assert len(concise(tmp_path / "here", "../proj/a.py", env=machine)) == 1
    assert not (tmp_path / "here" / ".offramp_cache").exists()


@pytest.mark.parametrize("limit", [0, 100])
def test_a_full_disk_leaves_no_partial_cache_files(tmp_path: Path, limit: int) -> None:
    """Writes fail as on a full disk (RLIMIT_FSIZE: EFBIG past `limit` bytes): no empty or temporary file stays."""
    import resource

    (tmp_path / "a.py").write_text(BLOCKED, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "home-cache")
    (tmp_path / "home-cache" / "offramp").mkdir(parents=True)
    (tmp_path / "home-cache" / "offramp" / "cache-key").write_bytes(b"k" * 32)  # the key is not what fails here
    (tmp_path / "home-cache" / "offramp" / "cache-key").chmod(0o600)
    proc = subprocess.run(
        [sys.executable, "-m", "offramp", "check", "--output-format", "concise", "."],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
    )
    assert proc.returncode == 1 and "OFR101" in proc.stdout, proc.stderr
    left = (
        sorted(p.name for p in (tmp_path / ".offramp_cache").iterdir())
        if (tmp_path / ".offramp_cache").exists()
        else []
    )
    assert all((tmp_path / ".offramp_cache" / name).stat().st_size > 0 for name in left), left
    assert not [name for name in left if not name.startswith(("findings-", ".gitignore", "CACHEDIR.TAG"))], left
    # With room again, the cache is complete and ignored by git.
    assert len(concise(tmp_path, env={"XDG_CACHE_HOME": env["XDG_CACHE_HOME"]})) == 1
    assert (tmp_path / ".offramp_cache" / ".gitignore").read_text().strip().endswith("*")


def test_baseline_hides_known_findings_and_reports_stale(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BLOCKED, encoding="utf-8")
    proc = run_cli(["baseline", "-o", "base.json"], tmp_path)
    assert proc.returncode == 0 and "recorded 1 finding" in proc.stderr
    assert run_cli(["check", "--baseline", "base.json"], tmp_path).returncode == 0
    # Moving the code (new lines above) keeps it recognised; a new finding is reported.
    (tmp_path / "a.py").write_text("import os\n\n" + BLOCKED + "other = OpenAI()\n", encoding="utf-8")
    lines = concise(tmp_path, "--baseline", "base.json")
    assert lines == [
        "a.py:5:9: OFR101 `OpenAI` sends requests to api.openai.com (the default: no base_url), "
        "which is blocked from mainland China and Hong Kong [*]"
    ]
    # Moved to another file: still the same finding.
    (tmp_path / "a.py").unlink()
    (tmp_path / "b.py").write_text(BLOCKED, encoding="utf-8")
    assert concise(tmp_path, "--baseline", "base.json") == []
    # Fixed: the entry is stale.
    (tmp_path / "b.py").write_text("x = 1  # openai\n", encoding="utf-8")
    proc = run_cli(["check", "--baseline", "base.json"], tmp_path)
    assert proc.returncode == 0 and "1 baseline entry no longer matches" in proc.stderr


def test_bad_baseline_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BLOCKED, encoding="utf-8")
    (tmp_path / "base.json").write_text("[]", encoding="utf-8")
    proc = run_cli(["check", "--baseline", "base.json"], tmp_path)
    assert proc.returncode == 2 and "not an offramp baseline" in proc.stderr
    assert run_cli(["check", "--baseline", "missing.json"], tmp_path).returncode == 2


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=root,
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "PATH": "/usr/bin:/bin",
            "HOME": str(root),
        },
    )


def test_diff_base_reports_only_changed_lines(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "old.py").write_text(BLOCKED, encoding="utf-8")
    (tmp_path / "moved.py").write_text("import os\n\n" + BLOCKED, encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "checkout", "-qb", "feature")
    (tmp_path / "old.py").write_text(BLOCKED + "second = OpenAI()\n", encoding="utf-8")
    git(tmp_path, "mv", "moved.py", "renamed.py")
    git(tmp_path, "commit", "-qam", "change")
    (tmp_path / "brand_new.py").write_text(BLOCKED, encoding="utf-8")  # untracked
    lines = concise(tmp_path, "--diff-base", "main")
    assert [line.split(": OFR")[0] for line in lines] == ["brand_new.py:2:10", "old.py:3:10"]
    proc = run_cli(["check", "--diff-base", "no-such-ref"], tmp_path)
    assert proc.returncode == 2 and "--diff-base" in proc.stderr and "Traceback" not in proc.stderr


def _tree(root: Path, sdk_files: int, plain_files: int) -> None:
    for i in range(sdk_files):
        (root / f"sdk_{i:03}.py").write_text(f"from openai import OpenAI\nclient_{i} = OpenAI()\n", encoding="utf-8")
    for i in range(plain_files):
        (root / f"plain_{i:03}.py").write_text(f"def f{i}(x):\n    return x + {i}\n", encoding="utf-8")


def test_files_that_cannot_match_never_reach_a_parser_or_a_pool(tmp_path: Path, monkeypatch) -> None:
    """A big tree with no SDK use is answered by the parent's byte prefilter alone."""
    import offramp.workers
    from offramp.engine import make_options
    from offramp.runner import run
    from offramp.settings import Settings

    def no_pool(jobs: int):
        raise AssertionError("a pool was started for files that cannot match")

    monkeypatch.setattr(offramp.workers, "process_pool", no_pool)
    _tree(tmp_path, 0, 300)
    files = sorted(tmp_path.glob("*.py"))
    results = run(files, make_options(Settings(root=tmp_path), None), jobs=2)
    assert [r.path for r in results] == [f.name for f in files]
    assert all(r.skipped_by_prefilter and not r.findings for r in results)
    # ... and LibCST is never imported for them (a fresh interpreter, so other tests cannot mask it).
    code = (
        "import sys; from pathlib import Path; from offramp.settings import Settings;"
        "from offramp.engine import make_options; from offramp.runner import run;"
        f"root = Path({str(tmp_path)!r});"
        "run(sorted(root.glob('*.py')), make_options(Settings(root=root), None), jobs=2);"
        "print('libcst' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_pool_and_inline_runs_agree(tmp_path: Path) -> None:
    """Largest-first scheduling in the pool must not change what is reported, nor its order."""
    from offramp.engine import make_options
    from offramp.runner import POOL_MIN_FILES, iter_findings, run
    from offramp.settings import Settings

    _tree(tmp_path, POOL_MIN_FILES + 8, 40)
    (tmp_path / "sdk_big.py").write_text(
        "from openai import OpenAI\n"
        + "".join(f"c{i} = OpenAI(base_url='https://api.openai.com/v1')\n" for i in range(50)),
        encoding="utf-8",
    )
    files = sorted(tmp_path.glob("*.py"))
    opts = make_options(Settings(root=tmp_path), None)
    inline, pooled = run(files, opts, jobs=1), run(files, opts, jobs=2)
    assert [r.path for r in pooled] == [f.name for f in files]
    assert iter_findings(pooled) == iter_findings(inline)
    assert len(iter_findings(inline)) > POOL_MIN_FILES + 8


def test_an_edited_offramp_does_not_reuse_the_old_codes_findings(tmp_path: Path, monkeypatch) -> None:
    """A development checkout keeps its version number while its code changes: the cache key follows the code."""
    import offramp
    from offramp import cache

    package = tmp_path / "offramp"
    shutil.copytree(Path(offramp.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__", "rules"))
    before = cache.code_stamp(package)
    assert cache.code_stamp(package) == before
    with (package / "engine.py").open("a", encoding="utf-8") as f:
        f.write("# an edit\n")
    edited = cache.code_stamp(package)
    assert edited != before
    (package / "project" / "added.py").write_text("X = 1\n")  # (a module of a subpackage counts too)
    assert cache.code_stamp(package) not in (before, edited)

    key = cache.settings_key("options")
    monkeypatch.setattr(cache, "code_stamp", lambda: b"engine.py\0999\0123")
    assert cache.settings_key("options") != key
