"""Hypothesis strategies for programs the credential-flow oracle runs: routes spread over modules.

Why
---
The shape projects (tests/fixtures/oracle) pin the shapes we know. Real projects combine them:
a client built in one module from a key read in another, a base URL in a JSON config, a model in
a settings module, a subclass of the SDK client, a factory that branches on a name. The
strategy here composes those pieces at random into a small project (main.py, clients.py,
settings.py, config.json) whose every route sends one chat request, so the oracle can judge the
migration of combinations nobody wrote by hand.

Each route (:class:`Route`) is one client: `OpenAI`, `AzureOpenAI` or the v1 module client; its
key (an `os.environ[...]` / `os.getenv(...)` read, a settings constant, or a variable named in
config.json), its host (default, literal, settings, config, or a config `null`), its model
(literal, module constant, settings, config) and whether the project subclasses the client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from oracle import AZURE_ENDPOINT
from oracle_runs import MODES, ORIGINAL, Program, run_cases

__all__ = ["EXAMPLES", "Project", "Route", "drawn", "judge_generated", "projects", "write_project"]

#: hypothesis settings of the generated-program tests: 15 projects, the same ones on every run
#: (derandomised), no shrinking (a failure costs one example; its message carries the project's
#: files instead).
EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=(HealthCheck.too_slow,),
)

OPENAI_BASE = "https://api.openai.com/v1"
# `openai.base_url` is joined without a separator: the module client needs the trailing slash.
MODULE_BASE = OPENAI_BASE + "/"
MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-3.5-turbo", "o3-mini")
# The v1 module client cannot choose between OpenAI and Azure credentials in one environment,
# so a project with a module-client route runs without these and its Azure routes avoid them.
MODULE_CLIENT_ENV = ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT")


@dataclass(frozen=True)
class Route:
    kind: str  # "openai" | "azure" | "module"
    key: str  # "environ" | "getenv" | "settings" | "config"
    var: str  # the key's environment variable
    host: str  # openai/module: "default" | "literal" | "settings" | "config" | "config_null"; azure: + "env"
    model_from: str  # "literal" | "constant" | "settings" | "config"
    model: str
    subclass: bool


@dataclass(frozen=True)
class Project:
    routes: Tuple[Route, ...]

    @property
    def drop(self) -> Tuple[str, ...]:
        return MODULE_CLIENT_ENV if any(r.kind == "module" for r in self.routes) else ()


@st.composite
def _route(draw: st.DrawFn, kind: str, module_client: bool) -> Route:
    key = draw(st.sampled_from(("environ", "getenv", "settings", "config")))
    if kind == "azure":
        # Next to a module client, Azure routes must not use the variables it looks at.
        var = (
            "AZURE_OPENAI_KEY" if module_client else draw(st.sampled_from(("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY")))
        )
        hosts = ("literal", "settings", "config") if module_client else ("env", "literal", "settings", "config")
    else:
        var = "OPENAI_API_KEY"
        hosts = ("default", "literal", "settings", "config", "config_null")
    return Route(
        kind=kind,
        key=key,
        var=var,
        host=draw(st.sampled_from(hosts)),
        model_from=draw(st.sampled_from(("literal", "constant", "settings", "config"))),
        model=draw(st.sampled_from(MODELS)),
        subclass=kind != "module" and draw(st.booleans()),
    )


@st.composite
def projects(draw: st.DrawFn) -> Project:
    """One to three routes; at most one module client (there is only one)."""
    kinds = draw(st.lists(st.sampled_from(("openai", "azure", "module")), min_size=1, max_size=3))
    if kinds.count("module") > 1:
        kinds = [k for k in kinds if k != "module"] + ["module"]
    module_client = "module" in kinds
    return Project(tuple(draw(_route(kind, module_client)) for kind in kinds))


# -- writing the project ---------------------------------------------------------------------------


def _key_expr(i: int, r: Route) -> str:
    return {
        "environ": f'os.environ["{r.var}"]',
        "getenv": f'os.getenv("{r.var}")',
        "settings": f"settings.R{i}_KEY",
        "config": f'os.environ[settings.CONFIG["r{i}"]["api_key_env"]]',
    }[r.key]


def _base(r: Route) -> str:
    return {"azure": AZURE_ENDPOINT, "module": MODULE_BASE}.get(r.kind, OPENAI_BASE)


def _host_expr(i: int, r: Route) -> str:
    if r.host == "literal":
        return repr(_base(r))
    return {
        "env": 'os.environ["AZURE_OPENAI_ENDPOINT"]',
        "settings": f"settings.R{i}_HOST",
        "config": f'settings.CONFIG["r{i}"]["host"]',
        "config_null": f'settings.CONFIG["r{i}"]["host"]',
    }[r.host]


def _model_expr(i: int, r: Route) -> str:
    return {
        "literal": repr(r.model),
        "constant": f"MODEL_R{i}",
        "settings": f"settings.R{i}_MODEL",
        "config": f'settings.CONFIG["r{i}"]["model"]',
    }[r.model_from]


def _settings(project: Project) -> Tuple[str, Dict[str, object]]:
    lines = ['"""Settings of the app."""', "import json", "import os", "import pathlib", ""]
    lines.append('CONFIG = json.loads((pathlib.Path(__file__).parent / "config.json").read_text(encoding="utf-8"))')
    config: Dict[str, object] = {}
    for i, r in enumerate(project.routes):
        entry: Dict[str, object] = {}
        if r.key == "settings":
            lines.append(f'R{i}_KEY = os.getenv("{r.var}")')
        if r.key == "config":
            entry["api_key_env"] = r.var
        if r.host == "settings":
            var = "AZURE_OPENAI_ENDPOINT" if r.kind == "azure" and not project.drop else f"R{i}_BASE_URL"
            lines.append(f'R{i}_HOST = os.getenv("{var}", {_base(r)!r})')
        if r.host in ("config", "config_null"):
            entry["host"] = None if r.host == "config_null" else _base(r)
        if r.model_from == "settings":
            lines.append(f'R{i}_MODEL = os.getenv("R{i}_MODEL", {r.model!r})')
        if r.model_from == "config":
            entry["model"] = r.model
        config[f"r{i}"] = entry
    return "\n".join(lines) + "\n", config


def _clients(project: Project) -> str:
    lines = ['"""Every client of the app, built by name."""', "import os", "", "import openai", "import settings"]
    lines.append("from openai import AzureOpenAI, OpenAI")
    lines.append("")
    makers: List[str] = []
    for i, r in enumerate(project.routes):
        cls = {"openai": "OpenAI", "azure": "AzureOpenAI"}.get(r.kind, "")
        if r.subclass:
            lines += ["", f"class R{i}Client({cls}):", '    """The project\'s own client class."""', ""]
            cls = f"R{i}Client"
        lines += ["", f"def make_r{i}():"]
        if r.kind == "module":
            lines.append(f"    openai.api_key = {_key_expr(i, r)}")
            if r.host != "default":
                lines.append(f"    openai.base_url = {_host_expr(i, r)}")
            lines += ["    openai.max_retries = 0", "    return openai"]
        elif r.kind == "azure":
            lines.append(
                f"    return {cls}(api_key={_key_expr(i, r)}, azure_endpoint={_host_expr(i, r)}, "
                'api_version="2024-10-21", max_retries=0)'
            )
        else:
            base = "" if r.host == "default" else f", base_url={_host_expr(i, r)}"
            lines.append(f"    return {cls}(api_key={_key_expr(i, r)}{base}, max_retries=0)")
        makers.append(f"make_r{i}")
    lines += ["", "", "def pick(name):"]
    for i, maker in enumerate(makers):
        lines += [f'    {"if" if i == 0 else "elif"} name == "r{i}":', f"        return {maker}()"]
    lines.append("    raise ValueError(name)")
    return "\n".join(lines) + "\n"


