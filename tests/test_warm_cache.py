"""A warm check answers from the cache, and says exactly what a cold check says (issue 15).

The findings cache holds configuration files as well as code, and the project stage's index and
route findings are reused when nothing they read changed. Each test proves the cache was read
(an entry changed on disk shows up, or the work it replaces is never started) and compares the
warm output with a `--no-cache` run of the same tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

import pytest
from helpers import FIXTURES, run_cli

ARGS = (("--output-format", "json"), ("--to", "qwen", "--output-format", "json"))


def _tree(tmp_path: Path) -> Path:
    """Python that reads YAML/JSON settings, compose and .env files of several services, a plain config."""
    root = tmp_path / "proj"
    shutil.copytree(FIXTURES / "config-projects" / "framework-yaml", root)
    shutil.copytree(FIXTURES / "config-projects" / "monorepo", root / "services")
    (root / "deploy").mkdir()
    (root / "deploy" / "llm.yaml").write_text("llm:\n  model: gpt-4o-mini\n  base_url: https://api.openai.com/v1\n")
    (root / "deploy" / "plain.json").write_text('{"replicas": 2}\n')
    return root


def _check(root: Path, env: dict, *args: str) -> str:
    proc = run_cli(["check", "--exit-zero", *args, "."], root, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _same_warm_as_cold(root: Path, env: dict, args_sets: tuple = ARGS) -> None:
    """The first run after a change (edited files' entries replaced) and the next (all warm) say what cold says."""
    for args in args_sets:
        cold = _check(root, env, "--no-cache", *args)
        assert '"code": "OFR' in cold
        assert _check(root, env, *args) == cold, args
        assert _check(root, env, *args) == cold, args


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def test_warm_checks_match_cold_ones_before_and_after_edits(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _tree(tmp_path)
    _same_warm_as_cold(root, env)
    edits: list[Callable[[], None]] = [
        lambda: _append(root / "deploy" / "llm.yaml", "  fallback_model: gpt-4o\n"),  # a new finding
        lambda: _append(root / "services" / "backend" / ".env", "OPENAI_MODEL=o3-mini\n"),
        lambda: (root / "app" / "settings.json").write_text('{"base_url": null, "model": "gpt-4.1"}\n'),  # read by code
        lambda: _append(root / "app" / "chat.py", "\n# edited\n"),
        lambda: (root / "deploy" / "llm.yaml").unlink(),
    ]
    for edit in edits:
        edit()
        _same_warm_as_cold(root, env, ARGS[1:])


def _rewrite_entry(cache_dir: Path, machine: Path, path: str, monkeypatch, edit: Callable[[list], list]) -> None:
    from offramp.cache import FindingsCache

    monkeypatch.setenv("XDG_CACHE_HOME", str(machine))
    for file in cache_dir.glob("findings-*.bin"):
        cache = FindingsCache.open(cache_dir, file.name[len("findings-") : -len(".bin")])
        digest, findings = cache.entries[path]
        cache.entries[path] = (digest, edit(findings))
        cache.dirty = True
        cache.save()


def test_configuration_files_are_answered_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    """Before, every YAML/JSON/.env file was scanned again on every run (a warm check of a monorepo
    with 1,000 configuration files was 1.6-2x faster than a cold one, not 10x)."""
    machine = tmp_path / "machine"
    env = {"XDG_CACHE_HOME": str(machine)}
    root = _tree(tmp_path)
    args = ("--output-format", "concise")
    cold = _check(root, env, "--no-cache", *args)
    assert "deploy/llm.yaml:2:10: OFR201" in cold
    _check(root, env, *args)
    _rewrite_entry(
        root / ".offramp_cache",
        machine,
        "deploy/llm.yaml",
        monkeypatch,
        lambda fs: [{**f, "message": "FROM CACHE"} for f in fs],
    )
    warm = _check(root, env, *args)
    assert "deploy/llm.yaml:2:10: OFR201 FROM CACHE" in warm
    _append(root / "deploy" / "llm.yaml", "# edited\n")  # a changed file is scanned again
    assert _check(root, env, *args) == cold


@pytest.mark.parametrize("to", [None, "qwen"])
def test_a_warm_run_reuses_the_project_index_and_route_findings(tmp_path: Path, monkeypatch, to: Optional[str]) -> None:
    """The index cache's entries are keyed by content digests; masking secrets in the cache masked those
    digests too (32 hex digits look like an Azure key), so no entry ever matched: every warm run indexed
    every module again and recomputed every route."""
    import offramp.project.stage as stage
    import offramp.project.tree as tree

    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _tree(tmp_path)
    args = ("--output-format", "json", *(("--to", to) if to else ()))
    cold = _check(root, env, *args)
    built: list = []
    real_build = tree.build
    monkeypatch.setattr(tree, "build", lambda text, display, *a: built.append(display) or real_build(text, display, *a))

    def no_routes(*a: object) -> None:
        raise AssertionError("the routes of an unchanged tree were recomputed")

    monkeypatch.setattr(stage, "project_routes", no_routes)
    assert _check(root, env, *args) == cold
    monkeypatch.undo()
    monkeypatch.setattr(tree, "build", lambda text, display, *a: built.append(display) or real_build(text, display, *a))
    _append(root / "app" / "chat.py", "\n# edited\n")  # routes are recomputed; only the edited module is indexed
    warm = _check(root, env, *args)
    assert set(built) <= {"app/chat.py"}, built
    assert warm == _check(root, env, "--no-cache", *args)


def test_an_internal_error_in_the_project_stage_is_a_finding_not_a_crash(tmp_path: Path, monkeypatch) -> None:
    """It ended the run with `UnboundLocalError: ... 'writes'` instead of the OFR002 finding it was meant to be."""
    import offramp.project.stage as stage

    def broken(*a: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(stage, "project_routes", broken)
    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    (tmp_path / "llm.yaml").write_text("model: gpt-4o\n")
    proc = run_cli(["check", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    assert "app.py:1:1: OFR002 " in proc.stdout and "in the project stage: ValueError: boom" in proc.stdout
    assert "app.py:2:10: OFR101" in proc.stdout and "llm.yaml:1:8: OFR201" in proc.stdout  # each file's own findings


def _modules(tmp_path: Path) -> Path:
    """Requests in one module whose model, key and client come from others: settings, a factory, a poster."""
    root = tmp_path / "modules"
    files = {
        "settings.py": 'CHAT_MODEL = "gpt-4o"\nBASE = "https://api.openai.com/v1"\n',
        "factory.py": (
            "import os\nfrom openai import OpenAI\nfrom settings import BASE\n\n\n"
            "def make_client():\n    return OpenAI(base_url=BASE, api_key=os.environ['KEY'])\n"
        ),
        "app.py": (
            "from factory import make_client\nfrom settings import CHAT_MODEL\n\nclient = make_client()\n\n\n"
            "def ask(q):\n    return client.chat.completions.create(model=CHAT_MODEL, messages=[q])\n"
        ),
        "main.py": "import app\n\nprint(app.ask({'role': 'user', 'content': 'hi'}))\n",
        "plain.py": "def total(xs):\n    return sum(xs)\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), "utf-8")


@pytest.mark.parametrize("to", [None, "qwen"])
def test_an_edit_that_changes_a_route_in_another_module_is_seen_by_a_warm_run(
    tmp_path: Path, to: Optional[str]
) -> None:
    """A warm run reuses the last routes when the edited files answer the stage's questions as before
    (project/inputs.py): each edit here changes what a request in another module does, and the warm
    output must be the cold one, after every edit and on the run after it."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _modules(tmp_path)
    args = ("--output-format", "json", *(("--to", to) if to else ()))
    edits: list[Callable[[], None]] = [
        lambda: _edit(root / "settings.py", '"gpt-4o"', '"gpt-4.1-mini"'),  # the model of app.py's request
        lambda: _edit(root / "settings.py", '"https://api.openai.com/v1"', '"https://dashscope.aliyuncs.com/v1"'),
        lambda: _edit(root / "settings.py", "CHAT_MODEL = ", "# no model here\nCHAT_MODEL = "),  # positions move
        lambda: _append(root / "settings.py", "# a comment\n"),  # nothing a route reads
        # a module no route read before starts a request with the factory's client (not a seed: no `openai`)
        lambda: _append(
            root / "plain.py",
            "\nfrom factory import make_client\n"
            "make_client().embeddings.create(model='text-embedding-3-small', input='x')\n",
        ),
        lambda: _edit(root / "plain.py", "text-embedding-3-small", "text-embedding-ada-002"),
        # a raw HTTP request that takes its URL from settings (the `posts` question of a file that had none)
        lambda: _append(
            root / "main.py",
            "import requests\nfrom settings import BASE\n"
            "requests.post(BASE + '/chat/completions', json={'model': 'gpt-4o'})\n",
        ),
        # a `.env` file the program now loads (the `words` question: `load_dotenv`)
        lambda: (root / ".env").write_text("OPENAI_BASE_URL=https://api.openai.com/v1\n", "utf-8"),
        lambda: _edit(
            root / "main.py", "import app\n", "from dotenv import load_dotenv\n\nload_dotenv()\nimport app\n"
        ),
        lambda: _edit(root / "factory.py", "base_url=BASE, ", ""),  # the host now comes from the `.env` file
        lambda: (root / "settings.py").unlink(),
    ]
    cold = _check(root, env, "--no-cache", *args)
    assert _check(root, env, *args) == cold
    outputs = {cold}
    for edit in edits:
        edit()
        cold = _check(root, env, "--no-cache", *args)
        outputs.add(cold)
        assert _check(root, env, *args) == cold, edit
        assert _check(root, env, *args) == cold, edit
    assert len(outputs) >= 8  # (the edits changed what cold reports)


def test_an_edit_no_route_reads_reuses_the_routes(tmp_path: Path, monkeypatch) -> None:
    """A comment appended to a module the routes load, or an edit of a module they never asked about, leaves
    every recorded answer and index entry as it was: the routes are not computed again. An edit of that
    module's code is (the index entry differs), and so is a new import of the client factory in a file."""
    import offramp.project.stage as stage

    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _modules(tmp_path)
    args = ("--output-format", "json")
    real = stage.project_routes
    computed: list = []
    monkeypatch.setattr(stage, "project_routes", lambda *a: computed.append(1) or real(*a))
    _check(root, env, *args)
    assert computed == [1]
    for reused in (
        lambda: _append(root / "settings.py", "# a comment\n"),
        lambda: _append(root / "app.py", "\n\n# the end\n"),
        lambda: _append(root / "plain.py", "\n\ndef mean(xs):\n    return sum(xs) / len(xs)\n"),
    ):
        reused()
        assert _check(root, env, *args) == _check(root, env, "--no-cache", *args)
        assert computed == [1, 1], reused  # (only the --no-cache run computed them)
        computed[1:] = []
    for recomputed in (
        lambda: _edit(root / "settings.py", '"gpt-4o"', '"gpt-4o-mini"'),
        lambda: _append(root / "plain.py", "from factory import make_client\n"),  # (asked: does it import factory?)
    ):
        recomputed()
        computed.clear()
        assert _check(root, env, *args) == _check(root, env, "--no-cache", *args)
        assert computed == [1, 1], recomputed


def test_reused_routes_read_neither_the_index_entries_nor_the_layout_again(tmp_path: Path, monkeypatch) -> None:
    """When the routes still hold, the run reads the small route cache only: the index entries (most of the
    bytes) are opened when an entry is looked up, and the module names of the same files come from the cache.
    A new file changes the layout: it is computed again."""
    import offramp.project.lastroutes as lastroutes
    import offramp.project.tree as tree

    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _modules(tmp_path)
    args = ("--output-format", "json")
    _check(root, env, *args)
    opened: list = []
    real_open, real_names = tree.IndexCache.open.__func__, lastroutes.module_names  # type: ignore[attr-defined]
    monkeypatch.setattr(tree.IndexCache, "open", classmethod(lambda cls, *a: opened.append(1) or real_open(cls, *a)))
    monkeypatch.setattr(lastroutes, "module_names", lambda *a: opened.append("names") or real_names(*a))
    _append(root / "settings.py", "# a comment\n")
    warm = _check(root, env, *args)
    assert opened == [], opened
    assert warm == _check(root, env, "--no-cache", *args)
    opened.clear()
    (root / "extra.py").write_text("X = 1\n")
    assert _check(root, env, *args) == _check(root, env, "--no-cache", *args)
    assert "names" in opened, opened


@pytest.mark.parametrize("to", [None, "qwen"])
def test_reused_routes_reuse_the_files_they_joined(tmp_path: Path, monkeypatch, to: Optional[str]) -> None:
    """A file the routes add a finding to was read, its suppressions parsed and its findings sorted and
    fingerprinted again on every run (`file_result`, ~0.1 ms a file: 85 files of the 2,000-file bench project).
    When the routes are the last run's, a file whose bytes are too gets what joining gave then; an edited one
    is joined again, other codes (`--select`) and recomputed routes start afresh. Each says what cold says."""
    import offramp.joinroutes as joinroutes

    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _modules(tmp_path)
    args = ("--output-format", "json", *(("--to", to) if to else ()))
    cold = _check(root, env, "--no-cache", *args)
    assert '"path": "settings.py"' in cold
    _check(root, env, *args)
    joined: list = []
    real = joinroutes.file_result
    monkeypatch.setattr(joinroutes, "file_result", lambda f, t, d, *a: joined.append(d) or real(f, t, d, *a))
    assert _check(root, env, *args) == cold
    assert joined == [], joined
    _append(root / "settings.py", "# a comment\n")
    assert _check(root, env, *args) == _check(root, env, "--no-cache", *args)
    assert "settings.py" in joined and "factory.py" not in joined, joined
    joined.clear()
    selected = ("--select", "OFR2", *args)
    assert _check(root, env, *selected) == _check(root, env, "--no-cache", *selected)
    assert joined, "other codes: joined afresh"
    _edit(root / "settings.py", '"gpt-4o"', '"gpt-4.1"')  # (the routes are computed again)
    assert _check(root, env, *args) == _check(root, env, "--no-cache", *args)


def test_a_warm_run_that_parses_no_sdk_module_never_imports_libcst(tmp_path: Path) -> None:
    """The project stage's index is stdlib `ast`; `offramp.analysis`, which it imports, imported LibCST
    (~0.2 CPU-s, half of such a warm run on a 2,000-file project). A run after an edit of a module without
    SDK use is answered without it, and so is the run after it, with nothing edited; neither imports the
    route machinery (project/stage.py), which only recomputing the routes needs, nor the framework table
    (wrappers.py): the index's Watch is kept per machine (project/index.py `watch_from_rules`)."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _modules(tmp_path)
    code = (
        "import sys\nfrom offramp.entry import main\nsys.argv = ['offramp', 'check', '--exit-zero', '.']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('libcst' in sys.modules, 'offramp.project.stage' in sys.modules, 'offramp.wrappers' in sys.modules,"
        " file=sys.stderr)\n"
    )

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env={**os.environ, **env}
        )

    assert run().stderr.strip().splitlines()[-1] == "True True True"  # cold: this machine keeps the index's Watch
    _append(root / "plain.py", "\n\ndef mean(xs):\n    return total(xs) / len(xs)\n")
    for _ in range(2):
        proc = run()
        # (nor the route machinery: the edit changed no answer the routes read, project/lastroutes.py)
        assert proc.stderr.strip().splitlines()[-1] == "False False False", proc.stderr
        assert "OFR" in proc.stdout


_SDK_MODULE = """import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])  # the client
MODEL = "gpt-4o"


def ask(q):
    # ask the model
    return client.chat.completions.create(
        model=MODEL,
        messages=[q],
    )
"""


@pytest.mark.parametrize("to", [None, "qwen"])
def test_a_comment_edit_of_an_sdk_module_is_answered_without_analysing_it_again(
    tmp_path: Path, monkeypatch, to: Optional[str]
) -> None:
    """A warm run after an edit of comments outside brackets only (codeshape.py) takes the checks' hits of the
    file's last LibCST analysis from the cache and reads its suppressions, TODOs and fingerprints from the new
    text (engine.finish): before, the file was parsed and analysed again (importing LibCST, ~0.2 CPU-s, for a
    comment appended to it). Whatever the edit, the warm output is the cold one, on the run after it too; an
    edit that moves code by a line, a comment inside brackets and an edit of code are analysed again."""
    import offramp.engine as engine

    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = tmp_path / "proj"
    root.mkdir()
    sdk = root / "sdk.py"
    sdk.write_text(_SDK_MODULE, "utf-8")
    (root / "plain.py").write_text("def total(xs):\n    return sum(xs)\n", "utf-8")
    args = ("--output-format", "json", *(("--to", to) if to else ()))
    real = engine._check_with_libcst
    analysed: list = []
    monkeypatch.setattr(
        engine, "_check_with_libcst", lambda src, display, *a: analysed.append(display) or real(src, display, *a)
    )
    _check(root, env, *args)
    assert analysed == ["sdk.py"]
    served: list[tuple[str, Callable[[], None], str]] = [
        ("a comment line appended", lambda: _append(sdk, "\n# the end\n"), ""),
        ("a trailing comment becomes a suppression", lambda: _edit(sdk, "# the client", "# noqa: OFR101"), "OFR101"),
        ("a trailing comment on a finding's line", lambda: _edit(sdk, '"gpt-4o"', '"gpt-4o"  # x'), ""),
        (
            "a comment becomes a TODO fix left",
            lambda: _edit(sdk, "# ask the model", "# TODO[offramp]: the model has no provider twin (OFR401)"),
            "OFR003",
        ),
        ("a file-wide suppression appended", lambda: _append(sdk, "# offramp: file-ignore[OFR301]\n"), "OFR301"),
        ("a suppression removed", lambda: _edit(sdk, "# noqa: OFR101", "# the client"), "OFR101"),
    ]
    analysed_again: list[tuple[str, Callable[[], None], str]] = [
        ("a comment line above a finding", lambda: _edit(sdk, "MODEL = ", "# the model\nMODEL = "), ""),
        ("a comment inside brackets", lambda: _edit(sdk, "messages=[q],", "messages=[q],  # one"), ""),
        ("an edit of code", lambda: _edit(sdk, '"gpt-4o"', '"gpt-4.1"'), "gpt-4.1"),
    ]
    before = _check(root, env, "--no-cache", *args)
    for edits, again in ((served, False), (analysed_again, True)):
        for what, edit, changed in edits:
            edit()
            cold = _check(root, env, "--no-cache", *args)
            if changed:  # (the edit changed what a cold run reports)
                assert (changed in cold) != (changed in before), what
            analysed.clear()
            assert _check(root, env, *args) == cold, what
            assert analysed == (["sdk.py"] if again else []), what
            assert _check(root, env, *args) == cold, what
            before = cold


def test_the_code_shape_leaves_out_only_comments_outside_brackets() -> None:
    from offramp.codeshape import code_shape

    text = "# -*- coding: utf-8 -*-\nimport os\n\nx = f(  # inside\n    1,\n)  # after\n\n\ndef g():\n    return 1\n"
    shape = code_shape(text)
    assert shape is not None
    same = [
        text + "# appended\n",
        text + "    # appended, indented\n\n\n",
        text.replace("# after", "# noqa: OFR101"),
        text.replace("\n\n\ndef", "\n# a comment\n\ndef"),
        text.replace("    return 1\n", "    return 1  # one\n"),
    ]
    assert all(code_shape(t) == shape for t in same), [code_shape(t) == shape for t in same]
    differ = [
        text.replace("# inside", "# changed"),  # a comment inside brackets: in a node's source
        "\n" + text,  # every line moves
        text.replace("# after", "\n"),  # (a line added)
        text.replace("utf-8", "latin-1"),  # the encoding declaration
        text.replace("return 1", "return  1"),  # a column
        text.replace("1,\n", "1,\n\n"),  # a blank line inside brackets
        text.replace("\n", "\r\n"),
        text.replace("return 1", "return '1'"),
    ]
    assert all(code_shape(t) != shape for t in differ), [code_shape(t) != shape for t in differ]
    assert code_shape("x = (\n") is None


def test_a_premise_that_cannot_be_served_leaves_the_file_to_be_checked(tmp_path: Path, monkeypatch) -> None:
    """Serving a comment edit from the cache is an optimisation: if it fails, the file is analysed as if
    nothing were cached, and the run goes on (before, an error there ended the run)."""
    import offramp.runner as runner

    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = tmp_path / "proj"
    root.mkdir()
    sdk = root / "sdk.py"
    sdk.write_text(_SDK_MODULE, "utf-8")
    args = ("--output-format", "json")
    _check(root, env, *args)

    def broken(*a: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(runner, "finish", broken)
    _edit(sdk, "# the client", "# noqa: OFR101")
    assert _check(root, env, *args) == _check(root, env, "--no-cache", *args)


def test_recomputed_routes_ask_only_the_edited_files_again(tmp_path: Path, monkeypatch) -> None:
    """When an edit changes an index entry, every route is computed again; the stage's questions about the
    files not edited since the last run are answered from its record (project/inputs.py `answers`): before,
    each of them was searched again (11,120 questions on the 2,000-file bench project, ~0.08 CPU-s)."""
    import offramp.project.questions as questions

    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _modules(tmp_path)
    for n in range(3):
        (root / f"other{n}.py").write_text(f"def f{n}(x):\n    return x\n", "utf-8")
    args = ("--output-format", "json")
    _check(root, env, *args)
    asked: list = []
    for name, real in list(questions.QUESTIONS.items()):

        def counted(data, arg, watch, real=real, name=name):  # type: ignore[no-untyped-def]
            asked.append(name)
            return real(data, arg, watch)

        monkeypatch.setitem(questions.QUESTIONS, name, counted)
    _edit(root / "settings.py", '"gpt-4o"', '"gpt-4o-mini"')  # its entry changes: the routes are computed again
    warm = _check(root, env, *args)
    warm_asked = len(asked)
    asked.clear()
    assert warm == _check(root, env, "--no-cache", *args)
    assert warm_asked > 0 and 3 * warm_asked <= len(asked)  # (a cold run asks every file; this one settings.py)
    _append(root / "plain.py", "from factory import make_client\n")  # a new importer: its answers differ
    assert _check(root, env, *args) == _check(root, env, "--no-cache", *args)


_LOCAL_AGENT = "class Agent:\n    def __init__(self, name, model):\n        self.name, self.model = name, model\n"
_LOCAL_AGENT_USER = 'from agents import Agent\nfrom openai import OpenAI\n\nbot = Agent(name="a", model="gpt-4o")\n'


@pytest.mark.parametrize("to", [None, "qwen"])
def test_a_file_checked_again_as_the_project_imports_is_cached_too(
    tmp_path: Path, monkeypatch, to: Optional[str]
) -> None:
    """A file whose `from agents import Agent` is its folder's own agents.py is analysed a second time with that
    word (joinroutes._as_the_project_imports, project/locallibs.py). That second analysis was done on every run; it is
    now kept in the findings cache by the file's content and those libraries: a warm run does not parse it, an
    edit of it does, and the output is the cold run's each time."""
    from offramp import joinroutes

    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = tmp_path / "proj"
    for name, text in {"bot/agents.py": _LOCAL_AGENT, "bot/main.py": _LOCAL_AGENT_USER}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    args = ("--to", to) if to else ()
    analysed: list = []
    real = joinroutes.check_source
    monkeypatch.setattr(joinroutes, "check_source", lambda src, d, *a, **k: analysed.append(d) or real(src, d, *a, **k))
    cold = _check(root, env, "--no-cache", *args)
    assert "bot/main.py" in analysed and "OFR201" not in cold, cold
    assert _check(root, env, *args) == cold
    analysed.clear()
    assert _check(root, env, *args) == cold
    assert analysed == [], analysed
    _append(root / "bot" / "main.py", 'print(bot.model, "again")\n')
    assert _check(root, env, *args) == _check(root, env, "--no-cache", *args)
    assert "bot/main.py" in analysed


def test_runs_with_and_without_a_provider_keep_their_own_routes(tmp_path: Path, monkeypatch) -> None:
    """The route cache was one file whatever the options, and its fingerprint holds them: a `check` and a `check
    --to qwen` run in turn (a hook and an editor) each found the other's routes and computed every route again.
    Each set of options now keeps its own; the index entries stay shared."""
    import offramp.project.stage as stage

    env = {"XDG_CACHE_HOME": str(tmp_path / "machine")}
    root = _tree(tmp_path)
    plain, qwen = ("--output-format", "json"), ("--to", "qwen", "--output-format", "json")
    first = {args: _check(root, env, *args) for args in (plain, qwen)}

    def no_routes(*a: object) -> None:
        raise AssertionError("the routes of an unchanged tree were recomputed")

    monkeypatch.setattr(stage, "project_routes", no_routes)
    for _ in range(2):
        for args in (plain, qwen):
            assert _check(root, env, *args) == first[args]
    assert first[plain] != first[qwen]
