"""Start-up with fewer garbage collections.

Importing the service and loading its resources make hundreds of thousands of objects that live
as long as the process (modules, the matcher's titles and indexes, the skill space). With the
collector's default threshold (a collection every 700 new objects), start-up collects thousands of
times, each walking the young objects again: about a fifth of the start's CPU time. :func:`long_lived`
collects only every 100,000 new objects while they are made (garbage cycles are still collected, so
a first start that embeds for minutes does not grow), then moves the survivors out of the collector's
reach (`gc.freeze`): later collections, while serving, skip them too. Reference counting still frees
everything that is dropped; only reference cycles that survive start-up stay until :func:`release`
(at shutdown) hands them back to the collector.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

START_UP_THRESHOLD = 100_000  # new objects between two collections during start-up


@contextmanager
def long_lived() -> Iterator[None]:
    """Collect rarely while the block makes long-lived objects; freeze them once it is done."""
    previous = gc.get_threshold()
    if previous[0]:  # 0: collection is off, and stays so
        gc.set_threshold(max(START_UP_THRESHOLD, previous[0]), *previous[1:])
    try:
        yield
    finally:
        gc.freeze()
        gc.set_threshold(*previous)


def release() -> None:
    """Hand the frozen objects back to the collector (at shutdown: a test process starts many apps)."""
    gc.unfreeze()
