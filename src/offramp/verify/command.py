"""`offramp verify --to P [PATHS]`: the project's routes to P, probed with the user's key.

Network access is opt-in: nothing here runs unless the user types `verify`, `--dry-run` prints the
plan and sends nothing, and every request has a timeout. The key is read from the provider's own
variable (`DEEPSEEK_API_KEY`...) and never printed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

from offramp.engine import display_path
from offramp.project.files import routes_of_files
from offramp.providers import Provider, is_base_url
from offramp.settings import ConfigError, Settings
from offramp.verify.plan import Plan, make_plan
from offramp.verify.probe import run
from offramp.verify.report import render_plan, render_result


def project_routes_of(files: Sequence[Path], root: Path) -> Tuple[list, Dict[str, Path]]:
    """The routes of the project made of `files` (the same project stage `check` uses)."""
    by_display = {display_path(p, root): p for p in files}
    return [r for r in routes_of_files(by_display, root) if not r.alone], by_display  # (requests only)


def build_plan(files: Sequence[Path], settings: Settings, provider: Provider, base_url: Optional[str]) -> Plan:
    if base_url is not None and not is_base_url(base_url):
        raise ConfigError(f"--base-url {base_url!r} is not an http(s) URL")
    url = base_url or provider.base_url(settings.region)
    routes, by_display = project_routes_of(files, settings.root)
    return make_plan(routes, provider, url, lambda display: by_display.get(display, settings.root / display))


def verify(
    files: Sequence[Path],
    settings: Settings,
    provider: Provider,
    dry_run: bool,
    timeout: float,
    base_url: Optional[str],
) -> Tuple[int, str]:
    """(exit code, text): 0 every tried route works, 1 one fails or the key is refused."""
    plan = build_plan(files, settings, provider, base_url)
    key = os.environ.get(provider.key_env, "")
    if dry_run:
        return 0, render_plan(plan, provider.key_env, bool(key))
    if not key:
        raise ConfigError(
            f"${provider.key_env} is not set: verify sends the project's requests to {provider.name} with your key "
            "(`--dry-run` shows them without sending)"
        )
    result = run(plan, key, timeout)
    failed = bool(result.key_refused) or any(v.state == "fails" for v in result.verdicts)
    return (1 if failed else 0), render_result(plan, provider.key_env, result)
