"""TOML: validated with tomllib, then scanned for every key/value with positions."""

from __future__ import annotations

import re
import sys
from typing import Optional, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib
from offramp.userconfig.text import Entry, Invalid, Parsed, Text, Tok, find_close, quoted

# -- TOML ----------------------------------------------------------------------------------------

_TOML_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_BARE_VALUE = re.compile(r"[^,\]\}#\r\n]*")


class TomlScanner:
    def __init__(self, text: str, out: Parsed) -> None:
        self.text = text
        self.n = len(text)
        self.out = out

    def blanks(self, i: int, newlines: bool) -> int:
        text = self.text
        while i < self.n:
            c = text[i]
            if c in " \t" or (newlines and c in "\r\n"):
                i += 1
            elif c == "#" and newlines:
                while i < self.n and text[i] not in "\r\n":
                    i += 1
            else:
                break
        return i

    def run(self, i: int) -> None:
        text = self.text
        while True:
            i = self.blanks(i, newlines=True)
            if i >= self.n:
                return
            if text[i] == "[":
                while i < self.n and text[i] not in "\r\n":
                    i += 1  # a table header: not part of any value's key
                continue
            i = self.key_value(i)
            i = self.blanks(i, newlines=False)
            if i < self.n and text[i] == "#":
                continue  # blanks(newlines=True) skips the comment
            if i < self.n and text[i] not in "\r\n":
                raise Invalid

    def key_value(self, i: int) -> int:
        text = self.text
        key, span = "", (i, i)
        while True:
            i = self.blanks(i, newlines=False)
            c = text[i]
            if c in "\"'":
                close = find_close(text, i + 1, self.n, c) if c == '"' else text.find("'", i + 1)
                if close < 0:
                    raise Invalid
                key, span = quoted(text, i, close, c).value, (i, close + 1)
                i = close + 1
            else:
                m = _TOML_BARE_KEY.match(text, i)
                if not m:
                    raise Invalid
                key, span = m.group(0), (m.start(), m.end())
                i = m.end()
            i = self.blanks(i, newlines=False)
            if text[i] == ".":
                i += 1
                continue
            if text[i] != "=":
                raise Invalid
            return self.value(i + 1, key, span)

    def value(self, i: int, key: str, key_span: Optional[Tuple[int, int]]) -> int:
        text = self.text
        i = self.blanks(i, newlines=False)
        for triple in ('"""', "'''"):
            if text.startswith(triple, i):
                j = i + 3
                while True:
                    if triple == '"""' and text[j] == "\\":
                        j += 2
                    elif text.startswith(triple, j):
                        j += 3
                        while j < self.n and text[j] == triple[0]:
                            j += 1  # up to two quotes may end the content
                        break
                    else:
                        j += 1
                self.note(key, key_span, None)  # multi-line strings are not examined
                return j
        c = text[i]
        if c == '"' or c == "'":
            close = find_close(text, i + 1, self.n, '"') if c == '"' else text.find("'", i + 1)
            if close < 0 or re.search(r"[\r\n]", text[i:close]):
                raise Invalid
            self.note(key, key_span, quoted(text, i, close, c))
            return close + 1
        if c == "[":
            self.note(key, key_span, None)
            i += 1
            while True:
                i = self.blanks(i, newlines=True)
                if text[i] == "]":
                    return i + 1
                before = i
                i = self.value(i, key, None)
                i = self.blanks(i, newlines=True)
                if text[i] == ",":
                    i += 1
                elif text[i] != "]" or i == before:
                    raise Invalid
        if c == "{":
            self.note(key, key_span, None)
            i += 1
            while True:
                i = self.blanks(i, newlines=True)
                if text[i] == "}":
                    return i + 1
                i = self.key_value(i)
                i = self.blanks(i, newlines=True)
                if text[i] == ",":
                    i += 1
                elif text[i] != "}":
                    raise Invalid
        m = _TOML_BARE_VALUE.match(text, i)
        assert m is not None
        if m.end() == i:
            raise Invalid
        self.note(key, key_span, None)
        return m.end()

    def note(self, key: str, key_span: Optional[Tuple[int, int]], tok: Optional[Tok]) -> None:
        if tok is not None or key_span is not None:
            self.out.entries.append(Entry(key, key_span, tok))


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def scan_toml(t: Text) -> Optional[Parsed]:
    start = 1 if t.bom else 0
    try:
        tomllib.loads(t.text[start:])
    except (tomllib.TOMLDecodeError, ValueError, TypeError) as e:
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        at = _TOML_AT.search(message)
        offset = len(t.text)
        if at is not None and 0 < int(at.group(1)) <= len(t.starts):
            offset = t.starts[int(at.group(1)) - 1] + int(at.group(2)) - 1 + (start if at.group(1) == "1" else 0)
        detail = _TOML_AT.sub("", message).replace("(at end of document)", "").strip()
        return Parsed(error=(offset, f"invalid TOML: {detail}"))
    except RecursionError:
        return Parsed(error=(0, "invalid TOML: nested too deeply"))
    out = Parsed()
    try:
        TomlScanner(t.text, out).run(start)
    except (Invalid, IndexError, RecursionError):
        return None
    return out
