#!/usr/bin/env python3
"""offramp's speed benchmark: offramp (cold, warm), a Fixit rule, grep and ripgrep on the same files.

    python bench/run.py [--quick]

Run it with the Python that has offramp installed (`pip install -e .`). It builds its corpora
from pinned sources into bench/.corpora/, creates bench/.venv-fixit for Fixit, prints markdown
tables and writes bench/results.md and bench/profile.txt. bench/README.md explains the columns.
Nothing here asserts a time: the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared"
CORPORA = BENCH / ".corpora"
OUT = CORPORA / "_out"
TOOLS = CORPORA / "_tools"
FIXIT_VENV = BENCH / ".venv-fixit"

# Tree 1: a big wheel that does not use the SDK. Pinned; the hash is checked after download.
BIG_WHEEL = ("Django", "5.2.8", "37e687f7bd73ddf043e2b6b97cfe02fcbb11f2dbb3adccc6a2b18c6daa054d7f")
FIXIT_PINS = ("fixit==2.2.1", "fixit>=2,<3")
PYINSTRUMENT_PINS = ("pyinstrument==5.1.3", "pyinstrument")
FIXIT_RULE = "fixit_rule:OpenAIClientConstruction"
PRECOMMIT_FILES = 10
SCALES = (1, 2, 4)
# --quick: a cell whose warm-up takes longer than this keeps the warm-up as its only sample.
QUICK_SLOW_S = 5.0
# A cell whose warm-up takes less than this gets at least FAST_RUNS timed runs (also with --quick).
FAST_S = 0.5
FAST_RUNS = 15
SOURCE_SUFFIXES = (".py", ".pyi")

# The corpora live inside this repository, in a folder its .gitignore ignores, and every tool
# here honours .gitignore by default. This file makes bench/.corpora a project root of its own
# for offramp (config discovery) and Fixit (trailrunner's root markers), so both see every file.
CORPORA_PYPROJECT = """\
# Written by bench/run.py: makes bench/.corpora a project root of its own, so the tools do not
# apply the repository's .gitignore (which ignores this folder) to the benchmark corpora.
[tool.offramp]
respect-gitignore = false

[tool.fixit]
root = true
"""


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def die(msg: str) -> None:
    print(f"bench/run.py: error: {msg}", file=sys.stderr)
    sys.exit(2)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_quiet(cmd: Sequence[str], **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


# ---------------------------------------------------------------------------------------------
# Corpora


@dataclass
class Tree:
    key: str  # directory name under bench/.corpora
    title: str
    source: str
    paths: List[str]  # what the tools are given, relative to bench/.corpora
    files: List[Path] = field(default_factory=list)  # every source file in it (absolute)

    def stats(self) -> Tuple[int, int, int, int]:
        """files, lines, bytes, files mentioning openai (bytes, any case)."""
        lines = size = mention = 0
        for p in self.files:
            data = p.read_bytes()
            size += len(data)
            lines += data.count(b"\n")
            mention += b"openai" in data.lower()
        return len(self.files), lines, size, mention


def source_files(root: Path) -> List[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())


def extract_sources(wheel: Path, dest: Path) -> None:
    """Only .py/.pyi: every tool then sees exactly the same files (grep included)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    root = dest.resolve()
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            if info.is_dir() or not info.filename.endswith(SOURCE_SUFFIXES):
                continue
            target = (dest / info.filename).resolve()
            if root not in target.parents:
                die(f"{wheel.name}: unsafe member {info.filename!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(info))


def build_big_tree(force_stdlib: bool) -> Tree:
    name, version, sha = BIG_WHEEL
    dest = CORPORA / "big"
    stamp = CORPORA / "big.stamp"
    want = f"{name}=={version} sha256:{sha}"
    if not force_stdlib:
        if stamp.is_file() and stamp.read_text() == want and dest.is_dir():
            return Tree("big", f"{name} {version}", f"PyPI wheel {want}", ["big"], source_files(dest))
        dl = CORPORA / "_downloads"
        dl.mkdir(parents=True, exist_ok=True)
        wheels = [p for p in dl.glob(f"{name.lower()}-{version}-*.whl") if sha256_file(p) == sha]
        if not wheels:
            say(f"downloading {name}=={version} (wheel, no dependencies)...")
            req = dl / "big-requirements.txt"
            req.write_text(f"{name}=={version} --hash=sha256:{sha}\n")
            r = run_quiet(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--only-binary",
                    ":all:",
                    "--require-hashes",
                    "-r",
                    str(req),
                    "-d",
                    str(dl),
                ]
            )
            wheels = [p for p in dl.glob(f"{name.lower()}-{version}-*.whl")]
            if r.returncode != 0 or not wheels:
                say(
                    f"note: could not download {name}=={version} ({r.stdout.strip().splitlines()[-1:]}); "
                    "falling back to the interpreter's standard library"
                )
                return build_stdlib_tree()
        wheel = wheels[0]
        got = sha256_file(wheel)
        if got != sha:
            die(f"{wheel}: sha256 {got} does not match the pinned {sha}")
        extract_sources(wheel, dest)
        stamp.write_text(want)
        return Tree("big", f"{name} {version}", f"PyPI wheel {want}", ["big"], source_files(dest))
    return build_stdlib_tree()


def build_stdlib_tree() -> Tree:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    dest = CORPORA / "stdlib"
    stamp = CORPORA / "stdlib.stamp"
    want = f"{stdlib} {platform.python_version()}"
    if not (stamp.is_file() and stamp.read_text() == want and dest.is_dir()):
        if dest.exists():
            shutil.rmtree(dest)
        for p in source_files(stdlib):
            rel = p.relative_to(stdlib)
            if rel.parts[0] in ("site-packages", "dist-packages"):
                continue
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dest / rel)
        stamp.write_text(want)
    return Tree(
        "stdlib", f"CPython {platform.python_version()} stdlib", f"{stdlib} (fallback)", ["stdlib"], source_files(dest)
    )


