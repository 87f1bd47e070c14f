"""Links lead somewhere: rule URLs point at sections of docs/rules.md, which is the catalogue
rendered; install and pre-commit docs name the release that CHANGELOG.md and the package agree on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from offramp import REPOSITORY, __version__
from offramp.catalog import load_rules
from offramp.cli import main

ROOT = Path(__file__).resolve().parents[1]
RULES_MD = ROOT / "docs" / "rules.md"


def github_slugs(markdown: str) -> set:
    """The anchors GitHub gives headings: lower case, punctuation other than `-` dropped, spaces to `-`."""
    out = set()
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6} (.+)$", line)
        if m:
            out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


def test_docs_rules_md_is_the_catalogue_rendered() -> None:
    result = CliRunner().invoke(main, ["rules", "--output-format", "markdown"])
    assert result.exit_code == 0, result.output
    assert RULES_MD.read_text(encoding="utf-8") == result.output, (
        "docs/rules.md is stale: run `offramp rules --output-format markdown > docs/rules.md`"
    )


def test_every_rule_url_is_a_section_of_docs_rules_md() -> None:
    slugs = github_slugs(RULES_MD.read_text(encoding="utf-8"))
    prefix = f"{REPOSITORY}/blob/main/docs/rules.md#"
    for rule in load_rules().values():
        assert rule.url.startswith(prefix), rule.url
        assert rule.url[len(prefix) :] in slugs, rule.url
        assert "readthedocs" not in rule.url


def test_sarif_help_uri_and_explain_docs_line_use_the_rule_url(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--output-format", "sarif", "-n", "-j", "1", "."])
    sarif = json.loads(result.output)
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["OFR101"]["helpUri"] == f"{REPOSITORY}/blob/main/docs/rules.md#ofr101-openai-client"
    page = CliRunner().invoke(main, ["explain", "OFR101"]).output
    assert page.rstrip().endswith(f"Docs: {REPOSITORY}/blob/main/docs/rules.md#ofr101-openai-client")


def test_changelog_names_the_package_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    # Keep a Changelog: `## [X.Y.Z] - YYYY-MM-DD`, newest first, each version linked to its tag below
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, flags=re.M)
    assert releases and releases[0] == __version__
    links = dict(re.findall(r"^\[(\d+\.\d+\.\d+)\]: (\S+)$", changelog, flags=re.M))
    assert all(links.get(v) == f"{REPOSITORY}/releases/tag/v{v}" for v in releases), links


def test_install_and_pre_commit_docs_name_the_current_release() -> None:
    tag = f"v{__version__}"
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        text = (ROOT / "docs" / "ci" / name).read_text(encoding="utf-8")
        installs = re.findall(r"pip install (.+)", text)
        assert installs, name
        for line in installs:
            assert f'"git+{REPOSITORY}@{tag}"' in line, (name, line)  # no PyPI release exists yet
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f'pip install "git+{REPOSITORY}@{tag}"' in readme
    assert "pip install offramp" not in readme
    revs = re.findall(r"rev: (\S+)", readme + (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    config = yaml.safe_load((ROOT / "docs" / "ci" / "pre-commit-config.yaml").read_text(encoding="utf-8"))
    revs += [repo["rev"] for repo in config["repos"]]
    assert revs and set(revs) == {tag}
