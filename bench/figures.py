#!/usr/bin/env python3
"""Issue 13's three speed figures, measured together in one run:

    python bench/figures.py            # 3 runs per cell (~10 min on a loaded 2-core machine)
    python bench/figures.py --runs 1 --py 2000

1. **Index share**: the project index (`offramp.project.indexer.build`, every call: in the check of
   each SDK file and for the modules the routes follow) as a share of a cold `offramp check -j 1
   --no-cache` of the SDK corpora (bench/.corpora/sdk) and of the Django tree (bench/.corpora/big, no
   SDK use: nothing passes the prefilter, so nothing is indexed), timed in one process so both
   figures come from the same run. Target: under 15% on each.
2. **Cold check against Fixit**: `offramp check -j N --no-cache` and Fixit with the equivalent rule
   (bench/fixit_rule.py: OpenAI client constructions, alias-proof) on the same SDK corpora, each a
   fresh process, N = the CPU count (Fixit's own choice). Target: offramp at least 15x faster.
3. **Warm re-check after one edit**: a generated 2,000-file project (bench/monorepo.py's generator:
   services with Python packages, a tenth of the modules using the SDK, a `.env` per service), cold
   (`--no-cache`) against warm after appending a comment to one Python file that uses the SDK.
   Target: warm at least 10x faster. Beside it, warm after adding a function to a module without SDK
   use and to the SDK module (an edit of code, not of a comment).

It reuses bench/run.py (corpora, Fixit venv) and bench/monorepo.py (the generator). Medians of wall
time and of CPU time (user + system, children included); on a shared machine compare CPU. Nothing
is asserted: the numbers are for people.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import monorepo  # noqa: E402
import run  # noqa: E402

# Runs `offramp check` in this process with the index builder timed (figure 1). The builder is
# imported lazily by the checks (runner._check_one) and at module level by the project tree.
_INDEX_DRIVER = r"""
import json, sys, time
import offramp.project.indexer as indexer
import offramp.project.tree as tree
spent = [0.0, 0]
real = indexer.build
def timed(*a, **k):
    t = time.perf_counter()
    try:
        return real(*a, **k)
    finally:
        spent[0] += time.perf_counter() - t
        spent[1] += 1
indexer.build = tree.build = timed
from offramp.entry import main
sys.argv = ["offramp", "check", "-j", "1", "--no-cache", "--exit-zero", "--output-format", "concise", *sys.argv[1:]]
start = time.perf_counter()
try:
    main()
except SystemExit:
    pass
total = time.perf_counter() - start
print(json.dumps({"index_s": spent[0], "index_calls": spent[1], "total_s": total}), file=sys.stderr)
"""


def timed(cmd: Sequence[str], cwd: Path, env: Dict[str, str]) -> Tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, CPU s of the child and its children, the process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc


def medians(samples: List[Tuple[float, float]]) -> Tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def ensure_shared() -> None:
    """bench/run.py looks for ../shared beside the repository; a git worktree's sits beside the main checkout."""
    if (run.SHARED / "corpus").is_dir():
        return
    common = subprocess.run(
        ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=run.REPO, capture_output=True, text=True
    ).stdout.strip()
    if common:
        candidate = Path(common).parent.parent / "shared"
        if (candidate / "corpus").is_dir():
            run.SHARED = candidate


def index_share(runs: int, env: Dict[str, str], tree: str) -> Dict[str, float]:
    samples = []
    for _ in range(runs + 1):  # the first run warms the file system cache and .pyc files
        _, _, proc = timed([sys.executable, "-c", _INDEX_DRIVER, tree], run.CORPORA, env)
        samples.append(json.loads(proc.stderr.strip().splitlines()[-1]))
    samples = samples[1:]
    index = statistics.median(s["index_s"] for s in samples)
    total = statistics.median(s["total_s"] for s in samples)
    return {"index_s": index, "total_s": total, "share": index / total, "calls": samples[0]["index_calls"]}


def versus_fixit(runs: int, jobs: int, env: Dict[str, str]) -> Dict[str, float]:
    notes: List[str] = []
    fixit, _, _ = run.ensure_fixit(notes)
    if fixit is None:
        sys.exit("bench/figures.py: " + "; ".join(notes))
    offramp = [
        sys.executable,
        "-m",
        "offramp",
        "check",
        "-j",
        str(jobs),
        "--no-cache",
        "--exit-zero",
        "--output-format",
        "concise",
        "sdk",
    ]
    cells = {}
    for name, cmd, cenv in (("offramp", offramp, env), ("fixit", [*fixit, "sdk"], run.fixit_env())):
        samples = []
        for _ in range(runs + 1):
            wall, cpu, _ = timed(cmd, run.CORPORA, cenv)
            samples.append((wall, cpu))
        cells[name] = medians(samples[1:])
    return {
        "offramp_s": cells["offramp"][0],
        "offramp_cpu": cells["offramp"][1],
        "fixit_s": cells["fixit"][0],
        "fixit_cpu": cells["fixit"][1],
    }