def build_sdk_tree() -> Tree:
    script = SHARED / "corpus" / "get-pypi-corpus.sh"
    tsv = SHARED / "corpus" / "corpora.tsv"
    if not script.is_file() or not tsv.is_file():
        die(
            f"{script} not found: the benchmark needs the project's shared folder beside the repository "
            f"(../shared from {REPO}), which pins the public PyPI corpora in corpus/corpora.tsv"
        )
    want = hashlib.sha256(tsv.read_bytes() + script.read_bytes()).hexdigest()
    dest = CORPORA / "sdk"
    stamp = CORPORA / "sdk.stamp"
    if not (stamp.is_file() and stamp.read_text() == want and dest.is_dir()):
        raw = CORPORA / "_pypi"
        say("building the SDK-heavy corpus: get-pypi-corpus.sh --group public ...")
        r = run_quiet(
            ["bash", str(script), str(raw), "--group", "public"], env={**os.environ, "PYTHON": sys.executable}
        )
        if r.returncode != 0:
            die(f"get-pypi-corpus.sh failed:\n{r.stdout}")
        if dest.exists():
            shutil.rmtree(dest)
        for corpus in sorted(p for p in raw.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for p in source_files(corpus):
                target = dest / corpus.name / p.relative_to(corpus)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, target)
            src = corpus / ".corpus-source"
            if src.is_file():
                shutil.copy2(src, CORPORA / f"sdk.{corpus.name}.source")
        stamp.write_text(want)
    pins = []
    for p in sorted(CORPORA.glob("sdk.*.source")):
        if (dest / p.name[4:-7]).is_dir():
            pins.append(p.read_text().split("\t")[0])
    return Tree(
        "sdk",
        "public PyPI corpora",
        "get-pypi-corpus.sh --group public: " + ", ".join(pins),
        ["sdk"],
        source_files(dest),
    )


def precommit_tree(sdk: Tree) -> Tree:
    """10 files of the SDK tree that mention openai, evenly spread: the worst case for a commit."""
    mentioning = [p for p in sdk.files if b"openai" in p.read_bytes().lower()]
    n = min(PRECOMMIT_FILES, len(mentioning))
    step = (len(mentioning) - 1) / max(n - 1, 1)
    picked = [mentioning[round(i * step)] for i in range(n)]
    rel = [p.relative_to(CORPORA).as_posix() for p in picked]
    return Tree("precommit", f"pre-commit: {n} files", f"{n} files of the SDK tree that mention openai", rel, picked)


def clean_precommit_tree(big: Tree) -> Tree:
    """10 files of the big tree, evenly spread: the everyday commit, which touches no SDK code."""
    clean = [p for p in big.files if b"openai" not in p.read_bytes().lower()]
    n = min(PRECOMMIT_FILES, len(clean))
    step = (len(clean) - 1) / max(n - 1, 1)
    picked = [clean[round(i * step)] for i in range(n)]
    rel = [p.relative_to(CORPORA).as_posix() for p in picked]
    return Tree("precommit-clean", f"pre-commit: {n} files, no SDK", f"{n} files of the big tree", rel, picked)


def scaled_tree(sdk: Tree, copies: int) -> Tree:
    if copies == 1:
        return sdk
    dest = CORPORA / f"sdk-x{copies}"
    stamp = CORPORA / f"sdk-x{copies}.stamp"
    want = (CORPORA / "sdk.stamp").read_text()
    if not (stamp.is_file() and stamp.read_text() == want and dest.is_dir()):
        if dest.exists():
            shutil.rmtree(dest)
        base = CORPORA / "sdk"
        for i in range(1, copies + 1):
            for p in sdk.files:
                target = dest / f"copy{i}" / p.relative_to(base)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(p, target)
                except OSError:
                    shutil.copy2(p, target)
        stamp.write_text(want)
    return Tree(
        f"sdk-x{copies}", f"SDK tree x{copies}", f"{copies} copies of the SDK tree", [dest.name], source_files(dest)
    )


# ---------------------------------------------------------------------------------------------
# Tools


@dataclass
class Tools:
    offramp: List[str]
    offramp_version: str
    cache: bool  # `offramp check --no-cache` exists
    cache_dir_flag: bool
    fixit: Optional[List[str]]
    fixit_version: str
    fixit_libcst: str
    grep_version: str
    rg: Optional[str]
    rg_version: str
    notes: List[str] = field(default_factory=list)


def find_offramp() -> List[str]:
    script = Path(sys.executable).parent / "offramp"
    if script.is_file():
        return [str(script)]
    try:
        importlib.metadata.version("offramp")
    except importlib.metadata.PackageNotFoundError:
        die(
            f"offramp is not installed for {sys.executable}; run this with the Python of the venv "
            "where `pip install -e .` was done (e.g. .venv/bin/python bench/run.py)"
        )
    return [sys.executable, "-m", "offramp"]


