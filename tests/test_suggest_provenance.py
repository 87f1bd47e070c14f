"""Fixes in reports go to the finding the planner made each change for (fixes/provenance.py), not to
whichever finding's span a change happens to fall in.

Before, SARIF `fixes` were cut from the rewrite and attached by position: a key variable renamed
inside a client's call went with the client's fix (the client's span holds it), and a base URL
constant defined away from its client went with the file's first finding. reviewdog's suggestions
replace whole lines, so there one finding still carries a line's changes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
from helpers import FIXTURES, run_cli
from support.reportfixes import Replacement, apply_chars, rdjson_fixes, sarif_fixes

from offramp import api
from offramp.fixes.suggest import suggest_fixes


def _fixes(root: Path, fmt: str) -> Dict[str, List[str]]:
    """rule -> the texts its fix inserts, for app.py."""
    out = run_cli(["check", "--to", "qwen", "--output-format", fmt, "-n", "."], root)
    assert out.returncode == 1, out.stderr
    found = (sarif_fixes if fmt == "sarif" else rdjson_fixes)(json.loads(out.stdout))
    texts: Dict[str, List[str]] = {}
    for result, reps in found["app.py" if fmt == "sarif" else next(iter(found))]:
        rule = result.get("ruleId") or result["code"]["value"]
        texts.setdefault(rule, []).extend(text for _, _, text in reps)
    return texts


def _sarif(root: Path, source: str) -> List[Tuple[dict, List[Replacement]]]:
    """app.py written with `source`, and its SARIF results with their replacements."""
    (root / "app.py").write_text(source, encoding="utf-8")
    run = run_cli(["check", "--to", "qwen", "--output-format", "sarif", "-n", "."], root)
    return sarif_fixes(json.loads(run.stdout))["app.py"]


def _lines(reps: List[Replacement]) -> Set[int]:
    return {line for (line, _), _, _ in reps}


def _by_line(results: List[Tuple[dict, List[Replacement]]]) -> Dict[int, Set[int]]:
    """The line of each finding -> the lines its fix changes."""
    return {r["locations"][0]["physicalLocation"]["region"]["startLine"]: _lines(reps) for r, reps in results}


def test_a_key_read_inside_a_client_call_carries_its_own_fix(tmp_path: Path) -> None:
    source = 'import os\nfrom openai import OpenAI\n\nclient = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))\n'
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    sarif = _fixes(tmp_path, "sarif")
    assert sarif == {
        "OFR101": ['base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", '],
        "OFR301": ['environ["DASHSCOPE_API_KEY"]'],
    }
    rdjson = _fixes(tmp_path, "rdjson")  # one line: one suggestion, the client's
    assert list(rdjson) == ["OFR101"] and "DASHSCOPE_API_KEY" in rdjson["OFR101"][0]


def test_a_base_url_constant_goes_with_the_client_that_reads_it(tmp_path: Path) -> None:
    source = (
        "from openai import OpenAI\n\n"
        'first = OpenAI(base_url="https://api.openai.com/v1")\n\n'
        'URL = "https://api.openai.com/v1"\n'
        "second = OpenAI(base_url=URL)\n"
    )
    results = _sarif(tmp_path, source)
    by_line = _by_line(results)
    assert 5 in by_line[6] and 5 not in by_line[3], by_line  # URL's line: the second client's fix
    fixed = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert fixed.returncode in (0, 1), fixed.stderr
    everything = [rep for _, reps in results for rep in reps]
    assert apply_chars(source, everything) == (tmp_path / "app.py").read_text(encoding="utf-8")


AZURE = (
    "AzureOpenAI(\n"
    '    azure_endpoint="https://x.openai.azure.com",\n'
    '    api_key=os.environ["AZURE_OPENAI_API_KEY"],\n'
    '    api_version="2024-02-01",\n)\n'
)


def test_an_import_the_plan_removes_goes_with_the_client_it_was_removed_for(tmp_path: Path) -> None:
    """An import has no node of the plan to point at: it is known by the names it binds (`AzureOpenAI`,
    dropped because the Azure client became `OpenAI`), not given to the file's first finding."""
    source = "import os\n\nfrom openai import AzureOpenAI, OpenAI\n\nfirst = OpenAI()\nsecond = " + AZURE
    lines = {r["ruleId"]: _lines(reps) for r, reps in _sarif(tmp_path, source)}
    assert 3 in lines["OFR102"] and 3 not in lines["OFR101"], lines


