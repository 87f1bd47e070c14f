"""False positives that came with harmful advice (issue 15): other Azure AI services on shared
hosts, test code with placeholder values, v0 `engine=` model names and `api_type` switches."""

from __future__ import annotations

from offramp.catalog import load_sdk
from offramp.configfiles import scan_config
from offramp.providers import builtin_providers, known_provider_hosts

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
