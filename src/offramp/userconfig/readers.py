"""Who reads each configuration file of a fix run: the project's Python code, as the run leaves it.

`offramp fix` rewrites a configuration file only together with the code that reads it
(`offramp.userconfig.together`). This module tells, per file, what that code is, from two views of
the run's Python files built with the project index (read only): before the fix and after it (the
new texts, also with `--diff`). A view holds the routes (`offramp.project`) and, per environment
variable, the Python files that read it: by name in a string (`os.getenv("OPENAI_API_KEY")`,
`os.environ["..."]`, a settings loader), as a field of a settings class (`openai_api_key: str`),
or through the SDK when a client is given no key or base URL. Test files count only by their
requests (routes): a test names variables to set them for the code under test.

The rules, conservative by design:
- A `.env` file is the Python project's own when Python code of the run at or below its directory
  read one of its variables before the fix, and its directory is not another service's (a
  `package.json` and no Python there). Any other `.env` (a frontend's, a Node service's, one no
  Python code reads) is left as it is. A variable a Compose file of the run hands to a service
  built from another service's directory (`env_file:`, or `${VAR}` filled from the `.env` beside
  it) is held (offramp.userconfig.compose).
- In such a file, a variable is HELD when, after the fix, code still reads it that was not
  migrated: a key variable read at all (migrated code reads the provider's), an endpoint or model
  variable read by a route still able to reach OpenAI / Azure or by code no route explains. It is
  MOVED when Python code read it before and nothing holds it now.
- A YAML / TOML / JSON / INI file is read by the routes whose host, key or model comes from it
  (`json.load(open("config.json"))["model"]`). It moves when all of them are migrated after the fix
  (the provider's key, no OpenAI / Azure host left but the file's own values), stays when one is
  not, and a file no route reads (a framework's YAML, a compose file) is never rewritten.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from offramp.catalog import SdkSurface, load_sdk
from offramp.hosts import classify_url
from offramp.prefilter import may_match
from offramp.project.configdocs import relative_to
from offramp.project.sources import ConfigValue, EnvRead, Literal, Route
from offramp.providers import Provider, builtin_providers, known_provider_hosts
from offramp.testcode import is_test_path
from offramp.userconfig.compose import held_by_other_services, is_compose_file
from offramp.userconfig.frameworkfiles import holds_blocks
from offramp.userconfig.meaning import _is_deployment_key, _is_model_key, _norm
from offramp.userconfig.together import HELD, MIGRATED, MOVED, UNKNOWN, UNMIGRATED, FileReaders

Read = Callable[[str], Optional[bytes]]
# Why a YAML / TOML / JSON / INI file stays: no route's host, key or model comes from it. Code may still load
# it (gpt-researcher's main.py loads task.json and hands its model to a library offramp does not follow), so
# not "no code reads it", which sent a person looking for a reader that is there.
NO_ROUTE_READS = "no request offramp can follow takes a value from it"
# Another language's service: its `.env` is read by that service, not by the Python code.
_OTHER_SERVICE = ("package.json", "deno.json", "go.mod", "Cargo.toml", "Gemfile", "composer.json", "pom.xml")
_PYTHON_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile")


@dataclass
class View:
    """The run's Python code at one moment: its routes, and which files read each variable."""

    routes: List[Route] = field(default_factory=list)
    reads: Dict[str, Set[str]] = field(default_factory=dict)


def build_view(displays: Sequence[str], read: Read, root: Path, names: Iterable[str]) -> View:
    """Routes of the Python files among `displays` (read through `read`), and who reads each of `names`."""
    from offramp.project.index import watch_from_rules  # lazy: start-up
    from offramp.project.stage import project_routes  # lazy: start-up
    from offramp.project.tree import Project  # lazy: start-up

    pys = programs(displays)
    view = View()
    seeds = [d for d, data in _scan_reads(view, pys, read, names) if may_match(data)]
    if seeds:
        try:
            project = Project(pys, read, root, watch_from_rules())
            view.routes = project_routes(project, seeds, pys)
        except RecursionError:
            view.routes = []
    _route_reads(view)
    return view


def programs(displays: Iterable[str]) -> List[str]:
    """The Python files and notebooks among `displays`: the code that may read a configuration file. A notebook
    reads one as a module does (Azure's samples: `json.load(open("config.json"))["MODEL_NAME"]`); counted by
    check's routes but not by fix, its `config.json` was offered [*] and left."""
    return [d for d in displays if d.endswith((".py", ".ipynb"))]