def test_an_import_two_fixes_change_goes_with_the_first_of_them(tmp_path: Path) -> None:
    """Both Azure clients drop `AzureOpenAI`: one fix carries the import line, the first of the two, not the
    file's first finding (a client the import has nothing to do with)."""
    source = "import os\n\nfrom openai import AzureOpenAI, OpenAI\n\nfirst = OpenAI()\nsecond = " + AZURE
    source += "third = " + AZURE
    by_line = _by_line(_sarif(tmp_path, source))
    assert 3 in by_line[6] and 3 not in by_line[5] and 3 not in by_line[11], by_line


def test_the_azure_credential_fix_removes_goes_with_the_key_it_fed(tmp_path: Path) -> None:
    """The credential statements the Azure clean-up deletes (apply.py) are for the setting that read
    them, `openai.api_key = token.token`, not for the first module setting (`api_type`)."""
    source = (
        "import openai\nfrom azure.identity import DefaultAzureCredential\n\n"
        "credential = DefaultAzureCredential()\n"
        'token = credential.get_token("https://cognitiveservices.azure.com/.default")\n\n'
        'openai.api_type = "azure_ad"\nopenai.api_base = "https://contoso.openai.azure.com/"\n'
        'openai.api_version = "2023-05-15"\nopenai.api_key = token.token\n\n\n'
        "def chat(messages):\n"
        '    return openai.ChatCompletion.create(engine="gpt-35-turbo", messages=messages)\n'
    )
    by_line = _by_line(_sarif(tmp_path, source))
    assert 4 in by_line[10] and 4 not in by_line[7], by_line


