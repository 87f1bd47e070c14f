"""`offramp` for the profiler: the deep-stack thread replaced by a direct call.

pyinstrument samples the main thread only, and offramp parses and analyses each SDK file on a
helper thread with a deep stack (source.on_deep_stack) so that code nested as deeply as CPython
accepts still works. Run inline here, that work shows up under its own functions. The corpora
have no pathological nesting, so the ordinary stack is enough for them.
"""

import sys

import offramp.engine
import offramp.source


def _inline(fn, *args):  # type: ignore[no-untyped-def]
    from offramp.fastvisit import fast_visits  # as on the deep-stack thread

    with fast_visits():
        return fn(*args)


offramp.source.on_deep_stack = _inline
offramp.engine.on_deep_stack = _inline

from offramp.entry import main  # noqa: E402

sys.argv[0] = "offramp"
main()
