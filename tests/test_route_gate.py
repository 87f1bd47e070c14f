"""The route gate of `fix` (project/gate.py): a request's host, credential and model move together or not at all.

Each case is a shape that made `fix` send a secret where it was not meant to go before the gate:
a key variable renamed although the request reading it stayed on OpenAI, Azure, a proxy or
another provider; a model constant rewritten for one request while another request keeps using it
at OpenAI. The snapshots (tests/fixtures/projects/*.fix-qwen.diff) show the whole change `fix`
makes to a multi-module project; regenerate with OFFRAMP_UPDATE_SNAPSHOTS=1 and read them.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
from pathlib import Path
from typing import Dict, List

import pytest
from helpers import FIXTURES, PROJECT_SNAPSHOTS, compare_snapshot, run_cli

from offramp.catalog import load_sdk
from offramp.project.decision import CRED, HOST, MODEL, WRITE, Effect
from offramp.project.gate import MODULE, RouteJudge, overlaps
from offramp.project.sources import EnvRead, Literal, Parameter, Route, SdkDefault
from offramp.providers import builtin_providers, known_provider_hosts
from offramp.types import Span

PROJECTS = FIXTURES / "projects"


def _tree(root: Path) -> Dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text("utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".offramp_cache" not in p.parts
    }


def _fix(tmp_path: Path, project: str, to: str = "qwen") -> tuple[Path, str]:
    tree = tmp_path / project
    shutil.copytree(PROJECTS / project, tree)
    proc = run_cli(["fix", "--to", to, "."], tree)
    assert proc.returncode in (0, 1), proc.stderr
    return tree, proc.stderr


@pytest.mark.parametrize(
    "project",
    PROJECT_SNAPSHOTS,
)
def test_fix_snapshot_of_a_project(project: str, tmp_path: Path) -> None:
    tree, _ = _fix(tmp_path, project)
    before, after = _tree(PROJECTS / project), _tree(tree)
    diff = "".join(
        "".join(difflib.unified_diff(before[name].splitlines(True), after.get(name, "").splitlines(True), name, name))
        for name in sorted(before)
    )
    compare_snapshot(diff, PROJECTS / f"{project}.fix-qwen.diff")


def test_a_model_of_an_arm_no_migrated_request_reads_is_left_as_it_is(tmp_path: Path) -> None:
    """`text-embedding-004` is the Gemini arm's model (`elif embedding_provider in ("google_genai", ...)`):
    yesterday it reached the OpenAI request too and was rewritten to a Qwen model for the Gemini client."""
    tree, _ = _fix(tmp_path, "provider_switch")
    config = (tree / "research" / "config.py").read_text("utf-8")
    assert 'self.embedding_model = "text-embedding-004"' in config
    # (the default is also the MiniMax arm's model, a request that stays: the OpenAI and Azure arms, which send it
    # too, stay with it, as one file holds them, and so do their own arms' models: project/sharedmodels.py)
    assert config.count('"text-embedding-v4"') == 0 and config.count('"text-embedding-3-large"') == 2


def test_framework_subclass_built_in_another_module_moves_whole_or_stays_with_a_todo(tmp_path: Path) -> None:
    """Issue 16: `Chat(model="gpt-4o", api_key=os.getenv("OPENAI_API_KEY"))` in app.py of `class Chat(ChatOpenAI)`
    in llm.py. Yesterday app.py alone saw a project class: nothing was reported there, and the key read kept
    its name while the client stayed on api.openai.com. Now it is built as ChatOpenAI is: base URL, key and
    model at the provider; a subclass with its own `__init__`, or of a class fix would swap, keeps all three
    with a TODO; the same for a subclass of the SDK client whose request is made in the other module."""
    tree, _ = _fix(tmp_path, "framework_subclasses")
    app = (tree / "app.py").read_text("utf-8")
    assert (
        'chat = Chat(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", model="qwen3.8-max", '
        'api_key=os.environ["DASHSCOPE_API_KEY"])' in app
    )
    assert 'plain = Plain(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", ' in app
    assert 'plain.chat.completions.create(model="qwen-flash"' in app
    for kept in ('keyed = Keyed(os.environ["OPENAI_API_KEY"])', 'by_position = Plain(os.environ["OPENAI_API_KEY"])'):
        line = app.index(kept)
        assert "TODO[offramp]" in app[app.rindex("\n", 0, app.rindex("\n", 0, line)) : line], kept
    # (its `azure_deployment="prod-gpt4o"` has no provider model: it stays on Azure whole, and its TODO says so)
    assert 'api_key=os.environ["AZURE_OPENAI_API_KEY"]' in app and "`Deployment` stays on Azure OpenAI" in app
    assert 'llm.Chat(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"' in (tree / "agents.py").read_text()
    assert 'api_key="ollama"' in app and 'os.environ["DEEPSEEK_API_KEY"]' in app
    second = run_cli(["fix", "--to", "qwen", "--diff", "."], tree)
    assert second.returncode == 0 and not second.stdout, second.stdout


def test_chroma_collection_reopened_in_another_module_gets_the_moved_function_or_a_todo(tmp_path: Path) -> None:
    """Issue 16: store.py builds `openai_ef` (moved to the provider), query.py reopens the collection with
    `client.get_collection("docs")`. Yesterday query.py was neither reported nor fixed: chroma rebuilt the stored
    function there and sent OPENAI_API_KEY's value to the provider. Now the call is handed `openai_ef` where
    query.py imports it, and gets a TODO where no function of the program is visible (report.py, a shadowed
    name); another library's `get_collection` is left alone."""
    tree, _ = _fix(tmp_path, "chroma_reopen")
    query, report = (tree / "query.py").read_text("utf-8"), (tree / "report.py").read_text("utf-8")
    assert 'docs = client.get_collection("docs", embedding_function=openai_ef)' in query
    assert query.count("TODO[offramp]: pass `embedding_function=`") == 1
    assert report.count("TODO[offramp]: pass `embedding_function=`") == 1
    assert 'QdrantClient(url="http://localhost:6333").get_collection("docs")' in report
    assert 'api_key=os.environ["DASHSCOPE_API_KEY"]' in (tree / "store.py").read_text("utf-8")
    second = run_cli(["fix", "--to", "qwen", "--diff", "."], tree)
    assert second.returncode == 0 and not second.stdout, second.stdout


def test_key_of_a_request_left_on_openai_keeps_its_name(tmp_path: Path) -> None:
    """rest.py posts to settings.API_URL (api.openai.com, defined in another module): renaming its
    key to DASHSCOPE_API_KEY would send the DashScope key to OpenAI."""
    tree, err = _fix(tmp_path, "shop")
    rest = (tree / "shop" / "rest.py").read_text("utf-8")
    assert "os.environ['OPENAI_API_KEY']" in rest and "DASHSCOPE" not in rest
    assert "shop/rest.py:10: note: kept `OPENAI_API_KEY`: a request in shop/rest.py does not move" in err


def test_environment_write_read_by_a_request_left_elsewhere_is_kept(tmp_path: Path) -> None:
    """keys.py sets OPENAI_API_KEY, which the v0 module client of legacy.py (left: its base URL comes
    from a configuration file) reads: renamed, the key would be missing there; the client of keys.py
    itself moves with its own explicit provider key."""
    tree, _ = _fix(tmp_path, "shop")
    keys = (tree / "shop" / "keys.py").read_text("utf-8")
    assert 'os.environ["OPENAI_API_KEY"] = os.getenv("DEEPSEEK_API_KEY", "")' in keys
    assert (
        'OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=os.environ["DASHSCOPE_API_KEY"])'
        in keys
    )


def test_azure_key_of_requests_left_on_azure_and_deepseek_is_kept(tmp_path: Path) -> None:
    tree, _ = _fix(tmp_path, "agents")
    config = (tree / "agents" / "config.py").read_text("utf-8")
    chains = (tree / "agents" / "chains.py").read_text("utf-8")
    assert 'os.getenv("AZURE_OPENAI_API_KEY", "")' in config  # azure_http.py posts it to Azure
    assert 'os.environ["AZURE_OPENAI_KEY"]' in chains  # the ChatOpenAI there goes to api.deepseek.com
    assert "DASHSCOPE" not in config + chains


def test_scripts_that_never_import_each_other_are_migrated_each_on_its_own(tmp_path: Path) -> None:
    """Module-level client configuration is per process: one script's `openai.api_base` (left on a
    relay from the command line) must not hold back another script's module client."""
    (tmp_path / "a.py").write_text(
        "import os, sys\nimport openai\n\nopenai.api_base = sys.argv[1]\nopenai.api_key = os.getenv('OPENAI_API_KEY')\n"
        "openai.ChatCompletion.create(model='gpt-4o', messages=[])\n",
        "utf-8",
    )
    (tmp_path / "b.py").write_text(
        "import os\nimport openai\n\nopenai.api_key = os.getenv('OPENAI_API_KEY')\n"
        "openai.ChatCompletion.create(model='gpt-4o', messages=[])\n",
        "utf-8",
    )
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    b = (tmp_path / "b.py").read_text("utf-8")
    assert "dashscope" in b and "DASHSCOPE_API_KEY" in b and "qwen" in b


def test_check_after_fix_marks_held_sites_not_fixable(tmp_path: Path) -> None:
    """What fix holds back, check does not offer as fixable ([*]): both ask the same judge."""
    tree, _ = _fix(tmp_path, "shop")
    proc = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tree)
    assert proc.returncode == 1
    assert not [line for line in proc.stdout.splitlines() if line.endswith("[*]")], proc.stdout
    rest = [line for line in proc.stdout.splitlines() if line.startswith("shop/rest.py:")]
    assert rest and any("OFR301" in line for line in rest)


# -- the judge on its own ---------------------------------------------------------------------------
QWEN = builtin_providers()["qwen"]
CTOR = Span(3, 10, 3, 30)
ENV = Span(2, 20, 2, 36)


def _judge(*routes: Route) -> RouteJudge:
    return RouteJudge(routes, QWEN, known_provider_hosts(), load_sdk())


def _route(**kw) -> Route:
    base = dict(file="app.py", span=Span(4, 1, 4, 20), call="c.chat.completions.create", kind="client", family="chat")
    base.update(kw)
    return Route(azure=False, client="OpenAI", client_file="app.py", client_span=CTOR, **base)


def test_host_moved_without_the_key_strands_the_route() -> None:
    r = _route(
        host=frozenset({SdkDefault("api.openai.com", "default")}), credential=frozenset({EnvRead("X", "app.py", ENV)})
    )
    assert "would carry a credential" in _judge(r).stranded(r, {"app.py": [Effect(HOST, CTOR)]})
    assert _judge(r).stranded(r, {"app.py": [Effect(HOST, CTOR), Effect(CRED, ENV)]}) is None