def _scan_reads(view: View, pys: Sequence[str], read: Read, names: Iterable[str]) -> List[Tuple[str, bytes]]:
    """Record in `view.reads` which Python files name each of `names`; returns the files read (a notebook
    as its code cells)."""
    from offramp.project.tree import python_of_notebooks  # lazy: start-up

    read = python_of_notebooks(read)
    alternation = "|".join(re.escape(n) for n in sorted(set(names)))
    # `"OPENAI_API_KEY"` anywhere in the code; `openai_api_key: str` in a settings class
    quoted = re.compile(rf"[\"']({alternation})[\"']") if alternation else None
    fields = _fields(alternation) if alternation else None
    out = []
    for d in pys:
        data = read(d)
        if data is None:
            continue
        out.append((d, data))
        # A test sets variables for the code under test (`monkeypatch.setenv("OPENAI_API_KEY", ...)`):
        # not a reader that decides where requests go. Its requests still count, as routes.
        if quoted is not None and fields is not None and not is_test_path(d):
            text = data.decode("utf-8", "replace")
            for m in quoted.finditer(text):
                view.reads.setdefault(m.group(1), set()).add(d)
            for m in fields.finditer(text):
                view.reads.setdefault(m.group(1).upper(), set()).add(d)
    return out


def _fields(alternation: str) -> re.Pattern:
    """A settings class's field named after a variable (`openai_api_key: str`), of an alternation of escaped names."""
    return re.compile(rf"^[ \t]+({alternation})[ \t]*:", re.M | re.I)


def _route_reads(view: View) -> None:
    """Variables the routes read (also the SDK's own reads, when a client is given no key)."""
    for r in view.routes:
        for s in (*r.host, *r.credential, *r.model):
            if isinstance(s, EnvRead):
                view.reads.setdefault(s.name, set()).add(s.file or r.client_file or r.file)


def _provider_keys(provider: Provider) -> FrozenSet[str]:
    return frozenset({provider.key_env, *(p.key_env for p in builtin_providers().values() if p.key_env)})


def migrated(
    route: Route, provider: Provider, sdk: SdkSurface, moving: Optional[Path] = None, root: Path = Path(".")
) -> bool:
    """Whether a route (after the fix) goes to the provider with the provider's key.

    Its key must be read from a provider's variable, and nothing else; its host must not be able to
    reach OpenAI / Azure: no SDK default, no OpenAI / Azure URL, except values of `moving` (the
    configuration file being decided, whose URLs the fix moves with it). A host read from an
    environment variable counts as moving with that variable.
    """
    if route.azure or not route.credential:
        return False
    keys = _provider_keys(provider)
    # (`os.getenv("DASHSCOPE_API_KEY", "")`: the empty default fix writes carries no secret)
    if not all(
        (isinstance(s, EnvRead) and s.name in keys) or (isinstance(s, Literal) and not s.value)
        for s in route.credential
    ) or not any(isinstance(s, EnvRead) for s in route.credential):
        return False
    hosts = known_provider_hosts()
    for s in route.host:
        if isinstance(s, EnvRead):
            continue
        if isinstance(s, ConfigValue) and moving is not None and _config_path(s, root) == moving:
            continue
        if isinstance(s, (Literal, ConfigValue)) and s.value:
            if classify_url(s.value, sdk, hosts).blocked:
                return False
            continue
        return False  # an SDK default, an unset or unknown value
    return True


def _config_path(s: ConfigValue, root: Path) -> Optional[Path]:
    reader = s.reader.rpartition(":")[0]
    return relative_to(reader, s.file, root)


def config_display(s: ConfigValue, root: Path) -> Optional[str]:
    """The display path (relative to `root`, as the run names files) of the file a value comes from."""
    path = _config_path(s, root)
    if path is None:
        return None
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _under(display: str, directory: str) -> bool:
    return not directory or display.startswith(directory + "/")


def _other_service(directory: Path, displays: Sequence[str], rel: str) -> bool:
    if not any((directory / n).is_file() for n in _OTHER_SERVICE):
        return False
    here = [d for d in programs(displays) if d.rpartition("/")[0] == rel]
    return not here and not any((directory / n).is_file() for n in _PYTHON_MARKERS)


def _users(routes: Iterable[Route], rel: str, name: str) -> List[Route]:
    """The routes under directory `rel` whose host, key or model is read from variable `name`."""
    return [
        r
        for r in routes
        if _under(r.client_file or r.file, rel)
        and any(isinstance(s, EnvRead) and s.name == name for s in (*r.host, *r.credential, *r.model))
    ]


