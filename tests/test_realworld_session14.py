"""Session 14's misses from real projects and the ones session 13 left, each as the smallest program with the shape;
every test fails on the code before its fix."""

from __future__ import annotations

import py_compile
import shutil
from pathlib import Path
from typing import Dict

from helpers import concise_check, run_cli


def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_calls_in_with_headers_raise_decorators_match_and_print_arguments_are_call_sites(tmp_path: Path) -> None:
    """A request function called where the index kept no value: a `with` header without `as`, `raise`, a
    decorator, a `match` subject, inside an f-string or an attribute handed to `print`. Each call's model was left
    out of the request's models: fix moved the client to Qwen, those OpenAI models went with it, and check after
    fix said "All checks passed!"."""
    emb = (
        "from openai import OpenAI\n\n\n"
        "def embed(q, client: OpenAI, model):\n"
        "    return client.embeddings.create(model=model, input=q)\n\n\n"
        "def stream(client: OpenAI, model):\n"
        "    return client.chat.completions.with_streaming_response.create(model=model, messages=[])\n"
    )
    main = (
        "from openai import OpenAI\n\nfrom emb import embed, stream\n\nclient = OpenAI()\n\n\n"
        "def a():\n"
        '    with stream(client, "gpt-4o"):\n'
        "        pass\n\n\n"
        "def b(texts):\n"
        '    raise ValueError(embed(texts, client, "text-embedding-3-large"))\n\n\n'
        '@embed("x", client, "text-embedding-ada-002")\n'
        "def c(texts):\n"
        "    pass\n\n\n"
        "def d(texts):\n"
        '    match embed(texts, client, "text-embedding-3-small"):\n'
        "        case _:\n"
        "            pass\n\n\n"
        "def e(texts):\n"
        """    print(f"{embed(texts, client, 'text-embedding-3-large')}")\n\n\n"""
        "def f(texts):\n"
        '    print("x", embed(texts, client, "text-embedding-ada-002").data)\n'
    )
    _write(tmp_path, {"emb.py": emb, "main.py": main})
    lines = {
        line.split(":")[1] for line in concise_check(tmp_path) if line.startswith("main.py:") and " OFR201 " in line
    }
    assert lines == {"9", "14", "17", "23", "29", "33"}, lines
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "main.py").read_text("utf-8")
    assert "gpt-4o" not in after and "text-embedding-3" not in after and "text-embedding-ada" not in after, after
    assert concise_check(tmp_path) == ["All checks passed! (2 files checked)"]


_HELPERS = (
    "import os\n\nfrom openai import OpenAI\n\n\n"
    "def make_client():\n"
    '    return OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n\n\n'
    'MODEL = "gpt-4o"\n'
)
_MAIN = (
    "from agents import MODEL, make_client\n\n"
    "client = make_client()\n\n\n"
    "def ask(q):\n"
    '    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}])\n'
)


def test_a_script_directorys_own_module_named_like_a_library_is_the_one_its_scripts_import(tmp_path: Path) -> None:
    """A folder of scripts with its own `agents.py` (the OpenAI Agents SDK's import name): `from agents import
    MODEL, make_client` in `scripts/main.py` is that file (Python puts a script's directory first on sys.path), but
    the index left the import to the library. The request had no model: fix moved the client to Qwen, `gpt-4o`
    stayed, and check after fix said "All checks passed!"."""
    _write(tmp_path, {"scripts/agents.py": _HELPERS, "scripts/main.py": _MAIN, "README.md": "demo\n"})
    found = concise_check(tmp_path)
    assert any(line.startswith("scripts/agents.py:10:") and " OFR201 " in line for line in found), found
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert 'MODEL = "qwen' in (tmp_path / "scripts/agents.py").read_text("utf-8")
    assert concise_check(tmp_path) == ["All checks passed! (2 files checked)"]


