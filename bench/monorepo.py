#!/usr/bin/env python3
"""Warm against cold `offramp check` on a generated monorepo: many Python files, many config files.

    python bench/monorepo.py                 # 1,600 .py + 1,000 YAML/JSON + .env files, 3 runs per cell
    python bench/monorepo.py --runs 5 --keep /tmp/mono   # keep the tree (e.g. to profile it)
    python bench/monorepo.py --profile       # also cProfile one warm run (top 25 by cumulative time)

Issue 15's target: a warm check of a ~2,600-file monorepo with ~1,000 YAML/JSON files is at least
10x faster than a cold one. The tree (seeded, in a temporary directory, a git work tree like a real
monorepo) has services with Python packages, ~10% of the modules using the OpenAI SDK (clients,
model constants, imports of a shared client module), Kubernetes/Helm-style YAML and JSON settings
(a third of them naming a model or an endpoint, so the configuration prefilter lets them through)
and a `.env` per service.

Cells, each a fresh `python -m offramp check --exit-zero .` in the tree (the default `full` format):
cold (`--no-cache`), cold filling the cache (no `.offramp_cache`), warm (the cache is full), warm
after editing one Python file and after editing one YAML file. Wall times are medians; the
findings of every warm cell are compared with a cold run's (they must be identical). Nothing is
asserted: the numbers are for people (on a shared machine compare the CPU column).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Tuple

MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini", "text-embedding-3-small", "gpt-3.5-turbo")
WORDS = ("order", "user", "ticket", "report", "invoice", "billing", "search", "auth", "media", "notify")

PLAIN = '''"""{svc}: {word} helpers."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, List

log = logging.getLogger(__name__)


@dataclass
class {cls}:
    name: str
    size: int = {n}

    def to_json(self) -> str:
        return json.dumps({{"name": self.name, "size": self.size}})


def load_{word}_{n}(rows: List[Dict[str, Any]]) -> List[{cls}]:
    out = []
    for row in rows:
        if row.get("size", 0) > {n}:
            log.info("skipping %s", row)
            continue
        out.append({cls}(name=str(row["name"]), size=int(row.get("size", 0))))
    return out
'''

SDK = '''"""{svc}: {word} summaries with the OpenAI SDK."""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Dict, List

from openai import OpenAI

log = logging.getLogger(__name__)

MODEL = "{model}"
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])


def summarise_{n}(text: str) -> str:
    response = client.chat.completions.create(
        model=MODEL,
        messages=[{{"role": "user", "content": text}}],
        temperature=0.2,
    )
    return response.choices[0].message.content or ""
'''

SHARED_CLIENT = '''"""The service's shared client."""

import os

import openai

API_BASE = os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1")


def get_client() -> openai.OpenAI:
    return openai.OpenAI(base_url=API_BASE, api_key=os.environ["OPENAI_API_KEY"])
'''

USES_SHARED = '''"""{svc}: {word} via the shared client."""

import json
import logging
from typing import Any, Dict, List

from .client import get_client

log = logging.getLogger(__name__)

CHAT_MODEL = "{model}"


def ask_{n}(prompt: str) -> str:
    reply = get_client().chat.completions.create(model=CHAT_MODEL, messages=[{{"role": "user", "content": prompt}}])
    return reply.choices[0].message.content or ""
'''

# Plain code that pads each module to a typical size (~80-200 lines): SDK modules are parsed whole,
# so a cold run's cost depends on it; a real service module is rarely 20 lines.
BLOCKS = (
    '''

def {word}_{i}_totals(items: List[Dict[str, Any]], *, limit: int = {n}) -> Dict[str, int]:
    """Sum the {word} sizes per name, skipping the ones over `limit`."""
    totals: Dict[str, int] = {{}}
    for item in items:
        size = int(item.get("size", 0))
        if size > limit:
            continue
        name = str(item.get("name", "unknown"))
        totals[name] = totals.get(name, 0) + size
    return totals
''',
    '''

