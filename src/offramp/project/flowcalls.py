"""The calls value flow (project/flow.py) knows by name: those that load a configuration file (the value at a
key path is then that file's), open a file, build a path, hand a value through unchanged or take one of its
elements or pieces, and the HTTP sessions a raw request is sent with."""

from __future__ import annotations

LOADERS = {
    "json.load": "json",
    "json.loads": "json-text",
    "yaml.safe_load": "yaml",
    "yaml.load": "yaml",
    "yaml.full_load": "yaml",
    "tomllib.load": "toml",
    "tomli.load": "toml",
    "toml.load": "toml",
    "dotenv.dotenv_values": "env",
    "dotenv.main.dotenv_values": "env",
}
OPENERS = frozenset({"open", "io.open", "builtins.open", "codecs.open"})
PATHS = frozenset({"pathlib.Path", "Path", "pathlib.PurePath"})
# (`os.path.expandvars(f.read())`: the text of the file, `${VAR}` placeholders filled, is still that file's)
PASSTHROUGH_CALLS = frozenset({"str", "builtins.str", "iter", "itertools.cycle", "os.path.expandvars"})
# One element of a sequence: `next(itertools.cycle(key.split(",")))` (rotating keys), `random.choice(MODELS)`.
ELEMENT_CALLS = frozenset({"next", "random.choice"})
# A string's pieces carry what the string carries (a key split on commas is still that key).
PIECES = frozenset({"split", "strip", "rstrip", "lstrip", "rsplit"})
HTTP_SESSIONS = frozenset(
    {"requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession"}
)
CONFIG_MAX_BYTES = 1_000_000
