"""check predicts the planner's `shared_key`: a constructor's `api_key=KEY`, where KEY's read stays for another
request, is replaced whole by the provider's read, so the client moves (fixes/keyvars.py).

AgentVerse's default client reads OPENAI_API_KEY, which a chat class's own client (left on OpenAI) reads too.
fix moved the default client with `api_key=os.environ["DASHSCOPE_API_KEY"]` (the oracle shape
branch_default_client: no foreign secret), while check said "Not fixed alone" of it: its prediction only knew
keys replaced by renaming their read (project/replacedkeys.py `kept_read_replaced`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES

from offramp import api, codes


def _offered_and_changed(root: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(root)
    found = api.check(["."], no_cache=True, overrides={"target": "qwen"}).findings
    offered = sorted((f.path, f.span.line, f.code) for f in found if f.fixable)
    api.fix(["."], overrides={"target": "qwen"}, echo=lambda m="", **kw: None)
    return offered, (root / "llm.py").read_text("utf-8")


def test_a_client_whose_kept_key_read_fix_replaces_is_offered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "oracle" / "branch_default_client", root)
    offered, llm = _offered_and_changed(root, monkeypatch)
    assert offered == [
        ("llm.py", 17, codes.OPENAI_CLIENT),
        ("llm.py", 21, codes.AZURE_OPENAI_CLIENT),
        ("main.py", 3, codes.OPENAI_MODEL),  # (the route may be OpenAI's or Azure's: an OpenAI id is named so)
    ], offered
    assert 'DEFAULT_CLIENT = OpenAI(api_key=os.environ["DASHSCOPE_API_KEY"], base_url="https://dashscope' in llm
    assert 'OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY")' in llm  # (the chat class's client still reads it)


def test_a_key_reached_through_a_second_name_is_not_replaced_and_not_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner replaces an argument that names the kept read's own binding; `key = OPENAI_API_KEY` first,
    and it does not: the client is held, and check says so."""
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "oracle" / "branch_default_client", root)
    text = (root / "llm.py").read_text("utf-8")
    held = text.replace(
        "        DEFAULT_CLIENT = OpenAI(api_key=OPENAI_API_KEY,",
        "        key = OPENAI_API_KEY\n        DEFAULT_CLIENT = OpenAI(api_key=key,",
    )
    assert held != text
    (root / "llm.py").write_text(held, "utf-8")
    offered, llm = _offered_and_changed(root, monkeypatch)
    assert ("llm.py", 18, codes.OPENAI_CLIENT) not in offered, offered
    assert "DEFAULT_CLIENT = OpenAI(api_key=key, base_url=OPENAI_BASE_URL" in llm


@pytest.mark.parametrize(
    ("code", "line"),
    [
        # a key written into the file: the planner replaces the whole argument (keyvars.py `written_key`)
        ("from openai import OpenAI\n\nnone = OpenAI(api_key=None)\n", 3),
        (
            'from openai import OpenAI\n\n\ndef make(key="sk-proj-4fT9qLm2Xw8ZpR6vB1nK3sD7"):\n'
            "    return OpenAI(api_key=key)\n",
            5,
        ),
        # a None default of the read it renames strictly (replacedkeys.py `renamed_reads_replace`)
        ('import os\n\nfrom openai import OpenAI\n\nc = OpenAI(api_key=os.environ.get("OPENAI_API_KEY", None))\n', 5),
    ],
)
def test_check_offers_the_clients_whose_key_fix_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, line: int
) -> None:
    """fix moved these clients with the provider's key; check said "Not fixed alone" (its prediction knew only
    keys replaced by moving their reads)."""
    (tmp_path / "app.py").write_text(code, "utf-8")
    monkeypatch.chdir(tmp_path)
    found = api.check(["."], no_cache=True, overrides={"target": "qwen"}).findings
    client = [f for f in found if f.code == codes.OPENAI_CLIENT and f.span.line == line]
    assert client and client[0].fixable, found
    done = api.fix(["."], diff=True, overrides={"target": "qwen"}, echo=lambda m="", **kw: None)
    (result,) = done.fixed
    assert 'api_key=os.environ["DASHSCOPE_API_KEY"]' in (result.delivered or ("", ""))[1]