def _replaced(routes: Iterable[Route], rel: str, name: str, read_after: Sequence[str]) -> bool:
    """Whether the reads of `name` left after the fix are the ones that fed routes before it, whose
    requests the fix pointed elsewhere (`OpenAI(base_url=settings.BASE_URL)` given the provider's URL
    because `.env` set `OPENAI_BASE_URL` to OpenAI's): those reads feed no request any more, so the
    variable follows its routes instead of holding the whole file."""
    files = {
        s.file
        for r in _users(routes, rel, name)
        for s in (*r.host, *r.credential, *r.model)
        if isinstance(s, EnvRead) and s.name == name and s.file
    }
    return bool(files) and set(read_after) <= files


def env_readers(
    display: str,
    names: Iterable[str],
    before: View,
    after: View,
    provider: Provider,
    root: Path,
    pys: Sequence[str],
    compose: Sequence[Tuple[Path, str]] = (),
) -> FileReaders:
    """The readers of the `.env` file `display`, which defines `names` (see the module's rules);
    `compose`: the run's Compose files and their text (offramp.userconfig.compose)."""
    sdk = load_sdk()
    rel = display.rpartition("/")[0]
    names = list(dict.fromkeys(names))
    if os.path.isabs(display) or _other_service(root / rel, pys, rel):
        return FileReaders(UNKNOWN, why="another service's environment file")

    def local(files: Iterable[str]) -> List[str]:
        return sorted(f for f in files if _under(f, rel))

    if not any(local(before.reads.get(n, ())) for n in names):
        return FileReaders(UNKNOWN, why="no Python code in this run reads it")
    env: Dict[str, str] = {}
    held_by: Dict[str, str] = {}
    for n in names:
        read_before = local(before.reads.get(n, ()))
        read_after = local(after.reads.get(n, ()))
        if not read_before and not read_after:
            continue
        role = sdk.env_role(n)
        users = _users(after.routes, rel, n)
        stuck = [r for r in users if not migrated(r, provider, sdk, root=root)]
        if role == "key" and read_after and n not in _provider_keys(provider):
            env[n], held_by[n] = HELD, read_after[0]
        elif stuck:
            env[n], held_by[n] = HELD, stuck[0].where
        elif read_after and not users and not _replaced(before.routes, rel, n, read_after):
            env[n], held_by[n] = HELD, read_after[0]  # read by code no route explains
        else:
            env[n] = MOVED

    def other(directory: Path) -> bool:
        return _other_service_dir(directory, root, pys)

    for path, text in compose:
        for n, who in held_by_other_services(path, text, root / display, names, other).items():
            env[n], held_by[n] = HELD, who
    return FileReaders(MIGRATED, env=env, held_by=held_by)


def structured_readers(path: Path, after: View, provider: Provider, root: Path) -> FileReaders:
    """The readers of a YAML / TOML / JSON / INI file: the routes whose values come from it."""
    sdk = load_sdk()
    target = path.resolve()
    users = [
        r
        for r in after.routes
        if any(
            isinstance(s, ConfigValue) and _config_path(s, root) == target for s in (*r.host, *r.credential, *r.model)
        )
    ]
    if not users:
        return FileReaders(UNKNOWN, why=NO_ROUTE_READS)
    stuck = [r for r in users if not migrated(r, provider, sdk, moving=target, root=root)]
    if stuck:
        return FileReaders(UNMIGRATED, why=f"read by a request that still goes to OpenAI/Azure ({stuck[0].where})")
    return FileReaders(MIGRATED)


