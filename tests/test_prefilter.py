"""The prefilter's searches are grouped (a part shared by several tokens is searched once): it must answer
exactly as one search per token of the lowered bytes did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from offramp.prefilter import _load, _plan, may_match


def _naive(data: bytes, config: bool) -> bool:
    lowered = data.lower()
    return any(token in lowered for token in _load()[1 if config else 0])


def _pieces() -> list:
    out = [b"", b" ", b"\n", b"x", b"agents", b"crewai", b"from", b"import", b"FROM ", b"Import\t"]
    for tokens in _load():
        for token in tokens:
            out += [token, token.upper(), token[:-1], token[1:], token.replace(b" ", b"  ")]
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_pieces()), max_size=6), st.booleans())
def test_grouped_searches_answer_as_one_search_per_token(parts: list, config: bool) -> None:
    data = b"".join(parts)
    assert may_match(data, config) == _naive(data, config), data


def test_tokens_of_several_words_are_searched_under_their_last_word() -> None:
    plan = dict(_plan((b"openai", b"from agents", b"import agents", b"sk-", b"a b")))
    assert plan[b"agents"] == (b"from agents", b"import agents")
    assert plan[b"openai"] == (b"openai",) and plan[b"sk-"] == (b"sk-",)
    assert plan[b"a b"] == (b"a b",)  # (a last word under 4 bytes is no cheaper to search)


def test_a_check_parses_each_rules_file_once(tmp_path) -> None:
    """The prefilter and the catalog both read openai.toml, and each parsed it (rulesdir.parsed is shared); the
    catalog's files are parsed once per machine (tomlcache.py): a second run parses none of them."""
    import json
    import os
    import subprocess
    import sys

    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    code = (
        "import collections, json, os, sys, tomllib\n"
        "import offramp.tomlcache as tomlcache\n"
        "seen, parsed = collections.Counter(), collections.Counter()\n"
        "real, real_loads, real_parse = tomllib.load, tomllib.loads, tomlcache.parse\n"
        "def load(f, *a, **k):\n"
        "    seen[os.path.basename(f.name)] += 1\n"
        "    return real(f, *a, **k)\n"
        "def parse(path):\n"
        "    seen[os.path.basename(path)] += 1\n"
        "    return real_parse(path)\n"
        "def loads(text, *a, **k):\n"
        "    parsed['loads'] += 1\n"
        "    return real_loads(text, *a, **k)\n"
        "tomllib.load, tomllib.loads, tomlcache.parse = load, loads, parse\n"
        "from offramp.entry import main\n"
        "sys.argv = ['offramp', 'check', '--no-cache', '--exit-zero', '.']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps([sorted(seen.items()), parsed['loads']]), file=sys.stderr)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "machine")}
    runs = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env)
        runs.append(json.loads(proc.stderr.strip().splitlines()[-1]))
    (counts, loads), (again, loads_again) = runs
    assert {"openai.toml", "catalog.toml", "wrappers.toml"} <= {name for name, _ in counts}, counts
    assert all(n == 1 for _, n in counts), counts
    assert loads >= 2 and loads_again == 0, runs  # (tomllib.loads: tomlcache' own parser)
    assert again == counts


# Catalogue classes (and functions) whose import names none of the tokens: a file that builds one and says
# nothing else of OpenAI is not analysed. Known, and may only shrink.
_IMPORTS_UNSEEN = {
    "dspy.LM",
    "dspy.clients.LM",
    "dspy.clients.lm.LM",
    "dspy.Embedder",
    "dspy.clients.Embedder",
    "dspy.clients.embedding.Embedder",
    "dsp.GPT3",
    "dsp.modules.GPT3",
    "dsp.modules.gpt3.GPT3",
    "lagent.llms.GPTAPI",
    "lagent.GPTAPI",
    "lagent.llms.AsyncGPTAPI",
    # (functions whose model string names the provider: `create_agent("openai:gpt-4o")`; `init_chat_model` is a
    # token since chat-langchain sent its `openai:` model from another module)
    "langchain.agents.create_agent",
    "langchain.agents.factory.create_agent",
}


def test_the_import_of_each_catalogue_class_passes_the_prefilter() -> None:
    """Semantic Kernel's `from semantic_kernel.connectors.ai.open_ai import AzureChatCompletion` never says
    "openai": a kernel set up from a settings module was never analysed (no OFR102). `open_ai` is a token now."""
    from offramp.wrappers import load_wrappers

    unseen = set()
    for qualified in load_wrappers():  # (the classes and functions that build a client)
        module, _, name = qualified.rpartition(".")
        if module and not may_match(f"from {module} import {name}\n".encode()):
            unseen.add(qualified)
    assert unseen == _IMPORTS_UNSEEN
