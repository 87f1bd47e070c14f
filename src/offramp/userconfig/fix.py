"""Fixing configuration files: value tokens replaced in place, `.env` key variables renamed."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from typing import List, Mapping, Optional, Sequence, Set, Tuple

from offramp.catalog import SdkSurface
from offramp.providers import Provider, known_provider_hosts
from offramp.redact import without_url_credentials
from offramp.userconfig.envfile import scan_env
from offramp.userconfig.frameworkfiles import fix_blocks
from offramp.userconfig.kind import config_kind
from offramp.userconfig.meaning import Verdict
from offramp.userconfig.scan import context
from offramp.userconfig.scanners import SCANNERS
from offramp.userconfig.text import (
    Entry,
    Parsed,
    Text,
    apply_edits,
)
from offramp.userconfig.together import (
    ALL_MIGRATED,
    UNMIGRATED,
    FileReaders,
    decide_env,
    decide_structured,
    first_changes,
)


def _value_edits(
    parsed: Parsed, changes: Mapping[int, Verdict], allowed: Set[int], counts: Counter[str]
) -> List[Tuple[int, int, str]]:
    edits: List[Tuple[int, int, str]] = []
    for i in sorted(allowed):
        tok, v = parsed.entries[i].value, changes[i]
        assert tok is not None and v.new_value is not None
        # Padding inside quotes ('  gpt-3.5-turbo  ') is the file's own: kept around the new value.
        lead = tok.value[: len(tok.value) - len(tok.value.lstrip())] if tok.quote else ""
        trail = tok.value[len(tok.value.rstrip()) :] if tok.quote else ""
        edits.append((tok.start, tok.end, tok.quote + lead + v.new_value + trail + tok.quote))
        counts[v.counter] += 1
        if v.counter == "url" and without_url_credentials(str(v.args.get("url", "")))[1]:
            counts["dropped URL credentials"] += 1
    return edits


def fix_env(
    text: str,
    provider: Provider,
    sdk: SdkSurface,
    models: Optional[Mapping[str, str]] = None,
    *,
    region: Optional[str] = None,
    provider_hosts: Optional[Sequence[str]] = None,
    readers: FileReaders = ALL_MIGRATED,
) -> Tuple[str, Counter[str]]:
    """Retarget a `.env*` file at `provider` as far as its `readers` allow; the new text and what changed.

    `readers` (offramp.userconfig.together): which variables the project's code still reads
    unmigrated. The default vouches that every reader was migrated (the rewriting on its own).

    The key variable: when its value is empty, a placeholder (`sk-xxx`, `YOUR_KEY`) or a
    reference (`${VAULT_KEY}`), it is renamed to `provider.key_env` with the value untouched.
    When it holds a real key (an OpenAI or Azure secret), renaming would make that secret the
    one sent to the provider, and leaving it would pair it with the provider's endpoint. So the
    line is commented out (the key stays in the file for the user, read by nothing) and the
    provider's variable is added right after it with an empty value, under
    `# offramp: set your <provider> key`, in the same `export ` style and line ending. A second
    run finds the provider's variable defined and changes nothing; no key value is ever copied.

    Counter keys: "key" (key variables renamed), "commented-out key" (a real key's line),
    "new key variable" (the provider's variable added, empty), "url" (OpenAI/Azure URL values;
    "dropped URL credentials" counts those whose userinfo or `?api-key=`-style parameters were
    left out), "model" / "deployment" (mapped values), "api-type" (`OPENAI_API_TYPE=azure` ->
    `openai`), "todo" (a `# TODO[offramp]:` comment: the endpoint and key could not move
    together), and "left": key variables that keep their name because the provider's variable is
    already defined (or another variable was renamed to it) or because the file references the
    old name. "left" is a report, not a change: it repeats on a second run, while every other
    count is then zero and the text is unchanged.
    """
    t = Text(text)
    parsed = scan_env(t)
    ctx = context("env", parsed, sdk, provider_hosts, provider, models, region)
    changes = first_changes(parsed, ctx)
    decision = decide_env(parsed, ctx, changes, readers, provider)
    counts: Counter[str] = Counter()
    edits = _value_edits(parsed, changes, decision.values, counts)
    renamed = sorted(ctx.renamed & decision.keys)
    for i in renamed:
        span = parsed.entries[i].key_span
        assert span is not None
        edits.append((span[0], span[1], provider.key_env))
        counts["key"] += 1
    disabled = sorted(ctx.disabled & decision.keys)
    defined = any(e.key == provider.key_env for e in parsed.entries)
    # At one offset: first what ends the line above (the added variable), then the TODO, then `# `.
    if disabled and not renamed and not defined:
        edits.append(_add_key_variable(t, parsed.entries[disabled[0]], provider))
        counts["new key variable"] += 1
    if decision.todo is not None:
        todo = _todo(t, parsed.entries[decision.todo[0]], decision.todo[1])
        if todo is not None:
            edits.append(todo)
            counts["todo"] += 1
    for i in disabled:
        at = _line_start(t, parsed.entries[i])
        edits.append((at, at, "# "))
        counts["commented-out key"] += 1
    if ctx.left:
        counts["left"] += len(ctx.left)
    return apply_edits(text, edits), counts


def _line_start(t: Text, e: Entry) -> int:
    """Where `e`'s line starts (after a byte-order mark)."""
    assert e.key_span is not None
    return t.lines[bisect_right(t.starts, e.key_span[0]) - 1][0]


def _todo(t: Text, e: Entry, text: str) -> Optional[Tuple[int, int, str]]:
    """A `# TODO[offramp]: ...` line above `e`'s line, in its indentation and line ending; None when
    the line above already says it (a second run adds nothing)."""
    assert e.key_span is not None
    row = bisect_right(t.starts, e.key_span[0]) - 1
    comment = f"# TODO[offramp]: {text}"
    if row > 0:
        above = t.text[t.lines[row - 1][0] : t.lines[row - 1][1]]
        if above.strip() == comment:
            return None
    start, end = t.lines[row]
    next_start = t.starts[row + 1] if row + 1 < len(t.starts) else len(t.text)
    m = re.search(r"\r\n|\r|\n", t.text)
    eol = t.text[end:next_start] or (m.group(0) if m else "\n")
    indent = t.text[start : start + len(t.text[start:end]) - len(t.text[start:end].lstrip(" \t"))]
    return start, start, f"{indent}{comment}{eol}"


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
    readers: FileReaders = ALL_MIGRATED,
) -> Tuple[str, Counter[str]]:
    """Replace OpenAI/Azure URL values and OpenAI model values in a YAML/TOML/JSON/INI file, when
    its `readers` were migrated (all values or none: the code reading the file decides their meaning).

    Only value tokens change (in their own quoting), so comments, order and layout are kept.
    Keys are never renamed. A file that does not parse, or whose result would not parse, is
    returned unchanged with an empty Counter. Counter keys: "url", "model", "deployment".

    A file a framework loads itself (an AutoGen component config, a `.prompty` file: frameworkfiles.py)
    is its own reader: each client block moves whole (class, host, key, model and the capabilities the
    framework needs) or stays, and nothing else in it changes; counted as "<kind id> <part>".
    """
    if kind not in ("yaml", "toml", "json", "ini", "prompty"):
        raise ValueError(
            f"fix_structured handles yaml, toml, json, ini and prompty, not {kind!r} (use fix_env for .env files)"
        )
    scanner = SCANNERS[kind]
    parsed = scanner(Text(text))
    if parsed is None or parsed.error is not None:
        return text, Counter()
    framework = fix_blocks(
        kind,
        text,
        provider,
        sdk,
        dict(models or {}),
        region,
        tuple(provider_hosts) if provider_hosts is not None else known_provider_hosts(),
    )
    if framework is not None:  # a framework's own file: its client blocks, each whole (frameworkfiles.py)
        if readers.state == UNMIGRATED:
            return text, Counter()
        new_text, block_counts, _ = framework
        reparsed = scanner(Text(new_text))
        if new_text == text or reparsed is None or reparsed.error is not None:
            return text, Counter()
        return new_text, block_counts
    ctx = context(kind, parsed, sdk, provider_hosts, provider, models, region)
    changes = first_changes(parsed, ctx)
    counts: Counter[str] = Counter()
    edits = _value_edits(parsed, changes, decide_structured(changes, readers).values, counts)
    if not edits:
        return text, Counter()
    new_text = apply_edits(text, edits)
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
    readers: FileReaders = ALL_MIGRATED,
) -> Tuple[str, Counter[str]]:
    """`fix_env` or `fix_structured`, chosen by the file name; other files come back unchanged."""
    kind = config_kind(display_path)
    if kind == "env":
        return fix_env(text, provider, sdk, models, region=region, provider_hosts=provider_hosts, readers=readers)
    if kind in ("yaml", "toml", "json", "ini", "prompty"):
        return fix_structured(
            text, kind, provider, sdk, models, region=region, provider_hosts=provider_hosts, readers=readers
        )
    return text, Counter()
