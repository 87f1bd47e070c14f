"""Send the plan's requests with the user's key and judge each route: works / fails / not tried.

Only the standard library (urllib): no dependency for a command most runs never use. Every request has
an explicit timeout; the key goes in the Authorization header and nowhere else: the provider's answers
are shown redacted, with the key itself masked even if a provider echoes it back.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from offramp.redact import redact
from offramp.verify.plan import Plan, Probe, silence

_AUTH = (401, 403)


@dataclass(frozen=True)
class Answer:
    ok: bool
    status: Optional[int]  # HTTP status, None when there was no answer
    message: str  # the provider's error message (redacted), or what went wrong on the way


@dataclass
class Verdict:
    where: str
    family: str
    model: str
    state: str  # works | fails | not tried
    detail: str = ""


@dataclass
class Result:
    models: Optional[List[str]]  # GET /models, None when not served or not asked
    models_error: str = ""
    verdicts: List[Verdict] = field(default_factory=list)
    key_refused: str = ""


def _message(raw: bytes, key: str) -> str:
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            text = err["message"]
        elif isinstance(err, str):
            text = err
    text = " ".join(text.split())[:300]
    return redact(text.replace(key, "***") if key else text)


def multipart(fields: Dict[str, object], filename: str, content: bytes) -> Tuple[bytes, str]:
    """A multipart/form-data body (the transcription API's shape) and its content type."""
    boundary = "offramp-verify-" + os.urandom(8).hex()
    out = b""
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    out += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    out += content + f"\r\n--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def send(
    method: str,
    url: str,
    key: str,
    body: Optional[dict],
    timeout: float,
    stream: bool = False,
    form: Optional[Tuple[bytes, str]] = None,
) -> Tuple[Answer, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {key}", "User-Agent": "offramp-verify", "Accept": "application/json"}
    if form is not None:
        data, headers["Content-Type"] = form
    elif data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            if stream and b"data:" not in raw:
                return Answer(False, resp.status, "the stream carried no data: events"), raw
            return Answer(True, resp.status, ""), raw
    except urllib.error.HTTPError as e:
        return Answer(False, e.code, _message(e.read() or b"", key)), b""
    except (socket.timeout, TimeoutError):
        return Answer(False, None, f"no answer within {timeout:g} s (timeout)"), b""
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return Answer(False, None, f"no answer within {timeout:g} s (timeout)"), b""
        return Answer(False, None, f"cannot connect: {redact(str(reason))}"), b""
    except OSError as e:
        return Answer(False, None, f"connection failed: {redact(str(e))}"), b""


def _show(a: Answer) -> str:
    return f"HTTP {a.status}: {a.message}" if a.status is not None else a.message


def run(plan: Plan, key: str, timeout: float) -> Result:
    result = Result(models=None)
    if plan.list_models:
        answer, raw = send("GET", plan.base_url + "/models", key, None, timeout)
        if answer.ok:
            try:
                listed = json.loads(raw.decode("utf-8", "replace")).get("data", [])
                result.models = sorted(str(m.get("id")) for m in listed if isinstance(m, dict) and m.get("id"))
            except (ValueError, AttributeError):
                result.models_error = "GET /models answered something that is not a model list"
        elif answer.status in _AUTH:
            result.key_refused = _show(answer)
        else:
            result.models_error = f"GET /models: {_show(answer)}"
    answers: Dict[Probe, Answer] = {}
    for probe in plan.probes():
        if result.key_refused:
            break
        form = multipart(probe.body(), "silence.wav", silence()) if probe.family == "audio-transcriptions" else None
        answer, _ = send(
            "POST",
            plan.base_url + probe.path,
            key,
            probe.body(),
            timeout,
            stream=probe.capability == "stream",
            form=form,
        )
        answers[probe] = answer
        if answer.status in _AUTH:
            result.key_refused = _show(answer)
    for rp in plan.routes:
        v = Verdict(rp.where, rp.family, rp.model, "not tried", rp.skip)
        result.verdicts.append(v)
        if rp.skip:
            continue
        done = [(p, answers[p]) for p in rp.probes if p in answers]
        failed = [(p, a) for p, a in done if not a.ok]
        if failed:
            p, a = failed[0]
            v.state, v.detail = "fails", f"{p.capability}: {_show(a)}"
        elif len(done) == len(rp.probes):
            v.state, v.detail = "works", ", ".join(p.capability for p in rp.probes)
        else:
            v.detail = "the provider refused the key"
        if result.models is not None and rp.model and rp.model not in result.models:
            v.detail += f" (`{rp.model}` is not in GET /models)"
    return result
