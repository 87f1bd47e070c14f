"""Routes across modules: multi-module fixture projects (tests/fixtures/projects/*) against their snapshots.

Each project is checked as a user would (`offramp check .` from its root), without and with a
target provider. `decoys` must produce nothing at all. Regenerate with OFFRAMP_UPDATE_SNAPSHOTS=1.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import List, Optional

import pytest
from helpers import FIXTURES, PROJECT_SNAPSHOTS, compare_snapshot, concise_lines, run_cli

from offramp.discover import discover
from offramp.engine import make_options, resolve_provider
from offramp.project.flow import Flow
from offramp.project.index import place, watch_from_rules
from offramp.project.indexer import build
from offramp.project.objects import Ctx
from offramp.project.sources import EnvRead, Literal
from offramp.project.tree import IndexCache, module_names
from offramp.runner import iter_findings, run
from offramp.settings import Settings

PROJECTS = FIXTURES / "projects"


def check_tree(root: Path, to: Optional[str] = None, cache_dir: Optional[Path] = None) -> List:
    settings = Settings(root=root)
    files = discover([str(root)], root=root, config_files=settings.config_files).files
    opts = make_options(settings, resolve_provider(to, settings))
    return iter_findings(run(files, opts, jobs=1, cache_dir=cache_dir))


@pytest.mark.parametrize("to", [None, "qwen"])
@pytest.mark.parametrize(
    "project",
    PROJECT_SNAPSHOTS,
)
def test_project_snapshot(project: str, to: Optional[str]) -> None:
    findings = check_tree(PROJECTS / project, to)
    suffix = f".to-{to}" if to else ""
    compare_snapshot(concise_lines(findings), PROJECTS / f"{project}{suffix}.expected")


@pytest.mark.parametrize("to", [None, "qwen"])
def test_decoys_produce_nothing(to: Optional[str]) -> None:
    assert check_tree(PROJECTS / "decoys", to) == []


def test_model_of_one_provider_arm_stays_on_that_providers_requests() -> None:
    """gpt-researcher's shape: `if embedding_provider == "huggingface": self.embedding_model = ...` in the
    config, `match embedding_provider: case "azure_openai": ...` where the request is sent. Yesterday every
    arm's model reached every request: the HuggingFace and Gemini names were "Azure deployments", and
    OpenAI models "not served by MiniMax" on the MiniMax request, which only its own arm feeds."""
    findings = check_tree(PROJECTS / "provider_switch")
    at = {(f.span.line, f.code) for f in findings if f.path == "research/config.py"}
    assert at == {(8, "OFR201"), (8, "OFR204"), (13, "OFR201"), (15, "OFR202")}, sorted(at)


@pytest.mark.parametrize("to", [None, "qwen"])
def test_a_model_literal_sent_to_openai_and_to_azure_is_reported_once(to: Optional[str]) -> None:
    """provider_switch's `text-embedding-3-small` (config.py:8) reaches the OpenAI arm's request (OFR201) and the
    Azure arm's (OFR202): one literal, one rewrite, and it was reported twice, with two `[*]`."""
    findings = check_tree(PROJECTS / "provider_switch", to)
    at = [f for f in findings if f.path == "research/config.py" and f.span.line == 8 and f.code in ("OFR201", "OFR202")]
    assert [f.code for f in at] == ["OFR201"], at
    assert "research/memory.py:10" in at[0].message and "research/memory.py:13" in at[0].message, at[0].message


def test_constant_imported_from_settings_is_reported_at_its_definition() -> None:
    """Yesterday `model=CHAT_MODEL` imported from another module gave no finding at all."""
    findings = check_tree(PROJECTS / "shop")
    at_settings = [f for f in findings if f.path == "shop/settings.py" and f.code == "OFR201"]
    gpt4o = next(f for f in at_settings if "`gpt-4o`" in f.message)
    assert gpt4o.span.line == 8
    assert "shop/app.py:8" in gpt4o.message and "shop/rest.py:12" in gpt4o.message


def test_provider_bound_route_with_openai_model() -> None:
    findings = check_tree(PROJECTS / "shop", "qwen")
    served = [f for f in findings if f.code == "OFR204"]
    assert {(f.path, f.span.line) for f in served} >= {("shop/settings.py", 17), ("shop/settings.py", 26)}