def test_key_moved_without_the_host_strands_the_route_and_freezes_all_its_sources() -> None:
    model = Literal("settings.py", Span(1, 10, 1, 18), "gpt-4o")
    r = _route(
        host=frozenset({Literal("app.py", Span(3, 20, 3, 29), "http://localhost:8000/v1")}),
        credential=frozenset({EnvRead("OPENAI_API_KEY", "app.py", ENV)}),
        model=frozenset({model}),
    )
    write = Span(9, 1, 9, 30)
    effects = {
        "app.py": [Effect(CRED, ENV)],
        "settings.py": [Effect(MODEL, model.span)],
        "env.py": [Effect(CRED, write), Effect(WRITE + "OPENAI_API_KEY", write)],
    }
    judge = _judge(r)
    assert "does not move" in judge.stranded(r, effects)
    decision = judge.decide(effects).only_where(effects)
    assert decision.gate("app.py").stops(ENV) and decision.gate("settings.py").stops(model.span)
    assert decision.gate("env.py").stops_write("OPENAI_API_KEY")  # writes follow the read they feed
    assert not decision.gate("settings.py").stops_write("OPENAI_API_KEY")  # it writes nothing: no re-plan


def test_a_route_already_at_the_provider_is_not_stranded() -> None:
    r = _route(
        host=frozenset({Literal("app.py", CTOR, "https://dashscope.aliyuncs.com/compatible-mode/v1")}),
        credential=frozenset({EnvRead("DASHSCOPE_API_KEY", "app.py", ENV)}),
    )
    assert _judge(r).stranded(r, {}) is None


def test_a_parameter_overriding_a_moved_default_does_not_hold_it_back() -> None:
    url = Literal("app.py", Span(1, 5, 1, 30), "https://api.openai.com/v1/chat/completions")
    r = _route(
        kind="http",
        host=frozenset({Parameter("api_url", "app.py"), url}),
        credential=frozenset({EnvRead("OPENAI_API_KEY", "app.py", ENV)}),
    )
    assert _judge(r).stranded(r, {"app.py": [Effect(HOST, url.span), Effect(CRED, ENV)]}) is None
    only_param = _route(kind="http", host=frozenset({Parameter("api_url", "app.py")}), credential=r.credential)
    assert _judge(only_param).stranded(only_param, {"app.py": [Effect(CRED, ENV)]}) is not None


def test_module_sentinel_only_overlaps_itself() -> None:
    assert overlaps(MODULE, MODULE) and not overlaps(MODULE, Span(1, 1, 9, 9))
    assert overlaps(Span(1, 1, 1, 10), Span(1, 5, 1, 6)) and not overlaps(Span(1, 1, 1, 5), Span(1, 5, 1, 9))


def test_a_model_constant_of_another_module_moves_with_its_requests(tmp_path: Path) -> None:
    """The walk test of ARCHITECTURE.md: `CHAT_MODEL = "gpt-4o"` in settings.py, sent by rest.py and
    llm.py, is rewritten in the same run as their hosts and keys; check then has nothing to say of it."""
    root = tmp_path / "chatbot"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "chatbot", root)
    proc = run_cli(["fix", "--to", "qwen", "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    settings = (root / "chatbot" / "settings.py").read_text("utf-8")
    assert 'CHAT_MODEL = "qwen3.8-max"' in settings and 'CHEAP_MODEL = "qwen-flash"' in settings
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], root)
    assert "chatbot/settings.py:5:" not in check.stdout and "chatbot/settings.py:6:" not in check.stdout


def test_a_model_constant_shared_with_a_request_left_behind_stays(tmp_path: Path) -> None:
    """shop's CHAT_MODEL is sent by rest.py (moves) and by app.py through a client whose base URL
    comes from a config file where it is null (stays on OpenAI): rewritten, app.py would ask
    OpenAI for a Qwen model."""
    tree, _ = _fix(tmp_path, "shop")
    assert 'CHAT_MODEL = "gpt-4o"' in (tree / "shop" / "settings.py").read_text("utf-8")


def test_a_module_with_no_sdk_use_gets_its_model_constant_rewritten(tmp_path: Path) -> None:
    """settings.py holds nothing but the constant (no import, no finding of its own): it has no plan,
    and its literal is rewritten from the route alone, counted once in the summary."""
    (tmp_path / "settings.py").write_text('CHAT_MODEL = "gpt-4o"\n', "utf-8")
    (tmp_path / "app.py").write_text(
        "from openai import OpenAI\nfrom settings import CHAT_MODEL\n\nclient = OpenAI()\n"
        "client.chat.completions.create(model=CHAT_MODEL, messages=[])\n",
        "utf-8",
    )
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "settings.py").read_text("utf-8") == 'CHAT_MODEL = "qwen3.8-max"\n'
    assert "Rewrote 2 files for Qwen (Alibaba Cloud Model Studio) (1 client, 1 model)." in proc.stderr


def test_a_suppressed_model_constant_of_a_module_with_no_sdk_use_stays(tmp_path: Path) -> None:
    """check honours `# noqa: OFR201` on the constant and reports nothing there; fix rewrote it all the
    same, since a file with no plan of its own (fixes/crossfile.py) read no suppression. One function
    (crossfile.plan_models) now decides such a literal for both kinds of file, suppressions included;
    its rewrite, where it happens, is the finding's fix in SARIF."""
    (tmp_path / "settings.py").write_text('CHAT_MODEL = "gpt-4o"  # noqa: OFR201\n', "utf-8")
    (tmp_path / "app.py").write_text(
        "from openai import OpenAI\nfrom settings import CHAT_MODEL\n\nclient = OpenAI()\n"
        "client.chat.completions.create(model=CHAT_MODEL, messages=[])\n",
        "utf-8",
    )
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert "settings.py" not in check.stdout, check.stdout
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    # (the client moved, the model did not: check then reports OFR204 on it, which the noqa does not cover, and
    # fix says so; it used to exit 0 on each file's own findings, which saw no route)
    assert proc.returncode == 1 and "1 finding remains" in proc.stderr, proc.stderr
    assert (tmp_path / "settings.py").read_text("utf-8") == 'CHAT_MODEL = "gpt-4o"  # noqa: OFR201\n'
    after = run_cli(["check", "--to", "qwen", "-n", "--output-format", "concise", "."], tmp_path)
    assert after.returncode == 1 and "settings.py:1:14: OFR204" in after.stdout, after.stdout
    (tmp_path / "settings.py").write_text('CHAT_MODEL = "gpt-4o"\n', "utf-8")
    (tmp_path / "app.py").write_text(
        "from openai import OpenAI\nfrom settings import CHAT_MODEL\n\nclient = OpenAI()\n"
        "client.chat.completions.create(model=CHAT_MODEL, messages=[])\n",
        "utf-8",
    )
    sarif = json.loads(run_cli(["check", "--to", "qwen", "-n", "--output-format", "sarif", "."], tmp_path).stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "OFR201"]
    (fix,) = result["fixes"]
    assert [r["insertedContent"]["text"] for r in fix["artifactChanges"][0]["replacements"]] == ["qwen3.8-max"]


@pytest.mark.parametrize(
    ("value", "mapped", "ignore"),
    [("gpt-4o", False, False), ("gpt-4o", False, True), ("team-gpt", True, False), ("team-gpt", True, True)],
)
def test_check_offers_a_deployment_constant_of_another_module_exactly_when_fix_rewrites_it(
    tmp_path: Path, value: str, mapped: bool, ignore: bool
) -> None:
    """An Azure request's model from settings.py (OFR202 at the constant). check and fix each had their own
    answer to "what does fix write there": with `--ignore OFR201` check still offered it [*] while fix (a model
    rewrite is OFR201's fix) left it; a deployment mapped under [tool.offramp.models] was offered [*] and never
    rewritten (fix asked only whether it was a retired id). checks/lifecycle.written_elsewhere answers both."""
    (tmp_path / "settings.py").write_text(f'CHAT_MODEL = "{value}"\n', "utf-8")
    if mapped:
        (tmp_path / "pyproject.toml").write_text(f'[tool.offramp.models]\n"{value}" = "qwen-flash"\n', "utf-8")
    (tmp_path / "app.py").write_text(
        "import os\nfrom openai import AzureOpenAI\n\nimport settings\n\nclient = AzureOpenAI(azure_endpoint="
        '"https://x.openai.azure.com", api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="2024-02-01")\n'
        "client.chat.completions.create(model=settings.CHAT_MODEL, messages=[])\n",
        "utf-8",
    )
    extra = ["--ignore", "OFR201"] if ignore else []
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", *extra, "."], tmp_path)
    (line,) = [x for x in check.stdout.splitlines() if x.startswith("settings.py:1:")]
    run_cli(["fix", "--to", "qwen", *extra, "."], tmp_path)
    rewritten = (tmp_path / "settings.py").read_text("utf-8") != f'CHAT_MODEL = "{value}"\n'
    assert line.endswith("[*]") == rewritten == (not ignore), (line, rewritten)


def _fixable(proc) -> list:
    return [line for line in proc.stdout.splitlines() if line.endswith("[*]")]


def test_check_offers_only_the_configuration_files_fix_would_rewrite(tmp_path: Path) -> None:
    """A recorded result JSON no code reads, and a `.env.example` key that a client left on OpenAI
    still reads: `fix` leaves both, so `check --to` must not mark them [*] (gpt-researcher had 23
    such [*] that fix never kept). The model of the client fix does move stays [*]."""
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "run1.json").write_text('{"model": "gpt-4o", "score": 0.8}\n', "utf-8")
    (tmp_path / ".env.example").write_text("OPENAI_API_KEY=\n", "utf-8")
    (tmp_path / "app.py").write_text(
        "import os\nfrom openai import OpenAI\n\n"
        "client = OpenAI()\n"
        "client.chat.completions.create(model='gpt-4o', messages=[])\n",
        "utf-8",
    )
    (tmp_path / "proxy.py").write_text(
        "import os\nfrom openai import OpenAI\n\n"
        "local = OpenAI(api_key=os.environ['OPENAI_API_KEY'], base_url='http://localhost:8080/v1')\n"
        "local.chat.completions.create(model='llama3', messages=[])\n",
        "utf-8",
    )
    check = ["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."]
    proc = run_cli(check, tmp_path)
    fixable = _fixable(proc)
    assert any(line.startswith("app.py:") for line in fixable), proc.stdout
    assert not [line for line in fixable if not line.startswith("app.py:")], proc.stdout
    assert "results/run1.json:1:" in proc.stdout and ".env.example:1:" in proc.stdout
    full = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "full", "."], tmp_path)
    left = "Fix leaves this file as it is: no request offramp can follow takes a value from it"
    assert left in full.stdout, full.stdout
    before = (tmp_path / "results" / "run1.json").read_text("utf-8"), (tmp_path / ".env.example").read_text("utf-8")
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "results" / "run1.json").read_text("utf-8"), (tmp_path / ".env.example").read_text("utf-8")
    assert after == before
    assert not _fixable(run_cli(check, tmp_path))


