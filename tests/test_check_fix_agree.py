"""`check --to P` offers (`[*]`) exactly what `fix --to P` changes, and fix changes nothing check did not offer
(issue 14 item 4): shapes where the two disagreed, each run through both commands on one small tree.

A finding's fixable flag is a promise about fix's output: a fix of a line check called not fixable is a
silent edit nobody reviewed, and a `[*]` fix does not keep stays a finding after fix ("All checks passed!"
never comes).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from helpers import FIXTURES, run_cli


def _run(root: Path, files: Dict[str, str], provider: str = "qwen") -> Tuple[List[dict], Dict[str, str]]:
    """check's JSON findings on `files`, and the files as fix wrote them."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    check = run_cli(["check", "--to", provider, "-n", "-j", "1", "--output-format", "json", "."], root)
    assert check.returncode in (0, 1), check.stderr
    proc = run_cli(["fix", "--to", provider, "-j", "1", "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(check.stdout)["findings"], {n: (root / n).read_text("utf-8") for n in files}


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# -- URLs no request uses ------------------------------------------------------------------------

PROSE = (
    "from openai import OpenAI\n\n"
    'CFG = """llm:\n  base_url: "https://api.openai.com/v1"\n"""\n'
    "HELP = r'see https://api.openai.com/v1 and C:\\path'\n"
    'client = OpenAI(base_url="https://api.openai.com/v1")\n'
    'client.chat.completions.create(model="gpt-4o", messages=[])\n'
)


def test_a_url_in_prose_no_request_uses_stays_as_check_says(tmp_path: Path) -> None:
    """A URL inside a larger string (a YAML text, a help line) is on no route: check holds it (OFR106, not
    fixable: the key that would travel with it is unknown), and fix used to rewrite it anyway (it asked the
    route gate only about whole-string URLs). Now fix leaves it with a TODO; the client's own URL moves."""
    findings, after = _run(tmp_path, {"app.py": PROSE})
    urls = {f["line"]: f["fixable"] for f in findings if f["code"] == "OFR106"}
    assert urls == {3: False, 6: False}, findings
    text = after["app.py"]
    assert 'base_url: "https://api.openai.com/v1"' in text and "see https://api.openai.com/v1 and" in text
    assert 'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1")' in text
    assert text.count("(OFR106)") == 2, text


CREDENTIAL_URL = (
    "import requests\n\n"
    'KEY = "x"\n'
    'URL = f"https://api.openai.com/v1/chat/completions?api-key={KEY}"\n\n\n'
    "def ask():\n    return requests.post(URL, json={})\n"
)


@pytest.mark.parametrize("sdk", [False, True])
def test_a_url_built_at_run_time_with_openais_credentials_is_left_as_check_says(tmp_path: Path, sdk: bool) -> None:
    """An f-string URL carrying OpenAI's credentials (`?api-key=`): fix cannot drop them from it and leaves it with
    a TODO, while check offered it (`[*]`): the planner decided again what checks/clients.py had decided. Now one
    decision (`url_left`), read by the fast path (a file without the SDK) and LibCST alike."""
    source = ("from openai import OpenAI\n" if sdk else "") + CREDENTIAL_URL
    findings, after = _run(tmp_path, {"app.py": source})
    line = _line(source, "URL = ")
    assert [(f["line"], f["fixable"]) for f in findings if f["code"] == "OFR106"] == [(line, False)], findings
    assert 'URL = f"https://api.openai.com/v1/chat/completions?api-key={KEY}"' in after["app.py"]
    assert "carries credentials (api-key)" in after["app.py"]


DESCRIBED = (
    "from pydantic import BaseModel, Field\n\n\n"
    "class OpenAISettings(BaseModel):\n"
    "    api_base: str = Field(\n"
    "        None,\n"
    "        description=\"Base URL of OpenAI API. Example: 'https://api.openai.com/v1'.\",\n"
    "    )\n"
    '    proxy: str = Field("", help="like https://api.openai.com/v1")\n'
)


def test_a_url_in_a_field_description_is_documentation(tmp_path: Path) -> None:
    """private-gpt's settings: a URL in `Field(description=...)` is an example for the reader, as in a docstring.
    check reported it (OFR106) and fix rewrote it to the provider's URL. Neither now, in a file that imports
    the SDK (LibCST) or not (the fast path)."""
    sdk = DESCRIBED.replace("from pydantic", "from openai import OpenAI\nfrom pydantic")
    findings, after = _run(tmp_path, {"settings.py": DESCRIBED, "sdk_settings.py": sdk})
    assert [f for f in findings if f["code"] == "OFR106"] == [], findings
    assert after == {"settings.py": DESCRIBED, "sdk_settings.py": sdk}


# -- a configuration file's URL ------------------------------------------------------------------

CHAT = (
    "import json\nimport os\n\nfrom openai import OpenAI\n\n"
    'with open("settings.json") as f:\n    settings = json.load(f)\n\n'
    'client = OpenAI(base_url=settings["base_url"], api_key=os.getenv("OPENAI_API_KEY"))\n'
    'client.chat.completions.create(model=settings["model"], messages=[])\n'
)


def test_a_configuration_files_url_moves_with_its_readers_as_check_says(tmp_path: Path) -> None:
    """A configuration file is rewritten with its readers, not judged as sites: fix rewrote settings.json's
    base_url with the file's model (chat.py still reads the model), and check called that URL one "no request
    offramp can follow uses" (not fixable), as if it were a literal in code."""
    settings = '{\n  "base_url": "https://api.openai.com/v1",\n  "model": "gpt-4o"\n}\n'
    findings, after = _run(tmp_path, {"chat.py": CHAT, "settings.json": settings})
    (url,) = [f for f in findings if f["path"] == "settings.json" and f["code"] == "OFR106"]
    assert url["fixable"] and url["line"] == 2, findings
    assert '"base_url": "https://dashscope.aliyuncs.com/compatible-mode/v1"' in after["settings.json"]


def test_a_configuration_file_only_the_retargeted_url_was_read_from_stays_as_check_says(tmp_path: Path) -> None:
    """The client gets the provider's URL as a literal (the route gate's config_hosts), so no code reads the
    file any more and fix leaves it ("no request offramp can follow takes a value from it"): check must not
    offer its URL."""
    chat = CHAT.replace('model=settings["model"]', 'model="gpt-4o"')
    settings = '{"base_url": "https://api.openai.com/v1"}\n'
    findings, after = _run(tmp_path, {"chat.py": chat, "settings.json": settings})
    (url,) = [f for f in findings if f["path"] == "settings.json" and f["code"] == "OFR106"]
    assert not url["fixable"], findings
    assert after["settings.json"] == settings
    assert 'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"' in after["chat.py"]


# -- a base URL the program reads from a variable of its own ---------------------------------------

OWN_VARIABLE = (
    "import os\n\nfrom openai import OpenAI\n\n"
    'client = OpenAI(base_url={read}, api_key=os.environ["LLM_API_KEY"])\n'
    'client.chat.completions.create(model="qwen-plus", messages=[])\n'
)


def test_a_base_url_read_with_no_default_may_be_unset(tmp_path: Path) -> None:
    """`OpenAI(base_url=os.getenv("LLM_BASE_URL"))`: unset, the SDK reads OPENAI_BASE_URL or goes to
    api.openai.com with the program's key. check said "All checks passed!"; now OFR107, which fix does not
    decide (it leaves the client as it is), so check after fix still reports it."""
    findings, after = _run(tmp_path, {"app.py": OWN_VARIABLE.format(read='os.getenv("LLM_BASE_URL")')})
    (unset,) = [f for f in findings if f["code"] == "OFR107"]
    assert unset["line"] == 5 and not unset["fixable"] and "`LLM_BASE_URL`" in unset["message"], findings
    assert 'base_url=os.getenv("LLM_BASE_URL")' in after["app.py"]
    again = run_cli(["check", "--to", "qwen", "-n", "--output-format", "concise", "."], tmp_path)
    assert " OFR107 " in again.stdout, again.stdout


def test_a_base_url_that_cannot_be_none_is_not_reported_unset(tmp_path: Path) -> None:
    """A read that raises when unset, or has a default, never leaves the SDK to its own default host."""
    reads = (
        'os.environ["LLM_BASE_URL"]',
        'os.getenv("LLM_BASE_URL", "https://dashscope.aliyuncs.com/compatible-mode/v1")',
    )
    files = {f"app{i}.py": OWN_VARIABLE.format(read=read) for i, read in enumerate(reads)}
    findings, after = _run(tmp_path, files)
    assert findings == [] and after == files, findings


# -- a `.env` file's key variable ------------------------------------------------------------------

BOT = (
    "import os\n\nimport openai\nfrom dotenv import load_dotenv\n\n\n"
    "def main():\n"
    "    load_dotenv()\n"
    '    required_values = ["TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY"]\n'
    "    missing = [v for v in required_values if os.environ.get(v) is None]\n"
    "    if missing:\n"
    '        raise SystemExit(f"missing {missing}")\n'
    '    client = openai.OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
    '    return client.chat.completions.create(model="gpt-4o", messages=[])\n'
)


def test_a_key_variable_the_code_still_names_keeps_its_name_in_the_env_file_as_check_says(tmp_path: Path) -> None:
    """chatgpt-telegram-bot: main.py lists its required variables by name and reads the key into the client.
    fix renames the read, and keeps `.env.example`'s OPENAI_API_KEY because the code still names it (the list);
    check offered that line `[*]`. It is not offered now; the same file without the list moves, as before."""
    env = "# Your OpenAI API key\nOPENAI_API_KEY=XXX\nTELEGRAM_BOT_TOKEN=XXX\n"
    findings, after = _run(tmp_path / "listed", {"main.py": BOT, ".env.example": env})
    (key,) = [f for f in findings if f["path"] == ".env.example" and f["code"] == "OFR301"]
    assert not key["fixable"], findings
    assert after[".env.example"] == env and 'os.environ["DASHSCOPE_API_KEY"]' in after["main.py"]

    unlisted = BOT.replace('"TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY"', '"TELEGRAM_BOT_TOKEN"')
    findings, after = _run(tmp_path / "unlisted", {"main.py": unlisted, ".env.example": env})
    (key,) = [f for f in findings if f["path"] == ".env.example" and f["code"] == "OFR301"]
    assert key["fixable"], findings
    assert "DASHSCOPE_API_KEY=XXX" in after[".env.example"]


# -- a configuration file code loads but no request reads a value from ------------------------------

TASK_MAIN = (
    "import json\nimport os\n\nfrom researcher import run_research\n\n\n"
    "def open_task():\n"
    "    current_dir = os.path.dirname(os.path.abspath(__file__))\n"
    '    task_json_path = os.path.join(current_dir, "task.json")\n'
    '    with open(task_json_path, "r") as f:\n'
    "        return json.load(f)\n\n\n"
    "def main():\n"
    "    task = open_task()\n"
    '    return run_research(task["query"], model=task.get("model"))\n'
)


def test_a_task_file_the_code_loads_is_not_said_to_have_no_reader(tmp_path: Path) -> None:
    """gpt-researcher's multi_agents: main.py loads task.json (a path built with os.path.join) and hands its model
    to the project's own research library, which offramp does not follow. check and fix agree the file stays
    (its OFR201 not fixable, the file unchanged); the note said "no code in this run reads it", wrong of a file
    main.py plainly loads. It now says what is true: no request offramp can follow takes a value from it."""
    task = '{\n  "query": "Is AI in a hype cycle?",\n  "model": "gpt-4o"\n}\n'
    findings, after = _run(tmp_path, {"multi_agents/main.py": TASK_MAIN, "multi_agents/task.json": task})
    (model,) = [f for f in findings if f["path"] == "multi_agents/task.json"]
    assert model["code"] == "OFR201" and not model["fixable"], findings
    assert after["multi_agents/task.json"] == task
    full = run_cli(["check", "--to", "qwen", "-n", "--output-format", "full", "."], tmp_path)
    assert "no request offramp can follow takes a value from it" in full.stdout, full.stdout
    assert "no code in this run reads it" not in full.stdout
    fix = run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path)
    assert "task.json:1: note: not rewritten: no request offramp can follow takes a value from it" in fix.stderr


# -- a route that may be OpenAI's or Azure's ---------------------------------------------------------

BRANCH = (
    "import os\n\nfrom openai import AzureOpenAI, OpenAI\n\n"
    'if os.getenv("AZURE_OPENAI_API_KEY"):\n'
    '    client = AzureOpenAI(api_version="2024-02-01", azure_endpoint="https://x.openai.azure.com")\n'
    "else:\n"
    "    client = OpenAI()\n"
)
REQUESTS = (
    "from llm import client\n\n"
    'client.chat.completions.create(model="gpt-4o", messages=[])\n'
    'client.chat.completions.create(model="prod-chat", messages=[])\n'
)


def test_an_openai_model_on_a_route_that_may_be_azure_is_named_an_openai_model(tmp_path: Path) -> None:
    """A client chosen by a branch (AgentVerse): its requests may go to OpenAI or Azure. check called
    `gpt-4o` there an "Azure deployment" (OFR202), which fix then rewrote as an OpenAI model (its plan's
    OFR201); an id of no OpenAI model stays the Azure branch's deployment. That deployment, `prod-chat`, has no
    provider model, so the client stays whole (project/gate.py `unmapped_deployment`) and `gpt-4o`, sent through
    it too, stays with it: check does not offer it, fix leaves it (rewritten, it went to Azure or OpenAI)."""
    findings, after = _run(tmp_path, {"llm.py": BRANCH, "main.py": REQUESTS})
    models = {(f["line"], f["code"], f["fixable"]) for f in findings if f["path"] == "main.py"}
    assert models == {(3, "OFR201", False), (4, "OFR202", False)}, findings
    assert after["main.py"] == REQUESTS, after["main.py"]


def test_a_env_model_moves_with_its_readers_while_the_files_key_stays_as_check_says(tmp_path: Path) -> None:
    """config-projects/env-held: the `.env`'s key stays for a gateway client fix leaves (writes follow reads),
    so its endpoint and key stay together; its model value moves with app.py, the one reader of OPENAI_MODEL
    (together.decide_env), and fix rewrote it while check held every finding of the file."""
    root = tmp_path / "env-held"
    shutil.copytree(FIXTURES / "config-projects" / "env-held", root)
    findings, _ = _run(root, {})
    model = [f for f in findings if f["path"] == ".env" and f["code"] == "OFR201"]
    key = [f for f in findings if f["path"] == ".env" and f["code"] == "OFR301" and f["line"] == 1]
    assert [f["fixable"] for f in model] == [True] and [f["fixable"] for f in key] == [False], findings
    env = (root / ".env").read_text("utf-8")
    assert "OPENAI_MODEL=qwen3.8-max" in env and "OPENAI_API_KEY=your-openai-api-key" in env, env


def test_a_client_aimed_by_a_loaded_env_file_is_offered_where_fix_aims_it(tmp_path: Path) -> None:
    """oracle/dotenv_local: `OpenAI(base_url=Settings.base_url)` whose OPENAI_BASE_URL the program loads from
    .env.local (api.openai.com). fix aims the client at the provider with a literal URL (the route gate's
    config_hosts); check had no finding there at all (and, the read having no default, an OFR107 that fix then
    made moot). Now the client's OFR101 says it, fixable, and no OFR107 stands beside it."""
    root = tmp_path / "dotenv_local"
    shutil.copytree(FIXTURES / "oracle" / "dotenv_local", root)
    findings, _ = _run(root, {})
    at = [(f["code"], f["fixable"]) for f in findings if f["path"] == "svc/clients.py" and f["line"] == 7]
    assert at == [("OFR101", True)], findings
    clients = (root / "svc" / "clients.py").read_text("utf-8")
    assert 'OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"' in clients, clients


def test_a_trace_export_is_offered_where_fix_turns_it_off_whatever_the_route_beside_it(tmp_path: Path) -> None:
    """check/openai_agents_providers.py: the Agents SDK's trace export (to api.openai.com, with the default key)
    is reported at the first Agents SDK call, here a model bound to a DeepSeek client whose route the gate
    holds (the SDK's own OPENAI_API_KEY would go to DeepSeek). fix turns the export off after the imports,
    which moves no host or key; check held it with the route beside it. Now offered, and said how."""
    app = (FIXTURES / "check" / "openai_agents_providers.py").read_text("utf-8")
    findings, after = _run(tmp_path, {"app.py": app})
    (export,) = [f for f in findings if "openai-agents-tracing" in f["message"]]
    assert export["fixable"] and export["line"] == 11, findings
    assert "set_tracing_disabled(True)" in after["app.py"]
    full = run_cli(["check", "--to", "qwen", "-n", "."], tmp_path)  # (after fix: nothing of it left)
    assert "openai-agents-tracing" not in full.stdout, full.stdout


def test_a_model_literal_is_reported_once_where_its_file_and_its_route_name_it_differently(tmp_path: Path) -> None:
    """oracle/branch_default_client: Chat's default model, in a class with an Azure and a plain client, is the
    file's own OFR202; its route (which may be OpenAI's or Azure's) names it OFR201. One finding, the file's."""
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "oracle" / "branch_default_client", root)
    findings, _ = _run(root, {})
    at = [f["code"] for f in findings if f["path"] == "llm.py" and f["line"] == 32]
    assert at == ["OFR202"], findings