def test_null_base_url_in_config_reaches_openai() -> None:
    findings = check_tree(PROJECTS / "shop")
    unset = [f for f in findings if f.code == "OFR107"]
    assert [(f.path, f.span.line) for f in unset] == [("shop/legacy.py", 11), ("shop/llm/clients.py", 12)]
    assert "config.json" in unset[1].message and "null" in unset[1].message


def test_route_finding_is_suppressed_where_it_sits(tmp_path: Path) -> None:
    tree = tmp_path / "shop"
    shutil.copytree(PROJECTS / "shop", tree)
    settings_py = tree / "shop" / "settings.py"
    text = settings_py.read_text(encoding="utf-8")
    settings_py.write_text(text.replace('CHAT_MODEL = "gpt-4o"', 'CHAT_MODEL = "gpt-4o"  # noqa: OFR201'), "utf-8")
    findings = check_tree(tree)
    assert not [f for f in findings if f.path == "shop/settings.py" and f.span.line == 8]


def test_warm_run_uses_cached_index_entries(tmp_path: Path) -> None:
    tree = tmp_path / "shop"
    shutil.copytree(PROJECTS / "shop", tree)
    cache = tmp_path / "cache"
    cold = check_tree(tree, cache_dir=cache)
    assert list(cache.glob("index-*.json"))
    warm = check_tree(tree, cache_dir=cache)
    assert warm == cold
    # an edit to the settings module changes the route findings of the unchanged caller
    settings_py = tree / "shop" / "settings.py"
    settings_py.write_text(settings_py.read_text("utf-8").replace('"gpt-4o"', '"qwen-max"', 1), "utf-8")
    edited = check_tree(tree, cache_dir=cache)
    assert not [f for f in edited if f.path == "shop/settings.py" and f.span.line == 8]
    # and so does an edit to the configuration file the code loads (no Python file changed)
    assert [f for f in edited if f.code == "OFR107" and f.path == "shop/llm/clients.py"]
    config = tree / "shop" / "llm" / "config.json"
    config.write_text(config.read_text("utf-8").replace("null", '"https://api.deepseek.com/v1"'), "utf-8")
    configured = check_tree(tree, cache_dir=cache)
    assert not [f for f in configured if f.code == "OFR107" and f.path == "shop/llm/clients.py"]


def test_index_entry_survives_its_cache_round_trip() -> None:
    text = (PROJECTS / "shop" / "shop" / "settings.py").read_text("utf-8")
    m = build(text, "shop/settings.py", watch_from_rules())
    again = IndexCache(Path("unused"), "k")
    again.put("shop/settings.py", "d", m)
    assert again.get("shop/settings.py", "d") == m and again.get("shop/settings.py", "other") is None


def test_index_records_the_environment_reads_the_analysis_finds() -> None:
    """check holds `os.environ["X"] = ...` where a read of X is held (writes follow reads); it took the
    read's name from the source text at its finding's span, which broke on a prefixed or multi-line
    literal. The index now records each read with its name where the per-file analysis finds one: in
    any expression (a test, a default, a decorator, an argument), through an `os` alias, and handed to
    another reader (SuperAGI's `get_config("OPENAI_API_KEY")`); a write is no read."""
    import libcst as cst

    from offramp.analysis import analyze
    from offramp.catalog import load_sdk

    code = (
        "import os\n"
        "from os import environ as env, getenv as ge\n"
        "from helpers import get_config, deco\n\n"
        'if not os.getenv("OPENAI_API_KEY"):\n'
        '    print(os.environ.get(r"AZURE_OPENAI_API_KEY", ""), ge("OPENAI_BASE_URL"))\n'
        'os.environ["OPENAI_API_KEY"] = get_config("OPENAI_API_KEY") or env["OPENAI_ORG_ID"]\n'
        'os.environ.setdefault("OPENAI_API_BASE", "x")\n'
        'name = ("OPENAI_"\n        "API_KEY")\n'
        'k = os.environ[\n    "AZURE_OPENAI_KEY"\n]\n\n\n'
        '@deco(os.environ["OPENAI_API_TYPE"])\n'
        'def f(k=os.environ.pop("OPENAI_API_VERSION", None)):\n'
        "    return k\n"
    )
    sdk = load_sdk()
    found = analyze(cst.parse_module(code), code, sdk, ()).env
    expected = {(e.name, tuple(vars(e.span).values())) for e in found if not e.write}
    m = build(code, "s.py", watch_from_rules())
    assert set(m.env_reads) == expected and len(expected) == 8, (sorted(m.env_reads), sorted(expected))
    cache = IndexCache(Path("unused"), "k")
    cache.put("s.py", "d", m)
    assert cache.get("s.py", "d") == m


