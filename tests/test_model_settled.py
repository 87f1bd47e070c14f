"""A request whose model another module's literal names, and fix rewrites that literal: no "model comes from ..."

The walk test of ../shared/ARCHITECTURE.md: `CHAT_MODEL = "gpt-4o"` in settings.py, sent by
`client.chat.completions.create(model=settings.CHAT_MODEL)` in app.py. check offered the constant `[*]` (OFR201,
the route stage) and also reported the call's OFR203 ("model comes from `settings.CHAT_MODEL`"); fix rewrote the
constant and wrote the OFR203 TODO in the same run, so the walk ended in OFR003, never "All checks passed!".
Now one route-stage answer (project/gate.py `RouteJudge.models_resolved`) says whether a request's model is
settled by the plans; check drops the file's own OFR203 there (runner.py) and the planner writes no TODO there
(`Gate.resolved`). A literal also sent by a request that stays is not rewritten: there the TODO is true.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, List

import pytest
from helpers import FIXTURES, run_cli

ASK = (
    "from openai import OpenAI\n\n"
    "{imports}\n\n"
    "client = OpenAI()\n\n\n"
    "def ask(q):\n"
    '    return client.chat.completions.create(model={model}, messages=[{{"role": "user", "content": q}}])\n'
)


def _write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")


def _check(root: Path) -> List[dict]:
    proc = run_cli(["check", "--to", "qwen", "-n", "-j", "1", "--output-format", "json", "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def _tree(root: Path) -> Dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text("utf-8") for p in sorted(root.rglob("*.py"))}


def _walk(root: Path) -> tuple:
    """check's findings before, the tree after fix, check's output after, and whether a second fix changed
    nothing."""
    before = _check(root)
    fixed = run_cli(["fix", "--to", "qwen", "-j", "1", "."], root)
    assert fixed.returncode in (0, 1), fixed.stderr
    after = _tree(root)
    again = run_cli(["check", "--to", "qwen", "-n", "-j", "1", "."], root)
    second = run_cli(["fix", "--to", "qwen", "-j", "1", "."], root)
    assert second.returncode in (0, 1), second.stderr
    return before, after, again.stdout, _tree(root) == after


def _codes(findings: List[dict]) -> List[tuple]:
    return sorted((f["path"], f["line"], f["code"], f["fixable"]) for f in findings)


def test_the_walk_ends_in_all_checks_passed(tmp_path: Path) -> None:
    root = tmp_path / "walk"
    shutil.copytree(FIXTURES / "projects" / "walk", root)
    before, after, again, idempotent = _walk(root)
    assert _codes(before) == [("app.py", 5, "OFR101", True), ("settings.py", 1, "OFR201", True)], before
    assert after["settings.py"] == 'CHAT_MODEL = "qwen3.8-max"\n'
    assert 'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"' in after["app.py"]
    assert 'os.environ["DASHSCOPE_API_KEY"]' in after["app.py"] and "TODO[offramp]" not in after["app.py"]
    assert "All checks passed!" in again, again
    assert idempotent


SETTLED = {
    # `import pkg.settings as settings`
    "alias": (
        {
            "pkg/__init__.py": "",
            "pkg/settings.py": 'CHAT_MODEL = "gpt-4o"\n',
            "app.py": ASK.format(imports="import pkg.settings as settings", model="settings.CHAT_MODEL"),
        },
        "pkg/settings.py",
        1,
    ),
    # a class attribute
    "class": (
        {
            "settings.py": 'class Settings:\n    MODEL = "gpt-4o"\n',
            "app.py": ASK.format(imports="from settings import Settings", model="Settings.MODEL"),
        },
        "settings.py",
        2,
    ),
    # (settled before too: the file's own analysis does not call an imported name's value dynamic)
    "from": (
        {
            "settings.py": 'CHAT_MODEL = "gpt-4o"\n',
            "app.py": ASK.format(imports="from settings import CHAT_MODEL", model="CHAT_MODEL"),
        },
        "settings.py",
        1,
    ),
    # an environment read with a literal default in another module: as in one file
    # (`model=os.getenv("CHAT_MODEL", "gpt-4o")`: OFR201 on the default, no OFR203)
    "env-default": (
        {
            "settings.py": 'import os\n\nCHAT_MODEL = os.getenv("CHAT_MODEL", "gpt-4o")\n',
            "app.py": ASK.format(imports="import settings", model="settings.CHAT_MODEL"),
        },
        "settings.py",
        3,
    ),
    # a framework client's model (`ChatOpenAI(model=settings.CHAT_MODEL)`): the same answer, at its constructor
    "framework": (
        {
            "settings.py": 'CHAT_MODEL = "gpt-4o"\n',
            "app.py": (
                "from langchain_openai import ChatOpenAI\n\nimport settings\n\n"
                "llm = ChatOpenAI(model=settings.CHAT_MODEL)\n\n\ndef ask(q):\n    return llm.invoke(q)\n"
            ),
        },
        "settings.py",
        1,
    ),
}


@pytest.mark.parametrize("shape", sorted(SETTLED))
def test_a_constant_fix_rewrites_leaves_no_dynamic_model(tmp_path: Path, shape: str) -> None:
    """The constant is offered and rewritten; the request's file gets no OFR203 nor its TODO."""
    files, at, line = SETTLED[shape]
    _write(tmp_path, files)
    before, after, again, idempotent = _walk(tmp_path)
    assert not [f for f in before if f["code"] == "OFR203"], before
    assert [(f["path"], f["line"], f["fixable"]) for f in before if f["code"] == "OFR201"] == [(at, line, True)]
    assert "gpt-4o" not in after[at] and "qwen3.8-max" in after[at]
    assert "TODO[offramp]" not in after["app.py"], after["app.py"]
    assert "All checks passed!" in again, again
    assert idempotent


