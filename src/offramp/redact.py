"""Keep secrets out of everything offramp prints or stores: messages, source lines, diffs, notes, the cache.

Secrets are found by *position* (`secret_spans`), then masked:
- by shape, under any name and anywhere on a line (comments, docstrings, notebook outputs): an
  OpenAI-style `sk-...` key (its `sk-` stays visible), 32 hex digits standing alone (Azure's
  keys, also under neutral names like `k = "0f1e..."`; Zhipu's `<32 hex>.<secret>`), JSON Web
  Tokens (`eyJ...`), and GitHub/Hugging Face/Google/AWS/Slack tokens by their prefixes;
- in URLs: the userinfo (`https://user:********@host`; a bare user name such as `git@` stays),
  and the values of credential query parameters (`?api-key=`, `&token=`, `&sig=`, `#access_token=`);
- after a key-like name: a quoted literal (`api_key="..."`, `"api_key": "..."`, `openai.api_key =
  '...'`, `"Authorization": "Bearer ..."`, `{"key": "..."}`), or an unquoted key-shaped value
  ending the line, the way `.env`, YAML and INI files write them (`AZURE_OPENAI_API_KEY=0123abcd...
  # prod`).
Code such as `api_key=os.environ["KEY"]` is left readable: only literal values are masked.

Every pattern here is linear in the length of the line (measured: the 16 adversarial 100 kB lines
of tests/test_masking.py, `"a-" * 50_000` among them, take 0.4-0.5 s together; the lazy-prefix
pattern this replaces took 6 s for 4 kB of `"a-"`, 36 s for 10 kB): candidates are found by
patterns that start at a fixed character and repeat a bounded or disjoint amount, and names are
judged with string operations, not backtracking. A string with none of the characters or prefixes
any detector needs is passed over with one search (2.5 us for a dotted name, was 14 us).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, List, Tuple
from urllib.parse import urlsplit, urlunsplit

from offramp.hosts import KEY_RE  # OpenAI-style `sk-` keys, as OFR302 finds them

MASK = "*" * 8
Span = Tuple[int, int]

# -- by shape ---------------------------------------------------------------------------------
# Azure keys: exactly 32 hex digits, not part of a longer word (a 40-digit git object id is not
# one); Zhipu's keys are such an id, a dot and the secret half, masked together.
_HEX32 = re.compile(r"(?<![0-9A-Za-z_])[0-9a-fA-F]{32}(?:\.[A-Za-z0-9]{10,})?(?![0-9A-Za-z_])")
# Other services' tokens that secret scanners know by their prefix (which stays visible):
# GitHub, Hugging Face, Google API keys, AWS access key ids, Slack.
_PREFIXED = re.compile(
    r"(?<![A-Za-z0-9_])(?P<prefix>gh[pousr]_|github_pat_|hf_|AIza|AKIA|ASIA|xox[abprs]-)"
    r"(?P<body>(?<=AKIA)[0-9A-Z]{16}|(?<=ASIA)[0-9A-Z]{16}|(?<=AIza)[0-9A-Za-z_-]{35}|[A-Za-z0-9_-]{20,})"
)
# A JWT's header and payload are base64url JSON objects, so both start `eyJ`; the lookbehind makes
# a run of word characters a candidate only at its start (no rescanning from every `eyJ` inside it).
_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")

# -- in URLs ----------------------------------------------------------------------------------
_AUTHORITY_END = re.compile(r"[/?#@\s\"'<>`\\]")  # where a userinfo candidate after `://` stops
_PLAIN_USER = re.compile(r"[a-z][a-z0-9_-]{0,15}")  # `git@`, `deploy@`: a name, not a secret
_PARAM = re.compile(r"[?&#;]([A-Za-z0-9_.\-\[\]]{1,64})=([^&#;\s\"'<>`\\]*)")
_PARAM_WORDS = ("key", "token", "secret", "passw", "pwd", "sig", "credential", "auth")
_PARAM_NAMES = frozenset({"pass", "sas", "code_verifier"})

# -- after a key-like name --------------------------------------------------------------------
_NAME = re.compile(r"[A-Za-z0-9_.-]+")  # maximal runs: each character is looked at once
_NAME_ENDS = ("secret", "password", "passwd", "token", "authorization", "credential")
_KEY_OWNERS = ("openai", "azure", "api", "secret", "private", "access", "subscription")
# What follows the name: up to two closing quotes/brackets, `=` or `:`, then a quoted literal
# (group 2, its quote group 1) or a bare value (group 3) that ends the line or meets a ` #` comment.
_ASSIGNED = re.compile(
    r"""["'\]]{0,2}\s*[=:]\s*"""
    r"""(?:[rRbBuU]?(["'])([^"'\n]*)\1|([A-Za-z0-9_+/-]+={0,2})(?=[ \t]*(?:\r?\n|\r|$)|[ \t]+\#))"""
)


