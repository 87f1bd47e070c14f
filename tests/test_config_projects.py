"""Configuration files move only together with the code that reads them: fixture projects
(tests/fixtures/config-projects/<name>/) fixed with `offramp fix --to qwen` as a user would.

`<name>.to-qwen/` holds each configuration file the fix changes, as it must read afterwards (every
other configuration file must come out byte for byte as it went in; the Python files' rewrites are
tests/test_fix_fixtures.py's business); `<name>.check-after` is `offramp check
--to qwen` on the result: what is left must be said, never "All checks passed!" for a half-moved
file. A second fix changes nothing. Regenerate with OFFRAMP_UPDATE_SNAPSHOTS=1 and read the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Dict, List

import pytest
from helpers import FIXTURES, UPDATE, compare_snapshot, concise_lines

from offramp.discover import discover
from offramp.engine import make_options, resolve_provider
from offramp.fixes.runner import run_fix
from offramp.runner import iter_findings, run
from offramp.settings import Settings
from offramp.userconfig.kind import read_as_config

PROJECTS = FIXTURES / "config-projects"
NAMES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir() and "." not in p.name)


def tree(root: Path) -> Dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fix_tree(root: Path) -> List[str]:
    settings = Settings(root=root)
    files = discover([str(root)], root=root, config_files=settings.config_files).files
    lines: List[str] = []
    cwd = os.getcwd()
    os.chdir(root)
    try:
        run_fix(
            files,
            settings,
            resolve_provider("qwen", settings),
            diff=False,
            jobs=1,
            echo=lambda text, **kw: lines.extend(str(text).splitlines()),
        )
    finally:
        os.chdir(cwd)
    return lines


def check_tree(root: Path) -> str:
    settings = Settings(root=root)
    files = discover([str(root)], root=root, config_files=settings.config_files).files
    return concise_lines(iter_findings(run(files, make_options(settings, resolve_provider("qwen", settings)), jobs=1)))


@pytest.fixture(params=NAMES)
def fixed(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    name = request.param
    work = tmp_path / name
    shutil.copytree(PROJECTS / name, work)
    lines = fix_tree(work)
    return name, work, lines


def test_fix_changes_exactly_the_expected_configuration_files(fixed) -> None:  # type: ignore[no-untyped-def]
    name, work, _ = fixed
    before, after = tree(PROJECTS / name), tree(work)
    assert sorted(after) == sorted(before)
    expected_dir = PROJECTS / f"{name}.to-qwen"
    changed = {path: data for path, data in after.items() if data != before[path] and read_as_config(path)}
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, data in changed.items():
            (expected_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / path).write_bytes(data)
    assert changed == (tree(expected_dir) if expected_dir.exists() else {})


def test_check_after_fix_says_what_is_left(fixed) -> None:  # type: ignore[no-untyped-def]
    name, work, _ = fixed
    compare_snapshot(check_tree(work), PROJECTS / f"{name}.check-after")


def test_a_second_fix_changes_nothing(fixed) -> None:  # type: ignore[no-untyped-def]
    _, work, _ = fixed
    once = tree(work)
    fix_tree(work)
    assert tree(work) == once


def test_an_internal_error_working_out_the_readers_leaves_the_files_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import offramp.userconfig.plan

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("index exploded")

    monkeypatch.setattr(offramp.userconfig.plan, "build_view", broken)
    work = tmp_path / "env-pair"
    shutil.copytree(PROJECTS / "env-pair", work)
    lines = fix_tree(work)
    assert (work / ".env").read_bytes() == (PROJECTS / "env-pair" / ".env").read_bytes()
    assert "dashscope" in (work / "app.py").read_text(encoding="utf-8")  # the code is still fixed
    assert any(".env:1: note: not rewritten: offramp could not work out who reads it" in line for line in lines)


def test_compose_services_are_read_in_their_usual_shapes() -> None:
    from offramp.userconfig.compose import is_compose_file, services

    text = (
        "version: '3'\n"
        "services:\n"
        "  api:\n"
        "    build: ./backend  # the Python API\n"
        "    env_file: [.env, prod.env]\n"
        "  web:\n"
        "    build:\n"
        "      context: ./frontend\n"
        "    env_file:\n"
        "      - path: ./web.env\n"
        "        required: false\n"
        "    environment:\n"
        "      OPENAI_BASE: ${OPENAI_BASE_URL:-https://api.openai.com/v1}\n"
        "  worker:\n"
        "    image: node:20\n"
        "    env_file:\n"
        "      - .env\n"
        "volumes:\n"
        "  data: {}\n"
    )
    got = {s.name: (s.context, s.env_files, sorted(s.refs)) for s in services(text)}
    assert got == {
        "api": ("./backend", [".env", "prod.env"], []),
        "web": ("./frontend", ["./web.env"], ["OPENAI_BASE_URL"]),
        "worker": (None, [".env"], []),
    }
    names = ["docker-compose.yml", "compose.yaml", "docker-compose.prod.yml", "app.compose.yaml"]
    assert all(is_compose_file(n) for n in names)
    assert not any(is_compose_file(n) for n in ("composer.yaml", "config.yml", "docker-compose.json"))
