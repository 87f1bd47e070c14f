"""A warm check reads only the files whose stat changed (stattable.py), and says what a cold check says.

A file's stat vouches for its bytes only when it was untouched for `RACY_NS` when it was read: a
test's files are seconds old at most, so the `settled` fixture moves the table's clock instead.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import List

import pytest
from helpers import run_cli

SDK = 'from openai import OpenAI\n\nclient = OpenAI()\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
DECOY = 'import openbi\nopenbi.api_base = "https://api.openbi.com/v1"\n'
LIVE = 'import openai\nopenai.api_base = "https://api.openai.com/v1"\n'  # (DECOY's size: a same-size edit)


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    import offramp.stattable as stattable

    monkeypatch.setattr(stattable, "RACY_NS", -(10**18))


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "settings.py").write_text('CHAT_MODEL = "gpt-4o-mini"\n')
    (root / "pkg" / "app.py").write_text(
        "from openai import OpenAI\nfrom pkg.settings import CHAT_MODEL\n\n"
        "OpenAI().chat.completions.create(model=CHAT_MODEL, messages=[])\n"
    )
    (root / "pkg" / "sdk.py").write_text(SDK)
    (root / "pkg" / "plain.py").write_text(DECOY)
    for k in range(5):
        (root / "pkg" / f"util{k}.py").write_text(f"def f{k}(x):\n    return x + {k}\n")
    (root / "llm.yaml").write_text("llm:\n  model: gpt-4o-mini\n")
    return root


def _reads(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The files read through offramp's reader from now on (every read of a file to check goes through it)."""
    import offramp.rawread as rawread

    seen: List[str] = []
    real = rawread.read_regular_stat

    def counted(path, root=None):  # type: ignore[no-untyped-def]
        seen.append(Path(path).name)
        return real(path, root)

    monkeypatch.setattr(rawread, "read_regular_stat", counted)
    return seen


def _check(root: Path, env: dict, *args: str) -> str:
    proc = run_cli(["check", "--exit-zero", "--output-format", "json", *args, "."], root, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("to", [(), ("--to", "qwen")])
def test_a_warm_run_reads_only_the_edited_file(tmp_path: Path, monkeypatch, settled, to: tuple) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _tree(tmp_path)
    cold = _check(root, env, "--no-cache", *to)
    assert '"code": "OFR' in cold and "settings.py" in cold
    assert _check(root, env, *to) == cold  # fills the findings cache, the index and the stat table
    seen = _reads(monkeypatch)
    assert _check(root, env, *to) == cold
    # (the files with a finding a route adds are read for their suppression comments)
    quiet = {"plain.py", "llm.yaml", "__init__.py", *(f"util{k}.py" for k in range(5))}
    assert quiet.isdisjoint(seen), seen
    time.sleep(0.05)  # (a new change time, whatever the file system's granularity)
    with (root / "pkg" / "util3.py").open("a") as f:
        f.write("\n# edited\n")
    seen.clear()
    assert _check(root, env, *to) == cold
    # (with a provider, an edit of any program recomputes the routes: they read the configuration files again)
    assert "util3.py" in seen and (quiet - {"util3.py", *(("llm.yaml",) if to else ())}).isdisjoint(seen), seen


def test_a_same_size_edit_that_restores_the_mtime_is_seen(tmp_path: Path, settled) -> None:
    """The change time is in the stamp: `os.utime` cannot set it back, so the edit cannot hide."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _tree(tmp_path)
    plain = root / "pkg" / "plain.py"
    _check(root, env)
    before = _check(root, env)
    assert "plain.py" not in before
    st = plain.stat()
    time.sleep(0.05)
    with plain.open("r+b") as f:  # in place: the same inode and size
        f.write(LIVE.encode())
    os.utime(plain, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = plain.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (st.st_ino, st.st_size, st.st_mtime_ns)
    warm = _check(root, env)
    assert "plain.py" in warm
    assert warm == _check(root, env, "--no-cache")


def test_a_file_written_just_before_the_run_is_not_recorded(tmp_path: Path, monkeypatch) -> None:
    """Without the fixture: a file modified within `RACY_NS` may change again under the same stat (within its
    timestamp's granularity), so it is not recorded, and such an edit right after the run is seen."""
    from offramp.stattable import StatTable

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _tree(tmp_path)
    plain = root / "pkg" / "plain.py"
    old = time.time_ns() - 10 * 10**9
    os.utime(plain, ns=(old, old))  # (its change time is still now)
    assert "plain.py" not in _check(root, env)
    for table_file in (root / ".offramp_cache").glob("stats-*.bin"):
        table = StatTable.open(root / ".offramp_cache", table_file.name[len("stats-") : -len(".bin")])
        assert table.entries == {}, table.entries
    with plain.open("r+b") as f:  # at once, in place: the same inode, size and mtime
        f.write(LIVE.encode())
    os.utime(plain, ns=(old, old))
    assert "plain.py" in _check(root, env)


def test_a_table_signed_elsewhere_is_not_trusted(tmp_path: Path, monkeypatch, settled) -> None:
    """A pull request can commit `.offramp_cache`: a table that calls a live file unable to match is ignored
    unless this machine signed it (and, signed here, it would hide the finding: the entry is the one read)."""
    from offramp.stattable import MISS, StatTable, stamp

    root = _tree(tmp_path)
    (root / "pkg" / "plain.py").write_text(LIVE)
    here = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    cold = _check(root, here, "--no-cache")
    assert "plain.py" in cold
    _check(root, here)
    cache_dir = root / ".offramp_cache"
    (table_file,) = cache_dir.glob("stats-*.bin")
    key = table_file.name[len("stats-") : -len(".bin")]

    def forge(machine: Path) -> None:
        monkeypatch.setenv("XDG_CACHE_HOME", str(machine))
        table = StatTable.open(cache_dir, key) if machine.name == "machine" else StatTable(cache_dir, key)
        digest = "0" * 32
        for display, path in [("pkg/plain.py", root / "pkg" / "plain.py")]:
            table.entries[display] = (digest, (stamp(path.stat()), MISS))
        table.dirty = True
        table.save()

    forge(tmp_path / "elsewhere")
    assert _check(root, here) == cold
    forge(tmp_path / "machine")  # the control: the same entry, signed here, is trusted
    assert "plain.py" not in _check(root, here)
