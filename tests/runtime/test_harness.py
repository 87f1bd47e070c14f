"""Tests of the runtime harness itself, with hand-written programs.

Why: the runtime tests of offramp's rewrites will assert "the rewritten
program talks to provider X with key Y".  Those assertions are only worth
something if the harness (a) really runs the real SDK, (b) sees every
request, including the ones that go to the *wrong* host, and (c) cannot pass
silently when something escapes it.  Each test here pins one of those facts.
"""

from __future__ import annotations

import json
import os

import pytest
from harness import HarnessError

DEEPSEEK_KEY = "sk-deepseek-test-0001"
DASHSCOPE_KEY = "sk-dashscope-test-0002"
ZHIPU_KEY = "zhipu-test-0003.secret"
MOONSHOT_KEY = "sk-moonshot-test-0004"


# ---------------------------------------------------------------------------
# sdk="v1": the current openai package (3.x on httpx2)
# ---------------------------------------------------------------------------


def test_sync_client_chat_completion_reaches_provider(run_program):
    """Spec case 1: explicit client, provider base_url, key from env."""
    reqs = run_program(
        """
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://api.deepseek.com/v1", api_key=os.environ["DEEPSEEK_API_KEY"])
        resp = client.chat.completions.create(
            model="deepseek-v4-flash",
            messages=[{"role": "user", "content": "hello"}],
        )
        # The canned response must parse into the real SDK types.
        assert resp.choices[0].message.content == "ok", resp
        assert resp.model == "deepseek-v4-flash", resp
        """,
        env={"DEEPSEEK_API_KEY": DEEPSEEK_KEY},
    )
    assert len(reqs) == 1
    (req,) = reqs
    assert req.method == "POST"
    assert req.host == "api.deepseek.com"
    assert req.path == "/v1/chat/completions"
    assert req.url == "https://api.deepseek.com/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {DEEPSEEK_KEY}"
    assert req.bearer == DEEPSEEK_KEY
    assert req.json["model"] == "deepseek-v4-flash"
    assert req.json["messages"] == [{"role": "user", "content": "hello"}]
    assert req.via == "httpx2.HTTPTransport"


def test_async_client_embeddings(run_program):
    """Spec case 2: AsyncOpenAI goes through the async transport, also intercepted."""
    reqs = run_program(
        """
        import asyncio, os
        from openai import AsyncOpenAI

        async def main():
            client = AsyncOpenAI(
                base_url="https://open.bigmodel.cn/api/paas/v4/", api_key=os.environ["ZHIPU_API_KEY"]
            )
            single = await client.embeddings.create(model="embedding-3", input="hello")
            assert single.data[0].embedding == [0.0, 0.1] or len(single.data[0].embedding) == 2, single
            many = await client.embeddings.create(model="embedding-3", input=["a", "b", "c"])
            assert len(many.data) == 3, many
            await client.close()

        asyncio.run(main())
        """,
        env={"ZHIPU_API_KEY": ZHIPU_KEY},
    )
    assert [r.path for r in reqs] == ["/api/paas/v4/embeddings"] * 2
    for req in reqs:
        assert req.host == "open.bigmodel.cn"
        assert req.bearer == ZHIPU_KEY
        assert req.json["model"] == "embedding-3"
        assert req.via == "httpx2.AsyncHTTPTransport"
        assert req.headers["x-stainless-async"].startswith("async")
    assert reqs[1].json["input"] == ["a", "b", "c"]


def test_module_level_client_with_trailing_slash(run_program):
    """Spec case 3: ``openai.base_url``/``openai.api_key`` module globals."""
    reqs = run_program(
        """
        import os
        import openai

        openai.api_key = os.environ["DASHSCOPE_API_KEY"]
        openai.base_url = "https://dashscope.aliyuncs.com/compatible-mode/v1/"
        resp = openai.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "hi"}])
        assert resp.choices[0].message.content == "ok"
        """,
        env={"DASHSCOPE_API_KEY": DASHSCOPE_KEY},
    )
    assert len(reqs) == 1
    assert reqs[0].host == "dashscope.aliyuncs.com"
    assert reqs[0].path == "/compatible-mode/v1/chat/completions"
    assert reqs[0].bearer == DASHSCOPE_KEY
    assert reqs[0].json["model"] == "qwen-plus"


