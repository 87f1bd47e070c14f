"""Session 12's new users: FastChat, gpt_academic, graphrag, ChuanhuChatGPT, bot-on-anything, open-interpreter,
crewAI-examples, rags, chat-langchain and Azure-Samples/openai-chat-app-quickstart, each checked and fixed
as someone who had never run offramp would. What went wrong there, each as the smallest program with the
shape; every test fails on the code before its fix. Credential shapes are oracle projects too
(tests/fixtures/oracle/), run with the real SDK by tests/runtime/test_credential_oracle.py."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict

from helpers import concise_check, run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_a_base_url_the_caller_hands_in_keeps_the_clients_key(tmp_path: Path) -> None:
    """FastChat's api_provider.py: `OpenAI(base_url=api_base or "https://api.openai.com/v1", api_key=api_key)` and
    `OpenAI(base_url=api_base, ...)`, with `api_base` handed in from the endpoint registry (local vLLM servers, a
    router). fix rewrote the default to the provider's URL, kept `api_base` as the override and gave both clients
    the provider's key, which then went to every server the registry names (oracle shape caller_base_url). The
    clients stay with a TODO, as check says (no [*])."""
    shutil.copytree(FIXTURES / "oracle" / "caller_base_url", tmp_path, dirs_exist_ok=True)
    before = concise_check(tmp_path)
    assert not any(line.startswith("providers.py:") and line.endswith("[*]") for line in before), before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "providers.py").read_text("utf-8")
    assert "DASHSCOPE_API_KEY" not in after and after.count("left as it is") == 2, after


_OPENAI_HELPER = (
    "import os\n\nimport openai\n\n\n"
    "def openai_stream(model_name, messages, api_base=None, api_key=None):\n"
    '    api_key = api_key or os.environ["OPENAI_API_KEY"]\n'
    '    client = openai.OpenAI(base_url=api_base or "https://api.openai.com/v1", api_key=api_key)\n'
    "    return client.chat.completions.create(model=model_name, messages=messages)\n"
)
_MISTRAL_HELPER = (
    "\n\ndef mistral_stream(model_name, messages, api_key=None):\n"
    "    from mistralai import Mistral\n\n"
    "    if api_key is None:\n"
    '        api_key = os.environ["MISTRAL_API_KEY"]\n'
    "    client = Mistral(api_key=api_key)\n"
    "    return client.chat.stream(model=model_name, messages=messages)\n"
)


def test_a_local_variable_of_another_function_is_no_consumer_of_a_key_read(tmp_path: Path) -> None:
    """FastChat's api_provider.py has a stream helper per API, each with its own local `api_key`. The read of
    OPENAI_API_KEY in the OpenAI helper was tied by name to `Mistral(api_key=api_key)` in the Mistral helper
    ("kept `OPENAI_API_KEY`: it feeds `Mistral`"), so fix kept the read for it, gave the OpenAI client the
    provider's key and moved it; the migrated helper then raised KeyError without OPENAI_API_KEY. A function's
    local name is matched only in that function: the file is migrated as it is without the Mistral helper."""
    alone, both = tmp_path / "alone", tmp_path / "both"
    for tree, text in ((alone, _OPENAI_HELPER), (both, _OPENAI_HELPER + _MISTRAL_HELPER)):
        tree.mkdir()
        _write(tree, {"providers.py": text})
    run_cli(["fix", "--to", "qwen", "."], alone)
    done = run_cli(["fix", "--to", "qwen", "."], both)
    assert "Mistral" not in done.stdout + done.stderr, done.stdout + done.stderr
    migrated = (both / "providers.py").read_text("utf-8")
    assert migrated == (alone / "providers.py").read_text("utf-8") + _MISTRAL_HELPER, migrated


def test_a_key_write_held_by_a_route_says_why_in_a_sentence(tmp_path: Path) -> None:
    """FastChat's tests/test_openai_langchain.py writes `os.environ["OPENAI_API_KEY"] = "empty"` for a program whose
    OpenAI client only moderates (Qwen has no moderations API, so it stays). fix's note pasted the route gate's
    reason into its "it feeds <consumer>" sentence: "kept `OPENAI_API_KEY`: it feeds Qwen (...) does not serve the
    OpenAI `moderations` API this client is used for, which stays where it is"."""
    mod = (
        "import os\n\nimport openai\n\n\ndef flagged(text):\n"
        '    client = openai.OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
        "    return client.moderations.create(input=text).results[0].flagged\n"
    )
    main = (
        'import os\n\nfrom mod import flagged\n\nif __name__ == "__main__":\n'
        '    os.environ["OPENAI_API_KEY"] = "empty"\n    print(flagged("hi"))\n'
    )
    _write(tmp_path, {"mod.py": mod, "main.py": main})
    done = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    (note,) = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("main.py:6: note:")]
    assert note.endswith(
        "kept `OPENAI_API_KEY`: Qwen (Alibaba Cloud Model Studio) does not serve the OpenAI `moderations` API this "
        "client is used for (renamed, it would send the Qwen (Alibaba Cloud Model Studio) key there)"
    ), note


