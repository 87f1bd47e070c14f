"""Configuration files a framework loads by itself (rules/frameworkfiles.toml): AutoGen component
configs, `.prompty` model configurations, promptflow connections and flow nodes.

Such a file is its own reader: `ChatCompletionClient.load_component(yaml.safe_load(f))` turns the
`config:` mapping into the client's arguments, whatever Python code hands it over. So, unlike other
configuration files (which move only with the Python code reading them), a framework block may move
on its own, but whole: its class, host, key and model together (a provider URL with OpenAI's key,
or a provider model on Azure, would each fail or leak), and the capability description the framework
needs for a model it does not know (AutoGen raises `ValueError: model_info is required` without one).
When one part cannot move (a real OpenAI key in the file, a deployment with no provider model, a
value offramp cannot edit in place), the block is left exactly as it is and the check says why.

Kinds whose parts live in several files (a promptflow connection holds host and key, each flow names
its model) are reported, never rewritten.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from offramp import codes
from offramp.catalog import CatalogError, SdkSurface, load_toml, rules_dir
from offramp.hosts import classify_url, is_secret_value
from offramp.mapping import is_provider_model, map_model
from offramp.providers import Provider
from offramp.userconfig.outline import Outline, outline
from offramp.userconfig.text import apply_edits
from offramp.wrappers import Capabilities, load_wrappers


@dataclass(frozen=True)
class FixSpec:
    cls: str
    base_url_key: str
    key_placeholder: str  # "REPLACE_WITH_YOUR_{env}": the framework reads no variable here
    key_reference: str  # "${{env:{env}}}": the framework reads the variable this names
    drop_keys: Tuple[str, ...]
    capabilities: Optional[Capabilities]


@dataclass(frozen=True)
class FileSpec:
    id: str
    what: str
    formats: Tuple[str, ...]
    class_key: str
    config_key: str
    within: Tuple[str, ...]
    top_level: bool
    requires: Tuple[str, ...]
    classes: Mapping[str, str]
    model_keys: Tuple[str, ...]
    deployment_keys: Tuple[str, ...]
    base_url_keys: Tuple[str, ...]
    key_key: str
    fix: Optional[FixSpec]
    hold: str


@lru_cache(maxsize=1)
def load_file_specs() -> Tuple[FileSpec, ...]:
    path = rules_dir() / "frameworkfiles.toml"
    out = []
    for raw in load_toml(path).get("file", []):
        try:
            fix = raw.get("fix")
            fix_spec = None
            if fix is not None and raw.get("fixable", True):
                caps = None
                if "capabilities-of" in fix:
                    caps = next(w.fix_capabilities for w in load_wrappers().values() if w.id == fix["capabilities-of"])
                fix_spec = FixSpec(
                    cls=fix["class"],
                    base_url_key=fix["base-url-key"],
                    key_placeholder=fix.get("key-placeholder", ""),
                    key_reference=fix.get("key-reference", ""),
                    drop_keys=tuple(fix.get("drop-keys", [])),
                    capabilities=caps,
                )
            out.append(
                FileSpec(
                    id=raw["id"],
                    what=raw["what"],
                    formats=tuple(raw["formats"]),
                    class_key=raw["class-key"],
                    config_key=raw.get("config-key", ""),
                    within=tuple(raw.get("within", [])),
                    top_level=bool(raw.get("top-level", False)),
                    requires=tuple(raw.get("requires", [])),
                    classes=dict(raw.get("classes", {})),
                    model_keys=tuple(raw.get("model-keys", [])),
                    deployment_keys=tuple(raw.get("deployment-keys", [])),
                    base_url_keys=tuple(raw.get("base-url-keys", [])),
                    key_key=raw.get("key-key", ""),
                    fix=fix_spec,
                    hold=raw.get("hold", ""),
                )
            )
        except (KeyError, TypeError, StopIteration) as e:
            raise CatalogError(f"{path.name}: file {raw.get('id', '?')} is missing {e}") from None
    return tuple(out)


# -- finding the blocks ----------------------------------------------------------------------------


@dataclass
class Block:
    """One framework client in a file: the entry naming its class, and its settings' entries."""

    spec: FileSpec
    cls: int  # the class entry
    settings: Optional[int]  # the `config:` entry (None: the class entry's own mapping holds the settings)
    azure: bool

    def span(self, o: Outline) -> Tuple[int, int]:
        ends = [o.nodes[j].end for j in o.siblings(self.cls)]
        starts = [o.nodes[j].start for j in o.siblings(self.cls)]
        return min(starts), max(ends)


