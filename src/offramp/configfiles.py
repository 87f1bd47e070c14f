"""Configuration files: `.env*`, YAML, TOML, JSON and INI files that carry OpenAI / Azure OpenAI settings.

Keys, base URLs, `api_type: azure` and model names hide in configuration as often as in code.
This module finds them with small position-keeping scanners (standard library only; no YAML
or TOML round-trip library is needed) and reports them with the rule codes the Python checks
use, so reporters, suppressions and `--select` treat them alike:

- OFR301 an OpenAI / Azure environment variable name used as a key (`OPENAI_API_KEY=...` in a
  `.env`, `OPENAI_API_KEY:` in a compose file, TOML/INI/JSON keys) or referenced in a value
  (`${OPENAI_API_KEY}`, LiteLLM's `os.environ/OPENAI_API_KEY`); located at the name.
- OFR106 an OpenAI / Azure OpenAI URL in a value (placeholder hosts such as
  `your-resource.openai.azure.com` are documentation and are skipped); located at the value.
- OFR103 `api_type: azure` / `OPENAI_API_TYPE=azure`, the legacy SDK's switch to Azure.
- OFR201 an OpenAI model id as the value of a model-ish key (`model`, `model_name`, `engine`,
  `deployment`, `llm_model`, `*_model`, `*_MODEL`...); with a provider, OFR403 instead when the
  provider has no equivalent (as the Python checks do).
- OFR202 the value of an Azure deployment key (`AZURE_OPENAI_DEPLOYMENT`, `azure_deployment`...).
- OFR302 an `sk-...` key anywhere in the file, comments included (the key is never put in a
  message or an argument).

Fixing only ever replaces tokens in place, so comments, blank lines, order, quoting, `export `
prefixes, line endings and the presence of a final newline are kept byte for byte:

- `fix_env` (`.env*` files) gives the provider its key variable, points OpenAI/Azure URL values
  at the provider, maps model and deployment values, and turns `OPENAI_API_TYPE=azure` into
  `openai`. A key variable whose value is empty, a placeholder or a `${VAR}` reference is renamed
  (`OPENAI_API_KEY=` -> `DASHSCOPE_API_KEY=`); one that holds a real key is left exactly as it is
  and the provider's variable is added after it, empty, under a `# offramp: set your ... key`
  comment (see `fix_env`).
- `fix_structured` (YAML/TOML/JSON/INI) replaces URL and model values only; keys are never
  renamed and key values never read beyond the OFR302 scan (the program reading the file decides
  what they mean).

No fix ever moves a key's value: an OpenAI or Azure key never ends up under the provider's name.

Both use the same per-value analysis as `scan_config`, so a hit is `fixable` exactly when the
fix changes it, and both are idempotent.

Limits (by design of a line/token scanner rather than a full parser):
- YAML: block mappings and sequences, `- KEY=value` list items (compose `environment:`),
  plain/single/double-quoted scalars, anchors and tags before a value. Flow collections
  (`{a: b}`, `[x, y]`) are only searched for URLs (reported, not fixed); block scalars (`|`,
  `>`) and multi-line quoted or plain scalars are skipped. Keys are the last key on the line,
  without their parents.
- TOML: validated with tomllib first (an invalid file gives one OFR000 at the error, like a
  Python file that does not parse, and nothing else); then every key/value,
  arrays and inline tables. Multi-line strings are skipped. The key of a value is its last
  dotted segment (`openai.api_base` -> `api_base`); table headers are not part of it.
- JSON: JSONC is accepted (`//` and `/* */` comments, trailing commas); anything else that is
  not JSON (a raw tab in a string, nesting deeper than 200 levels) gives one OFR000 at the
  error and nothing else. The key of an array element is the array's key.
- INI/CFG/CONF: `key = value` / `key: value`, `;`/`#` comments, indented continuation lines.
  Lines that are not INI (nginx `proxy_pass https://api.openai.com;`) are searched for URLs
  (reported, not fixed).
- `.env`: `KEY=value`, `export KEY=value`, single/double/backtick quotes, ` #` comments;
  multi-line quoted values are skipped.
- Values are matched whole: a URL is replaced only when it is the entire value, a model only
  when the value is exactly a model id.
"""

from __future__ import annotations

import json
import re
import sys
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple
from urllib.parse import urlsplit

from offramp.catalog import SdkSurface
from offramp.configkind import CONFIG_GLOBS, MAX_CONFIG_BYTES, config_kind, is_config_file
from offramp.hosts import KEY_RE, URL_RE, classify_url, is_placeholder_host, is_placeholder_key, is_secret_value
from offramp.mapping import is_provider_model, map_model
from offramp.providers import Provider, builtin_providers, known_provider_hosts
from offramp.redact import without_url_credentials
from offramp.types import Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

__all__ = [
    "CONFIG_GLOBS",
    "MAX_CONFIG_BYTES",
    "ConfigHit",
    "config_kind",
    "fix_config",
    "fix_env",
    "fix_structured",
    "is_config_file",
    "scan_config",
]

# -- which files: offramp.configkind (kept import-light for discovery) ---------------------------

# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigHit:
    """One finding in a configuration file: a rule code, where, and the rule's message arguments.

    Lines and columns are 1-based; `end_column` points just past the token (as `Span`). `args`
    fill the rule's message template in rules/catalog.toml and never hold a key's value.
    """

    code: str
    line: int
    column: int
    end_line: int
    end_column: int
    args: Dict[str, Any] = field(default_factory=dict)
    fixable: bool = False

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.end_line, self.end_column)


