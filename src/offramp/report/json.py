"""JSON: one object per finding plus a summary, stable keys for scripts and dashboards."""

from __future__ import annotations

import json as _json
from typing import Any, Dict, List

from offramp.report import ReportContext, counts
from offramp.types import Finding


def finding_dict(f: Finding) -> Dict[str, Any]:
    return {
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "fixable": f.fixable,
        "fingerprint": f.fingerprint,
        "cell": f.cell,
    }


def render(findings: List[Finding], ctx: ReportContext) -> str:
    by_sev: Dict[str, int] = {}
    for f in findings:
        by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
    doc = {
        "version": ctx.tool_version,
        "target": ctx.target,
        "findings": [finding_dict(f) for f in findings],
        "summary": {
            "files": ctx.files,
            "parsed": ctx.parsed,
            "findings": len(findings),
            "fixable": sum(f.fixable for f in findings),
            "by_code": counts(findings),
            "by_severity": dict(sorted(by_sev.items())),
        },
    }
    return _json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