AZURE_LLM = (
    "import os\n\nfrom openai import AzureOpenAI\n\n"
    'client = AzureOpenAI(api_version="2024-02-01", azure_endpoint="https://x.openai.azure.com",'
    ' api_key=os.environ["AZURE_OPENAI_API_KEY"])\n'
)


@pytest.mark.parametrize("llm", [BRANCH, AZURE_LLM], ids=["mixed", "azure"])
def test_a_deployment_in_another_file_keeps_its_client_on_azure_whole(tmp_path: Path, llm: str) -> None:
    """`prod-chat` sent through an Azure client of llm.py. fix once moved the client and wrote a TODO on main.py's
    request alone: the provider's key went out with an Azure deployment name, and `gpt-4o` beside it was
    rewritten. A client any request of which names a deployment with no provider model now stays whole on Azure
    (project/gate.py `unmapped_deployment`): check reports main.py's models without `[*]`, fix writes one TODO at
    the client naming the deployment and the request, main.py stays as it is, and a second fix changes nothing."""
    findings, after = _run(tmp_path, {"llm.py": llm, "main.py": REQUESTS})
    assert (4, "OFR202", False) in {(f["line"], f["code"], f["fixable"]) for f in findings if f["path"] == "main.py"}
    assert not [f for f in findings if f["fixable"]], findings
    assert after["main.py"] == REQUESTS, after["main.py"]
    azure = [i for i, line in enumerate(after["llm.py"].splitlines()) if "AzureOpenAI(" in line]
    todo = after["llm.py"].splitlines()[azure[0] - 1]
    assert "TODO[offramp]" in todo and "`prod-chat`" in todo and "main.py" in todo, after["llm.py"]
    assert "dashscope" not in after["llm.py"] and "DASHSCOPE" not in after["llm.py"], after["llm.py"]
    again = run_cli(["fix", "--to", "qwen", "-j", "1", "."], tmp_path)
    assert (tmp_path / "llm.py").read_text("utf-8") == after["llm.py"], again.stdout
    assert (tmp_path / "main.py").read_text("utf-8") == REQUESTS, again.stdout