_TWO_CLIENTS = (
    "from openai import AsyncOpenAI\n\n\n"
    "class Provider:\n"
    "    def __init__(self, api_key=None):\n"
    "        self._stored_api_key = api_key\n"
    "        self._client = None\n\n"
    "    def client(self):\n"
    "        if self._client is None:\n"
    "            if self._stored_api_key is not None:\n"
    "                self._client = AsyncOpenAI(api_key=self._stored_api_key)\n"
    "            else:\n"
    "                self._client = AsyncOpenAI()\n"
    "        return self._client\n\n"
    "    async def ask(self, text):\n"
    '        return await self.client().chat.completions.create(model="gpt-4o", messages=[])\n'
)


def test_a_client_built_two_ways_is_not_offered_when_one_keeps_the_callers_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openai-agents' provider: `AsyncOpenAI(api_key=self._stored_api_key)` or `AsyncOpenAI()`. The SDK's own read
    of the second is replaced, not the caller's key of the first, so fix holds both (a TODO each); check offered
    both, and still did after fix (3 leftover [*] on the PyPI corpus)."""
    (tmp_path / "provider.py").write_text(_TWO_CLIENTS, "utf-8")
    (tmp_path / "main.py").write_text(
        'import json\n\nfrom provider import Provider\n\nProvider(api_key=json.load(open("s.json"))["key"])\n', "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    found = api.check(["."], no_cache=True, overrides={"target": "qwen"}).findings
    clients = [f for f in found if f.code == codes.OPENAI_CLIENT]
    assert len(clients) == 2 and not [f for f in clients if f.fixable], clients
    api.fix(["."], overrides={"target": "qwen"}, echo=lambda m="", **kw: None)
    assert (tmp_path / "provider.py").read_text("utf-8").count("TODO[offramp]") == 2


def test_a_client_no_request_is_followed_through_is_offered_when_fix_replaces_its_kept_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """oracle/local_proxy: `KEY = os.environ["OPENAI_API_KEY"]` feeds the cloud client and a local gateway's;
    the requests go through a loop offramp does not follow, so each client is a route of its own
    (routes.unreached). fix replaces the cloud client's `api_key=KEY` by the provider's read (the read stays
    for the gateway) and moves it; check said not fixable, as it knew that only of clients a request reaches."""
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "oracle" / "local_proxy", root)
    monkeypatch.chdir(root)
    found = api.check(["."], no_cache=True, overrides={"target": "qwen"}).findings
    offered = sorted((f.path, f.span.line, f.code) for f in found if f.fixable)
    assert offered == [("clients.py", 8, codes.OPENAI_CLIENT)], offered
    api.fix(["."], overrides={"target": "qwen"}, echo=lambda m="", **kw: None)
    clients = (root / "clients.py").read_text("utf-8")
    assert 'api_key=os.environ["DASHSCOPE_API_KEY"]' in clients and "local = OpenAI(api_key=KEY," in clients


@pytest.mark.parametrize(
    "write", ['os.environ.setdefault("OPENAI_API_KEY", SECRET)', 'os.environ["OPENAI_API_KEY"] = SECRET']
)
def test_a_key_variable_set_to_a_key_written_here_is_neither_renamed_nor_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    """fix keeps the name of a variable set to a key written into the file (renamed, that key would go to the
    provider) and leaves a TODO; check offered `setdefault(NAME, "sk-...")` as [*] all the same, since its
    own test read only `os.environ[NAME] = ...`. KeptKeys.written_secret is now the one test of both."""
    key = '"sk-proj-' + "Zq7Lm2Xw8ZpR6vB1nK3sD7fT9qWc4Yh5" + '"'
    source = f"import os\nfrom openai import OpenAI\n\n{write.replace('SECRET', key)}\nclient = OpenAI()\n"
    (tmp_path / "app.py").write_text(source, "utf-8")
    monkeypatch.chdir(tmp_path)
    found = api.check(["."], no_cache=True, overrides={"target": "qwen"}).findings
    assert [(f.span.line, f.fixable) for f in found if f.code == codes.OPENAI_ENV_VAR] == [(4, False)]
    api.fix(["."], overrides={"target": "qwen"}, echo=lambda m="", **kw: None)
    fixed = (tmp_path / "app.py").read_text("utf-8")
    assert "OPENAI_API_KEY" in fixed.splitlines()[4] and "(OFR301)" in fixed.splitlines()[3], fixed