# The same wording as the Python check (offramp.checks.secrets); a test keeps them equal.
_ROLE_TEXT = {
    "key": "holds an OpenAI/Azure API key",
    "base-url": "holds an OpenAI/Azure endpoint",
    "azure": "configures Azure OpenAI",
    "model": "names an OpenAI model or Azure deployment",
    "other": "configures the OpenAI SDK",
}
_MAPS_LATER = "is only served by OpenAI; `offramp fix --to PROVIDER` maps it"
_AZURE_API_TYPES = frozenset({"azure", "azure_ad", "azuread"})
_API_TYPE_KEYS = frozenset({"api_type", "openai_api_type"})
_MODEL_KEYS = frozenset(
    {
        "model",
        "model_name",
        "model_id",
        "deployment",
        "deployment_name",
        "deployment_id",
        "engine",
        "llm_model",
    }
)
_MODEL_SUFFIXES = ("_model", "_model_name", "_model_id", "_deployment", "_deployment_name", "_deployment_id")
_BASE_KEY = re.compile(r"(^|_)(base_?url|api_?base|base|endpoint|api_?host|api_?url|host|url)$")
# Values under these names are secrets: only the OFR302 key scan looks at them.
_SECRET_KEY = re.compile(r"(key|token|secret|password|passwd|credentials?)$")
# A variable with a default: `${NAME:-default}`, `${NAME-default}` (shell, compose) and
# `${env:NAME:-default}` (DB-GPT's TOML and others).
_ENV_DEFAULT = re.compile(r"(?P<pre>\$\{(?:env:)?[A-Za-z_][A-Za-z0-9_]*:?-)(?P<d>[^{}]*)(?P<post>\})")
# Three words separated by spaces: what a setting's value never is, and a message usually is.
# A word starts only where a run of letters does: searched from every letter of a run, the
# pattern was quadratic (30,000 letters: 30 s).
_PROSE = re.compile(r"(?<![^\W\d_])[^\W\d_]{2,}[,.:;!?]?\s+[^\W\d_]{2,}[,.:;!?]?\s+[^\W\d_]{2,}")
_MODEL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/\-]*")
# What a replacement may contain so that it needs no quoting or escaping in any format.
_SAFE_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/?&=%+@\-]*")
# A reference: `${NAME}`, `${NAME:-default}` (the default may hold `$OTHER` or `${OTHER}`), `$NAME`,
# LiteLLM's `os.environ/NAME`. The default stops at the next brace: scanned to the next `}`,
# every `${a:` of `${a:${a:${a:...` rescanned the rest of the value (quadratic).
_ENV_REF = re.compile(
    r"\$\{(?P<a>[A-Za-z_][A-Za-z0-9_]*)(?:[:?+=\-](?:[^{}$]|\$(?!\{)|\$\{[^{}]*\})*)?\}"
    r"|\$(?P<b>[A-Za-z_][A-Za-z0-9_]*)"
    r"|os\.environ/(?P<c>[A-Za-z_][A-Za-z0-9_]*)"
)


# -- text positions ----------------------------------------------------------------------------

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class _Text:
    """The text with its line table. Lines end at \\n, \\r\\n or \\r only (as editors and LibCST count)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.bom = text.startswith("\ufeff")
        self.starts: List[int] = []
        self.lines: List[Tuple[int, int]] = []  # (content start, content end) without the line ending
        for m in _LINE_RE.finditer(text):
            seg = m.group(0)
            end = m.end() - (2 if seg.endswith("\r\n") else 1 if seg.endswith(("\r", "\n")) else 0)
            start = m.start()
            self.starts.append(start)
            self.lines.append((start + 1 if (self.bom and start == 0) else start, end))

    def pos(self, offset: int) -> Tuple[int, int]:
        if not self.starts:
            return 1, 1
        i = max(bisect_right(self.starts, offset) - 1, 0)
        col = offset - self.starts[i] + 1
        if i == 0 and self.bom and offset > 0:
            col -= 1  # the byte-order mark is not a column
        return i + 1, col


@dataclass
class _Tok:
    """A value token. `start`/`end` cover it with its quotes; `inner` is where `value` starts in
    the text when it is spelled there exactly (no escapes), else -1."""

    start: int
    end: int
    value: str
    quote: str = ""
    inner: int = -1


@dataclass
class _Entry:
    key: Optional[str]
    key_span: Optional[Tuple[int, int]]  # None for array elements: the key is reported once
    value: Optional[_Tok]


@dataclass
class _Parsed:
    entries: List[_Entry] = field(default_factory=list)
    loose: List[Tuple[int, int]] = field(default_factory=list)  # text searched for URLs only
    # (offset, what is wrong) when the file does not parse: reported as OFR000, nothing else read.
    error: Optional[Tuple[int, str]] = None


class _Invalid(Exception):
    """Not valid in the file's format at `offset` (-1: not known)."""

    def __init__(self, offset: int = -1, detail: str = "") -> None:
        super().__init__(detail)
        self.offset = offset
        self.detail = detail


def _find_close(text: str, pos: int, end: int, quote: str) -> int:
    """Index of the quote closing a string whose body starts at `pos`, or -1 before `end`."""
    j = pos
    while j < end:
        c = text[j]
        if c == "\\" and quote == '"':
            j += 2
            continue
        if c == quote:
            if quote == "'" and j + 1 < end and text[j + 1] == "'":
                j += 2  # YAML's '' inside single quotes
                continue
            return j
        j += 1
    return -1


def _quoted(text: str, start: int, close: int, quote: str, yaml_single: bool = False) -> _Tok:
    inner = text[start + 1 : close]
    if quote == '"' and "\\" in inner:
        try:
            value = json.loads('"' + inner + '"')
        except ValueError:
            value = inner
        return _Tok(start, close + 1, value, quote, -1)
    if yaml_single and "''" in inner:
        return _Tok(start, close + 1, inner.replace("''", "'"), quote, -1)
    return _Tok(start, close + 1, inner, quote, start + 1)


def _plain(text: str, start: int, end: int, comment: re.Pattern[str]) -> _Tok:
    m = comment.search(text, start, end)
    stop = m.start() if m else end
    value = text[start:stop].rstrip(" \t")
    return _Tok(start, start + len(value), value, "", start)


_HASH_COMMENT = re.compile(r"[ \t]#")
_INI_COMMENT = re.compile(r"[ \t][#;]")


# -- .env ----------------------------------------------------------------------------------------

_ENV_ASSIGN = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*=[ \t]*")