def ensure_fixit(notes: List[str]) -> Tuple[Optional[List[str]], str, str]:
    py = FIXIT_VENV / "bin" / "python"
    fixit = FIXIT_VENV / "bin" / "fixit"
    if not fixit.is_file():
        say(f"creating {FIXIT_VENV.relative_to(REPO)} and installing Fixit ...")
        r = run_quiet([sys.executable, "-m", "venv", "--clear", str(FIXIT_VENV)])
        if r.returncode != 0:
            notes.append(f"Fixit: could not create a venv: {r.stdout.strip()[-200:]}")
            return None, "n/a", "n/a"
        for pin in FIXIT_PINS:
            r = run_quiet([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", pin])
            if r.returncode == 0:
                break
        else:
            notes.append(f"Fixit: pip install failed: {r.stdout.strip()[-300:]}")
            return None, "n/a", "n/a"
    version = run_quiet(
        [str(py), "-c", "import importlib.metadata as m; print(m.version('fixit'), m.version('libcst'))"]
    )
    fixit_v, libcst_v = [*version.stdout.split(), "?", "?"][:2]
    # The rule's own VALID/INVALID cases, so a broken rule never produces numbers.
    r = run_quiet([str(fixit), "test", FIXIT_RULE], env=fixit_env(), cwd=str(BENCH))
    if r.returncode != 0:
        die(f"bench/fixit_rule.py fails its own test cases:\n{r.stdout[-2000:]}")
    return [str(fixit), "--rules", FIXIT_RULE, "lint"], fixit_v, libcst_v


def fixit_env() -> Dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(BENCH), "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as for offramp: installed tools start from .pyc
    return env


def ensure_pyinstrument(notes: List[str]) -> Optional[Path]:
    target = TOOLS / "pyinstrument"
    if (target / "pyinstrument").is_dir():
        return target
    say("installing pyinstrument into bench/.corpora/_tools ...")
    for pin in PYINSTRUMENT_PINS:
        r = run_quiet(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
                str(target),
                pin,
            ]
        )
        if r.returncode == 0:
            return target
    notes.append(f"profile skipped: pip install pyinstrument failed: {r.stdout.strip()[-200:]}")
    return None


def detect_tools(with_fixit: bool) -> Tools:
    notes: List[str] = []
    offramp = find_offramp()
    v = run_quiet([*offramp, "--version"])
    if v.returncode != 0:
        die(f"`{' '.join(offramp)} --version` failed:\n{v.stdout}")
    help_text = run_quiet([*offramp, "check", "--help"]).stdout
    cache = "--no-cache" in help_text
    if not cache:
        notes.append(
            "offramp warm: n/a (`offramp check --help` has no --no-cache: the findings cache is not there yet)"
        )
    fixit, fixit_v, fixit_libcst = (None, "not run", "n/a")
    if with_fixit:
        fixit, fixit_v, fixit_libcst = ensure_fixit(notes)
    grep_v = run_quiet(["grep", "--version"]).stdout.splitlines()[0]
    rg = shutil.which("rg")
    rg_v = run_quiet([rg, "--version"]).stdout.splitlines()[0] if rg else "not installed"
    if not rg:
        notes.append("ripgrep: not installed, its rows are skipped (Debian/Ubuntu: `apt-get install ripgrep`)")
    return Tools(
        offramp,
        v.stdout.strip(),
        cache,
        "--cache-dir" in help_text,
        fixit,
        fixit_v,
        fixit_libcst,
        grep_v,
        rg,
        rg_v,
        notes,
    )


# ---------------------------------------------------------------------------------------------
# Measuring

PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(pid: int, skip_root: bool = False) -> int:
    """Resident bytes of a process and all its descendants (from /proc); `skip_root` leaves out the first."""
    total = 0
    stack, seen = [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            if not (skip_root and p == pid):
                with open(f"/proc/{p}/statm") as f:
                    total += int(f.read().split()[1]) * PAGE
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(x) for x in f.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def _busy_jiffies() -> int:
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    v = [int(x) for x in parts]
    return sum(v) - v[3] - (v[4] if len(v) > 4 else 0)  # all but idle and iowait


def _own_cpu() -> float:
    import resource

    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system of the process and its children
    maxrss: int  # bytes, the largest single process (wait4)
    tree_rss: int  # bytes, the sampled peak of the sum over the process tree (0 if not sampled)
    rc: int
    output: str


TIME = Path("/usr/bin/time")


def run_once(cmd: Sequence[str], env: Dict[str, str], sample_rss: bool) -> Sample:
    """One run in a fresh process. Wall time is ours; peak RSS comes from GNU time when it is there,
    because a child forked from this (large) Python process would otherwise count our pages."""
    OUT.mkdir(parents=True, exist_ok=True)
    out_path, rss_path = OUT / "last-output.txt", OUT / "last-rss.txt"
    use_time = TIME.is_file()
    argv = [str(TIME), "-f", "%M", "-o", str(rss_path), *cmd] if use_time else list(cmd)
    with out_path.open("w") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=str(CORPORA)
        )
        peak = [0]
        stop = threading.Event()

        def sampler() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _tree_rss(p.pid, skip_root=use_time))
                stop.wait(0.02)

        thread = threading.Thread(target=sampler, daemon=True) if sample_rss else None
        if thread:
            thread.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        stop.set()
        if thread:
            thread.join()
        p.returncode = os.waitstatus_to_exitcode(status)
    maxrss = ru.ru_maxrss * 1024
    if use_time:
        with contextlib.suppress(OSError, ValueError, IndexError):
            maxrss = int(rss_path.read_text().split()[-1]) * 1024
    return Sample(
        wall,
        ru.ru_utime + ru.ru_stime,
        maxrss,
        max(peak[0], maxrss) if sample_rss else 0,
        p.returncode,
        out_path.read_text(errors="replace"),
    )


