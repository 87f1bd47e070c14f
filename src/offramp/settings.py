"""Find and validate offramp's configuration, the way Ruff users expect.

`[tool.offramp]` in the nearest pyproject.toml, or `offramp.toml` / `.offramp.toml`; keys are
kebab-case. Every problem is reported as one ConfigError naming the file and the key, because
a silently ignored typo in a lint config is worse than a failed run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from offramp.catalog import MODEL_ID, CatalogError, load_rules, load_toml

OUTPUT_FORMATS = (
    "full",
    "concise",
    "json",
    "json-lines",
    "junit",
    "grouped",
    "github",
    "gitlab",
    "pylint",
    "rdjson",
    "azure",
    "sarif",
    "markdown",
)
_KEYS = {
    "target",
    "region",
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "respect-gitignore",
    "output-format",
    "models",
    "providers",
    "config-files",
}


class ConfigError(Exception):
    """Bad configuration or options; the CLI prints it on one line and exits 2."""


@dataclass(frozen=True)
class Settings:
    """The `[tool.offramp]` table (or offramp.toml) merged with the command line: one frozen value, so the cache
    key (`cache_key`) sees every option that changes findings."""

    root: Path
    config_file: Optional[Path] = None
    target: Optional[str] = None
    region: Optional[str] = None
    select: Tuple[str, ...] = ("ALL",)
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    extend_exclude: Tuple[str, ...] = ()
    per_file_ignores: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    respect_gitignore: bool = True
    config_files: bool = True  # also scan .env / YAML / TOML / JSON / INI files in directories
    output_format: Optional[str] = None
    models: Mapping[str, str] = field(default_factory=dict)
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def excludes(self) -> Tuple[str, ...]:
        return self.exclude + self.extend_exclude

    def with_overrides(self, **kw: Any) -> Settings:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})

    def enabled_codes(self) -> frozenset:
        codes = sorted(load_rules())
        chosen = {c for c in codes if _selected(c, self.select + self.extend_select)}
        chosen -= {c for c in codes if _selected(c, self.ignore)}
        return frozenset(chosen)

    def cache_key(self) -> str:
        return repr(
            (
                self.target,
                self.region,
                self.select,
                self.ignore,
                self.extend_select,
                sorted(self.per_file_ignores.items()),
                sorted(self.models.items()),
                sorted((k, repr(v)) for k, v in self.providers.items()),
            )
        )


def _selected(code: str, selectors: Tuple[str, ...]) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def _validate_selectors(values: Any, where: str) -> Tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{where}: expected a list of rule codes")
    known = load_rules()
    for v in values:
        if v != "ALL" and not any(c.startswith(v) for c in known):
            from offramp.closest import did_you_mean  # lazy: start-up

            raise ConfigError(f"{where}: unknown rule code or prefix {v!r}{did_you_mean(v, known)}")
    return tuple(values)


def validate_selectors(values: List[str], where: str) -> Tuple[str, ...]:
    return _validate_selectors(list(values), where)


def find_config(start: Path) -> Tuple[Optional[Path], Optional[Dict[str, Any]]]:
    """Walk up from `start`; in each directory .offramp.toml, offramp.toml, then pyproject.toml with [tool.offramp]."""
    from offramp.settingsfile import find_settings  # lazy: start-up

    path, data = find_settings(str(start), lambda p: _load(Path(p)))
    return (Path(path) if path is not None else None), data


def _load(path: Path) -> Dict[str, Any]:
    try:
        return load_toml(path)
    except CatalogError as e:
        raise ConfigError(str(e).splitlines()[0]) from None


def load_settings(start: Path, config_path: Optional[Path] = None) -> Settings:
    data: Optional[Dict[str, Any]]
    if config_path is not None:
        if not config_path.is_file():
            raise ConfigError(f"{config_path}: config file not found")
        data = _load(config_path)
        if config_path.name == "pyproject.toml":
            data = data.get("tool", {}).get("offramp", {})
        path: Optional[Path] = config_path
    else:
        path, data = find_config(start)
    if path is None or data is None:
        return Settings(root=Path.cwd())
    return parse_settings(data, path)


def parse_settings(data: Mapping[str, Any], path: Path) -> Settings:
    prefix = "[tool.offramp]" if path.name == "pyproject.toml" else ""
    where = f"{path}: {prefix}".rstrip()

    def key(k: str) -> str:
        return f"{where} `{k}`" if not prefix else f"{path}: tool.offramp.{k}"

    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = set(data) - _KEYS
    if unknown:
        k = sorted(unknown)[0]
        from offramp.closest import did_you_mean  # lazy: start-up

        hint = did_you_mean(k.replace("_", "-"), _KEYS)
        raise ConfigError(f"{key(k)}: unknown option{hint}")
    kw: Dict[str, Any] = {}
    for name in ("select", "ignore", "extend-select", "extend-ignore"):
        if name in data:
            kw[name.replace("-", "_")] = _validate_selectors(data[name], key(name))
    if "extend_ignore" in kw:
        kw["ignore"] = kw.get("ignore", ()) + kw.pop("extend_ignore")
    for name in ("exclude", "extend-exclude"):
        if name in data:
            v = data[name]
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise ConfigError(f"{key(name)}: expected a list of glob patterns")
            kw[name.replace("-", "_")] = tuple(v)
    if "per-file-ignores" in data:
        v = data["per-file-ignores"]
        if not isinstance(v, dict):
            raise ConfigError(f"{key('per-file-ignores')}: expected a table of glob = [codes]")
        kw["per_file_ignores"] = {g: _validate_selectors(c, f"{key('per-file-ignores')}.{g}") for g, c in v.items()}
    if "config-files" in data:
        if not isinstance(data["config-files"], bool):
            raise ConfigError(f"{key('config-files')}: expected true or false")
        kw["config_files"] = data["config-files"]
    if "respect-gitignore" in data:
        if not isinstance(data["respect-gitignore"], bool):
            raise ConfigError(f"{key('respect-gitignore')}: expected true or false")
        kw["respect_gitignore"] = data["respect-gitignore"]
    if "output-format" in data:
        if data["output-format"] not in OUTPUT_FORMATS:
            raise ConfigError(f"{key('output-format')}: expected one of {', '.join(OUTPUT_FORMATS)}")
        kw["output_format"] = data["output-format"]
    if "region" in data:
        if not isinstance(data["region"], str):
            raise ConfigError(f"{key('region')}: expected a string")
        kw["region"] = data["region"]
    if "target" in data:  # a provider, or a table of family = provider (offramp.targets)
        from offramp.targets import TargetError, parse_spec, spec_text  # lazy: start-up

        try:
            kw["target"] = spec_text(data["target"])
            parse_spec(kw["target"])
        except TargetError as e:
            raise ConfigError(f"{key('target')}: {e}") from None
    if "models" in data:
        v = data["models"]
        if not isinstance(v, dict) or not all(isinstance(a, str) and isinstance(b, str) for a, b in v.items()):
            raise ConfigError(f'{key("models")}: expected a table of "openai-model-or-deployment" = "provider-model"')
        for a, b in v.items():
            if not MODEL_ID.fullmatch(b):  # `fix` writes it into code and config files
                raise ConfigError(f"{key('models')}.{a}: {b!r} is not a model id (letters, digits and ._:/@+-)")
        kw["models"] = dict(v)
    if "providers" in data:
        v = data["providers"]
        if not isinstance(v, dict) or not all(isinstance(t, dict) for t in v.values()):
            raise ConfigError(f"{key('providers')}: expected [tool.offramp.providers.NAME] tables")
        kw["providers"] = dict(v)
    return Settings(root=path.parent.resolve(), config_file=path, **kw)