def test_a_library_named_module_that_lacks_the_imported_name_or_sits_in_a_package_is_not_taken(tmp_path: Path) -> None:
    """The import stays the library's where Python's would: the sibling does not bind the name imported (there
    `from agents import Agent` is the SDK's, or fails), the folder is a package's (absolute imports skip it), or
    the module is named `openai` (the SDK itself)."""
    sdk_user = (
        "from agents import Agent, Runner\n\n"
        'bot = Agent(name="helper", model="gpt-4o")\n'
        'print(Runner.run_sync(bot, "hi"))\n'
    )
    _write(
        tmp_path,
        {
            "scripts/agents.py": _HELPERS,
            "scripts/bot.py": sdk_user,
            "pkg/__init__.py": "",
            "pkg/sub/agents.py": _HELPERS,
            "pkg/sub/main.py": _MAIN,
            "tools/openai.py": "def OpenAI():\n    return None\n",
            "tools/chat.py": (
                'from openai import OpenAI\n\nOpenAI().chat.completions.create(model="gpt-4o-mini", messages=[])\n'
            ),
        },
    )
    found = concise_check(tmp_path)
    assert any(line.startswith("scripts/bot.py:3:") and " OFR201 " in line for line in found), found
    assert not any(line.startswith("pkg/sub/agents.py:10:") for line in found), found
    assert any(line.startswith("tools/chat.py:3:") and " OFR101 " in line for line in found), found


def test_a_library_the_program_supplies_at_run_time_is_reported_at_its_call(tmp_path: Path) -> None:
    """babyagi's functions use `litellm` with no import: `@babyagi.register_function(imports=["litellm"])` supplies
    it when the framework runs them. The route reported the model (OFR201) and nothing said the request goes to
    api.openai.com: the file alone sees no library. Its call now has OFR101, not fixable (fix plans a file from
    what it imports) with a hint saying why, and fix leaves the call, its model and its key together."""
    funcs = (
        "import babyagi\n\n\n"
        '@babyagi.register_function(imports=["litellm"])\n'
        "def chat(prompt):\n"
        '    return litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])\n'
    )
    _write(tmp_path, {"funcs.py": funcs})
    found = concise_check(tmp_path)
    assert any(line.startswith("funcs.py:6:12: OFR101 `litellm.completion`") for line in found), found
    assert not any(line.endswith("[*]") for line in found), found
    full = run_cli(["check", "--no-cache", "--to", "qwen", "."], tmp_path).stdout
    assert "`litellm` is bound nowhere in this file (the program supplies it when it runs): fix leaves it" in full
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / "funcs.py").read_text("utf-8") == funcs


def test_an_environment_write_no_request_reads_keeps_its_name(tmp_path: Path) -> None:
    """`os.environ["OPENAI_API_KEY"] = "sk-xxx"` in a script for a library that reads the variable itself (guidance):
    no request offramp follows reads that write (the OpenAI client of another script runs in another program), so
    renamed it served nothing that moves and the library found the variable unset. It is held, with a note; a write
    in a module the request's program imports is still renamed with the request's key."""
    other = (
        "import os\n\nimport guidance\n\n"
        'os.environ["OPENAI_API_KEY"] = "sk-xxx"\n\n'
        'lm = guidance.models.OpenAI("gpt-4o")\n'
    )
    settings = 'import os\n\nos.environ["OPENAI_API_KEY"] = os.getenv("MY_OPENAI_KEY", "")\n'
    app = (
        "from openai import OpenAI\n\nimport settings  # noqa: F401\n\n"
        "client = OpenAI()\n"
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    _write(tmp_path, {"other.py": other, "settings.py": settings, "app.py": app})
    found = concise_check(tmp_path)
    (write,) = [line for line in found if line.startswith("other.py:5:")]
    assert " OFR301 " in write and not write.endswith("[*]"), found
    assert any(line.startswith("settings.py:3:") and line.endswith("[*]") for line in found), found
    out = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / "other.py").read_text("utf-8") == other
    assert "kept `OPENAI_API_KEY`: no request offramp can follow reads it, and a library" in out.stdout + out.stderr
    assert 'os.environ["DASHSCOPE_API_KEY"]' in (tmp_path / "settings.py").read_text("utf-8")


