"""Line and column of the nodes offramp reports: LibCST's PositionProvider, at a fraction of its cost.

Positions come from generating the module's code again while counting lines and columns. LibCST's
PositionProvider does that with a `CodeRange` of two `CodePosition` dataclasses for every node
(whitespace, commas and dots included), a regular-expression split of every token and a
generator-based context manager per statement; resolved through `MetadataWrapper` it then adds a
batched walk over every node that calls nothing. On a generated 20k-line SDK module that was
4.6 s against 3.1 s for the parse itself, and ~1.2M objects held until the file was done.

This is the same computation (the same codegen, the same rules for syntactic positions and
hoisting from child nodes, so the same numbers: tests/test_positions.py compares them on every
fixture) with plain tuples, a newline count instead of a split, no token list, and no entry for
node types that are never reported nor hoisted from (whitespace, punctuation, operators: about
60% of all nodes).
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

Position = Tuple[int, int, int, int]  # start line (1-based), start column (0-based), end line, end column

_NEWLINE = re.compile(r"\r\n?|\n")
# Never asked for a span; a `start_node` / `end_node` another node's position is hoisted from is recorded anyway.
_UNRECORDED = frozenset(
    {
        cst.SimpleWhitespace,
        cst.ParenthesizedWhitespace,
        cst.TrailingWhitespace,
        cst.Newline,
        cst.EmptyLine,
        cst.Comment,
        cst.Comma,
        cst.Dot,
        cst.Colon,
        cst.Semicolon,
        cst.AssignEqual,
        cst.LeftParen,
        cst.RightParen,
        cst.LeftSquareBracket,
        cst.RightSquareBracket,
        cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
    }
)


class _Syntactic:
    """`with state.record_syntactic_position(node, start_node=..., end_node=...)`, as LibCST does it."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _PositionState,
        node: cst.CSTNode,
        start_node: Optional[cst.CSTNode],
        end_node: Optional[cst.CSTNode],
    ) -> None:
        self.state = state
        self.node = node
        self.start = (state.line, state.column)
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        state = self.state
        computed = state.computed
        if self.start_node is not None:
            line, column = computed[self.start_node][:2]
        else:
            line, column = self.start
        if self.end_node is not None:
            end_line, end_column = computed[self.end_node][2:]
        else:
            end_line, end_column = state.line, state.column
        computed[self.node] = (line, column, end_line, end_column)


class _PositionState(CodegenState):
    """A codegen state that counts lines and columns instead of keeping the generated text."""

    __slots__ = ("_hoisted_from", "_stack", "column", "computed", "line")

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1
        self.column = 0
        self.computed: Dict[cst.CSTNode, Position] = {}
        self._stack: List[Tuple[int, int]] = []
        # Punctuation another node's end is hoisted from (`from m import (a)` ends at its `)`): recorded after all.
        self._hoisted_from: Set[cst.CSTNode] = set()

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        if not self.tokens:
            self.tokens.append(value)  # Module asks whether anything was emitted; the rest is not kept
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def pop_trailing_newline(self) -> None:
        pass  # LibCST drops the token from the text; positions already counted stay as they are

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self._stack.pop()
        # (the type first: a node's hash is a Python call, and most whitespace is never hoisted from)
        if type(node) in _UNRECORDED and not (self._hoisted_from and node in self._hoisted_from):
            return
        if node not in self.computed:
            self.computed[node] = (line, column, self.line, self.column)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> _Syntactic:
        for hoisted in (start_node, end_node):
            if hoisted is not None and type(hoisted) in _UNRECORDED:
                self._hoisted_from.add(hoisted)
        return _Syntactic(self, node, start_node, end_node)


def node_positions(module: cst.Module) -> Dict[cst.CSTNode, Position]:
    """Syntactic positions (LibCST's PositionProvider) of every node but whitespace and punctuation."""
    state = _PositionState(module)
    module._codegen(state)
    return state.computed
