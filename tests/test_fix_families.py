"""One provider per request family: `--to chat=deepseek,embeddings=qwen` (offramp.targets).

DeepSeek serves no embeddings, so `--to deepseek` alone leaves a TODO on every embedding call.
With a provider per family each client moves to the provider of the requests it sends; a client
sending both is split in two (fixes/families.py); one that cannot be split safely keeps today's
behaviour and says why. Snapshots: tests/fixtures/fix/families/input/*.py rewritten into
tests/fixtures/fix/families/deepseek+qwen/.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path
from typing import List

import pytest
from helpers import FIXTURES, compare_snapshot, run_cli

from offramp.engine import resolve_targets
from offramp.fixes.onefile import FixResult
from offramp.fixes.runner import fix_files
from offramp.settings import ConfigError, Settings, parse_settings
from offramp.targets import TargetError, parse_spec

SPEC = "chat=deepseek,embeddings=qwen"
INPUTS = sorted((FIXTURES / "fix" / "families" / "input").glob("*.py"))
EXPECTED = FIXTURES / "fix" / "families" / "deepseek+qwen"


def fix(paths: List[Path], root: Path, target: str = SPEC) -> List[FixResult]:
    s = Settings(root=root, target=target)
    targets = resolve_targets(s)
    assert targets is not None
    results = fix_files(paths, s, targets.default, jobs=1)
    assert all(r.error is None for r in results), [r.error for r in results]
    return results


# -- the target -------------------------------------------------------------------------------


def test_spec_names_a_provider_per_family() -> None:
    assert parse_spec("chat=deepseek, embeddings=qwen") == {"chat": "deepseek", "embeddings": "qwen"}
    assert parse_spec("deepseek,embeddings=qwen") == {"": "deepseek", "embeddings": "qwen"}
    t = resolve_targets(Settings(root=Path("."), target="deepseek,embeddings=glm"))
    assert t is not None and t.split
    assert (t.for_family("chat").id, t.for_family("responses").id) == ("deepseek", "deepseek")
    assert (t.for_family("embeddings").id, t.for_family("moderations").id) == ("glm", "deepseek")
    assert t.for_model_family("embedding-large").id == "glm"
    one = resolve_targets(Settings(root=Path("."), target="qwen"))
    assert one is not None and not one.split and one.default.id == "qwen"


@pytest.mark.parametrize(
    "spec, words",
    [
        ("chat=deepseek,embedding=qwen", "unknown request family 'embedding' (did you mean `embeddings`?)"),
        ("chat=deepseek,chat=qwen", "family 'chat' is given twice"),
        ("embeddings=qwen", "no provider for chat requests"),
        ("chat=deepseek,,embeddings=qwen", "empty entry"),
        ("chat=,embeddings=qwen", "no provider for chat"),
    ],
)
def test_a_malformed_spec_says_why(spec: str, words: str) -> None:
    with pytest.raises(TargetError, match=re.escape(words)):
        parse_spec(spec)


@pytest.mark.parametrize(
    "spec, words",
    [
        ("chat=deepseek,embedding=qwen", "did you mean `embeddings`?"),
        ("chat=deepsek,embeddings=qwen", "unknown provider 'deepsek' (did you mean `deepseek`?)"),
        ("chat=deepseek,embeddings=deepseek,embeddings=qwen", "family 'embeddings' is given twice"),
    ],
)
def test_cli_usage_errors_are_one_line_and_exit_2(spec: str, words: str, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import openai\n", encoding="utf-8")
    for command in ("check", "fix"):
        proc = run_cli([command, "--to", spec, "."], tmp_path)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("offramp: error: ") and words in lines[0], proc.stderr


def test_config_table_is_the_same_target(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    s = parse_settings({"target": {"chat": "deepseek", "embeddings": "qwen"}}, path)
    assert s.target == SPEC
    with pytest.raises(ConfigError, match=r"tool.offramp.target: unknown request family 'vectors'"):
        parse_settings({"target": {"chat": "deepseek", "vectors": "qwen"}}, path)
    with pytest.raises(ConfigError, match=r"tool.offramp.target: expected a provider name or a table"):
        parse_settings({"target": ["deepseek"]}, path)


def test_show_settings_lists_each_providers_families(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.offramp]\ntarget = {chat = "deepseek", embeddings = "qwen"}\n', encoding="utf-8"
    )
    proc = run_cli(["check", "--show-settings", "."], tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f'target = "{SPEC}"' in out
    deepseek, qwen = out.split("[provider.deepseek]")[1].split("[provider.qwen]")
    assert 'key-env = "DEEPSEEK_API_KEY"' in deepseek and 'families = ["chat", "images", "audio"]' in deepseek
    assert 'key-env = "DASHSCOPE_API_KEY"' in qwen and 'families = ["embeddings"]' in qwen


# -- fix --------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.stem)
def test_fix_snapshot(source: Path, tmp_path: Path) -> None:
    work = tmp_path / source.name
    shutil.copy(source, work)
    fix([work], tmp_path)
    text = work.read_text(encoding="utf-8")
    ast.parse(text)
    compare_snapshot(text, EXPECTED / source.name)
    before = work.read_bytes()
    (again,) = fix([work], tmp_path)
    assert not again.changed and work.read_bytes() == before, "second fix changed the file"


def test_check_passes_after_fix_only_when_done(tmp_path: Path) -> None:
    done, stuck = tmp_path / "done", tmp_path / "stuck"
    done.mkdir()
    stuck.mkdir()
    for name in ("separate.py", "shared.py", "azure_client.py"):
        shutil.copy(FIXTURES / "fix" / "families" / "input" / name, done / name)
    shutil.copy(FIXTURES / "fix" / "families" / "input" / "unsplittable.py", stuck / "unsplittable.py")
    for work in (done, stuck):
        proc = run_cli(["fix", "--to", SPEC, "."], work)
        assert proc.returncode in (0, 1), proc.stderr
        assert "for chat at DeepSeek and embeddings at Qwen" in proc.stderr
    for args in (["--to", SPEC], []):
        ok = run_cli(["check", *args, "--no-cache", "--output-format", "concise", "."], done)
        assert ok.returncode == 0 and "All checks passed!" in ok.stdout, ok.stdout
        left = run_cli(["check", *args, "--no-cache", "--output-format", "concise", "."], stuck)
        assert left.returncode == 1 and "DeepSeek does not serve the OpenAI `embeddings` API" in left.stdout
        if args:  # what fix left is nothing fix could do (the module-level client stays whole)
            assert not [line for line in left.stdout.splitlines() if line.endswith("[*]")], left.stdout


def test_check_judges_each_request_by_its_familys_provider(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "fix" / "families" / "input" / "shared.py", tmp_path / "shared.py")
    one = run_cli(["check", "--to", "deepseek", "--no-cache", "--output-format", "concise", "."], tmp_path).stdout
    per = run_cli(["check", "--to", SPEC, "--no-cache", "--output-format", "concise", "."], tmp_path).stdout
    assert "DeepSeek does not serve the OpenAI `embeddings` API" in one
    assert "does not serve" not in per and "no DeepSeek equivalent" not in per
    assert "`text-embedding-3-small` becomes `text-embedding-v4` on Qwen" in per
    assert "`gpt-4o` becomes `deepseek-v4-pro` on DeepSeek" in per
    assert f"fixable with `offramp fix --to {SPEC}`" in per


def test_a_client_of_another_module_follows_the_requests_sent_through_it(tmp_path: Path) -> None:
    """The client's file has no request of its own: the project's routes say what it sends. Sending one
    family, it moves to that family's provider; sending two, from another file, it cannot be split
    there, and moves not at all (a TODO), rather than send embeddings to DeepSeek."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "clients.py").write_text("from openai import OpenAI\n\nboth = OpenAI()\nvectors = OpenAI()\n")
    (pkg / "use.py").write_text(
        "from pkg.clients import both, vectors\n\n\n"
        "def embed(q):\n"
        '    return vectors.embeddings.create(model="text-embedding-3-small", input=q)\n\n\n'
        "def both_ways(q):\n"
        '    both.embeddings.create(model="text-embedding-3-small", input=q)\n'
        '    return both.chat.completions.create(model="gpt-4o", messages=[])\n',
        encoding="utf-8",
    )
    fix([pkg / "__init__.py", pkg / "clients.py", pkg / "use.py"], tmp_path)
    clients = (pkg / "clients.py").read_text(encoding="utf-8")
    vectors = clients.split("vectors = ")[1]
    assert 'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"' in vectors
    assert 'os.environ["DASHSCOPE_API_KEY"]' in vectors
    assert "# TODO[offramp]: `OpenAI` left as it is: a request in pkg/use.py does not move to Qwen" in clients
    assert "both = OpenAI()\n" in clients
    use = (pkg / "use.py").read_text(encoding="utf-8")
    assert use.count('model="text-embedding-v4"') == 1 and 'model="gpt-4o"' in use


