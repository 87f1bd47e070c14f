"""Load the knowledge in rules/ (rule catalogue, SDK surface) into typed objects (wrappers.toml: wrappers.py).

The data ships inside the wheel as `offramp/rules`; a source checkout keeps it at the top
level. Both are found here and nowhere else, so no other module touches the file system
for knowledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional, Pattern, Tuple

from offramp.types import SEVERITIES, Example, FixedForm, Rule

# What a provider model id may be (rules/providers/*.toml, [tool.offramp.models]): `fix` writes it into code and
# configuration files as a literal, so anything else is an error where it is defined.
MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+\-]{0,199}")  # `Qwen/Qwen3-8B`, `glm-4.5:free`


class CatalogError(Exception):
    """The shipped or user-supplied data is malformed; the message names the file and key."""


def rules_dir() -> Path:
    """Where the data lives: inside the installed package, else the source checkout."""
    from offramp.rulesdir import rules_path  # lazy: start-up

    found = rules_path()
    if found is None:
        raise CatalogError("offramp's rules/ data directory is missing from this installation")
    return Path(found)


def load_toml(path: Path) -> Dict[str, Any]:
    """A TOML file's document (parsed once per machine: tomlcache.py); a CatalogError that names the file."""
    from offramp.tomlcache import parse  # lazy: start-up

    try:
        return parse(str(path))
    except UnicodeDecodeError as e:  # TOML is UTF-8; tomllib lets the codec's error through
        raise CatalogError(f"{path}: invalid TOML: not valid UTF-8 ({e.reason} at byte {e.start})") from None
    except ValueError as e:  # (tomllib.TOMLDecodeError)
        raise CatalogError(f"{path}: invalid TOML: {e}") from None
    except OSError as e:
        raise CatalogError(f"{path}: cannot read: {e.strerror}") from None


def rules_file(name: str) -> Mapping[str, Any]:
    """A file of rules/, parsed once per process. openai.toml and wrappers.toml each have several readers
    (the SDK surface, the wrappers, the index's watch, the target families...), and each parsed it
    again: five parses of wrappers.toml and three of openai.toml, ~70 ms of a `check` whose warm run
    costs ~0.8 CPU-s. Its readers only read it."""
    return _parsed(rules_dir() / name)


@cache
def _parsed(path: Path) -> Mapping[str, Any]:
    from offramp.rulesdir import parsed  # lazy: start-up

    try:
        return parsed(str(path))  # (shared with the prefilter; parsed once per machine)
    except (ValueError, OSError):  # (tomllib.TOMLDecodeError and UnicodeDecodeError are ValueErrors)
        return load_toml(path)  # says what is wrong, as a CatalogError


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fact_sources(table: Mapping[str, Any], where: str, required: bool = True) -> Tuple[Tuple[str, ...], str]:
    """A fact table's `source` (a string or a list) and `date` (YYYY-MM-DD): shipped knowledge says where
    it comes from and when (providers, their semantics and lifecycle tables)."""
    src = table.get("source")
    date = table.get("date")
    if required and (not src or not date):
        raise CatalogError(f"{where}: every fact table needs `source` and `date`")
    if isinstance(src, str):
        src = [src]
    if src is not None and (not isinstance(src, list) or not all(isinstance(s, str) and s for s in src)):
        raise CatalogError(f"{where}: `source` must be a string or a list of strings")
    if date is not None and (not isinstance(date, str) or not _DATE.match(date)):
        raise CatalogError(f"{where}: `date` must be YYYY-MM-DD")
    return tuple(src or ()), date or ""


def check_table_keys(table: Mapping[str, Any], allowed: Tuple[str, ...] | set, where: str) -> None:
    """Refuse a key the table does not define (a typo would otherwise be ignored silently)."""
    unknown = set(table) - set(allowed) - {"source", "date"}
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")


def _examples(raw: Any, where: str) -> Tuple[Example, ...]:
    out = []
    for item in raw or []:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise CatalogError(f"{where}: each example needs a `code` string")
        fixed = item.get("fixed")
        if fixed is not None and not (
            isinstance(fixed, dict) and isinstance(fixed.get("to"), str) and isinstance(fixed.get("code"), str)
        ):
            raise CatalogError(f"{where}: an example's `fixed` needs a `to` provider and a `code` string")
        out.append(
            Example(
                code=item["code"],
                to=item.get("to"),
                fixed=FixedForm(fixed["to"], fixed["code"]) if fixed is not None else None,
            )
        )
    return tuple(out)


_RULE_KEYS = {"code", "name", "severity", "fixable", "message", "summary", "why", "needs_target", "valid", "invalid"}


