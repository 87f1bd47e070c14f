"""The values a project's `.env` file gives the variables a framework takes its default model from.

crewAI builds an `Agent` given no `llm=` on `MODEL`, `MODEL_NAME` or `OPENAI_MODEL_NAME`, else `gpt-4o-mini`
(crewai 1.15.30, utilities/llm_utils.py `_llm_via_environment_or_fallback`), and loads the `.env` found walking up
from its own installation: in a project with its own `.venv`, the project's `.env` (crewai/llm.py `load_dotenv()`).
crewAI-examples' crews ship `OPENAI_MODEL_NAME=gpt-4o` in `.env.example`; fix wrote `llm=LLM(model=<the provider's
gpt-4o-mini>)` where the project had chosen gpt-4o. The nearest such file, from the code's directory up to the
root of the run, says which model the project chose (rules/wrappers.toml `default-model-env`): `.env`, else a
template of it (`.env.example`), the file a person copies to `.env`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, Tuple

_NAMES = (".env", ".env.example", ".env.sample", ".env.template")
_LINE = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*?)[ \t]*$")


def env_defaults(path: Path, root: Path) -> Dict[str, str]:
    """The variables of the `.env` file nearest to `path` (its directory, then each parent up to `root`)."""
    try:
        rel = path.resolve().parent.relative_to(root.resolve())
    except ValueError:
        return {}
    return dict(_nearest(root.resolve(), rel.parts))


@lru_cache(maxsize=256)
def _nearest(root: Path, parts: Tuple[str, ...]) -> Tuple[Tuple[str, str], ...]:
    for depth in range(len(parts), -1, -1):
        where = root.joinpath(*parts[:depth])
        for name in _NAMES:
            try:
                text = (where / name).read_text("utf-8", "replace")
            except OSError:
                continue
            return tuple(_parse(text).items())
    return ()


def _parse(text: str) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if m is None:
            continue
        value = m.group(2)
        if value[:1] in ("'", '"'):
            end = value.find(value[0], 1)
            value = value[1:end] if end > 0 else ""
        else:
            value = value.split(" #", 1)[0].strip()
        if value:
            out[m.group(1)] = value
    return out
