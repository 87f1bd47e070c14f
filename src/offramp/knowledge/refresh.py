"""The maintainers' review list: what LiteLLM and models.dev say that the catalogue does not.

    python -m offramp.knowledge.refresh --litellm model_prices_and_context_window.json \\
        --models-dev api.json [--date YYYY-MM-DD]

prints a dated list, per provider, of mapped models retired or retiring upstream, retirements the
provider file has no `[[lifecycle]]` entry for, mapped ids neither catalogue lists, new ids, and
capability flags or context sizes that disagree; then OpenAI ids the SDK surface does not recognise
and new ones with the family offramp would give them. Nothing is changed: each item is a lead to
check against the provider's own documentation (aggregator flags are often wrong) before the data
in rules/ changes. Exit 0 with the list, 2 with a one-line error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from offramp.catalog import CatalogError, SdkSurface, load_sdk, rules_file
from offramp.checks.lifecycle import served_ids
from offramp.knowledge.upstream import UpstreamMap, UpstreamModel, load_upstream_map, read_litellm, read_models_dev
from offramp.providers import Provider, builtin_providers

# LiteLLM modes whose ids a provider file could map (the others are priced variants of other APIs).
_MODES = ("chat", "responses", "completion", "embedding", "")
_CONTEXT_GAP = 0.10  # LiteLLM and models.dev disagree on a mapped model's context by more than this


@dataclass
class Section:
    title: str
    items: List[str] = field(default_factory=list)


def _retired_by(m: UpstreamModel, today: str) -> bool:
    return m.retires == "deprecated" or (bool(m.retires) and m.retires <= today)


Where = Tuple[Tuple[str, ...], Tuple[str, ...]]  # (LiteLLM providers, models.dev providers)
Catalogue = Mapping[str, List[UpstreamModel]]


def _gather(where: Where, litellm: Catalogue, models_dev: Catalogue) -> Dict[str, List[UpstreamModel]]:
    """Model id -> what the two catalogues say about it, for one provider."""
    out: Dict[str, List[UpstreamModel]] = {}
    for names, catalogue in zip(where, (litellm, models_dev)):
        for name in names:
            for m in catalogue.get(name, ()):
                out.setdefault(m.id, []).append(m)
    return out


def _origins(ms: Sequence[UpstreamModel]) -> str:
    return ", ".join(dict.fromkeys(m.origin for m in ms))


def _flags(ms: Sequence[UpstreamModel]) -> str:
    context = next((m.context for m in ms if m.context), None)
    parts = [f"{context:,} context"] if context else []
    if any(m.vision for m in ms):
        parts.append("vision")
    if any(m.reasoning for m in ms):
        parts.append("reasoning")
    return f" [{', '.join(parts)}]" if parts else ""


def provider_section(p: Provider, litellm: Catalogue, models_dev: Catalogue, where: Where, today: str) -> Section:
    up = _gather(where, litellm, models_dev)
    sec = Section(f"{p.id} — {p.name} (models checked {p.dates.get('models', '?')})")
    for region in p.regions:  # facts the catalogue itself marks unconfirmed ([regions.NAME].unconfirmed)
        unconfirmed = p.in_region(region).unconfirmed
        if unconfirmed:
            ids = ", ".join(f"`{m}`" for m in unconfirmed)
            why = next(iter(unconfirmed.values()))
            verify = f"`offramp verify --to {p.id} --region {region}`"
            sec.items.append(
                f"unconfirmed in region {region}: {ids} ({why}): confirm them on the provider's page "
                f"or with {verify}, then update [regions.{region}]"
            )
    if not where[0] and not where[1]:
        sec.items.append("no upstream catalogue lists this provider: check its documentation by hand")
        return sec
    mapped: Dict[str, List[str]] = {}
    for family, model in p.models.items():
        mapped.setdefault(model, []).append(family)
    life = p.lifecycle
    for model, families in sorted(mapped.items()):
        ms = up.get(model, [])
        fam = "/".join(families)
        gone = [m for m in ms if _retired_by(m, today)]
        soon = sorted(m.retires for m in ms if m.retires and not _retired_by(m, today))
        if gone:
            when = gone[0].retires
            sec.items.append(
                f"mapped `{model}` ({fam}) is retired upstream ({gone[0].origin}: {when}): find its successor, "
                "add a [[lifecycle]] entry and remap"
            )
        elif soon:
            sec.items.append(f"mapped `{model}` ({fam}) retires on {soon[0]} (LiteLLM): plan its successor")
        if not ms:
            sec.items.append(f"mapped `{model}` ({fam}) is in neither catalogue: check that it is still served")
            continue
        sec.items += _capability_items(p, model, families, ms)
    known = served_ids(p) | set(life.models)
    for model, ms in sorted(up.items()):
        if model in mapped:
            continue
        if any(_retired_by(m, today) for m in ms):
            if model not in life.models:
                when = next(m.retires for m in ms if _retired_by(m, today))
                sec.items.append(
                    f"`{model}` is retired upstream ({_origins(ms)}: {when}) and has no [[lifecycle]] entry: "
                    "code that still sends it is not reported"
                )
        elif model not in known and any(m.mode in _MODES for m in ms):
            sec.items.append(f"new upstream id `{model}` ({_origins(ms)}){_flags(ms)}")
    return sec


def _capability_items(p: Provider, model: str, families: List[str], ms: Sequence[UpstreamModel]) -> List[str]:
    out: List[str] = []
    for m in ms:
        if m.vision and p.parameter("image_input") == "no":
            out.append(f"`{model}`: {m.origin} says it takes images, the catalogue says image_input = no")
        if m.vision is False and {"vision", "vision-cheap"} & set(families):
            out.append(f"`{model}` is mapped for vision, but {m.origin} says it takes no images")
        schema = p.parameter("response_format-json_schema")
        if m.json_schema and schema == "no":
            out.append(
                f"`{model}`: {m.origin} flags json_schema support, the catalogue says no "
                "(aggregator flags can be wrong: check the provider)"
            )
        if m.json_schema is False and schema == "yes":
            out.append(f"`{model}`: {m.origin} says no json_schema, the catalogue says yes")
    sizes = {m.origin: m.context for m in ms if m.context}
    if len(sizes) == 2:
        low, high = sorted(sizes.values())
        if (high - low) / high > _CONTEXT_GAP:
            shown = ", ".join(f"{o} {c:,}" for o, c in sorted(sizes.items()))
            out.append(f"`{model}`: the catalogues disagree on its context ({shown})")
    return list(dict.fromkeys(out))


def openai_section(sdk: SdkSurface, litellm: Catalogue, models_dev: Catalogue, where: Where, reviewed: str) -> Section:
    up = _gather(where, litellm, models_dev)
    sec = Section(f"OpenAI model ids (rules/openai.toml, reviewed {reviewed})")
    for model, ms in sorted(up.items()):
        if not sdk.is_openai_model(model):
            sec.items.append(f"`{model}` ({_origins(ms)}) is not recognised as an OpenAI model id")
            continue
        released = max((m.released for m in ms if m.released), default="")
        if released and released > reviewed:
            family = sdk.model_family(model)
            sec.items.append(f"new: `{model}` (released {released}) -> proposed family `{family}`")
    return sec


def build_report(litellm_path: Path, models_dev_path: Path, today: str) -> str:
    litellm = read_litellm(litellm_path)
    models_dev = read_models_dev(models_dev_path)
    umap: UpstreamMap = load_upstream_map()
    sdk = load_sdk()
    reviewed = str(rules_file("openai.toml").get("models", {}).get("date", ""))
    sections = [
        provider_section(p, litellm, models_dev, umap.providers.get(pid, ((), ())), today)
        for pid, p in sorted(builtin_providers().items())
    ]
    sections.append(openai_section(sdk, litellm, models_dev, umap.openai, reviewed))
    lines = [
        f"# offramp catalogue review, {today}",
        "",
        f"LiteLLM: {litellm_path.name} ({sum(len(v) for v in litellm.values())} models); "
        f"models.dev: {models_dev_path.name} ({sum(len(v) for v in models_dev.values())} models).",
        "Each item is a lead: confirm it on the provider's own page, then change rules/ with source and date.",
    ]
    total = 0
    for sec in sections:
        lines += ["", f"## {sec.title}"]
        lines += [f"- {item}" for item in sec.items] or ["- nothing to review"]
        total += len(sec.items)
    lines += ["", f"{total} items to review."]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offramp.knowledge.refresh",
        description="Compare LiteLLM's and models.dev's model catalogues with rules/ and print what to review.",
    )
    parser.add_argument("--litellm", type=Path, required=True, help="LiteLLM model_prices_and_context_window.json")
    parser.add_argument("--models-dev", type=Path, required=True, help="models.dev api.json")
    parser.add_argument("--date", default=None, help="the report's date, YYYY-MM-DD (default: today, UTC)")
    args = parser.parse_args(argv)
    today = args.date or dt.datetime.now(dt.timezone.utc).date().isoformat()
    try:
        dt.date.fromisoformat(today)
        report = build_report(args.litellm, args.models_dev, today)
    except ValueError:
        print(f"offramp: error: --date {today!r} is not YYYY-MM-DD", file=sys.stderr)
        return 2
    except CatalogError as e:
        print(f"offramp: error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
