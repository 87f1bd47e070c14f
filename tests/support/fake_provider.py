"""An OpenAI-compatible provider on 127.0.0.1 that answers as the provider file says the provider does.

    with FakeProvider.from_provider(builtin_providers()["kimi"], key="sk-cn") as fake:
        url = fake.base_url            # http://127.0.0.1:PORT/v1
        ...                            # point a client (or `offramp verify --base-url`) at it
        fake.requests                  # what it received: (method, path, body), keys never recorded

It serves `GET /models`, `POST /chat/completions` (plain and `stream=True` as server-sent events),
`POST /embeddings`, `/responses`, `/images/generations`, `/audio/speech` (audio bytes) and
`/audio/transcriptions` (multipart/form-data), and refuses like the real provider would, from its
catalogue entry:

- a wrong key (another region's, another account's) -> 401;
- an endpoint family the catalogue marks "no" -> 404 ("unknown" ones are served);
- a model the provider does not serve -> the provider's unknown-model status and words
  (`[semantics.errors]`, else 404);
- a request parameter the catalogue marks "no" -> 400 with the provider's words if recorded;
- embedding `dimensions` outside `[embedding-dimensions]` -> 400;
- `delay` seconds before answering a path (to exercise client timeouts).

The standard library only (http.server in a daemon thread), one server per test, port chosen by the OS.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

# request body key -> the catalogue's parameter key (offramp.providers.PARAMETERS)
_SAME_NAME = (
    "n", "logprobs", "top_logprobs", "seed", "logit_bias", "tools", "parallel_tool_calls", "stream_options",
    "max_completion_tokens", "reasoning_effort", "service_tier", "store", "metadata", "prediction", "user",
    "presence_penalty", "frequency_penalty", "web_search_options", "prompt_cache_key", "safety_identifier",
    "verbosity", "functions",
)  # fmt: skip


def used_parameters(body: Mapping[str, Any]) -> List[str]:
    """The catalogue parameter keys a chat request body uses."""
    out = [k for k in _SAME_NAME if k in body]
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema"):
        out.append(f"response_format-{fmt['type']}")
    if body.get("tool_choice") == "required":
        out.append("tool_choice-required")
    if "modalities" in body or "audio" in body:
        out.append("audio_output")
    messages = body.get("messages") if isinstance(body.get("messages"), list) else []
    parts = [p for m in messages if isinstance(m, dict) and isinstance(m.get("content"), list) for p in m["content"]]
    if any(isinstance(p, dict) and p.get("type") == "image_url" for p in parts):
        out.append("image_input")
    return out


_FAMILIES = {
    "/models": "models",
    "/chat/completions": "chat",
    "/embeddings": "embeddings",
    "/responses": "responses",
    "/images/generations": "images",
    "/audio/speech": "audio-speech",
    "/audio/transcriptions": "audio-transcriptions",
}


def _form_fields(raw: bytes) -> Optional[dict]:
    """The text fields of a multipart/form-data body (and the file's size), None when it has no file."""
    fields = dict(re.findall(rb'name="([^"]+)"\r\n\r\n([^\r]*)\r\n', raw))
    found = re.search(rb'name="file"; filename="[^"]*"\r\n[^\r]*\r\n\r\n', raw)
    if found is None:
        return None
    out: dict = {k.decode(): v.decode() for k, v in fields.items()}
    out["file"] = len(raw) - found.end()
    return out


class FakeProvider:
    def __init__(
        self,
        *,
        key: str,
        models: Iterable[str],
        endpoints: Iterable[str] = ("chat", "embeddings", "models"),
        unsupported: Mapping[str, str] = {},
        unknown_model: Tuple[int, str] = (404, "The model `{model}` does not exist"),
        dimensions: Mapping[str, Sequence[int]] = {},
        delay: Mapping[str, float] = {},
    ) -> None:
        self.key = key
        self.models = sorted(set(models))
        self.endpoints = frozenset(endpoints)
        self.unsupported = dict(unsupported)  # parameter key -> message ("" -> a generic one)
        self.unknown_model = unknown_model
        self.dimensions = {m: tuple(d) for m, d in dimensions.items()}
        self.delay = dict(delay)  # "/chat/completions" -> seconds
        self.requests: List[Tuple[str, str, Optional[dict]]] = []
        self._server: Optional[ThreadingHTTPServer] = None

    @classmethod
    def from_provider(cls, provider: Any, key: str, also_served: Iterable[str] = (), **kw: Any) -> FakeProvider:
        """The constraints of a catalogue entry (offramp.providers.Provider)."""
        life = provider.lifecycle
        served = set(provider.models.values()) | set(life.served) | set(also_served)
        served |= {m for m, e in life.models.items() if e.status != "retired"}
        families = [f for f, s in provider.endpoints.items() if s != "no"]  # "unknown": not a documented refusal
        errors = provider.semantics.errors
        unsupported = {p: errors.unsupported.get(p, "") for p, s in provider.parameters.items() if s == "no"}
        unknown = errors.unknown_model if errors.unknown_model[1] else (404, "The model `{model}` does not exist")
        dims = {m: [spec["default"], *spec.get("allowed", [])] for m, spec in provider.embedding_dimensions.items()}
        return cls(
            key=key, models=served, endpoints=families, unsupported=unsupported, unknown_model=unknown,
            dimensions=dims, **kw,
        )  # fmt: skip

    # -- lifecycle --------------------------------------------------------------------------------
    def __enter__(self) -> FakeProvider:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "use FakeProvider as a context manager"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # -- answers ----------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        path = h.path.split("?", 1)[0]
        path = path[3:] if path.startswith("/v1/") else path
        body: Optional[dict] = None
        if method == "POST":
            raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
            if (h.headers.get("Content-Type") or "").startswith("multipart/form-data"):
                body = _form_fields(raw)
                if body is None:
                    return self._send(h, 400, _error("the form has no file"))
            else:
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    return self._send(h, 400, _error("the request body is not JSON"))
        self.requests.append((method, path, body))
        time.sleep(self.delay.get(path, 0.0))
        if h.headers.get("Authorization") != f"Bearer {self.key}":
            return self._send(h, 401, _error("Invalid Authentication", "invalid_authentication_error"))
        family = _FAMILIES.get(path)
        if family is None or family not in self.endpoints or (family == "models") != (method == "GET"):
            return self._send(h, 404, _error(f"{method} {path} is not served"))
        if family == "models":
            return self._send(h, 200, {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]})
        assert body is not None
        model = str(body.get("model", ""))
        if model not in self.models:
            status, message = self.unknown_model
            return self._send(h, status, _error(message.replace("{model}", model), code="model_not_found"))
        if family == "embeddings":
            return self._embeddings(h, model, body)
        if family != "chat":
            return self._other(h, family, model)
        for param in used_parameters(body):
            if param in self.unsupported:
                return self._send(h, 400, _error(self.unsupported[param] or f"`{param}` is not supported", param=param))
        reply = {"role": "assistant", "content": '{"ok": true}' if "response_format" in body else "ok"}
        if body.get("stream"):
            return self._stream(h, model, reply["content"])
        choice = {"index": 0, "message": reply, "finish_reason": "stop"}
        return self._send(h, 200, {"id": "fake-1", "object": "chat.completion", "model": model, "choices": [choice]})

    def _embeddings(self, h: BaseHTTPRequestHandler, model: str, body: dict) -> None:
        size = body.get("dimensions")
        allowed = self.dimensions.get(model)
        if size is not None and allowed and size not in allowed:
            message = f"dimensions {size} is not supported; use one of {', '.join(map(str, allowed))}"
            return self._send(h, 400, _error(message, param="dimensions"))
        n = size or (allowed[0] if allowed else 8)
        inputs = body.get("input") if isinstance(body.get("input"), list) else [body.get("input")]
        data = [{"object": "embedding", "index": i, "embedding": [0.0] * n} for i in range(len(inputs))]
        return self._send(h, 200, {"object": "list", "model": model, "data": data})

    def _other(self, h: BaseHTTPRequestHandler, family: str, model: str) -> None:
        if family == "audio-speech":  # audio bytes, not JSON
            data = b"RIFF\x24\x00\x00\x00WAVE"
            h.send_response(200)
            h.send_header("Content-Type", "audio/wav")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
            return None
        payload = {
            "responses": {"id": "resp-1", "object": "response", "model": model, "output_text": "ok"},
            "images": {"created": 0, "data": [{"url": "http://127.0.0.1/fake.png"}]},
            "audio-transcriptions": {"text": ""},
        }[family]
        return self._send(h, 200, payload)

    def _stream(self, h: BaseHTTPRequestHandler, model: str, content: str) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.end_headers()
        for delta in ({"role": "assistant", "content": content}, {}):
            chunk = {"id": "fake-1", "object": "chat.completion.chunk", "model": model,
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None if delta else "stop"}]}  # fmt: skip
            h.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        h.wfile.write(b"data: [DONE]\n\n")

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass


def _error(message: str, kind: str = "invalid_request_error", param: Optional[str] = None, code: str = "") -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": code or None}}
