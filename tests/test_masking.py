"""Secrets masked by position, everywhere text leaves offramp (issue 12, items 4, 7 and 9).

A credential is masked wherever offramp or a secret scanner would see one: under a key-like
name, in a URL's userinfo or credential query parameters (`?api-key=`, `&sig=`), and by shape
(`sk-...`, Azure's 32 hex digits, JWTs) under any name at all. That holds for every output
format, for the findings cache on disk, for `fix --diff` (a hunk that would have to show a
secret is not printed, and stderr says so), for `fix --report`, and for the provider URLs `fix`
writes (credentials are dropped, never copied). The masking patterns are linear in the length
of a line; file names with line breaks or control characters cannot forge output lines.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli
from test_secrets_and_trust import NOTEBOOK as ONE_CELL_NOTEBOOK

from offramp.cli import OUTPUT_FORMATS
from offramp.redact import MASK, redact, secret_spans, without_url_credentials

# Built at run time so that no key-shaped literal sits in this file for scanners to flag.
AZURE_KEY = "0f1e2d3c4b5a6978" + "8796a5b4c3d2e1f0"
OTHER_HEX = "9a8b7c6d5e4f3a2b" + "1c0d9e8f7a6b5c4d"
PASSWORD = "hunter2" + "Pa55word"
TOKEN = "tkn" + "Q7w8E9r0T1y2U3i4"
SAS_SIG = "Zz9Yy8Xx7" + "Ww6Vv5Uu4"
JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".c2lnbmF0dXJlLXBhcnQtb2YtdGhlLWp3dA"
FRAGMENTS = ("0f1e2d3c4b5a6978", "9a8b7c6d5e4f3a2b", "hunter2Pa", "Q7w8E9r0T1", "Zz9Yy8Xx7", "eyJzdWIiOiIx")

APP = f'''"""Keys under neutral names and in URLs."""
from openai import AzureOpenAI, OpenAI

k = "{AZURE_KEY}"
az = AzureOpenAI(api_key=k, azure_endpoint="https://acme.openai.azure.com", api_version="2024-06-01")
client = OpenAI(base_url="https://bob:{PASSWORD}@api.openai.com/v1?api-key={OTHER_HEX}&token={TOKEN}")
CHAT_URL = "https://api.openai.com/v1/chat/completions?api-version=1&api-key={OTHER_HEX}"
SAS = "https://acme.openai.azure.com/openai?sv=2024&sig={SAS_SIG}"
JWT = "{JWT}"


def ask(q):
    return client.chat.completions.create(model="gpt-4o", messages=[{{"role": "user", "content": q}}])
'''
ENV = (
    f"AZURE_OPENAI_KEY={AZURE_KEY} # prod\n"
    f"OPENAI_BASE_URL=https://bob:{PASSWORD}@api.openai.com/v1?key={OTHER_HEX}\n"
    "OPENAI_MODEL=gpt-4o\n"
)
CONFIG = {"azure": {"key": AZURE_KEY, "endpoint": f"https://api.openai.com/v1?access_token={TOKEN}"}, "n": 1}
NOTEBOOK = copy.deepcopy(ONE_CELL_NOTEBOOK)
NOTEBOOK["cells"][0]["source"] = ["from openai import OpenAI\n", "client = OpenAI()\n"]
NOTEBOOK["cells"][0]["outputs"] = [{"name": "stdout", "output_type": "stream", "text": [f"{AZURE_KEY}\n"]}]


# The code that reads .env (the SDK's own variables) and config.json: those files move with it.
READERS = """import json
import os

from openai import OpenAI