def test_module_level_base_url_without_trailing_slash_is_glued(run_program_full):
    """Documents a real SDK quirk that offramp's rewrites must avoid.

    ``OpenAI(base_url=".../v1")`` appends the missing ``/`` itself (the
    client's ``base_url`` setter calls ``_enforce_trailing_slash``).  The
    *module-level* client overrides the ``base_url`` property and returns
    ``openai.base_url`` merely normalised, without that slash, and
    ``_prepare_url`` joins by concatenation -- so the request goes to
    ``/compatible-mode/v1chat/completions``.  Verified against openai 3.54.0.
    No provider serves that path; the harness answers it with a 404 like a
    real server, so such a program cannot pass by accident.
    """
    result = run_program_full(
        """
        import os
        import openai

        openai.api_key = os.environ["DASHSCOPE_API_KEY"]
        openai.base_url = "https://dashscope.aliyuncs.com/compatible-mode/v1"
        try:
            openai.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "hi"}])
        except openai.NotFoundError as exc:
            print("module-client:", type(exc).__name__)

        # Same base URL on an explicit client: the SDK adds the slash.
        client = openai.OpenAI(
            base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=os.environ["DASHSCOPE_API_KEY"]
        )
        client.chat.completions.create(model="qwen-plus", messages=[{"role": "user", "content": "hi"}])
        print("explicit-client: ok")
        """,
        env={"DASHSCOPE_API_KEY": DASHSCOPE_KEY},
    )
    paths = [r.path for r in result.requests]
    # 404 is not retried, so exactly one request per call.
    assert paths == ["/compatible-mode/v1chat/completions", "/compatible-mode/v1/chat/completions"]
    assert result.requests[0].url == "https://dashscope.aliyuncs.com/compatible-mode/v1chat/completions"
    assert all(r.host == "dashscope.aliyuncs.com" and r.bearer == DASHSCOPE_KEY for r in result.requests)
    assert "module-client: NotFoundError" in result.stdout
    assert "explicit-client: ok" in result.stdout


def test_bare_default_client_is_seen_going_to_openai(run_program):
    """Spec case 5 (negative control): an un-migrated program is caught.

    With only OPENAI_API_KEY set, ``OpenAI()`` talks to api.openai.com; the
    harness must report that host, so tests asserting a provider host fail
    for an incomplete rewrite instead of passing vacuously.
    """
    reqs = run_program(
        """
        from openai import OpenAI

        OpenAI().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        """,
        env={"OPENAI_API_KEY": "sk-openai-test-0005"},
    )
    assert len(reqs) == 1
    assert reqs[0].host == "api.openai.com"
    assert reqs[0].path == "/v1/chat/completions"
    assert reqs[0].bearer == "sk-openai-test-0005"
    assert reqs[0].host != "api.deepseek.com"


def test_other_endpoints_get_sdk_valid_canned_responses(run_program):
    """Completions, responses, models, and streaming chat parse in the real SDK.

    Rewritten examples use more than chat; a canned body the SDK cannot
    parse would make those runs fail for reasons unrelated to offramp.
    """
    reqs = run_program(
        """
        import os
        from openai import OpenAI

        c = OpenAI(base_url="https://api.moonshot.cn/v1", api_key=os.environ["MOONSHOT_API_KEY"])
        assert c.completions.create(model="kimi-k2.6", prompt="x").choices[0].text == "ok"
        r = c.responses.create(model="kimi-k2.6", input="hi")
        assert r.output_text == "ok", r
        assert [m.id for m in c.models.list()] == ["offramp-test-model"]
        chunks = list(c.chat.completions.create(model="kimi-k2.6", messages=[], stream=True))
        assert "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices) == "ok"
        events = [e.type for e in c.responses.create(model="kimi-k2.6", input="hi", stream=True)]
        assert events[-1] == "response.completed", events
        """,
        env={"MOONSHOT_API_KEY": MOONSHOT_KEY},
    )
    assert [(r.method, r.path) for r in reqs] == [
        ("POST", "/v1/completions"),
        ("POST", "/v1/responses"),
        ("GET", "/v1/models"),
        ("POST", "/v1/chat/completions"),
        ("POST", "/v1/responses"),
    ]
    assert {r.host for r in reqs} == {"api.moonshot.cn"}
    assert {r.bearer for r in reqs} == {MOONSHOT_KEY}
    assert reqs[2].json is None