def _scan_env(t: _Text) -> _Parsed:
    out = _Parsed()
    text = t.text
    skip_until = -1
    for start, end in t.lines:
        if start < skip_until:
            continue
        stripped = text[start:end].strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _ENV_ASSIGN.match(text, start, end)
        if not m:
            out.loose.append(_cut(text, start, end, _HASH_COMMENT))
            continue
        p = m.end()
        tok: Optional[_Tok] = None
        if p < end and text[p] in "\"'`":
            q = text[p]
            close = _find_close(text, p + 1, len(text), q) if q == '"' else text.find(q, p + 1)
            if close < 0:
                pass  # never closed: python-dotenv skips the line, so does this scanner
            elif close < end:
                tok = _quoted(text, p, close, q)
            else:
                skip_until = close  # a multi-line value: skipped
        else:
            tok = _plain(text, p, end, _HASH_COMMENT)
        out.entries.append(_Entry(m.group(1), (m.start(1), m.end(1)), tok))
    return out


def _cut(text: str, start: int, end: int, comment: re.Pattern[str]) -> Tuple[int, int]:
    m = comment.search(text, start, end)
    return (start, m.start() if m else end)


# -- YAML ----------------------------------------------------------------------------------------

_ITEM_ENV = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")


def _yaml_key(text: str, p: int, end: int) -> Optional[Tuple[str, int, int, int]]:
    """(key, start, end, offset after the colon) for `key: ...` at `p`, else None."""
    c = text[p]
    if c in "\"'":
        close = _find_close(text, p + 1, end, c)
        if close < 0:
            return None
        j = close + 1
        while j < end and text[j] in " \t":
            j += 1
        if j < end and text[j] == ":" and (j + 1 == end or text[j + 1] in " \t"):
            return _quoted(text, p, close, c, yaml_single=True).value, p, close + 1, j + 1
        return None
    if c in "[{&*!|>%@`?#":
        return None
    j = p
    while j < end:
        ch = text[j]
        if ch == "#" and j > p and text[j - 1] in " \t":
            return None
        if ch == ":" and (j + 1 == end or text[j + 1] in " \t"):
            key = text[p:j].rstrip(" \t")
            return (key, p, p + len(key), j + 1) if key else None
        j += 1
    return None


def _scan_yaml(t: _Text) -> _Parsed:
    out = _Parsed()
    text = t.text
    block_indent: Optional[int] = None  # inside a block scalar: indentation of its owner
    open_quote: Optional[str] = None  # inside a multi-line quoted scalar
    for start, end in t.lines:
        if open_quote is not None:
            if _find_close(text, start, end, open_quote) >= 0:
                open_quote = None
            continue
        line = text[start:end]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" \t"))
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if not stripped or stripped[0] in "#%" or stripped in ("---", "...") or stripped.startswith("--- "):
            continue
        p = start + indent
        item = False
        while p < end and text[p] == "-" and (p + 1 == end or text[p + 1] in " \t"):
            item = True
            p += 1
            while p < end and text[p] in " \t":
                p += 1
        if p >= end or text[p] == "#":
            continue
        key = _yaml_key(text, p, end)
        if key is None:
            if not item:
                out.loose.append(_cut(text, p, end, _HASH_COMMENT))
                continue
            kind, tok = _yaml_value(text, p, end, out)
            if kind == "block":
                block_indent = indent
            elif kind == "open":
                open_quote = text[_skip_props(text, p, end)]
            if tok is None:
                continue
            m = _ITEM_ENV.match(tok.value)
            if m and tok.inner >= 0:
                # docker compose `environment:` lists: - OPENAI_API_KEY=${OPENAI_API_KEY}
                k0 = tok.inner
                v0 = k0 + m.end()
                rest = tok.value[m.end() :]
                value = _Tok(v0, v0 + len(rest), rest, "", v0)
                out.entries.append(_Entry(m.group(1), (k0, k0 + len(m.group(1))), value))
            else:
                out.entries.append(_Entry(None, None, tok))
            continue
        name, ks, ke, vp = key
        kind, tok = _yaml_value(text, vp, end, out)
        if kind == "block":
            block_indent = ks - start
        elif kind == "open":
            open_quote = text[_skip_props(text, vp, end)]
        out.entries.append(_Entry(name, (ks, ke), tok))
    return out


def _skip_props(text: str, p: int, end: int) -> int:
    """Skip blanks, then anchors (`&a`) and tags (`!!str`) before a value."""
    while True:
        while p < end and text[p] in " \t":
            p += 1
        if p < end and text[p] in "&!":
            while p < end and text[p] not in " \t":
                p += 1
            continue
        return p


def _yaml_value(text: str, p: int, end: int, out: _Parsed) -> Tuple[str, Optional[_Tok]]:
    p = _skip_props(text, p, end)
    if p >= end or text[p] == "#":
        return "none", None
    c = text[p]
    if c == "*":
        return "alias", None
    if c in "|>":
        return "block", None
    if c in "[{":
        out.loose.append(_cut(text, p, end, _HASH_COMMENT))
        return "flow", None
    if c in "\"'":
        close = _find_close(text, p + 1, end, c)
        if close < 0:
            return "open", None
        return "ok", _quoted(text, p, close, c, yaml_single=True)
    return "ok", _plain(text, p, end, _HASH_COMMENT)


# -- INI -----------------------------------------------------------------------------------------


def _ini_key(text: str, p: int, end: int) -> Optional[Tuple[int, int, int]]:
    """(end of the key, offset of its `=` or `:`, start of the value) for `key = value` at `p`.

    The first `=` or `:` ends the key, whose blanks before it are not part of it. Written with
    `str.find`: the regex it replaces (`([^\\s=:;#\\[][^=:]*?)[ \\t]*([=:])`) was quadratic on a
    line without a separator (`a` and 100,000 blanks: 143 s).
    """
    if p >= end or text[p].isspace() or text[p] in "=:;#[":
        return None
    eq, colon = text.find("=", p, end), text.find(":", p, end)
    sep = min(eq, colon) if eq >= 0 and colon >= 0 else max(eq, colon)
    if sep < 0:
        return None
    key_end = len(text[p:sep].rstrip(" \t")) + p
    value = sep + 1
    while value < end and text[value] in " \t":
        value += 1
    return key_end, sep, value


def _ini_value(text: str, p: int, end: int) -> _Tok:
    if p < end and text[p] in "\"'":
        close = text.find(text[p], p + 1, end)
        if close >= 0:
            return _Tok(p, close + 1, text[p + 1 : close], text[p], p + 1)
    return _plain(text, p, end, _INI_COMMENT)