def test_a_litellm_azure_route_prefix_is_the_clients_change(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`litellm.completion(model="azure/prod-gpt4o")` with a deployment no provider model is mapped to: fix
    moves the call (OFR102, fixable) and writes `openai/prod-gpt4o`, leaving the deployment's name with a TODO
    (OFR202, not fixable). The plan recorded the prefix's change for OFR202, a finding check does not offer."""
    from offramp import api
    from offramp.fixes.provenance import origin_at
    from offramp.fixes.runner import planned_texts

    source = 'import litellm\n\nreply = litellm.completion(model="azure/prod-gpt4o", messages=[])\n'
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    checked = api.check(["."], no_cache=True, overrides={"target": "qwen"})
    old, new, regions = planned_texts(list(checked.files), checked.settings, checked.provider)["app.py"]
    assert 'model="openai/prod-gpt4o"' in new
    at = old.index("azure/")
    origin = origin_at(at, at + len("azure"), regions)
    assert origin is not None and origin.code == "OFR102", origin
    offered = {(f.code, f.span.line) for f in checked.findings if f.fixable}
    assert (origin.code, origin.line) in offered, offered


def test_a_finding_without_a_fix_carries_its_own_todo(tmp_path: Path) -> None:
    """The TODO fix writes for a finding it cannot fix (a model handed in as a parameter, OFR203) is that
    finding's, in SARIF and rdjson alike: before, it went to the file's first fixable finding (the client,
    four lines up), whose fix then held a change that is not its own."""
    source = (
        "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(model_name):\n"
        "    return client.chat.completions.create(model=model_name, messages=[])\n"
    )
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    sarif = _fixes(tmp_path, "sarif")
    todo = "    # TODO[offramp]: model comes from parameter `model_name`: set it to a Qwen"
    assert [t.startswith(todo) for t in sarif["OFR203"]] == [True], sarif
    assert not any("TODO" in t for t in sarif["OFR101"]), sarif
    rdjson = _fixes(tmp_path, "rdjson")
    assert [t.startswith(todo) for t in rdjson["OFR203"]] == [True] and not any("TODO" in t for t in rdjson["OFR101"])


def test_a_line_two_findings_change_goes_to_the_finding_around_the_others(tmp_path: Path) -> None:
    """reviewdog's suggestions replace whole lines: a line with the changes of a request's finding (OFR405,
    the call) and of its model's (OFR201) goes to the call's, whose span holds the model's, as the plan
    made them (SARIF keeps each change with its own finding)."""
    source = (
        "from openai import OpenAI\n\nclient = OpenAI()\n"
        "client.chat.completions.create(model='o3-mini', messages=[], reasoning_effort='high')\n"
    )
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    sarif = _fixes(tmp_path, "sarif")
    assert sarif["OFR201"] == ["qwen-flash"] and any("enable_thinking" in t for t in sarif["OFR405"]), sarif
    rdjson = _fixes(tmp_path, "rdjson")
    assert "OFR201" not in rdjson and any("qwen-flash" in t and "enable_thinking" in t for t in rdjson["OFR405"])


def test_a_rewritten_assignment_is_paired_with_its_own_line(tmp_path: Path) -> None:
    """The text diff paired `azure_chat = AzureChatOpenAI(azure_deployment=...)` with the rewrite of the line
    above it (`default_chat = ChatOpenAI(base_url=...)`: their symbols alike, most of its own words new), so
    the first client's fix replaced `default_chat = ChatOpenAI()\nazure_chat` by `default_chat`, and the
    deployment's TODO went to the next line's client. A line that binds the same name is its rewrite."""
    source = (
        "from langchain_openai import AzureChatOpenAI, ChatOpenAI, OpenAIEmbeddings\n\n"
        "default_chat = ChatOpenAI()\n"
        'azure_chat = AzureChatOpenAI(azure_deployment="prod-gpt4o", api_version="2024-10-21")\n'
        'embeddings = OpenAIEmbeddings(model="text-embedding-3-large")\n'
    )
    results = _sarif(tmp_path, source)
    default = next(reps for r, reps in results if r["ruleId"] == "OFR101" and 3 in _lines(reps))
    assert 4 not in _lines(default) and all(text != "default_chat" for _, _, text in default), default
    # (`prod-gpt4o` has no Qwen model: the client stays on Azure whole, with its TODO)
    todo = [[text for _, _, text in reps] for r, reps in results if r["ruleId"] == "OFR102"]
    assert len(todo) == 1 and todo[0][0].startswith("# TODO[offramp]: `AzureChatOpenAI` stays on Azure OpenAI"), todo


def test_a_name_removed_from_a_parenthesized_import_goes_with_the_fix_that_removed_it(tmp_path: Path) -> None:
    """`AzureChatCompletion,` on its own line of `from ... import (...)`: the line holds no `import`, so the
    removal was known by no name the plan recorded and went to the file's first fixable finding."""
    source = (
        "import os\n\nfrom semantic_kernel.connectors.ai.open_ai import (\n    AzureChatCompletion,\n"
        "    OpenAIChatCompletion,\n)\n\n"
        'chat = OpenAIChatCompletion(ai_model_id="gpt-4o", api_key=os.environ["OPENAI_API_KEY"])\n'
        "azure = AzureChatCompletion(\n"
        '    deployment_name="gpt-4o-mini",\n    endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],\n'
        '    api_key=os.environ["AZURE_OPENAI_API_KEY"],\n    api_version="2024-10-21",\n)\n'
    )
    owners = {r["ruleId"] for r, reps in _sarif(tmp_path, source) if 4 in _lines(reps)}
    assert owners == {"OFR102"}, owners


def test_a_module_setting_is_paired_with_its_own_rewrite(tmp_path: Path) -> None:
    """`openai.api_base = endpoint` became `openai.api_base = "<provider URL>"` and the next line's
    `openai.api_version = "..."` went: the diff paired api_version's line with api_base's rewrite (more
    symbols alike), so api_type's fix carried the new api_key line and api_base's finding none of its own."""
    source = (
        "import openai\n\n\nclass AzureChat:\n    def __init__(self, endpoint):\n"
        '        openai.api_type = "azure"\n        openai.api_base = endpoint\n'
        '        openai.api_version = "2023-05-15"\n\n    def ask(self, messages):\n'
        '        return openai.ChatCompletion.create(engine="gpt-4o", messages=messages)\n'
    )
    texts = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: [t for _, _, t in reps]
        for r, reps in _sarif(tmp_path, source)
        if r["ruleId"] == "OFR103"
    }
    assert texts[6] == ["open_ai"] and texts[7] == ['"https://dashscope.aliyuncs.com/compatible-mode/v1"'], texts


