"""GitLab Code Quality report: a JSON array published with `artifacts: reports: codequality:`.

Each entry has `description` ("OFR101: message"; GitLab does not show `check_name`),
`check_name`, `severity`, `location{path, positions{begin, end}}` and a `fingerprint`. GitLab
collapses entries with the same fingerprint, so it must be unique per finding and stable across
runs: it hashes the finding's content fingerprint (rule, normalised line text, occurrence) with
the path, and re-hashes on the rare collision. Paths are relative to CI_PROJECT_DIR when set.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List, Set

from offramp.report import ReportContext, ci_path, file_position, printable
from offramp.types import Finding

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(findings: List[Finding], paths: List[str]) -> List[str]:
    seen: Set[str] = set()
    out = []
    for f, path in zip(findings, paths):
        # Hand-made findings may lack a content fingerprint; fall back to the position.
        identity = f.fingerprint or f"{f.code}:{f.span.line}:{f.span.column}"
        fp = _hash("offramp/gitlab/v1", identity, path)
        while fp in seen:
            fp = _hash(fp, identity, path)
        seen.add(fp)
        out.append(fp)
    return out


def render(findings: List[Finding], ctx: ReportContext) -> str:
    paths = [printable(ci_path(f.path, ctx, "CI_PROJECT_DIR")) for f in findings]
    issues: List[Dict[str, Any]] = []
    for f, path, fp in zip(findings, paths, fingerprints(findings, paths)):
        s, message = file_position(f)
        issues.append(
            {
                "description": f"{f.code}: {printable(message)}",
                "check_name": f.code,
                "fingerprint": fp,
                "severity": SEVERITY[f.severity],
                "location": {
                    "path": path,
                    "positions": {
                        "begin": {"line": s.line, "column": s.column},
                        "end": {"line": max(s.end_line, s.line), "column": max(s.end_column, 1)},
                    },
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