def test_a_run_time_model_spread_into_requests_gets_one_todo_where_check_reports_it(tmp_path: Path) -> None:
    """llama-index's OpenAI LLM: every request spreads `**self._get_model_kwargs(**kwargs)`, whose dict holds
    `"model": self.model`. check reports the run-time model there (OFR203), once; fix wrote its TODO above each
    request, and check after fix reported each of those TODOs again (OFR003: 12 beside 4 OFR203 on the corpus).
    Now the TODO sits above the dict, once, and check after fix reports the OFR203 alone."""
    app = (FIXTURES / "fix" / "input" / "model_in_kwargs_helper.py").read_text("utf-8")
    findings, after = _run(tmp_path, {"llm.py": app})
    dict_line = _line(app, '"model": self.model')
    assert [(f["code"], f["line"]) for f in findings] == [("OFR203", dict_line)], findings
    text = after["llm.py"]
    assert text.count("TODO[offramp]") == 1, text
    assert "(OFR203)" in text.splitlines()[dict_line - 1], text
    again = run_cli(["check", "--to", "qwen", "-n", "-j", "1", "--output-format", "json", "."], tmp_path)
    left = [(f["code"], f["line"]) for f in json.loads(again.stdout)["findings"]]
    assert left == [("OFR203", dict_line + 1)], left