def test_a_key_the_code_guards_before_the_request_is_no_key_that_may_be_unset(tmp_path: Path) -> None:
    """ChatPDF's graphrag/_model.py: `api_key = os.getenv("DEEPSEEK_API_KEY")`, then `if not api_key: raise
    ValueError(...)`, then `AsyncOpenAI(api_key=api_key, base_url="https://api.deepseek.com/v1")`. OFR304 said the
    key may be unset there and the SDK would send OPENAI_API_KEY to DeepSeek: the guard leaves the function first.
    The same for `is None` with `sys.exit()` and for `assert`; a test whose block goes on is no guard."""
    body = (
        "import os\nimport sys\n\nfrom openai import OpenAI\n\n\n"
        "def a():\n"
        '    api_key = os.getenv("DEEPSEEK_API_KEY")\n'
        "    if not api_key:\n"
        '        raise ValueError("Please set DEEPSEEK_API_KEY")\n'
        '    return OpenAI(api_key=api_key, base_url="https://api.deepseek.com/v1")\n\n\n'
        "def b():\n"
        '    api_key = os.getenv("DEEPSEEK_API_KEY")\n'
        "    if api_key is None:\n"
        "        sys.exit(1)\n"
        '    return OpenAI(api_key=api_key, base_url="https://api.deepseek.com/v1")\n\n\n'
        "def c():\n"
        '    api_key = os.getenv("DEEPSEEK_API_KEY")\n'
        "    assert api_key\n"
        '    return OpenAI(api_key=api_key, base_url="https://api.deepseek.com/v1")\n\n\n'
        "def d():\n"
        '    api_key = os.getenv("DEEPSEEK_API_KEY")\n'
        "    if not api_key:\n"
        '        print("no key")\n'
        '    return OpenAI(api_key=api_key, base_url="https://api.deepseek.com/v1")\n'
    )
    for name in "abcd":
        body += f"\n\ndef ask_{name}():\n"
        body += f'    return {name}().chat.completions.create(model="deepseek-v4-pro", messages=[])\n'
    _write(tmp_path, {"ds.py": body})
    unset = [line.split(":")[1] for line in concise_check(tmp_path) if " OFR304 " in line]
    assert unset == ["28"], unset


def test_a_v0_request_the_routes_leave_keeps_its_deployment_parameter(tmp_path: Path) -> None:
    """sample-app-aoai-chatGPT's Elasticsearch notebook (openai 0.28): `openai.api_base = input("Azure OpenAI
    resource endpoint: ")`, then `openai.ChatCompletion.create(..., deployment_id=...)`. The host is the user's: the
    route stays, and its models were kept, yet fix renamed `deployment_id=` to `model=`, which openai 0.x at an
    Azure endpoint refuses ("Must provide an 'engine' or 'deployment_id' parameter"). A v0 request whose module
    client moves still gets `model=` (settings.py's OpenAI URL, rewritten in its own file)."""
    stays = (
        "import getpass\n\nimport openai\n\n"
        'openai.api_base = input("Azure OpenAI resource endpoint: ")\n'
        'openai.api_key = getpass.getpass("Azure OpenAI resource key: ")\n'
        'deployment = input("deployment: ")\n\n\n'
        "def ask(q):\n"
        '    return openai.ChatCompletion.create(messages=[{"role": "user", "content": q}], deployment_id="gpt-35")\n'
        "\n\n"
        "def ask2(q):\n"
        '    return openai.ChatCompletion.create(messages=[{"role": "user", "content": q}], deployment_id=deployment)\n'
    )
    moves = (
        "import os\n\nimport openai\n\nimport settings\n\n"
        "openai.api_base = settings.API_BASE\n"
        'openai.api_key = os.environ["OPENAI_API_KEY"]\n\n\n'
        "def ask(q):\n"
        '    return openai.ChatCompletion.create(messages=[{"role": "user", "content": q}], engine="gpt-3.5-turbo")\n'
    )
    _write(
        tmp_path,
        {
            "nb/notebook.py": stays,
            "app/app.py": moves,
            "app/settings.py": 'API_BASE = "https://api.openai.com/v1"\n',
        },
    )
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "nb/notebook.py").read_text("utf-8")
    assert after.count("deployment_id=") == 2 and "model=" not in after, after
    assert 'model="qwen-flash"' in (tmp_path / "app/app.py").read_text("utf-8")
    assert "dashscope" in (tmp_path / "app/settings.py").read_text("utf-8")