def test_settings_that_size_an_azure_deployment_are_no_deployment_names(tmp_path: Path) -> None:
    """Azure-Samples/openai-chat-app-quickstart (an Azure Developer CLI template): its .env and
    infra/main.parameters.json hold `AZURE_OPENAI_DEPLOYMENT_CAPACITY=30` and `AZURE_OPENAI_DEPLOYMENT_SKU_NAME=
    GlobalStandard` beside the deployment's name. Every such variable was taken for a deployment name: OFR301
    "names an OpenAI model or Azure deployment" and OFR202 "Azure deployment `30` has no Qwen model"."""
    env = (
        "AZURE_OPENAI_CHAT_DEPLOYMENT=gpt-4o\nAZURE_OPENAI_CHAT_DEPLOYMENT_VERSION=2024-05-13\n"
        "AZURE_OPENAI_DEPLOYMENT_CAPACITY=30\nAZURE_OPENAI_DEPLOYMENT_SKU_NAME=GlobalStandard\n"
        "AZURE_OPENAI_CHATGPT_DEPLOYMENT_SKU=Standard\n"
    )
    app = (
        'import os\n\nfrom openai import AzureOpenAI\n\nclient = AzureOpenAI(api_version="2024-06-01")\n'
        'client.chat.completions.create(model=os.environ["AZURE_OPENAI_CHAT_DEPLOYMENT"], messages=[])\n'
    )
    _write(tmp_path, {".env": env, "app.py": app})
    found = [line for line in concise_check(tmp_path) if line.startswith(".env:")]
    assert found and all(line.startswith(".env:1:") for line in found), found


def test_a_masked_key_in_a_docstring_is_no_secret(tmp_path: Path) -> None:
    """gpt_academic's shared_utils/config_loader.py shows `set API_KEY=sk-j7caBpkRoxxxxxxxxxxxxxxxxxxxxxxxxxxxx` in a
    docstring: a real key's first characters, the rest masked with x. OFR302 called it a hard-coded key (its
    characters are varied enough); a run of eight equal characters is a mask, never a random key."""
    doc = (
        "import os\n\n\ndef read_env_variable(arg, default_value):\n"
        '    """For example:\n        set API_KEY=sk-j7caBpkRoxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n    """\n'
        "    return os.environ.get(arg, default_value)\n"
    )
    real = 'import openai\n\nopenai.api_key = "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"\n'
    _write(tmp_path, {"config_loader.py": doc, "app.py": real})
    secrets = [line for line in concise_check(tmp_path) if " OFR302 " in line]
    assert [line.split(":")[0] for line in secrets] == ["app.py"], secrets