# ---------------------------------------------------------------------------
# Isolation and loud failure
# ---------------------------------------------------------------------------


def test_parent_environment_does_not_leak(run_program_full, monkeypatch):
    """A developer's own OPENAI_* variables must not reach the program.

    Otherwise a rewrite that forgot to pass the provider key would silently
    pick up a real key (or base URL) from whoever runs the tests.
    """
    monkeypatch.setenv("OPENAI_API_KEY", "sk-parent-leak")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://leak.example/v1")
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-parent-deepseek")
    result = run_program_full(
        """
        import json, os
        print(json.dumps({k: v for k, v in os.environ.items() if "KEY" in k or "OPENAI" in k or "URL" in k}))
        from openai import OpenAI, OpenAIError
        try:
            OpenAI()
        except OpenAIError as exc:
            print("no-key:", exc)
        """,
        env={"DASHSCOPE_API_KEY": DASHSCOPE_KEY},
    )
    seen = json.loads(result.stdout.splitlines()[0])
    assert seen == {"DASHSCOPE_API_KEY": DASHSCOPE_KEY}
    assert "no-key:" in result.stdout
    assert result.requests == []


def test_home_is_sandboxed(run_program_full):
    """HOME points into tmp, so ~/.netrc or config files cannot inject credentials."""
    result = run_program_full("import os; print(os.path.expanduser('~'))", env={})
    home = result.stdout.strip()
    assert "offramp-run-" in home and home.endswith("home")
    assert home != os.path.expanduser("~")


def test_nonzero_exit_raises_with_stderr(run_program):
    with pytest.raises(HarnessError) as info:
        run_program("import sys; sys.stderr.write('boom-from-child\\n'); sys.exit(3)", env={})
    assert "boom-from-child" in str(info.value)
    assert "exit 3" in str(info.value)


def test_sdk_error_surfaces_as_failure(run_program):
    """An unknown endpoint gets a 404, the SDK raises, the harness reports it."""
    with pytest.raises(HarnessError) as info:
        run_program(
            """
            from openai import OpenAI
            OpenAI(base_url="https://api.deepseek.com/v1", api_key="k").files.list()
            """,
            env={},
        )
    assert "NotFoundError" in str(info.value)


def test_unintercepted_request_fails_loudly_even_if_swallowed(run_program):
    """No silent passes: a request that bypasses the patched transports fails the test.

    The program catches the error and exits 0; the ``blocked`` record written
    by the socket guard still makes the harness raise.
    """
    with pytest.raises(HarnessError) as info:
        run_program(
            """
            import urllib.request
            try:
                urllib.request.urlopen("https://api.deepseek.com/v1/models", timeout=5)
            except Exception as exc:
                print("swallowed", exc)
            """,
            env={},
        )
    message = str(info.value)
    assert "bypassed the intercepted transports" in message
    assert "api.deepseek.com" in message


def test_raw_socket_connect_is_blocked(run_program):
    with pytest.raises(HarnessError, match=r"socket\.connect"):
        run_program(
            """
            import socket
            s = socket.socket()
            try:
                s.connect(("93.184.216.34", 443))
            except OSError:
                pass
            """,
            env={},
        )


def test_timeout_raises(run_program_full):
    with pytest.raises(HarnessError, match="timed out"):
        run_program_full("import time; time.sleep(30)", env={}, timeout=2)


def test_program_file_runs_in_place(run_program, tmp_path):
    """A Path source runs where it is, so sibling modules of an example import."""
    pkg = tmp_path / "example"
    pkg.mkdir()
    (pkg / "settings.py").write_text("BASE_URL = 'https://api.deepseek.com'\n")
    (pkg / "main.py").write_text(
        "import os\n"
        "from openai import OpenAI\n"
        "from settings import BASE_URL\n"
        "OpenAI(base_url=BASE_URL, api_key=os.environ['DEEPSEEK_API_KEY'])"
        ".chat.completions.create(model='deepseek-v4-pro', messages=[])\n"
    )
    (req,) = run_program(pkg / "main.py", env={"DEEPSEEK_API_KEY": DEEPSEEK_KEY})
    assert req.url == "https://api.deepseek.com/chat/completions"
    assert req.json["model"] == "deepseek-v4-pro"


