"""What `verify` would ask the provider: one probe per distinct (API, model, capability) the project's
routes to that provider use.

A route is a request site of the project (`app.py:12`) with its host and model followed through the
code (offramp.project); the capabilities come from the same call's analysis: `tools`, a `json_object`
response format, `stream=True`, embedding `dimensions`. Each capability gets the smallest request
that exercises it (one user message, a few output tokens, one embedding input), so a route's verdict
names the capability that failed. Beyond chat (with tools, `json_object`, streaming, image parts and
the catalogue's parameters) and embeddings, the Responses API (one short input), image generation (one
image: it is billed), speech (one word, in the call's own voice) and transcription (a tenth of a second
of silence) are probed; other APIs (files, batches, moderations...) are listed as not tried.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import libcst as cst

from offramp.analysis import analyze
from offramp.analysis.facts import ApiCall
from offramp.catalog import load_sdk
from offramp.checks.base import CheckContext
from offramp.checks.capabilities import used_parameters
from offramp.checks.routes import host_targets
from offramp.project.sources import Literal, Route
from offramp.providers import Provider, known_provider_hosts
from offramp.source import parse_module
from offramp.types import Span

PROBED = ("chat", "embeddings", "responses", "images", "audio-speech", "audio-transcriptions")
PATHS = {
    "chat": "/chat/completions",
    "embeddings": "/embeddings",
    "responses": "/responses",
    "images": "/images/generations",
    "audio-speech": "/audio/speech",
    "audio-transcriptions": "/audio/transcriptions",
}
# A 1x1 PNG: the smallest image part a vision model accepts.
PIXEL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)
# Catalogue parameters (offramp.providers.PARAMETERS) a chat probe can carry, with a harmless value.
PARAMETER_VALUES: Dict[str, object] = {
    "n": 2,
    "seed": 1,
    "logprobs": True,
    "top_logprobs": 1,
    "max_completion_tokens": 16,
    "presence_penalty": 0.1,
    "frequency_penalty": 0.1,
    "user": "offramp-verify",
    "service_tier": "auto",
    "store": False,
    "metadata": {"offramp": "verify"},
    "stream_options": {"include_usage": True},
    "parallel_tool_calls": False,
    "tool_choice-required": "required",
}


@dataclass(frozen=True)
class Probe:
    """One request: `capability` names what it exercises ("chat", "tools", "json_object", "stream",
    "embeddings", "dimensions=1024")."""

    family: str
    model: str
    capability: str

    def body(self) -> Dict[str, object]:
        if self.family == "responses":
            return {"model": self.model, "input": "Reply with the word ok.", "max_output_tokens": 16}
        if self.family == "images":
            return {"model": self.model, "prompt": "A small red dot on white.", "n": 1}
        if self.family == "audio-speech":
            return {"model": self.model, "input": "ok", "voice": self.capability.split("=", 1)[1]}
        if self.family == "audio-transcriptions":
            return {"model": self.model}  # sent as multipart/form-data with `silence()` as the file
        if self.family == "embeddings":
            body: Dict[str, object] = {"model": self.model, "input": ["offramp verify"]}
            if self.capability.startswith("dimensions="):
                body["dimensions"] = int(self.capability.split("=", 1)[1])
            return body
        body = {"model": self.model, "messages": [{"role": "user", "content": "Reply with the word ok."}]}
        body["max_tokens"] = 16
        if self.capability == "tools":
            body["tools"] = [
                {
                    "type": "function",
                    "function": {"name": "ping", "description": "Answer ping.", "parameters": {"type": "object"}},
                }
            ]
        elif self.capability == "json_object":
            body["messages"] = [{"role": "user", "content": 'Reply with the JSON object {"ok": true}.'}]
            body["response_format"] = {"type": "json_object"}
        elif self.capability == "stream":
            body["stream"] = True
        elif self.capability == "image_input":
            parts = [
                {"type": "text", "text": "Reply with the word ok."},
                {"type": "image_url", "image_url": {"url": PIXEL}},
            ]
            body["messages"] = [{"role": "user", "content": parts}]
        elif self.capability in PARAMETER_VALUES:
            value = PARAMETER_VALUES[self.capability]
            if self.capability == "max_completion_tokens":
                del body["max_tokens"]
            if self.capability in ("tool_choice-required", "parallel_tool_calls"):
                body.update(Probe(self.family, self.model, "tools").body())
            if self.capability == "top_logprobs":
                body["logprobs"] = True
            if self.capability == "stream_options":
                body["stream"] = True
            body["tool_choice" if self.capability == "tool_choice-required" else self.capability] = value
        return body

    @property
    def path(self) -> str:
        return PATHS[self.family]


def silence() -> bytes:
    """A tenth of a second of 16 kHz mono silence as a WAV file: the smallest transcription request."""

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 1600)
    return out.getvalue()


@dataclass
class RoutePlan:
    where: str  # app.py:12
    family: str
    model: str  # "" when the model is not a literal offramp can follow
    probes: List[Probe] = field(default_factory=list)
    skip: str = ""  # why nothing is tried for this route


@dataclass
class Plan:
    provider: Provider
    base_url: str
    routes: List[RoutePlan] = field(default_factory=list)
    list_models: bool = True  # GET /models is served

    def probes(self) -> List[Probe]:
        return list(dict.fromkeys(p for r in self.routes for p in r.probes))


def _capabilities(call: Optional[ApiCall], family: str) -> List[str]:
    node = call.node if call is not None else None
    if family == "audio-speech":  # voices are the provider's: only the call's own is worth trying
        voice = _literal_keyword(node, "voice")
        return [f"voice={voice}"] if voice else []
    if family in ("responses", "images", "audio-transcriptions"):
        return [family]
    if family == "embeddings":
        for arg in node.args if node is not None else ():
            if arg.keyword is not None and arg.keyword.value == "dimensions" and isinstance(arg.value, cst.Integer):
                return [f"dimensions={int(arg.value.value)}"]
        return ["embeddings"]
    caps = ["chat"]
    used = used_parameters(call) if call is not None else []
    if "tools" in used or "functions" in used:
        caps.append("tools")
    if "response_format-json_object" in used:
        caps.append("json_object")
    if call is not None and "stream" in call.keywords and _stream_true(node):
        caps.append("stream")
    if call is not None and call.image_input:
        caps.append("image_input")
    caps += [p for p in used if p in PARAMETER_VALUES]
    return caps


def _literal_keyword(call_node: Optional[cst.Call], name: str) -> str:
    for arg in call_node.args if call_node is not None else ():
        if arg.keyword is not None and arg.keyword.value == name and isinstance(arg.value, cst.SimpleString):
            value = arg.value.evaluated_value
            return value if isinstance(value, str) else ""
    return ""


def _stream_true(call_node: Optional[cst.Call]) -> bool:
    for arg in call_node.args if call_node is not None else ():
        if arg.keyword is not None and arg.keyword.value == "stream":
            return not (isinstance(arg.value, cst.Name) and arg.value.value in ("False", "None"))
    return True  # stream= came from a **dict: assume it streams


def _calls(path: Path) -> Dict[Span, ApiCall]:
    """Span -> the SDK call there, in one file."""
    try:
        text = path.read_text("utf-8")
        a = analyze(parse_module(text), text, load_sdk(), known_provider_hosts())
    except Exception:  # unreadable or unparseable: the route is planned without its capabilities
        return {}
    return {c.span: c for c in a.calls}


def make_plan(routes: Sequence[Route], provider: Provider, base_url: str, path_of: Callable[[str], Path]) -> Plan:
    ctx = CheckContext(sdk=load_sdk(), provider=provider)
    plan = Plan(provider, base_url.rstrip("/"), list_models=provider.endpoint("models") != "no")
    calls: Dict[str, Dict[Span, ApiCall]] = {}
    for route in sorted(routes, key=lambda r: (r.file, r.span.line, r.span.column)):
        targets = [t for _, t in host_targets(route, ctx, tuple(provider.hosts))]
        if not targets or not all(t.kind == "provider" and t.host in provider.hosts for t in targets):
            continue  # not (only) aimed at this provider: nothing to verify there
        models = sorted({s.value for s in route.model if isinstance(s, Literal) and s.value and not s.template})
        rp = RoutePlan(route.where, route.family or "?", ", ".join(models))
        plan.routes.append(rp)
        if route.family not in PROBED:
            rp.skip = f"verify does not probe `{route.family or 'this API'}`"
            continue
        if len(models) != 1:
            rp.skip = "the model is not one literal offramp can follow" if not models else "several models reach it"
            continue
        if route.file not in calls:
            calls[route.file] = _calls(path_of(route.file))
        call = calls[route.file].get(route.span)
        rp.probes = [Probe(route.family, models[0], c) for c in _capabilities(call, route.family)]
        if not rp.probes:
            rp.skip = "the voice is not one literal offramp can follow"
    return plan