def unread_configs(
    candidates: Dict[str, str],
    routes: Sequence[Route],
    displays: Sequence[str],
    read: Read,
    root: Path,
    module_moved: Collection[str] = (),
    renamed: Collection[str] = (),
) -> Tuple[Dict[str, str], Dict[str, Dict[str, str]]]:
    """Of the configuration files `candidates` (display -> format), those `fix` leaves as they are
    whatever it does to the code, with the note's reason: no Python code of the run reads them (a
    framework's YAML, a benchmark's recorded JSON), or a `.env` file is another service's.

    `check --to P` asks this before marking their findings fixable: `fix` rewrites a configuration file
    only with its readers (the rules above), so a `[*]` there was a promise `fix` did not keep
    (23 OFR201 findings in gpt-researcher's recorded benchmark results).

    Also, per `.env` file, the key variables a Compose service built from another service's
    directory receives (variable -> who): those keep their name, and the file's endpoints stay with them.
    `module_moved`: the files whose module-level client fix moves (it sets their `api_type` itself).
    `renamed`: the files where fix renames key reads; a key variable other code reads stays (env_readers).
    """
    out: Dict[str, str] = {}
    kept: Dict[str, Dict[str, str]] = {}
    pys = programs(displays)
    envs: Dict[str, List[str]] = {}
    urls: Dict[str, Set[str]] = {}  # per `.env` file, the variables whose value is a URL
    for display, kind in candidates.items():
        if kind != "env":
            target = (root / display).resolve()
            data = read(display)
            if data is not None and holds_blocks(kind, data.decode("utf-8-sig", "replace")):
                continue  # a framework loads it: its own reader (frameworkfiles.py)
            if not any(
                isinstance(s, ConfigValue) and _config_path(s, root) == target
                for r in routes
                for s in (*r.host, *r.credential, *r.model)
            ):
                out[display] = NO_ROUTE_READS
            continue
        rel = display.rpartition("/")[0]
        if os.path.isabs(display) or _other_service(root / rel, pys, rel):
            out[display] = "another service's environment file"
            continue
        data = read(display)
        text = data.decode("utf-8", "replace") if data is not None else ""
        envs[display] = _ENV_NAME.findall(text)
        urls[display] = set(_ENV_URL.findall(text))
    if envs:
        view = View(routes=list(routes))
        names = {n for ns in envs.values() for n in ns}
        scanned = _scan_reads(view, pys, read, names) if names else []
        texts = dict(scanned)
        by_name = {n: set(fs) for n, fs in view.reads.items()}  # read by name, not by the SDK for a client
        _route_reads(view)
        for display, read_names in envs.items():
            rel = display.rpartition("/")[0]
            if not any(_under(f, rel) for n in read_names for f in view.reads.get(n, ())):
                out[display] = "no Python code in this run reads it"
        composes = []  # (path, text) of the run's Compose files, each read once
        for d in displays:
            if is_compose_file(d.rpartition("/")[2]):
                data = read(d)
                composes.append((root / d, data.decode("utf-8", "replace") if data else ""))
        sdk = load_sdk()
        for display, read_names in envs.items():
            if display in out:
                continue
            keys = [n for n in read_names if sdk.env_role(n) == "key"]
            for path, text in composes:
                held = held_by_other_services(
                    path, text, root / display, keys, lambda d: _other_service_dir(d, root, pys)
                )
                if held:
                    kept.setdefault(display, {}).update(held)
            # A variable read by code no route explains stays (env_readers: HELD), as fix decides it
            # from the migrated code: Azure's quickstart reads its deployment into `bp.openai_model`,
            # and check offered the `.env.sample` value as fixable while fix left it.
            rel = display.rpartition("/")[0]
            # (an endpoint fix moves is a URL value: `AZURE_OPENAI_ENDPOINT=` left empty moves no key with it,
            # together.decide_env; Azure's document_generator template had its empty key offered [*])
            hosts = any(endpoint_variable(sdk, n) for n in read_names if n in urls.get(display, ()))
            # A key variable the code names where fix does not rename it (`required = ["OPENAI_API_KEY"]`, a
            # settings field): fix finds it still read after the fix (env_readers: HELD) and keeps its name
            named = _named_where_kept(
                [(d, data) for d, data in scanned if _under(d, rel) and not is_test_path(d)],
                [n for n in read_names if sdk.env_role(n) == "key"],
                sdk,
            )
            for n, where in named.items():
                kept.setdefault(display, {}).setdefault(n, f"code that names it where fix leaves it ({where})")
            for n in read_names:
                if n in kept.get(display, {}):
                    continue
                readers = sorted(f for f in view.reads.get(n, ()) if _under(f, rel))
                # `openai.api_type = os.getenv("OPENAI_API_TYPE")`: fix writes the provider's type there when the
                # file's module client moves (fixes/moduleclient.py), so that read is gone after the fix
                readers = [f for f in readers if not (f in module_moved and _only_api_type(n, texts.get(f, b"")))]
                stay = [f for f in readers if f in by_name.get(n, ()) and f not in renamed and not is_test_path(f)]
                if sdk.env_role(n) == "key" and stay and n not in {p.key_env for p in builtin_providers().values()}:
                    # still read after the fix (env_readers: HELD): gpt-engineer's `.env.template` OPENAI_API_KEY,
                    # read by `openai.api_key = os.getenv(...)` for a module client no request follows, was offered
                    kept.setdefault(display, {})[n] = f"code fix leaves reading it ({stay[0]})"
                    continue
                if not readers and not hosts and sdk.env_role(n) in ("key", "model"):
                    # fix moves a key or model variable only with its readers or with the file's
                    # endpoint (together.decide_env): crewAI's OPENAI_MODEL_NAME, read by the library
                    # itself and by no code once fix gives each Agent its llm=, was offered and left
                    kept.setdefault(display, {})[n] = "whatever reads it outside this run (no code here does)"
                elif sdk.env_role(n) != "key" and readers and not _users(routes, rel, n):
                    kept.setdefault(display, {})[n] = f"code no request offramp can follow ({readers[0]})"
            # a model value no code here reads moves only with the file's endpoint and key, and stays when one of
            # them does (together.decide_env): Azure's customer_assist template offered its deployment [*]
            pair = [
                n
                for n in kept.get(display, {})
                if sdk.env_role(n) == "key" or (endpoint_variable(sdk, n) and n in urls.get(display, ()))
            ]
            for n in read_names if pair else ():
                modelish = _is_model_key(_norm(n), sdk.env_role(n)) or _is_deployment_key(_norm(n))
                if modelish and not any(_under(f, rel) for f in view.reads.get(n, ())):
                    why = f"whatever reads it outside this run; it moves only with the file's `{pair[0]}`, which stays"
                    kept[display].setdefault(n, why)
    return out, kept


