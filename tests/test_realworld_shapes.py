"""Shapes found by running `fix` then `check` on real projects offramp had never seen (route gate, fixes).

Each test is the smallest program with the shape, and fails on the code before its fix (the credential
shapes also have an oracle project under tests/fixtures/oracle/, run with the real SDK).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from helpers import run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"

_STRUCTURED = """import os

from openai import OpenAI


class Config:
    def __init__(self, model=None, api_key=None):
        self.model = model
        self.api_key = api_key


class Structured:
    def __init__(self, config=None):
        self.config = config or Config()
        if not self.config.model:
            self.config.model = "gpt-4o-mini"
        api_key = self.config.api_key or os.getenv("OPENAI_API_KEY")
        self.client = OpenAI(api_key=api_key)

    def ask(self, messages):
        params = {"messages": messages}
        params["model"] = self.config.model
        return self.client.chat.completions.create(**params)
"""


def _checked(tree: Path) -> List[str]:
    """The lines of `check --to qwen` in the concise format."""
    return run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tree).stdout.splitlines()


def _offered(tree: Path) -> List[str]:
    return [line for line in _checked(tree) if line.endswith("[*]")]


def _write(tree: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        (tree / name).write_text(text, encoding="utf-8")


def _env_model_moves(tree: Path, files: Dict[str, str], at: str, variable: str) -> None:
    """The request at `at` (file:line) is reported (OFR203) before fix; fix moves its client and writes the
    TODO naming `variable`; check still reports it after, and a second fix changes nothing."""
    _write(tree, files)
    assert any(line.startswith(f"{at}:") and " OFR203 " in line for line in _checked(tree))
    run_cli(["fix", "--to", "qwen", "."], tree)
    after = (tree / at.split(":")[0]).read_text("utf-8")
    assert "dashscope" in after and f"environment variable `{variable}`" in after, after
    assert any(" OFR203 " in line for line in _checked(tree))
    assert run_cli(["fix", "--to", "qwen", "--diff", "."], tree).returncode == 0


def test_a_model_written_into_a_config_attribute_stays_with_the_request_that_stays(tmp_path: Path) -> None:
    """mem0's OpenAIStructuredLLM: `self.config.model = "gpt-5-mini"` when none is configured, sent as
    `params["model"] = self.config.model` by a client whose key is the configuration's or OPENAI_API_KEY.
    The client stays on OpenAI (its key is not the provider's); the default was on no route (the flow does
    not follow a write into an attribute of an attribute) and became a Qwen model sent to api.openai.com.
    The request's model has sources offramp cannot see, so a model on no route in its file stays too."""
    (tmp_path / "llms.py").write_text(_STRUCTURED, encoding="utf-8")
    assert _offered(tmp_path) == []
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "llms.py").read_text("utf-8")
    assert 'self.config.model = "gpt-4o-mini"' in after and "qwen-flash" not in after, after


def test_a_request_through_a_client_handed_to_a_helper_module_is_a_route(tmp_path: Path) -> None:
    """swarm's customer_service_streaming: `client = OpenAI()` handed to `get_completion(client, messages,
    model="gpt-4-0125-preview")` in utils.py, a module that names no SDK (so the route stage never indexed it),
    and called inside `print(...)` (a statement call the index did not record). fix moved the client to the
    provider and left the helper's OpenAI model, and check after fix said "All checks passed!"."""
    (tmp_path / "utils.py").write_text(
        'def get_completion(client, messages, model="gpt-4-0125-preview"):\n'
        "    return client.chat.completions.create(model=model, messages=messages)\n",
        encoding="utf-8",
    )
    (tmp_path / "main.py").write_text(
        "from openai import OpenAI\n\nfrom utils import get_completion\n\n"
        "client = OpenAI()\n"
        'print(get_completion(client, [{"role": "user", "content": "hi"}]))\n',
        encoding="utf-8",
    )
    before = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path).stdout
    assert any(line.startswith("utils.py:1:") and " OFR201 " in line for line in before.splitlines()), before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert 'model="qwen3.8-max"' in (tmp_path / "utils.py").read_text("utf-8")
    assert "dashscope" in (tmp_path / "main.py").read_text("utf-8")
    after = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert "All checks passed!" in after.stdout, after.stdout