@lru_cache(maxsize=1)
def load_rules() -> Dict[str, Rule]:
    path = rules_dir() / "catalog.toml"
    data = rules_file("catalog.toml")
    rules: Dict[str, Rule] = {}
    for raw in data.get("rule", []):
        where = f"{path.name}: rule {raw.get('code', '?')}"
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise CatalogError(f"{where}: unknown keys {sorted(unknown)}")
        code = raw["code"]
        if not re.fullmatch(r"OFR\d{3}", code):
            raise CatalogError(f"{where}: code must be OFR + three digits")
        if raw["severity"] not in SEVERITIES:
            raise CatalogError(f"{where}: severity must be one of {SEVERITIES}")
        rules[code] = Rule(
            code=code,
            name=raw["name"],
            severity=raw["severity"],
            fixable=bool(raw["fixable"]),
            message=raw["message"],
            summary=raw["summary"],
            why=" ".join(raw["why"].split()),
            needs_target=bool(raw.get("needs_target", False)),
            valid=_examples(raw.get("valid"), where),
            invalid=_examples(raw.get("invalid"), where),
        )
    return rules


@dataclass(frozen=True)
class SdkSurface:
    """rules/openai.toml, compiled for the analysis."""

    sdk_modules: Tuple[str, ...]
    entry_modules: frozenset
    wrapper_modules: Tuple[str, ...]
    openai_clients: frozenset
    azure_clients: frozenset
    copies: frozenset
    passthrough: frozenset
    wrappers: frozenset
    openai_only_args: Tuple[str, ...]
    azure_only_args: Tuple[str, ...]
    resources: Mapping[str, str]
    legacy_resources: Mapping[str, str]
    module_config: Mapping[str, str]
    env_pattern: Pattern[str]
    env_roles: Mapping[str, str]
    openai_hosts: Tuple[str, ...]
    openai_default_url: str
    azure_hosts: Tuple[str, ...]
    azure_shared_hosts: Tuple[str, ...]  # hosts other Azure AI services use too
    azure_shared_paths: Tuple[str, ...]  # where Azure OpenAI lives on them
    model_pattern: Pattern[str]
    model_not: Tuple[Pattern[str], ...]
    model_families: Tuple[Tuple[str, Pattern[str]], ...]
    model_fallback: Mapping[str, Tuple[str, ...]]
    rest_paths: Mapping[str, str]
    # dict arguments of a client and their entries only Azure reads (`default_query={"api-version": ...}`)
    azure_only_entries: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    azure_only_body: Tuple[str, ...] = ()  # request-body keys only Azure serves: [clients.arguments] azure-only-body
    env_loaders: Tuple[str, ...] = ()  # load_dotenv & co: [environment] loaders
    model_lookups: Tuple[str, ...] = ()  # encoding_for_model & co: [models] lookups
    model_lookup_words: Tuple[str, ...] = ()  # a project's count_tokens & co: [models] lookup-words
    doc_arguments: frozenset = frozenset()  # `Field(description=...)` & co: [hosts] documentation-arguments
    # [clients.clouds]: client classes and module api_types that go to another cloud (AWS Bedrock)
    cloud_clients: Mapping[str, str] = field(default_factory=dict)
    cloud_api_types: Mapping[str, str] = field(default_factory=dict)
    # [packages] inert-names: what `from openai import ...` may bring without bringing a client
    inert_names: frozenset = frozenset()

    def undropped(self, qualified: str) -> str:
        """`langfuse.openai.openai` is `openai`: a drop-in module (an entry module outside the SDK's packages)
        re-exports the SDK's module itself; the name as the SDK's. The file's analysis (analysis/clients.py) and
        the route stage (project/routes.py) both read names so."""
        for m in self.entry_modules:
            if qualified.startswith(m + ".") and m.split(".")[0] not in self.sdk_modules:
                rest = qualified[len(m) + 1 :]
                if rest.split(".")[0] in self.sdk_modules:
                    return rest
        return qualified

    def rest_family(self, path: str) -> Optional[str]:
        """`chat/completions?x=1` -> "chat"; the longest known prefix wins."""
        clean = path.split("?", 1)[0].strip("/")
        best = None
        for prefix, family in self.rest_paths.items():
            if (clean == prefix or clean.startswith(prefix + "/")) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, family)
        return best[1] if best else None

    def is_openai_model(self, value: str) -> bool:
        v = value.strip().lower()
        return bool(self.model_pattern.search(v)) and not any(p.search(v) for p in self.model_not)

    def model_family(self, value: str) -> str:
        v = value.strip().lower()
        for family, rx in self.model_families:
            if rx.search(v):
                return family
        return "flagship"

    def env_role(self, name: str) -> Optional[str]:
        """'key' | 'base-url' | 'azure' | 'model' | 'other' for OpenAI variables, None otherwise."""
        if name in self.env_roles:
            return self.env_roles[name]
        if self.env_pattern.search(name):
            upper = name.upper()
            if upper.endswith(("_KEY", "_API_KEY", "_APIKEY", "_TOKEN")):
                return "key"
            if upper.endswith(("_BASE_URL", "_API_BASE", "_ENDPOINT", "_HOST", "_BASE")):
                return "base-url"
            if deployment_setting(upper):
                return None  # (azd's AZURE_OPENAI_DEPLOYMENT_CAPACITY=30: sizes the deployment, names no model)
            if "DEPLOYMENT" in upper or upper.endswith(("_MODEL", "_MODEL_NAME")):
                return "model"
            if upper.endswith(("_ORG_ID", "_ORGANIZATION", "_PROJECT_ID", "_API_VERSION", "_API_TYPE")):
                return "other"
            # OPENAI_AGENTS_DISABLE_TRACING and other feature flags say nothing about where requests go.
        return None