def test_check_before_fix_keeps_a_compose_shared_key_and_offers_the_model(tmp_path: Path) -> None:
    """The monorepo's root .env: `OPENAI_API_KEY` is also handed to the web service (a Node app) by
    docker-compose.yml, so fix keeps its name, while `OPENAI_MODEL` moves with the Python reader."""
    tree = tmp_path / "monorepo"
    shutil.copytree(FIXTURES / "config-projects" / "monorepo", tree)
    proc = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tree)
    env = [line for line in proc.stdout.splitlines() if line.startswith(".env:")]
    assert any(line.startswith(".env:1:1: OFR301") and not line.endswith("[*]") for line in env), proc.stdout
    assert any(line.startswith(".env:2:14: OFR201") and line.endswith("[*]") for line in env), proc.stdout


def test_a_url_and_a_key_no_request_explains_stay_together(tmp_path: Path) -> None:
    """chatgpt-on-wechat's shape: the project's own HTTP client builds the URL and the headers in other
    methods, so no route explains `DEFAULT_API_BASE` or the key read beside it. Moved alone, the URL took
    the user's configured (OpenAI) key to the provider; the key renamed alone went to OpenAI."""
    (tmp_path / "http_client.py").write_text(
        "import os\n\nimport requests\n\n"
        'DEFAULT_API_BASE = "https://api.openai.com/v1"\n\n\n'
        "class Client:\n"
        "    def __init__(self, api_key=None, api_base=None):\n"
        '        self.api_key = api_key or os.environ.get("OPENAI_API_KEY")\n'
        "        self.api_base = api_base or DEFAULT_API_BASE\n\n"
        "    def _headers(self):\n"
        '        return {"Authorization": "Bearer " + self.api_key}\n\n'
        "    def chat(self, payload):\n"
        '        url = self.api_base + "/chat/completions"\n'
        "        return requests.post(url, headers=self._headers(), json=payload)\n",
        "utf-8",
    )
    before = (tmp_path / "http_client.py").read_text("utf-8")
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    after = (tmp_path / "http_client.py").read_text("utf-8")
    assert 'DEFAULT_API_BASE = "https://api.openai.com/v1"' in after and "dashscope" not in after
    assert '"OPENAI_API_KEY"' in after and "DASHSCOPE_API_KEY" not in after
    assert "URL left as it is: no request offramp can follow uses it" in after
    assert after.replace(after[after.index("# TODO[offramp]") : after.index("DEFAULT_API_BASE =")], "") == before
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert not _fixable(check), check.stdout


def test_a_key_read_no_request_explains_keeps_its_name_beside_a_client_that_moves(tmp_path: Path) -> None:
    """A file whose SDK client moves also reads OPENAI_API_KEY for a raw request to a company proxy and for a
    call offramp cannot follow. Renamed with the client's read (as every key read of such a file was), the
    DashScope key went to the proxy and to that call; now only the client's own read is renamed."""
    (tmp_path / "app.py").write_text(
        "import os\n\nimport requests\nfrom openai import OpenAI\n\n"
        'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n\n\n'
        "def ask(q):\n"
        '    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])\n\n\n'
        "def moderate(text):\n"
        '    key = os.getenv("OPENAI_API_KEY")\n'
        '    headers = {"Authorization": f"Bearer {key}"}\n'
        '    return requests.post("https://gateway.example.com/v1/moderations", headers=headers)\n\n\n'
        "def other_tool():\n"
        '    token = os.environ.get("OPENAI_API_KEY")\n'
        "    return some_sdk_call(token)\n",
        "utf-8",
    )
    after, check = _fix_then_check(tmp_path, "app.py")
    assert 'api_key=os.environ["DASHSCOPE_API_KEY"])' in after and after.count("DASHSCOPE_API_KEY") == 1
    assert 'key = os.getenv("OPENAI_API_KEY")' in after and 'token = os.environ.get("OPENAI_API_KEY")' in after
    assert not _fixable(check) and check.stdout.count("OFR301") == 2, check.stdout


def test_a_model_literal_no_route_explains_stays_beside_a_held_request_of_unknown_model(tmp_path: Path) -> None:
    """A command-line script: the client is built from `args.api_key` / `args.base_url` and held (its key is a
    parameter), and the request sends `args.model`. The argparse default `"gpt-4o-mini"` reaches no route
    offramp follows; mapped alone, the request went to api.openai.com with `qwen-flash`."""
    (tmp_path / "cli.py").write_text(
        "import argparse\nimport os\n\nfrom openai import OpenAI\n\n\n"
        "def make_client(api_key, base_url):\n"
        "    return OpenAI(api_key=api_key, base_url=base_url)\n\n\n"
        "def main():\n"
        "    parser = argparse.ArgumentParser()\n"
        '    parser.add_argument("--base-url", default="https://api.openai.com/v1")\n'
        '    parser.add_argument("--api-key", default=os.getenv("OPENAI_API_KEY"))\n'
        '    parser.add_argument("--model", default="gpt-4o-mini")\n'
        "    args = parser.parse_args()\n"
        "    client = make_client(args.api_key, args.base_url)\n"
        '    return client.chat.completions.create(model=args.model, messages=[{"role": "user", "content": "hi"}])\n',
        "utf-8",
    )
    after, check = _fix_then_check(tmp_path, "cli.py")
    assert 'default="gpt-4o-mini"' in after and "qwen-" not in after and "dashscope" not in after
    assert "# TODO[offramp]: `OpenAI` left as it is" in after
    assert not _fixable(check) and "OFR201" in check.stdout, check.stdout


def test_a_key_written_into_a_client_after_its_construction_is_its_credential(tmp_path: Path) -> None:
    """`client.api_key = ...` replaces the key the constructor got, at every request. Unseen, `OpenAI()` moved
    with the provider's key argument while the user's key written below it went to the provider. A key read
    fix renames moves with the client; one it cannot trace (`st.session_state[...]`) holds it."""
    (tmp_path / "app.py").write_text(
        "import os\n\nfrom openai import OpenAI\n\n"
        "client = OpenAI()\n"
        'client.api_key = os.environ["TEAM_OPENAI_KEY"]\n'
        'client.chat.completions.create(model="gpt-4o", messages=[])\n',
        "utf-8",
    )
    (tmp_path / "bot.py").write_text(
        "import streamlit as st\nfrom openai import OpenAI\n\n\n"
        "class Bot:\n"
        "    def __init__(self):\n"
        "        self.client = OpenAI()\n\n"
        "    def configure(self):\n"
        '        self.client.api_key = st.session_state["user_key"]\n\n'
        "    def ask(self):\n"
        '        return self.client.chat.completions.create(model="gpt-4o", messages=[])\n',
        "utf-8",
    )
    before = (tmp_path / "bot.py").read_text("utf-8")
    after, check = _fix_then_check(tmp_path, "app.py")
    assert after.count('os.environ["DASHSCOPE_API_KEY"]') == 2 and "TEAM_OPENAI_KEY" not in after
    bot = (tmp_path / "bot.py").read_text("utf-8")
    assert (
        "# TODO[offramp]: `OpenAI` left as it is" in bot
        and bot.replace(bot[bot.index("        # TODO") : bot.index("        self.client = ")], "") == before
    )
    assert not _fixable(check), check.stdout


@pytest.mark.parametrize("omitted", [False, True])
def test_a_none_key_default_every_call_replaces_does_not_hold_the_route(tmp_path: Path, omitted: bool) -> None:
    """`class LLM: def __init__(self, api_key=None)` built as `LLM(api_key=os.environ[...])`: the None default
    is never the key, so the SDK's own read of OPENAI_API_KEY is no source of the route and it moves whole.
    (Before, the class name called at the construction counted as "used as a value", so no call was seen,
    and the None default held every such route.) A call that leaves the key out holds it: the SDK would read
    OPENAI_API_KEY there."""
    (tmp_path / "llm.py").write_text(
        "import os\n\nfrom openai import OpenAI\n\n\n"
        "class LLM:\n"
        '    def __init__(self, api_key=None, model="gpt-4o"):\n'
        "        self.client = OpenAI(api_key=api_key)\n"
        "        self.model = model\n\n"
        "    def ask(self, q):\n"
        "        return self.client.chat.completions.create(model=self.model, messages=[])\n"
        "\n\n"
        'bot = LLM(api_key=os.environ["OPENAI_API_KEY"])\n' + ("other = LLM()\n" if omitted else ""),
        "utf-8",
    )
    after, check = _fix_then_check(tmp_path, "llm.py")
    if omitted:
        assert "# TODO[offramp]: `OpenAI` left as it is" in after and "DASHSCOPE" not in after
    else:
        assert 'OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=api_key)' in after
        assert 'LLM(api_key=os.environ["DASHSCOPE_API_KEY"])' in after and 'model="qwen3.8-max"' in after
        assert "All checks passed!" in check.stdout, check.stdout
    assert not _fixable(check), check.stdout


def _fix_then_check(tmp_path: Path, name: str):
    """`fix --to qwen .`, then `check --to qwen`: the file as fixed and check's run."""
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    after = (tmp_path / name).read_text("utf-8")
    return after, run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)


def test_a_key_header_a_service_hands_on_to_openai_keeps_its_variable(tmp_path: Path) -> None:
    """crewAI-examples: Weaviate's `headers={"X-OpenAI-Api-Key": os.getenv("OPENAI_API_KEY")}`
    passes the key to a service that calls OpenAI with it. Renamed, the DeepSeek key went there;
    and the notebook's `os.environ["OPENAI_API_KEY"] = ""` above it follows that read, not the
    migrated agent's."""
    app = tmp_path / "app.py"
    app.write_text(
        "import os\n\nimport weaviate\nfrom openai import OpenAI\n\n"
        'os.environ["OPENAI_API_KEY"] = ""\n'
        "db = weaviate.connect_to_weaviate_cloud(\n"
        '    cluster_url="https://x.weaviate.cloud",\n'
        '    headers={"X-OpenAI-Api-Key": os.getenv("OPENAI_API_KEY")},\n'
        ")\n"
        "client = OpenAI()\n"
        'client.chat.completions.create(model="gpt-4o", messages=[])\n',
        encoding="utf-8",
    )
    result = run_cli(["fix", "--to", "deepseek", str(app)], cwd=tmp_path)
    text = app.read_text(encoding="utf-8")
    assert '"X-OpenAI-Api-Key": os.getenv("OPENAI_API_KEY")' in text, text
    assert 'os.environ["OPENAI_API_KEY"] = ""' in text, text
    assert "api.deepseek.com" in text and 'os.environ["DEEPSEEK_API_KEY"]' in text, text
    assert "connect_to_weaviate_cloud` (it hands the key on to OpenAI)" in result.stderr


