"""Bad input, through the real command line: a one-line diagnostic naming the file, the run goes
on, nothing is written wrongly, and never a traceback (or a crash) in either `check` or `fix`.

Files that cannot be stored in the repository as-is (undecodable bytes, BOMs, CRLF, FIFOs,
symlink loops, 10 MB) are generated here.
"""

from __future__ import annotations

import base64
import codecs
import os
import re
import stat
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from helpers import run_cli, run_process

SDK = 'from openai import OpenAI\nclient = OpenAI()\nr = client.chat.completions.create(model="gpt-4o", messages=[])\n'
FIX = ["fix", "--to", "qwen"]
CHECK = ["check", "--output-format", "concise"]


def assert_no_crash(proc) -> None:  # type: ignore[no-untyped-def]
    """No traceback anywhere, and the process exited rather than being killed by a signal."""
    assert proc.returncode >= 0, f"offramp died with signal {-proc.returncode}\n{proc.stderr}"
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream, stream
        assert "Fatal Python error" not in stream, stream


def finding_lines(proc, path: str) -> List[str]:  # type: ignore[no-untyped-def]
    return [line for line in proc.stdout.splitlines() if line.startswith(f"{path}:")]


def check_reports(tmp_path: Path, path: str, code: str, detail: str = "", run=run_cli) -> str:  # type: ignore[no-untyped-def]
    """`check PATH` exits 1 with one concise finding `PATH:L:C: CODE ...` (detail in its message)."""
    proc = run([*CHECK, path], tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = [line for line in finding_lines(proc, path) if f" {code} " in line]
    assert len(lines) == 1, proc.stdout
    assert re.match(rf"^{re.escape(path)}:\d+:\d+: {code} ", lines[0]), lines[0]
    assert detail in lines[0], lines[0]
    return lines[0]


def fix_refuses(tmp_path: Path, path: str, reason: str, run=run_cli) -> None:  # type: ignore[no-untyped-def]
    """`fix` names the file and the reason on one stderr line, exits 1 and leaves the bytes alone."""
    before = read_or_none(tmp_path / path)
    proc = run([*FIX, path], tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith(f"{path}: error: ")]
    assert len(errors) == 1 and reason in errors[0], proc.stderr
    if before is not None:
        assert (tmp_path / path).read_bytes() == before


def read_or_none(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes() if stat.S_ISREG(path.stat().st_mode) else None
    except OSError:
        return None


def usage_error(proc, *needles: str) -> None:  # type: ignore[no-untyped-def]
    """Exit 2 with exactly one line on stderr, `offramp: error: ...`, and nothing on stdout."""
    assert_no_crash(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("offramp: error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def write(root: Path, rel: str, data: bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


# -- files that do not parse -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name,body,detail",
    [
        ("syntax.py", SDK + "def f(:\n    pass\n", "invalid syntax"),
        ("py2.py", SDK + 'print "x"\n', "Missing parentheses in call to 'print'"),
        ("nul.py", SDK + "x = 1\x00\n", "null bytes"),
        ("unclosed.py", SDK + "x = [1, 2,\n", "never closed"),
    ],
)
def test_unparsable_files(tmp_path: Path, name: str, body: str, detail: str) -> None:
    write(tmp_path, name, body.encode())
    write(tmp_path, "good.py", SDK.encode())
    check_reports(tmp_path, name, "OFR000", detail)
    fix_refuses(tmp_path, name, "cannot parse file")
    # the run goes on: a good file next to it is still checked and fixed
    proc = run_cli([*CHECK, "."], tmp_path)
    assert_no_crash(proc)
    assert any(" OFR101 " in line for line in finding_lines(proc, "good.py"))
    proc = run_cli([*FIX, "."], tmp_path)
    assert_no_crash(proc)
    assert "dashscope" in (tmp_path / "good.py").read_text()


@pytest.mark.parametrize(
    "shape",
    [
        "x = " + "(" * 5000 + "1" + ")" * 5000,
        "x = " + "[" * 5000 + "1" + "]" * 5000,
        "x = " + "{1: " * 3000 + "1" + "}" * 3000,
        "x = " + "lambda: " * 5000 + "1",
        "x = " + "not " * 50000 + "y",
        "x = a" + ".b" * 50000,
        "x = f" + "()" * 50000,
        'print "x"\n' + "x = " + "(" * 3000 + ")" * 3000,  # broken *and* deep: never handed to LibCST
    ],
    ids=["parens", "lists", "dicts", "lambdas", "nots", "attributes", "calls", "py2-and-deep"],
)
def test_deeply_nested_expressions_are_a_finding_not_a_crash(tmp_path: Path, shape: str) -> None:
    # LibCST's native parser overflowed the C stack here (SIGSEGV, exit -11) before offramp screened depth:
    # a real process, so that a crash is this test's failure and not the end of the test session.
    write(tmp_path, "deep.py", (SDK + shape + "\n").encode())
    line = check_reports(tmp_path, "deep.py", "OFR000", run=run_process)
    assert "nested too deeply" in line or "parentheses" in line or "print" in line
    fix_refuses(tmp_path, "deep.py", "cannot parse file", run=run_process)


@pytest.mark.parametrize(
    "shape",
    [
        "x = " + " and ".join(["a"] * 20000),  # valid Python, but 20000 levels deep for LibCST
        "x = " + "(" * 150 + "1" + ")" * 150,  # inside CPython's limit of 200
        "x = " + "[" * 150 + "1" + "]" * 150,
    ],
    ids=["and-chain", "parens-150", "lists-150"],
)
def test_deep_but_valid_code_never_crashes(tmp_path: Path, shape: str) -> None:
    write(tmp_path, "deep.py", (SDK + shape + "\n").encode())
    proc = run_process([*CHECK, "deep.py"], tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 1
    lines = finding_lines(proc, "deep.py")
    # either analysed (OFR101) or one honest OFR002 "a limit" finding
    assert any(" OFR101 " in line for line in lines) or (len(lines) == 1 and " OFR002 " in lines[0]), lines
    proc = run_process([*FIX, "deep.py"], tmp_path)
    assert_no_crash(proc)
    compile((tmp_path / "deep.py").read_bytes(), "deep.py", "exec")


# Nesting that CPython accepts (200 brackets: the tokenizer's MAXLEVEL) is analysed and fixed, not
# reported as a limit: LibCST's visitors recurse ~7-13 Python frames a bracket, so the parse and
# the analysis run on a deep stack with a recursion limit to match (deepstack.on_deep_stack).
NESTED = {
    "lists": lambda d: "x = " + "[" * d + "1" + "]" * d,
    "client-in-lists": lambda d: "x = " + "[" * (d - 1) + "OpenAI(timeout=30)" + "]" * (d - 1),
    "subscripts": lambda d: "x = " + "a[" * d + "1" + "]" * d,
}


@pytest.mark.parametrize("depth", [100, 150, 199])
@pytest.mark.parametrize("shape", sorted(NESTED))
def test_nesting_python_accepts_is_fixed(tmp_path: Path, shape: str, depth: int) -> None:
    deep = NESTED[shape](depth)
    text = SDK + deep + "\n"
    compile(text, "deep.py", "exec")
    write(tmp_path, "deep.py", text.encode())
    proc = run_cli([*FIX, "deep.py"], tmp_path)
    assert_no_crash(proc)
    assert "error" not in proc.stderr, proc.stderr
    new = (tmp_path / "deep.py").read_text()
    compile(new, "deep.py", "exec")
    assert new.count("dashscope") == (2 if shape == "client-in-lists" else 1), new
    if shape != "client-in-lists":
        assert deep in new.splitlines()  # the nested code itself is untouched


@pytest.mark.parametrize("depth", [100, 150, 199])
def test_nesting_python_accepts_is_analysed(tmp_path: Path, depth: int) -> None:
    write(tmp_path, "deep.py", (SDK + NESTED["client-in-lists"](depth) + "\n").encode())
    proc = run_cli([*CHECK, "deep.py"], tmp_path)
    assert_no_crash(proc)
    lines = finding_lines(proc, "deep.py")
    assert not [line for line in lines if " OFR002 " in line], lines
    assert len([line for line in lines if " OFR101 " in line]) == 2, lines


def test_nesting_python_refuses_is_one_accurate_line(tmp_path: Path) -> None:
    """5000 brackets: CPython refuses them too; one line saying so, never a crash or "syntax error"."""
    write(tmp_path, "deep.py", (SDK + "x = " + "[" * 5000 + "]" * 5000 + "\n").encode())
    line = check_reports(tmp_path, "deep.py", "OFR000", "nested too deeply")
    assert "syntax" not in line.lower(), line
    fix_refuses(tmp_path, "deep.py", "cannot parse file: brackets nested more than 200 deep (Python's limit)")


def test_a_rewrite_past_python_nesting_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    """At exactly 200 brackets the inserted `os.environ[...]` would make 201: refused, file kept."""
    write(tmp_path, "deep.py", (SDK + NESTED["client-in-lists"](200) + "\n").encode())
    fix_refuses(tmp_path, "deep.py", "refused: the rewrite would not parse (too many nested parentheses")


# -- encodings, BOM, line endings, tabs --------------------------------------------------------


def test_non_utf8_without_cookie_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "latin.py", SDK.encode() + b's = "caf\xe9"\n')
    check_reports(tmp_path, "latin.py", "OFR001", "not valid utf-8")
    fix_refuses(tmp_path, "latin.py", "cannot read file: not valid utf-8")


def test_bad_coding_cookie_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "cookie.py", b"# -*- coding: no-such-codec -*-\n" + SDK.encode())
    check_reports(tmp_path, "cookie.py", "OFR001")
    fix_refuses(tmp_path, "cookie.py", "cannot read file")


def test_latin1_with_cookie_is_analysed_and_written_back_in_latin1(tmp_path: Path) -> None:
    cookie = b"# -*- coding: latin-1 -*-\n"
    data = cookie + SDK.encode() + b'GREETING = "caf\xe9 cr\xe8me"  # \xa9 keep\n'
    p = write(tmp_path, "latin.py", data)
    check_reports(tmp_path, "latin.py", "OFR101")
    proc = run_cli([*FIX, "latin.py"], tmp_path)
    assert_no_crash(proc)
    out = p.read_bytes()
    assert out.startswith(cookie)
    assert b'GREETING = "caf\xe9 cr\xe8me"  # \xa9 keep\n' in out  # latin-1 bytes, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        out.decode("utf-8")
    text = out.decode("latin-1")
    assert "dashscope" in text and "qwen" in text
    compile(out, "latin.py", "exec")  # Python reads it with the cookie, as before
    proc = run_cli([*CHECK, "latin.py"], tmp_path)
    assert not any(" OFR101 " in line or " OFR001 " in line for line in finding_lines(proc, "latin.py"))


def test_shift_jis_with_cookie_round_trips(tmp_path: Path) -> None:
    cookie = "# -*- coding: shift_jis -*-\n"
    p = write(tmp_path, "sjis.py", (cookie + SDK + 'NAME = "日本語"\n').encode("shift_jis"))
    proc = run_cli([*FIX, "sjis.py"], tmp_path)
    assert_no_crash(proc)
    out = p.read_bytes()
    assert 'NAME = "日本語"'.encode("shift_jis") in out
    assert "dashscope" in out.decode("shift_jis")


def test_utf8_bom_is_kept(tmp_path: Path) -> None:
    p = write(tmp_path, "bom.py", codecs.BOM_UTF8 + SDK.encode() + 'NOTE = "naïve"\n'.encode())
    line = check_reports(tmp_path, "bom.py", "OFR201")
    assert line.startswith("bom.py:3:")  # the BOM does not shift positions
    proc = run_cli([*FIX, "bom.py"], tmp_path)
    assert_no_crash(proc)
    out = p.read_bytes()
    assert out.startswith(codecs.BOM_UTF8) and not out[3:].startswith(codecs.BOM_UTF8)
    assert 'NOTE = "naïve"\n'.encode() in out and b"dashscope" in out


def lines_with_endings(data: bytes) -> List[bytes]:
    return data.splitlines(keepends=True)


@pytest.mark.parametrize("newline", ["\r\n", "mixed"])
def test_line_endings_are_kept_exactly(tmp_path: Path, newline: str) -> None:
    body = [
        "from openai import OpenAI",
        "x_1 = [1, 2]  # keep",
        "client = OpenAI()",
        "x_2 = 'a'  # keep",
        "def ask(q):",
        "    x_3 = 3  # keep",
        '    return client.chat.completions.create(model="gpt-4o", messages=[q])',
        "x_4 = None  # keep",
    ]
    endings = ["\r\n"] * len(body) if newline == "\r\n" else ["\r\n", "\n", "\n", "\r\n", "\r\n", "\n", "\r\n", "\n"]
    data = "".join(line + end for line, end in zip(body, endings)).encode()
    p = write(tmp_path, "eol.py", data)
    proc = run_cli([*FIX, "eol.py"], tmp_path)
    assert_no_crash(proc)
    out = p.read_bytes()
    assert out != data and b"dashscope" in out
    kept = {line for line in lines_with_endings(data) if b"# keep" in line}
    assert kept <= set(lines_with_endings(out)), "an untouched line lost its line ending"
    assert b"\r\r" not in out
    if newline == "\r\n":  # a CRLF file gets CRLF on every line, new ones included
        assert all(line.endswith(b"\r\n") for line in lines_with_endings(out))
    compile(out, "eol.py", "exec")


def test_tabs_are_kept(tmp_path: Path) -> None:
    src = (
        "from openai import OpenAI\n"
        "class Bot:\n"
        "\tdef __init__(self):\n"
        "\t\tself.client = OpenAI()\n"
        "\t\tself.x = [1,\t2]  # keep\n"
        "\tdef ask(self, q):\n"
        '\t\treturn self.client.chat.completions.create(model="gpt-4o", messages=[q])\n'
    )
    p = write(tmp_path, "tabs.py", src.encode())
    proc = run_cli([*FIX, "tabs.py"], tmp_path)
    assert_no_crash(proc)
    out = p.read_text()
    assert "\t\tself.x = [1,\t2]  # keep\n" in out and "dashscope" in out
    compile(out, "tabs.py", "exec")  # a TabError here would mean mixed indentation


# -- size, emptiness, odd file system objects ---------------------------------------------------


def test_ten_megabyte_file(tmp_path: Path) -> None:
    lines = [base64.b64encode(os.urandom(57)).decode() + "\n" for _ in range(10 * 1024 * 1024 // 77 + 1)]
    src = "from openai import OpenAI\nclient = OpenAI()\nDATA = '''\n" + "".join(lines) + "'''\n"
    src += 'r = client.chat.completions.create(model="gpt-4o", messages=[])\n'
    p = write(tmp_path, "big.py", src.encode())
    assert p.stat().st_size > 10 * 1024 * 1024
    proc = run_cli([*CHECK, "big.py"], tmp_path, timeout=300)
    assert_no_crash(proc)
    assert any(" OFR101 " in line for line in finding_lines(proc, "big.py"))
    assert any(line.startswith(f"big.py:{len(lines) + 5}:") for line in finding_lines(proc, "big.py"))
    proc = run_cli([*FIX, "big.py"], tmp_path, timeout=300)
    assert_no_crash(proc)
    out = p.read_text()
    assert "".join(lines) in out and "qwen" in out and "dashscope" in out


@pytest.mark.parametrize("name", ["settings.json", "proxy.yaml", ".env"])
def test_configuration_over_the_size_cap_named_explicitly_is_reported_not_read(tmp_path: Path, name: str) -> None:
    # A directory walk skips such files; named on the command line they were scanned whole (a 50 MB
    # JSON file took 2.7 GB). Now: one OFR001 finding in check, one error in fix, the bytes untouched.
    body = b'{"model": "gpt-4o", "base_url": "https://api.openai.com/v1"}\n' if name.endswith(".json") else b""
    body += b" " * (3 * 1024 * 1024)
    write(tmp_path, name, body)
    check_reports(tmp_path, name, "OFR001", "larger than 2 MB")
    fix_refuses(tmp_path, name, "larger than 2 MB")
    # The no-parse path must not call it clean either (the file's bytes do not mention OpenAI).
    write(tmp_path, "blank.yaml", b"#" * (3 * 1024 * 1024))
    check_reports(tmp_path, "blank.yaml", "OFR001", "larger than 2 MB")
    proc = run_cli([*CHECK, "."], tmp_path)  # the walk still leaves them out, silently
    assert "OFR001" not in proc.stdout, proc.stdout


def test_empty_files(tmp_path: Path) -> None:
    write(tmp_path, "empty.py", b"")
    write(tmp_path, "blank.py", b"\n\n")
    write(tmp_path, "only_bom.py", codecs.BOM_UTF8)
    for cmd in (CHECK, FIX):
        proc = run_cli([*cmd, "."], tmp_path)
        assert_no_crash(proc)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "empty.py").read_bytes() == b""
    assert (tmp_path / "only_bom.py").read_bytes() == codecs.BOM_UTF8


def test_directory_named_like_a_python_file(tmp_path: Path) -> None:
    write(tmp_path, "pkg.py/inner.py", SDK.encode())
    for args in (["pkg.py"], ["."]):
        proc = run_cli([*CHECK, *args], tmp_path)
        assert_no_crash(proc)
        assert proc.returncode == 1
        assert any(" OFR101 " in line for line in finding_lines(proc, "pkg.py/inner.py")), proc.stdout
    proc = run_cli([*FIX, "pkg.py"], tmp_path)
    assert_no_crash(proc)
    assert "dashscope" in (tmp_path / "pkg.py" / "inner.py").read_text()


def test_symlink_loop(tmp_path: Path) -> None:
    os.symlink("loop_b.py", tmp_path / "loop_a.py")
    os.symlink("loop_a.py", tmp_path / "loop_b.py")
    write(tmp_path, "good.py", SDK.encode())
    check_reports(tmp_path, "loop_a.py", "OFR001", "symbolic links")
    fix_refuses(tmp_path, "loop_a.py", "symbolic links")
    proc = run_cli([*CHECK, "."], tmp_path)  # found by the walk: reported, the walk goes on
    assert_no_crash(proc)
    assert any(" OFR001 " in line for line in finding_lines(proc, "loop_a.py"))
    assert any(" OFR101 " in line for line in finding_lines(proc, "good.py"))


def test_directory_symlink_loop_in_a_walk(tmp_path: Path) -> None:
    write(tmp_path, "pkg/a.py", SDK.encode())
    os.symlink("..", tmp_path / "pkg" / "up")
    os.symlink(".", tmp_path / "pkg" / "self")
    proc = run_cli([*CHECK, "."], tmp_path, timeout=60)
    assert_no_crash(proc)
    assert len([line for line in proc.stdout.splitlines() if " OFR101 " in line]) == 1, proc.stdout


def test_dangling_symlink(tmp_path: Path) -> None:
    os.symlink("gone.py", tmp_path / "dangling.py")
    check_reports(tmp_path, "dangling.py", "OFR001", "no such file")
    fix_refuses(tmp_path, "dangling.py", "no such file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_reported_not_waited_on(tmp_path: Path) -> None:
    # Opening a FIFO with no writer blocks forever: the run must not wait for one.
    os.mkfifo(tmp_path / "pipe.py")
    write(tmp_path, "good.py", SDK.encode())
    check_reports(tmp_path, "pipe.py", "OFR001", "not a regular file")
    fix_refuses(tmp_path, "pipe.py", "not a regular file")
    proc = run_cli([*CHECK, "."], tmp_path, timeout=60)
    assert_no_crash(proc)
    assert any(" OFR001 " in line for line in finding_lines(proc, "pipe.py"))
    assert any(" OFR101 " in line for line in finding_lines(proc, "good.py"))
    proc = run_cli(["check", "pipe.py"], tmp_path, timeout=60)  # the full format shows source lines
    assert_no_crash(proc)
    assert proc.returncode == 1


def test_unreadable_file(tmp_path: Path) -> None:
    p = write(tmp_path, "secret.py", SDK.encode())
    p.chmod(0)
    try:
        if os.access(p, os.R_OK):
            pytest.skip("running as root: permission bits do not stop reads (see the /proc and FIFO tests)")
        check_reports(tmp_path, "secret.py", "OFR001", "permission denied")
        fix_refuses(tmp_path, "secret.py", "permission denied")
    finally:
        p.chmod(0o644)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_unreadable_even_for_root(tmp_path: Path) -> None:
    # Reading /proc/self/mem from offset 0 fails with EIO for every user, root included.
    os.symlink("/proc/self/mem", tmp_path / "mem.py")
    check_reports(tmp_path, "mem.py", "OFR001", "cannot read file")
    fix_refuses(tmp_path, "mem.py", "cannot read file")


def test_read_only_file_that_fix_wants_to_change(tmp_path: Path) -> None:
    p = write(tmp_path, "locked.py", SDK.encode())
    p.chmod(0o444)
    before = p.read_bytes()
    proc = run_cli([*CHECK, "locked.py"], tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 1
    fix_refuses(tmp_path, "locked.py", "cannot write file: file is read-only; left unchanged")
    assert p.read_bytes() == before and stat.S_IMODE(p.stat().st_mode) == 0o444
    assert not list(tmp_path.glob("*.offramp-tmp")) and not list(tmp_path.glob(".*.offramp-tmp"))
    proc = run_cli([*FIX, "--diff", "locked.py"], tmp_path)  # a diff writes nothing, so it is fine
    assert_no_crash(proc)
    assert proc.returncode == 1 and "+++ b/locked.py" in proc.stdout


def test_read_only_file_without_changes_is_not_an_error(tmp_path: Path) -> None:
    p = write(tmp_path, "clean.py", b"import os\nprint(os.getcwd())\n")
    p.chmod(0o444)
    proc = run_cli([*FIX, "clean.py"], tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 0, proc.stderr


# -- usage and configuration errors: exit 2, one line ------------------------------------------


@pytest.mark.parametrize("cmd", [CHECK, FIX])
def test_path_that_does_not_exist(tmp_path: Path, cmd: List[str]) -> None:
    write(tmp_path, "good.py", SDK.encode())
    usage_error(run_cli([*cmd, "good.py", "nope.py"], tmp_path), "path does not exist: nope.py")


@pytest.mark.parametrize("cmd", [CHECK, FIX])
@pytest.mark.parametrize(
    "name,text,needles",
    [
        ("pyproject.toml", "[tool.offramp\nselect = [\n", ["pyproject.toml", "invalid TOML"]),
        ("offramp.toml", "select = ['OFR1'\n", ["offramp.toml", "invalid TOML"]),
        ("pyproject.toml", "[tool.offramp]\nselect = ['OFR999']\n", ["pyproject.toml", "'OFR999'"]),
        ("pyproject.toml", "[tool.offramp]\ntarget = 'nosuch'\n", ["unknown provider 'nosuch'"]),
        ("pyproject.toml", "[tool.offramp]\nbogus = 1\n", ["pyproject.toml", "bogus"]),
        ("pyproject.toml", b"[tool.offramp]\nselect = ['\xff']\n", ["pyproject.toml"]),
    ],
    ids=["broken-pyproject", "broken-offramp-toml", "unknown-code", "unknown-target", "unknown-key", "not-utf8"],
)
def test_bad_config(tmp_path: Path, cmd: List[str], name: str, text, needles: List[str]) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, name, text if isinstance(text, bytes) else text.encode())
    p = write(tmp_path, "good.py", SDK.encode())
    before = p.read_bytes()
    if "target" in str(text) and cmd is FIX:
        cmd = ["fix"]  # --to on the command line would override the configured target
    usage_error(run_cli([*cmd, "good.py"], tmp_path), *needles)
    assert p.read_bytes() == before


@pytest.mark.parametrize(
    "args,needle",
    [
        (["check", "--to", "nosuch"], "unknown provider 'nosuch'"),
        ([*FIX[:1], "--to", "nosuch"], "unknown provider 'nosuch'"),
        (["check", "--select", "OFR999"], "--select: unknown rule code or prefix 'OFR999'"),
        (["check", "--ignore", "XYZ"], "--ignore: unknown rule code or prefix 'XYZ'"),
        ([*FIX, "--extend-select", "OFR1,BOGUS"], "'BOGUS'"),
        (["check", "--to", "qwen", "--region", "mars"], "region 'mars'"),
        (["fix"], "--to PROVIDER"),
        (["check", "--config", "missing.toml"], "missing.toml: config file not found"),
    ],
)
def test_bad_options(tmp_path: Path, args: List[str], needle: str) -> None:
    p = write(tmp_path, "good.py", SDK.encode())
    before = p.read_bytes()
    usage_error(run_cli([*args, "good.py"], tmp_path), needle)
    assert p.read_bytes() == before


def test_unknown_rule_for_explain(tmp_path: Path) -> None:
    usage_error(run_cli(["explain", "OFR999"], tmp_path), "OFR999")


# -- everything at once --------------------------------------------------------------------------


def test_one_run_over_a_hostile_tree(tmp_path: Path) -> None:
    """All of the above in one directory: each bad file gets its own line, good files are fixed."""
    files: Dict[str, Optional[bytes]] = {
        "syntax.py": (SDK + "def f(:\n").encode(),
        "py2.py": (SDK + 'print "x"\n').encode(),
        "nul.py": (SDK + "\x00").encode(),
        "latin.py": SDK.encode() + b"# caf\xe9\n",
        "deep.py": (SDK + "x = " + "(" * 5000 + ")" * 5000 + "\n").encode(),
        "empty.py": b"",
        "good.py": SDK.encode(),
        "bom.py": codecs.BOM_UTF8 + SDK.encode(),
    }
    for name, data in files.items():
        write(tmp_path, name, data or b"")
    os.symlink("loop2.py", tmp_path / "loop1.py")
    os.symlink("loop1.py", tmp_path / "loop2.py")
    os.symlink("gone.py", tmp_path / "dangling.py")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "dir.py").mkdir()
    proc = run_cli([*CHECK, "-j", "2", "."], tmp_path, timeout=120)
    assert_no_crash(proc)
    assert proc.returncode == 1
    expect = {
        "syntax.py": "OFR000",
        "py2.py": "OFR000",
        "nul.py": "OFR000",
        "deep.py": "OFR000",
        "latin.py": "OFR001",
        "loop1.py": "OFR001",
        "loop2.py": "OFR001",
        "dangling.py": "OFR001",
        "good.py": "OFR101",
        "bom.py": "OFR101",
    }
    if hasattr(os, "mkfifo"):
        expect["pipe.py"] = "OFR001"
    for name, code in expect.items():
        assert any(f" {code} " in line for line in finding_lines(proc, name)), (name, proc.stdout)
    assert not finding_lines(proc, "empty.py")
    assert " OFR002 " not in proc.stdout
    proc = run_cli([*FIX, "-j", "2", "."], tmp_path, timeout=120)
    assert_no_crash(proc)
    assert proc.returncode == 1
    for name in ("syntax.py", "py2.py", "nul.py", "deep.py", "latin.py", "loop1.py", "dangling.py"):
        assert sum(line.startswith(f"{name}: error: ") for line in proc.stderr.splitlines()) == 1, (name, proc.stderr)
    for name, data in files.items():
        if name in ("good.py", "bom.py"):
            assert b"dashscope" in (tmp_path / name).read_bytes()
        else:
            assert (tmp_path / name).read_bytes() == (data or b""), name
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".offramp-tmp")]


def test_verbose_still_no_traceback_for_bad_files(tmp_path: Path) -> None:
    write(tmp_path, "nul.py", (SDK + "\x00").encode())
    write(tmp_path, "deep.py", (SDK + "x = " + "[" * 5000 + "]" * 5000 + "\n").encode())
    proc = run_cli([*CHECK, "--verbose", "."], tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names")
def test_undecodable_file_name(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.py")
    write(tmp_path, name, SDK.encode())
    proc = run_cli([*CHECK, "."], tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 1 and " OFR101 " in proc.stdout
    proc = run_cli([*FIX, "."], tmp_path)
    assert_no_crash(proc)
    assert b"dashscope" in (tmp_path / name).read_bytes()


def test_report_file_that_cannot_be_written(tmp_path: Path) -> None:
    write(tmp_path, "good.py", SDK.encode())
    locked = write(tmp_path, "report.json", b"{}")
    locked.chmod(0o444)
    usage_error(run_cli([*CHECK, "-o", "report.json", "good.py"], tmp_path), "cannot write report.json")
    assert locked.read_bytes() == b"{}"
    (tmp_path / "blocker").write_text("a file, not a directory")
    proc = run_cli([*FIX, "--report", "blocker/migration.md", "good.py"], tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith("offramp: error: cannot write blocker/migration.md")
    assert "Rewrote 1 file" in proc.stderr  # what was done is still said
    assert "dashscope" in (tmp_path / "good.py").read_text()