def test_an_azure_wrapper_s_run_time_model_is_left_for_a_person_when_converted(tmp_path: Path) -> None:
    """ChuanhuChatGPT's index_func: `AzureOpenAIEmbeddings(deployment=os.environ[...], model=os.environ[
    "AZURE_EMBEDDING_MODEL_NAME"], ...)` became `OpenAIEmbeddings(model=os.environ["AZURE_EMBEDDING_MODEL_NAME"])`
    at the provider: the deployment went, and the model it kept is the Azure one. A model from the environment
    beside a deployment was not "dynamic" (the deployment decides while the client stays on Azure), so fix left
    no TODO and check after fix said "All checks passed!"."""
    (tmp_path / "emb.py").write_text(
        "import os\n\nfrom langchain_openai import AzureOpenAIEmbeddings\n\n"
        "emb = AzureOpenAIEmbeddings(\n"
        '    deployment=os.environ["AZURE_EMBEDDING_DEPLOYMENT_NAME"],\n'
        '    openai_api_key=os.environ["AZURE_OPENAI_API_KEY"],\n'
        '    model=os.environ["AZURE_EMBEDDING_MODEL_NAME"],\n'
        '    azure_endpoint=os.environ["AZURE_OPENAI_API_BASE_URL"],\n'
        ")\n",
        encoding="utf-8",
    )
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "emb.py").read_text("utf-8")
    assert "OpenAIEmbeddings(" in after and "AzureOpenAIEmbeddings" not in after, after
    assert "model comes from environment variable `AZURE_EMBEDDING_MODEL_NAME`" in after, after
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path).stdout
    assert "All checks passed!" not in check and " OFR003 " in check, check


def test_a_second_fix_judges_a_request_by_the_model_the_first_one_wrote(tmp_path: Path) -> None:
    """mem0's AzureOpenAIStructuredLLM for GLM: `self.config.model = "gpt-5-mini"` reaches the request through
    `params`, which may carry `reasoning_effort`. The first fix wrote `glm-5.3-flash`, which takes
    reasoning_effort, so no TODO; the second saw no OpenAI model reach the call (a provider model was not
    tracked), judged it by no model, and added an OFR405 TODO: a second fix was not a no-op."""
    (tmp_path / "llm.py").write_text(
        "from openai import OpenAI\n\n\n"
        "class LLM:\n"
        "    def __init__(self, config):\n"
        "        self.config = config\n"
        "        if not self.config.model:\n"
        '            self.config.model = "gpt-5-mini"\n'
        "        self.client = OpenAI()\n\n"
        "    def ask(self, messages, effort=None):\n"
        '        params = {"model": self.config.model, "messages": messages}\n'
        "        if effort:\n"
        '            params["reasoning_effort"] = effort\n'
        "        return self.client.chat.completions.create(**params)\n",
        encoding="utf-8",
    )
    run_cli(["fix", "--to", "glm", "."], tmp_path)
    first = (tmp_path / "llm.py").read_text("utf-8")
    assert '"glm-5.3-flash"' in first and "open.bigmodel.cn" in first, first
    run_cli(["fix", "--to", "glm", "."], tmp_path)
    assert (tmp_path / "llm.py").read_text("utf-8") == first


def test_a_base_url_that_may_be_none_beside_a_configured_local_server_keeps_its_client(tmp_path: Path) -> None:
    """devika's LM Studio client: `self.api_endpoint` is config.toml's `http://localhost:1234/v1`, or None in
    the `except:` that builds no client. The None made the client's target the SDK's default host, and fix
    kept the argument as an override (`self.api_endpoint or "<provider URL>"`) with the provider's key: the
    Qwen key went to the local server. The client stays with a TODO; check no longer offers it."""
    shutil.copytree(FIXTURES / "oracle" / "configured_local_server", tmp_path, dirs_exist_ok=True)
    assert _offered(tmp_path) == []
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "lm_studio.py").read_text("utf-8")
    assert 'OpenAI(base_url=self.api_endpoint, api_key="not-needed"' in after and "DASHSCOPE" not in after, after
    assert "TODO[offramp]" in after


_PAIR_FACTORY = """import os

from anthropic import Anthropic
from openai import OpenAI


def get_client():
    if os.environ.get("API_TYPE") == "anthropic":
        client = Anthropic()
        model = "claude-3-opus-20240229"
    else:
        client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
        model = DEFAULT_MODEL
    return model, client


DEFAULT_MODEL = "gpt-4o"


def ask(text):
    model, client = get_client()
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}])


def ask_mini(text):
    _, client = get_client()
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
"""


