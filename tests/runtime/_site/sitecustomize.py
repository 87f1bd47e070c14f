"""Network interceptor loaded into every program run by ``tests/runtime/harness.py``.

Why this file exists
--------------------
The runtime tests must prove that a (rewritten) program, run with the *real*
``openai`` SDK, sends its requests to the provider's host with the provider's
key.  The test machines have no network, so the network is replaced inside the
child process, at the *transport* level: everything above the transport (the
SDK's URL joining, auth headers, retries, response parsing) is the real code
under test; only the bytes-on-the-wire step is swapped for a recorder that
answers with a canned, OpenAI-shaped response.

The harness puts the directory holding this file first on ``PYTHONPATH``, so
``site`` imports it at interpreter start-up (this is why the child cannot run
with ``python -I``).  It does nothing unless ``OFFRAMP_CAPTURE_FILE`` is set.

What is patched (whatever of it is importable in the child interpreter)
----------------------------------------------------------------------
* ``httpx2`` and ``httpx``: ``HTTPTransport.handle_request`` and
  ``AsyncHTTPTransport.handle_async_request``.  openai 3.x uses httpx2,
  openai 1.x/2.x use httpx; both are patched when present.
* ``requests``: ``requests.adapters.HTTPAdapter.send`` (legacy openai 0.x
  sync calls), returning a real ``requests.Response``.
* ``aiohttp``: ``aiohttp.ClientSession._request`` (legacy openai 0.x async
  calls), returning a small duck-typed response object.
* DSPy 3's vendored HTTP client (``dspy._vendor.lm15``, raw sockets, no httpx):
  ``StdlibTransport.stream``, patched right after DSPy imports it (importing it
  here would cost every run DSPy's import time).
* ``socket``: ``getaddrinfo`` and ``socket.connect``/``connect_ex`` for any
  non-loopback internet address.  Nothing should ever get this far; when
  something does, a ``blocked`` record is written and an ``OSError`` raised,
  and the harness fails the test even if the program swallowed the error.
  This is what makes "no silent passes" hold for clients nobody thought of.

Record format: one JSON object per line in ``$OFFRAMP_CAPTURE_FILE``, with a
``kind`` of ``boot``, ``patched``, ``patch_error``, ``request`` or
``blocked``.

This file must stay importable on Python 3.7+ and must not import anything
outside the standard library at module level except inside ``try`` blocks:
it runs in whatever interpreter the program under test uses.
"""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import struct
import sys
import threading
import time
import traceback

_CAPTURE_FILE = os.environ.get("OFFRAMP_CAPTURE_FILE")
_LOCK = threading.Lock()
_COUNTER = [0]


def _write(record):
    """Append one JSON line to the capture file (thread-safe, flushed at once)."""
    record.setdefault("pid", os.getpid())
    line = json.dumps(record, sort_keys=True)
    with _LOCK, open(_CAPTURE_FILE, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _next_id():
    with _LOCK:
        _COUNTER[0] += 1
        return _COUNTER[0]


# --------------------------------------------------------------------------
# Canned responses
# --------------------------------------------------------------------------

_USAGE_CHAT = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
_USAGE_EMBED = {"prompt_tokens": 1, "total_tokens": 1}
_EMBEDDING = [0.0, 0.1]


def _json_body(body):
    if not body:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except Exception:
        return None


def _model_from(payload, path):
    if isinstance(payload, dict) and isinstance(payload.get("model"), str):
        return payload["model"]
    # Azure style: /openai/deployments/<name>/chat/completions; legacy v0
    # style: /engines/<name>/completions.
    parts = [p for p in path.split("/") if p]
    for marker in ("deployments", "engines"):
        if marker in parts:
            idx = parts.index(marker)
            if idx + 1 < len(parts):
                return parts[idx + 1]
    return "offramp-test-model"


def _sse(events):
    out = []
    for event_name, data in events:
        if event_name:
            out.append(f"event: {event_name}\n")
        out.append("data: %s\n\n" % (data if isinstance(data, str) else json.dumps(data)))
    return "".join(out).encode("utf-8")


def _chat(model, n, stream):
    if stream:
        chunk = {
            "id": f"chatcmpl-offramp-{n}",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "ok"}, "finish_reason": None}],
        }
        last = dict(chunk, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}])
        return "text/event-stream", _sse([(None, chunk), (None, last), (None, "[DONE]")])
    return "application/json", {
        "id": f"chatcmpl-offramp-{n}",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "ok"},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": dict(_USAGE_CHAT),
    }