def _name_kind(token: str) -> str:
    """What a name says of its value: "secret" for a key-like name (`OPENAI_API_KEY`, `password`,
    `x.auth_token`), "key" for a name that is only `key`, "" for any other."""
    name = token.lower().rsplit(".", 1)[-1]
    stem = name[:-1] if name.endswith("s") else name
    if stem.endswith(_NAME_ENDS):
        return "secret"
    if stem.endswith("key"):
        if any(owner in stem[:-3] for owner in _KEY_OWNERS):
            return "secret"
        if stem == "key":
            return "key"
    return ""


def _key_shaped(value: str, minimum: int) -> bool:
    """A digit and a letter, no blanks, and not an ALL_CAPS constant: a value, not a name."""
    return (
        len(value) >= minimum
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and not (value.replace("_", "").isalnum() and value.upper() == value)
        and not any(c.isspace() for c in value)
    )


def _prose(value: str) -> bool:
    """Words for a person, not a credential: a template's "填入azure openai api的密钥" (fill in your
    key) or "在此处填写APIKEY". No API key, token or password a service issues holds a CJK character
    (they are ASCII), so masking such a value hid whole hunks of `fix --diff` (gpt_academic's
    config.py) for nothing."""
    return any("\u2e80" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" or "\uff00" <= c <= "\uffef" for c in value)


def _named_spans(text: str) -> Iterator[Span]:
    for m in _NAME.finditer(text):
        kind = _name_kind(m.group(0))
        if not kind:
            continue
        a = _ASSIGNED.match(text, m.end())
        if a is None:
            continue
        if a.group(1) is not None:  # quoted
            value = a.group(2)
            if len(value) >= 8 and (kind == "secret" or _key_shaped(value, 16)) and not _prose(value):
                yield a.start(2), a.end(2)
        elif a.group(3) and _key_shaped(a.group(3), 12 if kind == "secret" else 16):
            yield a.start(3), a.end(3)


def _url_spans(text: str) -> Iterator[Span]:
    start = 0
    while True:
        i = text.find("://", start)
        if i < 0:
            break
        start = i + 3
        if i == 0 or not text[i - 1].isalpha():
            continue
        end = _AUTHORITY_END.search(text, start)
        if end is None or text[end.start()] != "@" or end.start() == start:
            continue
        userinfo = text[start : end.start()]
        user, colon, password = userinfo.partition(":")
        if colon and password:
            yield start + len(user) + 1, end.start()
        elif not colon and not _PLAIN_USER.fullmatch(userinfo):
            yield start, end.start()
    for m in _PARAM.finditer(text):
        if m.group(2) and _credential_param(m.group(1)):
            yield m.start(2), m.end(2)


def _credential_param(name: str) -> bool:
    """`api-key`, `subscription-key`, `access_token`, `sig`, `X-Amz-Signature`, `password`...
    (`author` is not `auth`)."""
    name = name.lower().replace("authoriz", "auth")
    if name in _PARAM_NAMES:
        return True
    return any(w in name for w in _PARAM_WORDS) and "author" not in name


# Every detector above needs one of these; most strings (dotted names, paths, model ids) have none.
_MAY_HOLD = re.compile(r"sk-|[=:@]|eyJ|[0-9a-fA-F]{32}|gh[pousr]_|github_pat_|hf_|AIza|AKIA|ASIA|xox")


def secret_spans(text: str) -> List[Span]:
    """Where in `text` secrets are: sorted, non-overlapping (start, end) offsets."""
    if not _MAY_HOLD.search(text):
        return []
    spans: List[Span] = [(m.start() + 3, m.end()) for m in KEY_RE.finditer(text)]
    spans += [m.span("body") for m in _PREFIXED.finditer(text)]
    spans += [
        m.span()
        for m in _HEX32.finditer(text)
        if any(c.isdigit() for c in m.group(0)) and any(c.isalpha() for c in m.group(0))
    ]
    spans += [m.span() for m in _JWT.finditer(text)]
    spans += _url_spans(text)
    spans += _named_spans(text)
    merged: List[Span] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def redact(text: str) -> str:
    """`text` with API keys, tokens, passwords and URL credentials replaced by a mask."""
    spans = secret_spans(text)
    if not spans:
        return text
    out, last = [], 0
    for a, b in spans:
        out += [text[last:a], MASK]
        last = b
    out.append(text[last:])
    return "".join(out)


def redact_all(data: Any) -> Any:
    """`data` (nested dicts, lists and tuples, as a cache stores them) with every string value redacted."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {k: redact_all(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(redact_all(v) for v in data)
    return data


def has_secret(text: str) -> bool:
    return bool(secret_spans(text))


def without_url_credentials(url: str) -> Tuple[str, List[str]]:
    """`url` without its userinfo and credential query parameters, and what was dropped
    ("userinfo", then the parameter names). `fix` uses it so that no OpenAI/Azure credential
    travels into the provider's URL; the provider's key is read from its own variable."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, []
    dropped: List[str] = []
    netloc = parts.netloc
    if "@" in netloc:
        netloc = netloc.rsplit("@", 1)[1]
        dropped.append("userinfo")
    kept = []
    for pair in parts.query.split("&") if parts.query else []:
        name = pair.split("=", 1)[0]
        if "=" in pair and _credential_param(name):
            dropped.append(name)
        else:
            kept.append(pair)
    fragment = parts.fragment
    if fragment and any(_credential_param(p.split("=", 1)[0]) for p in fragment.split("&") if "=" in p):
        dropped.append("#" + fragment.split("=", 1)[0])
        fragment = ""
    if not dropped:
        return url, []
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(kept), fragment)), dropped