def _scan_ini(t: _Text) -> _Parsed:
    out = _Parsed()
    text = t.text
    cont_key: Optional[str] = None
    for start, end in t.lines:
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in "#;":
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        p = start + indent
        if indent and cont_key is not None:
            out.entries.append(_Entry(cont_key, None, _ini_value(text, p, end)))
            continue
        cont_key = None
        if stripped.startswith("["):
            continue
        key = _ini_key(text, p, end)
        if key and not (text[key[1]] == ":" and text.startswith("//", key[1] + 1)):
            cont_key = text[p : key[0]]
            out.entries.append(_Entry(cont_key, (p, key[0]), _ini_value(text, key[2], end)))
        else:
            out.loose.append(_cut(text, p, end, _INI_COMMENT))
    return out


# -- JSON ----------------------------------------------------------------------------------------

_JSON_LITERAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity")


def _json_tokens(text: str, i: int) -> List[Tuple[str, int, int, Any]]:
    toks: List[Tuple[str, int, int, Any]] = []
    n = len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "/" and text.startswith("//", i):
            m = re.compile(r"[\r\n]").search(text, i)
            i = m.start() if m else n
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise _Invalid(i, "a /* comment is never closed")
            i = j + 2
        elif c in "{}[]:,":
            toks.append((c, i, i + 1, None))
            i += 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] in "\r\n":
                    raise _Invalid(i, "a string is not closed on its line")
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise _Invalid(i, "a string is never closed")
            try:
                value = json.loads(text[i : j + 1])
            except json.JSONDecodeError as e:  # a raw tab or other control character, a bad escape
                raise _Invalid(i + e.pos, e.msg.replace(" at", "").lower() + " in a string") from None
            toks.append(("s", i, j + 1, value))
            i = j + 1
        else:
            m = _JSON_LITERAL.match(text, i)
            if not m:
                raise _Invalid(i, f"unexpected {text[i]!r}")
            toks.append(("l", i, m.end(), None))
            i = m.end()
    return toks


# Deeper than any configuration needs; the scanner recurses once per level (1000 levels used to
# end in a RecursionError, and the file passed unread).
_MAX_JSON_DEPTH = 200


def _scan_json(t: _Text) -> Optional[_Parsed]:
    out = _Parsed()
    text = t.text
    try:
        toks = _json_tokens(text, 1 if t.bom else 0)
        if not toks:
            return None
        end = _json_value(toks, 0, None, None, out, text)
        if end != len(toks):
            raise _Invalid(toks[end][1], "more data after the document")
    except _Invalid as e:
        return _Parsed(error=(e.offset, f"invalid JSON: {e.detail}"))
    except IndexError:
        return _Parsed(error=(len(text), "invalid JSON: the file ends inside the document"))
    except RecursionError:
        return _Parsed(error=(0, "invalid JSON: nested too deeply"))
    return out


def _json_value(
    toks: Sequence[Tuple[str, int, int, Any]],
    i: int,
    key: Optional[str],
    key_span: Optional[Tuple[int, int]],
    out: _Parsed,
    text: str,
    depth: int = 0,
) -> int:
    kind, start, end, value = toks[i]
    if depth > _MAX_JSON_DEPTH:
        raise _Invalid(start, f"nested deeper than {_MAX_JSON_DEPTH} levels")
    if kind == "s":
        exact = text[start + 1 : end - 1] == value
        out.entries.append(_Entry(key, key_span, _Tok(start, end, value, '"', start + 1 if exact else -1)))
        return i + 1
    if key_span is not None:
        out.entries.append(_Entry(key, key_span, None))
    if kind == "l":
        return i + 1
    if kind == "{":
        i += 1
        while toks[i][0] != "}":
            k = toks[i]
            if k[0] != "s" or toks[i + 1][0] != ":":
                raise _Invalid(k[1], "expected a quoted key and `:`")
            i = _json_value(toks, i + 2, k[3], (k[1], k[2]), out, text, depth + 1)
            if toks[i][0] == ",":
                i += 1
            elif toks[i][0] != "}":
                raise _Invalid(toks[i][1], "expected `,` or `}`")
        return i + 1
    if kind == "[":
        i += 1
        while toks[i][0] != "]":
            i = _json_value(toks, i, key, None, out, text, depth + 1)
            if toks[i][0] == ",":
                i += 1
            elif toks[i][0] != "]":
                raise _Invalid(toks[i][1], "expected `,` or `]`")
        return i + 1
    raise _Invalid(start, f"unexpected {text[start]!r}")


# -- TOML ----------------------------------------------------------------------------------------

_TOML_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_BARE_VALUE = re.compile(r"[^,\]\}#\r\n]*")