def test_a_client_and_model_returned_together_move_together(tmp_path: Path) -> None:
    """sweep's `model, client = get_client()` and rag-postgres-openai-python's `openai_client, model =
    get_openai_client()`: the names of a tuple assignment from a call were bound to nothing, so the request had
    no route. fix moved the client's host and key and left the models its requests send (`gpt-4o` returned with
    the client, `gpt-4o-mini` at the request) with no TODO, and check after fix reported neither. The branch
    that returns an Anthropic client and a Claude model is no Azure deployment."""
    _write(tmp_path, {"llm.py": _PAIR_FACTORY})
    assert not any("claude" in line for line in _checked(tmp_path))
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "llm.py").read_text("utf-8")
    assert "dashscope" in after and "gpt-4o" not in after, after
    assert any("All checks passed!" in line for line in _checked(tmp_path))


def test_an_api_the_provider_lacks_through_a_client_of_another_module_is_reported_and_marked(tmp_path: Path) -> None:
    """openai/evals: `client = OpenAI(...)` in evals/registry.py, `from evals.registry import client` and
    `client.beta.assistants.create(model=...)` in the Assistants solver. fix moved the client to the provider;
    the solver's file cannot see the client, so neither check nor fix said the provider serves no Assistants
    API, before or after fix."""
    _write(
        tmp_path,
        {
            "registry.py": "import os\n\nfrom openai import OpenAI\n\n"
            'client = OpenAI(api_key=os.environ.get("OPENAI_API_KEY"))\n',
            "solver.py": "from registry import client\n\n\ndef make(name):\n"
            '    return client.beta.assistants.create(model="gpt-4o", name=name)\n',
            # (the client also serves chat, which the provider answers: so it moves and the Assistants request
            # gets its TODO; a client whose every request is unserved stays whole: tests/test_unserved_clients.py)
            "completion.py": "from registry import client\n\n\ndef ask(q):\n"
            '    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])\n',
        },
    )
    assert any(line.startswith("solver.py:5:") and " OFR401 " in line for line in _checked(tmp_path))
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert "dashscope" in (tmp_path / "registry.py").read_text("utf-8")
    assert "(OFR401)" in (tmp_path / "solver.py").read_text("utf-8")
    assert any(line.startswith("solver.py:") and " OFR401 " in line for line in _checked(tmp_path))
    assert run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path).returncode == 0


def test_a_request_whose_model_stays_for_another_request_stays_whole(tmp_path: Path) -> None:
    """sweep's ChatGPT: `self.model = 'gpt-4o'` is sent by a request through `OpenAI()` and, handed on, by
    the proxy's request, whose key offramp cannot follow (it stays). The route gate kept the model for the
    proxy and moved the first client to the provider anyway: `gpt-4o` went to Qwen with no TODO. That
    request now stays whole with a TODO saying why, and check no longer offers its client."""
    _write(
        tmp_path,
        {
            "chat.py": "from openai import OpenAI\n\nfrom proxy import Proxy\n\n\nclass Chat:\n"
            '    def __init__(self):\n        self.model = "gpt-4o"\n\n'
            "    def stream(self, messages):\n        client = OpenAI()\n"
            "        return client.chat.completions.create(model=self.model, messages=messages)\n\n"
            "    def call(self, messages):\n        return Proxy().call(self.model, messages)\n",
            "proxy.py": "from openai import OpenAI\n\nfrom vault import fetch_key\n\n\nclass Proxy:\n"
            "    def call(self, model, messages):\n"
            '        client = OpenAI(api_key=fetch_key("openai"))\n'
            "        return client.chat.completions.create(model=model, messages=messages)\n",
        },
    )
    assert _offered(tmp_path) == []
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "chat.py").read_text("utf-8")
    assert "        client = OpenAI()\n" in after and "its model `gpt-4o` stays" in after, after


_LITERAL_ORDER = """
import libcst as cst
from offramp.analysis import analyze
from offramp.catalog import load_sdk

code = '''from openai import OpenAI

client = OpenAI()


def ask(n, prompt, **kwargs):
    if kwargs.get("model") is not None:
        model = kwargs.get("model")
        return client.chat.completions.create(model=model, messages=prompt)
    if n > 3500:
        model = "gpt-3.5-turbo-16k"
    else:
        model = "gpt-3.5-turbo"
    return client.chat.completions.create(model=model, messages=prompt)
'''
a = analyze(cst.parse_module(code), code, load_sdk(), ())
print([m.value for m in a.models])
"""


