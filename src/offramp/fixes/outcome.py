"""What fixing one file came to: `Fixed | Unchanged | Refused | Failed`.

One typed value instead of a `changed` flag and an `error` string that had to be read together
(libcst.codemod says the same with TransformSuccess / TransformSkip / TransformFailure). `Refused`
is offramp declining to write a rewrite it planned, to keep the file safe: the rewrite would not
parse, cannot be stored in the file's encoding, would be written through a symbolic link, or the
file changed on disk meanwhile. `Failed` is what stopped the fix before a rewrite existed, or its
write: the file could not be read or parsed, an internal error, an OS error on writing. Either
way the file is left as it was, and the reason is said once, on that file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Fixed:
    """The rewrite was written (with `--diff`: shown)."""


@dataclass(frozen=True)
class Unchanged:
    """Nothing to rewrite: no edit, or edits that give the same text."""


@dataclass(frozen=True)
class Refused:
    """A rewrite was planned and offramp would not write it (see the module docstring)."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """The file could not be read, parsed, planned or written."""

    reason: str


Outcome = Union[Fixed, Unchanged, Refused, Failed]