SETTINGS_MODEL = 'CHAT_MODEL = "gpt-4o"\n'
SETTINGS_CALLER = (
    "from openai import OpenAI\n\nimport settings\n\nclient = OpenAI()\n\n\n"
    "def ask(q):\n"
    '    return client.chat.completions.create(model=settings.CHAT_MODEL, messages=[{"role": "user", "content": q}])\n'
)


@pytest.mark.parametrize(
    "ignore",
    [
        {"pyproject.toml": '[tool.offramp.per-file-ignores]\n"settings.py" = ["OFR201"]\n'},
        {"settings.py": 'CHAT_MODEL = "gpt-4o"  # noqa: OFR201\n'},
    ],
    ids=["per-file-ignores", "noqa"],
)
def test_a_model_literal_fix_may_not_rewrite_leaves_the_request_unsettled_in_check_too(
    tmp_path: Path, ignore: Dict[str, str]
) -> None:
    """`settings.CHAT_MODEL`, whose OFR201 the user turned off: fix does not rewrite it, so the request's
    model is not settled, and fix writes "model comes from `settings.CHAT_MODEL`". check asked only `# noqa`
    whether fix would rewrite the literal: with a `per-file-ignores` entry it called the model settled and
    dropped the request's OFR203, then fix wrote the TODO."""
    findings, after = _run(tmp_path, {"settings.py": SETTINGS_MODEL, "app.py": SETTINGS_CALLER, **ignore})
    assert ("app.py", 9, "OFR203") in {(f["path"], f["line"], f["code"]) for f in findings}, findings
    assert "(OFR203)" in after["app.py"], after["app.py"]


