"""False positives that came with harmful advice (issue 15): other Azure AI services on shared
hosts, test code with placeholder values, v0 `engine=` model names and `api_type` switches."""

from __future__ import annotations

from pathlib import Path

from offramp.catalog import load_sdk
from offramp.engine import check_path, make_options, resolve_provider
from offramp.fixes.runner import fix_files
from offramp.providers import builtin_providers, known_provider_hosts
from offramp.settings import Settings
from offramp.userconfig.scan import scan_config

SDK = load_sdk()
HOSTS = known_provider_hosts()
QWEN = builtin_providers()["qwen"]


def brief(hits) -> list:
    return [(h.code, h.line) for h in hits]


# -- Azure AI services that are not Azure OpenAI ------------------------------------------------


def test_config_urls_of_other_azure_services_are_not_findings() -> None:
    env = (
        "CONTENT_SAFETY_ENDPOINT=https://contoso-safety.cognitiveservices.azure.com/\n"
        "DOC_INTELLIGENCE_ENDPOINT=https://contoso-forms.cognitiveservices.azure.com/formrecognizer/documentModels\n"
        "SPEECH_ENDPOINT=https://contoso.services.ai.azure.com/speechtotext/v3.2\n"
        "AZURE_OPENAI_ENDPOINT=https://contoso-ai.cognitiveservices.azure.com/\n"
    )
    assert brief(scan_config(".env", env, SDK, HOSTS, QWEN, {})) == [("OFR301", 4), ("OFR106", 4)]
    yaml = (
        "safety:\n  endpoint: https://contoso-safety.cognitiveservices.azure.com/\n"
        "llm:\n  endpoint: https://contoso-ai.cognitiveservices.azure.com/openai/deployments/gpt4o\n"
    )
    assert brief(scan_config("settings.yaml", yaml, SDK, HOSTS, QWEN, {})) == [("OFR106", 4)]


# -- test code --------------------------------------------------------------------------------

TEST_FILE = """from openai import AzureOpenAI

FAKE_ENDPOINT = "https://fake.openai.azure.com"


def make_client():
    return AzureOpenAI(azure_endpoint=FAKE_ENDPOINT, api_key="fake_key", api_version="2024-02-01")


def test_chat():
    config = {"model": "gpt-4o", "api_key": "fake_key", "base_url": "https://api.openai.com/v1"}
"""
APP = """from openai import OpenAI

client = OpenAI(api_key="fake_key")


def test_client_smoke():
    return OpenAI(api_key="fake_key")
"""
REAL_KEY = "sk-proj-4fT9qLm2Xw8ZpR6vB1nK3sD7"


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_client.py").write_text(TEST_FILE, encoding="utf-8")
    (tmp_path / "conftest.py").write_text(f'import openai\nopenai.api_key = "{REAL_KEY}"\n', encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


def test_findings_in_test_code_are_info_and_say_so(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    settings = Settings(root=root)
    opts = make_options(settings, None)
    got = {}
    for rel in ("tests/test_client.py", "conftest.py", "app.py"):
        for f in check_path(root / rel, opts).findings:
            got.setdefault(rel, []).append((f.span.line, f.code, f.severity, f.message.endswith("(test code)")))
    assert got["tests/test_client.py"] == [
        (7, "OFR102", "info", True),
        (11, "OFR101", "info", True),
        (11, "OFR201", "info", True),
    ]
    # a real key stays an error wherever it is; the module client a conftest configures is test code
    assert got["conftest.py"] == [(2, "OFR103", "info", True), (2, "OFR302", "error", False)]
    # production code keeps its severity; the test function beside it is test code
    assert got["app.py"] == [(3, "OFR101", "error", False), (7, "OFR101", "info", True)]


def test_fix_keeps_a_placeholder_key_in_test_code(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    settings = Settings(root=root)
    qwen = resolve_provider("qwen", settings)
    files = [root / "tests" / "test_client.py", root / "app.py"]
    results = {r.display: r for r in fix_files(files, settings, qwen, jobs=1)}
    assert all(r.error is None for r in results.values())
    test_file = (root / "tests" / "test_client.py").read_text(encoding="utf-8")
    assert "os.environ" not in test_file and test_file.count('"fake_key"') == 2
    assert 'OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key="fake_key")' in test_file
    app = (root / "app.py").read_text(encoding="utf-8").splitlines()
    assert app[3] == (
        'client = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", '
        'api_key=os.environ["DASHSCOPE_API_KEY"])'
    )
    assert (
        app[-1] == '    return OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key="fake_key")'
    )
