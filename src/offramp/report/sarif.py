"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Relative URIs under `%SRCROOT%` (so uploads work from any checkout path) and
`partialFingerprints` (so alerts are not duplicated between runs) are what Ruff's SARIF lacks.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping

from offramp import REPOSITORY
from offramp.catalog import load_rules
from offramp.report import ReportContext, file_position
from offramp.types import Finding

if TYPE_CHECKING:
    from offramp.fixes.suggest import Suggestion

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(code: str) -> Dict[str, Any]:
    r = load_rules()[code]
    return {
        "id": r.code,
        "name": "".join(part.capitalize() for part in r.name.split("-")),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.why},
        "help": {"text": r.why, "markdown": f"**{r.code} {r.name}**\n\n{r.why}"},
        "helpUri": r.url,
        "defaultConfiguration": {"level": _LEVEL[r.severity]},
        "properties": {"tags": ["offramp", r.name], "precision": "high", "problem.severity": r.severity},
    }


def _fixes(f: Finding, fix: Suggestion) -> List[Dict[str, Any]]:
    """`result.fixes` (SARIF 2.1.0 3.55): one fix, its replacements all in the finding's file.

    Regions count code points, as the run's `columnKind` says; an insertion is an empty region
    (endColumn == startColumn). Inserted text is what `offramp fix` writes, which never holds a
    key; what is deleted is given as a region only.
    """
    replacements = []
    for e in fix.edits:
        replacement: Dict[str, Any] = {
            "deletedRegion": {
                "startLine": e.line,
                "startColumn": e.column,
                "endLine": e.end_line,
                "endColumn": e.end_column,
            }
        }
        if e.text:
            replacement["insertedContent"] = {"text": e.text}
        replacements.append(replacement)
    return [
        {
            "description": {"text": fix.description},
            "artifactChanges": [
                {"artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"}, "replacements": replacements}
            ],
        }
    ]


def render(findings: List[Finding], ctx: ReportContext) -> str:
    # Fixes are worked out by `check` only for the formats that carry them (see offramp.fixes.suggest).
    fixes: Mapping[Finding, Suggestion] = ctx.extra.get("fixes") or {}  # type: ignore[assignment]
    codes = sorted({f.code for f in findings})
    index = {c: i for i, c in enumerate(codes)}
    results = []
    for f in findings:
        span, message = file_position(f)  # notebooks: cell positions are not lines of the .ipynb file
        region = {"startLine": span.line, "startColumn": span.column}
        if span.end_line >= span.line:
            region["endLine"] = span.end_line
            region["endColumn"] = max(span.end_column, 1)
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": _LEVEL[f.severity],
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                            "region": region,
                        }
                    }
                ],
                "partialFingerprints": {"offramp/v1": f.fingerprint},
                "properties": {"fixable": f.fixable, **({"cell": f.cell} if f.cell is not None else {})},
            }
        )
        fix = fixes.get(f)  # a finding without a fix (no [*]) carries the TODO fix writes for it
        if fix is not None and fix.edits:
            results[-1]["fixes"] = _fixes(f, fix)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "offramp",
                        "version": ctx.tool_version,
                        "semanticVersion": ctx.tool_version,
                        "informationUri": REPOSITORY,
                        "rules": [_rule(c) for c in codes],
                    }
                },
                "automationDetails": {"id": f"offramp/{ctx.target or 'check'}/"},
                "originalUriBaseIds": {
                    "%SRCROOT%": {"uri": "file:///" if not ctx.extra.get("root_uri") else str(ctx.extra["root_uri"])}
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