TEST_CALLER = (
    "from openai import OpenAI\n\nimport settings\n\nclient = OpenAI()\n\n\n"
    "def test_live():\n"
    "    client.chat.completions.create(model=settings.CHAT_MODEL, messages=[])\n"
)


def test_a_request_per_file_ignores_leave_out_does_not_hold_a_model_it_shares(tmp_path: Path) -> None:
    """`"tests/*" = ["OFR"]`: the user leaves the tests out of the migration, so their client stays. It counted as a
    request that stays, which holds the model it shares with app.py (`settings.CHAT_MODEL`): check offered the
    client and held the model (no [*]), fix moved app.py's client alone, and check after fix found app.py's
    request sending `gpt-4o` to Qwen (OFR204). Now the model moves with app.py's client, and check passes."""
    files = {
        "settings.py": SETTINGS_MODEL,
        "app.py": SETTINGS_CALLER,
        "tests/test_app.py": TEST_CALLER,
        "pyproject.toml": '[tool.offramp.per-file-ignores]\n"tests/*" = ["OFR"]\n',
    }
    findings, after = _run(tmp_path, files)
    assert {(f["path"], f["code"], f["fixable"]) for f in findings} == {
        ("app.py", "OFR101", True),
        ("settings.py", "OFR201", True),
    }, findings
    assert 'CHAT_MODEL = "qwen3.8-max"' in after["settings.py"]
    assert after["tests/test_app.py"] == TEST_CALLER
    again = run_cli(["check", "--to", "qwen", "-n", "-j", "1", "--output-format", "json", "."], tmp_path)
    assert json.loads(again.stdout)["findings"] == [], again.stdout


