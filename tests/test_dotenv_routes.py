"""Variables a program reads after loading a `.env` file: routes know the file's value (issue 13).

`load_dotenv()` (python-dotenv; also `load_dotenv(find_dotenv(".env.local"))`) fills `os.environ` from a
file, so `os.getenv("OPENAI_BASE_URL")` in a settings module holds that file's line. The fixture
projects (tests/fixtures/oracle/dotenv_*) are also run under the credential oracle
(tests/runtime/test_credential_oracle.py); here: the routes, what `check` says and what `fix` writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import FIXTURES, run_cli
from test_project_routes import check_tree

from offramp.project.files import routes_of_files
from offramp.project.sources import ConfigValue, EnvRead

SHAPES = FIXTURES / "oracle"


def _routes(root: Path) -> list:
    files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    return routes_of_files(files, root)


def _copy(tmp_path: Path, shape: str) -> Path:
    tree = tmp_path / shape
    shutil.copytree(SHAPES / shape, tree)
    return tree


def test_variable_read_after_load_dotenv_has_the_env_line_as_a_source() -> None:
    """Yesterday the host was only `EnvRead(OPENAI_BASE_URL)`: a variable offramp could not see."""
    [route] = _routes(SHAPES / "dotenv_settings")
    loaded = {s.key: s for s in (*route.host, *route.model) if isinstance(s, ConfigValue)}
    assert loaded["OPENAI_BASE_URL"].value == "https://api.openai.com/v1"
    assert (loaded["OPENAI_BASE_URL"].file, loaded["OPENAI_BASE_URL"].span.line) == (".env", 2)
    assert loaded["OPENAI_BASE_URL"].reader == "app/settings.py:6" and loaded["OPENAI_BASE_URL"].loaded
    assert loaded["LLM_MODEL"].value == "gpt-4o"
    # the key's line is not a source of its own: it moves with the variable the code reads
    assert all(isinstance(s, EnvRead) for s in route.credential)


def test_the_file_find_dotenv_names_in_the_entry_point_is_the_one_read() -> None:
    [route] = _routes(SHAPES / "dotenv_local")
    [base] = [s for s in route.host if isinstance(s, ConfigValue)]
    assert (base.file, base.reader, base.value) == (".env.local", "main.py:3", "https://api.openai.com/v1")


def test_a_program_that_never_loads_the_file_does_not_get_its_values(tmp_path: Path) -> None:
    tree = _copy(tmp_path, "dotenv_settings")
    settings = tree / "app" / "settings.py"
    settings.write_text(settings.read_text("utf-8").replace("load_dotenv()\n", ""), "utf-8")
    [route] = _routes(tree)
    assert not [s for s in (*route.host, *route.model) if isinstance(s, ConfigValue)]


def test_check_offers_the_env_url_with_its_route_and_reports_no_model_at_the_loader() -> None:
    """Yesterday the `.env` URL was "not fixed alone: no request offramp can follow uses it", and the key
    held ("a request in main.py does not move"), while the file is the one place to change them."""
    findings = check_tree(SHAPES / "dotenv_settings", "qwen")
    at = {(f.path, f.span.line, f.code): f for f in findings}
    assert at[(".env", 2, "OFR106")].fixable and at[(".env", 1, "OFR301")].fixable
    assert at[(".env", 3, "OFR201")].fixable and at[("app/settings.py", 8, "OFR301")].fixable
    assert not [f for f in findings if f.path == "app/settings.py" and f.span.line == 6]


def test_fix_moves_client_key_and_env_file_together_and_check_then_passes(tmp_path: Path) -> None:
    tree = _copy(tmp_path, "dotenv_settings")
    proc = run_cli(["fix", "--to", "qwen", "."], tree)
    assert proc.returncode in (0, 1), proc.stderr
    llm = (tree / "app" / "llm.py").read_text("utf-8")
    assert 'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1"' in llm
    assert 'os.getenv("DASHSCOPE_API_KEY"' in (tree / "app" / "settings.py").read_text("utf-8")
    env = (tree / ".env").read_text("utf-8").splitlines()
    assert "OPENAI_BASE_URL=https://dashscope.aliyuncs.com/compatible-mode/v1" in env
    assert "DASHSCOPE_API_KEY=" in env and not [line for line in env if line.startswith("OPENAI_API_KEY")]
    assert "LLM_MODEL=qwen3.8-max" in env
    left = {f.code for f in check_tree(tree, "qwen")}
    assert not left & {"OFR101", "OFR106", "OFR201", "OFR204", "OFR303"}, left
    again = run_cli(["fix", "--to", "qwen", "--diff", "."], tree)
    assert "Would rewrite 0 files" in again.stderr + again.stdout


def test_a_gateway_url_in_the_env_file_holds_key_and_file(tmp_path: Path) -> None:
    """The file aims the client at a company gateway: it is the user's choice, and the key the gateway gets
    stays the OpenAI key (renamed, the provider's key would go to the gateway)."""
    tree = _copy(tmp_path, "dotenv_settings")
    dotenv = tree / ".env"
    before = dotenv.read_text("utf-8").replace("https://api.openai.com/v1", "https://llm-gateway.corp.example/v1")
    dotenv.write_text(before, "utf-8")
    proc = run_cli(["fix", "--to", "qwen", "."], tree)
    assert proc.returncode in (0, 1), proc.stderr
    assert dotenv.read_text("utf-8") == before
    assert 'os.getenv("OPENAI_API_KEY")' in (tree / "app" / "settings.py").read_text("utf-8")
    assert "base_url=settings.BASE_URL" in (tree / "app" / "llm.py").read_text("utf-8")


def test_a_model_read_with_no_default_is_settled_by_the_env_line_fix_rewrites(tmp_path: Path) -> None:
    """config-projects/env-model: `model=os.getenv("OPENAI_MODEL")`, no default, the loaded .env sets gpt-4o. fix
    rewrote the .env line with the client, and still wrote "model comes from environment variable
    `OPENAI_MODEL`" above the request; check after fix reported that OFR203 and the read's OFR301 ("names an
    OpenAI model") although the .env the program loads names a Qwen model. The .env line is the model's source:
    check reports it there (OFR201 [*], no OFR203 at the request), fix moves it with the route, no TODO, and
    check after fix passes."""
    tree = tmp_path / "env-model"
    shutil.copytree(FIXTURES / "config-projects" / "env-model", tree)
    before = {(f.path, f.span.line, f.code) for f in check_tree(tree, "qwen")}
    assert (".env", 2, "OFR201") in before and not [c for _, _, c in before if c == "OFR203"], before
    proc = run_cli(["fix", "--to", "qwen", "."], tree)
    assert proc.returncode in (0, 1), proc.stderr
    assert "OPENAI_MODEL=qwen3.8-max" in (tree / ".env").read_text("utf-8")
    assert "TODO[offramp]" not in (tree / "app.py").read_text("utf-8")
    assert check_tree(tree, "qwen") == []


def test_a_model_the_env_line_sets_to_no_known_model_keeps_its_todo(tmp_path: Path) -> None:
    """The same with `OPENAI_MODEL=house-model`: fix cannot say it names a Qwen model, so the TODO stays and
    check after fix reports the request (OFR203) and the read."""
    tree = tmp_path / "env-model"
    shutil.copytree(FIXTURES / "config-projects" / "env-model", tree)
    (tree / ".env").write_text("OPENAI_API_KEY=your-openai-api-key\nOPENAI_MODEL=house-model\n", "utf-8")
    run_cli(["fix", "--to", "qwen", "."], tree)
    assert "(OFR203)" in (tree / "app.py").read_text("utf-8")
    left = {(f.path, f.code) for f in check_tree(tree, "qwen")}
    assert {("app.py", "OFR203"), ("app.py", "OFR301")} <= left, left