@pytest.mark.parametrize("imports_sdk", [True, False])
def test_a_written_value_fix_cannot_trace_is_neither_renamed_nor_promised(tmp_path: Path, imports_sdk: bool) -> None:
    """ChuanhuChatGPT's `os.environ["OPENAI_API_KEY"] = api_key` (a parameter): renamed, whatever key
    the caller passed would go to the provider. fix keeps it, and with it every use of the variable in
    the file (half renamed, Chuanhu's save-and-restore wrote the other variable); check marks none of
    them [*], also in a file without the SDK (the fast `ast` path decides it there)."""
    app = tmp_path / "keys.py"
    head = "import os\nimport openai\n\n" if imports_sdk else "import os\n\n"
    app.write_text(
        head + "def use(api_key):\n"
        '    os.environ["OPENAI_API_KEY"] = api_key\n\n'
        "def default():\n"
        '    key = os.getenv("OPENAI_API_KEY")\n'
        '    os.environ["OPENAI_API_KEY"] = key\n',
        encoding="utf-8",
    )
    check = run_cli(["check", "--no-cache", "--to", "qwen", "--output-format", "concise", str(app)], cwd=tmp_path)
    marks = {int(x.split(":")[1]): x.endswith("[*]") for x in check.stdout.splitlines() if "OFR301" in x}
    assert len(marks) == 3 and not any(marks.values()), check.stdout  # the variable stays whole in the file
    run_cli(["fix", "--to", "qwen", str(app)], cwd=tmp_path)
    text = app.read_text(encoding="utf-8")
    assert 'os.environ["OPENAI_API_KEY"] = api_key' in text and "DASHSCOPE" not in text, text


def test_a_client_no_followed_request_goes_through_moves_whole_or_not_at_all(tmp_path: Path) -> None:
    """ChatDev's shape: `create_client()` returns `OpenAI(api_key=self.api_key)` and a registry hands the
    client to `call_model(client)`, so no route reached the constructor. Planned on its own, it got the
    provider's base_url and kept `self.api_key`: the configured OpenAI key went to the provider. As a
    route of its own it stays (with a TODO), and check does not offer it as fixable either."""
    tree = tmp_path / "p"
    shutil.copytree(FIXTURES / "oracle" / "factory_client_param", tree)
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tree)
    ctor = [line for line in check.stdout.splitlines() if line.startswith("providers.py:") and "OFR101" in line]
    assert len(ctor) == 1 and not [line for line in ctor if line.endswith("[*]")], check.stdout
    proc = run_cli(["fix", "--to", "qwen", "."], tree)
    assert proc.returncode in (0, 1), proc.stderr
    text = (tree / "providers.py").read_text("utf-8")
    assert "dashscope" not in text and "api_key=self.api_key" in text
    assert "a client built in providers.py would carry a credential that is not Qwen" in text


def test_a_module_named_after_the_sdk_moves_with_the_key_its_caller_reads(tmp_path: Path) -> None:
    """`app/llms/openai.py` (SuperAGI's layout) was taken for the SDK: its client had no route, so fix gave
    it the provider's URL and kept `api_key=api_key`, which main.py filled from OPENAI_API_KEY (the OpenAI
    key went to the provider). Followed, the route moves as a whole: the caller's read is renamed (handed
    to `OpenAiLlm`, a call the file alone cannot follow, it had kept its name), and check agrees."""
    tree = tmp_path / "p"
    shutil.copytree(FIXTURES / "oracle" / "library_named_module", tree)
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tree)
    assert [line.split(" ")[0] for line in check.stdout.splitlines() if line.endswith("[*]")] == [
        "app/llms/openai.py:7:39:",
        "app/llms/openai.py:8:23:",
        "main.py:5:36:",
    ], check.stdout
    run_cli(["fix", "--to", "qwen", "."], tree)
    assert 'OpenAiLlm(api_key=os.environ["DASHSCOPE_API_KEY"])' in (tree / "main.py").read_text("utf-8")
    assert "dashscope.aliyuncs.com" in (tree / "app/llms/openai.py").read_text("utf-8")
    again = run_cli(["check", "--to", "qwen", "--no-cache", "."], tree)
    assert again.returncode == 0 and "All checks passed!" in again.stdout, again.stdout


def test_a_module_client_whose_key_a_caller_passes_stays_in_check_too(tmp_path: Path) -> None:
    """A v0 class in a module named after the SDK sets `openai.api_key = self.api_key` from whatever its
    callers pass (one of them a test handing the class on, so not every call is seen). Fix keeps the key
    and so the host; check used to offer the module client and the model default as fixable ([*]) on
    the strength of the per-file finding alone."""
    pkg = tmp_path / "app" / "embedding"
    pkg.mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "openai.py").write_text(
        "import openai\n\n\nclass OpenAiEmbedding:\n"
        '    def __init__(self, api_key, model="text-embedding-ada-002"):\n'
        "        self.model = model\n        self.api_key = api_key\n\n"
        "    def embed(self, text):\n        openai.api_key = self.api_key\n"
        "        return openai.Embedding.create(input=[text], model=self.model)\n",
        encoding="utf-8",
    )
    (tmp_path / "use.py").write_text(
        "from app.embedding.openai import OpenAiEmbedding\n\n\n"
        "def make(key):\n    return OpenAiEmbedding(api_key=key)\n",
        encoding="utf-8",
    )
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert "OFR105" in check.stdout and not [x for x in check.stdout.splitlines() if x.endswith("[*]")], check.stdout
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    text = (pkg / "openai.py").read_text("utf-8")
    assert "dashscope" not in text and "text-embedding-ada-002" in text and "TODO[offramp]" in text


def _starred(tree: Path) -> List[str]:
    out = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tree).stdout
    return [line.split(" ")[0] for line in out.splitlines() if line.endswith("[*]")]


def test_check_offers_only_what_fix_then_does(tmp_path: Path) -> None:
    """Three promises check made and fix did not keep, found by running fix then check on real projects
    (a `[*]` left after fix):
    - crewAI: a `.env.example` whose model and key variables no code reads, beside no endpoint
      (`OPENAI_MODEL_NAME=gpt-4o` once every Agent gets its llm=): fix moves them only with a reader or
      with the file's endpoint;
    - SuperAGI: `os.environ["OPENAI_API_KEY"] = get_config("OPENAI_API_KEY") or key` whose read is held:
      the variable keeps its name throughout the file, the write too;
    - rag-postgres: `OpenAI(api_key=os.environ["OPENAICOM_KEY"])`, a key variable no rule renames: the
      constructor's finding spans the read, but only the read's own finding says it moves."""
    (tmp_path / "crew").mkdir()
    (tmp_path / "crew" / ".env.example").write_text("SERPER_API_KEY=\nOPENAI_API_KEY=\n", encoding="utf-8")
    (tmp_path / "crew" / "tools.py").write_text(
        'import os\n\n\ndef search():\n    return os.environ["SERPER_API_KEY"]\n', encoding="utf-8"
    )
    (tmp_path / "summary.py").write_text(
        "import os\n\nfrom helpers import get_config\n\n\n"
        "def summarize(key):\n"
        '    os.environ["OPENAI_API_KEY"] = get_config("OPENAI_API_KEY") or key\n'
        "    return len(key)\n",
        encoding="utf-8",
    )
    (tmp_path / "helpers.py").write_text(
        "import os\n\n\ndef get_config(name):\n    return os.environ.get(name)\n", encoding="utf-8"
    )
    (tmp_path / "evals.py").write_text(
        "import os\n\nfrom openai import OpenAI\n\n\n"
        "def client():\n"
        '    return OpenAI(api_key=os.environ["OPENAICOM_KEY"])\n',
        encoding="utf-8",
    )
    before = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    starred = _starred(tmp_path)
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    changed = sorted(name for name in before if before[name] != after[name])
    assert starred == [] and changed == ["evals.py"], (starred, changed)
    evals = after["evals.py"].decode("utf-8")
    assert "TODO[offramp]" in evals and "dashscope" not in evals and "OPENAICOM_KEY" in evals


def test_an_env_model_read_by_code_no_route_explains_is_not_offered(tmp_path: Path) -> None:
    """Azure's quickstart reads its deployment into an attribute of an app object (`bp.openai_model`) that
    no route follows: fix leaves the `.env` value (its reader is not known to move), so check must not
    offer it as fixable either ([*] after fix was a promise fix did not keep)."""
    (tmp_path / ".env").write_text("AZURE_OPENAI_CHAT_DEPLOYMENT=gpt-4o\n", encoding="utf-8")
    (tmp_path / "chat.py").write_text(
        "import os\n\nfrom openai import OpenAI\n\n\nclass App:\n    pass\n\n\nbp = App()\n"
        "client = OpenAI()\n"
        'bp.model = os.getenv("AZURE_OPENAI_CHAT_DEPLOYMENT")\n',
        encoding="utf-8",
    )
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    env = [line for line in check.stdout.splitlines() if line.startswith(".env:1:30:")]
    assert env and not env[0].endswith("[*]"), check.stdout
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / ".env").read_text("utf-8") == "AZURE_OPENAI_CHAT_DEPLOYMENT=gpt-4o\n"
    again = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert not [line for line in again.stdout.splitlines() if line.endswith("[*]")], again.stdout