def test_nested_env_defaults_and_fstring_constants() -> None:
    code = (
        "import os\n"
        'HOST = "api.openai.com"\n'
        'URL = f"https://{HOST}/v1"\n'
        'MODEL = os.getenv("LLM_MODEL", os.getenv("OPENAI_API_MODEL", "gpt-3.5-turbo"))\n'
    )
    m = place(build(code, "s.py", watch_from_rules()), "s", False)
    from offramp.catalog import load_sdk

    flow = Flow(load_sdk(), lambda name: m if name == "s" else None, lambda reader, written: None)
    model = flow.sources(Ctx("s", ""), ("name", "MODEL"))
    assert {s.name for s in model if isinstance(s, EnvRead)} == {"LLM_MODEL", "OPENAI_API_MODEL"}
    assert [s.value for s in model if isinstance(s, Literal)] == ["gpt-3.5-turbo"]
    url = flow.sources(Ctx("s", ""), ("name", "URL"))
    assert [s.value for s in url if isinstance(s, Literal)] == ["https://api.openai.com/v1"]


def test_module_names_follow_packages_and_relative_imports() -> None:
    names, canonical = module_names(["pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/mod.py", "tool.py"])
    assert canonical["pkg/sub/mod.py"] == ("pkg.sub.mod", False)
    assert names["pkg.sub"] == "pkg/sub/__init__.py" and names["mod"] == "pkg/sub/mod.py"
    m = place(
        build("from ..x import A\nfrom . import mod\n", "pkg/sub/mod.py", watch_from_rules()), "pkg.sub.mod", False
    )
    assert m.imports == {"A": ("pkg.x", "A"), "mod": ("pkg.sub", "mod")}


def test_a_module_named_after_a_library_is_not_that_library() -> None:
    """SuperAGI's `superagi/llms/openai.py` answered to `openai`: every `import openai` of the project was
    taken for it, so none of its v0 requests had a route and fix moved their hosts with whatever key the
    caller passed. A file outside a package (`examples/openai.py`) is not named `openai` either."""
    libraries = watch_from_rules().libraries
    assert {"openai", "requests", "httpx", "litellm"} <= libraries
    names, canonical = module_names(
        ["app/__init__.py", "app/llms/__init__.py", "app/llms/openai.py", "examples/openai.py", "app/llms/chat.py"],
        libraries,
    )
    assert "openai" not in names and "openai" not in {name for name, _ in canonical.values()}
    assert names["app.llms.openai"] == "app/llms/openai.py" and names["llms.openai"] == "app/llms/openai.py"
    assert canonical["examples/openai.py"] == ("examples.openai", False)
    assert names["chat"] == "app/llms/chat.py"  # (other suffixes still answer, for scripts run in place)


def test_scripts_of_two_directories_import_their_own_module_of_one_name(tmp_path: Path) -> None:
    """`examples/a/app.py` and `examples/b/app.py` each `import settings`: Python imports the one beside the
    script. The project named both `settings` and gave every importer the first: b's request was a route of
    a's model (its OFR201 named b's request, and fix rewrote a's constant for it), b's own model unseen."""
    names, canonical = module_names(["a/settings.py", "b/settings.py", "a/app.py", "b/app.py", "tool.py"])
    assert canonical["a/settings.py"] == ("a.settings", False) and canonical["b/settings.py"] == ("b.settings", False)
    assert canonical["tool.py"] == ("tool", False) and names["settings"] == "a/settings.py"
    m = place(
        build("import settings\nfrom settings import MODEL\n", "b/app.py", watch_from_rules()),
        "b.app",
        False,
        lambda module, attr: {"settings": "b.settings", "app": "b.app"}.get(module, module),
    )
    assert m.imports == {"settings": ("b.settings", None), "MODEL": ("b.settings", "MODEL")}
    for d, model in (("a", "gpt-4o"), ("b", "gpt-4o-mini")):
        (tmp_path / d).mkdir()
        (tmp_path / d / "settings.py").write_text(f'MODEL = "{model}"\n', "utf-8")
        (tmp_path / d / "app.py").write_text(
            "from openai import OpenAI\n\nimport settings\n\nclient = OpenAI()\n"
            "client.chat.completions.create(model=settings.MODEL, messages=[])\n",
            "utf-8",
        )
    proc = run_cli(["check", "--no-cache", "--to", "qwen", "--output-format", "concise", "."], tmp_path)
    lines = proc.stdout.splitlines()
    assert any(x.startswith("a/settings.py:1:9: OFR201") and "(request at a/app.py:6)" in x for x in lines), lines
    assert any(x.startswith("b/settings.py:1:9: OFR201") and "(request at b/app.py:6)" in x for x in lines), lines
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / "a" / "settings.py").read_text("utf-8") == 'MODEL = "qwen3.8-max"\n'
    assert "gpt-4o-mini" not in (tmp_path / "b" / "settings.py").read_text("utf-8")


