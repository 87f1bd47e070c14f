"""`scan_config`: the findings of one configuration file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from offramp import codes
from offramp.catalog import SdkSurface, renamable_key
from offramp.hosts import KEY_RE, URL_RE, classify_url, is_placeholder_host, is_placeholder_key, is_secret_value
from offramp.providers import Provider, known_provider_hosts
from offramp.types import Span
from offramp.userconfig.frameworkfiles import block_hits
from offramp.userconfig.kind import config_kind
from offramp.userconfig.lifecycle import retired_models
from offramp.userconfig.meaning import ENV_REF, Ctx, Verdict, analyse
from offramp.userconfig.pairs import foreign_credentials
from offramp.userconfig.scanners import SCANNERS
from offramp.userconfig.text import (
    Parsed,
    Text,
)

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


def plan_renames(parsed: Parsed, ctx: Ctx) -> None:
    """What happens to each key variable of a `.env` file when its readers move to the provider.

    A variable holding a placeholder, an empty value or a reference (`${VAULT_KEY}`) is renamed to
    the provider's variable (`renamed`). One that holds a real key (hosts.is_secret_value) is never
    renamed, which would send that key to the provider: its line is commented out, the key kept for
    the user, and the provider's variable added after the first one, empty (`disabled`, `added`).
    The provider's variable is never defined twice: when the file already defines it, or another
    variable was renamed to it, a placeholder variable keeps its name ("left": a person decides which
    to keep). So does a variable the file references (`${OPENAI_API_KEY}`), whose references would
    otherwise dangle, and a multi-line value, which is never looked into. Which of these changes a
    fix makes is decided with the file's readers (`offramp.userconfig.together`).
    """
    if ctx.provider is None:
        return
    key_env = ctx.provider.key_env
    defined = {e.key for e in parsed.entries if e.key_span is not None}
    referenced: Set[str] = set()
    for e in parsed.entries:
        if e.value is not None:
            for m in ENV_REF.finditer(e.value.value):
                referenced.add(m.group("a") or m.group("b") or m.group("c"))
    taken = key_env in defined
    for i, e in enumerate(parsed.entries):
        if e.key_span is None or not e.key or e.key == key_env:
            continue
        if not renamable_key(e.key, ctx.sdk.env_role(e.key)):
            continue
        if e.key in referenced or e.value is None:
            ctx.left.add(i)
        elif is_secret_value(e.value.value):
            ctx.disabled.add(i)
            if not taken:
                ctx.added.add(i)
                taken = True
        elif taken:
            ctx.left.add(i)
        else:
            ctx.renamed.add(i)
            taken = True


def _framework_verdicts(kind: str, text: str, ctx: Ctx, verdicts: List[Verdict]) -> List[Verdict]:
    """In a file a framework loads itself (userconfig/frameworkfiles.py): one OFR101/OFR102 per client
    block, and the block's other findings fixable exactly when the block moves whole. `fix` changes
    nothing else in such a file (no code of the run reads it), so findings outside the blocks are not."""
    hits = block_hits(kind, text, ctx.provider, ctx.sdk, ctx.models, ctx.region, tuple(ctx.hosts))
    if hits is None:
        return verdicts
    out = []
    for v in verdicts:
        inside = next((h for h in hits if h.span[0] <= v.start < h.span[1]), None)
        fixable = (
            inside is not None
            and inside.fixable
            and v.code != codes.HARDCODED_API_KEY
            and (v.fixable or ctx.provider is not None)
        )
        out.append(Verdict(v.code, v.start, v.end, v.args, fixable, v.new_value, v.counter))
    out += [Verdict(h.code, h.start, h.end, dict(h.args), h.fixable) for h in hits]
    return out


# -- public API ----------------------------------------------------------------------------------


def context(
    kind: str,
    parsed: Parsed,
    sdk: SdkSurface,
    hosts: Optional[Sequence[str]],
    provider: Optional[Provider],
    models: Optional[Mapping[str, str]],
    region: Optional[str],
) -> Ctx:
    ctx = Ctx(
        sdk=sdk,
        hosts=tuple(hosts) if hosts is not None else known_provider_hosts(),
        provider=provider,
        models=dict(models or {}),
        env_mode=kind == "env",
        region=region,
    )
    if ctx.env_mode:
        plan_renames(parsed, ctx)
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
    if kind not in SCANNERS:
        return []
    t = Text(text)
    parsed = SCANNERS[kind](t)
    if parsed is None:
        return []
    if parsed.error is not None:
        line, col = t.pos(max(0, min(parsed.error[0], len(text.rstrip()))))  # at most the last character
        return [ConfigHit(codes.SYNTAX_ERROR, line, col, line, col, {"detail": parsed.error[1]})]
    ctx = context(kind, parsed, sdk, provider_hosts, provider, models, region)
    verdicts: List[Verdict] = []
    for i, e in enumerate(parsed.entries):
        verdicts.extend(analyse(i, e, ctx))
    for start, end in parsed.loose:
        for m in URL_RE.finditer(text, start, end):
            url = m.group(0).rstrip(".,;:)]}")
            target = classify_url(url, sdk, ctx.hosts)
            if target.blocked and not is_placeholder_host(target.host):
                kind_text = "Azure OpenAI" if target.kind == "azure" else "OpenAI API"
                verdicts.append(
                    Verdict(codes.OPENAI_URL, m.start(), m.start() + len(url), {"kind": kind_text, "url": url}, False)
                )
    verdicts.extend(foreign_credentials(parsed, ctx, t))
    verdicts.extend(retired_models(parsed, ctx, t))
    verdicts = _framework_verdicts(kind, text, ctx, verdicts)
    values = [e.value for e in parsed.entries if e.value is not None]
    for start, end in t.lines:
        for m in KEY_RE.finditer(text, start, end):
            if is_placeholder_key(m.group(0)):
                continue
            where = next((v for v in values if v.start <= m.start() < v.end), None)
            span = (where.start, where.end) if where is not None else (m.start(), m.end())
            verdicts.append(Verdict(codes.HARDCODED_API_KEY, span[0], span[1], {}, False))

    hits: Dict[Tuple[str, int, int], ConfigHit] = {}
    for v in verdicts:
        line, col = t.pos(v.start)
        end_line, end_col = t.pos(v.end)
        args = {k: _redact(a) for k, a in v.args.items()}
        hits.setdefault((v.code, line, col), ConfigHit(v.code, line, col, end_line, end_col, args, v.fixable))
    return sorted(hits.values(), key=lambda h: (h.line, h.column, h.code))
