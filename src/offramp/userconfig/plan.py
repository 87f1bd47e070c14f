"""The readers of a fix run's configuration files, from its Python code before and after the fix.

`offramp fix` fixes the Python files first; then each configuration file with the `FileReaders`
this module derives (`offramp.userconfig.readers`): the view before is taken before any file is
written, the view after from the fixed texts (the same with `--diff`, where nothing is written).
Nothing is indexed when no configuration file of the run would change even with every reader
migrated, which is the common case (most trees hold no OpenAI settings outside the code).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

from offramp.catalog import load_sdk
from offramp.engine import display_path
from offramp.providers import Provider, known_provider_hosts
from offramp.source import SourceError, read_bytes, read_snapshot
from offramp.userconfig.compose import is_compose_file
from offramp.userconfig.frameworkfiles import holds_blocks
from offramp.userconfig.kind import MAX_CONFIG_BYTES, config_kind
from offramp.userconfig.readers import View, build_view, env_readers, programs, structured_readers
from offramp.userconfig.text import Text
from offramp.userconfig.together import ALL_MIGRATED, MIGRATED, UNKNOWN, UNMIGRATED, FileReaders

if TYPE_CHECKING:
    from offramp.engine import Options


class ConfigReaders:
    """Built with the run's files before anything is fixed; `after(...)` once the Python files are."""

    def __init__(
        self,
        files: Sequence[Path],
        root: Path,
        provider: Provider,
        display: Callable[[Path], str],
        would_change: Callable[[Path], Optional[List[str]]],
    ) -> None:
        """`would_change(path)`: None when the configuration file would not change with every reader
        migrated, else the variables it defines (empty for a structured file)."""
        self.root = root
        self.provider = provider
        self.by_display: Dict[str, Path] = {display(p): p for p in files}
        self.pys = programs(self.by_display)
        self.wanted: Dict[Path, List[str]] = {}
        for p in files:
            if config_kind(p) is None or p.suffix in (".py", ".ipynb"):
                continue
            try:
                names = would_change(p)
            except Exception:  # the fix of that file reports it; here it is only a candidate less
                names = None
            if names is not None:
                self.wanted[p] = names
        self.displays = {p: display(p) for p in self.wanted}
        # files a framework loads itself: their reader is the framework (frameworkfiles.py)
        self.framework = {
            p for p in self.wanted if config_kind(p) != "env" and _framework_file(p, self._disk(display(p)))
        }
        self.compose: List[Tuple[Path, str]] = []
        if any(config_kind(p) == "env" for p in self.wanted):
            for p in files:
                if is_compose_file(p.name):
                    data = self._disk(display(p))
                    if data is not None:
                        self.compose.append((Path(os.path.abspath(p)), data.decode("utf-8", "replace")))
        self.names = sorted({n for ns in self.wanted.values() for n in ns})
        self.before: Optional[View] = None
        self.failed = ""
        if self.wanted and self.pys:
            try:
                self.before = build_view(self.pys, self._disk, root, self.names)
            except Exception as e:  # never a crash of the fix: the files are then left as they are
                self.failed = f"{type(e).__name__}: {e}".splitlines()[0]

    def _disk(self, display: str) -> Optional[bytes]:
        path = self.by_display.get(display)
        try:
            return read_bytes(path, self.root) if path is not None else None
        except (SourceError, OSError):
            return None

    def after(self, new_texts: Dict[str, bytes]) -> Dict[str, FileReaders]:
        """The readers of each configuration file that could change, by `key(path)`; `new_texts`: the
        fixed Python files by display path."""
        if not self.wanted:
            return {}
        own = {key(p): FileReaders(MIGRATED) for p in self.framework}
        if len(own) == len(self.wanted):
            return own
        if self.failed:
            why = f"offramp could not work out who reads it (internal error: {self.failed})"
            return {**{key(p): FileReaders(UNKNOWN, why=why) for p in self.wanted}, **own}
        if self.before is None:
            why = "no Python code in this run reads it"
            return {**{key(p): FileReaders(UNKNOWN, why=why) for p in self.wanted}, **own}

        def read(display: str) -> Optional[bytes]:
            return new_texts[display] if display in new_texts else self._disk(display)

        try:
            after = build_view(self.pys, read, self.root, self.names)
            out: Dict[str, FileReaders] = {}
            for p, names in self.wanted.items():
                if config_kind(p) == "env":
                    display = self.displays[p]
                    out[key(p)] = env_readers(
                        display, names, self.before, after, self.provider, self.root, self.pys, self.compose
                    )
                elif p in self.framework:
                    readers = structured_readers(p, after, self.provider, self.root)
                    out[key(p)] = readers if readers.state == UNMIGRATED else FileReaders(MIGRATED)
                else:
                    out[key(p)] = structured_readers(p, after, self.provider, self.root)
        except Exception as e:
            self.failed = f"{type(e).__name__}: {e}".splitlines()[0]
            return self.after(new_texts)
        return out

    def env_values(
        self, new_texts: Dict[str, bytes], opts: Options, region: Optional[str]
    ) -> Dict[str, Dict[str, str]]:
        """The variables of each `.env` file `fix` would rewrite, by display path, as it would write them once the
        Python files are `new_texts`: a model the program reads from one is settled when its line moves
        (fixes/routegate.py)."""
        from offramp.userconfig.envfile import scan_env  # lazy: start-up

        readers = self.after(new_texts)
        out: Dict[str, Dict[str, str]] = {}
        for p, display in self.displays.items():
            if config_kind(p) != "env":
                continue
            try:
                text = read_snapshot(p, self.root)[0].decode("utf-8-sig")
            except (SourceError, OSError, UnicodeDecodeError):
                continue
            new, _ = fix_text(display, text, self.provider, opts, region, readers.get(key(p)))
            entries = scan_env(Text(new)).entries
            out[display] = {e.key: e.value.value for e in entries if e.key and e.value is not None}
        return out