def test_a_catalogue_parents_requests_carry_the_subclass_model_as_check_says(tmp_path: Path) -> None:
    """haystack's AzureOpenAIGenerator(OpenAIGenerator) builds `self.client` and `self.model` itself; the requests are
    the parent's `run` (`model=self.model`). fix converted the client with a TODO to pass a model on its calls,
    and check after fix reported the TODO (OFR003); the `or "gpt-35-turbo"` fallback was no finding at all. Now
    both literals are offered and rewritten with the client, and check after fix passes for that class."""
    app = (FIXTURES / "fix" / "input" / "haystack_azure_subclass.py").read_text("utf-8")
    findings, after = _run(tmp_path, {"gen.py": app})
    first = _line(app, "class CallerDeploymentGenerator")
    models = {(f["line"], f["code"], f["fixable"]) for f in findings if f["code"] == "OFR202" and f["line"] < first}
    assert models == {(16, "OFR202", True), (17, "OFR202", True)}, findings
    text = after["gen.py"]
    assert 'self.model: str = azure_deployment or "qwen-flash"' in text and text.count("TODO[offramp]") == 1, text
    again = run_cli(["check", "--to", "qwen", "-n", "-j", "1", "--output-format", "json", "."], tmp_path)
    left = [(f["code"], f["line"]) for f in json.loads(again.stdout)["findings"]]
    assert left == [("OFR003", _line(text, "TODO[offramp]"))], left


