"""Configuration files (.env*, YAML, TOML, JSON, INI): what `scan_config` reports and what the fixes rewrite."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from offramp.catalog import load_rules, load_sdk
from offramp.providers import builtin_providers, known_provider_hosts
from offramp.userconfig.fix import fix_config, fix_env, fix_structured
from offramp.userconfig.kind import MAX_CONFIG_BYTES, config_kind, is_config_file
from offramp.userconfig.scan import ConfigHit, scan_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG = Path(__file__).parent / "fixtures" / "config"
EXPECTED = CONFIG / "expected-qwen"
FIXED = [".env.example", "app.yaml", "settings.toml", "config.json", "app.ini", "setup.cfg"]
SECRET = "sk-proj-4fT9qLm2Xw8ZpR6vB1nK3sD7"  # the fake key the fixtures hold

SDK = load_sdk()
HOSTS = known_provider_hosts()
QWEN = builtin_providers()["qwen"]


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # no newline translation


def scan(name: str, text: str, provider=None, models=None):
    return scan_config(name, text, SDK, HOSTS, provider, models)


def brief(hits):
    return [(h.code, h.line, h.column, h.end_column, h.fixable) for h in hits]


# -- which files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (".env", "env"),
        (".env.example", "env"),
        (".env.local", "env"),
        ("deploy/prod.env", "env"),
        (".env.yaml", "yaml"),
        ("app.yaml", "yaml"),
        ("compose.YML", "yaml"),
        ("pyproject.toml", "toml"),
        ("config.json", "json"),
        ("setup.cfg", "ini"),
        ("app.ini", "ini"),
        ("supervisord.conf", "ini"),
        ("package-lock.json", None),
        ("npm-shrinkwrap.json", None),
        ("demo.ipynb", None),
        ("app.py", None),
        (".envrc", None),
        ("environment", None),
        ("env.example", None),
    ],
)
def test_config_kind_and_is_config_file(name: str, kind) -> None:
    assert config_kind(name) == kind
    assert is_config_file(name) is (kind is not None)


def test_files_over_two_megabytes_are_skipped(tmp_path: Path) -> None:
    big = tmp_path / "data.json"
    with big.open("wb") as f:
        f.truncate(MAX_CONFIG_BYTES + 1)
    small = tmp_path / "small.json"
    small.write_bytes(b"{}")
    assert not is_config_file(big)
    assert is_config_file(small)


# -- what is reported ----------------------------------------------------------------------------

EXPECTED_HITS = {
    ".env.example": [
        ("OFR301", 2, 1, 15, True),
        ("OFR302", 2, 16, 48, False),
        ("OFR301", 3, 8, 23, False),
        ("OFR106", 3, 24, 51, True),
        ("OFR301", 4, 1, 14, False),
        ("OFR301", 7, 1, 22, False),
        ("OFR106", 7, 23, 65, True),
        ("OFR301", 8, 1, 25, False),
        ("OFR301", 9, 1, 16, False),
        ("OFR103", 9, 17, 22, True),
        ("OFR301", 10, 1, 24, False),
        ("OFR202", 10, 25, 37, True),
        ("OFR301", 13, 1, 13, False),
        ("OFR201", 13, 14, 25, True),
        ("OFR201", 14, 17, 41, True),
    ],
    "app.yaml": [
        ("OFR106", 3, 13, 38, True),
        ("OFR103", 4, 13, 18, False),
        ("OFR201", 5, 10, 18, True),
        ("OFR201", 6, 20, 44, True),
        ("OFR106", 10, 29, 54, False),  # in a flow sequence: reported, not fixed
        ("OFR106", 12, 13, 46, True),
        ("OFR201", 13, 15, 27, True),
        ("OFR302", 14, 12, 44, False),
        ("OFR301", 18, 9, 23, False),  # `- OPENAI_API_KEY=...` in a compose environment list
        ("OFR301", 18, 24, 41, False),  # `${OPENAI_API_KEY}`
        ("OFR301", 19, 9, 24, False),
        ("OFR106", 19, 25, 50, True),
        ("OFR201", 23, 12, 24, True),
    ],
    "settings.toml": [
        ("OFR106", 5, 12, 39, True),
        ("OFR201", 6, 9, 22, True),
        ("OFR106", 11, 12, 46, True),
        ("OFR103", 12, 12, 19, False),
        ("OFR201", 13, 39, 46, True),
        ("OFR301", 16, 1, 15, False),
        ("OFR201", 22, 18, 27, True),
    ],
    "config.json": [
        ("OFR106", 4, 24, 52, True),
        ("OFR106", 5, 34, 68, True),
        ("OFR201", 6, 22, 37, True),
        ("OFR201", 7, 35, 59, True),
        ("OFR301", 13, 13, 29, False),
        ("OFR301", 13, 35, 52, False),
        ("OFR106", 13, 54, 81, True),
        ("OFR106", 14, 13, 57, True),
    ],
    "app.ini": [
        ("OFR106", 3, 12, 37, True),
        ("OFR201", 4, 9, 22, True),
        ("OFR302", 5, 7, 39, False),
        ("OFR106", 8, 11, 52, True),
        ("OFR301", 9, 1, 16, False),
        ("OFR103", 9, 19, 24, False),
        ("OFR106", 11, 5, 41, True),
    ],
    "setup.cfg": [("OFR201", 9, 13, 19, True)],
    "decoys.yaml": [],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_HITS))
def test_scan_reports_codes_and_positions(name: str) -> None:
    assert brief(scan(name, read(CONFIG / name))) == EXPECTED_HITS[name]


def test_hit_span_and_messages_render() -> None:
    rules = load_rules()
    for name in EXPECTED_HITS:
        for provider in (None, QWEN):
            for h in scan(name, read(CONFIG / name), provider):
                assert isinstance(h, ConfigHit)
                assert (h.span.line, h.span.column, h.span.end_line, h.span.end_column) == (
                    h.line,
                    h.column,
                    h.end_line,
                    h.end_column,
                )
                assert rules[h.code].message.format(**h.args)  # every placeholder is filled


def test_args_without_provider_and_with_provider() -> None:
    text = read(CONFIG / "app.yaml")
    plain = {(h.line, h.code): h.args for h in scan("app.yaml", text)}
    assert plain[(5, "OFR201")] == {
        "model": "gpt-4o",
        "mapping": "is only served by OpenAI; `offramp fix --to PROVIDER` maps it",
    }
    assert plain[(3, "OFR106")] == {"kind": "OpenAI API", "url": "https://api.openai.com/v1"}
    assert plain[(12, "OFR106")] == {"kind": "Azure OpenAI", "url": "https://contoso.openai.azure.com/"}
    assert plain[(4, "OFR103")] == {"attr": "api_type", "target": "targets Azure OpenAI"}
    assert plain[(18, "OFR301")] == {"env": "OPENAI_API_KEY", "role": "holds an OpenAI/Azure API key"}
    qwen = {(h.line, h.code): h.args for h in scan("app.yaml", text, QWEN)}
    assert qwen[(5, "OFR201")]["mapping"] == f"becomes `qwen3.8-max` on {QWEN.name}"
    assert qwen[(6, "OFR201")]["mapping"] == f"becomes `text-embedding-v4` on {QWEN.name}"
    assert qwen[(18, "OFR301")]["role"].endswith("reads `DASHSCOPE_API_KEY`")
    # a configured override wins over the catalogue
    over = {(h.line, h.code): h.args for h in scan("app.yaml", text, QWEN, {"gpt-4o": "qwen-plus"})}
    assert over[(5, "OFR201")]["mapping"] == f"becomes `qwen-plus` on {QWEN.name}"


def test_no_equivalent_model_is_ofr403_with_a_provider() -> None:
    deepseek = builtin_providers()["deepseek"]
    hits = scan("app.yaml", "embedding_model: text-embedding-3-small\nmodel: gpt-4o\n", deepseek)
    assert [(h.code, h.line, h.column, h.fixable) for h in hits] == [
        ("OFR403", 1, 18, False),
        ("OFR201", 2, 8, True),
    ]
    assert hits[0].args == {"provider": deepseek.name, "model": "text-embedding-3-small", "family": "embedding-small"}


def test_azure_deployment_without_mapping_is_not_fixable() -> None:
    text = "AZURE_OPENAI_DEPLOYMENT=prod-chat\n"
    (hit,) = [h for h in scan(".env", text) if h.code == "OFR202"]
    assert not hit.fixable
    assert hit.args["mapping"].endswith("(add it to [tool.offramp.models])")
    (mapped,) = [h for h in scan(".env", text, QWEN, {"prod-chat": "qwen3-max"}) if h.code == "OFR202"]
    assert mapped.fixable and mapped.args["mapping"] == f"becomes `qwen3-max` on {QWEN.name}"
    assert fix_env(text, QWEN, SDK, {"prod-chat": "qwen3-max"}) == (
        "AZURE_OPENAI_DEPLOYMENT=qwen3-max\n",
        Counter({"deployment": 1}),
    )


def test_decoys_are_not_reported_nor_changed() -> None:
    text = read(CONFIG / "decoys.yaml")
    assert "https://platform.openai.com/docs" in text and "your-resource-name.openai.azure.com" in text
    assert "model: llama3" in text
    assert scan("decoys.yaml", text) == []
    assert scan("decoys.yaml", text, QWEN) == []
    assert fix_structured(text, "yaml", QWEN, SDK, {}) == (text, Counter())


def test_urls_outside_key_value_pairs_are_reported_not_fixed() -> None:
    nginx = "location /v1/ {\n    proxy_pass https://api.openai.com/;  # upstream\n}\n# https://api.openai.com/v1\n"
    assert brief(scan("proxy.conf", nginx)) == [("OFR106", 2, 16, 39, False)]
    assert fix_structured(nginx, "ini", QWEN, SDK, {}) == (nginx, Counter())


def test_jsonc_comments_and_trailing_commas_are_read() -> None:
    text = read(CONFIG / "config.json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)  # the fixture is JSONC, as ChuanhuChatGPT's config_example.json
    assert len(scan("config.json", text)) == len(EXPECTED_HITS["config.json"]) == 8  # yet it is scanned


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("broken.json", '{"model": "gpt-4o", "api_base": "https://api.openai.com/v1"'),
        ("broken.json", '{"model": "gpt-4o"} trailing'),
        ("broken.json", '{"model": "gpt-4o" /* unclosed comment'),
        ("deep.json", "[" * 5000 + '"https://api.openai.com/v1"' + "]" * 5000),
        ("broken.toml", 'model = "gpt-4o"\nmodel = "gpt-4"\n'),
        ("broken.toml", 'api_base = "https://api.openai.com/v1\n'),
    ],
)
def test_files_that_do_not_parse_give_one_ofr000(name: str, text: str) -> None:
    hits = scan(name, text)
    assert [h.code for h in hits] == ["OFR000"]  # where it stops parsing, and nothing else
    assert hits[0].args["detail"].startswith(("invalid JSON: ", "invalid TOML: "))
    kind = config_kind(name)
    assert fix_structured(text, kind, QWEN, SDK, {}) == (text, Counter())


def test_the_invalid_inputs_would_otherwise_be_reported() -> None:
    # the counterpart of the test above: the same content, well-formed, is reported
    assert [h.code for h in scan("ok.json", '{"model": "gpt-4o", "api_base": "https://api.openai.com/v1"}')] == [
        "OFR201",
        "OFR106",
    ]
    assert [h.code for h in scan("ok.toml", 'model = "gpt-4o"\n')] == ["OFR201"]


def test_key_values_never_reach_hit_args() -> None:
    env = (
        "OPENAI_API_KEY=hunter2-not-an-sk-key\n"
        "AZURE_OPENAI_API_KEY='0123456789abcdef0123456789abcdef'\n"
        f"OPENAI_BASE_URL=https://api.openai.com/v1?key={SECRET}\n"
        f"# OPENAI_API_KEY={SECRET}\n"
    )
    yaml = f"api_key: https://api.openai.com/v1\ntoken: gpt-4o\nurl: 'https://api.openai.com/v1/{SECRET}'\n"
    cases = [(".env", env), ("app.yaml", yaml)] + [(n, read(CONFIG / n)) for n in EXPECTED_HITS]
    secrets = [SECRET, "hunter2-not-an-sk-key", "0123456789abcdef0123456789abcdef"]
    seen = Counter()
    for name, text in cases:
        for provider in (None, QWEN):
            for h in scan(name, text, provider):
                seen[h.code] += 1
                shown = repr(h.args)
                assert not any(s in shown for s in secrets), (name, h)
    assert seen["OFR302"] >= 6 and seen["OFR106"] and seen["OFR301"]
    # the key-named values are not even looked at for URLs or models
    assert [h.code for h in scan("app.yaml", yaml)] == ["OFR106", "OFR302"]
    assert [h.code for h in scan(".env", env)][-2:] == ["OFR302", "OFR302"]  # also in a comment


def test_role_text_is_the_python_checks_wording() -> None:
    from offramp.checks import secrets
    from offramp.userconfig import meaning

    assert meaning.ROLE_TEXT == secrets._ROLE_TEXT


# -- fixing ----------------------------------------------------------------------------------------

EXPECTED_COUNTS = {
    # the key variable holds a key: commented out, and the provider's is added after it (empty)
    ".env.example": Counter(
        {"new key variable": 1, "commented-out key": 1, "url": 2, "api-type": 1, "deployment": 1, "model": 2}
    ),
    "app.yaml": Counter({"url": 3, "model": 4}),
    "settings.toml": Counter({"url": 2, "model": 3}),
    "config.json": Counter({"url": 4, "model": 2}),
    "app.ini": Counter({"url": 3, "model": 1}),
    "setup.cfg": Counter({"model": 1}),
}


def fix(name: str, text: str, **kw):
    return fix_config(name, text, QWEN, SDK, {}, **kw)


@pytest.mark.parametrize("name", FIXED)
def test_fix_matches_expected_output(name: str) -> None:
    new, counts = fix(name, read(CONFIG / name))
    assert new.encode("utf-8") == (EXPECTED / name).read_bytes()
    assert counts == EXPECTED_COUNTS[name]


@pytest.mark.parametrize("name", FIXED)
def test_fix_is_idempotent(name: str) -> None:
    once = read(EXPECTED / name)
    left = EXPECTED_COUNTS[name]["left"]  # a report, not a change: it repeats
    assert fix(name, once) == (once, Counter({"left": left}) if left else Counter())


@pytest.mark.parametrize("name", FIXED)
def test_fixable_flags_agree_with_the_fix(name: str) -> None:
    text = read(CONFIG / name)
    new, _ = fix(name, text)
    lines = []  # the output without the provider key variables fix_env adds (a comment and `KEY=`)
    added = set()  # the input lines they were added after
    rest = iter(new.splitlines())
    for line in rest:
        if line.startswith("# offramp: set your "):
            added.add(len(lines))  # 1-based number of the line before
            next(rest)
        else:
            lines.append(line)
    changed = {i + 1 for i, (a, b) in enumerate(zip(text.splitlines(), lines)) if a != b} | added
    fixable = {h.line for h in scan(name, text, QWEN) if h.fixable}
    assert changed == fixable


@pytest.mark.parametrize("name", FIXED)
def test_crlf_line_endings_are_kept(name: str) -> None:
    text = read(CONFIG / name)
    assert "\r" not in text
    crlf = text.replace("\n", "\r\n")
    new, counts = fix(name, crlf)
    assert new == read(EXPECTED / name).replace("\n", "\r\n")
    assert counts == EXPECTED_COUNTS[name]
    assert brief(scan(name, crlf)) == brief(scan(name, text))


@pytest.mark.parametrize("name", FIXED)
def test_missing_final_newline_stays_missing(name: str) -> None:
    text = read(CONFIG / name)
    assert text.endswith("\n")
    new, _ = fix(name, text[:-1])
    assert new == read(EXPECTED / name)[:-1]


def test_byte_order_mark_is_kept_and_not_counted_as_a_column() -> None:
    for name in ("config.json", ".env.example", "settings.toml"):
        text = read(CONFIG / name)
        new, _ = fix(name, "\ufeff" + text)
        assert new == "\ufeff" + read(EXPECTED / name)
        assert brief(scan(name, "\ufeff" + text)) == brief(scan(name, text))


def test_byte_order_mark_on_a_reported_first_line() -> None:
    assert brief(scan("a.yaml", "\ufeffmodel: gpt-4o\n")) == [("OFR201", 1, 8, 14, True)]
    assert brief(scan(".env", "\ufeffOPENAI_MODEL=gpt-4o\n")) == [
        ("OFR301", 1, 1, 13, False),
        ("OFR201", 1, 14, 20, True),
    ]


def test_lone_carriage_returns_end_lines() -> None:
    text = "# old Mac line endings\rmodel: gpt-4o\rapi_base: https://api.openai.com/v1\r"
    assert brief(scan("a.yaml", text)) == [("OFR201", 2, 8, 14, True), ("OFR106", 3, 11, 36, True)]
    new, _ = fix_structured(text, "yaml", QWEN, SDK, {})
    assert (
        new
        == "# old Mac line endings\rmodel: qwen3.8-max\rapi_base: https://dashscope.aliyuncs.com/compatible-mode/v1\r"
    )


def test_a_fix_that_would_break_the_file_is_not_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from offramp.userconfig import meaning

    # Replacements are restricted to characters no format needs to escape; lift that guard and
    # hand in a base URL with a quote, and the re-parse of the result must refuse the edit.
    monkeypatch.setattr(meaning, "SAFE_VALUE", re.compile(r".+"))
    odd = replace(QWEN, base_urls={"cn": 'https://llm.example.com/v1"'}, default_region="cn")
    text = '{"api_base": "https://api.openai.com/v1"}'
    assert fix_structured(text, "json", odd, SDK, {}) == (text, Counter())
    toml = 'api_base = "https://api.openai.com/v1"\n'
    assert fix_structured(toml, "toml", odd, SDK, {}) == (toml, Counter())
    # and with a harmless base URL the same edit goes through
    fine = replace(QWEN, base_urls={"cn": "https://llm.example.com/v1"}, default_region="cn")
    expected = ('{"api_base": "https://llm.example.com/v1"}', Counter({"url": 1}))
    assert fix_structured(text, "json", fine, SDK, {}) == expected


def test_fix_env_keeps_layout_quotes_export_and_comments() -> None:
    text = (
        "# keys\r\n"
        'export OPENAI_API_KEY="abc"  # keep me\r\n'
        "\r\n"
        "OPENAI_API_BASE = 'https://api.openai.com/v1/'\r\n"
        "OPENAI_MODEL=gpt-4o # flagship"
    )
    new, counts = fix_env(text, QWEN, SDK, {})
    assert new == (
        "# keys\r\n"
        'export DASHSCOPE_API_KEY="abc"  # keep me\r\n'
        "\r\n"
        "OPENAI_API_BASE = 'https://dashscope.aliyuncs.com/compatible-mode/v1/'\r\n"
        "OPENAI_MODEL=qwen3.8-max # flagship"
    )
    assert counts == Counter({"key": 1, "url": 1, "model": 1})
    assert fix_env(new, QWEN, SDK, {}) == (new, Counter())


def test_fix_env_does_not_define_the_provider_key_twice() -> None:
    both = "OPENAI_API_KEY=old\nDASHSCOPE_API_KEY=new\n"
    assert fix_env(both, QWEN, SDK, {}) == (both, Counter({"left": 1}))
    assert [h.fixable for h in scan(".env", both, QWEN) if h.code == "OFR301"] == [False]

    two = "OPENAI_API_KEY=a\nAZURE_OPENAI_API_KEY=b\n"
    new, counts = fix_env(two, QWEN, SDK, {})
    assert new == "DASHSCOPE_API_KEY=a\nAZURE_OPENAI_API_KEY=b\n"
    assert counts == Counter({"key": 1, "left": 1})
    assert [(h.line, h.fixable) for h in scan(".env", two, QWEN)] == [(1, True), (2, False)]
    # the second run changes nothing; the variable left behind is still reported as left
    assert fix_env(new, QWEN, SDK, {}) == (new, Counter({"left": 1}))


def test_fix_env_leaves_a_key_variable_the_file_references() -> None:
    text = "OPENAI_API_KEY=abc\nLLM_KEY=${OPENAI_API_KEY}\n"
    assert fix_env(text, QWEN, SDK, {}) == (text, Counter({"left": 1}))


def test_admin_keys_are_not_renamed() -> None:
    text = "OPENAI_ADMIN_KEY=abc\n"
    assert fix_env(text, QWEN, SDK, {}) == (text, Counter())
    assert [(h.code, h.fixable) for h in scan(".env", text)] == [("OFR301", False)]


def test_fix_structured_does_not_rename_keys() -> None:
    new = read(EXPECTED / "app.yaml")
    assert "OPENAI_API_KEY=${OPENAI_API_KEY}" in new
    assert "OPENAI_BASE_URL=https://dashscope.aliyuncs.com/compatible-mode/v1" in new
    toml = read(EXPECTED / "settings.toml")
    assert 'OPENAI_API_KEY = ""' in toml and 'api_type = "azure"' in toml
    tomllib.loads(toml)  # still valid TOML


def test_fix_uses_the_requested_region_and_keeps_unserved_urls() -> None:
    text = "api_base: https://api.openai.com/v1\nassist: https://api.openai.com/v1/assistants\n"
    new, counts = fix_structured(text, "yaml", QWEN, SDK, {}, region="intl")
    assert new == "api_base: https://dashscope-intl.aliyuncs.com/compatible-mode/v1\n" + text.splitlines(True)[1]
    assert counts == Counter({"url": 1})
    assert [(h.line, h.fixable) for h in scan("a.yaml", text, QWEN)] == [(1, True), (2, False)]


def test_fix_structured_rejects_env_files() -> None:
    with pytest.raises(ValueError):
        fix_structured("OPENAI_API_KEY=x\n", "env", QWEN, SDK, {})


def test_fixtures_are_committed_with_lf_endings() -> None:
    # the CRLF tests derive their input from these files; a checkout that converted them would
    # make those tests vacuous
    for path in CONFIG.rglob("*"):
        if path.is_file():
            assert b"\r" not in path.read_bytes(), path


# -- keys are never moved ------------------------------------------------------------------------

AZURE_KEY = "0123456789abcdef0123456789abcdef"
SET_QWEN_KEY = f"# offramp: set your {QWEN.name} key (not copied from OPENAI_API_KEY)"


def test_fix_env_comments_out_a_real_key_and_adds_the_provider_variable_empty() -> None:
    # Left live, the OpenAI key would sit next to the provider's endpoint: whatever reads both (the
    # SDK does) sends it there. Renamed, it would be the provider's key. So it is commented out.
    text = f'# prod\r\nexport OPENAI_API_KEY="{SECRET}"  # rotate yearly\r\nOPENAI_MODEL=gpt-4o\r\n'
    new, counts = fix_env(text, QWEN, SDK, {})
    assert new == (
        "# prod\r\n"
        f'# export OPENAI_API_KEY="{SECRET}"  # rotate yearly\r\n'
        f"{SET_QWEN_KEY}\r\n"
        "export DASHSCOPE_API_KEY=\r\n"
        "OPENAI_MODEL=qwen3.8-max\r\n"
    )
    assert counts == Counter({"new key variable": 1, "commented-out key": 1, "model": 1})
    assert [(h.line, h.fixable) for h in scan(".env", text, QWEN) if h.code == "OFR301"] == [(2, True), (3, False)]
    # the second run finds nothing to do, and nothing OpenAI is read any more
    assert fix_env(new, QWEN, SDK, {}) == (new, Counter())
    assert [h.code for h in scan(".env", new, QWEN)] == ["OFR302"]  # the key, still in the file, for its owner


def test_fix_env_adds_after_a_last_line_without_a_newline() -> None:
    new, _ = fix_env(f"OPENAI_MODEL=gpt-4o\nOPENAI_API_KEY={SECRET}", QWEN, SDK, {})
    assert new == f"OPENAI_MODEL=qwen3.8-max\n# OPENAI_API_KEY={SECRET}\n{SET_QWEN_KEY}\nDASHSCOPE_API_KEY="
    assert fix_env(new, QWEN, SDK, {}) == (new, Counter())


def test_fix_env_adds_the_provider_variable_once_for_two_keys() -> None:
    text = f"AZURE_OPENAI_API_KEY={AZURE_KEY}\nOPENAI_API_KEY={SECRET}\n"
    new, counts = fix_env(text, QWEN, SDK, {})
    assert new == (
        f"# AZURE_OPENAI_API_KEY={AZURE_KEY}\n"
        f"# offramp: set your {QWEN.name} key (not copied from AZURE_OPENAI_API_KEY)\n"
        "DASHSCOPE_API_KEY=\n"
        f"# OPENAI_API_KEY={SECRET}\n"
    )
    assert counts == Counter({"new key variable": 1, "commented-out key": 2})


@pytest.mark.parametrize(
    "value",
    ["", "sk-xxx", "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx", "YOUR_OPENAI_API_KEY", "${VAULT_OPENAI_KEY}", "'<your key>'"],
)
def test_fix_env_renames_a_key_variable_that_holds_no_key(value: str) -> None:
    new, counts = fix_env(f"OPENAI_API_KEY={value}\n", QWEN, SDK, {})
    assert (new, counts) == (f"DASHSCOPE_API_KEY={value}\n", Counter({"key": 1}))


KEYED = {
    "app.yaml": (
        f"llm:\n  api_key: {SECRET}\n  azure_api_key: '{AZURE_KEY}'\n  base_url: https://api.openai.com/v1\n"
        f"services:\n  app:\n    environment:\n      - OPENAI_API_KEY={SECRET}\n"
        f"  worker:\n    environment:\n      OPENAI_API_KEY: {SECRET}\n      DASHSCOPE_API_KEY: ''\n"
    ),
    "settings.toml": (
        f'[openai]\napi_key = "{SECRET}"\napi_base = "https://api.openai.com/v1"\n\n'
        f'[env]\nOPENAI_API_KEY = "{SECRET}"\nAZURE_OPENAI_API_KEY = "{AZURE_KEY}"\n'
    ),
    "config.json": (
        f'{{"openai_api_key": "{SECRET}", "OPENAI_API_KEY": "{SECRET}", "azure": {{"api_key": "{AZURE_KEY}"}},\n'
        ' "api_base": "https://api.openai.com/v1"}\n'
    ),
    "app.ini": (
        f"[openai]\napi_key = {SECRET}\nOPENAI_API_KEY = {SECRET}\nazure_api_key = {AZURE_KEY}\n"
        "api_base = https://api.openai.com/v1\n"
    ),
}


@pytest.mark.parametrize("name", sorted(KEYED))
def test_structured_fixes_never_move_a_key(name: str) -> None:
    text = KEYED[name]
    new, counts = fix(name, text)
    assert counts == Counter({"url": 1})  # the fix ran...
    old_lines, new_lines = text.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    for old, line in zip(old_lines, new_lines):
        if SECRET in old or AZURE_KEY in old:
            assert line == old  # ...and left every key where it was, under its own name
        else:
            assert SECRET not in line and AZURE_KEY not in line
    assert new.count("DASHSCOPE_API_KEY") == text.count("DASHSCOPE_API_KEY")
    assert fix(name, new) == (new, Counter())


@pytest.mark.parametrize(
    "name", ["locales/de/errors.json", "web/public/locale/zh/settings.json", "i18n/en.yaml", "app/lang/fr.toml"]
)
def test_message_catalogues_are_not_configuration(name: str) -> None:
    assert config_kind(name) is None
    assert config_kind("locales/.env") == "env"  # a .env file is settings wherever it sits


def test_a_pattern_name_holding_a_sentence_is_a_message_not_a_setting() -> None:
    text = (
        '{"INVALID_OPENAI_API_KEY": "Invalid OpenAI API key, please check it",\n'
        ' "MY_OPENAI_API_KEY": "",\n'
        ' "OPENAI_API_KEY": "Your OpenAI API key"}\n'
    )
    # The listed name is always a setting; a pattern-only name is one unless it holds prose.
    assert [(h.code, h.args["env"]) for h in scan("strings.json", text)] == [
        ("OFR301", "MY_OPENAI_API_KEY"),
        ("OFR301", "OPENAI_API_KEY"),
    ]
    env = 'INVALID_OPENAI_API_KEY="Invalid OpenAI API key, please check it"\n'
    assert [h.code for h in scan(".env", env)] == ["OFR301"]  # a .env file holds settings only


def test_a_variable_default_is_judged_and_fixed_inside_the_expression() -> None:
    toml = 'api_base = "${env:OPENAI_API_BASE:-https://api.openai.com/v1}"\nllm_model = "${env:M:-gpt-4o}"\n'
    compose = (
        "services:\n  app:\n    environment:\n      - OPENAI_API_BASE=${OPENAI_API_BASE:-https://api.openai.com/v1}\n"
    )
    assert [(h.code, h.fixable) for h in scan("app.toml", toml)] == [("OFR106", True), ("OFR201", True)]
    fixed, _ = fix_structured(toml, "toml", QWEN, SDK, {})
    assert fixed == (
        'api_base = "${env:OPENAI_API_BASE:-https://dashscope.aliyuncs.com/compatible-mode/v1}"\n'
        'llm_model = "${env:M:-qwen3.8-max}"\n'
    )
    assert fix_structured(fixed, "toml", QWEN, SDK, {}) == (fixed, Counter())
    assert scan("app.toml", fixed, QWEN) == []
    fixed, _ = fix_structured(compose, "yaml", QWEN, SDK, {})
    assert "${OPENAI_API_BASE:-https://dashscope.aliyuncs.com/compatible-mode/v1}" in fixed
    assert [h.code for h in scan("compose.yaml", fixed, QWEN)] == ["OFR301"]  # the reference, not a fix


def test_padding_inside_quotes_is_kept() -> None:
    text = "services:\n  app:\n    environment:\n      LLM_MODEL: '  gpt-4o   '\n"
    fixed, _ = fix_structured(text, "yaml", QWEN, SDK, {})
    assert fixed == "services:\n  app:\n    environment:\n      LLM_MODEL: '  qwen3.8-max   '\n"
    assert fix_structured(fixed, "yaml", QWEN, SDK, {}) == (fixed, Counter())


# -- readers: a file moves with the code that reads it (offramp.userconfig.together) ------------------

PAIR = f"OPENAI_API_KEY={SECRET}\nOPENAI_BASE_URL=https://api.openai.com/v1\nOPENAI_MODEL=gpt-4o\n"


def test_a_file_nobody_reads_is_not_changed() -> None:
    from offramp.userconfig.together import UNKNOWN, UNMIGRATED, FileReaders

    for state in (UNKNOWN, UNMIGRATED):
        assert fix_env(PAIR, QWEN, SDK, {}, readers=FileReaders(state)) == (PAIR, Counter())
        yaml = "api_base: https://api.openai.com/v1\nmodel: gpt-4o\n"
        assert fix_structured(yaml, "yaml", QWEN, SDK, {}, readers=FileReaders(state)) == (yaml, Counter())


def test_endpoint_and_key_move_together_or_neither_does() -> None:
    from offramp.userconfig.together import HELD, MIGRATED, MOVED, FileReaders

    # the key is still read by code that stays on OpenAI: the endpoint must not move without it
    held = FileReaders(
        MIGRATED,
        env={"OPENAI_API_KEY": HELD, "OPENAI_BASE_URL": MOVED, "OPENAI_MODEL": MOVED},
        held_by={"OPENAI_API_KEY": "tools/usage.py"},
    )
    new, counts = fix_env(PAIR, QWEN, SDK, {}, readers=held)
    assert new == (
        f"# TODO[offramp]: endpoint and key variables stay until every program reading them moves to {QWEN.name}: "
        "OPENAI_API_KEY is still read by code that was not migrated (tools/usage.py)\n"
        f"OPENAI_API_KEY={SECRET}\nOPENAI_BASE_URL=https://api.openai.com/v1\nOPENAI_MODEL=qwen3.8-max\n"
    )
    assert counts == Counter({"todo": 1, "model": 1})
    assert fix_env(new, QWEN, SDK, {}, readers=held) == (new, Counter())
    # every reader moved: both move, and the OpenAI key is never copied under the provider's name
    new, counts = fix_env(PAIR, QWEN, SDK, {}, readers=FileReaders(MIGRATED, env={"OPENAI_API_KEY": MOVED}))
    assert f"DASHSCOPE_API_KEY={SECRET}" not in new
    assert new.splitlines()[:3] == [f"# OPENAI_API_KEY={SECRET}", SET_QWEN_KEY, "DASHSCOPE_API_KEY="]
    assert "OPENAI_BASE_URL=https://dashscope.aliyuncs.com/compatible-mode/v1" in new
    # a model nobody reads moves with the file's endpoint; it stays when the endpoint stays
    assert "OPENAI_MODEL=qwen3.8-max" in new
    alone = "OPENAI_MODEL=gpt-4o\n"
    assert fix_env(alone, QWEN, SDK, {}, readers=FileReaders(MIGRATED, env={})) == (alone, Counter())


def test_a_referenced_real_key_keeps_the_endpoint_where_it_is() -> None:
    from offramp.userconfig.together import MIGRATED, FileReaders

    text = f"OPENAI_API_KEY={SECRET}\nOPENAI_BASE_URL=https://api.openai.com/v1\nBACKUP_KEY=${{OPENAI_API_KEY}}\n"
    new, counts = fix_env(text, QWEN, SDK, {}, readers=FileReaders(MIGRATED, env={}))
    assert new.splitlines()[1:] == text.splitlines()
    assert new.startswith("# TODO[offramp]: endpoint and key variables stay: OPENAI_API_KEY keeps an OpenAI/Azure key")
    assert counts["todo"] == 1 and not counts["url"]


@pytest.mark.parametrize(
    "name, text, line",
    [
        (".env", "OPENAI_BASE_URL=https://dashscope.aliyuncs.com/compatible-mode/v1\nOPENAI_API_KEY=${VAULT}\n", 2),
        (".env", f"OPENAI_API_KEY={SECRET}\nOPENAI_BASE_URL=https://api.deepseek.com/v1\n", 1),
        ("proxy.yaml", "api_base: https://api.deepseek.com/v1\napi_key: os.environ/OPENAI_API_KEY\n", 2),
        ("c.json", '{"base_url": "https://api.deepseek.com", "openai_api_key": "${OPENAI_API_KEY}"}', 1),
    ],
)
def test_an_openai_key_next_to_a_provider_endpoint_is_ofr303(name: str, text: str, line: int) -> None:
    hits = [h for h in scan(name, text) if h.code == "OFR303"]
    assert [h.line for h in hits] == [line]
    assert "OPENAI_API_KEY" in hits[0].args["what"].upper() and SECRET not in repr(hits[0].args)


@pytest.mark.parametrize(
    "text",
    [
        "OPENAI_BASE_URL=https://dashscope.aliyuncs.com/compatible-mode/v1\nOPENAI_API_KEY=\nDASHSCOPE_API_KEY=x\n",
        "OPENAI_BASE_URL=https://dashscope.aliyuncs.com/compatible-mode/v1\nOPENAI_API_KEY=your-openai-key\n",
        f"OPENAI_BASE_URL=https://api.openai.com/v1\nOPENAI_API_KEY={SECRET}\n",  # OpenAI's key to OpenAI
        "base_url: https://api.deepseek.com\napi_key: sk-0123456789abcdef0123456789abcdef\n",  # the provider's own
    ],
)
def test_no_ofr303_without_a_foreign_credential(text: str) -> None:
    assert [h for h in scan(".env" if "=" in text.splitlines()[0] else "a.yaml", text) if h.code == "OFR303"] == []


def test_the_bedrock_api_type_is_not_azure() -> None:
    """`OPENAI_API_TYPE=amazon-bedrock` selects the SDK's Bedrock client (AWS): not an Azure setting, and
    nothing to migrate (rules/openai.toml [clients.clouds])."""
    assert scan(".env", "OPENAI_API_TYPE=amazon-bedrock\nAWS_REGION=us-east-1\n", QWEN) == []
    assert [h.code for h in scan(".env", "OPENAI_API_TYPE=azure\n", QWEN)] == ["OFR301", "OFR103"]