# ---------------------------------------------------------------------------
# sdk="v0": legacy openai==0.28.1 (requests + aiohttp) in its own venv
# ---------------------------------------------------------------------------


def test_v0_chat_completion_reaches_provider(run_program_full, v0_python):
    """Spec case 4: module globals of the 0.x SDK, sync path via requests."""
    result = run_program_full(
        """
        import os
        import openai

        assert openai.version.VERSION == "0.28.1", openai.version.VERSION
        openai.api_base = "https://api.moonshot.cn/v1"
        openai.api_key = os.environ["MOONSHOT_API_KEY"]
        resp = openai.ChatCompletion.create(model="kimi-k2.6", messages=[{"role": "user", "content": "hi"}])
        assert resp["choices"][0]["message"]["content"] == "ok", resp
        assert resp.model == "kimi-k2.6"
        """,
        env={"MOONSHOT_API_KEY": MOONSHOT_KEY},
        sdk="v0",
    )
    assert "requests.adapters.HTTPAdapter.send" in result.patched
    (req,) = result.requests
    assert req.method == "POST"
    assert req.host == "api.moonshot.cn"
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {MOONSHOT_KEY}"
    assert req.json["model"] == "kimi-k2.6"
    assert req.via == "requests.HTTPAdapter.send"


def test_v0_embeddings_and_streaming(run_program, v0_python):
    reqs = run_program(
        """
        import os
        import openai

        openai.api_base = "https://api.deepseek.com/v1"
        openai.api_key = os.environ["DEEPSEEK_API_KEY"]
        emb = openai.Embedding.create(model="text-embedding-x", input=["a", "b"])
        assert len(emb["data"]) == 2 and len(emb["data"][0]["embedding"]) == 2, emb
        parts = [c["choices"][0]["delta"].get("content", "") for c in
                 openai.ChatCompletion.create(model="deepseek-v4-flash", messages=[], stream=True)]
        assert "".join(parts) == "ok", parts
        """,
        env={"DEEPSEEK_API_KEY": DEEPSEEK_KEY},
        sdk="v0",
    )
    assert [r.path for r in reqs] == ["/v1/embeddings", "/v1/chat/completions"]
    assert {r.host for r in reqs} == {"api.deepseek.com"}
    assert {r.bearer for r in reqs} == {DEEPSEEK_KEY}


def test_v0_async_acreate_via_aiohttp(run_program_full, v0_python):
    """The 0.x async path (``acreate``) uses aiohttp, which is intercepted too."""
    result = run_program_full(
        """
        import asyncio, os
        import openai

        openai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"
        openai.api_key = os.environ["DASHSCOPE_API_KEY"]

        async def main():
            resp = await openai.ChatCompletion.acreate(model="qwen-plus", messages=[{"role": "user", "content": "hi"}])
            assert resp["choices"][0]["message"]["content"] == "ok", resp

        asyncio.run(main())
        """,
        env={"DASHSCOPE_API_KEY": DASHSCOPE_KEY},
        sdk="v0",
    )
    assert "aiohttp.ClientSession._request" in result.patched
    (req,) = result.requests
    assert req.via == "aiohttp.ClientSession._request"
    assert req.url == "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"
    assert req.bearer == DASHSCOPE_KEY
    assert req.json["model"] == "qwen-plus"


def test_v0_default_api_base_is_openai(run_program, v0_python):
    """Negative control for v0: only OPENAI_API_KEY set -> api.openai.com."""
    (req,) = run_program(
        """
        import openai
        openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}])
        """,
        env={"OPENAI_API_KEY": "sk-openai-test-0006"},
        sdk="v0",
    )
    assert req.host == "api.openai.com"
    assert req.bearer == "sk-openai-test-0006"