cfg = json.load(open("config.json"))
OpenAI().chat.completions.create(model="gpt-4o", messages=[])
azure = OpenAI(base_url=cfg["azure"]["endpoint"], api_key=os.environ["OPENAI_API_KEY"])
azure.chat.completions.create(model="gpt-4o", messages=[])
"""


def project(root: Path) -> Path:
    (root / "app.py").write_text(APP)
    (root / "readers.py").write_text(READERS)
    (root / ".env").write_text(ENV)
    (root / "config.json").write_text(json.dumps(CONFIG))
    (root / "flat.ipynb").write_text(json.dumps(NOTEBOOK))  # saved without indentation: one line
    return root


def assert_no_secret(text: str, where: str) -> None:
    for fragment in FRAGMENTS:
        assert fragment not in text, f"a secret ({fragment}...) leaked into {where}:\n{text[:4000]}"


# -- the masking itself -------------------------------------------------------------------------

MASKED = {
    # key-like names, as before
    f'client = OpenAI(api_key="{AZURE_KEY}")': f'client = OpenAI(api_key="{MASK}")',
    # shapes under neutral names
    f'k = "{AZURE_KEY}"': f'k = "{MASK}"',
    f"AZURE_OPENAI_KEY={AZURE_KEY} # prod": f"AZURE_OPENAI_KEY={MASK} # prod",
    f'{{"azure": {{"key": "{AZURE_KEY}"}}}}': f'{{"azure": {{"key": "{MASK}"}}}}',
    f'{{"key": "{TOKEN}"}}': f'{{"key": "{MASK}"}}',
    f"t = '{JWT}'": f"t = '{MASK}'",
    f"zhipu = {AZURE_KEY}.{TOKEN}": f"zhipu = {MASK}",
    f"tok: ghp_{TOKEN}{TOKEN}": f"tok: ghp_{MASK}",
    f"HF hf_{TOKEN}{TOKEN} and AKIA{TOKEN.upper()[:16]}.": f"HF hf_{MASK} and AKIA{MASK}.",
    # URLs: userinfo and credential query parameters, whatever the scheme
    f"https://bob:{PASSWORD}@api.openai.com/v1": f"https://bob:{MASK}@api.openai.com/v1",
    f"postgres://{TOKEN}@db.internal/app": f"postgres://{MASK}@db.internal/app",
    f"https://x.openai.azure.com/?api-version=1&api-key={TOKEN}": f"https://x.openai.azure.com/?api-version=1&api-key={MASK}",
    f"https://x.blob.core.windows.net/c?sv=2024&sig={SAS_SIG}&se=1": f"https://x.blob.core.windows.net/c?sv=2024&sig={MASK}&se=1",
    f"wss://h/ws?token={TOKEN}#x": f"wss://h/ws?token={MASK}#x",
    f"https://h/cb#access_token={TOKEN}&state=1": f"https://h/cb#access_token={MASK}&state=1",
    f"GET /v1?Subscription-Key={TOKEN}": f"GET /v1?Subscription-Key={MASK}",
}
READABLE = (
    'OpenAI(api_key=os.environ["DASHSCOPE_API_KEY"])',
    "https://api.openai.com/v1/chat/completions?api-version=2024-06-01",
    "ssh://git@github.com/acme/app.git",
    'cache_key = "user-1234-session-5678"',
    'sorted(rows, key="created_at")',
    "commit = 4b825dc642cb6eb9a060e54bf8d69288fbee4904",  # 40 hex digits: a git object, not a key
    "max_tokens = 4096",
    "https://h/search?q=monkey&page=2",
    # a template's instructions in the key's place (gpt_academic's config.py): no key holds CJK text
    'AZURE_API_KEY = "填入azure openai api的密钥"',
    'API_KEY = "在此处填写APIKEY"',
)


@pytest.mark.parametrize("line", sorted(MASKED))
def test_credentials_are_masked_by_position(line: str) -> None:
    assert redact(line) == MASKED[line]
    assert_no_secret(redact(line), "redact")


@pytest.mark.parametrize("line", READABLE)
def test_what_is_not_a_credential_stays_readable(line: str) -> None:
    assert redact(line) == line
    assert secret_spans(line) == []


def test_url_credentials_are_dropped_not_copied() -> None:
    url = f"https://bob:{PASSWORD}@api.openai.com/v1/chat?api-version=1&api-key={OTHER_HEX}&sig={SAS_SIG}#frag"
    clean, dropped = without_url_credentials(url)
    assert clean == "https://api.openai.com/v1/chat?api-version=1#frag"
    assert dropped == ["userinfo", "api-key", "sig"]
    assert without_url_credentials("https://api.openai.com/v1?x=1") == ("https://api.openai.com/v1?x=1", [])


ADVERSARIAL = {
    "dashes": "a-" * 50_000,
    "names": "api_key-" * 12_500,
    "name-spaces": "api_key" + " " * 100_000,
    "name-equals": "api_key=" * 12_500,
    "quotes": "api_key='" * 11_000,
    "jwt-starts": "eyJ" * 33_000,
    "jwt-dots": "eyJa." * 20_000,
    "hex": "0a" * 50_000,
    "schemes": "a://" * 25_000,
    "userinfo": "https://" + "a" * 100_000,
    "params": "?key=&" * 16_000,
    "param-names": "?" + "k" * 100_000,
    "letters": "a" * 100_000,
    "sk": "sk-" * 33_000,
    "prefixes": "ghp_AKIA" * 12_500,
    "hex-dots": ("0a" * 16 + ".") * 3_000,
}
# 16 lines of 100 kB each. A linear masker needs well under a second for all of them; the
# quadratic pattern this replaces needed 36 s for 10 kB of "a-" alone (minutes for 100 kB).
_RUN_ALL = """
import sys
from offramp.redact import redact
from tests_adversarial import ADVERSARIAL
for name, line in ADVERSARIAL.items():
    redact(line)
    print(name, flush=True)
