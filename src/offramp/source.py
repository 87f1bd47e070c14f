"""Read source files exactly and write them back atomically.

A migration tool earns trust by never damaging a file: we keep the declared encoding, the
byte-order mark and the line endings, and replace files with a rename so that an interrupted
run leaves either the old or the new content, never half of each.
"""

from __future__ import annotations

import ast
import codecs
import collections
import contextlib
import errno
import gc
import io
import itertools
import os
import re
import signal
import stat
import threading
import time
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Deque, Dict, Hashable, Iterator, List, Optional, Tuple, TypeVar, cast

from offramp.deepstack import on_deep_stack, recursion_limit, stack_depth

if TYPE_CHECKING:
    import libcst as cst

T = TypeVar("T")


class SourceError(Exception):
    """The file cannot be read or decoded; the message is one line for the user."""


@dataclass(frozen=True)
class SourceFile:
    """A file as read, with how it was stored (encoding, BOM): `fix` writes it back the same way."""

    path: Path
    data: bytes
    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        """Turn edited text back into bytes the way this file was stored."""
        body = text.encode(self.encoding)
        return codecs.BOM_UTF8 + body if self.bom else body


def read_bytes(path: Path, root: Optional[Path] = None) -> bytes:
    return read_snapshot(path, root)[0]


def read_snapshot(path: Path, root: Optional[Path] = None) -> Tuple[bytes, os.stat_result]:
    """The bytes of a file to check or fix, and the stat of what was read (for `write_atomic`'s
    `expect`). A symbolic link counts only when it leads to a regular file inside `root` (the
    project root; see rawread); a configuration file or notebook holding NUL bytes is not text."""
    from offramp.rawread import LinkOutsideRoot, NotRegularFile, not_text, read_regular_stat  # lazy: start-up

    try:
        data, st = read_regular_stat(path, root)
    except LinkOutsideRoot:
        raise SourceError("symbolic link to a file outside the project; not read (nor written)") from None
    except NotRegularFile:
        # A FIFO would block the run forever; a device, socket or /proc file is not source code.
        raise SourceError("not a regular file") from None
    except IsADirectoryError:
        raise SourceError("is a directory") from None
    except PermissionError:
        raise SourceError("permission denied") from None
    except FileNotFoundError:
        raise SourceError("no such file (broken symlink?)") from None
    except OSError as e:
        raise SourceError(e.strerror or str(e)) from None
    if not_text(path, data):
        raise SourceError("contains NUL bytes: binary or UTF-16, not UTF-8 text")
    return data, st


def decode(path: Path, data: bytes) -> SourceFile:
    """Decode as Python would (BOM, PEP 263 cookie, else UTF-8)."""
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as e:
        raise SourceError(f"bad encoding declaration: {e.msg if hasattr(e, 'msg') else e}") from None
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        reason = e.reason if isinstance(e, UnicodeDecodeError) else str(e)
        raise SourceError(f"not valid {encoding}: {reason}") from None
    return SourceFile(path=path, data=data, text=text, encoding=encoding, bom=bom)


def read_source(path: Path, root: Optional[Path] = None) -> SourceFile:
    return decode(path, read_bytes(path, root))


TEMP_SUFFIX = ".offramp-tmp"
# `.NAME.PID.RANDOM.offramp-tmp` (mkstemp's 8 random characters); before the PID was added, `.NAME.RANDOM.offramp-tmp`.
_TEMP_NAME = re.compile(r"\A\..+?\.(?:(\d+)\.)?[a-z0-9_]{8}\.offramp-tmp\Z")
# A temporary file lives for the length of one write and fsync (milliseconds; seconds for a
# 50 MB file on a slow disk): one this old, of a process that is gone, was left by a killed run.
STALE_TEMP_SECONDS = 60


class FileChanged(OSError):
    """The file is not what offramp read any more (an edit saved meanwhile): it is left as it is."""


