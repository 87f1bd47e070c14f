"""Session 13's misses from real projects (open-interpreter, rags, crewAI-examples, ...) and new users, each as the
smallest program with the shape; every test fails on the code before its fix."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict

from helpers import concise_check, run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


_WTF = (
    "import litellm\n\n\n"
    "def wtf(profile, question):\n"
    "    try:\n"
    '        model = profile["llm"]["model"]\n'
    "    except KeyError:\n"
    '        model = "gpt-4o-mini"\n'
    '    if {probe} in model or "llama" in model:\n'
    '        system = "You are a local model."\n'
    "    else:\n"
    '        system = "You are GPT."\n'
    '    messages = [{{"role": "system", "content": system}}, {{"role": "user", "content": question}}]\n'
    "    return litellm.completion(model=model, messages=messages)\n"
)


def test_a_substring_probe_the_new_model_answers_alike_is_no_key_use(tmp_path: Path) -> None:
    """open-interpreter's scripts/wtf.py picks a system prompt with `if "ollama" in model or "llama" in model:`.
    That was taken for a key use of the model ("`model` is also compared"): fix left `gpt-4o-mini` with a TODO, moved
    the litellm call to the provider, and check then reported OpenAI's model sent to Qwen (OFR204). Neither
    `gpt-4o-mini` nor `qwen-flash` holds "ollama": the branch is the same, and the model moves with its request."""
    _write(tmp_path, {"wtf.py": _WTF.format(probe='"ollama"')})
    before = concise_check(tmp_path)
    assert any(line.startswith("wtf.py:8:") and line.endswith("[*]") for line in before), before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "wtf.py").read_text("utf-8")
    assert 'model = "openai/qwen-flash"' in after and "TODO" not in after, after
    assert concise_check(tmp_path) == ["All checks passed! (1 file checked)"]


def test_a_substring_probe_the_new_model_answers_otherwise_holds_the_model(tmp_path: Path) -> None:
    """The same test for a string the provider's model holds (`"qwen" in model`) takes the other branch once the
    model is Qwen's: the literal keeps its value with a TODO naming the test, and check says why."""
    _write(tmp_path, {"wtf.py": _WTF.format(probe='"qwen"')})
    (line,) = [x for x in concise_check(tmp_path) if x.startswith("wtf.py:8:")]
    assert "is also tested for `qwen` (line 9)" in line and not line.endswith("[*]"), line
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "wtf.py").read_text("utf-8")
    assert 'model = "gpt-4o-mini"' in after and "is also tested for `qwen` (line" in after, after


def test_llama_index_multi_modal_openai_is_reported_and_left_with_a_todo(tmp_path: Path) -> None:
    """run-llama/rags core/utils.py: `os.environ["OPENAI_API_KEY"] = st.secrets.openai_key` then
    `OpenAIMultiModal(model="gpt-4-vision-preview", max_new_tokens=1500)`, a request to api.openai.com that check did
    not see. The class accepts only OpenAI's model names (0.1.x's GPT4V_MODELS, 0.6.x llama_index's OpenAI) and its
    `complete(prompt, image_documents)` has no OpenAILike counterpart: reported (not fixable), left with a TODO, and
    the key it is given keeps its variable."""
    app = (
        "import os\n\nimport streamlit as st\nfrom llama_index.multi_modal_llms.openai import OpenAIMultiModal\n\n\n"
        "def build():\n"
        '    os.environ["OPENAI_API_KEY"] = st.secrets.openai_key\n'
        '    return OpenAIMultiModal(model="gpt-4-vision-preview", max_new_tokens=1500)\n'
    )
    _write(tmp_path, {"app.py": app})
    found = [line for line in concise_check(tmp_path) if line.startswith("app.py:")]
    assert any(" OFR101 `OpenAIMultiModal` " in line for line in found), found
    assert any(" OFR201 OpenAI model `gpt-4-vision-preview` " in line for line in found), found
    assert not any(line.endswith("[*]") for line in found), found
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "app.py").read_text("utf-8")
    assert after.count("TODO[offramp]: `OpenAIMultiModal` accepts only OpenAI's model names") == 1, after
    assert after.replace(after.splitlines()[8] + "\n", "") == app, after