class _TomlScanner:
    def __init__(self, text: str, out: _Parsed) -> None:
        self.text = text
        self.n = len(text)
        self.out = out

    def blanks(self, i: int, newlines: bool) -> int:
        text = self.text
        while i < self.n:
            c = text[i]
            if c in " \t" or (newlines and c in "\r\n"):
                i += 1
            elif c == "#" and newlines:
                while i < self.n and text[i] not in "\r\n":
                    i += 1
            else:
                break
        return i

    def run(self, i: int) -> None:
        text = self.text
        while True:
            i = self.blanks(i, newlines=True)
            if i >= self.n:
                return
            if text[i] == "[":
                while i < self.n and text[i] not in "\r\n":
                    i += 1  # a table header: not part of any value's key
                continue
            i = self.key_value(i)
            i = self.blanks(i, newlines=False)
            if i < self.n and text[i] == "#":
                continue  # blanks(newlines=True) skips the comment
            if i < self.n and text[i] not in "\r\n":
                raise _Invalid

    def key_value(self, i: int) -> int:
        text = self.text
        key, span = "", (i, i)
        while True:
            i = self.blanks(i, newlines=False)
            c = text[i]
            if c in "\"'":
                close = _find_close(text, i + 1, self.n, c) if c == '"' else text.find("'", i + 1)
                if close < 0:
                    raise _Invalid
                key, span = _quoted(text, i, close, c).value, (i, close + 1)
                i = close + 1
            else:
                m = _TOML_BARE_KEY.match(text, i)
                if not m:
                    raise _Invalid
                key, span = m.group(0), (m.start(), m.end())
                i = m.end()
            i = self.blanks(i, newlines=False)
            if text[i] == ".":
                i += 1
                continue
            if text[i] != "=":
                raise _Invalid
            return self.value(i + 1, key, span)

    def value(self, i: int, key: str, key_span: Optional[Tuple[int, int]]) -> int:
        text = self.text
        i = self.blanks(i, newlines=False)
        for triple in ('"""', "'''"):
            if text.startswith(triple, i):
                j = i + 3
                while True:
                    if triple == '"""' and text[j] == "\\":
                        j += 2
                    elif text.startswith(triple, j):
                        j += 3
                        while j < self.n and text[j] == triple[0]:
                            j += 1  # up to two quotes may end the content
                        break
                    else:
                        j += 1
                self.note(key, key_span, None)  # multi-line strings are not examined
                return j
        c = text[i]
        if c == '"' or c == "'":
            close = _find_close(text, i + 1, self.n, '"') if c == '"' else text.find("'", i + 1)
            if close < 0 or re.search(r"[\r\n]", text[i:close]):
                raise _Invalid
            self.note(key, key_span, _quoted(text, i, close, c))
            return close + 1
        if c == "[":
            self.note(key, key_span, None)
            i += 1
            while True:
                i = self.blanks(i, newlines=True)
                if text[i] == "]":
                    return i + 1
                before = i
                i = self.value(i, key, None)
                i = self.blanks(i, newlines=True)
                if text[i] == ",":
                    i += 1
                elif text[i] != "]" or i == before:
                    raise _Invalid
        if c == "{":
            self.note(key, key_span, None)
            i += 1
            while True:
                i = self.blanks(i, newlines=True)
                if text[i] == "}":
                    return i + 1
                i = self.key_value(i)
                i = self.blanks(i, newlines=True)
                if text[i] == ",":
                    i += 1
                elif text[i] != "}":
                    raise _Invalid
        m = _TOML_BARE_VALUE.match(text, i)
        assert m is not None
        if m.end() == i:
            raise _Invalid
        self.note(key, key_span, None)
        return m.end()

    def note(self, key: str, key_span: Optional[Tuple[int, int]], tok: Optional[_Tok]) -> None:
        if tok is not None or key_span is not None:
            self.out.entries.append(_Entry(key, key_span, tok))


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _scan_toml(t: _Text) -> Optional[_Parsed]:
    start = 1 if t.bom else 0
    try:
        tomllib.loads(t.text[start:])
    except (tomllib.TOMLDecodeError, ValueError, TypeError) as e:
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        at = _TOML_AT.search(message)
        offset = len(t.text)
        if at is not None and 0 < int(at.group(1)) <= len(t.starts):
            offset = t.starts[int(at.group(1)) - 1] + int(at.group(2)) - 1 + (start if at.group(1) == "1" else 0)
        detail = _TOML_AT.sub("", message).replace("(at end of document)", "").strip()
        return _Parsed(error=(offset, f"invalid TOML: {detail}"))
    except RecursionError:
        return _Parsed(error=(0, "invalid TOML: nested too deeply"))
    out = _Parsed()
    try:
        _TomlScanner(t.text, out).run(start)
    except (_Invalid, IndexError, RecursionError):
        return None
    return out


_SCANNERS: Dict[str, Callable[[_Text], Optional[_Parsed]]] = {
    "env": _scan_env,
    "yaml": _scan_yaml,
    "toml": _scan_toml,
    "json": _scan_json,
    "ini": _scan_ini,
}


# -- what a value means ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _builtin_model_ids() -> FrozenSet[str]:
    return frozenset(m for p in builtin_providers().values() for m in p.models.values())


@dataclass
class _Ctx:
    sdk: SdkSurface
    hosts: Sequence[str]
    provider: Optional[Provider]
    models: Mapping[str, str]
    env_mode: bool
    region: Optional[str] = None
    renamed: Set[int] = field(default_factory=set)
    added: Set[int] = field(default_factory=set)  # key variables holding a real key: the provider's goes after
    left: Set[int] = field(default_factory=set)

    @property
    def base(self) -> str:
        assert self.provider is not None
        return self.provider.base_url(self.region)

    def provider_model(self, value: str) -> bool:
        if value in _builtin_model_ids() or value in self.models.values():
            return True
        return self.provider is not None and is_provider_model(value, self.provider, self.models)


@dataclass
class _Verdict:
    code: str
    start: int
    end: int
    args: Dict[str, Any]
    fixable: bool
    new_value: Optional[str] = None  # replaces the entry's value token (provider given)
    counter: str = ""


def _norm(key: str) -> str:
    return key.strip().lower().replace("-", "_").replace(".", "_")


def _is_model_key(norm: str, role: Optional[str]) -> bool:
    return role == "model" or norm in _MODEL_KEYS or norm.endswith(_MODEL_SUFFIXES)


def _is_deployment_key(norm: str) -> bool:
    return "deployment" in norm and ("azure" in norm or "openai" in norm or norm.startswith("aoai"))


def _is_base_key(norm: str, role: Optional[str]) -> bool:
    return role == "base-url" or bool(_BASE_KEY.search(norm))