def test_plain_target_is_unchanged(tmp_path: Path) -> None:
    """`--to deepseek` keeps today's behaviour: one client, the embeddings call with its TODO."""
    work = tmp_path / "shared.py"
    shutil.copy(FIXTURES / "fix" / "families" / "input" / "shared.py", work)
    fix([work], tmp_path, target="deepseek")
    text = work.read_text(encoding="utf-8")
    assert "client_embeddings" not in text and "dashscope" not in text
    assert "DeepSeek does not serve the OpenAI `embeddings` API (OFR401)" in text


def test_split_client_is_wrapped_like_ruff_format_where_ruff_settings_apply(tmp_path: Path) -> None:
    (tmp_path / "ruff.toml").write_text("line-length = 88\n", encoding="utf-8")
    work = tmp_path / "app.py"
    work.write_text(
        "from openai import OpenAI\n\nclient = OpenAI(max_retries=3)\n\n\ndef go(q):\n"
        '    client.embeddings.create(model="text-embedding-3-small", input=q)\n'
        '    return client.chat.completions.create(model="gpt-4o", messages=[])\n',
        encoding="utf-8",
    )
    fix([work], tmp_path)
    text = work.read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 88, text
    assert "client_embeddings = OpenAI(\n" in text and "    max_retries=3,\n)" in text, text