def front_matter_end(text: str) -> int:
    """Where a `.prompty` file's YAML front matter ends (the closing `---` line); 0 when it has none."""
    m = re.match(r"\ufeff?---[ \t]*(?:\r\n|\r|\n)", text)
    if m is None:
        return 0
    close = re.compile(r"^---[ \t]*$", re.M).search(text, m.end())
    return close.start() if close else 0


def yaml_part(kind: str, text: str) -> Tuple[str, str]:
    """(outline format, text it covers): a `.prompty` file is its front matter, read as YAML."""
    if kind == "prompty":
        return "yaml", text[: front_matter_end(text)]
    return kind, text


def find_blocks(kind: str, text: str) -> Tuple[Optional[Outline], List[Block]]:
    """The framework blocks of a file of format `kind`."""
    specs = [s for s in load_file_specs() if kind in s.formats]
    if not specs:
        return None, []
    fmt, part = yaml_part(kind, text)
    o = outline(fmt, part)
    if o is None:
        return None, []
    blocks = []
    for i, n in enumerate(o.nodes):
        for spec in specs:
            if n.key != spec.class_key or n.value is None:
                continue
            value = n.value.value.strip()
            if spec.classes and value not in spec.classes:
                continue
            if spec.top_level and n.parent != -1:
                continue
            if spec.within and tuple(o.path(i)[-len(spec.within) :]) != spec.within:
                continue
            if any(o.sibling(i, r) is None for r in spec.requires):
                continue
            settings = o.sibling(i, spec.config_key) if spec.config_key else None
            if spec.config_key and settings is None:
                continue
            block = Block(spec, i, settings, False)
            if spec.classes:
                block.azure = spec.classes[value] == "azure"
            else:
                block.azure = any(entry(o, block, k) is not None for k in spec.deployment_keys)
            blocks.append(block)
            break
    return o, blocks


def holds_blocks(kind: str, text: str) -> bool:
    """Whether a framework loads this file itself (it holds a block of rules/frameworkfiles.toml)."""
    if not any(kind in s.formats for s in load_file_specs()):
        return False
    return bool(find_blocks(kind, text)[1])


def members(o: Outline, b: Block) -> List[int]:
    if b.settings is None:
        return [j for j in o.siblings(b.cls) if j != b.cls]
    return o.children(b.settings)


def entry(o: Outline, b: Block, dotted: str) -> Optional[int]:
    first, _, rest = dotted.partition(".")
    at = next((j for j in members(o, b) if o.nodes[j].key == first), None)
    if at is None or not rest:
        return at
    return o.child(at, rest)


def _scalar(o: Outline, b: Block, keys: Tuple[str, ...]) -> Tuple[Optional[int], str]:
    for k in keys:
        j = entry(o, b, k)
        if j is not None:
            v = o.nodes[j].value
            return j, v.value.strip() if v is not None else ""
    return None, ""


def still_blocked(o: Outline, b: Block, sdk: SdkSurface, hosts: Tuple[str, ...]) -> bool:
    """Whether the block's requests go to OpenAI / Azure (no base URL, or an OpenAI / Azure one)."""
    if b.azure:
        return True
    _, url = _scalar(o, b, b.spec.base_url_keys)
    return not url or classify_url(url, sdk, hosts, endpoint=True).blocked


# -- the fix ---------------------------------------------------------------------------------------

_REF = re.compile(
    r"\$\{(env:)?([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|os\.environ/([A-Za-z_][A-Za-z0-9_]*)"
)
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/?&=%+@\-]*")


@dataclass
class Plan:
    edits: List[Tuple[int, int, str]] = field(default_factory=list)
    why: str = ""  # why the block stays (empty: it moves)
    counts: Counter = field(default_factory=Counter)
    model: str = ""