def _framework_file(path: Path, data: Optional[bytes]) -> bool:
    kind = config_kind(path)
    return data is not None and kind is not None and holds_blocks(kind, data.decode("utf-8-sig", "replace"))


def key(path: Path) -> str:
    """A file's key in `ConfigReaders.after`: the same file given as a relative or an absolute path."""
    return os.path.abspath(path)


def for_run(files: Sequence[Path], provider: Provider, opts: Options, region: Optional[str]) -> ConfigReaders:
    """The readers of a run's configuration files, as `fix` and the suggestions work them out."""
    root = opts.root
    return ConfigReaders(
        files,
        root,
        provider,
        lambda p: display_path(p, root),
        lambda p: would_change(p, provider, opts, region),
    )


def fix_text(
    display: str,
    text: str,
    provider: Provider,
    opts: Options,
    region: Optional[str],
    readers: Optional[FileReaders] = None,
) -> Tuple[str, Counter[str]]:
    """A configuration file's text as `fix` leaves it, with the run's settings; no `readers`: none known."""
    from offramp.userconfig.fix import fix_config  # lazy: start-up

    return fix_config(
        display,
        text,
        provider,
        load_sdk(),
        dict(opts.models),
        region=region,
        provider_hosts=known_provider_hosts(),
        readers=readers or FileReaders(UNKNOWN),
    )


def would_change(path: Path, provider: Provider, opts: Options, region: Optional[str]) -> Optional[List[str]]:
    """None when the configuration file would stay as it is even with every reader migrated; else the
    variables it defines (a `.env` file) or an empty list."""
    from offramp.userconfig.envfile import scan_env  # lazy: start-up
    from offramp.userconfig.fix import fix_config  # lazy: start-up

    try:
        data = read_snapshot(path, opts.root)[0]
        if len(data) > MAX_CONFIG_BYTES:
            return None
        text = data.decode("utf-8-sig")
    except (SourceError, OSError, UnicodeDecodeError):
        return None
    display = display_path(path, opts.root)
    models, hosts = dict(opts.models), known_provider_hosts()
    new, _ = fix_config(
        display, text, provider, load_sdk(), models, region=region, provider_hosts=hosts, readers=ALL_MIGRATED
    )
    if new == text:
        return None
    if config_kind(display) != "env":
        return []
    return [e.key for e in scan_env(Text(text)).entries if e.key]
