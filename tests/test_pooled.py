"""The pool's two rounds (offramp/pooled.py): the project stage runs beside the LibCST checks, with the
findings of an inline run."""

from __future__ import annotations

import ast
import contextlib
import shutil
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
from helpers import FIXTURES

import offramp.engine
import offramp.runner
import offramp.workers
from offramp import source
from offramp.discover import discover
from offramp.engine import make_options, resolve_provider
from offramp.runner import POOL_MIN_FILES, iter_findings, run
from offramp.settings import Settings

PROJECTS = FIXTURES / "projects"


def _project(root: Path, modules: int = POOL_MIN_FILES) -> List[Path]:
    """A package whose model is a constant of its settings module, used by `modules` modules with the SDK,
    and a module without it that names OpenAI's host (the stdlib parser's fast path)."""
    pkg = root / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "settings.py").write_text('CHAT_MODEL = "gpt-4o"\n', encoding="utf-8")
    (pkg / "hosts.py").write_text('BASE = "https://api.openai.com/v1"\n', encoding="utf-8")
    for i in range(modules):
        (pkg / f"m{i:02}.py").write_text(
            "from openai import OpenAI\n"
            "from .settings import CHAT_MODEL\n"
            "client = OpenAI()\n"
            f"def ask{i}(q):\n"
            "    return client.chat.completions.create(model=CHAT_MODEL, messages=[q])\n",
            encoding="utf-8",
        )
    return sorted(root.rglob("*.py"))


class _Later(Future):
    """A future whose call runs when its result is first asked for, in this process."""

    def __init__(self, fn: Callable[..., Any], args: tuple) -> None:
        super().__init__()
        self._call: Optional[tuple] = (fn, args)

    def result(self, timeout: Optional[float] = None) -> Any:
        if self._call is not None:
            fn, args = self._call
            self._call = None
            try:
                self.set_result(fn(*args))
            except BaseException as e:
                self.set_exception(e)
        return super().result(timeout)


class _LaterExecutor(Executor):
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return _Later(fn, args)


@pytest.fixture
def in_process_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool, in this process: a task runs when its result is asked for (the order a busy pool may take)."""

    @contextlib.contextmanager
    def pool(jobs: int) -> Iterator[Executor]:
        yield _LaterExecutor()

    monkeypatch.setattr(offramp.workers, "process_pool", pool)


def test_the_project_stage_runs_before_the_libcst_checks_and_each_module_is_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_process_pool: None
) -> None:
    """The routes need the index entries only: the stage runs as soon as they are back, and a module that
    imports the SDK is read by `ast` once (its screen, in round 1), not again before LibCST's parse."""
    files = _project(tmp_path)
    events: List[str] = []
    parsed: Dict[str, int] = {}
    real_parse, real_libcst, real_stage = ast.parse, offramp.engine._check_with_libcst, offramp.runner.route_stage

    def counting_parse(text: Any, *a: Any, **k: Any) -> Any:
        if isinstance(text, str) and "from openai import OpenAI" in text:
            parsed[text] = parsed.get(text, 0) + 1
        return real_parse(text, *a, **k)

    def libcst(src: Any, display: str, *a: Any) -> Any:
        events.append(f"libcst {display}")
        return real_libcst(src, display, *a)

    def stage(*a: Any, **k: Any) -> Any:
        events.append("stage")
        return real_stage(*a, **k)

    monkeypatch.setattr(ast, "parse", counting_parse)
    monkeypatch.setattr(offramp.engine, "_check_with_libcst", libcst)
    monkeypatch.setattr(offramp.runner, "route_stage", stage)
    findings = iter_findings(run(files, make_options(Settings(root=tmp_path), None), jobs=2))
    assert events[0] == "stage" and len(events) == POOL_MIN_FILES + 1, events
    assert sorted(parsed.values()) == [1] * POOL_MIN_FILES, parsed
    at_settings = [f for f in findings if f.path == "app/settings.py" and f.code == "OFR201"]
    assert len(at_settings) == 1 and "app/m00.py:5" in at_settings[0].message, findings


