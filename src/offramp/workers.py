"""Worker process pools that stop cleanly on Ctrl-C or SIGTERM.

Workers ignore SIGINT and SIGTERM: a Ctrl-C reaches the whole process group, and a worker
that died mid-batch would print a traceback and leave the pool broken. The parent decides
instead: on an interrupt it cancels the batches not yet started, lets the running ones
finish (each file is written by one atomic rename, so a file is either old or new), and
re-raises.
"""

from __future__ import annotations

import contextlib
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


@contextlib.contextmanager
def process_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_interrupts)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
