"""Fixing configuration files: value tokens replaced in place, `.env` key variables renamed."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from typing import List, Mapping, Optional, Sequence, Tuple

from offramp.catalog import SdkSurface
from offramp.configkind import config_kind
from offramp.providers import Provider
from offramp.redact import without_url_credentials
from offramp.userconfig.envfile import scan_env
from offramp.userconfig.meaning import Ctx, analyse
from offramp.userconfig.scan import context
from offramp.userconfig.scanners import SCANNERS
from offramp.userconfig.text import (
    Entry,
    Parsed,
    Text,
)


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


def _value_edits(parsed: Parsed, ctx: Ctx, counts: Counter[str]) -> List[Tuple[int, int, str]]:
    edits: List[Tuple[int, int, str]] = []
    for i, e in enumerate(parsed.entries):
        tok = e.value
        if tok is None:
            continue
        for v in analyse(i, e, ctx):
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
    t = Text(text)
    parsed = scan_env(t)
    ctx = context("env", parsed, sdk, provider_hosts, provider, models, region)
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


def _add_key_variable(t: Text, e: Entry, provider: Provider) -> Tuple[int, int, str]:
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
    scanner = SCANNERS[kind]
    parsed = scanner(Text(text))
    if parsed is None or parsed.error is not None:
        return text, Counter()
    ctx = context(kind, parsed, sdk, provider_hosts, provider, models, region)
    counts: Counter[str] = Counter()
    edits = _value_edits(parsed, ctx, counts)
    if not edits:
        return text, Counter()
    new_text = _apply(text, edits)
    reparsed = scanner(Text(new_text))
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