def _completion(model, n, stream):
    body = {
        "id": f"cmpl-offramp-{n}",
        "object": "text_completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "text": "ok", "finish_reason": "stop", "logprobs": None}],
    }
    if stream:
        return "text/event-stream", _sse([(None, body), (None, "[DONE]")])
    body["usage"] = dict(_USAGE_CHAT)
    return "application/json", body


def _embeddings(model, payload):
    inputs = payload.get("input") if isinstance(payload, dict) else None
    count = len(inputs) if isinstance(inputs, list) and inputs and not isinstance(inputs[0], int) else 1
    as_base64 = isinstance(payload, dict) and payload.get("encoding_format") == "base64"
    data = []
    for i in range(count):
        if as_base64:
            vec = base64.b64encode(struct.pack(f"<{len(_EMBEDDING)}f", *_EMBEDDING)).decode("ascii")
        else:
            vec = list(_EMBEDDING)
        data.append({"object": "embedding", "index": i, "embedding": vec})
    return "application/json", {"object": "list", "data": data, "model": model, "usage": dict(_USAGE_EMBED)}


def _response_object(model, n, status="completed"):
    return {
        "id": f"resp_offramp_{n}",
        "object": "response",
        "created_at": 0,
        "status": status,
        "model": model,
        "output": [
            {
                "type": "message",
                "id": f"msg_offramp_{n}",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "ok", "annotations": []}],
            }
        ]
        if status == "completed"
        else [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
        "usage": {
            "input_tokens": 1,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 1,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 2,
        },
    }


def _responses(model, n, stream):
    if not stream:
        return "application/json", _response_object(model, n)
    created = _response_object(model, n, status="in_progress")
    created["usage"] = None
    done = _response_object(model, n)
    return "text/event-stream", _sse(
        [
            ("response.created", {"type": "response.created", "sequence_number": 0, "response": created}),
            (
                "response.output_text.delta",
                {
                    "type": "response.output_text.delta",
                    "sequence_number": 1,
                    "item_id": f"msg_offramp_{n}",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": "ok",
                    "logprobs": [],
                },
            ),
            ("response.completed", {"type": "response.completed", "sequence_number": 2, "response": done}),
        ]
    )


def _model(model_id):
    return {"id": model_id, "object": "model", "created": 0, "owned_by": "offramp-harness"}


def canned_response(method, url, body):
    """Return ``(status, headers, body_bytes)`` for one intercepted request.

    Endpoints are matched by path *suffix*, so provider prefixes
    (``/compatible-mode/v1``, ``/api/paas/v4``, ``/openai/deployments/x``,
    ``/engines/x``) all work.  Unknown endpoints get a 404 with an
    OpenAI-style error body so the SDK raises and the test fails visibly.
    """
    path = url.split("?", 1)[0].split("#", 1)[0]
    # strip scheme://host
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    path = path.rstrip("/") or "/"
    method = method.upper()
    payload = _json_body(body)
    model = _model_from(payload, path)
    stream = isinstance(payload, dict) and bool(payload.get("stream"))
    n = _next_id()

    segments = [s for s in path.split("/") if s]
    # A base URL without a trailing slash glued to the endpoint by string
    # concatenation (".../v1" + "chat/completions") gives ".../v1chat/completions".
    # No provider serves that; without this check it would match the text
    # "/completions" endpoint below and a broken program would pass.
    glued = (
        len(segments) >= 2
        and segments[-1] == "completions"
        and segments[-2].endswith("chat")
        and segments[-2] != "chat"
    )

    result = None  # -> 404
    refused = content = None
    if os.environ.get("OFFRAMP_EMULATE") and method == "POST":  # answer like the provider (provider_emulation.py)
        import provider_emulation

        host = url.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].split(":")[0].lower()
        refused = provider_emulation.check(host, path, payload, model, stream)
        content = provider_emulation.reply_content(host, payload)
    if refused is not None:
        status, data = refused
        raw = json.dumps(data).encode("utf-8")
        return status, {"content-type": "application/json", "content-length": str(len(raw))}, raw
    if glued:
        pass
    elif method == "POST" and path.endswith("/chat/completions"):
        result = _chat(model, n, stream)
        if os.environ.get("OFFRAMP_EMULATE") and content is not None and not stream:
            result[1]["choices"][0]["message"]["content"] = content
    elif method == "POST" and path.endswith("/completions"):
        result = _completion(model, n, stream)
    elif method == "POST" and path.endswith("/embeddings"):
        result = _embeddings(model, payload)
    elif method == "POST" and path.endswith("/responses"):
        result = _responses(model, n, stream)
    elif method == "GET" and path.endswith("/models"):
        result = ("application/json", {"object": "list", "data": [_model("offramp-test-model")]})
    elif method == "GET" and "/models/" in path:
        result = ("application/json", _model(path.rsplit("/", 1)[1]))

    if result is None:
        status = 404
        content_type = "application/json"
        data = {
            "error": {
                "message": f"offramp test harness: no canned response for {method} {path}",
                "type": "invalid_request_error",
                "param": None,
                "code": "offramp_harness_unknown_endpoint",
            }
        }
    else:
        status = 200
        content_type, data = result
    raw = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
    headers = {
        "content-type": content_type,
        "x-request-id": f"req_offramp_{n}",
        "content-length": str(len(raw)),
    }
    return status, headers, raw