def plan_block(
    o: Outline, b: Block, provider: Provider, sdk: SdkSurface, models: Mapping[str, str], region: Optional[str]
) -> Plan:
    """The edits that move one block to `provider`, all of them or none (`why` says what is missing)."""
    why = static_why(o, b)
    if why:
        return Plan(why=why)
    spec, fix = b.spec, b.spec.fix
    assert fix is not None
    plan = Plan()
    edits = plan.edits
    # the model: a deployment mapped in [tool.offramp.models], else the model the file names
    mj, model = _scalar(o, b, spec.model_keys)
    _, deployment = _scalar(o, b, spec.deployment_keys)
    target: Optional[str] = None
    if deployment and deployment in models:
        target = models[deployment]
    elif model and is_provider_model(model, provider, models):
        target = model
    elif model or deployment:
        choice = map_model(model or deployment, provider, sdk, models)
        target = choice.target
    if target is None or not _SAFE.fullmatch(target):
        return Plan(why=f"`{model or deployment}` has no {provider.name} model (map it under [tool.offramp.models])")
    plan.model = target
    base = provider.base_url(region)
    inserts: List[Tuple[str, str]] = []
    if mj is not None:
        if model != target:
            edits.append(_replace(o, mj, target))
            plan.counts["model"] += 1
    else:
        inserts.append((spec.model_keys[0], target))
        plan.counts["model"] += 1
    # the host
    uj = entry(o, b, fix.base_url_key)
    if uj is not None:
        edits.append(_replace(o, uj, base))
    else:
        inserts.append((fix.base_url_key, base))
    plan.counts["url"] += 1
    # the key
    kj = entry(o, b, spec.key_key)
    key_text = _text(o, kj)
    ref = _REF.fullmatch(key_text)
    if ref is not None:
        name = next(g for g in ref.groups()[1:] if g)
        new_key = key_text.replace(name, provider.key_env) if name != provider.key_env else key_text
    elif fix.key_reference:
        new_key = fix.key_reference.format(env=provider.key_env)
    else:
        new_key = fix.key_placeholder.format(env=provider.key_env)
    if kj is None:
        inserts.append((spec.key_key, new_key))
    elif new_key != key_text:
        edits.append(_replace(o, kj, new_key))
    plan.counts["key"] += 1
    # the class, and what only Azure or OpenAI reads
    if b.azure:
        edits.append(_replace(o, b.cls, fix.cls))
        plan.counts["class"] += 1
    dropped = [j for j in members(o, b) if o.nodes[j].key in fix.drop_keys]
    edits.extend(_removals(o, b, dropped))
    if fix.capabilities is not None and entry(o, b, fix.capabilities.arg) is None:
        entries = [(k, provider.parameter(p) == "yes") for k, p in fix.capabilities.from_parameters]
        inserts.append((fix.capabilities.arg, dict([*entries, *fix.capabilities.constants])))  # type: ignore[arg-type]
        plan.counts["model_info"] += 1
    if inserts:
        ins = _insertion(o, b, dropped, inserts)
        if ins is None:
            return Plan(why="offramp cannot add entries to its settings in place")
        edits.append(ins)
    return plan


def static_why(o: Outline, b: Block) -> str:
    """Why the block cannot move to any provider (empty: it may, given a provider model)."""
    spec, fix = b.spec, b.spec.fix
    if fix is None:
        return spec.hold or "offramp does not rewrite it"
    if b.settings is not None and o.nodes[b.settings].kind != "map":
        return f"its `{spec.config_key}:` is not a block mapping offramp can edit in place"
    if _scalar(o, b, spec.model_keys)[0] is None and _scalar(o, b, spec.deployment_keys)[0] is None:
        return "it names no model"
    for k in (spec.key_key, fix.base_url_key, *spec.model_keys, *spec.deployment_keys):
        j = entry(o, b, k)
        if j is not None and o.nodes[j].value is None:
            return f"its `{k}` is not a plain value"
    key_text = _text(o, entry(o, b, spec.key_key))
    if not _REF.fullmatch(key_text) and is_secret_value(key_text):
        return (
            f"its `{spec.key_key}` holds a real key, for OpenAI or Azure as far as offramp can tell: "
            "remove it, then run fix again"
        )
    if any(o.nodes[j].item for j in members(o, b) if o.nodes[j].key in fix.drop_keys):
        return "an entry to remove starts a sequence item"
    return ""


def _text(o: Outline, j: Optional[int]) -> str:
    tok = o.nodes[j].value if j is not None else None
    return tok.value.strip() if tok is not None else ""


def _replace(o: Outline, j: int, new: str) -> Tuple[int, int, str]:
    tok = o.nodes[j].value
    assert tok is not None
    return tok.start, tok.end, tok.quote + new + tok.quote


def _removals(o: Outline, b: Block, dropped: List[int]) -> List[Tuple[int, int, str]]:
    if o.kind == "yaml":
        return [(o.nodes[j].start, o.nodes[j].end, "") for j in dropped]
    # JSON: runs of neighbouring entries go with the comma before them (or after, for the first)
    ms = members(o, b)
    out = []
    run: List[int] = []
    for pos, j in enumerate([*ms, -1]):
        if j in dropped:
            run.append(pos)
            continue
        if run:
            a, z = run[0], run[-1]
            if a > 0:
                out.append((o.nodes[ms[a - 1]].end, o.nodes[ms[z]].end, ""))
            elif z + 1 < len(ms):
                out.append((o.nodes[ms[a]].start, o.nodes[ms[z + 1]].start, ""))
            else:
                out.append((o.nodes[ms[a]].start, o.nodes[ms[z]].end, ""))
            run = []
    return out