HAYSTACK_SHAPES = (
    "import os\n\n"
    "from haystack.components.generators import OpenAIGenerator\n"
    "from openai.lib.azure import AzureOpenAI\n\n\n"
    "class ClassModel(OpenAIGenerator):\n"
    '    model = "gpt-35-turbo"\n\n'
    "    def __init__(self, azure_endpoint: str) -> None:\n"
    "        self.client = AzureOpenAI(\n"
    '            api_version="2024-02-01", azure_endpoint=azure_endpoint, api_key=os.environ["AZURE_OPENAI_API_KEY"]\n'
    "        )\n\n\n"
    "class NotSelf(OpenAIGenerator):\n"
    "    def __init__(this, azure_endpoint: str) -> None:\n"
    '        this.model = "gpt-4o"\n'
    "        this.client = AzureOpenAI(\n"
    '            api_version="2024-02-01", azure_endpoint=azure_endpoint, api_key=os.environ["AZURE_OPENAI_API_KEY"]\n'
    "        )\n"
)


def test_a_catalogue_parents_model_set_as_a_class_attribute_or_not_on_self_moves_with_the_client(
    tmp_path: Path,
) -> None:
    """The parent's requests send `self.model`: a class attribute (`model = "gpt-35-turbo"`) or a method whose first
    parameter is not called `self` (`this.model = "gpt-4o"`) gives it too. analysis/inherited.py read only
    `self.<attr> = v` in methods, so these models were no finding and stayed while their clients moved to the
    provider (a half-migration check then passed). It now reads what the collector records for `self.<attr>`
    (its self_attrs), which knows both; the models are offered and mapped with the client."""
    findings, after = _run(tmp_path, {"gen.py": HAYSTACK_SHAPES})
    models = {(f["line"], f["fixable"]) for f in findings if f["code"] == "OFR202"}
    assert models == {(_line(HAYSTACK_SHAPES, '"gpt-35-turbo"'), True), (_line(HAYSTACK_SHAPES, '"gpt-4o"'), True)}
    text = after["gen.py"]
    assert 'model = "qwen-flash"' in text and 'this.model = "qwen3.8-max"' in text, text
    again = run_cli(["check", "--to", "qwen", "-n", "-j", "1", "--output-format", "json", "."], tmp_path)
    assert json.loads(again.stdout)["findings"] == [], again.stdout
