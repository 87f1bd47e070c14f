"""Trust boundaries on the file system (issue 12, items 1-3 and parts of 9).

offramp runs on strangers' pull requests, so what a repository holds must not steer its reads or
writes: a symbolic link out of the project (`.env -> /proc/self/environ`, `sub/x.py ->
../../outside/secret.py`) is reported and neither read nor written, kernel files are never read,
binary "text" is refused; `fix` never writes through a link, never overwrites an edit saved while
it worked, removes the temporary files a killed run left, and writes `--report` atomically; a
notebook's BOM is kept.
"""

from __future__ import annotations

import codecs
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List

import pytest
from helpers import FIXTURES, run_cli

from offramp.engine import resolve_provider
from offramp.settings import Settings

SDK = 'from openai import OpenAI\nclient = OpenAI()\nr = client.chat.completions.create(model="gpt-4o", messages=[])\n'
ENV_FILE = "OPENAI_BASE_URL=https://api.openai.com/v1\nOPENAI_MODEL=gpt-4o\n"
NOTEBOOK = FIXTURES / "notebooks" / "demo.ipynb"
CANARY = "canary" + "-token-" + "7f3a9c41e2"  # stands for a CI secret in the environment
OUTSIDE = "symbolic link to a file outside the project; not read (nor written)"
LINUX_PROC = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")