"""


def test_masking_is_linear_on_adversarial_lines(tmp_path: Path) -> None:
    """Nothing is timed: a quadratic pattern would not finish within the generous timeout."""
    (tmp_path / "tests_adversarial.py").write_text(f"ADVERSARIAL = {ADVERSARIAL!r}\n")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _RUN_ALL], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired as e:
        done = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        pytest.fail(f"masking did not finish; done: {done.split()}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == list(ADVERSARIAL)


# -- every way text leaves the process ----------------------------------------------------------


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
def test_no_output_format_prints_a_url_credential_or_a_neutral_key(tmp_path: Path, fmt: str) -> None:
    root = project(tmp_path)
    proc = run_cli(["check", "--to", "qwen", "--output-format", fmt, "."], root)
    assert proc.returncode == 1, proc.stderr
    assert "api.openai.com" in proc.stdout  # the URLs are reported...
    assert_no_secret(proc.stdout + proc.stderr, f"--output-format {fmt}")  # ...without their credentials


def test_the_findings_cache_holds_no_secret(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "more.py").write_text(f'import openai\nURL = "https://bob:{PASSWORD}@api.openai.com/v1?token={TOKEN}"\n')
    # a cold run, a warm one after an edit no route reads (the route cache is saved again, not recomputed)
    for edit in ("", "\n# edited\n"):
        with (root / "readers.py").open("a") as f:
            f.write(edit)
        run_cli(["check", "."], root)
        stored = sorted((root / ".offramp_cache").rglob("*"))
        for prefix in ("findings", "index", "routes"):
            assert any(p.is_file() and p.name.startswith(prefix) for p in stored), (prefix, stored)
        for p in stored:
            if p.is_file():
                assert_no_secret(p.read_text(encoding="utf-8", errors="replace"), f"the cache ({p.name})")


def test_fix_report_todos_and_notes_hold_no_secret(tmp_path: Path) -> None:
    root = project(tmp_path)
    # no provider counterpart: the URL is quoted in a TODO comment, the note and the report
    (root / "odd.py").write_text(f'import openai\nODD = "https://api.openai.com/v2/thing?token={TOKEN}"\n')
    proc = run_cli(["fix", "--to", "qwen", "--report", "migration.md", "."], root)
    assert_no_secret(proc.stdout + proc.stderr, "fix output")
    report = (root / "migration.md").read_text()
    assert "odd.py" in report
    assert_no_secret(report, "fix --report")
    odd = (root / "odd.py").read_text()
    assert "TODO[offramp]" in odd and odd.count(TOKEN) == 1, odd  # the TODO does not copy the token


def test_fix_never_copies_url_credentials_into_the_provider_url(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = {p.name: p.read_text() for p in root.iterdir() if p.is_file()}
    proc = run_cli(["fix", "--to", "qwen", "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    for name, old in before.items():
        new = (root / name).read_text()
        for fragment in FRAGMENTS:  # never copied (a one-line notebook keeps its outputs, once)
            assert new.count(fragment) <= old.count(fragment), (name, fragment, new)
    env = (root / ".env").read_text()
    assert "OPENAI_BASE_URL=https://dashscope.aliyuncs.com/compatible-mode/v1\n" in env, env
    app = (root / "app.py").read_text()
    # CHAT_URL is sent by no request offramp can follow: it stays, with a TODO (its key is unknown), and is
    # never written as a provider URL carrying its credentials
    assert "dashscope.aliyuncs.com/compatible-mode/v1/chat/completions?api-version=1&" not in app
    assert "URL left as it is: no request offramp can follow uses it" in app, app
    assert "credentials" in proc.stderr, proc.stderr  # and it says so


def _hunk_notes(stderr: str) -> list:
    return [line for line in stderr.splitlines() if "hunk" in line and "secret" in line]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_fix_diff_skips_a_hunk_that_would_show_a_secret_and_says_so(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "clean.py").write_text("from openai import OpenAI\n\nclient = OpenAI()\n")
    proc = run_cli(["fix", "--to", "qwen", "--diff", "."], root)
    assert proc.returncode == 1
    assert_no_secret(proc.stdout + proc.stderr, "fix --diff")
    assert MASK not in proc.stdout  # nothing is masked inside the patch: such a hunk is left out
    notes = _hunk_notes(proc.stderr)
    # app.py (context lines), .env and the one-line notebook each need one (config.json stays: the request
    # that reads its endpoint keeps going where the file says, so the route gate holds both)
    assert len(notes) >= 3, proc.stderr
    assert any(n.startswith("flat.ipynb:") for n in notes) and any(n.startswith(".env:") for n in notes), notes
    assert "+++ b/clean.py" in proc.stdout  # what can be shown is shown...
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    check = subprocess.run(
        ["git", "apply", "--check", "-"], cwd=root, input=proc.stdout, text=True, capture_output=True
    )
    assert check.returncode == 0, check.stderr  # ...and still applies


# -- file names cannot forge output -------------------------------------------------------------

# Formats read line by line by people or tools; the others are JSON/XML/workflow commands with their own escaping.
LINE_FORMATS = ("full", "concise", "grouped", "pylint", "markdown")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names")
@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
def test_control_characters_in_file_names_are_escaped(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "evil\nx.py:1:1: OFR999 forged\x1b[2J.py").write_text("from openai import OpenAI\nc = OpenAI()\n")
    proc = run_cli(["check", "--output-format", fmt, "."], tmp_path)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert "\x1b" not in out, "a raw escape sequence reached the terminal"
    assert not any(line.startswith("x.py:1:1: OFR999") for line in out.splitlines()), out
    if fmt in LINE_FORMATS:
        assert "\nx.py" not in out, out


# -- offramp's own configuration ----------------------------------------------------------------


def test_a_custom_provider_url_with_credentials_is_refused(tmp_path: Path) -> None:
    """`fix` writes the provider's base URL into code: with a key in it, that would be a key literal."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.offramp.providers.gw]\nname = "Gateway"\nkey-env = "GW_KEY"\n'
        f'[tool.offramp.providers.gw.base-url]\ncn = "https://llm.example.com/v1?api-key={TOKEN}"\n',
        encoding="utf-8",
    )
    (tmp_path / "a.py").write_text("from openai import OpenAI\nc = OpenAI()\n", encoding="utf-8")
    proc = run_cli(["fix", "--to", "gw", "."], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("offramp: error:") and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "credential" in proc.stderr and "GW_KEY" in proc.stderr
    assert_no_secret(proc.stdout + proc.stderr, "the error")
    assert (tmp_path / "a.py").read_text() == "from openai import OpenAI\nc = OpenAI()\n"


def test_an_error_quoting_a_configured_value_masks_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.offramp]\ntarget = "{AZURE_KEY}"\n', encoding="utf-8")
    (tmp_path / "a.py").write_text("import openai\n", encoding="utf-8")
    proc = run_cli(["check", "."], tmp_path)
    assert proc.returncode == 2, proc.stderr
    # the error names the file to edit (issue 15) and masks the value
    assert proc.stderr.startswith(f"offramp: error: {tmp_path / 'pyproject.toml'}: `target`: unknown provider")
    assert_no_secret(proc.stderr, "the error")


def test_the_caret_lines_up_under_a_masked_source_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        f'from openai import OpenAI\nc = OpenAI(base_url="https://bob:{PASSWORD}@api.openai.com/v1?token={TOKEN}")\n'
    )
    proc = run_cli(["check", "--output-format", "full", "."], tmp_path)
    lines = proc.stdout.splitlines()
    i = next(i for i, line in enumerate(lines) if line.endswith(")") and "c = OpenAI(" in line)
    source, caret = lines[i], lines[i + 1]
    assert_no_secret(source, "the source line")
    assert caret.index("^") == source.index("OpenAI(") and caret.rindex("^") == len(source) - 1, (source, caret)
