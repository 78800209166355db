"""Fewer garbage collections while a bulk job runs (`fewer_collections`).

Python collects its youngest generation every 700 new container objects, and every collection
of an older one walks every object the process holds: a bulk job that builds millions of short
lived lists and dicts (the contact export: 100,000 contacts) spent about a third of its CPU in
the collector. Reference counting still frees all acyclic garbage at once; only cycles wait
longer. The thresholds are process-wide, so nested or concurrent users share one raise: the
first sets it, the last restores the thresholds found before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: New container objects between two collections of the youngest generation while paced (the
#: default is 700); the older generations keep their default ratios.
YOUNG_THRESHOLD = 50_000

_lock = threading.Lock()
_users = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the young-generation threshold to `YOUNG_THRESHOLD` for the block (left alone
    when the collector is off or already paced higher)."""
    global _users, _saved
    with _lock:
        _users += 1
        if _users == 1:
            _saved = gc.get_threshold()
            if 0 < _saved[0] < YOUNG_THRESHOLD:
                gc.set_threshold(YOUNG_THRESHOLD, *_saved[1:])
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
