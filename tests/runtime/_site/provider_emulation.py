"""Answer like the provider: the rules a migrated request must pass at Qwen, DeepSeek, GLM, Kimi...

The canned transport (sitecustomize.py) answers every well-formed OpenAI request with 200. That
proves where a request goes, not that the provider takes it: Qwen answers `reasoning_effort`-less
thinking on a non-streaming call, eleven embedding inputs or an unknown model with an error, and
the migrated program breaks on its first call. When ``$OFFRAMP_EMULATE`` holds a spec (JSON, built
by tests/runtime/emulation.py from rules/providers/*.toml, so the rules are the provider data's),
requests to a host it names are checked against that provider's rules and refused with the
provider's status and its own error text, as the provider would.

Loaded lazily by sitecustomize.canned_response; standard library only, Python 3.7+.
"""

import fnmatch
import json
import os

_SPEC = {}


def _spec():
    raw = os.environ.get("OFFRAMP_EMULATE", "")
    if not raw:
        return {}
    if raw not in _SPEC:
        _SPEC.clear()
        _SPEC[raw] = json.loads(raw)
    return _SPEC[raw]


def _match(model, globs):
    return any(fnmatch.fnmatchcase(str(model).lower(), g.lower()) for g in globs or ())


def _error(status, message, param=None, kind="invalid_request_error"):
    return status, {"error": {"message": message, "type": kind, "param": param, "code": kind}}


def _mentions_json(messages):
    for m in messages or ():
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, str) and "json" in content.lower():
            return True
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and "json" in str(part.get("text", "")).lower():
                    return True
    return False


def _has_image(messages):
    for m in messages or ():
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, list) and any(isinstance(p, dict) and p.get("type") == "image_url" for p in content):
            return True
    return False


def _thinking_on(rules, payload, model):
    """Whether the request thinks: the provider's switch, else the model's default (on for the
    thinking models the rules name)."""
    extra = payload
    if rules.get("control") == "enable_thinking" and "enable_thinking" in extra:
        return bool(extra["enable_thinking"])
    thinking = extra.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") in ("enabled", "disabled"):
        return thinking["type"] == "enabled"
    return True


def check(host, path, payload, model, stream):
    """(status, error body) when the emulated provider refuses the request, else None."""
    spec = _spec()
    if not spec or not isinstance(payload, dict):
        return None
    rules = spec.get(host)
    if rules is None:
        return None
    if any(path.endswith(missing) for missing in rules.get("missing", ())):
        return _error(404, "Not Found", kind="not_found_error")
    if model not in rules["models"]:
        status, message = rules["unknown_model"]
        return _error(status, (message or "The model `{model}` does not exist").replace("{model}", str(model)))
    if path.endswith("/embeddings"):
        inputs = payload.get("input")
        limit = rules.get("embedding_batch")
        if limit and isinstance(inputs, list) and inputs and not isinstance(inputs[0], int) and len(inputs) > limit:
            return _error(400, rules["embedding_batch_error"] or "batch size is invalid")
        return None
    for key, message in sorted(rules["unsupported"].items()):
        if key in payload:
            return _error(400, message, key)
    rf = payload.get("response_format")
    kind = rf.get("type") if isinstance(rf, dict) else None
    if kind == "json_schema":
        models = rules.get("json_schema_models")
        if models is not None and not _match(model, models):
            return _error(
                400, rules["json_schema_error"] or "response_format json_schema is not supported", "response_format"
            )
    if kind == "json_object" and rules.get("json_word") and not _mentions_json(payload.get("messages")):
        return _error(
            400, "Prompt must contain the word 'json' in some form to use 'response_format' of type 'json_object'."
        )
    if rules.get("no_images") and _has_image(payload.get("messages")):
        return _error(400, "this model does not accept image input", "messages")
    effort = payload.get("reasoning_effort")
    if effort is not None and rules.get("efforts") and effort not in rules["efforts"]:
        return _error(400, "reasoning_effort must be one of " + ", ".join(rules["efforts"]), "reasoning_effort")
    thinking = _thinking_on(rules, payload, model)
    if _match(model, rules.get("stream_only")) and thinking and not stream:
        return _error(400, rules["stream_only_error"], kind="invalid_parameter_error")
    if _match(model, rules.get("fixed_sampling")):
        for name in rules.get("fixed_params", ()):
            if name in payload:
                return _error(400, rules["fixed_sampling_error"], name)
    if rules.get("replay") and thinking:
        for i, m in enumerate(payload.get("messages") or ()):
            if (
                isinstance(m, dict)
                and m.get("role") == "assistant"
                and m.get("tool_calls")
                and "reasoning_content" not in m
            ):
                return _error(400, rules["replay_error"].replace("index 2", f"index {i}"))
    return None


def reply_content(host, payload):
    """The assistant's text for an accepted chat request: JSON where JSON was asked for."""
    spec = _spec()
    if not spec or spec.get(host) is None or not isinstance(payload, dict):
        return None
    rf = payload.get("response_format")
    if isinstance(rf, dict) and rf.get("type") in ("json_object", "json_schema"):
        return json.dumps({"name": "offramp"})
    return None