def test_requests_through_a_module_named_after_the_sdk_have_routes(tmp_path: Path) -> None:
    tree = tmp_path / "p"
    shutil.copytree(FIXTURES / "oracle" / "library_named_module", tree)
    from offramp.project.files import routes_of_files

    files = {d: tree / d for d in ("main.py", "app/__init__.py", "app/llms/__init__.py", "app/llms/openai.py")}
    routes = routes_of_files(files, tree)
    assert [(r.file, r.kind) for r in routes] == [("app/llms/openai.py", "client")]
    assert {s.name for s in routes[0].credential if isinstance(s, EnvRead)} == {"OPENAI_API_KEY"}


def test_a_v0_requests_own_key_and_base_are_its_route(tmp_path: Path) -> None:
    """openai 0.x lets a request set `api_key=` / `api_base=` for itself (also through `**args`, and a dict
    given its key by `args["api_key"] = ...`). Read as the module configuration's, such a route moved with the
    module client: the app's configured OpenAI key went to the provider (tests/fixtures/oracle/v0_per_request_key)."""
    (tmp_path / "app.py").write_text(
        "import os\n"
        "import openai\n"
        'openai.api_key = os.environ["OPENAI_API_KEY"]\n'
        "def ask(key):\n"
        '    return openai.ChatCompletion.create(model="gpt-4", api_key=key, messages=[])\n'
        "def relay(base):\n"
        '    return openai.ChatCompletion.create(model="gpt-4", api_base=base, messages=[])\n'
        "def pooled(**kwargs):\n"
        "    args = dict(kwargs)\n"
        '    args["api_key"] = os.environ["POOL_KEY"]\n'
        '    return openai.ChatCompletion.create(model="gpt-4", messages=[], **args)\n'
        "def forwarded(**kwargs):\n"
        "    return openai.ChatCompletion.create(**kwargs)\n",
        "utf-8",
    )
    from offramp.project.files import routes_of_files

    routes = {r.span.line: r for r in routes_of_files({"app.py": tmp_path / "app.py"}, tmp_path)}
    assert {type(s).__name__ for s in routes[5].credential} == {"Parameter"} and routes[5].own == ("cred",)
    assert {type(s).__name__ for s in routes[7].host} == {"Parameter"} and routes[7].own == ("host",)
    assert {s.name for s in routes[11].credential if isinstance(s, EnvRead)} == {"POOL_KEY"}
    assert routes[13].own == () and {s.name for s in routes[13].credential if isinstance(s, EnvRead)} == {
        "OPENAI_API_KEY"
    }


def test_check_reports_a_provider_key_sent_to_openai(tmp_path: Path) -> None:
    """A half-migration made by hand (the key variable of rest.py renamed while its URL, from
    settings.py, stays api.openai.com) sends the DashScope key to OpenAI: check says so. The raw-HTTP
    route is still followed although rest.py no longer mentions OpenAI at all. (`fix` itself no
    longer makes this half-migration: tests/test_route_gate.py.)"""
    tree = tmp_path / "shop"
    shutil.copytree(PROJECTS / "shop", tree)
    rest = tree / "shop" / "rest.py"
    rest.write_text(rest.read_text("utf-8").replace("OPENAI_API_KEY", "DASHSCOPE_API_KEY"), "utf-8")
    assert "openai" not in rest.read_text("utf-8").lower()
    findings = check_tree(tree, "qwen")
    leak = [f for f in findings if f.code == "OFR303" and f.path == "shop/rest.py"]
    assert leak and "DASHSCOPE_API_KEY" in leak[0].message and "api.openai.com" in leak[0].message