def test_a_failing_project_stage_beside_the_pool_is_reported_as_inline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_process_pool: None
) -> None:
    """The stage's exception, raised beside the pool, is handled where the stage's result is read: an OFR002
    where the routes start, the files' own findings kept."""
    import offramp.project.stage

    def broken(*a: Any, **k: Any) -> Any:
        raise ValueError("boom")

    monkeypatch.setattr(offramp.project.stage, "route_hits", broken)
    files = _project(tmp_path)
    opts = make_options(Settings(root=tmp_path), None)
    pooled, inline = iter_findings(run(files, opts, jobs=2)), iter_findings(run(files, opts, jobs=1))
    assert pooled == inline
    assert [f.path for f in pooled if f.code == "OFR002"] == ["app/hosts.py"], pooled
    assert "internal error in the project stage: ValueError: boom" in str(pooled)


@pytest.mark.parametrize("to", [None, "qwen"])
def test_pool_and_inline_runs_agree_on_the_route_projects(tmp_path: Path, to: Optional[str]) -> None:
    """The route fixture projects side by side (enough files for a pool): the same findings either way."""
    for name in ("shop", "agents", "subclasses", "framework_subclasses", "chroma_reopen", "provider_switch"):
        shutil.copytree(PROJECTS / name, tmp_path / name)
    settings = Settings(root=tmp_path)
    files = discover([str(tmp_path)], root=tmp_path, config_files=settings.config_files).files
    opts = make_options(settings, resolve_provider(to, settings))
    pooled, inline = iter_findings(run(files, opts, jobs=2)), iter_findings(run(files, opts, jobs=1))
    assert len(pooled) > 20
    assert pooled == inline


def test_a_text_screened_elsewhere_is_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "x = [1, 2]\n"
    assert source.screen(text) and source.last_ast(text) is not None
    assert not source.screen("x = (\n") and not source.screen("x = " + "[" * 250 + "]" * 250 + "\n")
    assert source.screen("y = 1\n") and source.last_ast(text) is None  # (a kept tree also stands for a parse)
    seen: List[str] = []
    monkeypatch.setattr(ast, "parse", lambda t, *a, **k: seen.append(t))
    with source.screened_elsewhere(text):
        assert source.screen(text)
        assert source.cpython_accepted(text)
    assert seen == []
    source.screen(text)  # (outside the block, screened again)
    assert seen == [text]


def test_the_project_stage_garbage_is_collected_beside_the_pool(tmp_path: Path, in_process_pool: None) -> None:
    """The stage's project is a web of reference cycles: collected beside the pool, not by the first collection
    after the run (0.1-0.2 CPU-s of a cold `check -j 2` of the SDK corpora, on one core while the other idled)."""
    import gc

    files = _project(tmp_path)
    opts = make_options(Settings(root=tmp_path), None)
    gc.collect()
    run(files, opts, jobs=1)
    inline = gc.collect()
    run(files, opts, jobs=2)
    pooled = gc.collect()
    assert pooled * 2 < inline, (pooled, inline)


def _frozen_here() -> int:
    import gc

    return gc.get_freeze_count()


def test_workers_are_forked_with_the_parents_objects_frozen() -> None:
    """A worker's first collection (before its first parse) walked every object it inherited: frozen at the
    fork, they are skipped there; the parent's are not frozen afterwards."""
    import gc
    import multiprocessing

    if multiprocessing.get_start_method(allow_none=False) != "fork":
        pytest.skip("the workers are not forked")
    gc.unfreeze()
    with offramp.workers.process_pool(2) as pool:
        assert gc.get_freeze_count() == 0
        in_worker = pool.submit(_frozen_here).result()
    assert in_worker > 1000, in_worker
