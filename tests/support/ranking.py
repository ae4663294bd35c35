"""Lists filled as far as the catalogs go, for tests of what happens to the programs shown (events,
analytics, the learning arm) rather than of which programs are shown: while the block runs, the
ranking keeps every course whose text stands out at all (its cut-offs on the score, on the
occupation's fit and relative to the first program are lifted); they are restored after it."""

from collections.abc import Iterator
from contextlib import contextmanager

from recommendations import ranking

LIFTED = {"RELATIVE_FLOOR": 0.0, "MIN_SCORE": 0.0, "FIT_Z_FLOOR": float("-inf")}


@contextmanager
def full_lists() -> Iterator[None]:
    kept = {name: getattr(ranking, name) for name in LIFTED}
    for name, value in LIFTED.items():
        setattr(ranking, name, value)
    try:
        yield
    finally:
        for name, value in kept.items():
            setattr(ranking, name, value)
