#!/usr/bin/env python3
"""offramp's cost per line: `check` and `fix` on one large generated file, against LibCST's parse of it.

    python bench/lines.py [--sizes 5000,20000,60000] [--config-mb 10] [--runs 1] [--skip fix]

The files come from `bench/gen_large.py` (seeded: the same size gives the same file) and are
written to bench/.corpora/lines/. Each cell is a fresh process (`run.run_once`: wall time, CPU
seconds, peak RSS from GNU time's `%M`). The baseline is a process that imports LibCST and parses
the same file (`libcst.parse_module`), i.e. the floor any LibCST tool pays: the issue's targets are
`check` <= 3x and `fix` <= 6x that time, peak memory <= 1.5x that process's, and under 300 MB for
a 10 MB configuration file. `fix` rewrites a fresh copy of the file on every run (`--to qwen`).
Configuration files are named explicitly on the command line, as a user would. Nothing here
asserts: the numbers are for people (bench/README.md, "Cost per line").
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_large
from run import CORPORA, Sample, find_offramp, fmt_mb, md_table, run_once, say

LINES = CORPORA / "lines"
PARSE = (
    "import sys, libcst; sys.setrecursionlimit(20000); libcst.parse_module(open(sys.argv[1], encoding='utf-8').read())"
)


def build(sizes: Sequence[int], config_mb: float) -> Dict[str, Path]:
    """Write the inputs once; regenerated when the generator changes (its hash is in the name)."""
    import hashlib

    LINES.mkdir(parents=True, exist_ok=True)
    (CORPORA / "pyproject.toml").touch()  # a project root, like run.py's corpora
    tag = hashlib.sha256(Path(gen_large.__file__).read_bytes()).hexdigest()[:8]
    out: Dict[str, Path] = {}

    def write(name: str, make) -> Path:  # type: ignore[no-untyped-def]
        path = LINES / f"{tag}-{name}"
        if not path.is_file():
            path.write_text(make(), encoding="utf-8")
        return path

    for n in sizes:
        out[f"{n // 1000}k-line SDK module"] = write(f"sdk{n}.py", lambda n=n: gen_large.python_module(n))
    if config_mb:
        # Also just under the 2 MB cap on configuration files: the scanner itself, not the cap, is measured.
        for mb in (config_mb, 1.9):
            for kind, make in (("yaml", gen_large.yaml_config), ("json", gen_large.json_config)):
                path = write(f"config{mb:g}mb.{kind}", lambda make=make, mb=mb: make(mb))
                out[f"{path.stat().st_size / 2**20:.1f} MB {kind.upper()}"] = path
    return out


def median(samples: List[Sample], attr: str) -> float:
    return statistics.median(getattr(s, attr) for s in samples)


def measure(cmd: List[str], env: Dict[str, str], runs: int, before=None) -> Optional[List[Sample]]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        if before:
            before()
        s = run_once(cmd, env, sample_rss=False)
        if s.rc not in (0, 1):
            say(f"  FAILED (exit {s.rc}): {' | '.join(s.output.strip().splitlines()[-3:])[:300]}")
            return None
        samples.append(s)
    return samples


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="5000,20000,60000", help="lines of the generated SDK modules")
    ap.add_argument("--config-mb", type=float, default=10.0, help="size of the generated config files (0: none)")
    ap.add_argument("--runs", type=int, default=1, help="runs per cell (default 1: the big cells take minutes)")
    ap.add_argument("--skip", default="", help="comma-separated: parse,check,fix,config")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    args = ap.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    inputs = build(sizes, 0 if "config" in skip else args.config_mb)
    offramp = find_offramp()
    env = {"NO_COLOR": "1", **{k: v for k, v in __import__("os").environ.items() if k != "OFFRAMP_CACHE_DIR"}}
    scratch = LINES / "_fix"
    common = ["--exit-zero", "-j", "1"]
    rows, raw = [], []
    for label, path in inputs.items():
        text = path.read_text(encoding="utf-8")
        lines, size = text.count("\n"), len(text.encode("utf-8"))
        say(f"{label}: {lines} lines, {size / 1e6:.1f} MB")
        cells: Dict[str, Optional[List[Sample]]] = {}
        if path.suffix == ".py" and "parse" not in skip:
            cells["LibCST parse"] = measure([sys.executable, "-c", PARSE, str(path)], env, args.runs)
        if "check" not in skip:
            cells["check"] = measure(
                [*offramp, "check", "--no-cache", "--output-format", "concise", *common, str(path)], env, args.runs
            )
        if path.suffix == ".py" and "fix" not in skip:
            copy = scratch / path.name

            def fresh(src: Path = path, dst: Path = copy) -> None:
                scratch.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)

            cells["fix"] = measure([*offramp, "fix", "--to", "qwen", *common, str(copy)], env, args.runs, fresh)
        base = cells.get("LibCST parse")
        for tool, samples in cells.items():
            if not samples:
                rows.append([label, tool, "failed", "", "", "", "", ""])
                continue
            wall, cpu, rss = median(samples, "wall"), median(samples, "cpu"), max(s.maxrss for s in samples)
            x_time = f"{cpu / median(base, 'cpu'):.1f}x" if base and tool != "LibCST parse" else ""
            x_rss = f"{rss / max(s.maxrss for s in base):.2f}x" if base and tool != "LibCST parse" else ""
            per = f"{cpu / lines * 1e3:.3f}" if path.suffix == ".py" else f"{cpu / (size / 1e6):.2f} s/MB"
            rows.append(
                [
                    label,
                    tool,
                    f"{wall:.2f}",
                    f"{cpu:.2f}",
                    per,
                    x_time,
                    fmt_mb(rss),
                    x_rss,
                    f"{rss / lines / 1024:.1f}" if lines else "",
                ]
            )
            raw.append(
                {
                    "input": label,
                    "tool": tool,
                    "lines": lines,
                    "bytes": size,
                    "walls": [s.wall for s in samples],
                    "cpu": [s.cpu for s in samples],
                    "maxrss": rss,
                }
            )
            found = samples[0].output.strip().splitlines()
            say(
                f"  {tool}: {wall:.2f} s, {cpu:.2f} CPU-s, {fmt_mb(rss)} MB"
                + (f" ({found[-1][:100]})" if found else "")
            )
    # CPU seconds (user + system), not wall time, carry the ratios: on a shared machine the wall
    # clock measures the neighbours (a 5k-line check: 2.99 CPU-s in 14.8 s of wall time at load 11).
    header = [
        "input",
        "command",
        "wall s",
        "CPU s",
        "CPU ms/line",
        "x parse (CPU)",
        "peak RSS MB",
        "x parse RSS",
        "kB/line",
    ]
    table = md_table(header, rows)
    print()
    print(f"offramp cost per line ({time.strftime('%Y-%m-%d %H:%M %Z')}, {args.runs} run(s) per cell, -j 1):\n")
    print(table)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