def _insertion(
    o: Outline, b: Block, dropped: List[int], inserts: Sequence[Tuple[str, object]]
) -> Optional[Tuple[int, int, str]]:
    kept = [j for j in members(o, b) if j not in dropped]
    if b.settings is None:
        kept = sorted([*kept, b.cls])  # the class entry is one of the settings' own entries
    if not kept:
        return None
    last = o.nodes[kept[-1]]
    if o.kind == "yaml":
        step = "  "
        lines = []
        for k, v in inserts:
            if isinstance(v, dict):
                lines.append(f"{last.indent}{k}:")
                lines += [f"{last.indent}{step}{ik}: {_yaml_scalar(iv)}" for ik, iv in v.items()]
            else:
                lines.append(f"{last.indent}{k}: {_yaml_scalar(v)}")
        # after the last kept entry's lines (a removed entry after it goes at the same offset, first)
        at = max(o.nodes[j].end for j in kept)
        lead = "" if at == 0 or o.text[at - 1] in "\r\n" else o.eol
        return at, at, lead + o.eol.join(lines) + o.eol

    before = o.text[: last.start]
    multiline = before[len(before.rstrip(" \t\r\n")) :].strip(" \t") != ""  # a line break before the entry
    sep = "," + (o.eol + last.indent if multiline else " ")
    body = "".join(f"{sep}{json.dumps(k)}: {json.dumps(v)}" for k, v in inserts)
    return last.end, last.end, body


def _yaml_scalar(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def fix_blocks(
    kind: str,
    text: str,
    provider: Provider,
    sdk: SdkSurface,
    models: Mapping[str, str],
    region: Optional[str],
    hosts: Tuple[str, ...],
) -> Optional[Tuple[str, Counter, List[str]]]:
    """(new text, counts, why each block that stays stays); None when the file holds no framework block."""
    o, blocks = find_blocks(kind, text)
    if o is None or not blocks:
        return None
    edits: List[Tuple[int, int, str]] = []
    counts: Counter = Counter()
    held: List[str] = []
    for b in blocks:
        if not still_blocked(o, b, sdk, hosts):
            continue
        plan = plan_block(o, b, provider, sdk, models, region)
        if plan.why:
            held.append(f"{b.spec.what}: {plan.why}")
            continue
        edits += plan.edits
        counts.update({f"{b.spec.id} {k}": n for k, n in plan.counts.items()})
    return apply_edits(text, edits), counts, held


# -- what check says -------------------------------------------------------------------------------


@dataclass
class BlockHit:
    code: str
    start: int
    end: int
    args: Dict[str, str]
    fixable: bool
    span: Tuple[int, int]  # the block's text: other findings inside it are fixable exactly when it is


def block_hits(
    kind: str,
    text: str,
    provider: Optional[Provider],
    sdk: SdkSurface,
    models: Mapping[str, str],
    region: Optional[str],
    hosts: Tuple[str, ...],
) -> Optional[List[BlockHit]]:
    """One OFR101 / OFR102 per framework block still aimed at OpenAI / Azure; None: no framework block."""
    o, blocks = find_blocks(kind, text)
    if o is None or not blocks:
        return None
    out = []
    for b in blocks:
        if not still_blocked(o, b, sdk, hosts):
            continue
        n = o.nodes[b.cls]
        assert n.value is not None
        _, model = _scalar(o, b, b.spec.model_keys)
        _, deployment = _scalar(o, b, b.spec.deployment_keys)
        if provider is not None:
            plan = plan_block(o, b, provider, sdk, models, region)
            fixable, why = not plan.why, plan.why
        else:
            why = static_why(o, b)
            fixable = not why
        said = ", ".join(
            x
            for x in (
                b.spec.what,
                f"deployment `{deployment}`" if deployment else "",
                f"model `{model}`" if model else "",
                f"not moved: {why}" if why else "",
            )
            if x
        )
        shown = n.value.value.strip()
        if b.azure:
            args = {"cls": shown, "where": f" ({said})"}
            code = codes.AZURE_OPENAI_CLIENT
        else:
            args = {"cls": shown, "target": f"api.openai.com ({said})"}
            code = codes.OPENAI_CLIENT
        out.append(BlockHit(code, n.value.start, n.value.end, args, fixable, b.span(o)))
    return out
