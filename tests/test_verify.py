"""`offramp verify --to P`: the project's routes to P probed with the user's key, against a local fake
provider (tests/support/fake_provider.py) that refuses what the Kimi catalogue entry says Kimi refuses.

Kimi's mainland (api.moonshot.cn) and international (api.moonshot.ai) platforms are separate accounts:
a key of one is refused by the other, the "wrong-region key" case.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli
from support.fake_provider import FakeProvider

from offramp.providers import builtin_providers

KIMI = builtin_providers()["kimi"]
CN_KEY = "sk-kimi-cn-0123456789abcdef"
INTL_KEY = "sk-kimi-intl-fedcba9876543210"
APP = """import os
from openai import OpenAI

client = OpenAI(base_url="https://api.moonshot.cn/v1", api_key=os.environ["MOONSHOT_API_KEY"])


def ask(q):
    return client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": q}])


def extract(q):
    return client.chat.completions.create(
        model="kimi-k3.1-pro", messages=[], tools=[], response_format={"type": "json_object"}, stream=True
    )


def capped(q):
    return client.chat.completions.create(model="kimi-k2.6", messages=[], max_completion_tokens=100)


def typo(q):
    return client.chat.completions.create(model="kimi-k9", messages=[])


def embed(texts):
    return client.embeddings.create(model="kimi-embed", input=texts)


def draw(p):
    return client.images.generate(model="kimi-image", prompt=p)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, "utf-8")
    (tmp_path / "old.py").write_text(
        "from openai import OpenAI\nOpenAI().chat.completions.create(model='gpt-4o', messages=[])\n", "utf-8"
    )
    return tmp_path


def _verify(root: Path, fake: FakeProvider, key: str = "", *extra: str):  # type: ignore[no-untyped-def]
    env = {"MOONSHOT_API_KEY": key} if key else {}
    proc = run_cli(["verify", "--to", "kimi", "--base-url", fake.base_url, *extra, "."], root, env=env)
    for secret in (CN_KEY, INTL_KEY):
        assert secret not in proc.stdout + proc.stderr
    return proc


def _verdicts(stdout: str) -> dict:
    return {line.split("  ")[0]: line.split("  ", 2)[2] for line in stdout.splitlines() if line.startswith("app.py:")}


def test_each_route_works_fails_with_the_providers_words_or_is_not_tried(project: Path) -> None:
    with FakeProvider.from_provider(KIMI, key=CN_KEY) as fake:
        proc = _verify(project, fake, CN_KEY)
    assert proc.returncode == 1, proc.stderr
    got = _verdicts(proc.stdout)
    assert got["app.py:8"] == "works: chat"
    assert got["app.py:12"] == "works: chat, tools, json_object, stream"
    assert got["app.py:18"] == "fails: max_completion_tokens: HTTP 400: `max_completion_tokens` is not supported"
    assert got["app.py:22"].startswith("fails: chat: HTTP 404: Not found the model kimi-k9 or Permission denied")
    assert got["app.py:22"].endswith("(`kimi-k9` is not in GET /models)")
    assert (
        got["app.py:26"]
        == "fails: embeddings: HTTP 404: POST /embeddings is not served (`kimi-embed` is not in GET /models)"
    )
    assert got["app.py:30"] == (
        "fails: images: HTTP 404: POST /images/generations is not served (`kimi-image` is not in GET /models)"
    )
    assert "old.py" not in proc.stdout  # a request still aimed at OpenAI is not the provider's to answer
    assert "Summary: 2 works, 4 fail, 0 not tried" in proc.stdout
    # the smallest request per capability, each sent once although two routes use kimi-k2.6's chat
    sent = [(m, p, (b or {}).get("model")) for m, p, b in fake.requests]
    assert sent[0] == ("GET", "/models", None)
    assert sent.count(("POST", "/chat/completions", "kimi-k2.6")) == 2  # chat, and chat + max_completion_tokens
    stream = [b for _, _, b in fake.requests if b and b.get("stream")]
    assert len(stream) == 1 and stream[0]["max_tokens"] == 16 and len(stream[0]["messages"]) == 1