def test_a_client_the_program_points_at_its_own_server_stays_there(tmp_path: Path) -> None:
    """FastChat's tests/test_openai_langchain.py sets `os.environ["OPENAI_API_BASE"] = "http://localhost:8000/v1"`
    (FastChat's own OpenAI-compatible server) before building `ChatOpenAI(model="gpt-3.5-turbo")`; the SDK reads
    OPENAI_BASE_URL the same way. fix wrote the provider's URL into both constructors, which then overrode the
    server the program names: the test of the local server talked to the provider. Both stay, with a TODO, and
    check offers neither."""
    main = '\n\nif __name__ == "__main__":\n    os.environ["{var}"] = "http://localhost:8000/v1"\n    ask()\n'
    sdk = (
        "import os\n\nfrom openai import OpenAI\n\n\ndef ask():\n"
        '    return OpenAI().chat.completions.create(model="gpt-3.5-turbo", messages=[])\n'
    ) + main.format(var="OPENAI_BASE_URL")
    lc = (
        "import os\n\nfrom langchain_openai import ChatOpenAI\n\n\ndef ask():\n"
        '    return ChatOpenAI(model="gpt-3.5-turbo").invoke("hi")\n'
    ) + main.format(var="OPENAI_API_BASE")
    _write(tmp_path, {"sdk_local.py": sdk, "lc_local.py": lc})
    assert not any(line.endswith("[*]") for line in concise_check(tmp_path))
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    for name in ("sdk_local.py", "lc_local.py"):
        assert "dashscope" not in (tmp_path / name).read_text("utf-8"), name


def test_a_module_client_aimed_by_an_option_that_may_be_unset_stays(tmp_path: Path) -> None:
    """FastChat's llm_judge/gen_api_answer.py: `if args.openai_api_base is not None: openai.api_base =
    args.openai_api_base`, the option None unless given. fix kept the option (`or "<provider URL>"`) and put the
    provider's key beside it inside the `if`: given, the key went to the user's own server (oracle shape
    cli_option_base_url); not given, the rewritten model went to api.openai.com. The module client stays, with a
    TODO, and check offers none of it."""
    shutil.copytree(FIXTURES / "oracle" / "cli_option_base_url", tmp_path, dirs_exist_ok=True)
    assert not any(line.endswith("[*]") for line in concise_check(tmp_path))
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "main.py").read_text("utf-8")
    assert "DASHSCOPE_API_KEY" not in after and 'default="gpt-4o"' in after and "left as it is" in after, after


def test_the_option_holds_the_module_client_of_the_whole_program(tmp_path: Path) -> None:
    """The same option in FastChat's shape: the requests are in another module (llm_judge/common.py), which also
    aims the module client at Azure from AZURE_OPENAI_ENDPOINT in another function. The route's Azure endpoint read
    made the gate wave the option through ("the planner writes the provider's URL over it"), so the provider's key
    went in beside the option again; check and fix now both leave the program's module client."""
    judge = (
        "import os\n\nimport openai\n\n\ndef ask(model, messages):\n"
        "    return openai.ChatCompletion.create(model=model, messages=messages)\n\n\n"
        "def ask_azure(model, messages):\n"
        '    openai.api_type = "azure"\n    openai.api_version = "2023-07-01-preview"\n'
        '    openai.api_base = os.environ["AZURE_OPENAI_ENDPOINT"]\n'
        '    openai.api_key = os.environ["AZURE_OPENAI_KEY"]\n'
        "    return openai.ChatCompletion.create(engine=model, messages=messages)\n"
    )
    main = (FIXTURES / "oracle" / "cli_option_base_url" / "main.py").read_text("utf-8")
    main = main.replace("import openai\n", "import openai\n\nfrom judge import ask\n").replace(
        "openai.base_url", "openai.api_base"
    )
    main = main.replace("openai.chat.completions.create(model=args.model, messages=", "ask(args.model, ")
    _write(tmp_path, {"judge.py": judge, "main.py": main})
    assert not any(line.endswith("[*]") for line in concise_check(tmp_path))
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert not any("DASHSCOPE" in p.read_text("utf-8") for p in tmp_path.glob("*.py"))
