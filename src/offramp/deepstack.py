"""Run a function on a thread with a deep stack and a recursion limit to match.

LibCST's native parser recurses on the C stack, and its visitors, metadata providers and code
generator recurse in Python (source.parse_module screens what would crash it); this module gives
them the room that code nested as deeply as CPython accepts needs.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any, Callable, Iterator, List, Optional, Tuple, TypeVar

if TYPE_CHECKING:
    import queue

T = TypeVar("T")

# LibCST's native parser recurses on the C stack, and its visitors, metadata providers and code
# generator recurse in Python: for every nested bracket, block or link of a chain, a few frames
# (measured on CPython 3.11: 7 for a list in a list, 10 for a subscript, 13 for a generator
# expression, 9 for a block, 3 for a link of `a + b + ...`, `a.b.c...` or `a and b and ...`).
# Python's default limit of 1000 frames stops the analysis at ~140 nested lists, well inside
# what CPython accepts (200 brackets, 100 blocks, chains of ~3000 links). So the parse and the
# analysis run on a thread with a deep stack and a recursion limit to match: 100k frames use
# under 32 MB of that stack (measured), so what goes deeper still ends in a RecursionError,
# never a crash. (CPython 3.12 also caps C recursion at a fixed depth, below this limit.)
DEEP_STACK_SIZE = 512 << 20
DEEP_RECURSION_LIMIT = 100_000
_deep = threading.local()


def stack_depth() -> int:
    frame: Optional[FrameType] = sys._getframe(1)
    depth = 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


@contextlib.contextmanager
def recursion_limit(limit: int) -> Iterator[None]:
    old: Optional[int] = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(limit)
    except RecursionError:  # already deeper than that: keep the current limit
        old = None
    try:
        yield
    finally:
        if old is not None:
            sys.setrecursionlimit(old)


_arena_limited: List[bool] = []


def _one_malloc_arena() -> None:
    """Have glibc serve every thread from the main malloc arena.

    By default each new thread gets an arena of its own, which keeps what LibCST's native parser
    freed there: `fix` runs four deep-stack threads per file (check, fix, verify, check again), and
    its peak RSS on a generated 5k-line module was 213 MB with them against 142 MB with one arena
    (LibCST's parse alone: 102 MB). offramp's threads run one at a time, so nothing waits for
    the shared arena. Elsewhere than glibc this does nothing.
    """
    if _arena_limited:
        return
    _arena_limited.append(True)
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # lazy: start-up (a run that parses nothing with LibCST)

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(-8, 1)  # M_ARENA_MAX


def on_deep_stack(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on a thread with a DEEP_STACK_SIZE stack and DEEP_RECURSION_LIMIT, for parsing
    and walking LibCST trees of code nested as deeply as CPython accepts. Returns its result or
    raises its exception; on the deep thread already (or if no such thread can be made), calls
    it directly.

    The recursion limit is the interpreter's, so it is raised only while the thread runs (offramp
    analyses one file at a time per process). An interrupt (Ctrl-C, or SIGTERM turned into an
    exception) is passed on to the thread and raised here once the thread is done with `fn`: a
    thread still inside LibCST's native code when the interpreter shuts down aborts the process
    (SIGABRT). (Thread.join is not used to wait: on 3.11 an interrupted join marks a running
    thread as stopped.)
    """
    if getattr(_deep, "active", False):
        return fn(*args)
    _one_malloc_arena()
    import queue  # lazy: start-up

    done: queue.SimpleQueue = queue.SimpleQueue()

    from offramp.fastvisit import fast_visits  # lazy: start-up (LibCST's work: it is loaded, or about to be)

    def work() -> None:
        _deep.active = True
        outcome: Tuple[bool, Any] = (False, KeyboardInterrupt())
        try:
            try:
                with fast_visits():  # every LibCST walk runs here: read-only ones without LibCST's copies
                    outcome = (True, fn(*args))
            except BaseException as e:  # handed to the caller's thread below
                outcome = (False, e)
        except BaseException as e:  # the caller's interrupt, arriving as `fn` finished
            outcome = (False, e)
        with contextlib.suppress(BaseException):  # the interrupt, too late to matter
            done.put(outcome)  # C code: an interrupt cannot split it

    old_limit = sys.getrecursionlimit()
    try:
        old = threading.stack_size(DEEP_STACK_SIZE)
    except (ValueError, RuntimeError):
        return fn(*args)
    try:
        worker = threading.Thread(target=work, name="offramp-deep")
        sys.setrecursionlimit(max(old_limit, DEEP_RECURSION_LIMIT))
        worker.start()
    except RuntimeError:  # no memory for the stack: run here, as LibCST normally would
        sys.setrecursionlimit(old_limit)
        return fn(*args)
    finally:
        threading.stack_size(old)
    try:
        ok, value = _wait(done, worker)
    finally:
        sys.setrecursionlimit(old_limit)
    if ok:
        return value
    raise value


def _wait(done: queue.SimpleQueue, worker: threading.Thread) -> Tuple[bool, Any]:
    import ctypes  # lazy: start-up (here, not in the handler of an interrupt)
    import queue  # lazy: start-up

    interrupted: Optional[BaseException] = None
    while True:
        try:
            outcome = done.get(timeout=0.05)
            break
        except queue.Empty:
            # The interrupt forwarded below can land in the worker after `fn` but before its
            # `put` (inside contextlib's Python code): the thread then ends with nothing queued.
            if not worker.is_alive():
                try:
                    outcome = done.get_nowait()
                except queue.Empty:
                    outcome = (False, interrupted or KeyboardInterrupt())
                break
        except BaseException as e:  # KeyboardInterrupt, or cli.Terminated on SIGTERM
            if interrupted is None and worker.ident is not None:  # once: stop it at its next instruction
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(type(e)))
            interrupted = interrupted or e
    return (False, interrupted) if interrupted is not None else outcome