def test_the_model_literals_of_a_file_come_in_the_order_written(tmp_path: Path) -> None:
    """vanna's `model = "gpt-3.5-turbo-16k"` / `model = "gpt-3.5-turbo"`: the values of a name come from a set,
    so the literals (and the notes fix prints about them) changed order with PYTHONHASHSEED."""
    script = tmp_path / "order.py"
    script.write_text(_LITERAL_ORDER, encoding="utf-8")
    seen = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
        seen.add(out.stdout.strip())
    assert seen == {"['gpt-3.5-turbo-16k', 'gpt-3.5-turbo']"}, seen


def test_a_model_read_from_the_environment_by_a_factory_is_reported_at_the_request(tmp_path: Path) -> None:
    """rag-postgres-openai-python's evals: `get_openai_client()` returns the client and
    `os.environ["AZURE_OPENAI_CHAT_DEPLOYMENT"]`. Once the request had a route, fix moved the client and the
    deployment name still went to the provider with no TODO (the per-file OFR203 needs the call's own file to
    see the client). The request now gets the TODO, and check reports it before and after fix."""
    llm = (
        "import os\n\nfrom openai import OpenAI\n\n\ndef get_openai_client():\n"
        '    client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
        '    return client, os.environ["CHAT_DEPLOYMENT"]\n\n\n'
        "def ask(text):\n    client, model = get_openai_client()\n"
        "    return client.responses.create(model=model, input=text)\n"
    )
    _env_model_moves(tmp_path, {"llm.py": llm}, "llm.py:13", "CHAT_DEPLOYMENT")


def test_a_client_and_model_kept_on_a_module_level_object_have_a_route(tmp_path: Path) -> None:
    """Azure-Samples/openai-chat-app-quickstart: a Quart blueprint's start-up hook sets `bp.openai_client =
    AsyncOpenAI(...)` (Azure's v1 endpoint, an Entra token) and `bp.openai_model = os.getenv(
    "AZURE_OPENAI_CHAT_DEPLOYMENT")`; a handler sends `bp.openai_client.responses.stream(model=bp.openai_model)`.
    What a function writes into an attribute of another library's object was not followed: fix moved the
    client and the deployment name went to the provider with no TODO, and check reported nothing there."""
    chat = (
        "import os\n\nfrom openai import AsyncOpenAI\nfrom quart import Blueprint\n\n"
        'bp = Blueprint("chat", __name__)\n\n\n@bp.before_app_serving\nasync def configure(token_provider):\n'
        '    endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]\n'
        "    bp.openai_client = AsyncOpenAI(\n"
        "        base_url=f\"{endpoint.rstrip('/')}/openai/v1/\", api_key=token_provider\n    )\n"
        '    bp.openai_model = os.getenv("AZURE_OPENAI_CHAT_DEPLOYMENT")\n\n\n'
        "async def handle(text):\n"
        "    return await bp.openai_client.responses.create(model=bp.openai_model, input=text)\n"
    )
    _env_model_moves(tmp_path, {"chat.py": chat}, "chat.py:19", "AZURE_OPENAI_CHAT_DEPLOYMENT")


def test_the_same_openai_url_twice_in_one_literal_moves_in_one_run(tmp_path: Path) -> None:
    """sweep's tests/notebooks/rope.ipynb keeps source code in a string (`mod1.write(r\"\"\"...\"\"\")`) in which
    `openai.api_base = "https://api.openai.com/v1"` appears twice: each run of fix moved one mention, so a
    second run was not a no-op. Such prose is on no route (16be7fb): it now stays whole, with one TODO, and a
    second run changes nothing (fixes/literals.py still moves every mention of a URL a route does use)."""
    code = (
        'SOURCE = r"""\n'
        'openai.api_base = "https://api.openai.com/v1"\n'
        'openai.api_base = "https://api.openai.com/v1"\n'
        '"""\n'
    )
    _write(tmp_path, {"gen.py": code})
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "gen.py").read_text("utf-8")
    assert after.count("api.openai.com") == 2 and after.count("TODO[offramp]") == 1, after
    assert run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path).returncode == 0