def test_a_key_read_defaulting_to_a_placeholder_or_none_moves_as_check_says(tmp_path: Path) -> None:
    """khoj's src/khoj/utils/initialization.py: `api_key = os.getenv("OPENAI_API_KEY", "placeholder" if base_url else
    None)` on its own line, then `openai.OpenAI(api_key=api_key, ...)`. check offered the key and the client [*], fix
    left them with a TODO ("would carry a credential that is not Qwen's"), and check went on offering them after
    every fix. The read is renamed and never None (the default None would make the SDK send OPENAI_API_KEY to the
    provider: oracle shape conditional_key_default), and the client moves with it."""
    shutil.copytree(FIXTURES / "oracle" / "conditional_key_default", tmp_path, dirs_exist_ok=True)
    before = concise_check(tmp_path)
    assert sum(line.endswith("[*]") for line in before) == 3, before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "main.py").read_text("utf-8")
    assert 'api_key = os.getenv("DASHSCOPE_API_KEY", "")' in after and "TODO" not in after, after
    assert concise_check(tmp_path) == ["All checks passed! (1 file checked)"]


_CREW = "from crewai import Agent\n\n\ndef analyst(config):\n    return Agent(config=config, verbose=True)\n"


def test_an_agent_given_no_llm_gets_the_model_the_projects_env_names(tmp_path: Path) -> None:
    """crewAI-examples' crews/marketing_strategy: `.env.example` sets `OPENAI_MODEL_NAME=gpt-4o`, which crewAI reads
    (after MODEL and MODEL_NAME) for an Agent given no `llm=`; fix wrote `llm=LLM(model=<the provider's gpt-4o-mini>)`,
    crewAI's own default, where the project had chosen gpt-4o. The nearest `.env` (or its template) decides; with
    none, the library's default stands."""
    _write(tmp_path, {"crew/.env.example": "SERPER_API_KEY=\nOPENAI_API_KEY=\nOPENAI_MODEL_NAME=gpt-4o\n"})
    _write(tmp_path, {"crew/src/crew.py": _CREW, "plain/crew.py": _CREW})
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    chosen = (tmp_path / "crew/src/crew.py").read_text("utf-8")
    assert 'llm=LLM(model="qwen3.8-max", ' in chosen, chosen
    default = (tmp_path / "plain/crew.py").read_text("utf-8")
    assert 'llm=LLM(model="qwen-flash", ' in default, default


def test_a_model_variable_crewai_reads_first_wins_and_a_foreign_model_is_no_choice(tmp_path: Path) -> None:
    """crewAI reads MODEL before OPENAI_MODEL_NAME (crewai 1.15.30 `_llm_via_environment_or_fallback`); a model that
    is not OpenAI's (`MODEL=anthropic/...`) says nothing about which provider model to map, and the default stands."""
    _write(tmp_path, {"a/.env": "OPENAI_MODEL_NAME=gpt-4o\nMODEL=openai/gpt-5-codex\n", "a/crew.py": _CREW})
    _write(tmp_path, {"b/.env": "MODEL=anthropic/claude-sonnet-4\n", "b/crew.py": _CREW})
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    a = (tmp_path / "a/crew.py").read_text("utf-8")
    b = (tmp_path / "b/crew.py").read_text("utf-8")
    assert 'llm=LLM(model="qwen3-coder-plus", ' in a, a
    assert 'llm=LLM(model="qwen-flash", ' in b, b


def test_an_annotated_parameter_handed_an_unseen_value_still_sends_its_class_default(tmp_path: Path) -> None:
    """openai/swarm: `Swarm.get_chat_completion(self, agent: Agent, ...)` sends `model_override or agent.model`, and
    `class Agent(BaseModel)` in swarm/types.py has `model: str = "gpt-4o"`. The examples hand their agents to
    `run_demo_loop(starting_agent)` from `from agents import weather_agent` (a sibling module offramp does not
    resolve), so the only values the calls showed were ones offramp cannot see: the class default was not among the
    request's models, fix moved the client to Qwen and `gpt-4o` went with it, unreported. A parameter annotated with
    a class of the project is an instance of it too: the default is reported and moves with the request."""
    shutil.copytree(FIXTURES / "projects" / "agent_class_default", tmp_path, dirs_exist_ok=True)
    found = concise_check(tmp_path)
    assert any(line.startswith("swarm/types.py:7:") and " OFR201 " in line and line.endswith("[*]") for line in found)
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert 'model: str = "qwen3.8-max"' in (tmp_path / "swarm/types.py").read_text("utf-8")
    assert not any(line.startswith("swarm/types.py:") for line in concise_check(tmp_path))