def _record_and_answer(via, method, url, header_pairs, body):
    """Record one request and compute its canned answer."""
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    _write(
        {
            "kind": "request",
            "via": via,
            "method": method.upper(),
            "url": url,
            "headers": [[str(k), str(v)] for k, v in header_pairs],
            "body_b64": base64.b64encode(body).decode("ascii"),
            "time": time.time(),
        }
    )
    return canned_response(method, url, body)


# --------------------------------------------------------------------------
# httpx / httpx2 (openai >= 1.0)
# --------------------------------------------------------------------------


def _patch_httpx_like(modname):
    try:
        mod = __import__(modname)
        transport_cls = mod.HTTPTransport
        async_transport_cls = mod.AsyncHTTPTransport
        response_cls = mod.Response
    except ImportError:
        return
    except Exception as exc:  # a broken install must be visible, not silent
        _write({"kind": "patch_error", "target": modname, "error": repr(exc)})
        return

    def _pairs(request):
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]

    def handle_request(self, request):
        body = request.read()
        status, headers, raw = _record_and_answer(
            modname + ".HTTPTransport", request.method, str(request.url), _pairs(request), body
        )
        return response_cls(status, headers=headers, content=raw, request=request)

    async def handle_async_request(self, request):
        body = await request.aread()
        status, headers, raw = _record_and_answer(
            modname + ".AsyncHTTPTransport", request.method, str(request.url), _pairs(request), body
        )
        return response_cls(status, headers=headers, content=raw, request=request)

    handle_request.__offramp_patched__ = True
    handle_async_request.__offramp_patched__ = True
    transport_cls.handle_request = handle_request
    async_transport_cls.handle_async_request = handle_async_request
    _write(
        {
            "kind": "patched",
            "target": modname,
            "what": [
                f"{modname}.HTTPTransport.handle_request",
                f"{modname}.AsyncHTTPTransport.handle_async_request",
            ],
            "version": getattr(mod, "__version__", None),
        }
    )


# --------------------------------------------------------------------------
# requests (openai 0.x, sync)
# --------------------------------------------------------------------------