def warm_after_edit(runs: int, py_files: int, env: Dict[str, str]) -> Dict[str, float]:
    """Figure 3, and two more edits of the same project beside it: a function added to a module without SDK
    use (`plain_*`, what most edits of such a project are) and to the SDK module (`code_*`)."""
    root = Path(tempfile.mkdtemp(prefix="offramp-figures-"))
    try:
        n_py, _, n_env = monorepo.generate(root, py_files, 0)
        monorepo.git_init(root)
        edited = sorted(root.glob("services/svc000/svc000/*_0.py"))[0]  # an SDK module (k % 8 == 0)
        plain = sorted(root.glob("services/svc001/svc001/*_1.py"))[0]  # no SDK use (k % 4 != 0)
        check = [sys.executable, "-m", "offramp", "check", "--exit-zero", "."]
        cold, warm, plains, codes = [], [], [], []
        for i in range(runs + 1):
            wall, cpu, _ = timed([*check[:-1], "--no-cache", "."], root, env)
            if i:
                cold.append((wall, cpu))
        timed(check, root, env)  # fills the cache
        for i in range(runs):
            monorepo.touch_edit(edited, f"\n# edit {i}\n")
            warm.append(timed(check, root, env)[:2])
            monorepo.touch_edit(plain, f"\n\ndef added_{i}(x):\n    return x * {i}\n")
            plains.append(timed(check, root, env)[:2])
            monorepo.touch_edit(edited, f"\n\ndef added_{i}(x):\n    return x * {i}\n")
            codes.append(timed(check, root, env)[:2])
        cold_m, warm_m, plain_m, code_m = medians(cold), medians(warm), medians(plains), medians(codes)
        return {
            "files": n_py + n_env,
            "cold_s": cold_m[0],
            "cold_cpu": cold_m[1],
            "warm_s": warm_m[0],
            "warm_cpu": warm_m[1],
            "plain_s": plain_m[0],
            "plain_cpu": plain_m[1],
            "code_s": code_m[0],
            "code_cpu": code_m[1],
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="timed runs per cell after a warm-up (default 3)")
    ap.add_argument("--py", type=int, default=1950, help="Python files of the generated project (+ a .env per 40)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip", default="", help="comma-separated figures to leave out: index,fixit,warm")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not {"index", "fixit"} <= skip:  # (figure 3 generates its own project)
        ensure_shared()
        sdk = run.build_sdk_tree()
        (run.CORPORA / "pyproject.toml").write_text(run.CORPORA_PYPROJECT)
        print(f"SDK corpora: {len(sdk.files)} files; load average {os.getloadavg()[0]:.1f}", flush=True)
        if "index" not in skip:
            big = run.build_big_tree(force_stdlib=False)
            trees = [("sdk", "the SDK corpora"), (big.paths[0], big.title)]
            print(f"{big.title}: {len(big.files)} files", flush=True)
    else:
        print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    if "index" not in skip:
        figure_index(args.runs, env, trees)
    if "fixit" not in skip:
        fx = versus_fixit(args.runs, args.jobs, env)
        say(f"2. cold check -j {args.jobs} of the SDK corpora", ("offramp", "offramp"), ("Fixit", "fixit"), fx, 15)
    if "warm" not in skip:
        wm = warm_after_edit(args.runs, args.py, env)
        title = f"3. {wm['files']:.0f}-file project, load average {os.getloadavg()[0]:.1f}"
        say(title, ("warm after a comment appended to an SDK module", "warm"), ("cold", "cold"), wm, 10)
        say(
            "   beside it",
            ("warm after a function added to a module without the SDK", "plain"),
            ("cold", "cold"),
            wm,
            10,
        )
        say("   beside it", ("warm after a function added to the SDK module", "code"), ("cold", "cold"), wm, 10)


def figure_index(runs: int, env: Dict[str, str], trees: Sequence[Tuple[str, str]]) -> None:
    for tree, label in trees:
        share = index_share(runs, env, tree)
        print(
            f"1. {label}: index {share['index_s']:.2f} s of a cold check -j 1 of {share['total_s']:.2f} s: "
            f"{share['share']:.1%} ({share['calls']:.0f} modules indexed; target < 15%)",
            flush=True,
        )


def say(title: str, fast: Tuple[str, str], slow: Tuple[str, str], d: Dict[str, float], target: int) -> None:
    """One figure: both cells (wall and CPU seconds) and how many times faster the fast one is."""
    cells = ", ".join(f"{label} {d[k + '_s']:.2f} s ({d[k + '_cpu']:.2f} CPU s)" for label, k in (fast, slow))
    wall, cpu = d[slow[1] + "_s"] / d[fast[1] + "_s"], d[slow[1] + "_cpu"] / d[fast[1] + "_cpu"]
    print(f"{title}: {cells}: {wall:.1f}x wall, {cpu:.1f}x CPU (target >= {target}x)", flush=True)


if __name__ == "__main__":
    main()