def test_a_framework_call_that_also_sends_another_providers_model_stays_whole(tmp_path: Path) -> None:
    """gptme's prompt optimizer: `dspy.LM(ModelNameMapper.get_reflection_model(base))`, whose model is
    `anthropic/...`, `openai/gpt-5` or `google/gemini-...` by the base model. fix gave the one call the provider's
    `api_base=` and key and mapped gpt-5: the Anthropic and Gemini requests then went to DashScope with its key and
    failed, and check after fix said nothing of them. The call is held whole with a TODO; its OpenAI model stays."""
    opt = (
        "import dspy\n\n\n"
        "def reflection_model(base):\n"
        '    if base.startswith("anthropic/"):\n'
        '        return "anthropic/claude-sonnet-4-5"\n'
        '    if base.startswith("openai/"):\n'
        '        return "openai/gpt-5"\n'
        '    return "google/gemini-3-pro-preview"\n\n\n'
        "def run(base):\n"
        "    lm = dspy.LM(reflection_model(base))\n"
        "    dspy.configure(lm=lm)\n"
    )
    _write(tmp_path, {"opt.py": opt})
    found = concise_check(tmp_path)
    assert any(line.startswith("opt.py:13:10: OFR101") for line in found), found
    assert not any(line.endswith("[*]") for line in found), found
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "opt.py").read_text("utf-8")
    assert "api_base" not in after and '"openai/gpt-5"' in after, after
    assert "it also sends `anthropic/claude-sonnet-4-5`, another provider's model" in after, after


def test_a_model_no_azure_deployment_can_be_named_is_no_deployment_of_a_request_with_a_plain_client_too(
    tmp_path: Path,
) -> None:
    """python-openai-demos' scripts pick the client by `API_HOST`: `openai.OpenAI(base_url=os.environ[
    "AZURE_OPENAI_ENDPOINT"], ...)`, Ollama's, GitHub Models' with `os.getenv("GITHUB_MODEL", "openai/gpt-4o")`, or
    OpenAI's. The file alone called `openai/gpt-4o` an Azure deployment with no provider model (OFR202) in every
    script, and fix wrote a TODO for it in each: no Azure deployment is named with a `/`, and the request also goes
    through plain clients (as the routes already judged it, 297eb6d)."""
    chat = (
        "import os\n\nimport openai\n\n"
        'API_HOST = os.getenv("API_HOST", "github")\n\n'
        'if API_HOST == "azure":\n'
        '    client = openai.OpenAI(base_url=os.environ["AZURE_OPENAI_ENDPOINT"], api_key=os.environ["AZURE_KEY"])\n'
        '    MODEL_NAME = os.environ["AZURE_OPENAI_CHAT_DEPLOYMENT"]\n'
        'elif API_HOST == "github":\n'
        '    client = openai.OpenAI(base_url="https://models.github.ai/inference", api_key=os.environ["GH_TOKEN"])\n'
        '    MODEL_NAME = os.getenv("GITHUB_MODEL", "openai/gpt-4o")\n'
        "else:\n"
        '    client = openai.OpenAI(api_key=os.environ["OPENAI_KEY"])\n'
        '    MODEL_NAME = os.environ["OPENAI_MODEL"]\n\n'
        'response = client.chat.completions.create(model=MODEL_NAME, messages=[{"role": "user", "content": "hi"}])\n'
    )
    _write(tmp_path, {"chat.py": chat})
    assert not any(" OFR202 " in line for line in concise_check(tmp_path)), concise_check(tmp_path)
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert "OFR202" not in (tmp_path / "chat.py").read_text("utf-8")


