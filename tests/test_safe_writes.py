"""Safe writes: atomic replacement that keeps permissions, owner, encoding, BOM and line endings;
output re-parsed before it is written; files without findings never touched; `fix` idempotent;
and an interrupted `fix` (SIGINT or SIGTERM, killing a real run) leaves every file fully old or
fully new, with no temporary files and no worker processes behind.
"""

from __future__ import annotations

import codecs
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List

import pytest
from helpers import run_cli

from offramp.deepstack import DEEP_RECURSION_LIMIT, on_deep_stack
from offramp.engine import make_options, resolve_provider
from offramp.fixes.onefile import fix_path
from offramp.settings import Settings
from offramp.source import read_source, write_atomic

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "chatbot"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fix" / "qwen"
SDK = 'from openai import OpenAI\nclient = OpenAI()\nr = client.chat.completions.create(model="gpt-4o", messages=[])\n'


def temp_files(root: Path) -> List[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".offramp-tmp")]


# -- write_atomic ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o2775])
def test_write_atomic_keeps_permission_bits(tmp_path: Path, mode: int) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")
    p.chmod(mode)
    write_atomic(p, b"new\n")
    assert p.read_bytes() == b"new\n"
    assert stat.S_IMODE(p.stat().st_mode) == mode
    assert not temp_files(tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give files away")
def test_write_atomic_keeps_owner(tmp_path: Path) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")
    os.chown(p, 4321, 4321)
    write_atomic(p, b"new\n")
    st = p.stat()
    assert (st.st_uid, st.st_gid) == (4321, 4321) and p.read_bytes() == b"new\n"


def test_write_atomic_never_writes_through_a_symlink(tmp_path: Path) -> None:
    # Its target may be outside the tree offramp was given (issue 12); see test_trust_files.
    real = tmp_path / "real.py"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to("real.py")
    with pytest.raises(OSError, match="symbolic link"):
        write_atomic(link, b"new\n")
    assert link.is_symlink() and os.readlink(link) == "real.py"
    assert real.read_bytes() == b"old\n" and not temp_files(tmp_path)


def test_write_atomic_refuses_read_only_files(tmp_path: Path) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")
    p.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        write_atomic(p, b"new\n")
    assert p.read_bytes() == b"old\n" and not temp_files(tmp_path)


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")

    def boom(fd: int) -> None:
        raise exc

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(type(exc)):
        write_atomic(p, b"new\n")
    assert p.read_bytes() == b"old\n" and not temp_files(tmp_path)


def test_a_signal_during_the_write_lands_after_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGINT in the middle of a write is held until the rename is done, then delivered."""
    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")
    real_fsync = os.fsync

    def interrupted_fsync(fd: int) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(p, b"new\n")
    assert p.read_bytes() == b"new\n" and not temp_files(tmp_path)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# -- the deep stack that parsing and analysis run on -------------------------------------------


def _boom() -> None:
    raise ValueError("boom")


def test_deep_stack_returns_raises_and_restores_the_recursion_limit() -> None:
    before = sys.getrecursionlimit()
    assert on_deep_stack(sys.getrecursionlimit) == DEEP_RECURSION_LIMIT
    inner = on_deep_stack(lambda: (threading.current_thread(), on_deep_stack(threading.current_thread)))
    assert inner[0] is inner[1] and inner[0].name == "offramp-deep"  # nested calls stay on it
    with pytest.raises(ValueError, match="boom"):
        on_deep_stack(_boom)
    assert sys.getrecursionlimit() == before


def test_an_interrupt_reaches_the_deep_thread_and_is_raised_once_it_stopped() -> None:
    """Ctrl-C during a long parse or analysis: passed on to the thread, raised in the caller
    after the thread is done; never a thread left running into interpreter shutdown."""
    before = sys.getrecursionlimit()
    seen: List[str] = []
    running = threading.Event()

    def busy() -> None:
        try:
            running.set()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                pass
            seen.append("finished")
        except KeyboardInterrupt:
            seen.append("interrupted")
            raise

    main = threading.main_thread().ident

    def waiting_for_the_thread() -> bool:
        frame = sys._current_frames().get(main)
        while frame is not None and frame.f_code.co_name != "_wait":
            frame = frame.f_back
        return frame is not None

    def interrupt_once_busy() -> None:
        """Ctrl-C once `busy` runs and the caller waits for it (a fixed delay failed under load:
        the thread had not started yet)."""
        deadline = time.monotonic() + 20
        while not (running.is_set() and waiting_for_the_thread()) and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Thread(target=interrupt_once_busy, daemon=True)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        on_deep_stack(busy)
    assert time.monotonic() - start < 10
    assert seen == ["interrupted"]
    assert sys.getrecursionlimit() == before
    deadline = time.monotonic() + 5
    while any(t.name == "offramp-deep" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(t.name == "offramp-deep" for t in threading.enumerate())


# -- the output is re-parsed; a bad transform is refused ---------------------------------------


def test_a_rewrite_that_does_not_parse_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import libcst as cst

    import offramp.fixes.apply as apply
    from offramp.fixes.outcome import Refused

    broken = "client = OpenAI(\n"  # what a buggy transform might produce
    monkeypatch.setattr(apply, "apply_plan_text", lambda module, plan, *rest: broken)
    p = tmp_path / "a.py"
    p.write_text(SDK)
    settings = Settings(root=tmp_path)
    provider = resolve_provider("qwen", settings)
    assert provider is not None
    result = fix_path(p, provider, make_options(settings, provider), False, None)
    assert result.error and result.error.startswith("refused: the rewrite would not parse")
    assert "\n" not in result.error and not result.changed
    assert result.outcome == Refused(result.error)
    assert p.read_text() == SDK
    assert isinstance(cst.parse_module(p.read_text()), cst.Module)


# -- encoding, BOM, line endings and permissions through the CLI -------------------------------


def test_fix_keeps_bom_crlf_and_mode_together(tmp_path: Path) -> None:
    text = SDK.replace("\n", "\r\n") + 'NOTE = "naïve"  # keep\r\n'
    p = tmp_path / "a.py"
    p.write_bytes(codecs.BOM_UTF8 + text.encode())
    p.chmod(0o751)
    proc = run_cli(["fix", "--to", "qwen", "a.py"], tmp_path)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    out = p.read_bytes()
    assert out.startswith(codecs.BOM_UTF8) and b"dashscope" in out
    assert all(line.endswith(b"\r\n") for line in out.splitlines(keepends=True))
    assert 'NOTE = "naïve"  # keep\r\n'.encode() in out
    assert stat.S_IMODE(p.stat().st_mode) == 0o751
    src = read_source(p)
    assert src.bom and src.encoding == "utf-8"
    compile(out, "a.py", "exec")


# -- files without findings are never touched ---------------------------------------------------


UNTOUCHABLE = {
    "plain.py": "import os\nprint(os.getcwd())\n",
    "mentions.py": "# we used openai once; see sk-docs for details\nx = 'openai'\n",
    "already.py": (
        "import os\nfrom openai import OpenAI\n"
        'client = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",'
        ' api_key=os.environ["DASHSCOPE_API_KEY"])\n'
    ),
    "local.py": 'from openai import OpenAI\nclient = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")\n',
    "suppressed.py": "from openai import OpenAI\nclient = OpenAI()  # offramp: ignore[OFR101]\n",
    "broken.py": "from openai import OpenAI\ndef f(:\n",
    "stub.pyi": "from openai import OpenAI\ndef make() -> OpenAI: ...\n",
}


def snapshot(root: Path) -> Dict[str, tuple]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(root).as_posix()] = (p.read_bytes(), st.st_mtime_ns, st.st_ino, st.st_mode)
    return out


def test_fix_never_touches_files_without_findings(tmp_path: Path) -> None:
    for name, text in UNTOUCHABLE.items():
        p = tmp_path / name
        p.write_text(text)
        os.utime(p, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))  # far in the past
    (tmp_path / "needs.py").write_text(SDK)
    before = snapshot(tmp_path)
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert "Traceback" not in proc.stderr
    after = snapshot(tmp_path)
    assert after.pop("needs.py")[0] != before.pop("needs.py")[0]
    assert after == before  # bytes, mtime, inode (no rename) and mode
    assert not temp_files(tmp_path)


# -- idempotency --------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["qwen", "deepseek"])
def test_fix_is_idempotent(tmp_path: Path, provider: str) -> None:
    root = tmp_path / "proj"
    shutil.copytree(EXAMPLE, root)
    for f in sorted(FIXTURES.glob("*.py")):
        if not f.name.endswith(".expected.py"):
            shutil.copy(f, root / f"fixture_{f.name}")
    first = run_cli(["fix", "--to", provider, "."], root)
    assert "Traceback" not in first.stderr and "error:" not in first.stderr, first.stderr
    assert "Rewrote" in first.stderr
    once = snapshot(root)
    for rel, (data, *_rest) in once.items():
        if rel.endswith(".py"):
            compile(data, rel, "exec")
    second = run_cli(["fix", "--to", provider, "--diff", "."], root)
    assert second.returncode == 0 and second.stdout == "", second.stdout
    third = run_cli(["fix", "--to", provider, "."], root)
    assert "Rewrote 0 files for" in third.stderr
    assert snapshot(root) == once  # not even an mtime changed


# -- interrupting a real run --------------------------------------------------------------------

N_FILES = 120
# What the run interrupts is its writes (all made after every file is planned), so a file needs no
# bulk of its own: 4 lines to keep instead of 40 halved each run (12.6 -> 5.9 CPU-s, 2026-12-06)
# and left the 120 writes, the window the signal must land in, as they were.
TEMPLATE = (
    '"""Module {i}."""\n'
    "from openai import OpenAI\n"
    "\n"
    "ID = {i}\n"
    "client = OpenAI(timeout=30)\n" + "".join(f"x_{k} = [{k}, {k} + 1]  # keep\n" for k in range(4)) + "\n\n"
    "def ask(question):\n"
    '    return client.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": question}}])\n'  # noqa: E501
)


@pytest.fixture(scope="module")
def fixed_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The fully fixed text of file {i}, learnt by fixing three files and checking they agree."""
    ref = tmp_path_factory.mktemp("reference")
    ids = (0, 1, N_FILES - 1)
    for i in ids:
        (ref / f"m{i:03d}.py").write_text(TEMPLATE.format(i=i))
    proc = run_cli(["fix", "--to", "qwen", "-j", "1", "."], ref)
    assert "Rewrote 3 files" in proc.stderr, proc.stderr
    fixed = (ref / "m000.py").read_text()
    assert "dashscope" in fixed and "ID = 0\n" in fixed
    template = fixed.replace("{", "{{").replace("}", "}}").replace('"""Module 0."""', '"""Module {i}."""')
    template = template.replace("ID = 0\n", "ID = {i}\n")
    for i in ids:
        assert (ref / f"m{i:03d}.py").read_text() == template.format(i=i)
    return template


def _inode(path: Path) -> int:
    try:
        return path.stat().st_ino
    except FileNotFoundError:  # between the rename's unlink and link on some file systems
        return 0


def _wait_for_exit_of_group(pgid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        time.sleep(0.05)
    return False


# ~6.5 CPU-s each (the 120 files are planned before the first write): Ctrl-C to the group of a run with
# workers and `kill PID` of a run without run by default, the other three are `exhaustive` (CI runs them).
_EXHAUSTIVE = pytest.mark.exhaustive


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")
@pytest.mark.parametrize(
    "signame,target,jobs",
    [
        ("SIGINT", "group", "2"),  # Ctrl-C in a terminal: the whole process group, workers included
        pytest.param("SIGTERM", "parent", "2", marks=_EXHAUSTIVE),  # `kill PID`, a CI timeout
        pytest.param("SIGTERM", "group", "2", marks=_EXHAUSTIVE),
        pytest.param("SIGINT", "parent", "1", marks=_EXHAUSTIVE),
        ("SIGTERM", "parent", "1"),
    ],
)
def test_interrupted_fix_leaves_every_file_old_or_new(
    tmp_path: Path, fixed_template: str, signame: str, target: str, jobs: str
) -> None:
    sig = getattr(signal, signame)
    originals = {}
    for i in range(N_FILES):
        p = tmp_path / f"m{i:03d}.py"
        p.write_text(TEMPLATE.format(i=i))
        originals[p] = (p.read_bytes(), fixed_template.format(i=i).encode())
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "offramp", "fix", "--to", "qwen", "-j", jobs, "."],
        cwd=tmp_path,
        env={**env, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell job would have
    )
    inodes = {p: p.stat().st_ino for p in originals}  # a write is an atomic rename: a new inode
    try:
        deadline = time.monotonic() + 120
        while not any(_inode(p) != ino for p, ino in inodes.items()):
            assert proc.poll() is None, f"offramp exited before writing anything: {proc.communicate()}"
            assert time.monotonic() < deadline, "no file was written within 120 s"
            time.sleep(0.01)
        # Frozen at its first write, so that the signal lands mid-run however loaded the machine
        # is (the writes take ~1/30 of the run: 400 files were needed to hit them without this).
        os.killpg(proc.pid, signal.SIGSTOP)
        assert proc.poll() is None, "the run finished before it could be interrupted"
        if target == "group":
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        os.killpg(proc.pid, signal.SIGCONT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == (130 if sig == signal.SIGINT else 143), err
    assert err.strip().splitlines()[-1] == ("offramp: interrupted" if sig == signal.SIGINT else "offramp: terminated")
    assert "Traceback" not in out + err
    assert _wait_for_exit_of_group(proc.pid), "worker processes outlived the interrupted run"
    new = 0
    for p, (old, fixed) in originals.items():
        data = p.read_bytes()
        assert data in (old, fixed), f"{p.name} is neither the original nor the fixed text"
        new += data == fixed
    assert 0 < new < N_FILES, new
    assert not temp_files(tmp_path)
    # and the interrupted migration can simply be run again to completion (a few files suffice)
    rest = sorted(p for p, (old, _) in originals.items() if p.read_bytes() == old)[:8]
    again = run_cli(["fix", "--to", "qwen", "-j", "1", *[p.name for p in rest]], tmp_path)
    assert "Traceback" not in again.stderr
    for p in rest:
        assert p.read_bytes() == originals[p][1]