def test_key_variable_findings_name_the_provider_of_their_client(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "fix" / "families" / "input" / "separate.py", tmp_path / "separate.py")
    out = run_cli(["check", "--to", SPEC, "--no-cache", "--output-format", "concise", "."], tmp_path).stdout
    keys = [line for line in out.splitlines() if " OFR301 " in line]
    assert len(keys) == 2, out
    assert keys[0].startswith("separate.py:8:") and keys[0].endswith("DeepSeek reads `DEEPSEEK_API_KEY` [*]")
    assert keys[1].startswith("separate.py:9:") and "reads `DASHSCOPE_API_KEY`" in keys[1]


def test_providers_and_report_name_every_target(tmp_path: Path) -> None:
    (tmp_path / "offramp.toml").write_text('target = "deepseek,embeddings=qwen"\n', encoding="utf-8")
    shutil.copy(FIXTURES / "fix" / "families" / "input" / "shared.py", tmp_path / "shared.py")
    listed = run_cli(["providers"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "chat -> deepseek, embeddings -> qwen, images -> deepseek, audio -> deepseek" in listed.stdout
    proc = run_cli(["fix", "--diff", "--report", "migration.md", "."], tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = (tmp_path / "migration.md").read_text(encoding="utf-8")
    assert "**`DEEPSEEK_API_KEY`** and **`DASHSCOPE_API_KEY`**" in report
    assert "families: embeddings" in report and "offramp check --to chat=deepseek,embeddings=qwen" in report


def test_check_predicts_what_fix_cannot_split(tmp_path: Path) -> None:
    """A request fix cannot move to its family's provider is judged at the chat provider, and the
    clients the route gate then holds whole (one handed on, the module-level one) are not offered as
    fixable."""
    shutil.copy(FIXTURES / "fix" / "families" / "input" / "unsplittable.py", tmp_path / "unsplittable.py")
    out = run_cli(["check", "--to", SPEC, "--no-cache", "--output-format", "concise", "."], tmp_path).stdout
    lines = out.splitlines()
    assert any(
        "OFR401 DeepSeek does not serve the OpenAI `embeddings` API used by `c.embeddings.create`" in x for x in lines
    )
    module = [x for x in lines if " OFR103 " in x or " OFR104 " in x]
    assert len(module) == 3 and not any(x.endswith("[*]") for x in module), out
    # the handed-on client: its embeddings request (followed into `embed_with`) holds it whole too
    assert any(" OFR101 " in x and not x.endswith("[*]") for x in lines), out


def test_annotated_binding_splits_and_a_copied_client_stays_whole(tmp_path: Path) -> None:
    work = tmp_path / "app.py"
    work.write_text(
        "from openai import OpenAI\n\n"
        "annotated: OpenAI = OpenAI()\ncopied = OpenAI()\n\n\n"
        "def go(q):\n"
        '    annotated.embeddings.create(model="text-embedding-3-small", input=q)\n'
        '    annotated.chat.completions.create(model="gpt-4o", messages=[])\n'
        '    copied.with_options(timeout=5).embeddings.create(model="text-embedding-3-small", input=q)\n'
        '    return copied.chat.completions.create(model="gpt-4o", messages=[])\n',
        encoding="utf-8",
    )
    fix([work], tmp_path)
    text = work.read_text(encoding="utf-8")
    assert "annotated_embeddings = OpenAI(" in text and "annotated_embeddings.embeddings.create(" in text
    # the copy's request is one the file's analysis does not tie to `copied`: the routes do, and hold it whole
    assert "copied_embeddings" not in text and "\ncopied = OpenAI()\n" in text
    assert "`OpenAI` left as it is: a request in app.py does not move to Qwen" in text


def test_example_project_check_and_fix_agree(tmp_path: Path) -> None:
    """examples/chatbot: search.py's client factory serves embeddings there and chat in faq.py. fix cannot
    split a factory, so the route gate holds that client whole; check says so before and after."""
    work = tmp_path / "chatbot"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "chatbot", work)
    check = ["check", "--to", "deepseek,embeddings=qwen", "--no-cache", "--output-format", "concise", "."]
    before = run_cli(check, work).stdout
    assert any(x.startswith("chatbot/search.py:8:12: OFR101") and not x.endswith("[*]") for x in before.splitlines())
    assert run_cli(["fix", "--to", "deepseek,embeddings=qwen", "."], work).returncode in (0, 1)
    after = run_cli(check, work).stdout
    assert not [x for x in after.splitlines() if x.endswith("[*]")], after
    assert (
        "left as it is: a request in chatbot/search.py does not move to Qwen"
        in (work / "chatbot" / "search.py").read_text()
    )