_ROBOT = (
    "import os\n\nimport requests\nfrom openai import AzureOpenAI\n\n\n"
    "class Bot:\n"
    '    def __init__(self, api_base="", api_version="2024-02-01"):\n'
    '        self.api_base = api_base if api_base else "https://api.openai.com/v1/chat"\n'
    "        self.api_version = api_version\n"
    '        self.key = os.getenv("OPENAI_API_KEY")\n\n'
    "    def stream(self, model, messages):\n"
    '        url = self.api_base + "/completions"\n'
    '        headers = {"Authorization": "Bearer " + self.key}\n'
    '        return requests.post(url, headers=headers, json={"model": model, "messages": messages})\n\n'
    "    def chat(self, model, messages):\n"
    "        client = AzureOpenAI(azure_endpoint=self.api_base, api_key=self.key, api_version=self.api_version)\n"
    "        return client.chat.completions.create(model=model, messages=messages)\n"
)


def test_a_raw_request_to_a_base_url_plus_a_path_keeps_its_key_and_fix_runs_once(tmp_path: Path) -> None:
    """wukong-robot's OPENAIRobot: `self.api_base` defaults to "https://api.openai.com/v1/chat"; `stream_chat` posts to
    `self.api_base + "/completions"` with the key of OPENAI_API_KEY, `chat` builds `AzureOpenAI(azure_endpoint=
    self.api_base, api_key=...)`. The concatenation was no URL to the index, so the raw request had no route: fix
    converted the client and renamed the key read, and the DashScope key then went to api.openai.com. Claimed by
    the Azure client, the URL literal had no finding either until the second fix wrote its TODO (no no-op). Now the
    request is a route (the base is one of a few URL literals), the key keeps its name, the URL is reported, and the
    first fix writes everything the second would."""
    ep = (
        "import os\n\nfrom openai import AzureOpenAI\n\n"
        'EP = "https://myres.openai.azure.com"\n'
        'client = AzureOpenAI(azure_endpoint=EP, api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="2024")\n'
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    _write(tmp_path, {"robot.py": _ROBOT, "ep.py": ep})
    found = concise_check(tmp_path)
    assert any(line.startswith("robot.py:14:15: OFR106") for line in found), found
    assert any(line.startswith("robot.py:11:30: OFR301") and not line.endswith("[*]") for line in found), found
    assert any(line.startswith("ep.py:5:6: OFR106") for line in found), found
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    robot = (tmp_path / "robot.py").read_text("utf-8")
    assert 'os.getenv("OPENAI_API_KEY")' in robot and "DASHSCOPE_API_KEY" in robot, robot
    fixed = {name: (tmp_path / name).read_text("utf-8") for name in ("robot.py", "ep.py")}
    assert "Azure OpenAI endpoint: point it at" in fixed["ep.py"], fixed["ep.py"]
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert {name: (tmp_path / name).read_text("utf-8") for name in ("robot.py", "ep.py")} == fixed


_LOCAL_AGENTS = (
    "class Agent:\n"
    "    def __init__(self, name, model, instructions=''):\n"
    "        self.name, self.model, self.instructions = name, model, instructions\n"
)
_AGENT_USER = (
    "from agents import Agent\n\n"
    'bot = Agent(name="helper", model="gpt-4o", instructions="Be brief.")\n'
    "print(bot.model)\n"
)
_SDK_USER = (
    "from agents import Agent, Runner\n\n"
    'bot = Agent(name="helper", model="gpt-4o", instructions="Be brief.")\n'
    'print(Runner.run_sync(bot, "hi").final_output)\n'
)


def test_a_script_directorys_own_agents_module_is_no_agents_sdk_in_check_or_fix(tmp_path: Path) -> None:
    """`examples/bot/agents.py` defines `class Agent`; `examples/bot/main.py` beside it does `from agents import
    Agent` and `Agent(model="gpt-4o")`: that is the local class (the project index takes the sibling), not the OpenAI
    Agents SDK. The file alone took it for the SDK: check reported OFR101 (the Agent and the SDK's trace export) and
    OFR201, and fix rewrote the call and added `from agents import OpenAIChatCompletionsModel, set_tracing_disabled`,
    an ImportError at run time. A folder without its own agents.py (the control) is the SDK's and still moves."""
    _write(
        tmp_path,
        {
            "examples/bot/agents.py": _LOCAL_AGENTS,
            "examples/bot/main.py": _AGENT_USER,
            "examples/ctl/main.py": _SDK_USER,
        },
    )
    alone = shutil.copytree(tmp_path, tmp_path.parent / f"{tmp_path.name}-fix-first")
    run_cli(["fix", "--to", "qwen", "."], alone)  # (fix first, on a copy: it fails on its own)
    assert (alone / "examples/bot/main.py").read_text("utf-8") == _AGENT_USER
    found = concise_check(tmp_path)
    assert not any(line.startswith("examples/bot/") for line in found), found
    assert any(line.startswith("examples/ctl/main.py:3:") and " OFR201 " in line for line in found), found
    for _ in range(2):  # (a cached run takes the same verdicts)
        cached = run_cli(["check", "--to", "qwen", "--output-format", "concise", "."], tmp_path).stdout.splitlines()
        assert cached == found, cached
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / "examples/bot/main.py").read_text("utf-8") == _AGENT_USER
    assert (tmp_path / "examples/bot/agents.py").read_text("utf-8") == _LOCAL_AGENTS
    ctl = (tmp_path / "examples/ctl/main.py").read_text("utf-8")
    assert "gpt-4o" not in ctl and "OpenAIChatCompletionsModel" in ctl and "set_tracing_disabled(True)" in ctl, ctl
    for name in ("examples/bot/main.py", "examples/ctl/main.py"):
        py_compile.compile(str(tmp_path / name), doraise=True)
    assert concise_check(tmp_path) == ["All checks passed! (3 files checked)"]
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == before


