"""One decision per fact, asked by `check` and `fix` alike (issue 14: "one module decides each rule").

Whether `fix --to P` moves a client, rewrites a URL, renames a key variable or maps a model literal is
decided in checks/ (clients.py `client_left` / `url_left`, keptkeys.py `key_left`, models.py `model_move`,
capabilities.py `call_gaps`); check's `[*]` is that answer, and the planner (fixes/) only turns it into
edits or a TODO. Here each shape runs through both, one file at a time (no project routes to catch what the
file's own plan gets wrong): a finding check offers has its lines changed by fix, one it does not offer has
them left as they were (a TODO above them is not a change).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import List, Set, Tuple

import pytest

from offramp.engine import check_source, make_options, resolve_provider
from offramp.fixes.onefile import fix_source
from offramp.settings import Settings
from offramp.source import SourceFile

SETTINGS = Settings(root=Path("."))
CODES = ("OFR101", "OFR102", "OFR106", "OFR201", "OFR202", "OFR301")


def _source(text: str) -> SourceFile:
    return SourceFile(path=Path("prog.py"), data=text.encode(), text=text, encoding="utf-8", bom=False)


def _changed_lines(old: str, new: str) -> Set[int]:
    """The lines of `old` (1-based) that `new` replaces or deletes; lines inserted between them change none."""
    out: Set[int] = set()
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            out.update(range(i1 + 1, i2 + 1))
    return out


def _offered_and_done(text: str, provider_id: str, codes: Tuple[str, ...] = CODES) -> List[Tuple[str, int, bool, bool]]:
    """(code, line, check offers it, fix changed its lines) for each finding of `codes` in `text`."""
    provider = resolve_provider(provider_id, SETTINGS)
    assert provider is not None
    opts = make_options(SETTINGS, provider)
    findings = check_source(_source(text), "prog.py", opts).findings
    new, _ = fix_source(_source(text), "prog.py", provider, opts)
    changed = _changed_lines(text, new if new is not None else text)
    return [
        (f.code, f.span.line, f.fixable, bool(changed & set(range(f.span.line, max(f.span.end_line, f.span.line) + 1))))
        for f in findings
        if f.code in codes
    ]


SHAPES = {
    # a client moved, with its key variable and its model
    "moved": (
        "import os\nfrom openai import OpenAI\n\n"
        'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
    ),
    # a client built from **kwargs: a TODO, and the key variable it may read keeps its name
    "kwargs": (
        "import os\nfrom openai import OpenAI\n\n\n"
        'def make(**kw):\n    return OpenAI(base_url="https://api.openai.com/v1", **kw)\n\n\n'
        'KEY = os.environ["OPENAI_API_KEY"]\n'
    ),
    # a wrapper whose library refuses the provider's model names (lagent): the client and its model stay
    "refused": (
        "from lagent.llms import GPTAPI\n\n"
        'legacy = GPTAPI("gpt-4o-mini", openai_api_base="https://api.openai.com/v1/chat/completions")\n'
    ),
    # a wrapper for an API the provider does not serve (DeepSeek has no embeddings), beside one it serves
    "unserved": (
        "from langchain_openai import ChatOpenAI, OpenAIEmbeddings\n\n"
        'emb = OpenAIEmbeddings(model="text-embedding-3-small")\n'
        'llm = ChatOpenAI(model="gpt-4o")\n'
    ),
    # URLs: a /v1 URL moves; a dashboard page and an f-string carrying OpenAI's credentials stay
    "urls": (
        "import requests\nfrom openai import OpenAI\n\n"
        'KEY = "x"\n'
        'API = "https://api.openai.com/v1"\n'
        'PAGE = "https://api.openai.com/account/billing"\n'
        'SIGNED = f"https://api.openai.com/v1/chat/completions?api-key={KEY}"\n'
    ),
    # a model id that is also a dict key: a TODO, both changed together by a person
    "key use": (
        "from openai import OpenAI\n\n"
        'MODEL = "gpt-4o"\nPRICES = {"gpt-4o": 1.0}\nclient = OpenAI()\n\n\n'
        "def ask():\n    cost = PRICES[MODEL]\n"
        "    return client.chat.completions.create(model=MODEL, messages=[]), cost\n"
    ),
    # a key written into the file as the variable's value keeps its name (renamed, it would go to the provider)
    "written key": (
        "import os\nfrom openai import OpenAI\n\n"
        'os.environ["OPENAI_API_KEY"] = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD"\n'
        "client = OpenAI()\n"
    ),
}


@pytest.mark.parametrize("provider_id", ["deepseek", "qwen"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_check_offers_exactly_what_fix_does(shape: str, provider_id: str) -> None:
    results = _offered_and_done(SHAPES[shape], provider_id)
    assert results, shape
    disagree = [r for r in results if r[2] != r[3]]
    assert not disagree, f"(code, line, offered, done): {disagree}"


def test_a_refused_wrappers_model_stays_with_it_in_the_files_own_plan() -> None:
    """lagent's GPTAPI refuses the provider's model names, so fix leaves it with a TODO; the file's own plan still
    mapped its model (`GPTAPI("deepseek-flash", openai_api_base=<OpenAI's URL>)`: a model renamed while its host
    stays OpenAI) and only the project's route gate, re-planning, kept it. Now checks/models.py `model_move`
    says KEPT for the plan too."""
    results = _offered_and_done(SHAPES["refused"], "deepseek")
    assert ("OFR201", 3, False, False) in results, results


# The module-level client: its configuration (OFR103), its calls (OFR104, OFR105) and its deployments (OFR202)
# move together or stay together; checks/clients.py `module_left` decides for both.
MODULE_CODES = ("OFR103", "OFR104", "OFR105", "OFR106", "OFR202")
AZURE_V0 = (
    "import os\n\nimport openai\n\n"
    'openai.api_type = "azure"\n'
    'openai.api_base = os.environ["AZURE_OPENAI_ENDPOINT"]\n'
    'openai.api_key = os.environ["AZURE_OPENAI_API_KEY"]\n'
    'openai.api_version = "2023-05-15"\n\n\n'
    'def ask(q):\n    return openai.ChatCompletion.create(engine="{}", messages=[{{"role": "user", "content": q}}])\n'
)
MODULE_SHAPES = {
    # a deployment with no provider model keeps the whole Azure route where it is
    "unmapped deployment": AZURE_V0.format("my-prod-deployment"),
    # one that maps moves with host and key
    "mapped deployment": AZURE_V0.format("gpt-4o"),
    # the same on openai>=1
    "unmapped deployment v1": (
        "import os\n\nimport openai\n\n"
        'openai.api_type = "azure"\n'
        'openai.azure_endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]\n'
        'openai.api_key = os.environ["AZURE_OPENAI_API_KEY"]\n'
        'openai.api_version = "2024-06-01"\n\n'
        'openai.chat.completions.create(model="my-prod-deployment", messages=[])\n'
    ),
    # a key the caller passes, which no route judges (no request of a model family here): the client stays
    "caller's key": (
        "import openai\n\n\n"
        "def configure(api_key):\n"
        "    openai.api_key = api_key\n"
        '    openai.api_base = "https://api.openai.com/v1"\n\n\n'
        "def models():\n    return openai.Model.list()\n"
    ),
    "caller's key, Azure": (
        "import openai\n\n\n"
        "def configure(api_key, endpoint):\n"
        '    openai.api_type = "azure"\n'
        "    openai.azure_endpoint = endpoint\n"
        "    openai.api_key = api_key\n\n\n"
        "def models():\n    return openai.models.list()\n"
    ),
    # the module-level client set in the file alone: it moves
    "configured here": 'import openai\n\nopenai.api_base = "https://api.openai.com/v1"\nopenai.api_key = "sk-x"\n',
}


@pytest.mark.parametrize("provider_id", ["deepseek", "qwen"])
@pytest.mark.parametrize("shape", sorted(MODULE_SHAPES))
def test_the_module_client_moves_as_check_offers(shape: str, provider_id: str) -> None:
    results = _offered_and_done(MODULE_SHAPES[shape], provider_id, MODULE_CODES)
    assert any(code == "OFR103" for code, *_ in results), results
    disagree = [r for r in results if r[2] != r[3]]
    assert not disagree, f"(code, line, offered, done): {disagree}"


def test_a_module_client_left_for_its_callers_key_keeps_its_base_url() -> None:
    """`openai.api_key = api_key` in `configure(api_key)`: check held the module-level client (OFR103 not fixable)
    and fix left it with a TODO, yet rewrote its base URL literal to the provider's (only the moving route claimed
    it): the caller's key, an OpenAI key by its documentation, then went to the provider. The held route now claims
    its URL too (checks/clients.py `module_urls`)."""
    text = MODULE_SHAPES["caller's key"]
    assert ("OFR103", 6, False, False) in _offered_and_done(text, "qwen", MODULE_CODES)


# An Azure client is one route as the module-level client is: a request through it naming a deployment with no
# provider model keeps the client, its key and every model its requests send on Azure, with one TODO at the
# client (checks/clients.py `client_left` DEPLOYMENTS). Yesterday `fix --to qwen` moved the client to DashScope
# with DASHSCOPE_API_KEY and left `model="my-prod-deployment"` with a TODO: every request failed there.
AZURE_CLIENT = (
    "import os\nfrom openai import AzureOpenAI\n\n"
    'client = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"], '
    'azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"], api_version="2024-02-01")\n\n\n'
    "def ask(q):\n"
    '    return client.chat.completions.create(model="{}", messages=[{{"role": "user", "content": q}}])\n\n\n'
    "def small(q):\n"
    '    return client.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": q}}])\n'
)


@pytest.mark.parametrize("provider_id", ["deepseek", "qwen"])
def test_an_azure_client_with_an_unmapped_deployment_stays_whole(provider_id: str) -> None:
    text = AZURE_CLIENT.format("my-prod-deployment")
    results = _offered_and_done(text, provider_id)
    offered = [r for r in results if r[2]]
    assert not offered, f"check offers a part of a client fix leaves: {offered}"
    assert {code for code, *_ in results} >= {"OFR102", "OFR202", "OFR301"}, results
    provider = resolve_provider(provider_id, SETTINGS)
    assert provider is not None
    opts = make_options(SETTINGS, provider)
    new, _ = fix_source(_source(text), "prog.py", provider, opts)
    assert new is not None
    assert not _changed_lines(text, new), new  # client, key and both models as they were
    assert new.count("TODO[offramp]") == 1, new
    todo = " ".join(new[new.index("TODO[offramp]") : new.index("client = AzureOpenAI(")].replace("#", " ").split())
    assert "`AzureOpenAI` stays on Azure OpenAI" in todo and "`my-prod-deployment`" in todo, todo
    assert "`client.chat.completions.create`" in todo, todo  # where the request is
    again, _ = fix_source(_source(new), "prog.py", provider, opts)
    assert again is None or again == new  # a second run changes nothing


def test_an_azure_client_whose_deployments_all_map_moves_whole() -> None:
    """`model="gpt-4o-mini"` on Azure names a model the map knows: with the other deployment mapped under
    [tool.offramp.models], the client moves with its key and both models."""
    text = AZURE_CLIENT.format("my-prod-deployment")
    settings = Settings(root=Path("."), models={"my-prod-deployment": "qwen-plus"})
    provider = resolve_provider("qwen", settings)
    assert provider is not None
    opts = make_options(settings, provider)
    findings = check_source(_source(text), "prog.py", opts).findings
    assert all(f.fixable for f in findings if f.code in ("OFR102", "OFR202")), findings
    new, _ = fix_source(_source(text), "prog.py", provider, opts)
    assert new is not None and "AzureOpenAI" not in new and "TODO[offramp]" not in new, new
    assert 'api_key=os.environ["DASHSCOPE_API_KEY"]' in new and 'model="qwen-plus"' in new, new


def test_a_deployment_mapped_in_pyproject_moves_the_azure_client_whole(tmp_path: Path) -> None:
    """The same through the CLI, with the map in pyproject.toml's [tool.offramp.models]."""
    from helpers import run_cli

    (tmp_path / "pyproject.toml").write_text('[tool.offramp.models]\n"my-prod-deployment" = "qwen-plus"\n')
    (tmp_path / "app.py").write_text(AZURE_CLIENT.format("my-prod-deployment"))
    check = run_cli(["check", "--to", "qwen", "app.py"], tmp_path)
    assert "OFR102 `AzureOpenAI` targets Azure OpenAI, closed to individual developers in mainland China [*]" in (
        check.stdout
    ), check.stdout
    proc = run_cli(["fix", "--to", "qwen", "app.py"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    app = (tmp_path / "app.py").read_text()
    assert "AzureOpenAI" not in app and "TODO[offramp]" not in app, app
    assert 'api_key=os.environ["DASHSCOPE_API_KEY"]' in app and 'model="qwen-plus"' in app, app
