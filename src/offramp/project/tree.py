"""The project's modules: which file each dotted name is, and their index entries, built on demand.

Only modules a request can reach are indexed: the files that can hold SDK use (the prefilter's
candidates), the files that import one of them, and whatever those import in turn, looked up
lazily while values are followed. A tree without SDK use indexes nothing. Entries are cached by
file content (`IndexCache`), so a warm run re-parses only edited files.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Callable, Collection, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from offramp.cache import MarshalCache, content_hash
from offramp.project.configdocs import parse_config, relative_to
from offramp.project.index import ModuleIndex, Watch, place
from offramp.project.questions import QUESTIONS
from offramp.redact import redact_all
from offramp.stattable import digest_of


def module_names(
    displays: Iterable[str], libraries: Collection[str] = ()
) -> Tuple[Dict[str, str], Dict[str, Tuple[str, bool]]]:
    """(dotted name -> display path, display path -> (canonical name, is package)).

    The canonical name climbs packages (directories with `__init__.py`); each file also answers to
    the shorter suffixes of its path (`src/app/settings.py` is `app.settings` and `settings` too) for
    source layouts and scripts run from their own directory. Canonical names win over suffixes.

    A name that starts with one of `libraries` (the SDK, the frameworks, `requests`) is the library's
    unless the file sits at the root: `superagi/llms/openai.py` answered to `openai`, so every
    `import openai` of SuperAGI was taken for that module and its requests had no route (and a
    `llms/openai.py` is in many LLM applications).
    """
    pys = [d for d in displays if d.endswith(".py")]
    present = set(pys)
    canonical: Dict[str, Tuple[str, bool]] = {}
    names: Dict[str, str] = {}
    aliases: Dict[str, str] = {}
    for d in pys:
        parts = d[:-3].split("/")
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
            if not parts:
                continue
        # climb while the parent directory is a package
        start = len(parts) - 1
        while start > 0 and "/".join(parts[:start]) + "/__init__.py" in present:
            start -= 1
        if start and parts[start] in libraries:
            start = 0  # (named by its whole path: the name alone is the library's)
        name = ".".join(parts[start:])
        canonical[d] = (name, package)
        names.setdefault(name, d)
        for i in range(0, len(parts)):
            if not (i and parts[i] in libraries):
                aliases.setdefault(".".join(parts[i:]), d)
    # Scripts in different directories with one module name (`examples/chat/config.py`, `examples/rag/config.py`):
    # each script imports its own (Python puts a script's directory first on sys.path), so each file is named
    # by its whole path, which its neighbours' imports are turned into (`sibling_names`, `place`). The bare
    # name keeps answering for the first of them, as before, for imports from anywhere else.
    by_name: Dict[str, List[str]] = {}
    for d, (name, package) in canonical.items():
        if "." not in name and not package:
            by_name.setdefault(name, []).append(d)
    for d in (d for ds in by_name.values() if len(ds) > 1 for d in ds if "/" in d):
        canonical[d] = (d[:-3].replace("/", "."), False)
        names[canonical[d][0]] = d
    for alias, d in aliases.items():
        names.setdefault(alias, d)
    for d in displays:  # a notebook is a program of its own: a module no import statement can name
        if d.endswith(".ipynb"):
            canonical[d] = (notebook_module(d), False)
            names[notebook_module(d)] = d
    return names, canonical


def sibling_names(canonical: Dict[str, Tuple[str, bool]], libraries: Collection[str] = ()) -> Dict[str, Dict[str, str]]:
    """Per directory that is not a package, the modules of it named by their whole path (`module_names`), by the
    name its scripts import them as: `import config` in `examples/rag/app.py` is `examples.rag.config`."""
    packages = {d.rsplit("/", 1)[0] for d in canonical if d.endswith("/__init__.py")}
    out: Dict[str, Dict[str, str]] = {}
    for d, (name, package) in canonical.items():
        if package or not d.endswith(".py") or "/" not in d:
            continue
        folder, base = d[:-3].rsplit("/", 1)
        if folder not in packages and base not in libraries and name == d[:-3].replace("/", "."):
            out.setdefault(folder, {})[base] = name
    return out


def library_siblings(
    canonical: Dict[str, Tuple[str, bool]], libraries: Collection[str], sdk: Collection[str]
) -> Dict[str, Dict[str, Tuple[str, str]]]:
    """Per script directory, its modules and packages named like a library (`scripts/agents.py`, `app/litellm/`) by
    that name: folder -> {name: (module name, display)}. Python puts a script's directory first on `sys.path`, so
    `from agents import make_client` in `scripts/main.py` is `scripts/agents.py`; `module_names` names such a file
    by its whole path and left the import to the library (session 13: its requests had no route).

    A script directory is one that is not a package and whose parent is not one either (a folder of a package
    that lacks its `__init__.py` is imported from elsewhere: there `import litellm` is the library's). The SDK
    itself (`openai`) is never a sibling: a project module that shadows it breaks the SDK's import, and
    `superagi/llms/openai.py`-like modules sit beside code that means the SDK. Whether an import takes the
    sibling is decided per import (`Project.import_target`)."""
    packages = {d.rsplit("/", 1)[0] for d in canonical if d.endswith("/__init__.py")}
    out: Dict[str, Dict[str, Tuple[str, str]]] = {}
    for d, (name, package) in canonical.items():
        if not d.endswith(".py"):
            continue
        path = d[:-3].split("/")
        if package:
            path = path[:-1]
        if len(path) < 2 or path[-1] not in libraries or path[-1] in sdk:
            continue
        folder = "/".join(path[:-1])
        parent = folder.rsplit("/", 1)[0] if "/" in folder else ""
        if folder in packages or (parent and parent in packages):
            continue
        out.setdefault(folder, {})[path[-1]] = (name, d)
    return out


def notebook_module(display: str) -> str:
    """The module name of a notebook's code cells (`nb/demo.ipynb` is `nb.demo-ipynb`: no import reaches it)."""
    return display[: -len(".ipynb")].replace("/", ".") + "-ipynb"


def python_of_notebooks(read: Callable[[str], Optional[bytes]]) -> Callable[[str], Optional[bytes]]:
    """`read`, with a notebook read as its code cells joined into one module (offramp.notebook): the
    text its fix is planned on, so the routes' spans are the plan's. Unreadable: None."""
    converted: Dict[str, Optional[bytes]] = {}

    def python(display: str) -> Optional[bytes]:
        if not display.endswith(".ipynb"):
            return read(display)
        if display not in converted:
            from offramp.notebook import NotebookError  # lazy: start-up (a run without notebooks)
            from offramp.notebook import load as load_notebook  # lazy: start-up

            data = read(display)
            try:
                converted[display] = load_notebook(data.decode("utf-8-sig")).text.encode("utf-8") if data else None
            except (UnicodeDecodeError, NotebookError):
                # (a fixed notebook's code cells, as `fix` hands them to its configuration readers)
                converted[display] = data if data and not data.lstrip().startswith(b"{") else None
        return converted[display]

    return python


class IndexCache(MarshalCache):
    """Index entries by display path and content digest, in a signed file of their own (`index-<key>.json`,
    signed as the findings cache is)."""

    def __init__(self, directory: Path, key: str) -> None:
        super().__init__(directory, key)
        self.file = directory / f"index-{key}.json"
        self.fresh: Set[str] = set()  # entries put by this run: the others were masked when written

    def _stored(self) -> Dict[str, Tuple[str, Any]]:
        """Literal values hold keys: what was indexed is masked before it reaches the disk. The digests are
        not: a content hash is 32 hex digits, the shape of an Azure key, and a masked digest never matched,
        so every warm run re-indexed every module and recomputed the routes. Only this run's entries are
        masked: those read from the file were masked when written, and masking all ~2,000 entries of a
        monorepo again cost ~0.3 of the 1.1 CPU seconds of a warm check after one edit (bench/figures.py)."""
        out = {}
        for path, (digest, value) in self.entries.items():
            out[path] = (digest, value) if path not in self.fresh else (digest, redact_all(value))
        return out

    def get(self, display: str, digest: str) -> Optional[ModuleIndex]:
        entry = self.entries.get(display)
        if entry is None or entry[0] != digest or not isinstance(entry[1], dict):
            return None
        try:
            return ModuleIndex.from_data(entry[1])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None

    def put(self, display: str, digest: str, m: ModuleIndex) -> None:
        self.entries[display] = (digest, m.to_data())
        self.fresh.add(display)
        self.dirty = True


def build(text: str, display: str, watch: Watch) -> ModuleIndex:
    """indexer.build, imported when a module is first indexed: a warm run whose entries all come from the cache
    never imports the indexer (~9 ms: the stdlib `ast` walkers and the readers of sources)."""
    from offramp.project.indexer import build as index  # lazy: start-up

    return index(text, display, watch)


def _pickled(m: ModuleIndex) -> bytes:
    import pickle  # lazy: start-up (entries are shared only within `sharing_entries`)

    return pickle.dumps(m, pickle.HIGHEST_PROTOCOL)


def _unpickled(data: bytes) -> ModuleIndex:
    import pickle  # lazy: start-up

    m = pickle.loads(data)
    assert isinstance(m, ModuleIndex)
    return m


MISSING = object()  # (no recorded answer)


# Index entries as built, pickled (`place` changes an entry), by (watch, display path, content digest), while
# `sharing_entries` lasts; None outside it.
_shared: Optional[Dict[Tuple[int, str, str], bytes]] = None


@contextlib.contextmanager
def sharing_entries() -> Iterator[None]:
    """Within the block, a project reuses the index entries another project built from the same bytes.

    `fix` builds the project's index up to three times over files most of which it leaves as they were: for
    the readers of the configuration files, for the route gate, and for the check of what it leaves
    (fixes/runner.py `as_checked`). On the SDK corpora that check built 240 entries again (~1.2 of its
    ~1.6 CPU-s); an entry unpickled costs a few percent of one built. Nothing is kept once the block ends."""
    global _shared
    outer = _shared
    _shared = {} if outer is None else outer
    try:
        yield
    finally:
        _shared = outer


class Project:
    def __init__(
        self,
        displays: Iterable[str],
        read: Callable[[str], Optional[bytes]],
        root: Path,
        watch: Watch,
        cache: Optional[IndexCache] = None,
        prebuilt: Optional[Dict[str, Tuple[str, ModuleIndex]]] = None,
        layout: Optional[Tuple[Dict[str, str], Dict[str, Tuple[str, bool]]]] = None,
        known: Optional[Dict[str, str]] = None,
    ) -> None:
        """`read(display)` gives a file's bytes (None when unreadable); `root` bounds configuration reads.
        `layout`: `module_names` of these displays, when another project of the same run has them.
        `known`: content digests of files this run did not read (stattable.py; never a notebook's):
        cached entries, recorded answers and configuration files' digests are found without a read."""
        displays = list(displays)
        self.displays = frozenset(displays)
        self.names, self.canonical = layout or module_names(displays, watch.libraries)
        self.siblings = sibling_names(self.canonical, watch.libraries)
        self.library_siblings = library_siblings(self.canonical, watch.libraries, watch.sdk_modules)
        self.read = python_of_notebooks(read)
        # Configuration files are read only inside the tree being checked: the root, or (files given
        # by absolute path, outside the root) the directory that holds them all.
        outside = [d for d in displays if os.path.isabs(d)]
        self.root = Path(os.path.commonpath(outside)) if outside else root
        if outside and self.root.is_file():
            self.root = self.root.parent
        self.watch = watch
        self.cache = cache
        self.prebuilt = prebuilt or {}  # display -> (content digest, entry built elsewhere)
        self.known = known or {}
        self.indexed: Dict[str, ModuleIndex] = {}  # by display path
        # what the routes read of each Python file: the answers asked (project/questions.py), by
        # display path, and the index entries loaded (content digest, entry as built: `place` not applied)
        self.questions: Dict[Tuple[str, Any], int] = {}  # (question, argument) -> its number in `asked`
        self.asked: Dict[str, Dict[int, Any]] = {}
        self.entries: Dict[str, Tuple[str, Optional[ModuleIndex]]] = {}  # ("", None): unreadable
        self._configs: Dict[str, Optional[Any]] = {}
        self.config_reads: Dict[str, str] = {}  # reader\0written -> content digest ("" when absent)
        # (display, question's number, (question, argument)) -> the recorded answer, or MISSING
        self.recorded: Optional[Callable[[str, int, Tuple[str, Any]], Any]] = None

    def module(self, name: str) -> Optional[ModuleIndex]:
        display = self.names.get(name)
        return self.load(display) if display is not None else None

    def name_of(self, dotted: str) -> Optional[str]:
        """The canonical name of the module `dotted` imports (None: no project module), without indexing it."""
        display = self.names.get(dotted)
        return self.canonical[display][0] if display in self.canonical else None

    def load(self, display: str) -> Optional[ModuleIndex]:
        got = self.indexed.get(display)
        if got is not None:
            return got
        if display not in self.canonical:
            return None
        digest = self.known.get(display)
        m = self._ready(display, digest) if digest is not None else None
        data = None
        if m is None:
            data = self.read(display)
            if data is None:
                self.entries[display] = ("", None)
                return None
            digest = content_hash(data)
            m = self._ready(display, digest)
        assert digest is not None
        shared, built = _shared, (id(self.watch), display, digest)
        if m is None and shared is not None and built in shared:
            m = _unpickled(shared[built])
        if m is None:
            assert data is not None
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = ""
            m = build(text, display, self.watch)
            if shared is not None:
                shared[built] = _pickled(m)
        if self.cache is not None and self.cache.digest(display) != digest:
            self.cache.put(display, digest, m)
        self.entries[display] = (digest, m)
        name, package = self.canonical[display]
        # after `put`, which keeps the entry as built (relative imports as written)
        m = place(m, name, package, lambda module, attr: self.import_target(display, module, attr))
        self.indexed[display] = m
        return m

    def import_target(self, importer: str, module: str, attr: Optional[str]) -> str:
        """The module that `importer`'s import of `module` (absolute; `attr`: the name a `from` import takes,
        None for `import module`) names as the project names it: a module of the importer's own directory that
        shares its name with others' (`sibling_names`), or one named like a library (`library_siblings`) when
        Python's import would take it: it is not the importer itself, and it binds the name a `from` import
        takes (else that import is the library's, or fails)."""
        if "/" not in importer:
            return module
        folder = importer.rsplit("/", 1)[0]
        head, dot, rest = module.partition(".")
        plain = self.siblings.get(folder, {})
        if head in plain:
            return plain[head] + dot + rest
        found = self.library_siblings.get(folder, {}).get(head)
        if found is None or found[1] == importer:
            return module
        name, display = found
        if attr is None or attr == "*" or rest:
            return name + dot + rest
        if f"{name}.{attr}" in self.names or self.ask(display, "binds", attr):
            return name
        return module

    def _ready(self, display: str, digest: str) -> Optional[ModuleIndex]:
        """The entry of these bytes built by the worker that checked the file, or kept in the cache."""
        ready = self.prebuilt.get(display)
        if ready is not None and ready[0] == digest:
            return ready[1]
        return self.cache.get(display, digest) if self.cache is not None else None

    def digest_of(self, display: str) -> Optional[str]:
        """The content digest of a file of the run (None when unreadable), read only when not known."""
        return digest_of(display, self.known, self.read)

    def ask(self, display: str, question: str, arg: Any = None) -> Any:
        """The answer of `question` (project/questions.py) about a file's bytes, recorded in `asked`; taken
        from the last run's record when `recorded` has it (project/inputs.py `RouteInputs.answers`)."""
        key = (question, arg)
        number = self.questions.setdefault(key, len(self.questions))
        answers = self.asked.setdefault(display, {})
        if number not in answers:
            got = self.recorded(display, number, key) if self.recorded is not None else MISSING
            answers[number] = QUESTIONS[question](self.read(display), arg, self.watch) if got is MISSING else got
        return answers[number]

    def modules(self) -> List[ModuleIndex]:
        return list(self.indexed.values())

    def read_config(self, reader: str, written: str) -> Optional[Any]:
        """The document a module loads (`open("config.json")`), found next to it or up to the root."""
        key = f"{reader}\0{written}"
        if key not in self._configs:
            data = self.config_bytes(reader, written)
            self.config_reads[key] = content_hash(data) if data is not None else ""
            doc = None
            if data is not None:
                try:
                    name = written.rsplit("/", 1)[-1]
                    suffix = "." + name.rsplit(".", 1)[-1] if "." in name.lstrip(".") else name
                    if name.startswith(".env"):
                        suffix = ".env"  # `.env.local`, `.env.development`: python-dotenv's format too
                    doc = parse_config(data.decode("utf-8-sig"), suffix)
                except UnicodeDecodeError:
                    doc = None
            self._configs[key] = doc
        return self._configs[key]

    def _config_path(self, reader: str, written: str) -> Optional[Tuple[Path, str]]:
        """The file a module loads, and its display path ("" outside the root)."""
        path = relative_to(reader, written, self.root)
        if path is None and os.path.isabs(reader):
            path = relative_to(os.path.relpath(reader, self.root), written, self.root)
        if path is None:
            return None
        try:
            display = path.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            display = ""
        return path, display

    def config_bytes(self, reader: str, written: str) -> Optional[bytes]:
        found = self._config_path(reader, written)
        if found is None:
            return None
        path, display = found
        # a file of the run as the run reads it (`fix --diff` judges the rewrite it shows), else the disk
        data = self.read(display) if display in self.displays else None
        try:
            if data is None:
                if path.stat().st_size > 1_000_000:
                    return None
                data = path.read_bytes()
            return data if len(data) <= 1_000_000 else None
        except OSError:
            return None

    def env_line(self, reader: str, written: str, name: str) -> Optional[Tuple[str, int]]:
        """Where variable `name` is set in the `.env` file a module loads: (display path, line)."""
        path = relative_to(reader, written, self.root)
        data = self.config_bytes(reader, written) if path is not None else None
        if path is None or data is None:
            return None
        try:
            display = path.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None
        from offramp.userconfig.readers import env_assignments  # lazy: start-up (a warm run reads no `.env` file)

        line = next((n for n, var in env_assignments(data.decode("utf-8-sig", "replace")) if var == name), 0)
        return (display, line) if line else None

    def configs_unchanged(self, reads: Dict[str, str]) -> bool:
        """Whether the configuration files a previous run read are the same now (also: still absent)."""
        for key, digest in reads.items():
            reader, _, written = key.partition("\0")
            found = self._config_path(reader, written)
            if found is not None and found[1] in self.known and found[1] in self.displays:
                if self.known[found[1]] != digest:
                    return False
                continue
            data = self.config_bytes(reader, written)
            if (content_hash(data) if data is not None else "") != digest:
                return False
        return True
