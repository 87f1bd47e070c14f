"""Values handed to a route's function as arguments, followed to every call across modules (project/calls.py).

Yesterday a key, base URL or model that reached a client as a parameter (`Translator(key)` whose
`__init__` builds `OpenAI(api_key=key)`) was a `Parameter` source: the route's credential was unknown
and `fix` held the client back. Each case below failed then. The runtime side (the migrated program
sends the DashScope key to DashScope, the relay keeps OpenAI's) is in
tests/runtime/test_credential_oracle.py (shape/handed_key).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Set

from helpers import FIXTURES

from offramp.project.files import routes_of_files
from offramp.project.sources import EnvRead, Literal, Parameter, Route, Unknown

HANDED = FIXTURES / "oracle" / "handed_key"


def routes(root: Path) -> List[Route]:
    files = {str(p.relative_to(root)).replace("\\", "/"): p for p in sorted(root.rglob("*.py"))}
    return routes_of_files(files, root)


def tree(tmp_path: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def at(found: List[Route], where: str) -> Route:
    (route,) = [r for r in found if r.where == where]
    return route


def reads(sources) -> Set[str]:
    return {f"{s.name}@{s.file}:{s.span.line}" for s in sources if isinstance(s, EnvRead) and s.span}


def unknown(sources) -> List[str]:
    return [s.reason for s in sources if isinstance(s, Unknown)]


def test_key_handed_through_a_class_and_its_base_reaches_the_client() -> None:
    found = routes(HANDED)
    translator = at(found, "translator.py:14")
    # `OpenAI(api_key=next(self.keys))`, `self.keys = itertools.cycle(key.split(","))` in Base.__init__,
    # `super().__init__(key, language)`, `Translator(key, ...)` in main.py
    assert translator.credential == {s for s in translator.credential if isinstance(s, EnvRead)}
    assert reads(translator.credential) == {"OPENAI_API_KEY@main.py:11"}
    # the model argument of the one call, and the parameter's default
    assert {(s.file, s.value) for s in translator.model if isinstance(s, Literal)} == {
        ("settings.py", "gpt-4o"),
        ("translator.py", "gpt-4o-mini"),
    }
    assert not any(isinstance(s, Parameter) for s in (*translator.host, *translator.credential, *translator.model))


def test_a_read_also_handed_to_a_call_offramp_cannot_follow_is_not_the_routes_alone() -> None:
    """The decoy: `shared` goes to `Relay(shared)` (raw HTTP to the team's relay) and to `make_client`.
    Renamed for the client, the provider's key would go to the relay too."""
    summarize = at(routes(HANDED), "main.py:25")
    assert reads(summarize.credential) == {"OPENAI_API_KEY@main.py:22"}
    assert [r for r in unknown(summarize.credential) if "`Relay()` at main.py:23" in r]
    assert not unknown(summarize.host) and not unknown(summarize.model)  # (the key alone is at stake)
    assert {s.value for s in summarize.host if isinstance(s, Literal)} == {"https://api.openai.com/v1"}


MAKER = "from openai import OpenAI\n\ndef make(base_url, api_key, model='gpt-4o'):\n" + (
    "    c = OpenAI(base_url=base_url, api_key=api_key)\n"
    "    return c.chat.completions.create(model=model, messages=[])\n"
)


def test_keyword_positional_and_default_arguments_of_every_call(tmp_path: Path) -> None:
    # no code calls it (a library's entry point): the key stays the caller's parameter, as before
    alone = at(routes(tree(tmp_path / "alone", {"llm.py": MAKER})), "llm.py:5")
    assert {s.name for s in alone.credential if isinstance(s, Parameter)} == {"api_key"}
    root = tree(
        tmp_path / "called",
        {
            "llm.py": MAKER,
            "settings.py": "BASE = 'https://api.openai.com/v1'\n",
            "a.py": "import os\nimport settings\nfrom llm import make\n"
            "make(settings.BASE, os.getenv('OPENAI_API_KEY'))\n",
            "b.py": "import os\nimport llm\nllm.make(api_key=os.environ['AZURE_KEY'], base_url='http://localhost:8000/v1',"
            " model='gpt-4o-mini')\n",
        },
    )
    r = at(routes(root), "llm.py:5")
    assert reads(r.credential) == {"OPENAI_API_KEY@a.py:4", "AZURE_KEY@b.py:3"}
    assert {s.value for s in r.host if isinstance(s, Literal)} == {
        "https://api.openai.com/v1",
        "http://localhost:8000/v1",
    }
    assert {s.value for s in r.model if isinstance(s, Literal)} == {"gpt-4o", "gpt-4o-mini"}


def test_what_cannot_be_followed_stays_unknown_with_its_reason(tmp_path: Path) -> None:
    cases = {
        "partial": "import functools, os\nfrom llm import make\n"
        "go = functools.partial(make, 'https://x.example/v1', os.environ['K'])\n",
        "kwargs": "import os\nfrom llm import make\n\ndef run(**kw):\n    make(**kw)\n",
        "args": "import os\nfrom llm import make\n\ndef run(*a):\n    make(*a)\n",
        "table": "from llm import make\nMAKERS = {'openai': make}\n",
    }
    for name, text in cases.items():
        root = tree(tmp_path / name, {"llm.py": MAKER, "main.py": text})
        r = at(routes(root), "llm.py:5")
        why = " ".join(unknown(r.credential))
        expected = {"partial": "functools.partial", "kwargs": "**kwargs", "args": "*args", "table": "dict"}[name]
        assert expected in why, (name, r.credential)
        assert not reads(r.credential), name


PICK = """import os
from llm import make


def pick(kind, key=None):
    {loop}if kind == "minimax":
        {pad}key = os.getenv("MINIMAX_API_KEY")
    {pad}elif kind == "openai":
        {pad}make("https://api.openai.com/v1", key)
    {pad}else:
        {pad}key = os.getenv("OTHER_KEY")
    {pad}make("https://api.openai.com/v1", key)
"""


def test_a_binding_in_another_arm_does_not_reach_the_call(tmp_path: Path) -> None:
    """ChuanhuChatGPT's `get_model`: `access_key = os.environ.get("MINIMAX_API_KEY")` in the MiniMax arm is
    not what the agent built in the next arm gets (check called it MiniMax's key sent to OpenAI, OFR303).
    After the `if`, or when a loop can run the arms in turn, both reach."""
    root = tree(tmp_path / "arms", {"llm.py": MAKER, "main.py": PICK.format(loop="", pad="")})
    found = routes(root)
    assert {s.name for s in at(found, "llm.py:5").credential if isinstance(s, Parameter)} == {"key"}
    assert reads(at(found, "llm.py:5").credential) == {"MINIMAX_API_KEY@main.py:7", "OTHER_KEY@main.py:11"}
    # the call in the "openai" arm alone: the parameter's own value, no key of another arm
    root = tree(tmp_path / "one", {"llm.py": MAKER, "main.py": PICK.format(loop="", pad="").rsplit("\n    make", 1)[0]})
    assert not reads(at(routes(root), "llm.py:5").credential)
    looped = PICK.format(loop="for _ in range(2):\n        ", pad="    ").rsplit("\n        make", 1)[0]
    root = tree(tmp_path / "loop", {"llm.py": MAKER, "main.py": looped})
    assert reads(at(routes(root), "llm.py:5").credential) == {"MINIMAX_API_KEY@main.py:8", "OTHER_KEY@main.py:12"}


def test_a_method_called_where_its_class_is_not_imported(tmp_path: Path) -> None:
    """An instance travels: `get().ask(...)` in a module that imports only the factory still calls `Bot.ask`."""
    root = tree(
        tmp_path,
        {
            "bot.py": "from openai import OpenAI\n\nclass Bot:\n    def __init__(self):\n        self.c = OpenAI()\n\n"
            "    def ask(self, model):\n        return self.c.chat.completions.create(model=model, messages=[])\n",
            "factory.py": "from bot import Bot\n\ndef get():\n    return Bot()\n",
            "main.py": "from factory import get\n\nget().ask('gpt-4o-mini')\n",
        },
    )
    r = at(routes(root), "bot.py:8")
    assert {(s.file, s.value) for s in r.model if isinstance(s, Literal)} == {("main.py", "gpt-4o-mini")}