class {cls}Store{i}:
    """An in-memory {word} store keyed by id."""

    def __init__(self) -> None:
        self._rows: Dict[int, Dict[str, Any]] = {{}}

    def add(self, row_id: int, row: Dict[str, Any]) -> None:
        if row_id in self._rows:
            raise KeyError(f"{word} {{row_id}} exists")
        self._rows[row_id] = dict(row)

    def get(self, row_id: int) -> Dict[str, Any]:
        return self._rows[row_id]

    def search(self, text: str) -> List[Dict[str, Any]]:
        return [r for r in self._rows.values() if text.lower() in json.dumps(r).lower()]
''',
    """

def parse_{word}_{i}(raw: str) -> List[str]:
    parts = [p.strip() for p in raw.split(",")]
    seen = set()
    out = []
    for part in parts:
        if not part or part in seen:
            continue
        seen.add(part)
        out.append(part)
    log.debug("parsed %d {word} parts", len(out))
    return out
""",
)


def filler(rng: random.Random, word: str, cls: str, n: int) -> str:
    return "".join(rng.choice(BLOCKS).format(word=word, cls=cls, n=n, i=i) for i in range(rng.randint(4, 10)))


K8S = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {svc}-{word}-{n}
  labels:
    app: {svc}
spec:
  replicas: {r}
  selector:
    matchLabels:
      app: {svc}
  template:
    spec:
      containers:
        - name: {word}
          image: registry.example.com/{svc}:{n}
          ports:
            - containerPort: {port}
          resources:
            limits:
              cpu: "{r}"
              memory: {r}Gi
"""

LLM_YAML = """service: {svc}
{word}:
  llm:
    provider: openai
    model: {model}
    base_url: https://api.openai.com/v1
    temperature: 0.{r}
  retries: {r}
"""


def generate(root: Path, py_files: int, config_files: int, small: bool = False, seed: int = 15) -> Tuple[int, int, int]:
    """Write the tree; return (Python files, YAML/JSON files, .env files)."""
    rng = random.Random(seed)
    services = max(1, py_files // 40)
    n_py = n_cfg = n_env = 0
    for s in range(services):
        svc = f"svc{s:03d}"
        base = root / "services" / svc
        pkg = base / svc
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        sdk_service = s % 3 == 0
        if sdk_service:
            (pkg / "client.py").write_text(SHARED_CLIENT)
        per = py_files // services - 1 - (1 if sdk_service else 0)
        for k in range(per):
            word = rng.choice(WORDS)
            fields = dict(svc=svc, word=word, n=k, cls=f"{word.title()}{k}", model=rng.choice(MODELS))
            if sdk_service and k % 4 == 0:
                text = (SDK if k % 8 == 0 else USES_SHARED).format(**fields)
            else:
                text = PLAIN.format(**fields)
            if not small:
                text += filler(rng, word, fields["cls"], k)
            (pkg / f"{word}_{k}.py").write_text(text)
        n_py += per + 1 + (1 if sdk_service else 0)
        (base / ".env").write_text(
            f"SERVICE={svc}\nLOG_LEVEL=info\n" + ("OPENAI_API_KEY=\nOPENAI_MODEL=gpt-4o-mini\n" if sdk_service else "")
        )
        n_env += 1
    deploy = root / "deploy"
    for c in range(config_files):
        svc = f"svc{c % services:03d}"
        word = rng.choice(WORDS)
        fields = dict(svc=svc, word=word, n=c, r=rng.randint(1, 9), port=8000 + c, model=rng.choice(MODELS))
        folder = deploy / svc
        folder.mkdir(parents=True, exist_ok=True)
        llm = c % 3 == 0
        if c % 2 == 0:
            (folder / f"{word}-{c}.yaml").write_text((LLM_YAML if llm else K8S).format(**fields))
        else:
            data = {"service": svc, "name": f"{word}-{c}", "replicas": fields["r"], "ports": [fields["port"]]}
            if llm:
                data["llm"] = {"model": fields["model"], "endpoint": "https://api.openai.com/v1"}
            (folder / f"{word}-{c}.json").write_text(json.dumps(data, indent=2) + "\n")
        n_cfg += 1
    (root / "pyproject.toml").write_text('[project]\nname = "mono"\nversion = "0"\n')
    return n_py, n_cfg, n_env


def git_init(root: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b"}
    env["GIT_COMMITTER_EMAIL"] = "b@x"
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "tree"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


# Bytecode as an installed package has it: with PYTHONDONTWRITEBYTECODE every run compiles offramp's modules again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_check(root: Path, *extra: str) -> Tuple[float, float, str]:
    """(wall s, CPU s of the child, output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "offramp", "check", "--exit-zero", *extra, "."],
        cwd=root,
        capture_output=True,
        text=True,
        env=ENV,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"bench/monorepo.py: offramp failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def touch_edit(path: Path, comment: str) -> None:
    with open(path, "a") as f:
        f.write(comment)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--py", type=int, default=1600, help="Python files (default 1600)")
    ap.add_argument("--configs", type=int, default=1000, help="YAML/JSON files (default 1000)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the tree here (must not exist) and keep it")
    ap.add_argument("--profile", action="store_true", help="cProfile one warm run in-process")
    ap.add_argument("--no-git", action="store_true", help="a plain directory, not a git work tree")
    ap.add_argument("--small", action="store_true", help="~25-line modules instead of ~80-200 lines")
    args = ap.parse_args()
    tmp = None
    if args.keep:
        root = args.keep
        root.mkdir(parents=True)
    else:
        tmp = tempfile.mkdtemp(prefix="offramp-mono-")
        root = Path(tmp)
    try:
        n_py, n_cfg, n_env = generate(root, args.py, args.configs, args.small)
        if not args.no_git:
            git_init(root)
        print(f"tree: {n_py} .py, {n_cfg} YAML/JSON, {n_env} .env ({'plain dir' if args.no_git else 'git'})")
        rows: List[Tuple[str, float, float]] = []

        def cell(name: str, prepare, *extra: str) -> str:
            walls, cpus, out = [], [], ""
            for _ in range(args.runs):
                prepare()
                wall, cpu, out = run_check(root, *extra)
                walls.append(wall)
                cpus.append(cpu)
            rows.append((name, statistics.median(walls), statistics.median(cpus)))
            return out

        cache = root / ".offramp_cache"

        def drop_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        edits = iter(range(10**6))
        sdk_file = next(p for p in sorted(root.rglob("*.py")) if "from openai import" in p.read_text())
        llm_yaml = next(p for p in sorted(root.rglob("*.yaml")) if "model:" in p.read_text())

        cold = cell("cold (--no-cache)", lambda: None, "--no-cache")
        cell("cold, filling the cache", drop_cache)
        warm = cell("warm", lambda: None)
        out_py = cell("warm, one .py edited", lambda: touch_edit(sdk_file, f"# edit {next(edits)}\n"))
        out_yaml = cell("warm, one .yaml edited", lambda: touch_edit(llm_yaml, f"# edit {next(edits)}\n"))
        cold_after = run_check(root, "--no-cache")[2]
        print()
        print("| cell | median wall s | median CPU s | cold / cell (wall) | cold / cell (CPU) |")
        print("|---|--:|--:|--:|--:|")
        for name, wall, cpu in rows:
            print(f"| {name} | {wall:.2f} | {cpu:.2f} | {rows[0][1] / wall:.1f}x | {rows[0][2] / cpu:.1f}x |")
        print()
        same = warm == cold and out_py == out_yaml == cold_after
        print(f"output: {len(cold.splitlines())} lines; warm output identical to cold: {'yes' if same else 'NO'}")
        if args.profile:
            profile(root)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def profile(root: Path) -> None:
    """One warm run under cProfile in a child process (the same code path as the CLI)."""
    code = (
        "import cProfile, pstats, sys\n"
        "from offramp.cli import main\n"
        "sys.argv = ['offramp', 'check', '--exit-zero', '.']\n"
        "pr = cProfile.Profile(); pr.enable()\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "pr.disable(); sys.stdout = sys.__stderr__\n"
        "pstats.Stats(pr, stream=sys.stderr).sort_stats('cumulative').print_stats(30)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env=ENV)
    print(proc.stderr[-12000:])


if __name__ == "__main__":
    main()