def test_configparser_values_reach_the_route(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import configparser\n"
        "from openai import OpenAI\n"
        "parser = configparser.ConfigParser()\n"
        'parser.read("settings.ini")\n'
        'client = OpenAI(base_url=parser.get("llm", "base_url"), api_key=parser["llm"]["openai_api_key"])\n'
        'client.chat.completions.create(model=parser["llm"]["model"], messages=[])\n',
        "utf-8",
    )
    (tmp_path / "settings.ini").write_text(
        "[llm]\nbase_url = https://api.deepseek.com/v1\nopenai_api_key = set-me\nmodel = gpt-4o\n", "utf-8"
    )
    found = {(f.code, f.span.line) for f in check_tree(tmp_path) if f.path == "app.py"}
    assert {("OFR204", 4), ("OFR303", 4)} <= found


def _routes_of(root: Path) -> List:
    from offramp.project.files import routes_of_files

    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    return routes_of_files({d: root / d for d in files}, root)


def test_an_environment_write_reaches_a_client_in_a_namespace_package() -> None:
    """`lc/` has no __init__.py: `from lc.chain import ...` still links the module writing
    OPENAI_API_KEY to the client in lc/chain.py that reads it (xiaogpt's layout): the value written
    (`openai_key`, handed over from config.py) is the request's credential too."""
    routes = _routes_of(FIXTURES / "oracle" / "env_write_namespace")
    (chain,) = [r for r in routes if r.file == "lc/chain.py"]
    written = [s for s in chain.credential if getattr(s, "file", "") in ("config.py", "bots/lcbot.py")]
    assert written, chain.credential


def test_a_key_no_definition_reaches_is_unknown_not_absent() -> None:
    """A dataclass field without a default (`openai_key: str`) is set by code offramp does not
    follow (or follows only through its callers): the route's credential is never empty, which
    read as nothing to fear."""
    routes = _routes_of(FIXTURES / "oracle" / "dataclass_key_field")
    (bot,) = [r for r in routes if r.file == "bot.py"]
    assert bot.credential


def test_a_toml_file_the_code_loads_is_read_without_tomllib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.9 and 3.10 have no `tomllib`: the backport `tomli` (a dependency there) reads a TOML file
    the code loads. Without the fallback every such file was skipped, and its `base_url = ""` with it."""
    import sys

    from offramp.project.configdocs import parse_config
    from offramp.tomlcache import toml_module

    real = toml_module()  # (whichever this Python has)

    monkeypatch.setitem(sys.modules, "tomllib", None)  # `import tomllib` raises ImportError
    monkeypatch.setitem(sys.modules, "tomli", real)  # (the backport has the same API)
    assert parse_config('[llm]\nbase_url = ""\nmodel = "gpt-4o"\n', ".toml") == {
        "llm": {"base_url": "", "model": "gpt-4o"}
    }


def test_route_findings_do_not_depend_on_string_hashing(tmp_path: Path) -> None:
    """Same-named modules in sibling folders (the fix fixtures of five providers, checked as one tree)
    made one route with several hosts. Which host `is sent to ...` named came from iterating a set, so
    the output changed with PYTHONHASHSEED (mem0's OFR304s came and went between identical runs too)."""
    for folder in ("input", "qwen", "deepseek", "glm", "kimi"):
        (tmp_path / folder).mkdir()
        for name in ("key_reads_unset.py", "azure_v0_ad_token.py"):
            shutil.copy(FIXTURES / "fix" / folder / name, tmp_path / folder / name)
    # (each folder's modules are their own since scripts import their neighbours: the route with several hosts
    # is now this one, a key sent to whichever host a branch chose)
    (tmp_path / "hosts.py").write_text(
        "import os\n\nfrom openai import OpenAI\n\n"
        'if os.getenv("USE_AZURE"):\n    base = "https://contoso.openai.azure.com/openai/v1/"\n'
        'elif os.getenv("USE_DEEPSEEK"):\n    base = "https://api.deepseek.com/v1"\n'
        'elif os.getenv("USE_KIMI"):\n    base = "https://api.moonshot.cn/v1"\n'
        'else:\n    base = "https://dashscope.aliyuncs.com/compatible-mode/v1"\n'
        'client = OpenAI(base_url=base, api_key=os.environ["DASHSCOPE_API_KEY"])\n'
        'client.chat.completions.create(model="qwen-plus", messages=[])\n',
        "utf-8",
    )
    args = ["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."]
    outputs = {run_cli(args, tmp_path, env={"PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3, 4, 5)}
    assert len(outputs) == 1, "\n---\n".join(sorted(outputs))
    assert "OFR303" in next(iter(outputs))