def test_a_literal_the_provider_serves_already(tmp_path: Path) -> None:
    files = {
        "settings.py": 'CHAT_MODEL = "qwen3.8-max"\n',
        "app.py": ASK.format(imports="import settings", model="settings.CHAT_MODEL"),
    }
    _write(tmp_path, files)
    before, after, again, idempotent = _walk(tmp_path)
    assert _codes(before) == [("app.py", 5, "OFR101", True)], before
    assert "TODO[offramp]" not in after["app.py"] and "All checks passed!" in again, (after, again)
    assert idempotent


def test_a_constant_also_sent_by_a_request_that_stays_keeps_its_todo(tmp_path: Path) -> None:
    """Invariant 2: the constant also reaches a company gateway's request, which fix leaves; it stays
    `gpt-4o`, so the request at app.py would send an OpenAI id to the provider: it stays too, held with the
    constant as one file holds it (project/sharedmodels.py; it moved, with `gpt-4o`, before), and OFR203 and its
    TODO stay true."""
    files = {
        "settings.py": 'CHAT_MODEL = "gpt-4o"\n',
        "app.py": ASK.format(imports="import settings", model="settings.CHAT_MODEL"),
        "proxy.py": (
            "from openai import OpenAI\n\nimport settings\n\n"
            'gateway = OpenAI(base_url="https://llm-gateway.example.com/v1")\n\n\n'
            "def relay(q):\n"
            "    return gateway.chat.completions.create(model=settings.CHAT_MODEL, messages=[])\n"
        ),
    }
    _write(tmp_path, files)
    before, after, again, idempotent = _walk(tmp_path)
    assert ("app.py", 9, "OFR203", False) in _codes(before), before
    assert ("settings.py", 1, "OFR201", False) in _codes(before), before
    assert ("app.py", 5, "OFR101", False) in _codes(before), before
    assert after["settings.py"] == files["settings.py"]
    assert "# TODO[offramp]: model comes from `settings.CHAT_MODEL`" in after["app.py"], after["app.py"]
    assert "`OpenAI` left as it is: its model `gpt-4o` stays" in after["app.py"], after["app.py"]
    assert "dashscope" not in after["app.py"], after["app.py"]
    assert " OFR101 " in again and "All checks passed!" not in again, again
    assert idempotent


def test_a_suppressed_constant_keeps_the_request_unsettled(tmp_path: Path) -> None:
    """`# noqa: OFR201` on the constant: fix leaves it, so check reports the call's OFR203 and fix writes its TODO."""
    files = {
        "settings.py": 'CHAT_MODEL = "gpt-4o"  # noqa: OFR201\n',
        "app.py": ASK.format(imports="import settings", model="settings.CHAT_MODEL"),
    }
    _write(tmp_path, files)
    before, after, _, idempotent = _walk(tmp_path)
    assert ("app.py", 9, "OFR203", False) in _codes(before), before
    assert after["settings.py"] == files["settings.py"]
    assert "model comes from `settings.CHAT_MODEL`" in after["app.py"]
    assert idempotent


def test_a_warm_check_keeps_the_answer(tmp_path: Path) -> None:
    """The route stage's answer is kept with its findings (project/lastroutes.py): a second check served from
    the cache, and one after a comment edit, drop the OFR203 too."""
    root = tmp_path / "walk"
    shutil.copytree(FIXTURES / "projects" / "walk", root)
    args = ["check", "--to", "qwen", "--cache-dir", str(tmp_path / "cache"), "--output-format", "concise", "."]
    runs = [run_cli(args, root).stdout]
    runs.append(run_cli(args, root).stdout)
    with (root / "app.py").open("a", encoding="utf-8") as f:
        f.write("# a comment\n")
    runs.append(run_cli(args, root).stdout)
    assert all(" OFR201 " in out and " OFR203 " not in out for out in runs), runs
