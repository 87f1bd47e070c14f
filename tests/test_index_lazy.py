"""The project index builds entries only for modules whose content a route can read.

Which modules share a program (`RouteFinder.linked`, for module-client configuration and environment
writes) is read from the import lines of the modules already indexed: a module they import is named
by the project's layout, not indexed for it. On the SDK corpora that was 154 of the 368 entries built
(bench/figures.py, the index share of a cold check). Findings are unchanged: the guard is the fixture
snapshots and the corpora, compared before and after.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

from test_project_routes import check_tree

import offramp.project.indexer as indexer
import offramp.project.tree as tree

APP = """\
import os

import openai

import helpers
from pkg import tools

openai.api_key = os.environ["LLM_KEY"]
openai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"


def ask(q):
    return openai.ChatCompletion.create(model="gpt-4", messages=[{"role": "user", "content": helpers.clean(q)}])
"""

# A script of its own: app.py's configuration is not its program's (no module imports both)
WORKER = """\
import openai

print(openai.ChatCompletion.create(model="gpt-4", messages=[]))
"""

HELPERS = """\
def clean(q):
    return q.strip()
"""


def _built(monkeypatch) -> List[str]:
    built: List[str] = []
    real = indexer.build

    def recording(text, path, watch, parsed=None):
        built.append(path)
        return real(text, path, watch, parsed)

    monkeypatch.setattr(indexer, "build", recording)
    monkeypatch.setattr(tree, "build", recording)
    return built


def test_modules_only_imported_by_a_module_client_file_are_not_indexed(tmp_path: Path, monkeypatch) -> None:
    """app.py configures the module client, so worker.py's route asks whether both share a program: that
    answer needs the names app.py imports (helpers, pkg.tools), not their entries. Before, both were indexed."""
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "worker.py").write_text(WORKER)
    (tmp_path / "helpers.py").write_text(HELPERS)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "tools.py").write_text(HELPERS)
    built = _built(monkeypatch)
    findings = check_tree(tmp_path)
    assert {f.code for f in findings if f.path == "app.py"} == {"OFR204"}, findings  # (gpt-4 sent to DashScope)
    assert {f.code for f in findings if f.path == "worker.py"} >= {"OFR201"}, findings  # (to OpenAI)
    assert sorted(set(built)) == ["app.py", "worker.py"]