def _patch_requests():
    try:
        import requests
        import requests.adapters
        from requests.structures import CaseInsensitiveDict
        from requests.utils import get_encoding_from_headers
    except ImportError:
        return
    except Exception as exc:
        _write({"kind": "patch_error", "target": "requests", "error": repr(exc)})
        return

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        body = request.body
        if body is not None and not isinstance(body, (bytes, str)):
            # file-like or generator body (streamed uploads)
            if hasattr(body, "read"):
                body = body.read()
            else:
                body = b"".join(c if isinstance(c, bytes) else str(c).encode("utf-8") for c in body)
        status, headers, raw = _record_and_answer(
            "requests.HTTPAdapter.send", request.method, request.url, list(request.headers.items()), body
        )
        # Mirror HTTPAdapter.build_response, so the SDK gets a genuine Response
        # whose .content / .iter_lines() read from ``raw`` like a real one.
        resp = requests.Response()
        resp.status_code = status
        resp.headers = CaseInsensitiveDict(headers)
        resp.encoding = get_encoding_from_headers(resp.headers)
        resp.raw = io.BytesIO(raw)
        resp.reason = "OK" if status < 400 else "Not Found"
        resp.url = request.url
        resp.request = request
        resp.connection = self
        return resp

    send.__offramp_patched__ = True
    requests.adapters.HTTPAdapter.send = send
    _write(
        {
            "kind": "patched",
            "target": "requests",
            "what": ["requests.adapters.HTTPAdapter.send"],
            "version": getattr(requests, "__version__", None),
        }
    )


# --------------------------------------------------------------------------
# aiohttp (openai 0.x, async)
# --------------------------------------------------------------------------


def _patch_aiohttp():
    try:
        import aiohttp
        from multidict import CIMultiDict, CIMultiDictProxy
        from yarl import URL
    except ImportError:
        return
    except Exception as exc:
        _write({"kind": "patch_error", "target": "aiohttp", "error": repr(exc)})
        return

    class _Content:
        """Enough of ``aiohttp.StreamReader`` for SSE parsing by line or chunk."""

        def __init__(self, raw):
            self._raw = raw
            self._pos = 0

        async def read(self, n=-1):
            if n is None or n < 0:
                n = len(self._raw) - self._pos
            chunk = self._raw[self._pos : self._pos + n]
            self._pos += len(chunk)
            return chunk

        async def readany(self):
            return await self.read()

        async def readline(self):
            end = self._raw.find(b"\n", self._pos)
            end = len(self._raw) if end < 0 else end + 1
            chunk = self._raw[self._pos : end]
            self._pos = end
            return chunk

        def at_eof(self):
            return self._pos >= len(self._raw)

        def __aiter__(self):
            return self

        async def __anext__(self):
            line = await self.readline()
            if not line:
                raise StopAsyncIteration
            return line

        async def iter_any(self):
            chunk = await self.read()
            if chunk:
                yield chunk

        async def iter_chunked(self, n):
            while True:
                chunk = await self.read(n)
                if not chunk:
                    return
                yield chunk

    class FakeClientResponse:
        """Duck-typed stand-in for ``aiohttp.ClientResponse`` (no socket behind it)."""

        def __init__(self, method, url, status, headers, raw):
            self.method = method
            self.url = URL(url)
            self.real_url = self.url
            self.status = status
            self.reason = "OK" if status < 400 else "Not Found"
            self.headers = CIMultiDictProxy(CIMultiDict(headers))
            self.raw_headers = tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())
            self.content_type = headers.get("content-type", "application/octet-stream")
            self.charset = "utf-8"
            self.content = _Content(raw)
            self.history = ()
            self._body = raw
            self.closed = False

        @property
        def ok(self):
            return self.status < 400

        async def read(self):
            return self._body

        async def text(self, encoding=None, errors="strict"):
            return self._body.decode(encoding or "utf-8", errors)

        async def json(self, *, encoding=None, loads=json.loads, content_type="application/json"):
            return loads(self._body.decode(encoding or "utf-8"))

        def raise_for_status(self):
            if self.status >= 400:
                raise aiohttp.ClientResponseError(
                    None, self.history, status=self.status, message=self.reason, headers=self.headers
                )

        def release(self):
            self.closed = True

        def close(self):
            self.closed = True

        async def wait_for_close(self):
            self.closed = True

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            self.release()

    async def _request(self, method, str_or_url, *, params=None, data=None, json=None, headers=None, **kwargs):
        url = URL(str_or_url)
        base = getattr(self, "_base_url", None)
        if base is not None and not url.is_absolute():
            url = base.join(url)
        if params:
            url = url.update_query(params)
        merged = CIMultiDict(getattr(self, "_default_headers", None) or {})
        for k, v in (headers or {}).items():
            merged[k] = v
        if json is not None:
            data = _json_dumps(json)
            merged.setdefault("Content-Type", "application/json")
        if data is not None and not isinstance(data, (bytes, str)):
            # FormData and other payload objects: record a textual marker
            data = (f"<{type(data).__name__} body not captured>").encode()
        status, resp_headers, raw = _record_and_answer(
            "aiohttp.ClientSession._request", method, str(url), list(merged.items()), data
        )
        return FakeClientResponse(method, str(url), status, resp_headers, raw)

    _request.__offramp_patched__ = True
    aiohttp.ClientSession._request = _request
    _write(
        {
            "kind": "patched",
            "target": "aiohttp",
            "what": ["aiohttp.ClientSession._request"],
            "version": getattr(aiohttp, "__version__", None),
        }
    )