def test_a_call_in_a_comprehension_is_a_call_site_of_the_request_function(tmp_path: Path) -> None:
    """A request function taking its client and model from its callers (rag-postgres-openai-python's
    `compute_text_embedding(q, openai_client, embed_model)`), called in a loop in one caller and in a list
    comprehension in another. The comprehension's call was no call site: the model parameter took only the loop's
    model, fix moved the comprehension's client to Qwen and `text-embedding-3-large` went with it, and check said
    "All checks passed!"."""
    emb = (
        "from openai import OpenAI\n\n\n"
        "def embed(q, client: OpenAI, model):\n"
        "    return client.embeddings.create(model=model, input=q)\n"
    )
    main = (
        "from openai import OpenAI\n\nfrom emb import embed\n\n\n"
        "def run(texts):\n"
        "    client = OpenAI()\n"
        '    return [embed(t, client, "text-embedding-3-large") for t in texts]\n\n\n'
        "def run2(texts):\n"
        "    client = OpenAI()\n"
        "    out = []\n"
        "    for t in texts:\n"
        '        out.append(embed(t, client, "text-embedding-3-small"))\n'
        "    return out\n"
    )
    _write(tmp_path, {"emb.py": emb, "main.py": main})
    found = concise_check(tmp_path)
    assert any(line.startswith("main.py:8:30: OFR201 OpenAI model `text-embedding-3-large`") for line in found), found
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert "text-embedding-3" not in (tmp_path / "main.py").read_text("utf-8")


def test_a_env_model_read_by_a_request_that_stays_is_not_offered(tmp_path: Path) -> None:
    """Azure-Samples/rag-postgres-openai-python: `.env.sample` sets the embeddings deployment and models, read by
    the embeddings request of a client built on Azure (a key or an Entra ID token) or on OpenAI.com with its own
    variable (OPENAICOM_KEY): the route gate holds that request, and fix leaves the file's model lines; check
    offered them [*] before and after every fix."""
    shutil.copytree(FIXTURES / "projects" / "env_model_held_reader", tmp_path, dirs_exist_ok=True)
    before = [line for line in concise_check(tmp_path) if line.startswith(".env.sample:")]
    assert any(" OFR202 " in line for line in before) and not any(line.endswith("[*]") for line in before), before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / ".env.sample").read_text("utf-8") == (
        FIXTURES / "projects" / "env_model_held_reader" / ".env.sample"
    ).read_text("utf-8")
    assert not any(line.endswith("[*]") for line in concise_check(tmp_path))


_REGISTRY = """from dataclasses import dataclass


@dataclass
class ModelConfig:
    id: str
    name: str


MODELS = {
    "claude-haiku-4.5": ModelConfig(id="anthropic:claude-haiku-4-5", name="Claude Haiku 4.5"),
    "gpt-5.4-nano": ModelConfig(id="openai:gpt-5.4-nano", name="GPT-5.4 Nano"),
}
DEFAULT_MODEL = MODELS["claude-haiku-4.5"]
GUARDRAILS_MODEL = MODELS["gpt-5.4-nano"]
FALLBACK_MODELS = [MODELS["gpt-5.4-nano"], MODELS["claude-haiku-4.5"]]
"""


def test_an_openai_model_of_a_registry_handed_to_init_chat_model_elsewhere_is_reported(tmp_path: Path) -> None:
    """chat-langchain's src/agent/config.py keeps `ModelConfig(id="openai:gpt-5.4-nano", ...)` in a `MODELS` dict, and
    src/middleware/guardrails_middleware.py sends `GUARDRAILS_MODEL.id` with `init_chat_model(model=model)`. The route
    was found, but its model was judged with LangChain's `openai:` prefix on (no OpenAI model): check said nothing of
    a request to api.openai.com."""
    guard = (
        "from langchain.chat_models import init_chat_model\n\n\n"
        "class Guardrails:\n"
        "    def __init__(self, model=None):\n"
        "        if model is None:\n"
        "            from config import GUARDRAILS_MODEL\n\n"
        "            model = GUARDRAILS_MODEL.id\n"
        "        self.llm = init_chat_model(model=model, temperature=0)\n"
    )
    _write(tmp_path, {"config.py": _REGISTRY, "guardrails.py": guard})
    found = concise_check(tmp_path)
    assert any(line.startswith("config.py:12:") and "OFR201 OpenAI model `gpt-5.4-nano`" in line for line in found)


def test_a_call_site_sending_several_providers_models_is_a_route_for_the_openai_ones(tmp_path: Path) -> None:
    """chat-langchain's config.py: `_init_retrying_model(model)` calls `init_chat_model(model=model)`, handed
    `DEFAULT_MODEL.id` (Anthropic) by one call and `fallback.id for fallback in FALLBACK_MODELS` (OpenAI and Anthropic)
    by a comprehension. One provider's model among them made the whole call site no route, and the comprehension's
    loop variable was no element of what it loops over: the OpenAI fallback went unreported."""
    app = _REGISTRY + (
        "\n\nfrom langchain.chat_models import init_chat_model\n\n\n"
        "def _init_retrying_model(model: str):\n"
        "    return init_chat_model(model=model)\n\n\n"
        "def init_retry_fallback_model(model: str):\n"
        "    primary = _init_retrying_model(model)\n"
        "    return primary, [_init_retrying_model(fallback.id) for fallback in FALLBACK_MODELS]\n\n\n"
        "summarization_model = init_retry_fallback_model(DEFAULT_MODEL.id)\n"
    )
    _write(tmp_path, {"config.py": app})
    found = concise_check(tmp_path)
    assert [line.split(" (")[0] for line in found if " OFR201 " in line] == [
        "config.py:12:36: OFR201 OpenAI model `gpt-5.4-nano` becomes `qwen-flash` on Qwen"
    ], found


