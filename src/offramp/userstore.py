"""The files offramp keeps for one user of one machine, outside every tree it checks, and how it writes them.

The machine key (`cache-key`, 32 random bytes, mode 0600) signs every cache file offramp writes in a
tree (cache.py): a tree is written by strangers, this directory is not. It lives in the user cache
directory: `$XDG_CACHE_HOME/offramp`, else `~/.cache/offramp`, `~/Library/Caches/offramp` on macOS,
`%LOCALAPPDATA%\\offramp` on Windows. Standard library only: the no-parse path of `check` reads the
parsed rules kept here (tomlcache.py) without importing the cache.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Union

    PathLike = Union[str, "os.PathLike[str]"]

_KEY_BYTES = 32
_MAX_CACHE_BYTES = 256 << 20  # a bigger "cache file" is not one of ours
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def user_dir() -> Optional[str]:
    """offramp's directory in the user cache directory (not created here); None when there is none. Paths here
    are strings: the no-parse path of `check` reads parsed TOML from here without importing pathlib."""
    home = _user_cache_dir()
    return os.path.join(home, "offramp") if home is not None else None


def machine_key() -> Optional[bytes]:
    """This machine's secret for signing cache files, created on first use; None when it cannot be kept."""
    home = user_dir()
    if home is None:
        return None
    path = os.path.join(home, "cache-key")
    try:
        key = read_regular_file(path, _KEY_BYTES + 1)
        if key is not None:
            return key if len(key) == _KEY_BYTES else None
        import secrets  # lazy: start-up (once per machine)

        os.makedirs(home, mode=0o700, exist_ok=True)
        create_once(path, secrets.token_bytes(_KEY_BYTES), mode=0o600)
        key = read_regular_file(path, _KEY_BYTES + 1)  # another process may have won the race
    except OSError:
        return None
    return key if key is not None and len(key) == _KEY_BYTES else None


def _user_cache_dir() -> Optional[str]:
    base = os.environ.get("XDG_CACHE_HOME")
    if base and os.path.isabs(base):
        return base
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return local if local else None
    home = os.path.expanduser("~")
    if home == "~" or not os.path.isabs(home):
        return None
    return os.path.join(home, "Library", "Caches") if sys.platform == "darwin" else os.path.join(home, ".cache")


def read_regular_file(path: PathLike, limit: int = _MAX_CACHE_BYTES) -> Optional[bytes]:
    """The bytes of `path` if it is a regular file (not a link, FIFO or device) of at most `limit` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        try:
            return f.read(limit + 1)
        except OSError:
            return None


# a new file only, never through a link; Windows: no newline translation
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _write_temp(directory: PathLike, data: bytes, mode: int) -> str:
    """`data` in a new temporary file of `directory`; nothing is left behind if writing fails.

    What `tempfile.mkstemp` does (a random name created exclusively, never through a link), without importing
    `tempfile` and `random` with it: ~3.5 ms of a ~0.19 s warm check that writes its caches."""
    for attempt in range(100):  # (64 random bits: a second attempt is already unheard of)
        tmp = os.path.join(os.fspath(directory), f".offramp-cache-{os.urandom(8).hex()}.tmp")
        try:
            fd = os.open(tmp, _CREATE, 0o600)
            break
        except FileExistsError:
            if attempt == 99:
                raise
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def replace_file(path: PathLike, data: bytes) -> None:
    """Atomically replace `path` (a link there is replaced, never followed)."""
    tmp = _write_temp(os.path.dirname(os.fspath(path)) or ".", data, 0o644)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def create_once(path: PathLike, data: bytes, mode: int = 0o644) -> None:
    """Create `path` whole, or leave what is there (a file, a link, another process's copy) alone."""
    if os.path.lexists(path):
        return
    tmp = _write_temp(os.path.dirname(os.fspath(path)) or ".", data, mode)
    try:
        os.link(tmp, path)  # fails if anything appeared there meanwhile; never follows a link
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: a rare race loses one copy, harmlessly
        if not os.path.lexists(path):
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
