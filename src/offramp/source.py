"""Read source files exactly and write them back atomically.

A migration tool earns trust by never damaging a file: we keep the declared encoding, the
byte-order mark and the line endings, and replace files with a rename so that an interrupted
run leaves either the old or the new content, never half of each.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path


class SourceError(Exception):
    """The file cannot be read or decoded; the message is one line for the user."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    data: bytes
    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        """Turn edited text back into bytes the way this file was stored."""
        body = text.encode(self.encoding)
        return codecs.BOM_UTF8 + body if self.bom else body


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise SourceError("is a directory") from None
    except PermissionError:
        raise SourceError("permission denied") from None
    except FileNotFoundError:
        raise SourceError("no such file (broken symlink?)") from None
    except OSError as e:
        raise SourceError(e.strerror or str(e)) from None


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


def read_source(path: Path) -> SourceFile:
    return decode(path, read_bytes(path))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename, keeping its permission bits.

    The temporary file lives in the same directory so the rename cannot cross file systems.
    A symlink is resolved first so that the link itself survives.
    """
    target = Path(os.path.realpath(path))
    st = target.stat()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".offramp-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, st.st_mode & 0o7777)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
