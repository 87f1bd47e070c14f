"""`python -m offramp` runs the same command line as the `offramp` script."""

import os
import sys

# `python -m` puts the current directory first on sys.path, so a scanned project's own
# `click.py`, `secrets.py` or `tokenize.py` would be imported (and run) in place of the real
# module. offramp is installed, never run from the directory it scans: drop that entry.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from offramp.entry import main

main()
