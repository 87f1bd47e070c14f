"""`python -m offramp` runs the same command line as the `offramp` script."""

from offramp.cli import main

main()