def _main(project: Project) -> str:
    lines = ["import settings", "from clients import pick", ""]
    for i, r in enumerate(project.routes):
        if r.model_from == "constant":
            lines.append(f"MODEL_R{i} = {r.model!r}")
    pairs = ", ".join(f'("r{i}", {_model_expr(i, r)})' for i, r in enumerate(project.routes))
    lines += [
        "",
        f"for name, model in ({pairs},):",
        '    reply = pick(name).chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])',
        "    print(name, reply.choices[0].message.content)",
    ]
    return "\n".join(lines) + "\n"


def write_project(project: Project, root: Path) -> Path:
    """Write the project's files under `root` (created); return `root`."""
    root.mkdir(parents=True)
    settings, config = _settings(project)
    (root / "settings.py").write_text(settings, encoding="utf-8")
    (root / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (root / "clients.py").write_text(_clients(project), encoding="utf-8")
    (root / "main.py").write_text(_main(project), encoding="utf-8")
    return root


def _files(root: Path) -> str:
    return "\n".join(
        f"--- {p.relative_to(root)}\n{p.read_text(encoding='utf-8')}" for p in sorted(root.iterdir()) if p.is_file()
    )


def drawn(strategy: st.SearchStrategy) -> List[Any]:
    """The examples hypothesis draws from `strategy` under EXAMPLES: the same ones on every run.

    Drawn first and run afterwards, so that all of them share one interpreter (see
    `judge_generated`), which a `@given` test, running one example at a time, cannot do.
    """
    found: List[Any] = []

    @EXAMPLES
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    return found


def judge_generated(items: Sequence[Tuple[Project, Optional[str]]], tmp: Path) -> None:
    """Run each project under the oracle: unmigrated (provider None), or migrated to the provider in
    both modes. One batch (batch.py) per SDK import environment runs them all: an interpreter start
    per project cost ~1.2 CPU-s, ~36 of the 39 CPU-s of the two tests of 15 examples (measured
    2026-12-06). Fails with every failing run, each with its project and files."""
    programs: Dict[str, Program] = {}
    drawn_as: Dict[str, Project] = {}
    cases = []
    for n, (project, provider_id) in enumerate(items):
        name = f"generated-{n}"
        programs[name] = Program(name, write_project(project, tmp / "source" / name), drop=project.drop)
        drawn_as[name] = project
        if provider_id is None:
            cases.append((name, None, ORIGINAL))
        else:
            cases += [(name, provider_id, mode) for mode in MODES]
    outcomes = run_cases(programs, cases, tmp)
    failures = []
    for case in cases:
        outcome = outcomes[case]
        try:
            outcome.judge()
        except AssertionError as exc:
            where = outcome.entry.parent if outcome.entry else programs[case[0]].source
            failures.append(f"{exc}\n\n{drawn_as[case[0]]}\n{_files(where)}")
    assert not failures, f"{len(failures)} of {len(cases)} runs failed:\n\n" + "\n\n".join(failures)
