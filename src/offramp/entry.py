"""The `offramp` console script: a check with nothing to parse first, else the full command line.

`offramp check` on a tree (or a pre-commit batch) without OpenAI code is answered by
`quickcheck` before click, rich or LibCST are imported; everything else, and every case
`quickcheck` is unsure about, goes to `offramp.cli`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys

# Young collections of the cyclic garbage collector every 50,000 allocations, not 700: LibCST's trees and
# the analyses allocate millions of objects, nearly none in cycles, and a cold check of the SDK corpora
# ran 2,947 young and 190 middle collections (0.33 of 6.6 CPU-s; now 7 and none: 0.06). Parsed trees are
# frozen out of the scans (source.parse_module), which collects all before each parse.
_GC_THRESHOLD = (50_000, 20, 10)


def main() -> None:
    gc.set_threshold(*_GC_THRESHOLD)
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