def _url_plan(url: str, kind: str, base_key: bool, ctx: _Ctx) -> Tuple[bool, Optional[str]]:
    """(fixable, replacement) for a blocked URL that is a whole value; the replacement needs a provider.

    OpenAI: `https://api.openai.com/v1[/path]` becomes the provider's base URL plus the same path
    where the provider serves it (as the Python fix does). Azure: only an endpoint root under an
    endpoint-like key becomes the provider's base URL; deployment URLs need a person.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False, None
    if parts.scheme.lower() not in ("http", "https"):
        return False, None
    if kind == "openai":
        if parts.path != "/v1" and not parts.path.startswith("/v1/"):
            return False, None
        rest = parts.path[3:].strip("/")
        if rest:
            family = ctx.sdk.rest_family(rest)
            if family is None or (ctx.provider is not None and ctx.provider.endpoint(family) == "no"):
                return False, None
        if ctx.provider is None:
            return True, None
        prefix = re.match(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*/v1", url)
        if prefix is None:
            return False, None
        # userinfo and `?api-key=`-style parameters are OpenAI's credentials: dropped, never copied
        return True, without_url_credentials(ctx.base.rstrip("/") + url[prefix.end() :])[0]
    if not base_key or parts.query or parts.fragment:
        return False, None
    if parts.path.rstrip("/") not in ("", "/openai", "/openai/v1"):
        return False, None
    if ctx.provider is None:
        return True, None
    return True, ctx.base.rstrip("/") + ("/" if url.endswith("/") else "")


def _safe(new: Optional[str]) -> Optional[str]:
    return new if new is not None and _SAFE_VALUE.fullmatch(new) else None


def _default_of(value: str) -> Tuple[str, Optional[Tuple[str, str]]]:
    """`${NAME:-default}` -> (default, (text before it, text after it)); any other value -> (value, None)."""
    m = _ENV_DEFAULT.fullmatch(value)
    default = m.group("d") if m else ""
    if m is None or not default or default != default.strip():
        return value, None
    return default, (m.group("pre"), m.group("post"))


def _env_relevant(key: str, role: str, tok: Optional[_Tok], ctx: _Ctx) -> bool:
    """Whether a variable still needs attention; after a fix, base URL, API type and model
    variables that hold provider values do not."""
    value = tok.value.strip() if tok is not None else ""
    if not value:
        return True
    value, _ = _default_of(value)  # `${NAME:-default}`: what the setting is when NAME is unset
    if not ctx.env_mode and key not in ctx.sdk.env_roles and _PROSE.search(value):
        # A name that only matches the pattern, holding a sentence: a message or a label
        # (`INVALID_OPENAI_API_KEY: "Invalid OpenAI API key, check it"`), not a setting.
        return False
    if role == "base-url" and URL_RE.fullmatch(value):
        return classify_url(value, ctx.sdk, ctx.hosts, endpoint=True).blocked
    if key.upper().endswith("API_TYPE"):
        return value.lower() not in ("openai", "open_ai")
    if role == "model" or "DEPLOYMENT" in key.upper():
        return not ctx.provider_model(value)
    return True


def _role_text(role: str, ctx: _Ctx) -> str:
    text = _ROLE_TEXT.get(role, _ROLE_TEXT["other"])
    if ctx.provider is not None and role == "key":
        text += f"; {ctx.provider.name} reads `{ctx.provider.key_env}`"
    return text


def _analyse(index: int, e: _Entry, ctx: _Ctx) -> List[_Verdict]:
    out: List[_Verdict] = []
    key = e.key or ""
    norm = _norm(key)
    role = ctx.sdk.env_role(key) if key else None
    tok = e.value
    sdk, provider = ctx.sdk, ctx.provider

    if e.key_span is not None and role is not None and _env_relevant(key, role, tok, ctx):
        text = _role_text(role, ctx)
        renameable = ctx.env_mode and role == "key" and "ADMIN" not in key.upper()
        if renameable and provider is not None:
            renameable = index in ctx.renamed or index in ctx.added
        out.append(_Verdict("OFR301", e.key_span[0], e.key_span[1], {"env": key, "role": text}, renameable))
    if tok is None:
        return out

    for m in _ENV_REF.finditer(tok.value):
        name = m.group("a") or m.group("b") or m.group("c")
        ref_role = sdk.env_role(name)
        if ref_role is None:
            continue
        start, end = (tok.inner + m.start(), tok.inner + m.end()) if tok.inner >= 0 else (tok.start, tok.end)
        out.append(_Verdict("OFR301", start, end, {"env": name, "role": _role_text(ref_role, ctx)}, False))

    if role == "key" or _SECRET_KEY.search(norm):
        return out  # a secret's value is never examined beyond the sk- key scan
    value = tok.value.strip()
    if not value:
        return out
    # `${NAME:-default}`: the default is the value whenever the variable is unset. It is judged
    # like a whole value, and a fix replaces it inside the expression (only when the token is
    # spelled in the file exactly, so the text around it is kept).
    value, wrap = _default_of(value)

    def wrapped(new: Optional[str]) -> Optional[str]:
        if new is None or wrap is None:
            return new
        return wrap[0] + new + wrap[1] if tok is not None and tok.inner >= 0 else None

    if (norm in _API_TYPE_KEYS or key.upper() == "OPENAI_API_TYPE") and value.lower() in _AZURE_API_TYPES:
        out.append(
            _Verdict(
                "OFR103",
                tok.start,
                tok.end,
                {"attr": "api_type", "target": "targets Azure OpenAI"},
                ctx.env_mode,
                "openai" if ctx.env_mode and provider is not None else None,
                "api-type",
            )
        )
        return out

    for m in URL_RE.finditer(tok.value):
        url = m.group(0).rstrip(".,;:)]}")
        target = classify_url(url, sdk, ctx.hosts, endpoint=role == "base-url")  # AZURE_OPENAI_ENDPOINT=...
        if not target.blocked or is_placeholder_host(target.host):
            continue
        fixable, new = False, None
        if url == value:
            fixable, new = _url_plan(url, target.kind, _is_base_key(norm, role), ctx)
            new = wrapped(_safe(new))
            if provider is not None or (wrap is not None and tok.inner < 0):
                fixable = new is not None
        kind = "Azure OpenAI" if target.kind == "azure" else "OpenAI API"
        out.append(_Verdict("OFR106", tok.start, tok.end, {"kind": kind, "url": url}, fixable, new, "url"))
        return out

    if not _MODEL_TOKEN.fullmatch(value) or ctx.provider_model(value):
        return out
    if _is_deployment_key(norm):
        if provider is None:
            fixable = sdk.is_openai_model(value) or value in ctx.models
            mapping = "must be replaced by a provider model id" + (
                "" if fixable else " (add it to [tool.offramp.models])"
            )
            new = None
        else:
            choice = map_model(value, provider, sdk, ctx.models)
            new = wrapped(_safe(choice.target))
            fixable = new is not None
            if new is not None:
                mapping = f"becomes `{_safe(choice.target)}` on {provider.name}"
            else:
                mapping = f"has no {provider.name} model; map it under [tool.offramp.models]"
        args = {"deployment": value, "arg": key, "mapping": mapping}
        out.append(_Verdict("OFR202", tok.start, tok.end, args, fixable, new, "deployment"))
    elif _is_model_key(norm, role) and sdk.is_openai_model(value):
        if provider is None:
            exact = wrap is None or tok.inner >= 0
            out.append(_Verdict("OFR201", tok.start, tok.end, {"model": value, "mapping": _MAPS_LATER}, exact))
            return out
        choice = map_model(value, provider, sdk, ctx.models)
        mapped = _safe(choice.target)
        new = wrapped(mapped)
        if new is not None:
            args = {"model": value, "mapping": f"becomes `{mapped}` on {provider.name}"}
            out.append(_Verdict("OFR201", tok.start, tok.end, args, True, new, "model"))
        else:
            args = {"provider": provider.name, "model": value, "family": choice.family or "unknown"}
            out.append(_Verdict("OFR403", tok.start, tok.end, args, False))
    return out


def _plan_renames(parsed: _Parsed, ctx: _Ctx) -> None:
    """Which key variables of a `.env` file get the provider's name, and after which one it is added.

    The provider's variable must not end up defined twice: when the file already defines it,
    or a second key variable would be renamed too, the variable keeps its name and is counted
    as "left" (a person decides which key to keep). So does a variable the file references
    (`${OPENAI_API_KEY}`), whose references would otherwise dangle. A variable that holds a real
    key (hosts.is_secret_value) keeps its name and value, and is counted as "left" too; the
    provider's variable is added after it (`added`). A multi-line value is never looked into:
    it is left.
    """
    if ctx.provider is None:
        return
    key_env = ctx.provider.key_env
    defined = {e.key for e in parsed.entries if e.key_span is not None}
    referenced: Set[str] = set()
    for e in parsed.entries:
        if e.value is not None:
            for m in _ENV_REF.finditer(e.value.value):
                referenced.add(m.group("a") or m.group("b") or m.group("c"))
    taken = key_env in defined
    for i, e in enumerate(parsed.entries):
        if e.key_span is None or not e.key or e.key == key_env:
            continue
        if ctx.sdk.env_role(e.key) != "key" or "ADMIN" in e.key.upper():
            continue
        if taken or e.key in referenced or e.value is None:
            ctx.left.add(i)
        elif is_secret_value(e.value.value):
            ctx.added.add(i)
            ctx.left.add(i)
            taken = True
        else:
            ctx.renamed.add(i)
            taken = True


# -- public API ----------------------------------------------------------------------------------


def _context(
    kind: str,
    parsed: _Parsed,
    sdk: SdkSurface,
    hosts: Optional[Sequence[str]],
    provider: Optional[Provider],
    models: Optional[Mapping[str, str]],
    region: Optional[str],
) -> _Ctx:
    ctx = _Ctx(
        sdk=sdk,
        hosts=tuple(hosts) if hosts is not None else known_provider_hosts(),
        provider=provider,
        models=dict(models or {}),
        env_mode=kind == "env",
        region=region,
    )
    if ctx.env_mode:
        _plan_renames(parsed, ctx)
    return ctx


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return KEY_RE.sub(lambda m: m.group(0)[:3] + "*" * 8, value)
    return value


def scan_config(
    display_path: str,
    text: str,
    sdk: SdkSurface,
    provider_hosts: Sequence[str],
    provider: Optional[Provider] = None,
    models: Optional[Mapping[str, str]] = None,
    *,
    kind: Optional[str] = None,
    region: Optional[str] = None,
) -> List[ConfigHit]:
    """Findings for one configuration file, sorted by position.

    The format comes from `display_path`'s name (or `kind`). A JSON/TOML file that does not
    parse gives one OFR000 hit where it stops parsing (never an exception). With `provider`,
    model hits say what the model becomes (or OFR403 when the provider has none) and `fixable`
    says what `fix_*` will change.
    """
    kind = kind or config_kind(display_path)
    if kind not in _SCANNERS:
        return []
    t = _Text(text)
    parsed = _SCANNERS[kind](t)
    if parsed is None:
        return []
    if parsed.error is not None:
        line, col = t.pos(max(0, min(parsed.error[0], len(text.rstrip()))))  # at most the last character
        return [ConfigHit("OFR000", line, col, line, col, {"detail": parsed.error[1]})]
    ctx = _context(kind, parsed, sdk, provider_hosts, provider, models, region)
    verdicts: List[_Verdict] = []
    for i, e in enumerate(parsed.entries):
        verdicts.extend(_analyse(i, e, ctx))
    for start, end in parsed.loose:
        for m in URL_RE.finditer(text, start, end):
            url = m.group(0).rstrip(".,;:)]}")
            target = classify_url(url, sdk, ctx.hosts)
            if target.blocked and not is_placeholder_host(target.host):
                kind_text = "Azure OpenAI" if target.kind == "azure" else "OpenAI API"
                verdicts.append(
                    _Verdict("OFR106", m.start(), m.start() + len(url), {"kind": kind_text, "url": url}, False)
                )
    values = [e.value for e in parsed.entries if e.value is not None]
    for start, end in t.lines:
        for m in KEY_RE.finditer(text, start, end):
            if is_placeholder_key(m.group(0)):
                continue
            where = next((v for v in values if v.start <= m.start() < v.end), None)
            span = (where.start, where.end) if where is not None else (m.start(), m.end())
            verdicts.append(_Verdict("OFR302", span[0], span[1], {}, False))

    hits: Dict[Tuple[str, int, int], ConfigHit] = {}
    for v in verdicts:
        line, col = t.pos(v.start)
        end_line, end_col = t.pos(v.end)
        args = {k: _redact(a) for k, a in v.args.items()}
        hits.setdefault((v.code, line, col), ConfigHit(v.code, line, col, end_line, end_col, args, v.fixable))
    return sorted(hits.values(), key=lambda h: (h.line, h.column, h.code))


def _apply(text: str, edits: List[Tuple[int, int, str]]) -> str:
    parts: List[str] = []
    last = 0
    for start, end, new in sorted(edits):
        if start < last:
            continue  # overlapping edits cannot happen; keep the first
        parts.append(text[last:start])
        parts.append(new)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _value_edits(parsed: _Parsed, ctx: _Ctx, counts: Counter[str]) -> List[Tuple[int, int, str]]:
    edits: List[Tuple[int, int, str]] = []
    for i, e in enumerate(parsed.entries):
        tok = e.value
        if tok is None:
            continue
        for v in _analyse(i, e, ctx):
            if v.new_value is None:
                continue
            # Padding inside quotes ('  gpt-3.5-turbo  ') is the file's own: kept around the new value.
            lead = tok.value[: len(tok.value) - len(tok.value.lstrip())] if tok.quote else ""
            trail = tok.value[len(tok.value.rstrip()) :] if tok.quote else ""
            edits.append((tok.start, tok.end, tok.quote + lead + v.new_value + trail + tok.quote))
            counts[v.counter] += 1
            if v.counter == "url" and without_url_credentials(str(v.args.get("url", "")))[1]:
                counts["dropped URL credentials"] += 1
            break
    return edits


def fix_env(
    text: str,
    provider: Provider,
    sdk: SdkSurface,
    models: Optional[Mapping[str, str]] = None,
    *,
    region: Optional[str] = None,
    provider_hosts: Optional[Sequence[str]] = None,
) -> Tuple[str, Counter[str]]:
    """Retarget a `.env*` file at `provider`; returns the new text and what changed.

    The key variable: when its value is empty, a placeholder (`sk-xxx`, `YOUR_KEY`) or a
    reference (`${VAULT_KEY}`), it is renamed to `provider.key_env` with the value untouched.
    When it holds a real key (an OpenAI or Azure secret), renaming would make that secret the
    one sent to the provider; deleting or blanking it would destroy a secret the user may still
    need for other tools. So the line stays exactly as it was and the provider's variable is
    added right after it with an empty value, under `# offramp: set your <provider> key`, in
    the same `export ` style and line ending. A second run finds the provider's variable
    defined and changes nothing; no key value is ever written.

    Counter keys: "key" (key variables renamed), "new key variable" (the provider's variable
    added, empty), "url" (OpenAI/Azure URL values; "dropped URL credentials" counts those whose
    userinfo or `?api-key=`-style parameters were left out), "model" / "deployment" (mapped values),
    "api-type" (`OPENAI_API_TYPE=azure` -> `openai`), and "left": key variables that keep their
    name because they hold a key, because the provider's variable is already defined (or
    another variable was renamed to it), or because the file references the old name. "left"
    is a report, not a change: it repeats on a second run, while every other count is then zero
    and the text is unchanged.
    """
    t = _Text(text)
    parsed = _scan_env(t)
    ctx = _context("env", parsed, sdk, provider_hosts, provider, models, region)
    counts: Counter[str] = Counter()
    edits = _value_edits(parsed, ctx, counts)
    for i in sorted(ctx.renamed):
        span = parsed.entries[i].key_span
        assert span is not None
        edits.append((span[0], span[1], provider.key_env))
        counts["key"] += 1
    for i in sorted(ctx.added):
        edits.append(_add_key_variable(t, parsed.entries[i], provider))
        counts["new key variable"] += 1
    if ctx.left:
        counts["left"] += len(ctx.left)
    return _apply(text, edits), counts


def _add_key_variable(t: _Text, e: _Entry, provider: Provider) -> Tuple[int, int, str]:
    """An insertion after `e`'s line: the comment and `<KEY_ENV>=`, in `e`'s `export ` style and line ending."""
    assert e.key_span is not None
    text = t.text
    row = bisect_right(t.starts, e.key_span[0]) - 1
    start, end = t.lines[row]
    next_start = t.starts[row + 1] if row + 1 < len(t.starts) else len(text)
    eol = text[end:next_start]
    prefix = text[start : e.key_span[0]]  # indentation and `export `
    comment = f"# offramp: set your {provider.name} key (not copied from {e.key})"
    if eol:
        return next_start, next_start, f"{comment}{eol}{prefix}{provider.key_env}={eol}"
    m = re.search(r"\r\n|\r|\n", text)
    eol = m.group(0) if m else "\n"
    return next_start, next_start, f"{eol}{comment}{eol}{prefix}{provider.key_env}="


def fix_structured(
    text: str,
    kind: str,
    provider: Provider,
    sdk: SdkSurface,
    models: Optional[Mapping[str, str]] = None,
    *,
    region: Optional[str] = None,
    provider_hosts: Optional[Sequence[str]] = None,
) -> Tuple[str, Counter[str]]:
    """Replace OpenAI/Azure URL values and OpenAI model values in a YAML/TOML/JSON/INI file.

    Only value tokens change (in their own quoting), so comments, order and layout are kept.
    Keys are never renamed. A file that does not parse, or whose result would not parse, is
    returned unchanged with an empty Counter. Counter keys: "url", "model", "deployment".
    """
    if kind not in ("yaml", "toml", "json", "ini"):
        raise ValueError(f"fix_structured handles yaml, toml, json and ini, not {kind!r} (use fix_env for .env files)")
    scanner = _SCANNERS[kind]
    parsed = scanner(_Text(text))
    if parsed is None or parsed.error is not None:
        return text, Counter()
    ctx = _context(kind, parsed, sdk, provider_hosts, provider, models, region)
    counts: Counter[str] = Counter()
    edits = _value_edits(parsed, ctx, counts)
    if not edits:
        return text, Counter()
    new_text = _apply(text, edits)
    reparsed = scanner(_Text(new_text))
    if reparsed is None or reparsed.error is not None:
        return text, Counter()
    return new_text, counts


def fix_config(
    display_path: str,
    text: str,
    provider: Provider,
    sdk: SdkSurface,
    models: Optional[Mapping[str, str]] = None,
    *,
    region: Optional[str] = None,
    provider_hosts: Optional[Sequence[str]] = None,
) -> Tuple[str, Counter[str]]:
    """`fix_env` or `fix_structured`, chosen by the file name; other files come back unchanged."""
    kind = config_kind(display_path)
    if kind == "env":
        return fix_env(text, provider, sdk, models, region=region, provider_hosts=provider_hosts)
    if kind in ("yaml", "toml", "json", "ini"):
        return fix_structured(text, kind, provider, sdk, models, region=region, provider_hosts=provider_hosts)
    return text, Counter()