def test_a_local_agents_module_beside_sdk_requests_leaves_them_to_move(tmp_path: Path) -> None:
    """The same with the SDK imported too (the file's full analysis): the root's own agents.py (`import agents`,
    `agents.Agent(...)`) and a folder's, each beside an OpenAI request. The requests move; the local Agent calls
    keep `gpt-4o` and nothing is imported from `agents`."""
    root_main = (
        "import agents\nfrom openai import OpenAI\n\nclient = OpenAI()\n"
        'bot = agents.Agent(name="helper", model="gpt-4o")\n'
        'print(client.chat.completions.create(model="gpt-4o-mini", messages=[]))\n'
    )
    tool = (
        "from agents import Agent\nfrom openai import OpenAI\n\nclient = OpenAI()\n"
        'bot = Agent(name="helper", model="gpt-4o")\n'
        'print(client.chat.completions.create(model="gpt-4o", messages=[]))\n'
    )
    _write(
        tmp_path,
        {"agents.py": _LOCAL_AGENTS, "main.py": root_main, "tools/agents.py": _LOCAL_AGENTS, "tools/run.py": tool},
    )
    found = concise_check(tmp_path)
    assert not any(":5:" in line for line in found), found
    assert sum(" OFR201 " in line for line in found) == 2, found
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    for name in ("main.py", "tools/run.py"):
        after = (tmp_path / name).read_text("utf-8")
        assert after.count("gpt-4o") == 1 and 'Agent(name="helper", model="gpt-4o")' in after, after
        assert "dashscope" in after and "OpenAIChatCompletionsModel" not in after and "tracing" not in after, after
        py_compile.compile(str(tmp_path / name), doraise=True)
    assert concise_check(tmp_path) == ["All checks passed! (4 files checked)"]
