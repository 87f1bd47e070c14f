"""The `offramp` console script: a check with nothing to parse first, else the full command line.

`offramp check` on a tree (or a pre-commit batch) without OpenAI code is answered by
`quickcheck` before click, rich or LibCST are imported; everything else, and every case
`quickcheck` is unsure about, goes to `offramp.cli`.
"""

from __future__ import annotations

import contextlib
import os
import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["check"]:
        from offramp.quickcheck import run  # lazy: start-up

        try:
            code = run(args[1:])
        except KeyboardInterrupt:
            sys.stderr.write("offramp: interrupted\n")
            sys.exit(130)
        except BrokenPipeError:
            _reader_gone()
        if code is not None:
            sys.exit(code)
    from offramp.cli import main as cli  # lazy: start-up

    cli()


def _reader_gone() -> None:
    """`offramp check | head`: the reader left. End quietly with status 1, as click does."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit flush
    sys.exit(1)
