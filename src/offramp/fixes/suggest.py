"""Per-finding fixes for the report formats that can carry them (SARIF `fixes`, rdjson `suggestions`).

`offramp fix` rewrites whole files. For a report, the same rewrite is computed in memory (the whole
run's plan, `runner.planned_texts`, which records where each change is written and for which finding;
`fix_config` for configuration files) and cut into per-finding replacements (fixes/attribution.py).
The findings of a file with a fixable one are all candidates: a finding without a fix carries the TODO
comment fix writes for it. So applying every replacement of every fix of a file gives exactly what
`offramp fix` writes. Nothing here runs unless a format asks for it, and nothing is cached: the
findings cache keeps its format.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from offramp.engine import make_options, notebook_source
from offramp.fixes.attribution import Edit, Suggestion, apply_edits, attribute
from offramp.fixes.onefile import fix_source
from offramp.fixes.provenance import Region
from offramp.fixes.runner import Planned, planned_texts
from offramp.source import decode, read_bytes
from offramp.types import Finding
from offramp.userconfig.kind import KINDS, kind_of, read_as_config, too_large
from offramp.userconfig.plan import fix_text, for_run, key
from offramp.workers import process_pool

if TYPE_CHECKING:
    from offramp.engine import Options
    from offramp.providers import Provider
    from offramp.settings import Settings
    from offramp.userconfig.together import FileReaders

__all__ = ["Edit", "Suggestion", "apply_edits", "attribute", "suggest_fixes"]


# -- files ---------------------------------------------------------------------------------------


def _texts(
    path: Path,
    display: str,
    provider: Provider,
    opts: Options,
    region: Optional[str],
    readers: Optional[FileReaders] = None,
    planned: Optional[Dict[str, Planned]] = None,
) -> Optional[Tuple[str, str, bool, Tuple[Region, ...]]]:
    """(old, new, is_python) for one file as `offramp fix` would rewrite it, or None. `readers`: a
    configuration file's, as `fix` derives them (offramp.userconfig.plan); none, no change.
    `planned`: the code files' texts as the whole run's `fix` plans them (runner.planned_texts,
    the route gate included); a code file missing from it is not changed."""
    if too_large(path):
        return None
    data = read_bytes(path, opts.root)
    kind = kind_of(path)
    if kind in KINDS:
        text = data.decode("utf-8-sig")
        new_text, _ = fix_text(display, text, provider, opts, region, readers)
        return text, new_text, False, ()
    if planned is not None:
        texts = planned.get(display)
        if texts is None:
            return None
        notebook = kind == "notebook"  # (its regions count in the cells' code, not in the JSON)
        return texts[0], texts[1], not notebook, () if notebook else texts[2]
    if kind == "notebook":
        from offramp.notebook import rebuild  # lazy: start-up

        nb, src = notebook_source(path, data)
        new_code, _ = fix_source(src, display, provider, opts, region)
        new_raw = rebuild(nb, new_code) if new_code is not None else None
        return (nb.raw, new_raw, False, ()) if new_raw is not None else None
    src = decode(path, data)
    new_code, _ = fix_source(src, display, provider, opts, region)
    if new_code is None:
        return None
    src.encode(new_code)  # UnicodeEncodeError: `fix` would refuse to write it, so no fix either
    return src.text, new_code, True, ()


_Task = Tuple[Path, str, Tuple[Finding, ...], Tuple[Finding, ...], Optional[Dict[str, Planned]]]


def _file_fixes(
    task: _Task, provider: Provider, opts: Options, region: Optional[str], readers: Optional[FileReaders] = None
) -> Tuple[Dict[Finding, Suggestion], Optional[str]]:
    """The suggestions for one file's findings, and its new text when it is Python (for the
    readers of the configuration files)."""
    path, display, shown, hidden, planned = task
    try:
        texts = _texts(path, display, provider, opts, region, readers, planned)
        if texts is None:
            return {}, None
        old, new, python, found = texts
        fixes = attribute(old, new, shown, hidden, python=python, description=_description(provider), found=found)
    except Exception:  # a report never fails because a fix could not be worked out
        return {}, None
    out = {}
    for k, v in fixes.items():
        if v.edits or v.line_edits:
            out[shown[k]] = v if shown[k].fixable else replace(v, description=_description(provider, todo=True))
    # (a notebook's too: its code cells read configuration files as a module does, userconfig/readers.programs)
    return out, new if python or display.endswith(".ipynb") else None


def _description(provider: Provider, todo: bool = False) -> str:
    if todo:
        return f"Add the TODO comment `offramp fix --to {provider.id}` writes for it"
    return f"Rewrite for {provider.name} (as `offramp fix --to {provider.id}` does)"


def _fix_many(
    args: Tuple[Sequence[_Task], Provider, Options, Optional[str]],
) -> List[Tuple[Dict[Finding, Suggestion], Optional[str]]]:
    tasks, provider, opts, region = args
    return [_file_fixes(t, provider, opts, region) for t in tasks]


def suggest_fixes(
    findings: Sequence[Finding],
    settings: Settings,
    provider: Provider,
    *,
    every: Optional[Sequence[Finding]] = None,
    jobs: int = 1,
    files: Sequence[Path] = (),
) -> Dict[Finding, Suggestion]:
    """The fix of each fixable finding in `findings` (the ones a report shows) for `provider`.

    `every` is all findings of the run, shown or not: what belongs to one not shown is left out.
    `files`: the run's files, whose Python code decides what a configuration file's fix is (as in
    `offramp fix`: the code first, then each configuration file with its readers).
    """
    # A file's findings, when one of them has a fix: the others carry the TODOs fix writes for them.
    fixable = {f.path for f in findings if f.fixable}
    shown: Dict[str, List[Finding]] = defaultdict(list)
    for f in findings:
        if f.path in fixable:
            shown[f.path].append(f)
    if not shown:
        return {}
    visible = set(findings)
    hidden: Dict[str, List[Finding]] = defaultdict(list)
    for f in every or ():
        if f.path in shown and f not in visible:
            hidden[f.path].append(f)
    code = [settings.root / path for path in shown if not read_as_config(settings.root / path)]
    planned = None
    if code:  # the whole run's plan, route gate included: a file's fix depends on the others'
        try:
            planned = planned_texts(list(files) or code, settings, provider, jobs)
        except Exception:  # a report never fails because a fix could not be worked out
            planned = {}
    tasks: List[_Task] = [
        (
            settings.root / path,
            path,
            tuple(fs),
            tuple(hidden.get(path, ())),
            None
            if read_as_config(settings.root / path)
            else {path: (planned or {})[path]}
            if path in (planned or {})
            else {},
        )
        for path, fs in shown.items()
    ]
    opts = make_options(settings, provider)
    region = settings.region

    configs = [t for t in tasks if read_as_config(t[0])]
    plan = for_run(files, provider, opts, region) if configs else None
    tasks = [t for t in tasks if not read_as_config(t[0])]
    jobs = jobs or os.cpu_count() or 1
    results: List[Tuple[Dict[Finding, Suggestion], Optional[str]]] = []
    if jobs == 1 or len(tasks) < 32:
        results = [_file_fixes(t, provider, opts, region) for t in tasks]
    else:
        chunk = max(1, min(4, len(tasks) // (jobs * 8)))
        batches = [tasks[i : i + chunk] for i in range(0, len(tasks), chunk)]
        with process_pool(jobs) as pool:
            for part in pool.map(_fix_many, [(b, provider, opts, region) for b in batches]):
                results.extend(part)
    if plan is not None:
        new_texts = {t[1]: new.encode("utf-8") for t, (_, new) in zip(tasks, results) if new is not None}
        readers = plan.after(new_texts)
        results += [_file_fixes(t, provider, opts, region, readers.get(key(t[0]))) for t in configs]
    out: Dict[Finding, Suggestion] = {}
    for fixes, _ in results:
        out.update(fixes)
    return out
