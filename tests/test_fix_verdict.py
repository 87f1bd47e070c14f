"""`fix --to P`'s closing line and exit code are what `check --to P` then says of the fixed tree.

fix used to count each file's own findings after its rewrite, while check also runs the project stage (routes
across files, the route gate's holds): a model in a settings module, a key another module may leave unset, a held
key read check does not call fixable, a run-time model the rewritten `.env` now settles. fix then said "nothing
remains" and exited 0 while check reported findings, or the other way round. Each tree here disagreed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from textwrap import dedent
from typing import Dict, Optional

import pytest
from helpers import run_cli

# a cross-file model: DeepSeek serves no embeddings, and the model constant sits in settings.py (OFR204 there)
CROSS_FILE_MODEL = {
    "settings.py": 'CHAT_MODEL = "gpt-4o"\nEMBED_MODEL = "text-embedding-3-small"\n',
    "app.py": dedent(
        """\
        from openai import OpenAI

        import settings

        client = OpenAI()


        def ask(q):
            return client.chat.completions.create(model=settings.CHAT_MODEL, messages=[{"role": "user", "content": q}])


        def embed(text):
            return client.embeddings.create(model=settings.EMBED_MODEL, input=text)
        """
    ),
}

# a key another module may leave unset, on a client already at the provider: only the routes see it (OFR304)
UNSET_KEY = {
    "settings.py": 'import os\n\nBASE = "https://api.deepseek.com/v1"\nKEY = os.getenv("DEEPSEEK_API_KEY")\n',
    "app.py": dedent(
        """\
        from openai import OpenAI

        from settings import BASE, KEY

        client = OpenAI(base_url=BASE, api_key=KEY)


        def ask(q):
            return client.chat.completions.create(model="deepseek-v4-pro", messages=[{"role": "user", "content": q}])
        """
    ),
}

# the route gate holds the key read (its URL, built in settings.py, stays): not `[*]`, and the URL and model
# in settings.py are findings of the routes
GATE_HOLD = {
    "settings.py": dedent(
        """\
        API_HOST = "api.openai.com"
        API_URL = f"https://{API_HOST}/v1/chat/completions"
        CHAT_MODEL = "gpt-4o"
        """
    ),
    "rest.py": dedent(
        """\
        import os

        import requests

        import settings


        def ask(question):
            headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
            payload = {"model": settings.CHAT_MODEL, "messages": [{"role": "user", "content": question}]}
            return requests.post(settings.API_URL, headers=headers, json=payload, timeout=60).json()
        """
    ),
}

# a run-time model the `.env` the program loads sets: fix rewrites the `.env`, and the routes see it settled
ENV_MODEL = {
    "app.py": dedent(
        """\
        import os

        from dotenv import load_dotenv
        from openai import OpenAI

        load_dotenv()
        client = OpenAI()


        def ask(q):
            messages = [{"role": "user", "content": q}]
            return client.chat.completions.create(model=os.getenv("OPENAI_MODEL"), messages=messages)
        """
    ),
    ".env": "OPENAI_API_KEY=your-openai-api-key\nOPENAI_MODEL=gpt-4o\n",
}

TREES = [
    pytest.param(CROSS_FILE_MODEL, "deepseek", id="cross-file-model"),  # fix said 2 remain, check 3
    pytest.param(UNSET_KEY, "deepseek", id="unset-key"),  # fix said nothing and exited 0, check 1 finding
    pytest.param(GATE_HOLD, "qwen", id="gate-hold"),  # fix said 1 remains, check 3
    pytest.param(GATE_HOLD, "deepseek", id="gate-hold-deepseek"),
    pytest.param(ENV_MODEL, "qwen", id="env-model"),  # fix said 1 remains and exited 1, check "All checks passed!"
]


def _tree(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text, "utf-8")
    return root


def _said(stderr: str, diff: bool = False) -> Optional[int]:
    """The count in fix's closing line, or None when it has none (nothing remains)."""
    pattern = r"^(\d+) findings? would remain;" if diff else r"^(\d+) findings? remains?;"
    found = re.search(pattern, stderr, re.M)
    return int(found.group(1)) if found else None


def _check(root: Path, provider: str) -> Dict[str, object]:
    proc = run_cli(["check", "--to", provider, "-n", "-j", "1", "--output-format", "json", "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    return {"code": proc.returncode, "findings": json.loads(proc.stdout)["findings"]}


@pytest.mark.parametrize(("files", "provider"), TREES)
def test_fix_says_what_check_then_says(tmp_path: Path, files: Dict[str, str], provider: str) -> None:
    root = _tree(tmp_path, files)
    fixed = run_cli(["fix", "--to", provider, "-j", "1", "."], root)
    assert fixed.returncode in (0, 1), fixed.stderr
    after = _check(root, provider)
    findings = after["findings"]
    assert isinstance(findings, list)
    assert _said(fixed.stderr) == (len(findings) or None), (fixed.stderr, findings)
    assert fixed.returncode == after["code"], (fixed.stderr, findings)


@pytest.mark.parametrize(("files", "provider"), TREES)
def test_fix_diff_says_what_check_would_say_after_it(tmp_path: Path, files: Dict[str, str], provider: str) -> None:
    """With `--diff`, the same count on the contents the diff shows, and nothing written."""
    (tmp_path / "shown").mkdir()
    root = _tree(tmp_path / "shown", files)
    shown = run_cli(["fix", "--to", provider, "--diff", "-j", "1", "."], root)
    assert shown.returncode in (0, 1), shown.stderr
    assert {n: (root / n).read_text("utf-8") for n in files} == files  # nothing written
    written = tmp_path / "written"
    shutil.copytree(root, written)
    run_cli(["fix", "--to", provider, "-j", "1", "."], written)
    findings = _check(written, provider)["findings"]
    assert isinstance(findings, list)
    assert _said(shown.stderr, diff=True) == (len(findings) or None), (shown.stderr, findings)
    assert shown.returncode == (1 if shown.stdout else 0)  # (`--diff`: 1 when there is a diff, as before)