def write_atomic(path: Path, data: bytes, expect: Optional[Tuple[bytes, os.stat_result]] = None) -> None:
    """Replace (or create) `path` with `data` in one rename, keeping its permission bits (and owner, where allowed).

    The temporary file lives in the same directory so the rename cannot cross file systems.
    A symbolic link is refused, never written through: its target may lie outside the tree
    offramp was given (a pull request can add `report.md -> ~/.bashrc`). A read-only file is
    refused: the rename would succeed, but a read-only bit is usually someone's decision (a
    VCS lock, a generated or vendored file). SIGINT/SIGTERM are held while the temporary file
    exists, so an interrupt lands before the file is created or after the rename, never in
    between; temporary files a killed run left in the directory are removed first.

    `expect` is (bytes, stat) as read (`read_snapshot`): right before the rename the file must
    still be that very file with those bytes, else FileChanged and nothing is written. The
    bytes are compared too, not only inode, size and mtime: an edit within the file system's
    timestamp granularity keeps all three, and the file is small next to what fix spent on it.
    """
    if os.path.islink(path):
        raise OSError(errno.ELOOP, "is a symbolic link (offramp never writes through one)", str(path))
    try:
        st: Optional[os.stat_result] = os.stat(path)
    except FileNotFoundError:
        if expect is not None:
            raise FileChanged(errno.ENOENT, "deleted since offramp read it", str(path)) from None
        st = None
    if st is not None and (not st.st_mode & 0o222 or not os.access(path, os.W_OK)):
        raise PermissionError(errno.EACCES, "file is read-only", str(path))
    directory = os.path.dirname(os.path.abspath(path))
    remove_stale_temps(directory)
    import tempfile  # lazy: start-up (check writes nothing)

    with _signals_held():
        fd, tmp = tempfile.mkstemp(
            prefix=f".{os.path.basename(path)}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=directory
        )
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if st is None:
                os.chmod(tmp, 0o666 & ~_umask())  # as `open(path, "w")` would have made it
            else:
                if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(OSError):
                        os.chown(tmp, st.st_uid, st.st_gid)
                os.chmod(tmp, st.st_mode & 0o7777)
            if expect is not None and not _unchanged(path, *expect):
                raise FileChanged(errno.EBUSY, "changed since offramp read it", str(path))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _unchanged(path: Path, data: bytes, st: os.stat_result) -> bool:
    from offramp.rawread import read_regular_stat  # lazy: start-up

    try:
        now, now_st = read_regular_stat(path)
    except OSError:
        return False
    identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    return identity == (now_st.st_dev, now_st.st_ino, now_st.st_size, now_st.st_mtime_ns) and now == data


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_swept: set = set()


