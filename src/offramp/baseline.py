"""Baselines: record today's findings so that only new ones fail the build.

Entries are content-based (rule code and a fingerprint of the normalised line text, never the
line number), so code that moves inside a file, or to another file, stays recognised; entries
that no longer match anything are reported as stale so the baseline can only shrink.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence, Tuple

from offramp import __version__
from offramp.settings import ConfigError
from offramp.types import Finding

FORMAT = "offramp-baseline/1"


@dataclass(frozen=True)
class Entry:
    path: str
    code: str
    fingerprint: str


def write_baseline(findings: Sequence[Finding], path: Path) -> str:
    entries = sorted({(f.path, f.code, f.fingerprint) for f in findings} | set(), key=lambda e: e)
    counts = Counter((f.path, f.code, f.fingerprint) for f in findings)
    doc = {
        "format": FORMAT,
        "tool": f"offramp {__version__}",
        "findings": [{"path": p, "code": c, "fingerprint": fp, "count": counts[(p, c, fp)]} for p, c, fp in entries],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> Counter:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found (create it with `offramp baseline -o {path}`)") from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: not a readable baseline ({e})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("findings"), list):
        raise ConfigError(f"{path}: not an offramp baseline (expected format {FORMAT!r})")
    out: Counter = Counter()
    try:
        for item in doc["findings"]:
            out[Entry(item["path"], item["code"], item["fingerprint"])] += int(item.get("count", 1))
    except (KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"{path}: malformed baseline entry ({e})") from None
    return out


def apply_baseline(findings: Sequence[Finding], baseline: Counter) -> Tuple[List[Finding], int]:
    """(new findings, number of stale baseline entries). Same path first, then any path (moved code)."""
    remaining = Counter(baseline)
    unmatched: List[Finding] = []
    for f in findings:
        e = Entry(f.path, f.code, f.fingerprint)
        if remaining[e] > 0:
            remaining[e] -= 1
        else:
            unmatched.append(f)
    new: List[Finding] = []
    for f in unmatched:
        moved = next(
            (e for e, n in remaining.items() if n > 0 and e.code == f.code and e.fingerprint == f.fingerprint), None
        )
        if moved is not None:
            remaining[moved] -= 1
        else:
            new.append(f)
    return new, sum(n for n in remaining.values() if n > 0)
