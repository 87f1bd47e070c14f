"""The `offramp` console script: a check with nothing to parse first, else the full command line.

`offramp check` on a tree (or a pre-commit batch) without OpenAI code is answered by
`quickcheck` before click, rich or LibCST are imported; everything else, and every case
`quickcheck` is unsure about, goes to `offramp.cli`.
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["check"]:
        from offramp.quickcheck import run

        try:
            code = run(args[1:])
        except KeyboardInterrupt:
            sys.stderr.write("offramp: interrupted\n")
            sys.exit(130)
        if code is not None:
            sys.exit(code)
    from offramp.cli import main as cli

    cli()