def remove_stale_temps(directory: str) -> None:
    """Delete the temporary files a killed offramp (kill -9, power loss) left in `directory`.

    Only files that are offramp's beyond doubt go: named as `write_atomic` names them, regular
    files owned by this user, older than STALE_TEMP_SECONDS, and (where the name says) of a
    process that no longer runs. Each directory is looked at once per process, before the
    first write there.
    """
    if directory in _swept:
        return
    _swept.add(directory)
    old = time.time() - STALE_TEMP_SECONDS
    try:
        with os.scandir(directory) as it:
            entries = [e for e in it if e.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return
    for entry in entries:
        m = _TEMP_NAME.match(entry.name)
        if m is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mtime > old:
            continue
        if m.group(1) is not None and _alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process (or no such process id)
        return False
    except OSError:  # PermissionError: alive, someone else's
        return True
    return True


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM for the length of the block, then deliver them.

    Only the main thread can install handlers; elsewhere (and for handlers not set from
    Python) the block runs unprotected and the caller's `except BaseException` still cleans up.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: List[int] = []
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(sig)
        if handler is None or handler == signal.SIG_IGN:
            continue
        previous[sig] = handler
        signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            signal.raise_signal(caught[0])  # now, to the handler that was there before


# CPython refuses more than this many nested brackets ("too many nested parentheses").
MAX_NESTING = 200
# A one-line string left open ends at its line's end: were it required to close, every quote of
# `"\"\"\"...` would rescan the rest of the line (quadratic: 10 kB took 0.3 s, 100 kB 30 s). A
# lone backslash can only be the text's last character, so the loop always stops at a quote, a
# line break or the end, and nothing is ever backtracked.
_STRINGS_AND_COMMENTS = re.compile(
    r"(?s)(\"\"\"|''').*?(?:\1|$)"  # triple-quoted strings (to the end of the text if unclosed)
    r"""|"(?:\\.|[^"\\\n]|\\)*(?:"|(?=\n)|\Z)|'(?:\\.|[^'\\\n]|\\)*(?:'|(?=\n)|\Z)"""  # one-line strings
    r"|#[^\n]*"  # comments
)
_BRACKETS = re.compile(r"[()\[\]{}]")
# How long a chain `ast.parse` accepts depends on the recursion limit left (3 links a frame), so
# the screen runs it with Python's default limit above its own frames: it lets through what
# `python` itself accepts at the top level of a script, never more.
SCREEN_RECURSION_LIMIT = 1000


class NestingError(RecursionError):
    """The source nests deeper than Python's own parser accepts; LibCST is not asked to try."""


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module`, minus the ways a hostile or generated file can crash the process.

    LibCST's native parser overflows the C stack (a segmentation fault, not an exception) on a
    few thousand nested brackets. CPython's parser has explicit limits, so it screens the text
    first: what it rejects for depth raises NestingError (a RecursionError) without reaching
    LibCST. Text it rejects for other reasons may still be newer syntax that LibCST reads; a
    bracket count keeps that path inside CPython's limit too. Both run on a deep stack (see
    `on_deep_stack`), where the module should also be analysed.

    The tree is about a million objects per 20k lines, none of them in a reference cycle, and
    analysing it allocates as many again: every full collection of the cyclic garbage collector
    walked the whole tree. Frozen (`gc.freeze`), it is still freed by reference counting when
    dropped, and the collector skips it (fix on a generated 5k-line module: 9.4 -> 7.9 CPU-s).
    """
    global _last_parse
    if _last_parse is not None and (_last_parse[0] is text or _last_parse[0] == text):
        return _last_parse[1]  # see reusing_parses
    forget_parse()  # the tree kept for another text is not kept alive beside this one
    gc.collect()  # what the last file left in cycles (a planner and its edit closures), before...
    module = on_deep_stack(_parse_module, text)
    gc.freeze()  # ...the tree and all else alive now leave the collector's scans (see below)
    if _reusing:
        _last_parse = (text, module)
        _derived.clear()
    return module


def forget_parse() -> None:
    """Drop the module `reusing_parses` keeps, and what was derived from it, before it ends."""
    global _last_parse
    _run_before_forget()
    _last_parse = None
    _derived.clear()


def kept(module: cst.Module) -> bool:
    """Whether `module` is the tree `reusing_parses` keeps (see `before_forget`)."""
    return _reusing > 0 and _last_parse is not None and _last_parse[1] is module


def before_forget(fn: Callable[[], None]) -> None:
    """`fn()` runs before the kept tree is dropped (the next parse of another text, or the end of
    `reusing_parses`): work put off on that tree (fixes/onefile.py: a rewrite the route gate may still
    replace) is done while the tree is still there, and never keeps it alive beside another one."""
    _before_forget.append(fn)


def _run_before_forget() -> None:
    while _before_forget:
        _before_forget.pop(0)()


def derived(module: cst.Module, key: Hashable, make: Callable[[], T]) -> T:
    """`make()`, computed once for the module just parsed within `reusing_parses()`.

    `fix` analyses the module it has just checked: the analysis (scopes, positions, resolution:
    more than the parse itself on a large file) is the same, since the tree is.
    """
    if not _reusing or _last_parse is None or _last_parse[1] is not module:
        return make()
    if key not in _derived:
        _derived[key] = make()
    return cast(T, _derived[key])


# Within `reusing_parses()`, the last text parsed and its module (LibCST trees are immutable),
# and what was computed from that module (see `derived`).
_last_parse: Optional[Tuple[str, cst.Module]] = None
_derived: Dict[Hashable, object] = {}
_before_forget: List[Callable[[], None]] = []
_reusing = 0


@contextlib.contextmanager
def reusing_parses() -> Iterator[None]:
    """Parsing the text just parsed again returns the same module, within the block.

    `fix` parses a file twice (to check it, then to fix it) and its result twice (to verify it,
    then to check it again): a large file's parse takes seconds. Only the last parse is kept, so
    no more trees are alive than without it; none once the block ends.
    """
    global _reusing, _last_parse
    _reusing += 1
    try:
        yield
    finally:
        _reusing -= 1
        if not _reusing:
            try:
                _run_before_forget()
            finally:
                _last_parse = None
                _derived.clear()


def note_cpython_accepts(text: str) -> None:
    """`ast.parse(text)` has just succeeded (at this recursion limit or a lower one)."""
    _cpython_accepted.append(text)


def cpython_accepted(text: str) -> bool:
    """Whether CPython's parser accepted this text lately (`note_cpython_accepts`). `fix` asks it of the
    text it checked (screened when parsed) and of its rewrite (parsed when the imports were tidied):
    each parse of a large file is a tenth of LibCST's."""
    return any(t is text or t == text for t in _cpython_accepted)


# The last two texts CPython's parser accepted (see cpython_accepted)
_cpython_accepted: Deque[str] = collections.deque(maxlen=2)


def keep_ast(text: str, tree: ast.Module) -> None:
    """Keep the `ast` of `text` just parsed for `last_ast`: the project index of the same file
    (runner._check_one) reads it instead of parsing the text a second time. One tree at a time."""
    _last_ast[:] = [text, tree]


def last_ast(text: str) -> Optional[ast.Module]:
    """The tree `keep_ast` kept for this text, if it was the last one (the same text decoded again, as
    `_check_one` does with bytes the pool's first round read, is the same text)."""
    return cast(ast.Module, _last_ast[1]) if _last_ast and (_last_ast[0] is text or _last_ast[0] == text) else None


_last_ast: List[object] = []
# The screen keeps its tree up to this size: an `ast` is ~50 bytes a character, and a larger file's
# stays alive through its LibCST analysis (fix's peak on a 160k-character module: +10%).
_KEEP_AST_CHARS = 100_000


def _parse_module(text: str) -> cst.Module:
    import libcst as cst  # lazy: start-up

    _screen_depth(text)
    return cst.parse_module(text)


def _screen_depth(text: str) -> bool:
    """True when CPython's parser accepts the text (it did so in another process: `screened_elsewhere`)."""
    if (_screened and _screened[0] == text) or last_ast(text) is not None:  # (a kept tree was parsed by CPython)
        note_cpython_accepts(text)
        return True
    with warnings.catch_warnings(), recursion_limit(SCREEN_RECURSION_LIMIT + stack_depth()):
        warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes is not ours to print
        try:
            tree = ast.parse(text)
            note_cpython_accepts(text)
            if len(text) <= _KEEP_AST_CHARS:
                keep_ast(text, tree)
            else:
                _last_ast.clear()
            return True
        except (RecursionError, MemoryError):
            raise NestingError("nested deeper than Python's parser accepts") from None
        except SyntaxError as e:
            if "too many nested parentheses" in str(e.msg or ""):
                raise NestingError(f"brackets nested more than {MAX_NESTING} deep (Python's limit)") from None
        except ValueError:  # null bytes (3.11 and older): LibCST reports it as a syntax error
            pass
    if bracket_depth(text) > MAX_NESTING:
        raise NestingError(f"brackets nested more than {MAX_NESTING} deep (Python's limit)")
    return False


def screen(text: str) -> bool:
    """`parse_module`'s screen alone, on a deep stack as there: whether CPython's parser accepts the text
    (its tree is then kept for `last_ast`). The pool's first round (pooled.py) runs it to index a module."""
    try:
        return on_deep_stack(_screen_depth, text)
    except RecursionError:
        return False


def was_screened_elsewhere(text: str) -> bool:
    """Within `screened_elsewhere(text)`: the pool's first round screened these bytes (and found that their
    imports bring in a client: analysis.needs_scopes)."""
    return bool(_screened) and _screened[0] == text


@contextlib.contextmanager
def screened_elsewhere(text: Optional[str]) -> Iterator[None]:
    """Within the block, the screen takes `text` as accepted without parsing it again: another process
    screened the same bytes (`screen`) and CPython's parser accepted them."""
    _screened[:] = [text] if text is not None else []
    try:
        yield
    finally:
        _screened.clear()


_screened: List[str] = []


def bracket_depth(text: str) -> int:
    """The deepest bracket nesting outside strings and comments (a close approximation)."""
    brackets = _BRACKETS.findall(_STRINGS_AND_COMMENTS.sub("", text))
    return max(itertools.accumulate(1 if b in "([{" else -1 for b in brackets), default=0)
