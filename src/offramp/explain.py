"""Human documentation generated from the data: `offramp explain CODE` and `offramp providers`.

Rule pages come from the catalogue's why-text and its VALID/INVALID examples (the same
examples the test-suite runs), so what users read is what the rule does.
"""

from __future__ import annotations

import io
import sys
from typing import List, Optional

from offramp.catalog import load_rules
from offramp.providers import ENDPOINT_FAMILIES, PARAMETERS, Provider, builtin_providers
from offramp.settings import ConfigError


def render_rule(code: str) -> str:
    rules = load_rules()
    rule = rules.get(code)
    if rule is None:
        by_name = {r.name: r for r in rules.values()}
        rule = by_name.get(code.lower())
    if rule is None:
        from offramp.closest import did_you_mean  # lazy: start-up

        hint = did_you_mean(code, [*rules, *(r.name for r in rules.values())])
        raise ConfigError(f"unknown rule {code!r}{hint}; `offramp rules` lists them")
    lines: List[str] = [
        f"{rule.code} ({rule.name})",
        "",
        f"Severity: {rule.severity}.  Fixable: {'yes, with `offramp fix --to PROVIDER`' if rule.fixable else 'no'}."
        + ("  Only reported with --to PROVIDER." if rule.needs_target else ""),
        "",
        rule.summary,
        "",
        "Why",
        "---",
        *_wrap(rule.why),
        "",
    ]
    for title, examples in (("Reported (INVALID)", rule.invalid), ("Not reported (VALID)", rule.valid)):
        if not examples:
            continue
        lines += [title, "-" * len(title)]
        for ex in examples:
            if ex.to:
                lines.append(f"# with --to {ex.to}")
            lines += ["    " + line for line in ex.code.rstrip("\n").splitlines()]
            if ex.fixed is not None:
                lines.append(f"# after offramp fix --to {ex.fixed.to}")
                lines += ["    " + line for line in ex.fixed.code.rstrip("\n").splitlines()]
            lines.append("")
    lines += [f"Suppress with `# offramp: ignore[{rule.code}]` or `# noqa: {rule.code}`.", f"Docs: {rule.url}"]
    return "\n".join(lines)


def _wrap(text: str, width: int = 88) -> List[str]:
    import textwrap  # lazy: start-up

    return textwrap.wrap(text, width)


def table_width() -> int:
    """The terminal's width on a terminal; piped, wide enough that no table row wraps (rows stay
    one line each for grep and awk, as Ruff's output does)."""
    import shutil  # lazy: start-up

    if sys.stdout.isatty():
        return max(80, shutil.get_terminal_size((120, 20)).columns)
    return 10_000


def table_console(width: Optional[int] = None):
    from rich.console import Console  # lazy: start-up

    return Console(
        file=io.StringIO(),
        width=width or table_width(),
        force_terminal=False,
        no_color=True,
        highlight=False,
        markup=False,
    )


def render_rules(output_format: str = "table") -> str:
    """`offramp rules`: every rule code as a table, JSON, or docs/rules.md's markdown."""
    rules = load_rules()
    if output_format == "markdown":
        from offramp.rulesdoc import render_rules_markdown  # lazy: start-up

        return render_rules_markdown()
    if output_format == "json":
        import json  # lazy: start-up

        fields = ("code", "name", "severity", "fixable", "needs_target", "summary")
        return json.dumps([{f: getattr(r, f) for f in fields} for r in rules.values()], indent=2) + "\n"
    from rich.table import Table  # lazy: start-up

    table = Table(title="offramp rules", title_justify="left")
    for col in ("code", "name", "severity", "fix", "summary"):
        table.add_column(col, overflow="fold")
    for r in rules.values():
        sev = r.severity + (" (--to)" if r.needs_target else "")
        table.add_row(r.code, r.name, sev, "yes" if r.fixable else "", r.summary)
    console = table_console()
    console.print(table)
    return printed(console)


def render_providers_json() -> str:
    """`offramp providers --output-format json`: the shipped providers' facts, for scripts."""
    import json  # lazy: start-up

    out = [
        {
            "id": p.id,
            "name": p.name,
            "vendor": p.vendor,
            "docs": p.docs,
            "key_env": p.key_env,
            "default_region": p.default_region,
            "base_urls": dict(p.base_urls),
            "models": dict(p.models),
            "no_equivalent": dict(p.no_equivalent),
            "endpoints": {fam: p.endpoint(fam) for fam in ENDPOINT_FAMILIES},
        }
        for p in builtin_providers().values()
    ]
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def render_providers(target: str = "") -> str:
    """The shipped providers; `target`: what the configuration found here names (`chat -> deepseek, ...`)."""
    from rich.table import Table  # lazy: start-up

    console = table_console()
    table = Table(title="offramp providers (--to ID)", title_justify="left")
    for col in ("id", "name", "base URL (default region)", "key variable", "flagship", "cheap", "embeddings"):
        table.add_column(col, overflow="fold")
    for p in builtin_providers().values():
        table.add_row(
            p.id,
            p.name,
            p.base_url(),
            p.key_env,
            p.models.get("flagship", "-"),
            p.models.get("cheap", "-"),
            p.models.get("embedding-small", "-"),
        )
    console.print(table)
    if target:
        console.print(target, markup=False, highlight=False)
    console.print("Details, capabilities and sources: offramp providers show ID")
    return printed(console)


def render_provider(p: Provider) -> str:
    from rich.table import Table  # lazy: start-up

    console = table_console()
    console.print(f"{p.name} ({p.id})" + (" [custom]" if p.custom else "") + (f" - {p.vendor}" if p.vendor else ""))
    console.print(f"docs: {p.docs or '-'}")
    console.print(f"key variable: {p.key_env}")
    for region, url in p.base_urls.items():
        console.print(f"base URL [{region}{' (default)' if region == p.default_region else ''}]: {url}")
    models = Table(title="model map (OpenAI family -> model)", title_justify="left")
    models.add_column("family")
    models.add_column("model")
    for fam, model in p.models.items():
        models.add_row(fam, model)
    for fam, why in p.no_equivalent.items():
        models.add_row(fam, f"none: {why}")
    console.print(models)
    for region in p.regions:
        here = p.in_region(region)
        if here.models != p.models:
            console.print(f"models in region {region}: " + ", ".join(f"{f} -> {m}" for f, m in here.models.items()))
        for model, why in here.unconfirmed.items():
            console.print(f"unconfirmed in region {region}: {model} ({why})")
    caps = Table(title="OpenAI endpoints", title_justify="left")
    caps.add_column("endpoint")
    caps.add_column("support")
    for fam in ENDPOINT_FAMILIES:
        caps.add_row(fam, p.endpoint(fam))
    console.print(caps)
    params = Table(title="chat.completions parameters", title_justify="left")
    params.add_column("parameter")
    params.add_column("support")
    for name in PARAMETERS:
        params.add_row(name, p.parameter(name))
    console.print(params)
    for q in p.quirks:
        console.print(f"quirk {q.id}: {q.text}")
    console.print("sources:")
    for section, srcs in p.sources.items():
        for s in srcs:
            console.print(f"  [{section}, {p.dates.get(section, '')}] {s}")
    return printed(console)


def printed(console) -> str:
    """What was printed, without the blanks Rich pads a title or a wide console's lines with."""
    return "".join(line.rstrip() + "\n" for line in console.file.getvalue().splitlines())