def split_diff(diff: str) -> Tuple[str, List[str]]:
    """One file's unified diff without the hunks that would show a secret, and one line per hunk left out.

    Masking inside a hunk would print a patch that no longer applies; so a hunk with a secret on
    any of its lines (removed, added or context) is left out whole, and so are the file headers
    when no hunk is left. The remaining hunks still apply: patch tools find each hunk by its
    context. Each returned line reads `path: hunk @@ -a,b +c,d @@ not shown: it would print a secret`.
    """
    lines = diff.splitlines(keepends=True)
    header = [line for line in lines[:2] if line.startswith(("--- ", "+++ "))]
    path = header[-1][4:].rstrip("\r\n") if header else ""
    path = path[2:] if path.startswith("b/") else path
    hunks: List[List[str]] = []
    for line in lines[len(header) :]:
        if line.startswith("@@") or not hunks:
            hunks.append([line])
        else:
            hunks[-1].append(line)
    kept: List[str] = []
    skipped: List[str] = []
    for hunk in hunks:
        if any(has_secret(line[1:]) for line in hunk[1:]):
            skipped.append(f"{path}: hunk {hunk[0].strip()} not shown: it would print a secret")
        else:
            kept.extend(hunk)
    return ("".join(header + kept) if kept else ""), skipped