def test_a_key_of_the_other_region_is_refused_and_nothing_else_is_tried(project: Path) -> None:
    with FakeProvider.from_provider(KIMI, key=CN_KEY) as fake:
        proc = _verify(project, fake, INTL_KEY)
    assert proc.returncode == 1
    assert "the provider refused the key: HTTP 401: Invalid Authentication" in proc.stdout
    assert "$MOONSHOT_API_KEY must belong to" in proc.stdout
    assert [p for _, p, _ in fake.requests] == ["/models"]
    assert "Summary: 0 works, 0 fail, 6 not tried" in proc.stdout


def test_a_missing_key_is_an_error_and_a_dry_run_sends_nothing(project: Path) -> None:
    with FakeProvider.from_provider(KIMI, key=CN_KEY) as fake:
        missing = _verify(project, fake)
        dry = _verify(project, fake, "", "--dry-run")
        assert fake.requests == []
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.startswith("offramp: error: $MOONSHOT_API_KEY is not set") and missing.stderr.count("\n") == 1
    assert dry.returncode == 0, dry.stderr
    assert "key: $MOONSHOT_API_KEY (not set); no request is sent in a dry run" in dry.stdout
    assert f"POST {fake.base_url}/chat/completions  (max_completion_tokens) " in dry.stdout


def test_a_provider_that_does_not_answer_in_time_fails_the_route(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP.split("\n\ndef extract")[0] + "\n", "utf-8")
    with FakeProvider.from_provider(KIMI, key=CN_KEY, delay={"/chat/completions": 3.0}) as fake:
        proc = _verify(tmp_path, fake, CN_KEY, "--timeout", "0.5")
    assert proc.returncode == 1
    assert _verdicts(proc.stdout) == {"app.py:8": "fails: chat: no answer within 0.5 s (timeout)"}


def test_verify_needs_a_provider(project: Path) -> None:
    proc = run_cli(["verify", "."], project)
    assert proc.returncode == 2 and proc.stderr.startswith("offramp: error: verify needs a provider")


GLM = builtin_providers()["glm"]
GLM_KEY = "glm-key.0123456789abcdef"
MEDIA = """import os
from openai import OpenAI

client = OpenAI(base_url="https://open.bigmodel.cn/api/paas/v4", api_key=os.environ["ZAI_API_KEY"])


def look(url):
    parts = [{"type": "text", "text": "What is it?"}, {"type": "image_url", "image_url": {"url": url}}]
    return client.chat.completions.create(model="glm-5v-turbo", messages=[{"role": "user", "content": parts}])


def answer(q):
    return client.responses.create(model="glm-5.3", input=q)


def draw(p):
    return client.images.generate(model="cogview-4", prompt=p)


def say(t):
    return client.audio.speech.create(model="glm-tts", voice="tongtong", input=t)


def say_as(t, v):
    return client.audio.speech.create(model="glm-tts", voice=v, input=t)


def hear(f):
    return client.audio.transcriptions.create(model="glm-asr", file=f)
"""


def test_images_audio_responses_and_image_parts_are_probed(tmp_path: Path) -> None:
    """Beyond chat and embeddings: the smallest request of each API the routes use, at its own path."""
    (tmp_path / "app.py").write_text(MEDIA, "utf-8")
    served = ("cogview-4", "glm-tts", "glm-asr")
    with FakeProvider.from_provider(GLM, key=GLM_KEY, also_served=served) as fake:
        env = {"ZAI_API_KEY": GLM_KEY}
        proc = run_cli(["verify", "--to", "glm", "--base-url", fake.base_url, "."], tmp_path, env=env)
    assert GLM_KEY not in proc.stdout + proc.stderr
    got = _verdicts(proc.stdout)
    assert got == {
        "app.py:9": "works: chat, image_input",
        "app.py:13": "works: responses",
        "app.py:17": "works: images",
        "app.py:21": "works: voice=tongtong",
        "app.py:25": "not tried: the voice is not one literal offramp can follow",
        "app.py:29": "works: audio-transcriptions",
    }, proc.stdout
    bodies = {p: b for m, p, b in fake.requests if m == "POST"}
    assert bodies["/audio/speech"] == {"model": "glm-tts", "input": "ok", "voice": "tongtong"}
    assert bodies["/audio/transcriptions"]["model"] == "glm-asr" and bodies["/audio/transcriptions"]["file"] > 3000
    assert bodies["/images/generations"]["n"] == 1 and bodies["/responses"]["max_output_tokens"] == 16
    image_parts = [
        b for m, p, b in fake.requests if p == "/chat/completions" and isinstance(b["messages"][0]["content"], list)
    ]
    assert image_parts and image_parts[0]["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/png")
