"""Keep secrets out of everything offramp prints: source lines in reports, diffs, notes.

Three shapes are masked, on any line of text:
- an OpenAI-style `sk-...` key, anywhere (comments and docstrings included);
- a quoted literal given to a key-like name: `api_key="..."`, `"api_key": "..."`,
  `openai.api_key = '...'`, `azure_ad_token="..."`, `AZURE_OPENAI_API_KEY="..."`;
- an unquoted key-shaped value after a key-like name at the end of a line, the way `.env`,
  YAML and INI files write them: `AZURE_OPENAI_API_KEY=0123abcd...`.
Code such as `api_key=os.environ["KEY"]` is left readable: only literal values are masked.
"""

from __future__ import annotations

import re

MASK = "*" * 8
_NAME = (
    r"[\w.-]*?(?:(?:openai|azure|api|secret|private|access|subscription)[\w-]*?key"
    r"|secret|password|passwd|token|authorization|credential)s?"
)
_QUOTED = re.compile(r"(?i)(\b" + _NAME + r"""["'\]]{0,2}\s*(?:=|:)\s*[rRbBuU]?)(["'])([^"'\n]{8,})\2""")
_BARE = re.compile(
    r"(?im)(\b" + _NAME + r"""["'\]]{0,2}\s*(?:=|:)\s*)"""
    r"""(?=[^\s"']*\d)(?=[^\s"']*[A-Za-z])(?-i:(?![A-Z0-9_]+\s*$))"""  # a digit and a letter; not a CONSTANT
    r"([A-Za-z0-9_+/=-]{20,})(\s*)$"
)


def redact(text: str) -> str:
    """`text` with API keys and other literal secrets replaced by a mask."""
    from offramp.hosts import KEY_RE

    text = KEY_RE.sub(lambda m: m.group(0)[:3] + MASK, text)
    text = _QUOTED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    return _BARE.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)


def redact_diff(diff: str) -> str:
    """A unified diff with secrets masked on every line (hunk headers have none)."""
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith("@@"):
            out.append(line)
        else:
            out.append(line[:1] + redact(line[1:]))
    return "".join(out)