def test_a_plain_client_aimed_at_azure_with_a_token_is_offered_as_fix_moves_it(tmp_path: Path) -> None:
    """Azure's samples build the v1 API's client as `AsyncOpenAI(base_url=f"{endpoint}/openai/v1/",
    api_key=token_provider)`. fix converts it and gives it the provider's key (the planner replaces an Azure
    client's credential), but check's prediction kept the token as the route's key and did not offer it."""
    code = (
        "import os\n\nfrom openai import AsyncOpenAI\n\n\nasync def main(token_provider):\n"
        '    endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]\n'
        "    client = AsyncOpenAI(base_url=f\"{endpoint.rstrip('/')}/openai/v1/\", api_key=token_provider)\n"
        '    return await client.responses.create(model="gpt-4o", input="hi")\n'
    )
    _write(tmp_path, {"app.py": code})
    assert any(line.startswith("app.py:8:") and " OFR102 " in line for line in _offered(tmp_path))
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "app.py").read_text("utf-8")
    assert "dashscope" in after and "api_key=token_provider" not in after, after


_UNION = """from openai import AsyncAzureOpenAI, AsyncOpenAI


class Operator:
    def __init__(self, client: AsyncOpenAI | AsyncAzureOpenAI):
        self.client = client

    async def act(self, messages):
        return await self.client.chat.completions.create(model="ui-tars", messages=messages)


async def run(client: Optional[Union[AsyncAzureOpenAI, AsyncOpenAI]], messages):
    await client.chat.completions.create(model="gpt-4o", messages=messages)
    return await client.chat.completions.create(model="ui-tars-2", messages=messages)


async def swapped(client: AsyncAzureOpenAI | AsyncOpenAI, messages):
    return await client.chat.completions.create(model="ui-tars-3", messages=messages)


async def on_azure(client: AsyncAzureOpenAI, messages):
    return await client.chat.completions.create(model="prod-chat", messages=messages)
"""


def test_a_client_typed_as_plain_or_azure_does_not_make_an_unknown_model_a_deployment(tmp_path: Path) -> None:
    """khoj's operator: `client: AsyncOpenAI | AsyncAzureOpenAI` sends `model="ui-tars"`, which check called an
    Azure deployment (OFR202); the plain client may be aimed at any server that serves it. An OpenAI id is still
    an OpenAI model, and a client typed Azure alone still sends deployments."""
    (tmp_path / "op.py").write_text(_UNION.replace("from openai", "from typing import Optional, Union\n\nfrom openai"))
    for to in ([], ["--to", "qwen"]):
        out = run_cli(["check", *to, "--no-cache", "--output-format", "concise", "."], tmp_path).stdout
        assert "ui-tars" not in out, out
        assert "OFR201 OpenAI model `gpt-4o`" in out and "OFR202 Azure deployment `prod-chat`" in out, out


_LM_CONFIG = """import toml


class Config:
    def __init__(self):
        self.config = toml.load("config.toml")

    def get_lmstudio_api_endpoint(self):
        return self.config["API_ENDPOINTS"]["LM_STUDIO"]
"""
_LM_CLIENT = """from openai import OpenAI

from config import Config


class LMStudio:
    def __init__(self):
        self.api_endpoint = Config().get_lmstudio_api_endpoint()
        self.client = OpenAI(base_url=self.api_endpoint, api_key=KEY)

    def inference(self, model_id, prompt):
        chat_completion = self.client.chat.completions.create(
            messages=[{"role": "user", "content": prompt}],
            model=model_id,
        )
        return chat_completion.choices[0].message.content
"""


@pytest.mark.parametrize(
    ("url", "noise"),
    [
        ("http://localhost:1234/v1", False),
        ("https://api.deepseek.com", False),
        ("", True),
        ("https://api.openai.com/v1", True),
    ],
)
def test_a_model_parameter_on_a_client_the_configuration_aims_elsewhere_is_no_finding(
    tmp_path: Path, url: str, noise: bool
) -> None:
    """devika's LM Studio client: its base URL is read from config.toml, which aims it at a local server. The
    file alone cannot read it, so it asked for the request's `model=model_id` (OFR203) and fix wrote a TODO; the
    routes show the URL is never OpenAI's. A URL the configuration does not give keeps the finding."""
    (tmp_path / "config.toml").write_text(f'[API_ENDPOINTS]\nLM_STUDIO = "{url}"\n' if url else "[API_ENDPOINTS]\n")
    (tmp_path / "config.py").write_text(_LM_CONFIG)
    (tmp_path / "lm.py").write_text(_LM_CLIENT.replace("KEY", '"not-needed"'))
    out = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path).stdout
    assert (" OFR203 " in out) == noise, out
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert ("(OFR203)" in (tmp_path / "lm.py").read_text("utf-8")) == noise