def _json_dumps(obj):
    return json.dumps(obj)


# --------------------------------------------------------------------------
# Last line of defence: sockets
# --------------------------------------------------------------------------

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _is_loopback(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    return host in _LOOPBACK_NAMES or host.startswith("127.") or host in ("::1", "0:0:0:0:0:0:0:1", "")


def _blocked(what, host, port):
    _write(
        {
            "kind": "blocked",
            "what": what,
            "host": host if not isinstance(host, bytes) else host.decode("ascii", "replace"),
            "port": port,
            "stack": "".join(traceback.format_stack(limit=25)[:-2]),
        }
    )
    return OSError(
        f"offramp test harness: real network access to {host!r} (port {port!r}) was attempted outside the "
        f"intercepted transports ({what}); this test run will fail"
    )


def _patch_sockets():
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host, port, *args, **kwargs):
        if not _is_loopback(host):
            raise _blocked("socket.getaddrinfo", host, port)
        return real_getaddrinfo(host, port, *args, **kwargs)

    def _check(sock, address, what):
        if sock.family in (socket.AF_INET, getattr(socket, "AF_INET6", object())):
            host = address[0] if isinstance(address, tuple) and address else address
            port = address[1] if isinstance(address, tuple) and len(address) > 1 else None
            if not _is_loopback(host):
                raise _blocked(what, host, port)

    def connect(self, address):
        _check(self, address, "socket.connect")
        return real_connect(self, address)

    def connect_ex(self, address):
        _check(self, address, "socket.connect_ex")
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    _write(
        {
            "kind": "patched",
            "target": "socket",
            "what": ["socket.getaddrinfo", "socket.socket.connect", "socket.socket.connect_ex"],
        }
    )


# --------------------------------------------------------------------------
# DSPy 3's lm15 transport (its own HTTP/1.1 client on raw sockets)
# --------------------------------------------------------------------------

_LM15_SYNC = "dspy._vendor.lm15.transports._sync"


def _patch_lm15(mod):
    response_cls = mod.TransportResponse

    def stream(self, request):
        status, headers, raw = _record_and_answer(
            "lm15.StdlibTransport", request.method, request.url, list(request.headers), request.body
        )
        return response_cls(
            status=status,
            reason="OK" if status == 200 else "Error",
            headers=list(headers.items()),
            http_version="HTTP/1.1",
            chunks=iter([raw]),
            release=lambda body_consumed: None,
        )

    stream.__offramp_patched__ = True
    mod.StdlibTransport.stream = stream
    _write({"kind": "patched", "target": "lm15", "what": [_LM15_SYNC + ".StdlibTransport.stream"]})


class _PatchOnImport:
    """A meta-path finder that patches a module right after its first import."""

    def __init__(self, patches):
        self.patches = patches

    def find_spec(self, name, path=None, target=None):
        patch = self.patches.get(name)
        if patch is None:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            try:
                patch(module)
            except Exception as exc:  # a changed library must be visible, not silent
                _write({"kind": "patch_error", "target": name, "error": repr(exc)})

        spec.loader.exec_module = exec_and_patch  # (a loader per spec: FileFinder makes a new one)
        return spec


def _install():
    _write(
        {"kind": "boot", "python": sys.version, "executable": sys.executable, "argv": list(getattr(sys, "argv", []))}
    )
    _patch_sockets()
    _patch_httpx_like("httpx2")
    _patch_httpx_like("httpx")
    _patch_requests()
    _patch_aiohttp()
    sys.meta_path.insert(0, _PatchOnImport({_LM15_SYNC: _patch_lm15}))


if _CAPTURE_FILE:
    _install()
