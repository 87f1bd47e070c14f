"""Every dataclass that crosses a stage boundary lives here, so each stage can be read alone.

Findings are plain, picklable values: worker processes send them back, the cache stores
them, reporters format them. Nothing here holds a syntax tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Tuple

Severity = Literal["error", "warning", "info"]
SEVERITIES: Tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True, order=True)
class Span:
    """A source region. Lines and columns are 1-based; `end_column` points just past the end (as SARIF)."""

    line: int
    column: int
    end_line: int
    end_column: int

    def contains(self, inner: Span) -> bool:
        """Whether this span covers all of `inner` (line 0, the module client, contains only itself)."""
        if not self.line or not inner.line:
            return self.line == inner.line == 0
        start, end = (self.line, self.column), (self.end_line, self.end_column)
        return start <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= end


@dataclass(frozen=True)
class FixedForm:
    """What `offramp fix --to <to>` writes for a rule's INVALID example: one example then tests the
    check, the fix and the suggestion a report attaches to the finding (tests/test_rule_examples.py)."""

    to: str
    code: str


@dataclass(frozen=True)
class Example:
    """A rule example; `to` names the provider for rules that only fire with `--to`."""

    code: str
    to: Optional[str] = None
    fixed: Optional[FixedForm] = None


@dataclass(frozen=True)
class Rule:
    """One catalogue entry from rules/catalog.toml."""

    code: str
    name: str
    severity: Severity
    fixable: bool
    message: str
    summary: str
    why: str
    needs_target: bool = False
    valid: Tuple[Example, ...] = ()
    invalid: Tuple[Example, ...] = ()

    @property
    def url(self) -> str:
        """The rule's section of docs/rules.md (generated from the catalogue, so it exists)."""
        from offramp.rulesdoc import rule_url  # lazy: start-up

        return rule_url(self)


@dataclass(frozen=True)
class Finding:
    """One reported problem at one place in one file."""

    path: str
    span: Span
    code: str
    name: str
    severity: Severity
    message: str
    fixable: bool = False
    # Content-based identity (rule, normalised line text, occurrence): survives edits elsewhere
    # in the file, so SARIF/baselines do not resurrect or duplicate it. Never contains source text.
    fingerprint: str = ""
    # A short, secret-free suggestion shown under the message.
    hint: str = ""
    # Notebooks: the 1-based cell the span's lines count within (None for plain files).
    cell: Optional[int] = None

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        # (the message last: two findings of one rule at one place, such as a framework's client and its
        # trace export, came out of a set in hash order)
        return (self.path, self.cell or 0, self.span.line, self.span.column, self.code, self.message)

    @property
    def location(self) -> str:
        """`path:line:col`, or Ruff's `nb.ipynb:cell 3:line:col` inside notebooks."""
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.span.line}:{self.span.column}"


@dataclass(frozen=True)
class FileResult:
    """What checking one file produced; `error` is set when the file could not be analysed at all."""

    path: str
    findings: Tuple[Finding, ...] = ()
    parsed: bool = False
    skipped_by_prefilter: bool = False


@dataclass(frozen=True)
class Premise:
    """What the checks found in a file's analysis, before anything the file's text decides: its findings
    (not yet suppressed, deduplicated nor marked in test code) and the (code, line) of every hit (those of
    rules that need `--to` too), which tell which `# TODO[offramp]:` comments are still reported.
    `finish` makes the file's result of it; a file whose code_shape is unchanged has the same premise."""

    findings: Tuple[Finding, ...]
    hits: Tuple[Tuple[str, int], ...]
