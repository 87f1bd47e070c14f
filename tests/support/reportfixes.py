"""Fixes as report consumers apply them: SARIF `result.fixes` (code-point columns) and reviewdog rdjson
`suggestions` (UTF-8 byte columns), read back from the JSON a report prints and spliced into a text.

Shared by the tests that hold those fixes to what `offramp fix` writes (test_fix_suggestions.py on the
fix fixtures, test_rule_examples.py on the catalogue's fixed forms).
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

BREAK = re.compile(r"\r\n|\r|\n")
BREAK_B = re.compile(rb"\r\n|\r|\n")

Replacement = Tuple[Tuple[int, int], Tuple[int, int], str]  # (line, column) start, end, text


def apply_chars(text: str, reps: List[Replacement]) -> str:
    """SARIF: 1-based lines (CRLF, CR, LF), 1-based code-point columns, exclusive end."""
    starts = [0] + [m.end() for m in BREAK.finditer(text)]
    spans = sorted((starts[a[0] - 1] + a[1] - 1, starts[b[0] - 1] + b[1] - 1, t) for a, b, t in reps)
    return _splice(text, spans)


def apply_bytes(text: str, reps: List[Replacement]) -> str:
    """reviewdog: 1-based lines, 1-based UTF-8 byte columns, exclusive end."""
    data = text.encode("utf-8")
    starts = [0] + [m.end() for m in BREAK_B.finditer(data)]
    spans = sorted((starts[a[0] - 1] + a[1] - 1, starts[b[0] - 1] + b[1] - 1, t.encode("utf-8")) for a, b, t in reps)
    return _splice(data, spans).decode("utf-8")  # type: ignore[union-attr]


def _splice(text, spans):  # type: ignore[no-untyped-def]
    out, pos = [], 0
    for s, e, t in spans:
        assert pos <= s <= e, "replacements overlap or run backwards"
        out.extend([text[pos:s], t])
        pos = e
    out.append(text[pos:])
    return type(text)().join(out)


def sarif_fixes(doc: dict) -> Dict[str, List[Tuple[dict, List[Replacement]]]]:
    """uri -> [(result, its replacements)] for results that carry a fix."""
    out: Dict[str, List[Tuple[dict, List[Replacement]]]] = {}
    for res in doc["runs"][0]["results"]:
        for fix in res.get("fixes", []):
            assert fix["description"]["text"]
            (change,) = fix["artifactChanges"]
            uri = change["artifactLocation"]["uri"]
            assert uri == res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert change["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            reps = []
            for r in change["replacements"]:
                d = r["deletedRegion"]
                reps.append(
                    (
                        (d["startLine"], d["startColumn"]),
                        (d["endLine"], d["endColumn"]),
                        r.get("insertedContent", {}).get("text", ""),
                    )
                )
            out.setdefault(uri, []).append((res, reps))
    return out


def rdjson_fixes(doc: dict) -> Dict[str, List[Tuple[dict, List[Replacement]]]]:
    out: Dict[str, List[Tuple[dict, List[Replacement]]]] = {}
    for d in doc["diagnostics"]:
        if "suggestions" not in d:
            continue
        reps = []
        for s in d["suggestions"]:
            assert set(s) == {"range", "text"} and set(s["range"]) == {"start", "end"}
            a, b = s["range"]["start"], s["range"]["end"]
            reps.append(((a["line"], a["column"]), (b["line"], b["column"]), s["text"]))
        out.setdefault(d["location"]["path"], []).append((d, reps))
    return out