def test_the_blank_line_an_import_swap_removes_goes_with_the_swap(tmp_path: Path) -> None:
    """`from openai.lib.azure import AzureOpenAI` swapped for `from openai import OpenAI` joins the import group
    above it: the blank line between them goes, and it went to the file's first fixable finding (a model)."""
    source = (FIXTURES / "fix" / "input" / "azure_deployment_default_as_model.py").read_text("utf-8")
    owners = {r["ruleId"] for r, reps in _sarif(tmp_path, source) if 7 in _lines(reps)}
    assert owners == {"OFR102"}, owners


def _untraced(root: Path) -> List[str]:
    """The fixes `check --to qwen` suggests for the files in `root` that are not all the plan's own
    (fixes/provenance.py): each a change the plan records no finding for, placed by position."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        checked = api.check(["."], no_cache=True, jobs=1, overrides={"target": "qwen"})
        assert checked.provider is not None
        fixes = suggest_fixes(checked.findings, checked.settings, checked.provider, files=checked.files)
    assert len(fixes) >= len(list(root.glob("*.py")))
    return sorted(f"{f.path}:{f.span.line} {f.code}" for f, s in fixes.items() if not s.traced)


@pytest.mark.parametrize(
    "name",
    [
        # `from openai import AsyncAzureOpenAI, AzureOpenAI` -> `import openai`: the diff's `from` -> `import`
        # starts the line, before the keyword the import's names were looked up after
        "azure_swap_name_taken",
        # `from azure.identity import DefaultAzureCredential` -> `import os`: the same, cut in two
        "azure_v0_ad_token",
        # `dspy.AzureOpenAI(endpoint, "2024-02-01", "gpt-4o", ...)` rebuilt by keyword: the diff pairs the model
        # literal's text with the new `api_base=` URL, so the model's fix alone does not parse; it is the call's
        "dspy_azure",
    ],
)
def test_a_change_the_text_diff_cuts_oddly_still_comes_from_the_plan(tmp_path: Path, name: str) -> None:
    shutil.copy(FIXTURES / "fix" / "input" / f"{name}.py", tmp_path / f"{name}.py")
    assert _untraced(tmp_path) == []


def test_fixes_on_the_fix_fixtures_come_from_the_plan(tmp_path: Path) -> None:
    """Every fix on the fix fixtures is the plan's own: none placed by position (attribution.py's fallback)."""
    for src in sorted((FIXTURES / "fix" / "input").glob("*.py")):
        shutil.copy(src, tmp_path / src.name)
    assert _untraced(tmp_path) == []


DICT_MODEL = (
    "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(model_override):\n    params = {\n"
    '        "model": model_override,\n        "messages": [],\n    }\n'
    "    return client.chat.completions.create(**params)\n"
)


def test_the_todo_of_a_model_from_a_parameter_is_the_finding_where_check_reports_it(tmp_path: Path) -> None:
    """check reports OFR203 where the model value is written (the dict's line, swarm's `create_params`), fix
    wrote its TODO above the call and tagged it with the call's line: the TODO was nobody's in reports, and
    a `# noqa: OFR203` on the line check reports left the TODO in (fix asked about the call's line)."""
    (tmp_path / "app.py").write_text(DICT_MODEL, encoding="utf-8")
    results = _sarif(tmp_path, DICT_MODEL)
    by_rule = {r["ruleId"]: [text for _, _, text in reps] for r, reps in results}
    assert [t.lstrip().startswith("# TODO[offramp]: model comes from parameter") for t in by_rule["OFR203"]] == [True]
    suppressed = DICT_MODEL.replace("model_override,\n", "model_override,  # noqa: OFR203\n")
    (tmp_path / "app.py").write_text(suppressed, encoding="utf-8")
    assert "OFR203" not in run_cli(["check", "--to", "qwen", "-n", "--output-format", "concise", "."], tmp_path).stdout
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert "TODO" not in (tmp_path / "app.py").read_text(encoding="utf-8")
