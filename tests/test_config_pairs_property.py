"""Property: whatever a `.env` file holds and whatever its readers did, `fix_env` never leaves the
provider's endpoint next to a live OpenAI/Azure key, never puts a key under the provider's name,
never touches a variable still read by code that was not migrated, changes nothing for a file
nobody (or only unmigrated code) reads, and a second run changes nothing.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offramp.catalog import load_sdk
from offramp.hosts import is_secret_value
from offramp.providers import builtin_providers
from offramp.userconfig.envfile import scan_env
from offramp.userconfig.fix import fix_env
from offramp.userconfig.text import Text
from offramp.userconfig.together import HELD, MIGRATED, MOVED, UNKNOWN, UNMIGRATED, FileReaders

SDK = load_sdk()
QWEN = builtin_providers()["qwen"]
SECRET = "sk-proj-" + "Zq7Lm2Xw8ZpR6vB1nK3sD7fT9qWc4Yh5"
AZURE_SECRET = "0123456789abcdef" + "0123456789abcdef"
PROVIDER_URL = "https://dashscope.aliyuncs.com/compatible-mode/v1"

VALUES = {
    "OPENAI_API_KEY": ["", SECRET, "your-openai-key", "${VAULT_KEY}"],
    "AZURE_OPENAI_API_KEY": ["", AZURE_SECRET],
    "OPENAI_BASE_URL": ["https://api.openai.com/v1", PROVIDER_URL],
    "AZURE_OPENAI_ENDPOINT": ["https://contoso.openai.azure.com/"],
    "OPENAI_API_TYPE": ["azure"],
    "OPENAI_MODEL": ["gpt-4o"],
    "DASHSCOPE_API_KEY": [""],
    "LOG_LEVEL": ["info"],
    "BACKUP_KEY": ["${OPENAI_API_KEY}"],
}
KEYS = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")
HOSTS = ("OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT")


@st.composite
def env_files(draw: st.DrawFn) -> Tuple[str, FileReaders]:
    names = draw(st.lists(st.sampled_from(sorted(VALUES)), min_size=1, max_size=6, unique=True))
    lines = [f"{n}={draw(st.sampled_from(VALUES[n]))}" for n in names]
    state = draw(st.sampled_from([MIGRATED, MIGRATED, MIGRATED, UNKNOWN, UNMIGRATED]))
    env = {n: v for n in names if (v := draw(st.sampled_from([MOVED, HELD, ""])))}
    return "\n".join(lines) + "\n", FileReaders(state, env=env, held_by={n: "x.py" for n in env})


def entries(text: str) -> Dict[str, str]:
    return {e.key: (e.value.value if e.value is not None else "") for e in scan_env(Text(text)).entries if e.key}


def defined_lines(text: str) -> List[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@settings(
    max_examples=400, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(env_files())
def test_endpoint_and_key_never_part(case: Tuple[str, FileReaders]) -> None:
    text, readers = case
    new, _ = fix_env(text, QWEN, SDK, {}, readers=readers)
    before, after = entries(text), entries(new)
    if readers.state != MIGRATED:
        assert new == text
        return
    # a variable still read by code that was not migrated keeps its name and value
    for name, verdict in (readers.env or {}).items():
        if verdict == HELD:
            assert after.get(name) == before[name], (name, new)
    # the provider's endpoint, written by this fix, never sits next to a live OpenAI/Azure key
    moved_host = any(after.get(h) != before.get(h) for h in HOSTS if h in before)
    if moved_host:
        assert not [k for k in KEYS if k in after and is_secret_value(after[k])], new
    # no key ever ends up under the provider's name
    assert not is_secret_value(after.get(QWEN.key_env, "")), new
    assert sum(line.startswith(f"{QWEN.key_env}=") for line in defined_lines(new)) <= 1
    # idempotent
    assert fix_env(new, QWEN, SDK, {}, readers=readers)[0] == new