@pytest.mark.parametrize("name", ['r"OPENAI_API_KEY"', '"OPENAI_"\n        "API_KEY"'])
def test_a_write_follows_a_held_read_however_its_name_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """SuperAGI's `os.environ["OPENAI_API_KEY"] = get_config("OPENAI_API_KEY") or key`, the read's name
    written as a raw string or over two lines: fix keeps the variable's name throughout the file,
    and check took the read's name from the source text at its span (`r"OPENAI_API_KEY` or nothing), so it
    offered the write as fixable. It takes the name from the project index now."""
    from offramp import api, codes

    (tmp_path / "summary.py").write_text(
        "import os\n\nfrom helpers import get_config\n\n\n"
        "def summarize(key):\n"
        f'    os.environ["OPENAI_API_KEY"] = get_config({name}) or key\n'
        "    return len(key)\n",
        encoding="utf-8",
    )
    (tmp_path / "helpers.py").write_text(
        "import os\n\n\ndef get_config(name):\n    return os.environ.get(name)\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    found = api.check(["."], no_cache=True, overrides={"target": "qwen"}).findings
    env = [f for f in found if f.code == codes.OPENAI_ENV_VAR and f.path == "summary.py"]
    assert len(env) == 2 and not [f for f in env if f.fixable], env
    done = api.fix(["."], diff=True, overrides={"target": "qwen"}, echo=lambda m="", **kw: None)
    assert done.code == 0 and all(not r.changed for r in done.fixed)


_KEY_OR_LITERAL = (
    "import os\n\nfrom openai import OpenAI\n\n"
    'KEY = os.getenv("OPENAI_API_KEY") or "sk-proj-0123456789abcdefghijklmnopqrstuvwxyzABCD"\n'
    "client = OpenAI(api_key=KEY)\n\n\n"
    "def ask(text):\n"
    '    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])\n'
)
_CALLERS_MODULE_KEY = (
    "import openai\n\n\n"
    "def setup(key=None):\n"
    "    if key:\n"
    "        openai.api_key = key\n\n\n"
    "def ask(text):\n"
    '    return openai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])\n'
)


@pytest.mark.parametrize(("code", "moves"), [(_KEY_OR_LITERAL, True), (_CALLERS_MODULE_KEY, False)])
def test_check_predicts_whether_fix_gives_the_request_the_providers_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, moves: bool
) -> None:
    """check's route gate predicts the planner's `add_key` from the route's key sources (gate `_adds_key`):
    - a client whose key is a read or a key written into the file: fix replaces the argument (a literal
      reaches it) and moves the client; check held it back, since not every source was a literal;
    - the module client's key set only when a caller gives one: fix keeps `openai.api_key = key` and so
      holds the route; a constructor with no key argument (the SDK's own read) would get the provider's
      key, but this one's own read means only that some path sets none."""
    from offramp import api, codes

    (tmp_path / "app.py").write_text(code, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    found = api.check(["."], no_cache=True, overrides={"target": "qwen"}).findings
    offered = sorted(f.code for f in found if f.fixable)
    done = api.fix(["."], diff=True, overrides={"target": "qwen"}, echo=lambda m="", **kw: None)
    (result,) = done.fixed
    if moves:
        assert offered == sorted([codes.OPENAI_CLIENT, codes.OPENAI_MODEL, codes.OPENAI_ENV_VAR]), offered
        assert result.changed and result.changes == {"client": 1, "environment variable": 1, "model": 1}
    else:
        assert offered == [] and not [f for f in found if f.code == codes.OPENAI_MODEL and f.fixable]
        assert result.changed and "DASHSCOPE" not in (result.delivered or ("", ""))[1]


def test_a_plan_the_gate_replaces_is_never_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate plans clients.py three times; only the last plan is applied (each apply regenerates the
    module's code: on a generated 5k-line module the two thrown away were a fifth of `fix`)."""
    import offramp.fixes.apply as apply
    from offramp.engine import resolve_provider
    from offramp.fixes.planner import Planner
    from offramp.fixes.runner import fix_files
    from offramp.settings import Settings

    calls: List[str] = []
    apply_text, run = apply.apply_plan_text, Planner.run
    monkeypatch.setattr(apply, "apply_plan_text", lambda *a: calls.append("apply") or apply_text(*a))
    monkeypatch.setattr(Planner, "run", lambda self: calls.append("plan") or run(self))
    shutil.copy(FIXTURES / "fix" / "input" / "clients.py", tmp_path / "clients.py")
    settings = Settings(root=tmp_path)
    provider = resolve_provider("qwen", settings)
    assert provider is not None
    [result] = fix_files([tmp_path / "clients.py"], settings, provider, diff=True, jobs=1)
    assert result.changed and result.delivered is not None
    assert calls == ["plan", "plan", "plan", "apply"]


def test_a_model_beside_a_request_that_stays_and_whose_model_is_unseen_stays_too(tmp_path: Path) -> None:
    """modelscope-agent's TextChatAtOAI: `self.model = self.model or 'gpt-4o-mini'`, sent through a closure
    stored on the instance (`self._chat_complete_create(model=self.model)`) to `client.chat.completions.create(
    **kwargs)` of a client built from the configuration's base URL and OPENAI_API_KEY. That request stays on
    OpenAI; the default model was on no route and became a Qwen model there (a half-migration). Held, and
    check does not offer it either."""
    (tmp_path / "chat.py").write_text(
        "import os\n\nimport openai\n\n\n"
        "class Base:\n"
        "    def __init__(self, cfg):\n"
        "        self.model = cfg.get('model')\n\n\n"
        "class Chat(Base):\n"
        "    def __init__(self, cfg):\n"
        "        super().__init__(cfg)\n"
        "        self.model = self.model or 'gpt-4o-mini'\n"
        "        api_base = cfg.get('api_base')\n"
        "        api_key = cfg.get('api_key') or os.getenv('OPENAI_API_KEY')\n"
        "        if openai.__version__.startswith('0.'):\n"
        "            if api_base:\n"
        "                openai.api_base = api_base\n"
        "            openai.api_key = api_key\n"
        "            self._create = openai.ChatCompletion.create\n"
        "        else:\n"
        "            api_kwargs = {'api_key': api_key}\n"
        "            if api_base:\n"
        "                api_kwargs['base_url'] = api_base\n\n"
        "            def _create(**kwargs):\n"
        "                client = openai.OpenAI(**api_kwargs)\n"
        "                return client.chat.completions.create(**kwargs)\n\n"
        "            self._create = _create\n\n"
        "    def chat(self, messages):\n"
        "        return self._create(model=self.model, messages=messages)\n",
        encoding="utf-8",
    )
    assert _starred(tmp_path) == []
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "chat.py").read_text("utf-8")
    assert "'gpt-4o-mini'" in after and "qwen" not in after.replace("Qwen", ""), after
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert any(" OFR201 " in line and not line.endswith("[*]") for line in check.stdout.splitlines()), check.stdout


def test_a_model_constant_of_another_module_that_a_request_left_behind_sends_stays(tmp_path: Path) -> None:
    """camel's EmbeddingModelType: an Enum member's value is the default model of an Azure embedding class (moved)
    and of an OpenAI one whose key is its caller's (left with a TODO). The route gate froze the member for the request
    left behind, but no plan of enums.py moved it, so the freeze was dropped and the model of the requests elsewhere
    rewrote it: the OpenAI request then sent a Qwen model to api.openai.com (invariant 2). The Azure request, which
    sends the member too, then moved to the provider with `text-embedding-3-small`: it now stays with it, with a TODO
    saying why, as one file holds it (project/sharedmodels.py)."""
    (tmp_path / "kinds.py").write_text(
        'from enum import Enum\n\n\nclass EmbeddingModelType(Enum):\n    SMALL = "text-embedding-3-small"\n',
        encoding="utf-8",
    )
    for name, ctor in (
        (
            "azure_embedding",
            'AzureOpenAI(api_key=os.environ.get("AZURE_OPENAI_API_KEY"), api_version="2024-10-21", '
            'azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"])',
        ),
        ("openai_embedding", "OpenAI(api_key=api_key)"),
    ):
        (tmp_path / f"{name}.py").write_text(
            "import os\n\nfrom openai import AzureOpenAI, OpenAI\n\nfrom kinds import EmbeddingModelType\n\n\n"
            "class Embedding:\n"
            "    def __init__(self, model_type=EmbeddingModelType.SMALL, api_key=None):\n"
            "        self.model_type = model_type\n"
            f"        self.client = {ctor}\n\n"
            "    def embed(self, texts):\n"
            "        return self.client.embeddings.create(input=texts, model=self.model_type.value)\n",
            encoding="utf-8",
        )
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    azure = (tmp_path / "azure_embedding.py").read_text("utf-8")
    assert "dashscope" not in azure and "its model `text-embedding-3-small` stays" in azure, azure
    assert "dashscope" not in (tmp_path / "openai_embedding.py").read_text("utf-8")  # the other stays
    assert '"text-embedding-3-small"' in (tmp_path / "kinds.py").read_text("utf-8")


def test_a_module_client_keyed_by_its_callers_parameter_stays_when_no_route_judges_it(tmp_path: Path) -> None:
    """camel's apps/agents: `def construct_ui(blocks, api_key=None): openai.api_key = api_key` (the user's OpenAI
    key, `--api-key`); the file's only request through the module client has no model (`openai.models.list()`),
    so no route judges its key. Fix put the provider's base_url beside it: the OpenAI key went to the provider."""
    (tmp_path / "app.py").write_text(
        "import argparse\n\nimport openai\n\n\n"
        "def construct_ui(api_key=None):\n"
        "    if api_key is not None:\n"
        "        openai.api_key = api_key\n"
        "    return openai.models.list()\n\n\n"
        'if __name__ == "__main__":\n'
        "    parser = argparse.ArgumentParser()\n"
        '    parser.add_argument("--api-key", default=None)\n'
        "    construct_ui(parser.parse_args().api_key)\n",
        encoding="utf-8",
    )
    assert _starred(tmp_path) == []
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    text = (tmp_path / "app.py").read_text("utf-8")
    assert "dashscope" not in text and "openai.api_key = api_key" in text, text
    assert "TODO[offramp]" in text and "`api_key`" in text, text


AZURE_LITERAL = 'openai.api_base = "https://x.openai.azure.com/"'


def _azure_module_split(tmp_path: Path, literal: bool, mapped: bool) -> Path:
    tree = tmp_path / "azure_module_split"
    shutil.copytree(PROJECTS / "azure_module_split", tree)
    if literal:
        config = tree / "config.py"
        text = config.read_text("utf-8")
        config.write_text(text.replace('openai.api_base = os.environ["AZURE_OPENAI_ENDPOINT"]', AZURE_LITERAL), "utf-8")
    if mapped:
        (tree / "pyproject.toml").write_text('[tool.offramp.models]\n"my-prod-deployment" = "qwen-plus"\n', "utf-8")
    return tree


@pytest.mark.parametrize("literal", [False, True])
def test_an_azure_module_client_configured_in_another_file_stays_for_an_unmapped_deployment(
    tmp_path: Path, literal: bool
) -> None:
    """config.py sets `openai.api_type = "azure"`, its endpoint and key; app.py (which imports it) calls
    `openai.ChatCompletion.create(engine="my-prod-deployment")`, a deployment with no provider model. In one file
    the module-level client stays on Azure whole (checks/clients.py `module_left`); across files check offered
    config.py's settings ([*]) and fix moved them, so the request went to the provider with the provider's key
    and an Azure deployment name. Now the route gate holds the route whole: nothing is offered, config.py's
    settings stay (with a TODO naming the deployment and the request's file), and a second fix changes nothing."""
    tree = _azure_module_split(tmp_path, literal, mapped=False)
    before = _tree(tree)
    assert _starred(tree) == []
    err = run_cli(["fix", "--to", "qwen", "."], tree).stderr
    after = _tree(tree)
    config = after["config.py"]
    todo = [line for line in config.splitlines() if "TODO[offramp]" in line]
    assert len(todo) == 1 and "`my-prod-deployment`" in todo[0] and "app.py" in todo[0], config
    assert [line for line in config.splitlines() if "TODO[offramp]" not in line] == before["config.py"].splitlines()
    app = after["app.py"]
    assert 'engine="my-prod-deployment"' in app and "dashscope" not in app and "DASHSCOPE" not in app, app
    assert "TODO[offramp]" in app
    run_cli(["fix", "--to", "qwen", "."], tree)
    assert _tree(tree) == after, err


@pytest.mark.parametrize("literal", [False, True])
def test_an_azure_module_client_configured_in_another_file_moves_whole_with_its_deployment_mapped(
    tmp_path: Path, literal: bool
) -> None:
    """The same tree with `"my-prod-deployment" = "qwen-plus"` under [tool.offramp.models]: host, key and model
    move together, and check after fix finds nothing left."""
    tree = _azure_module_split(tmp_path, literal, mapped=True)
    assert "config.py:5:1:" in _starred(tree)
    run_cli(["fix", "--to", "qwen", "."], tree)
    config, app = (tree / "config.py").read_text("utf-8"), (tree / "app.py").read_text("utf-8")
    assert 'openai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"' in config, config
    assert 'openai.api_key = os.environ["DASHSCOPE_API_KEY"]' in config, config
    assert "AZURE" not in config and "azure" not in config and "api_version" not in config, config
    assert 'model="qwen-plus"' in app and "my-prod-deployment" not in app and "TODO" not in app, app
    again = run_cli(["check", "--to", "qwen", "--no-cache", "."], tree)
    assert again.returncode == 0 and "All checks passed!" in again.stdout, again.stdout


def _azure_factory_split(tmp_path: Path, mapped: bool) -> Path:
    tree = tmp_path / "azure_factory_split"
    shutil.copytree(PROJECTS / "azure_factory_split", tree)
    if mapped:
        (tree / "pyproject.toml").write_text('[tool.offramp.models]\n"my-prod-deployment" = "qwen-plus"\n', "utf-8")
    return tree


def test_an_azure_client_built_by_a_factory_in_another_file_stays_whole_for_an_unmapped_deployment(
    tmp_path: Path,
) -> None:
    """factory.py's `make_client()` returns `AzureOpenAI(...)`; app.py sends `model="my-prod-deployment"` through
    it (no provider model) and summary.py `model="gpt-4o-mini"` (which has one). fix moved the factory's client to
    the provider with the provider's key, rewrote summary.py's model and left a TODO on app.py's request alone: that
    request went to the provider with its key and an Azure deployment name. The client's routes are one: now it
    stays on Azure whole (project/gate.py `unmapped_deployment`), with one TODO at the client naming the deployment
    and its request; check offers nothing, check after fix still reports the route, and a second fix is a no-op."""
    tree = _azure_factory_split(tmp_path, mapped=False)
    before = _tree(tree)
    assert _starred(tree) == []
    run_cli(["fix", "--to", "qwen", "."], tree)
    after = _tree(tree)
    assert after["app.py"] == before["app.py"] and after["summary.py"] == before["summary.py"]
    factory = after["factory.py"]
    (todo,) = [line for line in factory.splitlines() if "TODO[offramp]" in line]
    assert "`my-prod-deployment`" in todo and "`client.chat.completions.create` in app.py" in todo, factory
    assert todo.endswith("(OFR102)"), todo
    assert [line for line in factory.splitlines() if "TODO[offramp]" not in line] == before["factory.py"].splitlines()
    again = run_cli(["check", "--to", "qwen", "--no-cache", "."], tree)
    assert again.returncode == 1 and "All checks passed!" not in again.stdout, again.stdout
    assert "factory.py:8:12: OFR102" in again.stdout and "app.py:7:50: OFR202" in again.stdout, again.stdout
    run_cli(["fix", "--to", "qwen", "."], tree)
    assert _tree(tree) == after


def test_an_azure_client_built_by_a_factory_in_another_file_moves_whole_with_its_deployment_mapped(
    tmp_path: Path,
) -> None:
    """The same tree with `"my-prod-deployment" = "qwen-plus"` under [tool.offramp.models]: the client, its key
    and both requests' models move together, and check after fix finds nothing left."""
    tree = _azure_factory_split(tmp_path, mapped=True)
    assert _starred(tree) == ["app.py:7:50:", "factory.py:7:12:", "factory.py:9:28:", "summary.py:6:15:"]
    run_cli(["fix", "--to", "qwen", "."], tree)
    after = _tree(tree)
    assert 'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"' in after["factory.py"], after["factory.py"]
    assert 'api_key=os.environ["DASHSCOPE_API_KEY"]' in after["factory.py"] and "AZURE" not in after["factory.py"]
    assert 'model="qwen-plus"' in after["app.py"] and 'model="qwen-flash"' in after["summary.py"]
    assert not [name for name, text in after.items() if "TODO" in text], after
    again = run_cli(["check", "--to", "qwen", "--no-cache", "."], tree)
    assert again.returncode == 0 and "All checks passed!" in again.stdout, again.stdout


@pytest.mark.parametrize("to", [None, "qwen"])
@pytest.mark.parametrize("literal", [False, True])
def test_a_module_call_configured_in_another_file_says_where_it_goes(tmp_path: Path, literal: bool, to: str) -> None:
    """app.py's `openai.ChatCompletion.create(engine=...)` goes through the module client config.py configures for
    Azure. Its OFR105 said what app.py alone shows, "calls api.openai.com (no base URL set in this file)": untrue of
    a request that goes to Azure, and that the route gate holds there. It now names where it goes and the file
    that configures it (checks/routes.py `_module_configured_elsewhere`), before fix and after (the route held)."""
    tree = _azure_module_split(tmp_path, literal, mapped=False)
    target = "Azure OpenAI (x.openai.azure.com)" if literal else "Azure OpenAI ($AZURE_OPENAI_ENDPOINT)"
    expected = (
        f"app.py:6:13: OFR105 legacy v0 call `openai.ChatCompletion.create` targets {target}, configured in config.py"
    )
    args = ["check", "--no-cache", "--output-format", "concise", *(["--to", to] if to else []), "."]
    out = run_cli(args, tree).stdout
    assert expected in out.splitlines() or f"{expected} [*]" in out.splitlines(), out
    assert "no base URL set in this file" not in out, out
    if to:
        run_cli(["fix", "--to", to, "."], tree)
        after = run_cli(args, tree).stdout  # (app.py's TODO moved the request down: one line, the OFR105 TODO
        # names the unmapped deployment; a request the routes leave where it is gets no OFR202 TODO of its own)
        assert expected.replace("app.py:6:13:", "app.py:7:13:") in after.splitlines(), after


def test_a_v1_module_call_configured_for_azure_in_another_file_says_where_it_goes(tmp_path: Path) -> None:
    """The v1 module client (`openai.chat.completions.create`, OFR104) configured for Azure in config.py."""
    (tmp_path / "config.py").write_text(
        'import os\n\nimport openai\n\nopenai.api_type = "azure"\nopenai.azure_endpoint = "https://contoso.openai.azure.com/"\n'
        'openai.api_key = os.environ["AZURE_OPENAI_API_KEY"]\nopenai.api_version = "2024-02-01"\n',
        "utf-8",
    )
    (tmp_path / "app.py").write_text(
        "import config  # noqa: F401\nimport openai\n\n"
        'reply = openai.chat.completions.create(model="my-prod-deployment", messages=[])\n',
        "utf-8",
    )
    out = run_cli(["check", "--no-cache", "--to", "qwen", "--output-format", "concise", "."], tmp_path).stdout
    expected = (
        "app.py:4:9: OFR104 `openai.chat.completions.create` uses the module-level client, which targets Azure OpenAI "
        "(contoso.openai.azure.com), configured in config.py"
    )
    assert expected in out.splitlines(), out


def _local_module_split(tmp_path: Path, how: str) -> Path:
    tree = tmp_path / "local_module_split"
    shutil.copytree(PROJECTS / "local_module_split", tree)
    config, app = tree / "config.py", tree / "app.py"
    if how == "v1":  # the v1 module client: `openai.base_url`, `openai.chat.completions.create`
        config.write_text(config.read_text("utf-8").replace("openai.api_base", "openai.base_url"), "utf-8")
        text = app.read_text("utf-8").replace("openai.ChatCompletion.create", "openai.chat.completions.create")
        app.write_text(text.replace("openai.Embedding.create", "openai.embeddings.create"), "utf-8")
    elif how == "private":  # a private host, not a loopback one
        config.write_text(config.read_text("utf-8").replace("localhost:8000", "10.0.0.7:8000"), "utf-8")
    elif how == "maybe":  # set only where LOCAL is: else the SDK's default, api.openai.com
        text = config.read_text("utf-8").replace("openai.api_base =", 'if os.getenv("LOCAL"):\n    openai.api_base =')
        config.write_text("import os\n\n" + text, "utf-8")
    elif how in ("env", "env-v1"):  # OpenAI's variable, the local server its default
        env = 'os.getenv("OPENAI_API_BASE", "http://localhost:8000/v1")'
        text = config.read_text("utf-8").replace('"http://localhost:8000/v1"', env)
        config.write_text("import os\n\n" + text, "utf-8")
        if how == "env-v1":
            config.write_text(config.read_text("utf-8").replace("openai.api_base", "openai.base_url"), "utf-8")
            text = app.read_text("utf-8").replace("openai.ChatCompletion.create", "openai.chat.completions.create")
            app.write_text(text.replace("openai.Embedding.create", "openai.embeddings.create"), "utf-8")
    return tree


@pytest.mark.parametrize("how", ["v0", "v1", "private"])
@pytest.mark.parametrize("to", ["", "deepseek"])
def test_a_module_call_configured_for_a_local_server_in_another_file_has_no_finding(
    tmp_path: Path, how: str, to: str
) -> None:
    """config.py points the module-level client at a local server (`openai.api_base = "http://localhost:8000/v1"`);
    app.py, which imports it, calls `openai.ChatCompletion.create(model="gpt-4o", n=2)` and `openai.Embedding
    .create(...)`. app.py alone said they call api.openai.com (OFR105 / OFR104 "no base URL set in this file"),
    named `gpt-4o` an OpenAI model, and with --to deepseek the embeddings API and `n` DeepSeek lacks: none of it true
    of requests to a self-hosted server, and in one file none is reported. The routes show every host of the
    request is that server (checks/routes.py `aimed_away`): check reports nothing."""
    tree = _local_module_split(tmp_path, how)
    out = run_cli(["check", "--no-cache", "--output-format", "concise", *(["--to", to] if to else []), "."], tree)
    assert out.returncode == 0 and "All checks passed!" in out.stdout, out.stdout


def test_a_module_call_whose_local_server_may_be_unset_in_another_file_still_calls_openai(tmp_path: Path) -> None:
    """config.py sets the local server only where LOCAL is set: elsewhere the SDK's default, api.openai.com. The
    finding stays, saying where it is configured."""
    tree = _local_module_split(tmp_path, "maybe")
    out = run_cli(["check", "--no-cache", "--to", "deepseek", "--output-format", "concise", "."], tree).stdout
    assert "app.py:6:13: OFR105 legacy v0 call `openai.ChatCompletion.create` calls api.openai.com" in out, out
    assert "OFR401" in out and "All checks passed!" not in out, out


@pytest.mark.parametrize("how", ["v0", "v1"])
def test_fix_leaves_a_module_call_configured_for_a_local_server_in_another_file(tmp_path: Path, how: str) -> None:
    """fix --to deepseek planned app.py alone: the module client "with no base URL" moved to DeepSeek, which the
    route gate then held, leaving "module-level client left as it is: a request in app.py does not move to DeepSeek"
    on a request that goes to the local server with its own key. The gate now tells app.py's planner where the
    module client goes (project/gate.py `modules_aimed_away`): nothing is written, nothing is kept back with a
    note, and check after it finds nothing."""
    tree = _local_module_split(tmp_path, how)
    before = _tree(tree)
    err = run_cli(["fix", "--to", "deepseek", "."], tree).stderr
    assert _tree(tree) == before, err
    assert "note:" not in err and "TODO" not in err, err
    again = run_cli(["check", "--to", "deepseek", "--no-cache", "."], tree)
    assert again.returncode == 0 and "All checks passed!" in again.stdout, again.stdout


@pytest.mark.parametrize("to", ["deepseek", "kimi"])
def test_an_embeddings_request_through_an_azure_client_held_in_another_file_gets_its_todo(
    tmp_path: Path, to: str
) -> None:
    """factory.py's `make_client()` returns `AzureOpenAI(...)`; app.py sends chat and embeddings through it, and the
    provider serves no embeddings. The client stays on Azure whole (its embeddings deployment has no provider model)
    and gets its TODO. In one file the embeddings request gets "does not serve the OpenAI `embeddings` API (OFR401)"
    too; across files it got none (fixes/routegate.py `request_todos` wrote TODOs only for requests of a client that
    moves), though check reports OFR401 there before fix and after. Now it gets it; check after fix still reports
    the OFR401 (never "All checks passed!"), and a second fix changes nothing."""
    tree = tmp_path / "azure_embeddings_split"
    shutil.copytree(PROJECTS / "azure_embeddings_split", tree)
    run_cli(["fix", "--to", to, "."], tree)
    after = _tree(tree)
    app = after["app.py"].splitlines()
    at = next(i for i, line in enumerate(app) if "client.embeddings.create" in line)
    assert "does not serve the OpenAI `embeddings` API (OFR401)" in app[at - 1] and "TODO[offramp]" in app[at - 1]
    assert sum("TODO[offramp]" in line for line in app) == 1, after["app.py"]
    assert "TODO[offramp]" in after["factory.py"] and "AzureOpenAI(" in after["factory.py"], after["factory.py"]
    out = run_cli(["check", "--to", to, "--no-cache", "--output-format", "concise", "."], tree)
    assert f"app.py:{at + 1}:12: OFR401" in out.stdout and "OFR003" not in out.stdout, out.stdout
    assert out.returncode == 1 and "All checks passed!" not in out.stdout, out.stdout
    run_cli(["fix", "--to", to, "."], tree)
    assert _tree(tree) == after


def _provider_module_split(tmp_path: Path, how: str, one: bool = False) -> Path:
    """tests/fixtures/projects/provider_module_split as `how` says (v0, v1, or "maybe": the host set only where
    QWEN is); `one`: the same code in one file (config.py's lines above app.py's functions), the reference."""
    tree = tmp_path / ("one" if one else "split")
    shutil.copytree(PROJECTS / "provider_module_split", tree)
    config, app = tree / "config.py", tree / "app.py"
    if how == "v1":
        config.write_text(config.read_text("utf-8").replace("openai.api_base", "openai.base_url"), "utf-8")
        app.write_text(app.read_text("utf-8").replace("openai.ChatCompletion.create", "openai.chat.completions.create"))
    elif how == "maybe":
        text = config.read_text("utf-8").replace("openai.api_base =", 'if os.getenv("QWEN"):\n    openai.api_base =')
        config.write_text(text, "utf-8")
    if one:
        body = app.read_text("utf-8").replace("import config  # noqa: F401\nimport openai\n", "")
        app.write_text(config.read_text("utf-8") + body, "utf-8")
        config.unlink()
    return tree


def _said(out: str) -> List[str]:
    """Findings without their lines (the one-file variant's requests sit lower) and without the summary."""
    lines = [line for line in out.splitlines() if line.startswith("app.py:")]
    return [re.sub(r"app\.py:\d+(:\d+)?", "app.py", line) for line in lines]


def _as_in_one_file(args: List[str], split: Path, one: Path) -> str:
    """`args` run on the split project, whose app.py findings must be those of the one-file variant."""
    out = run_cli(args, split).stdout
    assert _said(out) == _said(run_cli(args, one).stdout), out
    return out


def _fix_writes_nothing(split: Path, to: str) -> None:
    before = _tree(split)
    run_cli(["fix", "--to", to, "."], split)
    assert _tree(split) == before


@pytest.mark.parametrize("how", ["v0", "v1"])
@pytest.mark.parametrize("to", ["", "qwen", "deepseek"])
def test_a_module_call_configured_for_a_provider_in_another_file_says_what_one_file_says(
    tmp_path: Path, how: str, to: str
) -> None:
    """config.py points the module-level client at Qwen (`openai.api_base = "https://dashscope.aliyuncs.com/..."`,
    DASHSCOPE_API_KEY); app.py calls `openai.ChatCompletion.create(model="qwen-plus", n=2)` and `(model="gpt-4o")`.
    app.py alone said both call api.openai.com (OFR105 "no base URL set in this file"), named gpt-4o an OpenAI model
    fix maps (OFR201 [*]) and, with --to deepseek, `n` DeepSeek lacks: untrue of requests already at Qwen. One file
    says only that Qwen does not serve gpt-4o (OFR204) and, with --to qwen, what Qwen lacks (`n`, OFR402); with
    another provider chosen, nothing more (the requests do not move). The split project now says the same."""
    args = ["check", "--no-cache", "--output-format", "concise", *(["--to", to] if to else []), "."]
    split = run_cli(args, _provider_module_split(tmp_path, how)).stdout
    one = run_cli(args, _provider_module_split(tmp_path, how, one=True)).stdout
    assert _said(split) == _said(one), split
    assert "OFR105" not in split and "OFR104" not in split and "OFR201" not in split and "[*]" not in split, split
    assert any("OFR204 OpenAI model `gpt-4o` is not a model Qwen" in line for line in _said(split)), split
    assert ("OFR402" in split) == (to == "qwen"), split


def test_a_module_call_whose_provider_may_be_unset_in_another_file_still_calls_openai(tmp_path: Path) -> None:
    """config.py sets Qwen's host only where QWEN is set: elsewhere the SDK's default, api.openai.com. The finding
    stays, saying where it is configured, and so does the model's."""
    tree = _provider_module_split(tmp_path, "maybe")
    out = run_cli(["check", "--no-cache", "--to", "deepseek", "--output-format", "concise", "."], tree).stdout
    assert "app.py:6:13: OFR105 legacy v0 call `openai.ChatCompletion.create` calls api.openai.com" in out, out
    assert "app.py:11:48: OFR201" in out and "All checks passed!" not in out, out


@pytest.mark.parametrize("how", ["v0", "v1"])
@pytest.mark.parametrize("to", ["qwen", "deepseek"])
def test_fix_of_a_module_call_configured_for_a_provider_in_another_file_does_what_one_file_does(
    tmp_path: Path, how: str, to: str
) -> None:
    """fix planned app.py alone: it wrote a second module configuration into app.py (with --to deepseek, aimed at
    DeepSeek with DEEPSEEK_API_KEY: a Qwen request and its `qwen-plus` then went to DeepSeek, with "All checks
    passed!" never true again) and mapped gpt-4o. The route gate now tells app.py's planner the module client goes
    to Qwen (project/gate.py `modules_aimed_away`): as in one file, --to qwen maps gpt-4o (a model Qwen does not
    serve, on a request already at Qwen) and nothing else, --to deepseek writes nothing; config.py is untouched and
    a second fix is a no-op."""
    split, one = _provider_module_split(tmp_path, how), _provider_module_split(tmp_path, how, one=True)
    before = _tree(split)
    for tree in (split, one):
        run_cli(["fix", "--to", to, "."], tree)
    after = _tree(split)
    assert after["config.py"] == before["config.py"], after["config.py"]
    app, whole = after["app.py"], (one / "app.py").read_text("utf-8")
    body = app.replace("import config  # noqa: F401\nimport openai\n", "")
    assert whole == before["config.py"] + body, app
    assert "api_base" not in app and "base_url" not in app and "DEEPSEEK" not in app, app
    assert (app == before["app.py"]) == (to == "deepseek"), app
    args = ["check", "--no-cache", "--output-format", "concise", "--to", to, "."]
    again = run_cli(args, split).stdout
    assert _said(again) == _said(run_cli(args, one).stdout) and "All checks passed!" not in again, again
    run_cli(["fix", "--to", to, "."], split)
    assert _tree(split) == after


def _azure_module_models(tmp_path: Path, one: bool = False) -> Path:
    """tests/fixtures/projects/azure_module_models; `one`: the same code in one file (the reference)."""
    tree = tmp_path / ("one" if one else "split")
    shutil.copytree(PROJECTS / "azure_module_models", tree)
    if one:
        config, app = tree / "config.py", tree / "app.py"
        body = app.read_text("utf-8").replace("import config  # noqa: F401\nimport openai\n", "")
        app.write_text(config.read_text("utf-8") + body, "utf-8")
        config.unlink()
    return tree


def _models_said(out: str) -> List[str]:
    """The model findings of `_said`, without the request a route finding names."""
    return [re.sub(r" \(request at [^)]*\)", "", line) for line in _said(out) if " OFR20" in line]


@pytest.mark.parametrize("to", ["", "qwen", "deepseek"])
def test_a_deployment_of_a_module_client_held_on_azure_across_files_is_named_as_one_file_names_it(
    tmp_path: Path, to: str
) -> None:
    """config.py configures the module-level client for Azure; app.py sends `engine="my-prod-deployment"` (no
    provider model: the route stays on Azure whole) and `engine="gpt-4o"`. app.py alone named the latter "OpenAI
    model `gpt-4o` becomes `deepseek-v4-pro`" (OFR201): it is a deployment of a request the routes show going to
    Azure, which one file names "Azure deployment `gpt-4o` (`engine=`) ..." (OFR202). The route's OFR202 now takes
    the place of the file's OFR201 (joinroutes._retold), under the keyword the file writes."""
    args = ["check", "--no-cache", "--output-format", "concise", *(["--to", to] if to else []), "."]
    split = run_cli(args, _azure_module_models(tmp_path)).stdout
    one = run_cli(args, _azure_module_models(tmp_path, one=True)).stdout
    assert "OFR201" not in split and "Azure deployment `gpt-4o` (`engine=`)" in split, split
    if to:  # (without --to, app.py's OFR105 and config.py's settings keep the [*] a file alone gives them)
        assert _models_said(split) == _models_said(one), split


@pytest.mark.parametrize("to", ["qwen", "deepseek"])
def test_an_unmapped_deployment_of_a_client_held_on_azure_in_another_file_says_what_one_file_says(
    tmp_path: Path, to: str
) -> None:
    """factory.py's AzureOpenAI, app.py's `model="my-prod-deployment"` (no provider model). The route's OFR202 said
    "must be replaced by a provider model id" where one file says "has no <provider> model; map it under
    [tool.offramp.models]" (checks/routes.py `_models`, worded as checks/models.py words it)."""
    tree = tmp_path / "azure_factory_split"
    shutil.copytree(PROJECTS / "azure_factory_split", tree)
    out = run_cli(["check", "--no-cache", "--output-format", "concise", "--to", to, "."], tree).stdout
    name = builtin_providers()[to].name
    expected = (
        f"app.py:7:50: OFR202 Azure deployment `my-prod-deployment` (`model=`) has no {name} model; map it under "
        "[tool.offramp.models] (request at app.py:7)"
    )
    assert expected in out.splitlines(), out


@pytest.mark.parametrize("how", ["env", "env-v1"])
def test_a_module_call_configured_from_an_openai_variable_in_another_file_names_it(tmp_path: Path, how: str) -> None:
    """config.py `openai.api_base = os.getenv("OPENAI_API_BASE", "http://localhost:8000/v1")`: OpenAI's variable may
    hold OpenAI's URL, so app.py's OFR105 / OFR104 stays; it said "calls api.openai.com (no base URL set in this
    file)", which says nothing of the variable config.py sets it from. It now names it, its default and the file."""
    tree = _local_module_split(tmp_path, how)
    out = run_cli(["check", "--no-cache", "--to", "deepseek", "--output-format", "concise", "."], tree).stdout
    where = (
        "calls the URL in $OPENAI_API_BASE (default localhost), configured in config.py: the variable may hold OpenAI's"
    )
    if how == "env":
        expected = f"app.py:6:13: OFR105 legacy v0 call `openai.ChatCompletion.create` {where}"
    else:
        expected = f"app.py:6:13: OFR104 `openai.chat.completions.create` uses the module-level client, which {where}"
    assert expected in out.splitlines(), out
    assert "no base URL set in this file" not in out and "All checks passed!" not in out, out
    run_cli(["fix", "--to", "deepseek", "."], tree)
    again = run_cli(["check", "--no-cache", "--to", "deepseek", "--output-format", "concise", "."], tree).stdout
    assert where in again and "All checks passed!" not in again, again  # (fix holds the route, with a TODO)


@pytest.mark.parametrize("how", ["v0", "v1"])
@pytest.mark.parametrize("to", ["", "qwen", "deepseek"])
def test_a_module_call_configured_from_a_provider_variable_with_its_url_as_default_says_and_does_what_one_file_does(
    tmp_path: Path, how: str, to: str
) -> None:
    """config.py `openai.api_base = os.getenv("DASHSCOPE_BASE_URL", "https://dashscope.aliyuncs.com/...")`: one file
    takes the read as aimed at its default (Qwen) and reports no OFR105 / OFR104, only the route's gpt-4o (OFR201,
    not fixable: the variable may hold another URL) and, with --to qwen, what Qwen lacks (`n`); fix writes nothing.
    Across files app.py's call kept OFR105 `[*]` ("calls the URL in $DASHSCOPE_BASE_URL"), gpt-4o OFR201 `[*]`, and
    fix wrote a second module configuration into app.py (with --to deepseek: DeepSeek's URL and key, so the Qwen
    requests went to DeepSeek). A variable the SDK does not read as OpenAI's, read with a provider's URL as its
    default, is now aimed away as in one file (checks/routes.py `aimed_away`)."""
    split, one = _provider_module_split(tmp_path, how), _provider_module_split(tmp_path, how, one=True)
    url = '"https://dashscope.aliyuncs.com/compatible-mode/v1"'
    for config in (split / "config.py", one / "app.py"):
        config.write_text(config.read_text("utf-8").replace(url, f'os.getenv("DASHSCOPE_BASE_URL", {url})'), "utf-8")
    args = ["check", "--no-cache", "--output-format", "concise", *(["--to", to] if to else []), "."]
    out = _as_in_one_file(args, split, one)
    assert "OFR105" not in out and "OFR104" not in out and "[*]" not in out, out
    if not to:
        return
    _fix_writes_nothing(split, to)


@pytest.mark.parametrize("to", ["qwen", "deepseek"])
def test_a_module_client_configured_for_one_of_two_providers_keeps_what_the_chosen_one_lacks(
    tmp_path: Path, to: str
) -> None:
    """config.py: `if os.getenv("USE_DEEPSEEK"): openai.api_base = <DeepSeek's URL>` (and its key), else Qwen's. No
    request is OpenAI's or Azure's, so nothing moves (no OFR105, fix writes nothing); but one arm reaches the chosen
    provider, so what it lacks (`n`, OFR402) is said. Across files the request was aimed away from both (every host
    had to be the chosen provider's) and `n` went unsaid; one file said it for the arm written first only
    (DeepSeek's). Both now say it for either provider."""
    split, one = _provider_module_split(tmp_path, "v0"), _provider_module_split(tmp_path, "v0", one=True)
    qwen = (
        'openai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"\n'
        'openai.api_key = os.environ["DASHSCOPE_API_KEY"]\n'
    )
    both = (
        'if os.getenv("USE_DEEPSEEK"):\n    openai.api_base = "https://api.deepseek.com/v1"\n'
        '    openai.api_key = os.environ["DEEPSEEK_API_KEY"]\nelse:\n    '
        + qwen.replace("\n", "\n    ").rstrip()
        + "\n"
    )
    for config in (split / "config.py", one / "app.py"):
        text = config.read_text("utf-8")
        assert qwen in text
        config.write_text(text.replace(qwen, both), "utf-8")
    args = ["check", "--no-cache", "--output-format", "concise", "--to", to, "."]
    out = _as_in_one_file(args, split, one)
    assert any(" OFR402 " in line and "`n`" in line for line in out.splitlines()), out
    assert "OFR105" not in out and "[*]" not in out, out
    _fix_writes_nothing(split, to)


@pytest.mark.parametrize("project", ["azure_module_split", "azure_module_models"])
def test_without_a_provider_an_azure_module_client_configured_elsewhere_offers_what_one_file_offers(
    tmp_path: Path, project: str
) -> None:
    """config.py `openai.api_type = "azure"` (endpoint, key, version), app.py `openai.ChatCompletion.create(
    engine="my-prod-deployment")`, no --to. One file offers none of the module client (`my-prod-deployment` names no
    OpenAI model, so the whole route stays on Azure: checks/clients.py `module_left`): only the key variable has
    [*]. Split, each file alone offered the four OFR103, the OFR105 and azure_module_models' `gpt-4o` OFR202 [*],
    which fix --to P then left (only --to judged the route). checks/azure_routes.py
    `modules_held_without_provider` now holds them as one file does."""
    shutil.copytree(PROJECTS / project, tmp_path / "split")
    one = _azure_module_models(tmp_path, one=True)
    if project != "azure_module_models":
        shutil.rmtree(one)
        shutil.copytree(PROJECTS / project, one)
        body = (one / "app.py").read_text("utf-8").replace("import config  # noqa: F401\nimport openai\n", "")
        (one / "app.py").write_text((one / "config.py").read_text("utf-8") + body, "utf-8")
        (one / "config.py").unlink()
    args = ["check", "--no-cache", "--output-format", "concise", "."]
    split_out, one_out = run_cli(args, tmp_path / "split").stdout, run_cli(args, one).stdout

    def offered(out: str) -> List[str]:
        lines = [line for line in out.splitlines() if line.endswith(" [*]") and ": OFR" in line]
        return sorted(line.split(": ", 1)[1].split(" (request at")[0] for line in lines)

    assert offered(split_out) == offered(one_out) and len(offered(one_out)) == 1, split_out
    assert "OFR301 environment variable `AZURE_OPENAI_API_KEY`" in offered(split_out)[0], split_out


@pytest.mark.parametrize("deepseek_first", [True, False])
def test_a_model_sent_to_either_of_two_providers_is_judged_at_both(tmp_path: Path, deepseek_first: bool) -> None:
    """config.py picks DeepSeek's or Qwen's URL (and key) by a branch; app.py sends `qwen-plus`, which DeepSeek
    does not serve (its list is complete: OFR205). The routes judged a model at the first provider host of the
    route only, so `qwen-plus` was reported where DeepSeek's URL was written first and not where Qwen's was; now
    at each, the first that does not serve it said (checks/routes.py `_models`), split and in one file alike."""
    split, one = _provider_module_split(tmp_path, "v0"), _provider_module_split(tmp_path, "v0", one=True)
    qwen = (
        'openai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"\n'
        'openai.api_key = os.environ["DASHSCOPE_API_KEY"]\n'
    )
    deepseek = 'openai.api_base = "https://api.deepseek.com/v1"\nopenai.api_key = os.environ["DEEPSEEK_API_KEY"]\n'
    arms = (deepseek, qwen) if deepseek_first else (qwen, deepseek)
    both = "".join(
        head + "    " + arm.replace("\n", "\n    ").rstrip() + "\n"
        for head, arm in zip(('if os.getenv("OTHER"):\n', "else:\n"), arms)
    )
    for config in (split / "config.py", one / "app.py"):
        config.write_text(config.read_text("utf-8").replace(qwen, both), "utf-8")
    args = ["check", "--no-cache", "--output-format", "concise", "."]
    out = _as_in_one_file(args, split, one)
    assert any(" OFR205 " in line and "`qwen-plus` is not a model DeepSeek serves" in line for line in _said(out)), out
