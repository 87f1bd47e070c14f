"""The user's configuration files: `.env*`, YAML, TOML, JSON and INI files that carry OpenAI / Azure OpenAI
settings (offramp's own settings are `offramp.settings`).

Keys, base URLs, `api_type: azure` and model names hide in configuration as often as in code.
This package finds them with small position-keeping scanners, one per format (standard library
only; no YAML or TOML round-trip library is needed) and reports them with the rule codes the Python checks
use, so reporters, suppressions and `--select` treat them alike:

- OFR301 an OpenAI / Azure environment variable name used as a key (`OPENAI_API_KEY=...` in a
  `.env`, `OPENAI_API_KEY:` in a compose file, TOML/INI/JSON keys) or referenced in a value
  (`${OPENAI_API_KEY}`, LiteLLM's `os.environ/OPENAI_API_KEY`); located at the name.
- OFR106 an OpenAI / Azure OpenAI URL in a value (placeholder hosts such as
  `your-resource.openai.azure.com` are documentation and are skipped); located at the value.
- OFR103 `api_type: azure` / `OPENAI_API_TYPE=azure`, the legacy SDK's switch to Azure.
- OFR201 an OpenAI model id as the value of a model-ish key (`model`, `model_name`, `engine`,
  `deployment`, `llm_model`, `*_model`, `*_MODEL`...); with a provider, OFR403 instead when the
  provider has no equivalent (as the Python checks do).
- OFR202 the value of an Azure deployment key (`AZURE_OPENAI_DEPLOYMENT`, `azure_deployment`...).
- OFR302 an `sk-...` key anywhere in the file, comments included (the key is never put in a
  message or an argument).
- OFR303 an OpenAI / Azure key variable, or a reference to one, in the same file as a
  provider's endpoint: whatever reads both sends that key to the provider (offramp.userconfig.pairs).

A fix rewrites a file only together with the code that reads it (offramp.userconfig.together,
offramp.userconfig.readers): a `.env` of another service or one no Python code of the run reads,
and a structured file no request of the run reads, are left alone; in a `.env`, a variable still
read by code that was not migrated is held, and endpoint and key variables move together or not at
all (a `# TODO[offramp]:` comment says why). The rules below are what a fix does once it may.

Fixing only ever replaces tokens in place, so comments, blank lines, order, quoting, `export `
prefixes, line endings and the presence of a final newline are kept byte for byte:

- `fix_env` (`.env*` files) gives the provider its key variable, points OpenAI/Azure URL values
  at the provider, maps model and deployment values, and turns `OPENAI_API_TYPE=azure` into
  `openai`. A key variable whose value is empty, a placeholder or a `${VAR}` reference is renamed
  (`OPENAI_API_KEY=` -> `DASHSCOPE_API_KEY=`); one that holds a real key is commented out (the
  key stays in the file, read by nothing) and the provider's variable is added after it, empty,
  under a `# offramp: set your ... key` comment (see `fix_env`).
- `fix_structured` (YAML/TOML/JSON/INI) replaces URL and model values only; keys are never
  renamed and key values never read beyond the OFR302 scan (the program reading the file decides
  what they mean).

No fix ever moves a key's value: an OpenAI or Azure key never ends up under the provider's name,
nor live next to the provider's endpoint.

Both use the same per-value analysis as `scan_config`, so a hit is `fixable` exactly when the
fix changes it, and both are idempotent.

Limits (by design of a line/token scanner rather than a full parser):
- YAML: block mappings and sequences, `- KEY=value` list items (compose `environment:`),
  plain/single/double-quoted scalars, anchors and tags before a value. Flow collections
  (`{a: b}`, `[x, y]`) are only searched for URLs (reported, not fixed); block scalars (`|`,
  `>`) and multi-line quoted or plain scalars are skipped. Keys are the last key on the line,
  without their parents.
- TOML: validated with tomllib first (an invalid file gives one OFR000 at the error, like a
  Python file that does not parse, and nothing else); then every key/value,
  arrays and inline tables. Multi-line strings are skipped. The key of a value is its last
  dotted segment (`openai.api_base` -> `api_base`); table headers are not part of it.
- JSON: JSONC is accepted (`//` and `/* */` comments, trailing commas); anything else that is
  not JSON (a raw tab in a string, nesting deeper than 200 levels) gives one OFR000 at the
  error and nothing else. The key of an array element is the array's key.
- INI/CFG/CONF: `key = value` / `key: value`, `;`/`#` comments, indented continuation lines.
  Lines that are not INI (nginx `proxy_pass https://api.openai.com;`) are searched for URLs
  (reported, not fixed).
- `.env`: `KEY=value`, `export KEY=value`, single/double/backtick quotes, ` #` comments;
  multi-line quoted values are skipped.
- Values are matched whole: a URL is replaced only when it is the entire value, a model only
  when the value is exactly a model id.

Where: `kind` (which files are configuration, by name; cheap, asked of every file of a tree), `scan`
(`scan_config`, `ConfigHit`), `fix` (`fix_config`, `fix_env`, `fix_structured`), one module per format
(`envfile`, `yamlfile`, `tomlfile`, `jsonfile`, `inifile`), `meaning` (what a value means). This
`__init__` imports nothing, so that `kind` stays cheap.
"""
