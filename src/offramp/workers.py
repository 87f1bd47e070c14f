"""Worker process pools that stop cleanly on Ctrl-C or SIGTERM.

Workers ignore SIGINT and SIGTERM: a Ctrl-C reaches the whole process group, and a worker
that died mid-batch would print a traceback and leave the pool broken. The parent decides
instead: on an interrupt it cancels the batches not yet started, lets the running ones
finish (each file is written by one atomic rename, so a file is either old or new), and
re-raises.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


@contextlib.contextmanager
def process_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_interrupts)
    if multiprocessing.get_start_method(allow_none=False) == "fork":
        # Forked with every object alive here frozen (`gc.freeze`), a worker's first collection
        # (source.parse_module's, before its first parse) does not walk all of the parent's imports
        # and data: it did, ~0.15 CPU-s in each worker of a cold `check -j 2` of the SDK corpora.
        # The first task forks every worker at once; the parent is then as it was.
        gc.freeze()
        try:
            pool.submit(int)
        finally:
            gc.unfreeze()
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