def write(root: Path, rel: str, data: bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def tree(root: Path) -> dict:
    """Every entry under `root`: a link's target, or a file's bytes."""
    return {
        p.relative_to(root).as_posix(): ("link", os.readlink(p)) if p.is_symlink() else p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


def concise(proc: subprocess.CompletedProcess, path: str) -> List[str]:
    return [line for line in proc.stdout.splitlines() if line.startswith(f"{path}:")]


# -- 1. secrets printed from a symlink -----------------------------------------------------------


@LINUX_PROC
@pytest.mark.parametrize("name", [".env", "settings.py", "ci.yaml", "nb.ipynb"])
@pytest.mark.parametrize("company", ["alone", "beside-sdk-code"])  # the no-parse path, then the full one
@pytest.mark.parametrize("fmt", ["full", "concise", "json"])
def test_a_link_to_the_process_environment_is_reported_never_read(
    tmp_path: Path, name: str, company: str, fmt: str
) -> None:
    os.symlink("/proc/self/environ", tmp_path / name)
    if company != "alone":
        write(tmp_path, "app.py", SDK.encode())
    # The URL runs into the next variable across the NUL separator: the OFR106 message carried it.
    env = {"SOME_URL": "https://api.openai.com/v1", "CI_SECRET": CANARY}
    proc = run_cli(["check", "--no-cache", "--output-format", fmt, "."], tmp_path, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert CANARY not in proc.stdout + proc.stderr
    assert "PATH=" not in proc.stdout + proc.stderr
    if fmt == "json":
        lines = [f"{f['path']}: {f['code']} {f['message']}" for f in json.loads(proc.stdout)["findings"]]
    else:
        lines = [line.replace(":1:1:", ":") for line in proc.stdout.splitlines()]
    (line,) = [line for line in lines if line.startswith(f"{name}:")]
    assert line == f"{name}: OFR001 cannot read file: {OUTSIDE}"


@LINUX_PROC
def test_kernel_files_are_not_regular_files_even_when_named() -> None:
    from offramp.rawread import NotRegularFile, read_regular

    with pytest.raises(NotRegularFile):  # stats as a regular file of size 0
        read_regular("/proc/self/environ", "/")


@pytest.mark.parametrize(
    "data",
    [
        f"OPENAI_BASE_URL=https://api.openai.com/v1\0TOKEN={CANARY}\n".encode(),
        ENV_FILE.encode("utf-16"),  # passed silently before: no finding at all
    ],
    ids=["nul-separated", "utf-16"],
)
def test_a_configuration_file_with_nul_bytes_is_not_text(tmp_path: Path, data: bytes) -> None:
    write(tmp_path, "prod.env", data)
    for args in (["prod.env"], ["."]):
        proc = run_cli(["check", "--no-cache", "--output-format", "concise", *args], tmp_path)
        assert proc.returncode == 1 and CANARY not in proc.stdout + proc.stderr, proc.stdout
        (line,) = concise(proc, "prod.env")
        assert " OFR001 " in line and "NUL bytes" in line, line
    proc = run_cli(["fix", "--to", "qwen", "prod.env"], tmp_path)
    assert proc.returncode == 1 and "prod.env: error: cannot read file" in proc.stderr
    assert (tmp_path / "prod.env").read_bytes() == data


# -- 2. writes outside the tree ------------------------------------------------------------------


def outside_project(tmp_path: Path) -> Path:
    """repo/ with links out to outside/ (code, a .env, a notebook), and one ordinary file to fix."""
    outside, repo = tmp_path / "outside", tmp_path / "repo"
    write(outside, "secret.py", SDK.encode())
    write(outside, "real.env", ENV_FILE.encode())
    shutil.copy(NOTEBOOK, outside / "nb.ipynb")
    write(repo, "good.py", SDK.encode())
    (repo / "sub").mkdir()
    os.symlink("../../outside/secret.py", repo / "sub" / "linked.py")
    os.symlink("../outside/real.env", repo / ".env")
    os.symlink(str(outside / "nb.ipynb"), repo / "nb.ipynb")  # absolute, too
    return repo


LINKS_OUT = ["sub/linked.py", ".env", "nb.ipynb"]


@pytest.mark.parametrize("args", [["."], LINKS_OUT], ids=["walked", "named"])
def test_fix_never_writes_through_a_link_out_of_the_project(tmp_path: Path, args: List[str]) -> None:
    repo = outside_project(tmp_path)
    outside = tree(tmp_path / "outside")
    proc = run_cli(["fix", "--to", "qwen", *args], repo)
    assert tree(tmp_path / "outside") == outside
    assert proc.returncode == 1
    for link in LINKS_OUT:
        assert (repo / link).is_symlink()
        assert f"{link}: error: cannot read file: symbolic link to a file outside the project" in proc.stderr
    if args == ["."]:
        assert "dashscope" in (repo / "good.py").read_text()
    proc = run_cli(["check", "--no-cache", "--output-format", "concise", *args], repo)
    for link in LINKS_OUT:
        (line,) = concise(proc, link)
        assert " OFR001 " in line and "outside the project" in line, line


def test_no_output_file_is_written_through_a_link(tmp_path: Path) -> None:
    repo = outside_project(tmp_path)
    victim = write(tmp_path, "outside/victim.txt", b"keep me\n")
    os.symlink("../outside/victim.txt", repo / "report.sarif")
    os.symlink("../outside/new.md", repo / "migration.md")  # dangling: would create a file outside
    os.symlink("../outside/new.json", repo / "report.json")
    for out in ("report.sarif", "report.json"):
        proc = run_cli(["check", "-o", out, "--output-format", "sarif", "good.py"], repo)
        assert proc.returncode == 2 and f"cannot write {out}" in proc.stderr, proc.stderr
    proc = run_cli(["fix", "--to", "qwen", "--report", "migration.md", "good.py"], repo)
    assert proc.returncode == 2 and "cannot write migration.md" in proc.stderr, proc.stderr
    assert victim.read_bytes() == b"keep me\n"
    assert not (tmp_path / "outside" / "new.md").exists() and not (tmp_path / "outside" / "new.json").exists()
    assert (repo / "report.sarif").is_symlink() and (repo / "migration.md").is_symlink()


def test_a_link_inside_the_project_is_read_once_and_never_written_through(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", b'[tool.offramp]\nextend-exclude = ["vendor"]\n')
    write(tmp_path, "app.py", SDK.encode())
    os.symlink("app.py", tmp_path / "alias.py")  # its target is checked and fixed as itself
    write(tmp_path, "vendor/lib.py", SDK.encode())
    os.symlink("vendor/lib.py", tmp_path / "lib.py")  # its target is excluded: read, never written
    proc = run_cli(["check", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert concise(proc, "app.py") and not concise(proc, "alias.py"), proc.stdout
    vendored = (tmp_path / "vendor" / "lib.py").read_bytes()
    proc = run_cli(["fix", "--to", "qwen", ".", "lib.py"], tmp_path)
    assert "dashscope" in (tmp_path / "app.py").read_text()
    assert (tmp_path / "alias.py").is_symlink() and (tmp_path / "lib.py").is_symlink()
    assert (tmp_path / "vendor" / "lib.py").read_bytes() == vendored
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert errors == [
        "lib.py: error: a symbolic link; offramp never writes through one (fix the file it points to); left unchanged"
    ], proc.stderr


# -- 3. a newer edit is never overwritten --------------------------------------------------------


def run_fix_in_process(path: Path, *others: Path) -> tuple:
    from offramp.fixes.runner import run_fix

    settings = Settings(root=path.parent)
    lines: List[str] = []
    cwd = os.getcwd()
    os.chdir(path.parent)  # run from the project, as a user would: files are shown from the cwd
    try:
        code = run_fix(
            [path, *others],
            settings,
            resolve_provider("qwen", settings),
            diff=False,
            jobs=1,
            echo=lambda text, **kw: lines.extend(str(text).splitlines()),
        )
    finally:
        os.chdir(cwd)
    return code, lines


def edit_meanwhile(monkeypatch: pytest.MonkeyPatch, module: object, name: str, edit: Callable[[], None]) -> None:
    """Make `module.name` (a step between reading and writing) save an edit first, as an editor would."""
    original = getattr(module, name)

    def step(*args, **kwargs):  # type: ignore[no-untyped-def]
        edit()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, step)


@pytest.mark.parametrize("kind", ["app.py", "prod.env", "nb.ipynb"])
@pytest.mark.parametrize("how", ["appended", "same-size-same-mtime"])
def test_an_edit_saved_while_fix_works_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, how: str
) -> None:
    import offramp.fixes.onefile

    original = {"app.py": SDK, "prod.env": ENV_FILE, "nb.ipynb": NOTEBOOK.read_text(encoding="utf-8")}[kind]
    path = write(tmp_path, kind, original.encode())

    def edit() -> None:
        st = path.stat()
        if how == "appended":
            path.write_text(original + "\n", encoding="utf-8")
        else:  # in place, same length, and the clock put back: only the bytes tell
            with open(path, "r+b") as f:
                f.write(b"#" if kind != "nb.ipynb" else b" ")
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        edited.append(path.read_bytes())

    edited: List[bytes] = []
    others = []
    if kind == "prod.env":
        edit_meanwhile(monkeypatch, offramp.fixes.onefile, "fix_text", edit)  # (the name fix calls it by)
        others.append(write(tmp_path, "app.py", SDK.encode()))  # its reader: the file moves with it
    else:
        edit_meanwhile(monkeypatch, offramp.fixes.onefile, "fix_source", edit)
    code, lines = run_fix_in_process(path, *others)
    assert edited and path.read_bytes() == edited[0]
    assert code == 1
    errors = [line for line in lines if ": error: " in line]
    assert errors == [f"{kind}: error: changed on disk while offramp worked on it; left unchanged (run fix again)"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".offramp-tmp")]


def test_an_unchanged_file_is_still_fixed_in_process(tmp_path: Path) -> None:
    path = write(tmp_path, "app.py", SDK.encode())
    _, lines = run_fix_in_process(path)
    assert "dashscope" in path.read_text() and not [line for line in lines if ": error: " in line]


# -- 9. temporary files, --report, notebook BOM --------------------------------------------------

NO_SUCH_PID = 4194305  # above Linux's largest pid_max: never a running process


def test_temporary_files_a_killed_run_left_are_removed(tmp_path: Path) -> None:
    write(tmp_path, "app.py", SDK.encode())
    an_hour_ago = time.time() - 3600
    stale = [f".app.py.{NO_SUCH_PID}.k3x9_q2a.offramp-tmp", ".app.py.ab12cd34.offramp-tmp"]  # and an older naming
    kept = [
        f".app.py.{NO_SUCH_PID}.fresh123.offramp-tmp",  # young: a run may be writing it right now
        f".app.py.{os.getpid()}.alive123.offramp-tmp",  # its process still runs
        "notes.offramp-tmp",  # not a name offramp makes
        ".app.py.offramp-tmp",
    ]
    for name in stale + kept:
        p = write(tmp_path, name, b"half a file")
        if "fresh" not in name:
            os.utime(p, (an_hour_ago, an_hour_ago))
    proc = run_cli(["fix", "--to", "qwen", "app.py"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "dashscope" in (tmp_path / "app.py").read_text()
    left = sorted(p.name for p in tmp_path.iterdir() if "offramp-tmp" in p.name)
    assert left == sorted(kept)


def _limit_file_size() -> None:  # in the child: a disk that fills up after 512 bytes per file
    resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_a_report_that_does_not_fit_leaves_the_previous_one(tmp_path: Path) -> None:
    write(tmp_path, "app.py", SDK.encode())
    previous = write(tmp_path, "migration.md", b"# the previous report\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    proc = subprocess.run(
        [sys.executable, "-m", "offramp", "fix", "--to", "qwen", "--report", "migration.md", "app.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_file_size,
    )
    assert "dashscope" in (tmp_path / "app.py").read_text()  # the fix itself fitted
    assert proc.returncode == 2 and "offramp: error: cannot write migration.md" in proc.stderr, proc.stderr
    assert previous.read_bytes() == b"# the previous report\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".offramp-tmp")]


def test_a_report_is_written_where_none_was(tmp_path: Path) -> None:
    write(tmp_path, "app.py", SDK.encode())
    proc = run_cli(["fix", "--to", "qwen", "--report", "out/migration.md", "app.py"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = tmp_path / "out" / "migration.md"
    assert "Qwen" in report.read_text() and (report.stat().st_mode & 0o777) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_fix_keeps_a_notebooks_bom(tmp_path: Path) -> None:
    work = write(tmp_path, "demo.ipynb", codecs.BOM_UTF8 + NOTEBOOK.read_bytes())
    proc = run_cli(["fix", "--to", "qwen", "demo.ipynb"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    expected = (FIXTURES / "notebooks" / "expected-qwen" / "demo.ipynb").read_bytes()
    assert work.read_bytes() == codecs.BOM_UTF8 + expected
    assert json.loads(work.read_bytes().decode("utf-8-sig"))["cells"]