# Settings of an Azure deployment that are not its name: Azure Developer CLI templates size and version the
# deployments they create (`AZURE_OPENAI_CHATGPT_DEPLOYMENT_CAPACITY=30`, `..._DEPLOYMENT_SKU=GlobalStandard`,
# `..._DEPLOYMENT_VERSION=2024-05-13`). Taken for deployment names, each got OFR301 and "Azure deployment `30` has
# no Qwen model" (Azure-Samples/openai-chat-app-quickstart's .env.sample and infra/main.parameters.json).
_DEPLOYMENT_SETTINGS = ("CAPACITY", "SKU", "SKU_NAME", "VERSION", "TYPE", "REGION", "LOCATION", "TPM", "QUOTA")


def deployment_setting(name: str) -> bool:
    """Whether variable or key `name` (any case, `-`/`.` as `_`) sizes or versions an Azure deployment rather than
    naming it."""
    norm = name.upper().replace("-", "_").replace(".", "_")
    return "DEPLOYMENT" in norm and norm.endswith(tuple("_" + s for s in _DEPLOYMENT_SETTINGS))


@lru_cache(maxsize=1)
def renamable_key(name: str, role: Optional[str]) -> bool:
    """Whether a variable is one `fix` may give the provider's key name: an OpenAI/Azure key's (`role`, as
    SdkSurface.env_role gives it), not an admin key's (OPENAI_ADMIN_KEY manages an organisation; no
    provider has one). The one test, for code (OFR301) and configuration files alike."""
    return role == "key" and "ADMIN" not in name.upper()


def load_sdk() -> SdkSurface:
    path = rules_dir() / "openai.toml"
    d = rules_file("openai.toml")
    try:
        env = d["environment"]
        roles: Dict[str, str] = {}
        for role in ("key", "base-url", "azure", "model"):
            for name in env.get(role, []):
                roles.setdefault(name, role)
        models = d["models"]
        return SdkSurface(
            sdk_modules=tuple(d["packages"]["sdk"]),
            entry_modules=frozenset(d["packages"]["entry-modules"]),
            wrapper_modules=tuple(d["packages"].get("wrapper-modules", [])),
            inert_names=frozenset(d["packages"].get("inert-names", [])),
            openai_clients=frozenset(d["clients"]["openai"]),
            azure_clients=frozenset(d["clients"]["azure"]),
            copies=frozenset(d["clients"]["copies"]),
            passthrough=frozenset(d["clients"]["passthrough"]),
            wrappers=frozenset(d["clients"]["wrappers"]),
            openai_only_args=tuple(d["clients"]["arguments"]["openai-only"]),
            azure_only_args=tuple(d["clients"]["arguments"]["azure-only"]),
            resources=dict(d["resources"]),
            legacy_resources=dict(d["legacy-resources"]),
            module_config=dict(d["module-config"]),
            env_pattern=re.compile(env["pattern"]),
            env_roles=roles,
            openai_hosts=tuple(d["hosts"]["openai"]),
            openai_default_url=d["hosts"]["openai-default"],
            azure_hosts=tuple(d["hosts"]["azure"]),
            azure_shared_hosts=tuple(d["hosts"].get("azure-shared", [])),
            azure_shared_paths=tuple(d["hosts"].get("azure-shared-paths", [])),
            model_pattern=re.compile(models["pattern"]),
            model_not=tuple(re.compile(p) for p in models["not"]),
            model_families=tuple((f["family"], re.compile(f["regex"])) for f in models["families"]),
            model_fallback={k: tuple(v) for k, v in models.get("fallback", {}).items()},
            rest_paths=dict(d.get("rest-paths", {})),
            azure_only_entries={
                k: tuple(v) for k, v in d["clients"]["arguments"].get("azure-only-entries", {}).items()
            },
            azure_only_body=tuple(d["clients"]["arguments"].get("azure-only-body", ())),
            env_loaders=tuple(env.get("loaders", [])),
            model_lookups=tuple(models.get("lookups", [])),
            model_lookup_words=tuple(models.get("lookup-words", [])),
            doc_arguments=frozenset(d["hosts"].get("documentation-arguments", [])),
            cloud_clients=dict(d["clients"].get("clouds", {}).get("classes", {})),
            cloud_api_types=dict(d["clients"].get("clouds", {}).get("api-types", {})),
        )
    except (KeyError, TypeError, re.error) as e:
        raise CatalogError(f"{path}: malformed SDK surface ({e})") from None


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    """`*.example.com` matches any subdomain; a plain entry matches exactly."""
    host = host.lower().rstrip(".")
    for p in patterns:
        if p.startswith("*."):
            if host.endswith(p[1:]):
                return True
        elif host == p:
            return True
    return False