@dataclass
class Cell:
    tree: str
    tool: str
    cmd: List[str]
    files: int
    samples: List[Sample] = field(default_factory=list)
    tree_rss: int = 0
    hits: str = ""
    note: str = ""
    quick_single: bool = False
    background: float = 0.0  # mean cores busy with other processes' work while the cell ran
    error: str = ""
    first_run: Optional[float] = None  # offramp warm: the run that filled the cache

    @property
    def ok(self) -> bool:
        return bool(self.samples) and not self.error

    @property
    def median(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    def to_json(self) -> dict:
        return {
            "tree": self.tree,
            "tool": self.tool,
            "cmd": self.cmd,
            "files": self.files,
            "walls": [s.wall for s in self.samples],
            "cpu": [s.cpu for s in self.samples],
            "maxrss": max((s.maxrss for s in self.samples), default=0),
            "tree_rss": self.tree_rss,
            "hits": self.hits,
            "background_cores": self.background,
            "error": self.error,
            "first_run": self.first_run,
        }


def measure(
    cell: Cell,
    env: Dict[str, str],
    runs: int,
    quick: bool,
    ok_codes: Tuple[int, ...] = (0,),
    warmup: bool = True,
) -> Cell:
    """A warm-up (also the RSS-sampled run), then `runs` timed runs; --quick keeps a slow warm-up as the sample."""
    busy0, own0, t0 = _busy_jiffies(), _own_cpu(), time.monotonic()
    first = run_once(cell.cmd, env, sample_rss=True)
    if first.rc not in ok_codes:
        cell.error = f"exit {first.rc}: " + " | ".join(first.output.strip().splitlines()[-3:])[:300]
        say(f"  {cell.tree} / {cell.tool}: FAILED ({cell.error})")
        return cell
    cell.tree_rss = first.tree_rss
    cell.hits = summarize_output(cell.tool, first.output)
    if not warmup:
        cell.samples.append(first)
    elif quick and first.wall >= QUICK_SLOW_S:
        cell.samples.append(first)
        cell.quick_single = True
    else:
        # Sub-second cells are cheap to repeat and the noisiest: at least FAST_RUNS samples.
        for _ in range(max(runs, FAST_RUNS) if first.wall < FAST_S else runs):
            s = run_once(cell.cmd, env, sample_rss=False)
            if s.rc not in ok_codes:
                cell.error = f"exit {s.rc}"
                break
            cell.samples.append(s)
    elapsed = time.monotonic() - t0
    hz = os.sysconf("SC_CLK_TCK")
    other = (_busy_jiffies() - busy0) / hz - (_own_cpu() - own0)
    cell.background = max(0.0, other / elapsed) if elapsed > 0 else 0.0
    say(
        f"  {cell.tree} / {cell.tool}: median {cell.median:.3f} s over {len(cell.samples)} run(s)"
        + (f", background load {cell.background:.2f} cores" if cell.background > 0.2 else "")
    )
    return cell


def summarize_output(tool: str, out: str) -> str:
    """A short 'what did it find' string, for a sanity check that the tools saw the same thing."""
    if tool.startswith("offramp"):
        codes = re.findall(r":\d+:\d+: (OFR\d{3}) ", out)
        clients = sum(c in ("OFR101", "OFR102") for c in codes)
        m = re.search(r"of (\d+) files\.|\((\d+) files? checked\)", out)
        checked = f"; {m.group(1) or m.group(2)} files checked" if m else ""
        return f"{len(codes)} findings, {clients} clients{checked}"
    if tool == "Fixit":
        hits = len(re.findall(r"OpenAIClientConstruction", out))
        m = re.search(r"(\d+) files? (?:checked|clean)", out)
        checked = f"; {m.group(1)} files checked" if m else ""
        return f"{hits} clients{checked}"
    return f"{len([x for x in out.splitlines() if x.strip()])} files match"


# ---------------------------------------------------------------------------------------------
# Formatting


def fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_mb(b: int) -> str:
    return f"{b / 1e6:.0f}" if b else "-"


def cell_row(c: Cell) -> List[str]:
    if not c.ok:
        why = c.error or c.note or "n/a"
        return [c.tree, c.tool, str(c.files), "-", "n/a", "-", "-", "-", "-", "-", why]
    walls = [s.wall for s in c.samples]
    runs = f"{len(walls)}" + ("*" if c.quick_single else "")
    cpu = statistics.median(s.cpu for s in c.samples)
    maxrss = max(s.maxrss for s in c.samples)
    flag = " ‡" if c.background > 0.25 else ""
    return [
        c.tree,
        c.tool,
        str(c.files),
        runs,
        fmt_s(c.median) + flag,
        f"{fmt_s(min(walls))}–{fmt_s(max(walls))}",
        f"{c.files / c.median:,.0f}",
        fmt_s(cpu),
        fmt_mb(c.tree_rss),
        fmt_mb(maxrss),
        c.hits,
    ]


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    out = ["| " + " | ".join(header) + " |"]
    out.append("|" + "|".join((align[i] if i < len(align) else "---") for i in range(len(header))) + "|")
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def ratio(a: Optional[Cell], b: Optional[Cell]) -> Optional[float]:
    if a is None or b is None or not a.ok or not b.ok:
        return None
    return a.median / b.median


def fmt_ratio(r: Optional[float]) -> str:
    if r is None:
        return "n/a"
    if r < 1:
        return f"{r:.3f} ({1 / r:.1f}x faster)"
    return f"{r:.2f} ({r:.1f}x slower)"


# ---------------------------------------------------------------------------------------------
# Profile


def profile(tools: Tools, trees: Sequence[Tree], pyi: Path) -> str:
    """One `offramp check -j 1` per tree under pyinstrument; the top entries go to profile.txt."""
    sys.path.insert(0, str(pyi))
    from pyinstrument.session import Session  # type: ignore[import-not-found]

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(pyi), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    parts = []
    for i, tree in enumerate(trees):
        session = OUT / f"profile-{tree.key}.pyisession"
        check = ["check", "-j", "1", *(["--no-cache"] if tools.cache else []), "--exit-zero"]
        cmd = [
            sys.executable,
            "-m",
            "pyinstrument",
            "-r",
            "pyisession",
            "-o",
            str(session),
            str(BENCH / "profile_entry.py"),  # offramp with its deep-stack thread run inline
            *check,
            "--output-format",
            "concise",
            *tree.paths,
        ]
        say(f"profiling offramp check -j 1 on {tree.key} (pyinstrument) ...")
        session.unlink(missing_ok=True)
        r = subprocess.run(cmd, cwd=str(CORPORA), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0 or not session.is_file():
            parts.append(f"profile of {tree.key} failed (exit {r.returncode}): {r.stderr.strip()[-300:]}\n")
            continue
        title = f"{tree.key} ({tree.title}, {len(tree.files)} files)"
        plain = run_once([*tools.offramp, *check, "--output-format", "concise", *tree.paths], os.environ, False)
        title += f"; the same run without the profiler: {plain.wall:.2f} s"
        parts.append(
            render_profile(
                Session.load(str(session)), title, ["offramp", *cmd[cmd.index("check") :]], top=25 if i == 0 else 12
            )
        )
    return "\n\n".join(parts)


_CATEGORY_GROUP = {
    "LibCST parse": "parse",
    "ast parse (offramp's fast path)": "parse",
    "LibCST tree walk (offramp's visitor)": "our visitor / analysis",
    "LibCST codegen": "our visitor / analysis",
    "imports": "start-up (imports)",
    "CLI / output": "CLI + report",
    "read + decode": "I/O (read, decode, discovery)",
    "byte prefilter": "prefilter",
    "discovery": "I/O (read, decode, discovery)",
}


_PARSE_FUNCTIONS = {"parse_module", "_screen_depth", "bracket_depth", "_on_deep_stack", "work"}


def _category_group(cat: str) -> str:
    if cat in _CATEGORY_GROUP:
        return _CATEGORY_GROUP[cat]
    if cat.startswith("LibCST metadata"):
        return "metadata"
    if cat.startswith(("offramp: analysis", "offramp: checks")):
        return "our visitor / analysis"
    if cat.startswith("offramp:"):
        return "offramp (engine, other)"
    return "other"


def _frame_category(fr, parent: Optional[str]) -> Optional[str]:  # type: ignore[no-untyped-def]
    """Which part of the pipeline a frame's own time belongs to; None = same as its caller."""
    path = (fr.file_path or "").replace("\\", "/")
    fn = fr.function or ""
    if parent and parent.startswith("LibCST metadata"):
        if "/libcst/metadata/" in path and path.endswith("_provider.py"):
            return "LibCST metadata: " + path.rsplit("/", 1)[1][:-3]
        return parent
    if parent in ("imports", "LibCST parse", "LibCST codegen"):
        return parent  # sticky: everything under these is their cost
    if "importlib._bootstrap" in path:
        return "imports"
    if "/libcst/" in path:
        if "/_parser/" in path or fn == "parse_module":
            return "LibCST parse"
        if path.endswith("/metadata/wrapper.py") and fn == "visit":
            return None
        if fn == "get_metadata":
            return "LibCST metadata: get_metadata lookups"
        if "/metadata/" in path and path.endswith("_provider.py"):
            return "LibCST metadata: " + path.rsplit("/", 1)[1][:-3]
        if "/metadata/" in path or "_batched_visitor" in path or "_metadata_dependent" in path:
            return "LibCST metadata: resolve + batched walk"
        if fn.startswith("_codegen") or fn in ("code_for_node", "code"):
            return "LibCST codegen"
        if parent and (parent.startswith("offramp: analysis") or parent.startswith("LibCST tree walk")):
            return "LibCST tree walk (offramp's visitor)"
        return parent or "LibCST (other)"
    if "/offramp/" in path:
        rel = path.rsplit("/offramp/", 1)[1]
        if rel == "source.py":
            # profile_entry.py runs the deep-stack thread's work inline, so parse is its own frames.
            return "LibCST parse" if fn in _PARSE_FUNCTIONS else "read + decode"
        if rel in ("discover.py", "settingsfile.py", "userconfig/kind.py"):
            return "discovery"
        if rel == "rawread.py":
            return "read + decode"
        if rel == "prefilter.py":
            return "byte prefilter"
        if rel.startswith("report/"):
            return "CLI / output"
        return f"offramp: {rel.removesuffix('.py')}"
    if "/click/" in path or "/rich/" in path:
        return "CLI / output"
    if fn == "compile" and parent == "offramp: analysis/quick":
        return "ast parse (offramp's fast path)"
    return None


def render_profile(session, title: str, shown_cmd: Sequence[str], top: int = 25) -> str:  # type: ignore[no-untyped-def]
    root = session.root_frame()
    categories: Dict[str, float] = {}
    self_by_fn: Dict[Tuple[str, str], float] = {}
    total_by_fn: Dict[Tuple[str, str], float] = {}

    def short(fr) -> Tuple[str, str]:  # type: ignore[no-untyped-def]
        path = (fr.file_path or "").replace("\\", "/")
        for marker in ("/site-packages/", "/src/", "/lib/python"):
            if marker in path:
                path = path.split(marker, 1)[1]
                break
        if path.startswith(("3.", "python3")):
            path = path.split("/", 1)[-1]
        return fr.function or "?", f"{path}:{fr.line_no}"

    # Iterative walk: LibCST trees are deep.
    stack = [(root, None, frozenset())]
    while stack:
        fr, parent_cat, active = stack.pop()
        if fr.is_synthetic:
            continue
        cat = _frame_category(fr, parent_cat) or parent_cat or "other"
        own = fr.time - sum(c.time for c in fr.children if not c.is_synthetic)
        categories[cat] = categories.get(cat, 0.0) + own
        key = short(fr)
        self_by_fn[key] = self_by_fn.get(key, 0.0) + own
        if key not in active:  # recursion counts once
            total_by_fn[key] = total_by_fn.get(key, 0.0) + fr.time
        child_active = active | {key}
        for c in fr.children:
            stack.append((c, cat, child_active))

    total = root.time or 1.0
    lines = [
        f"=== offramp profile: {title} (pyinstrument, statistical; regenerate with `python bench/run.py`)",
        f"command: {shlex.join(shown_cmd)}   (cwd bench/.corpora)",
        f"wall {session.duration:.2f} s, CPU {session.cpu_time:.2f} s, {session.sample_count} samples. pyinstrument's "
        "hook runs on every Python call, so call-heavy Python (LibCST visitors, metadata) is inflated relative to C "
        "(the native parser, I/O): read the shares, not the seconds. Run through bench/profile_entry.py, which does "
        "inline the work offramp normally hands to its deep-stack thread (pyinstrument samples the main thread only).",
        "",
        "Where the time goes (self time by pipeline stage):",
    ]
    groups: Dict[str, float] = {}
    for cat, t in categories.items():
        groups[_category_group(cat)] = groups.get(_category_group(cat), 0.0) + t
    for g, t in sorted(groups.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {t:8.2f} s  {100 * t / total:5.1f}%  {g}")
    lines += ["", "Detail (self time by stage / offramp module):"]
    for cat, t in sorted(categories.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {t:8.2f} s  {100 * t / total:5.1f}%  {cat}")
    lines += ["", f"Top {top} functions by self time:"]
    for (fn, where), t in sorted(self_by_fn.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {t:8.2f} s  {100 * t / total:5.1f}%  {fn}  {where}")
    lines += ["", f"Top {top} offramp functions by total (inclusive) time:"]
    ours = [(k, t) for k, t in total_by_fn.items() if k[1].startswith("offramp/")]
    for (fn, where), t in sorted(ours, key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {t:8.2f} s  {100 * t / total:5.1f}%  {fn}  {where}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Main


def machine() -> Dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
    }


_BURN = "\n".join(
    [
        "import time",
        "t = time.perf_counter()",
        "x = 0",
        "for i in range(6_000_000):",
        "    x += i",
        "print(time.perf_counter() - t)",
    ]
)


def parallel_throughput(n: int) -> Tuple[float, float]:
    """Seconds for a CPU-bound loop alone, and the throughput n copies at once deliver (n = perfect scaling).

    Some machines sold as n CPUs are hyperthreads or a shared quota: then `-j n` cannot help much.
    """
    alone = min(float(run_quiet([sys.executable, "-c", _BURN]).stdout) for _ in range(3))
    procs = [subprocess.Popen([sys.executable, "-c", _BURN], stdout=subprocess.PIPE, text=True) for _ in range(n)]
    each = [float(p.communicate()[0]) for p in procs]
    return alone, n * alone / max(each)


def source_fingerprint() -> str:
    """A hash of the offramp being measured (package and rules), to notice edits during a run."""
    import importlib.util

    spec = importlib.util.find_spec("offramp")
    roots = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    roots.append(REPO / "rules")
    h = hashlib.sha256()
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in (".py", ".toml"):
                h.update(str(p).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def git_rev() -> str:
    r = run_quiet(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    if r.returncode != 0:
        return "unknown"
    dirty = run_quiet(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "--", "src", "rules"])
    return r.stdout.strip() + (" (with uncommitted changes in src/ or rules/)" if dirty.stdout.strip() else "")


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="3 runs per cell instead of 5; a cell whose warm-up takes "
        f">= {QUICK_SLOW_S:.0f} s keeps that one run (marked *)",
    )
    ap.add_argument("--runs", type=int, help="timed runs per cell after the warm-up (default 5, --quick 3)")
    ap.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="offramp processes (default: CPU count, which is also what Fixit uses)",
    )
    ap.add_argument("--stdlib", action="store_true", help="tree 1 = this interpreter's stdlib instead of Django")
    ap.add_argument(
        "--skip", default="", help="comma-separated parts to leave out (for development): fixit,scaling,startup,profile"
    )
    ap.add_argument("--no-write", action="store_true", help="print only; do not write results.md / profile.txt")
    args = ap.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    runs = args.runs or (3 if args.quick else 5)
    started = time.monotonic()
    busy0, own0 = _busy_jiffies(), _own_cpu()
    load_start = os.getloadavg()
    if load_start[0] > 0.5:
        say(f"note: load average {load_start[0]:.2f}: other processes are busy, so the timings will be inflated")
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    fingerprint = source_fingerprint()

    CORPORA.mkdir(parents=True, exist_ok=True)
    (CORPORA / "pyproject.toml").write_text(CORPORA_PYPROJECT)
    calib = parallel_throughput(args.jobs)
    tools = detect_tools(with_fixit="fixit" not in skip)
    if tools.fixit and args.jobs != (os.cpu_count() or 1):
        tools.notes.append(
            f"Fixit always uses {os.cpu_count()} processes (trailrunner's default); offramp ran with -j {args.jobs}"
        )
    big = build_big_tree(args.stdlib)
    sdk = build_sdk_tree()
    pre = precommit_tree(sdk)
    trees = [big, sdk, pre]

    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("OFFRAMP_CACHE_DIR", None)
    # An installed tool starts from compiled .pyc files (pip compiles them at install time); a
    # sandbox that sets PYTHONDONTWRITEBYTECODE would otherwise charge every run for compiling
    # offramp's own modules (~40 ms). The warm-up run writes them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cache_dir = CORPORA / "_cache"
    jobs = ["-j", str(args.jobs)]
    common = ["--exit-zero", "--output-format", "concise"]
    cold_flags = ["--no-cache"] if tools.cache else []
    warm_flags = ["--cache-dir", str(cache_dir)] if tools.cache_dir_flag else []

    def offramp_cell(tree: Tree, label: str, flags: List[str], j: List[str] = jobs) -> Cell:
        return Cell(tree.key, label, [*tools.offramp, "check", *j, *flags, *common, *tree.paths], len(tree.files))

    cells: List[Cell] = []
    by: Dict[Tuple[str, str], Cell] = {}
    say(
        f"measuring: {runs} run(s) per cell after a warm-up{' (--quick)' if args.quick else ''}, offramp -j {args.jobs}"
    )
    for tree in trees:
        grep = Cell(tree.key, "grep -rlI", ["grep", "-rlI", "openai", *tree.paths], len(tree.files))
        tool_cells = [measure(grep, env, runs, args.quick, ok_codes=(0, 1))]
        if tools.rg:
            rg = Cell(tree.key, "rg -l", [tools.rg, "-l", "-uu", "openai", *tree.paths], len(tree.files))
            tool_cells.append(measure(rg, env, runs, args.quick, ok_codes=(0, 1)))
        tool_cells.append(measure(offramp_cell(tree, "offramp cold", cold_flags), env, runs, args.quick))
        warm = offramp_cell(tree, "offramp warm", warm_flags)
        if tools.cache:
            for d in (cache_dir, CORPORA / ".offramp_cache"):
                shutil.rmtree(d, ignore_errors=True)
            fill = run_once(warm.cmd, env, sample_rss=False)  # fills the cache; not a sample
            warm.first_run = fill.wall
            measure(warm, env, runs, args.quick)
        else:
            warm.note = "n/a (no cache yet)"
        tool_cells.append(warm)
        if tools.fixit:
            fx = Cell(tree.key, "Fixit", [*tools.fixit, *tree.paths], len(tree.files))
            tool_cells.append(measure(fx, fixit_env(), runs, args.quick, ok_codes=(0, 1)))
        for c in tool_cells:
            cells.append(c)
            by[(c.tree, c.tool)] = c

    scaling: List[Cell] = []
    if "scaling" not in skip:
        say("scaling: offramp cold on 1x/2x/4x the SDK tree ...")
        for k in SCALES:
            if k == 1:
                scaling.append(by[("sdk", "offramp cold")])
                continue
            t = scaled_tree(sdk, k)
            scaling.append(measure(offramp_cell(t, f"offramp cold x{k}", cold_flags), env, runs, args.quick))

    startup: List[Cell] = []
    if "startup" not in skip:
        say("start-up and pre-commit (-j 1) ...")
        srun = max(runs, 10 if not args.quick else 5)
        specs = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("python -c 'import libcst'", [sys.executable, "-c", "import libcst"]),
            ("offramp --version", [*tools.offramp, "--version"]),
        ]
        for label, cmd in specs:
            startup.append(measure(Cell("start-up", label, cmd, 0), env, srun, False))
        clean = clean_precommit_tree(big)
        startup.append(
            measure(
                offramp_cell(clean, "offramp check -j 1, 10 files without SDK use", cold_flags, ["-j", "1"]),
                env,
                srun,
                False,
            )
        )
        startup.append(
            measure(offramp_cell(pre, "offramp check -j 1, 10 files, cold", cold_flags, ["-j", "1"]), env, srun, False)
        )
        if tools.cache:
            w = offramp_cell(pre, "offramp check -j 1, 10 files, warm", warm_flags, ["-j", "1"])
            run_once(w.cmd, env, sample_rss=False)
            startup.append(measure(w, env, srun, False))
    imp = run_quiet([*tools.offramp, "--version"], env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    version_imports_libcst = bool(re.search(r"\|\s+libcst\b", imp.stdout))

    profile_text = ""
    if "profile" not in skip:
        pyi = ensure_pyinstrument(tools.notes)
        if pyi:
            profile_text = profile(tools, [sdk, big], pyi)

    elapsed = time.monotonic() - started
    if source_fingerprint() != fingerprint:
        tools.notes.append(
            "**offramp's source (src/offramp or rules/) changed during this run: the rows mix versions; run it again**"
        )
        say("warning: offramp's source changed during the run; the numbers mix versions")
    background = ((_busy_jiffies() - busy0) / os.sysconf("SC_CLK_TCK") - (_own_cpu() - own0)) / elapsed
    report = render_report(
        calib,
        args,
        argv,
        tools,
        trees,
        cells,
        by,
        scaling,
        startup,
        version_imports_libcst,
        elapsed,
        when,
        load_start,
        max(background, 0.0),
        profile_text,
    )
    print(report)
    (OUT / "results.json").write_text(
        json.dumps(
            {
                "cells": [c.to_json() for c in cells],
                "scaling": [c.to_json() for c in scaling],
                "startup": [c.to_json() for c in startup],
            },
            indent=1,
        )
    )
    if not args.no_write:
        (BENCH / "results.md").write_text(report)
        if profile_text:
            (BENCH / "profile.txt").write_text(profile_text)
        say("wrote bench/results.md" + (" and bench/profile.txt" if profile_text else ""))
    return 0


def render_report(
    calib,
    args,
    argv,
    tools,
    trees,
    cells,
    by,
    scaling,
    startup,
    no_libcst,
    elapsed,
    when,
    load_start,
    background,
    profile_text,
) -> str:  # type: ignore[no-untyped-def]
    m = machine()
    shown = " ".join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    out = [
        "# offramp benchmark results",
        "",
        f"Command: `{shown}` from the repository root, with `python` = {sys.executable} "
        f"({when}; the whole run took {elapsed / 60:.1f} min).",
        f"offramp at commit {git_rev()}.",
        "",
        "## Machine",
        "",
        f"- {m['nproc']} CPUs (nproc), {m['cpu']}, {m['memory']} RAM, {m['os']}",
        f"- Python: {m['python']}",
        f"- parallelism: {args.jobs} copies of a CPU-bound Python loop ({calib[0]:.2f} s alone) deliver "
        f"{calib[1]:.2f}x the throughput of one (ideal {args.jobs:.2f}x); below that, `-j {args.jobs}` gains little "
        "and CPU seconds are inflated while processes share a core",
        f"- offramp {tools.offramp_version.split()[-1]}, libcst {importlib.metadata.version('libcst')}; "
        f"Fixit {tools.fixit_version} (libcst {tools.fixit_libcst}, in bench/.venv-fixit); "
        f"{tools.grep_version}; {tools.rg_version}",
        f"- load average at the start {load_start[0]:.2f}; other processes kept {background:.2f} cores busy on "
        "average during the run (‡ marks a cell where that exceeded 0.25 cores: its time is inflated)",
        "",
        "## Corpora",
        "",
    ]
    rows = []
    for t in trees:
        n, lines, size, mention = t.stats()
        rows.append([t.key, t.title, str(n), f"{lines:,}", f"{size / 1e6:.1f}", str(mention), t.source])
    out.append(md_table(["tree", "what", ".py files", "lines", "MB", "mention openai (any case)", "source"], rows))
    out += [
        "",
        f"## Whole trees (offramp -j {args.jobs}; Fixit uses {os.cpu_count()} processes; median of the timed runs)",
        "",
    ]
    header = [
        "tree",
        "tool",
        "files",
        "runs",
        "median s",
        "min–max s",
        "files/s",
        "CPU s",
        "peak RSS MB (tree)",
        "max proc RSS MB",
        "hits",
    ]
    out.append(md_table(header, [cell_row(c) for c in cells]))
    if any(c.quick_single for c in cells + scaling):
        out.append(f"\n\\* `--quick`: the warm-up took >= {QUICK_SLOW_S:.0f} s, so it is the only sample.")
    out += ["", "## Ratios (median wall time; < 1 means offramp is faster)", ""]
    rows = []
    for t in trees:
        cold = by.get((t.key, "offramp cold"))
        warm = by.get((t.key, "offramp warm"))
        rows.append(
            [
                t.key,
                fmt_ratio(ratio(cold, by.get((t.key, "Fixit")))),
                fmt_ratio(ratio(cold, by.get((t.key, "grep -rlI")))),
                fmt_ratio(ratio(cold, by.get((t.key, "rg -l")))),
                fmt_ratio(ratio(warm, cold)),
            ]
        )
    out.append(
        md_table(
            ["tree", "offramp cold / Fixit", "offramp cold / grep", "offramp cold / rg", "offramp warm / cold"], rows
        )
    )
    if scaling:
        out += [
            "",
            "## Scaling: offramp cold on the SDK tree duplicated",
            "",
            "CPU time is the cost; wall time also shows parallelism and whatever else the machine was doing.",
            "",
        ]
        base = scaling[0]
        rows = []
        for k, c in zip(SCALES, scaling):
            if not c.ok:
                rows.append([f"{k}x", str(c.files), "n/a", "-", "-", "-", "-", "-", "-"])
                continue
            rows.append(
                [
                    f"{k}x",
                    str(c.files),
                    fmt_s(c.median) + ("*" if c.quick_single else "") + (" ‡" if c.background > 0.25 else ""),
                    f"{c.files / c.median:,.0f}",
                    f"{c.median / base.median:.2f}" if base.ok else "-",
                    fmt_s(c.cpu),
                    f"{1000 * c.cpu / c.files:.1f}",
                    f"{c.cpu / base.cpu:.2f}" if base.ok else "-",
                    fmt_mb(c.tree_rss),
                ]
            )
        header = [
            "size",
            "files",
            "median s",
            "files/s",
            "wall vs 1x",
            "CPU s",
            "CPU ms/file",
            "CPU vs 1x",
            "peak RSS MB (tree)",
        ]
        out.append(md_table(header, rows))
    if startup:
        out += ["", "## Start-up and the pre-commit case (wall time including interpreter start-up)", ""]
        rows = []
        for c in startup:
            if not c.ok:
                rows.append([c.tool, "-", "n/a", "-", "-", c.error])
                continue
            walls = [s.wall for s in c.samples]
            rows.append(
                [
                    f"`{c.tool}`",
                    str(len(walls)),
                    f"{1000 * c.median:.0f}",
                    f"{1000 * min(walls):.0f}–{1000 * max(walls):.0f}",
                    fmt_mb(c.tree_rss),
                    c.hits if c.files else "",
                ]
            )
        out.append(md_table(["what", "runs", "median ms", "min–max ms", "peak RSS MB", "hits"], rows))
        out.append(f"\n`offramp --version` imports libcst: {'yes' if no_libcst else 'no'} (PYTHONPROFILEIMPORTTIME).")
    out += ["", "## Targets from issue 5", ""]
    out.append(md_table(["target", "measured", "met?"], targets(by, scaling, startup, no_libcst)))
    if tools.notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in tools.notes]
    warm_fills = [c for c in cells if c.first_run is not None]
    if warm_fills:
        out += [""] + [
            f"- {c.tree}: the run that filled the cache took {fmt_s(c.first_run or 0)} s" for c in warm_fills
        ]
    if profile_text:
        heads = [part.split("\n\nDetail")[0] for part in profile_text.split("\n\n===")]
        out += ["", "## Profile (bench/profile.txt has the top entries)", "", "```", "\n\n===".join(heads), "```"]
    return "\n".join(out) + "\n"


def targets(by, scaling, startup, imports_libcst) -> List[List[str]]:  # type: ignore[no-untyped-def]
    rows = []

    def verdict(ok: Optional[bool]) -> str:
        return "n/a" if ok is None else ("yes" if ok else "**no**")

    for key in ("big", "stdlib", "sdk"):
        r = ratio(by.get((key, "Fixit")), by.get((key, "offramp cold")))
        if (key, "offramp cold") in by:
            rows.append(
                [
                    f"{key}: cold >= 10x faster than Fixit",
                    "n/a" if r is None else f"{r:.1f}x",
                    verdict(None if r is None else r >= 10),
                ]
            )
    for key in ("big", "stdlib"):
        r = ratio(by.get((key, "offramp cold")), by.get((key, "grep -rlI")))
        if (key, "offramp cold") in by:
            rows.append(
                [
                    f"{key}: cold within 5x of grep",
                    "n/a" if r is None else f"{r:.1f}x grep",
                    verdict(None if r is None else r <= 5),
                ]
            )
    for key in ("big", "sdk"):
        r = ratio(by.get((key, "offramp cold")), by.get((key, "offramp warm")))
        if (key, "offramp cold") in by:
            rows.append(
                [
                    f"{key}: warm >= 10x faster than cold",
                    "n/a" if r is None else f"{r:.1f}x",
                    verdict(None if r is None else r >= 10),
                ]
            )
    pre = next((c for c in startup if c.tool.endswith("10 files, cold") and c.ok), None)
    rows.append(
        [
            "pre-commit, 10 files, -j 1, cold: < 1 s",
            f"{pre.median:.2f} s" if pre else "n/a",
            verdict(None if pre is None else pre.median < 1),
        ]
    )
    rows.append(
        [
            "`offramp --version` does not import libcst",
            "imports libcst" if imports_libcst else "no libcst",
            verdict(not imports_libcst),
        ]
    )
    sdk = by.get(("sdk", "offramp cold"))
    rows.append(
        [
            "peak RSS < 300 MB on the SDK tree (default jobs, whole process tree)",
            f"{sdk.tree_rss / 1e6:.0f} MB" if sdk and sdk.ok else "n/a",
            verdict(None if not (sdk and sdk.ok) else sdk.tree_rss < 300e6),
        ]
    )
    if len(scaling) == 3 and all(c.ok for c in scaling):
        per = [c.cpu / c.files for c in scaling]
        spread = max(per) / min(per)
        rows.append(
            [
                "cost grows linearly with files (CPU ms/file at 1x/2x/4x within 25%)",
                " / ".join(f"{1000 * p:.1f}" for p in per) + " CPU ms/file",
                verdict(spread <= 1.25),
            ]
        )
    return rows


if __name__ == "__main__":
    sys.exit(main())