def _only_api_type(name: str, data: bytes) -> bool:
    """Whether the code names variable `name` only as the value of a module client's API type
    (`openai.api_type = os.getenv("OPENAI_API_TYPE")`)."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    typed: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "api_type" for t in node.targets
        ):
            typed.update(id(n) for n in ast.walk(node.value))
    named = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == name]
    return bool(named) and all(id(n) in typed for n in named)


_ENV_CALLS = ("getenv", "get", "setdefault", "pop")
_ENVIRON = re.compile(r"(?:^|\.)environ$")


def _named_where_kept(files: Sequence[Tuple[str, bytes]], names: Sequence[str], sdk: SdkSurface) -> Dict[str, str]:
    """Of the variables `names`, those a Python file names where fix does not rename them, each with the first
    such place ("main.py:9"): a string that is not what the collector takes for a read or write of the
    variable (a call's positional argument: `os.getenv("X")`, `Secret.from_env_var("X")`; a subscript:
    `os.environ["X"]`), or a settings class's field. After fix, `_scan_reads` still finds the name there."""
    out: Dict[str, str] = {}
    if not names:
        return out
    wanted = set(names)
    fields = _fields("|".join(re.escape(n) for n in sorted(wanted)))
    for d, data in files:
        text = data.decode("utf-8", "replace")
        if not any(n in text or n.lower() in text for n in wanted):
            continue
        for m in fields.finditer(text):
            out.setdefault(m.group(1).upper(), f"{d}:{text.count(chr(10), 0, m.start()) + 1}")
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        accessed: Set[int] = set()  # (a variable of the SDK's own list in any call or subscript, others only in
        known: Set[int] = set()  # os.getenv / environ.get & co and os.environ[...], as the collector reads them)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                known.update(id(a) for a in node.args)
                func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if func in _ENV_CALLS and node.args:
                    accessed.add(id(node.args[0]))
            elif isinstance(node, ast.Subscript):
                known.add(id(node.slice))
                if _ENVIRON.search(ast.unparse(node.value)):
                    accessed.add(id(node.slice))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in wanted:
                if id(node) in accessed or (node.value in sdk.env_roles and id(node) in known):
                    continue
                out.setdefault(node.value, f"{d}:{node.lineno}")
    return out


def _other_service_dir(directory: Path, root: Path, pys: Sequence[str]) -> bool:
    try:
        rel = directory.relative_to(root.resolve()).as_posix()
    except ValueError:
        return True  # outside the tree: not ours to judge, so held
    return _other_service(directory, pys, "" if rel == "." else rel)


def endpoint_variable(sdk, name: str) -> bool:
    """Whether a `.env` variable names an endpoint: the SDK's base-URL variables, or any `*ENDPOINT*`
    (Azure's resource URL, under whatever name the project chose)."""
    return sdk.env_role(name) == "base-url" or "ENDPOINT" in name.upper()


def env_assignments(text: str) -> List[Tuple[int, str]]:
    """(line, variable) of each assignment in a `.env` text."""
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        m = _ENV_NAME.match(line)
        if m:
            out.append((i, m.group(1)))
    return out


_ENV_NAME = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=", re.M)
_ENV_URL = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*[\"']?[A-Za-z][\w+.-]*://", re.M)
