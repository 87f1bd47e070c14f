"""`offramp fix --report FILE.md`: a pull-request-ready summary of a migration.

It says what changed (per kind, per file), what is left for a person (the TODO comments with
their locations), which provider gaps affect this codebase, and the exact command, so the PR
description writes itself and reviewers know where to look.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Dict, List, Sequence

from offramp.catalog import load_rules
from offramp.engine import make_options
from offramp.providers import Provider
from offramp.settings import Settings


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_report(results: Sequence, provider: Provider, settings: Settings, *, diff: bool, command: str) -> str:
    rules = load_rules()
    changes: Counter = Counter()
    for r in results:
        if r.changed:  # a file left unchanged (an error) is listed under its error, not counted
            changes.update(r.changes)
    touched = [r for r in results if r.changed]
    todos = [(r.display, line, text) for r in results for line, text in r.todos]
    remaining = [f for r in results for f in r.remaining]
    gaps = [f for f in remaining if f.code.startswith("OFR4")]
    errors = [(r.display, r.error) for r in results if r.error]
    verb = "would change" if diff else "changed"
    targets = make_options(settings, provider).targets  # a provider per request family (offramp.targets)
    every = targets.providers if targets is not None else [provider]
    name, spec = (targets.label(), targets.spec()) if targets is not None else (provider.name, provider.id)
    keys = ", ".join(f"`{p.key_env}`" for p in every)
    out: List[str] = [
        f"# Migration to {name}",
        "",
        f"Produced by `{command or 'offramp fix --to ' + spec}` "
        f"({'dry run, nothing written' if diff else 'files rewritten in place'}).",
        "",
        *(
            f"- Provider: **{p.name}** (`{p.id}`), base URL `{p.base_url(settings.region)}`"
            + (f"; families: {', '.join(targets.families_of(p.id))}" if targets is not None else "")
            for p in every
        ),
        f"- Deployments must set **{keys.replace('`, `', '`** and **`')}** "
        "(the code now reads it instead of the OpenAI/Azure keys).",
        f"- Files checked: {len(results)}; files {verb}: {len(touched)}; TODOs left: {len(todos)}; "
        f"findings remaining: {len(remaining)}.",
        "",
        "## What changed",
        "",
    ]
    if changes:
        out += ["| change | sites |", "|---|--:|"]
        out += [f"| {_cell(kind)} | {n} |" for kind, n in sorted(changes.items())]
    else:
        out.append("Nothing needed rewriting.")
    if touched:
        out += ["", f"<details><summary>{len(touched)} file(s) {verb}</summary>", ""]
        out += [f"- `{r.display}`" + (f" ({sum(r.changes.values())} site(s))" if r.changes else "") for r in touched]
        out += ["", "</details>"]
    notes = [(r.display, line, note) for r in results for line, note in r.notes]
    if notes:
        out += ["", "### Notes", ""]
        out += [f"- `{path}:{line}`: {_cell(note)}" for path, line, note in notes]
    out += ["", "## Left for review", ""]
    if todos:
        by_code: Dict[str, List] = defaultdict(list)
        for path, line, text in todos:
            code = text.rsplit("(", 1)[-1].rstrip(")") if text.endswith(")") else "TODO"
            by_code[code].append((path, line, text))
        out += ["| rule | TODOs | what |", "|---|--:|---|"]
        for code in sorted(by_code):
            name = rules[code].name if code in rules else ""
            out.append(f"| {code} | {len(by_code[code])} | {_cell(name)} |")
        out.append("")
        for code in sorted(by_code):
            for path, line, text in by_code[code]:
                out.append(f"- [ ] `{path}:{line}` {_cell(text.replace('TODO[offramp]: ', ''))}")
    else:
        out.append("No TODO[offramp] comments: everything found was migrated automatically.")
    out += ["", f"## {' and '.join(p.name for p in every)} gaps that affect this codebase", ""]
    if gaps:
        counts = Counter((f.code, f.message) for f in gaps)
        out += ["| rule | finding | count |", "|---|---|--:|"]
        for (code, message), n in sorted(counts.items()):
            out.append(f"| {code} | {_cell(message)} | {n} |")
    else:
        out.append("None found.")
    if errors:
        out += ["", "## Files that could not be migrated", ""]
        out += [f"- `{path}`: {_cell(str(err))}" for path, err in errors]
    out += [
        "",
        "## Next steps",
        "",
        f"1. Set {keys} wherever the application runs; remove the old OpenAI/Azure keys.",
        "2. Resolve the TODOs above (search for `TODO[offramp]`).",
        f"3. Re-run `offramp check --to {spec}` until it is clean, then run the application's tests.",
        "",
    ]
    return "\n".join(out)