def test_a_model_no_azure_deployment_can_be_named_is_no_deployment_on_a_mixed_route(tmp_path: Path) -> None:
    """khoj's `get_openai_client(api_key, api_base_url)` builds AzureOpenAI for an `*.openai.azure.com` URL and
    OpenAI(base_url=api_base_url) otherwise; its embeddings model defaults to `thenlper/gte-small`, served by the
    configured server. check called it "Azure deployment `thenlper/gte-small` must be replaced by a provider model
    id": no Azure deployment can be named with a `/`."""
    helpers = (
        "from urllib.parse import urlparse\n\nimport openai\n\n\n"
        "def get_openai_client(api_key, api_base_url):\n"
        "    if urlparse(api_base_url).hostname.endswith('.openai.azure.com'):\n"
        "        return openai.AzureOpenAI(api_key=api_key, azure_endpoint=api_base_url, api_version='2024-10-21')\n"
        "    return openai.OpenAI(api_key=api_key, base_url=api_base_url)\n"
    )
    embeddings = (
        "from helpers import get_openai_client\n\n\n"
        "class EmbeddingsModel:\n"
        '    def __init__(self, model_name="thenlper/gte-small", endpoint=None, api_key=None):\n'
        "        self.model_name, self.endpoint, self.api_key = model_name, endpoint, api_key\n\n"
        "    def embed(self, docs):\n"
        "        client = get_openai_client(self.api_key, self.endpoint)\n"
        "        return client.embeddings.create(input=docs, model=self.model_name)\n"
    )
    _write(tmp_path, {"helpers.py": helpers, "embeddings.py": embeddings})
    assert not any(" OFR202 " in line for line in concise_check(tmp_path))


def test_calls_in_tests_yields_augmented_assignments_and_lambdas_are_call_sites(tmp_path: Path) -> None:
    """The same request function called where the index kept no value (an `if` or `while` test, `yield`, `+=`, a
    lambda's body): each call's model was left out of the request's models, so fix moved the client and check said
    nothing of the OpenAI models those calls still send."""
    emb = (
        "from openai import OpenAI\n\n\n"
        "def embed(q, client: OpenAI, model):\n"
        "    return client.embeddings.create(model=model, input=q)\n"
    )
    main = (
        "from openai import OpenAI\n\nfrom emb import embed\n\nclient = OpenAI()\n\n\n"
        "def a(texts):\n"
        '    if embed(texts, client, "text-embedding-ada-002"):\n'
        "        return 1\n\n\n"
        "def b(texts):\n"
        '    yield embed(texts, client, "text-embedding-3-large")\n\n\n'
        "def c(texts):\n"
        "    total = 0\n"
        '    total += len(embed(texts, client, "text-embedding-3-small"))\n'
        "    return total\n\n\n"
        "def e(texts):\n"
        '    f = lambda t: embed(t, client, "text-embedding-ada-002")\n'
        "    return f(texts)\n\n\n"
        "def h(texts):\n"
        '    while embed(texts, client, "text-embedding-3-large"):\n'
        "        pass\n"
    )
    _write(tmp_path, {"emb.py": emb, "main.py": main})
    lines = {
        line.split(":")[1] for line in concise_check(tmp_path) if line.startswith("main.py:") and " OFR201 " in line
    }
    assert lines == {"9", "14", "19", "24", "29"}, lines
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert "text-embedding-3" not in (tmp_path / "main.py").read_text("utf-8")
    assert "text-embedding-ada" not in (tmp_path / "main.py").read_text("utf-8")


def test_an_isinstance_test_on_a_class_is_no_use_of_it_as_a_value(tmp_path: Path) -> None:
    """The openai-agents wheel (bench corpus):
    `if isinstance(get_model(agent, run_config), OpenAIChatCompletionsModel):`
    in another module. Recorded as a call site, the class read as a value handed on, so no call of it was followed:
    the client its provider hands in fell off the request's route and the default `AsyncOpenAI()` beside it was
    offered [*] alone. A builtin's call is no call site (the calls inside it are)."""
    shutil.copytree(FIXTURES / "projects" / "isinstance_class_use", tmp_path, dirs_exist_ok=True)
    assert not any(line.endswith("[*]") for line in concise_check(tmp_path))
