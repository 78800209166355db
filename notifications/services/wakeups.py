"""Coalesced delivery tasks: an emit shares the `deliver` tasks already waiting in the queue
instead of adding one of its own, counted in a cache all processes share.

Why: every emit used to enqueue a task for its few rows. Under a backlog (a sale, a broker
outage just ended) the first tasks fill their batches with the rows of the later ones, which
then find nothing left: about 2.5 ms of Celery and broker work each, a third of a message's
cost. Now at most NOTIFICATIONS_WAITING_TASKS counted ("woken") tasks wait at once; an emit
that finds that many enqueues nothing.

Why nothing is lost: the emit's rows are committed before it counts, so each waiting task,
which uncounts itself before it claims, sees them. A woken task claims any due rows, oldest
first, up to a batch (not only rows behind, see `delivery.FILL_AFTER_SECONDS`); a woken task
that claimed a full batch wakes another before sending, so a backlog drains in full batches
on every worker. A count left by a task that never started (lost by the broker) is forgotten
when the counter expires (`COUNTER_TTL`), and the sweeper delivers rows no task claimed.

On only when NOTIFICATIONS_COALESCE_TASKS is true, which needs a cache shared by the web and
worker processes (Redis: CACHE_URL); a cache error falls back to one task per emit.
"""

from __future__ import annotations

import contextlib
import logging

from django.core.cache import caches

from notifications import conf

logger = logging.getLogger(__name__)

#: Seconds the counter lives after it is created: a count a lost task left behind stops
#: holding emits back after this at the latest.
COUNTER_TTL = 30


def _key() -> str:
    return f"notifications:deliver:waiting:{conf.queue() or 'default'}"


def coalescing() -> bool:
    return bool(conf.get("NOTIFICATIONS_COALESCE_TASKS"))


def wake_reserve() -> bool | None:
    """Count one more waiting woken task. True: counted, send it; False: enough are waiting,
    send nothing (nothing counted); None: the cache failed, send a task as without
    coalescing (nothing counted)."""
    cache, key = caches["default"], _key()
    try:
        cache.add(key, 0, timeout=COUNTER_TTL)
        try:
            waiting = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 0, timeout=COUNTER_TTL)
            waiting = cache.incr(key)
        if waiting <= conf.waiting_tasks():
            return True
        with contextlib.suppress(ValueError):  # expired since the incr: nothing to take back
            cache.decr(key)
    except Exception:  # any cache backend error: deliver without coalescing
        logger.warning("delivery task counter unavailable; one task per emit", exc_info=True)
        return None
    return False


def wake_release() -> None:
    """Uncount a woken task: it started (before it claims), or was never sent."""
    try:
        caches["default"].decr(_key())
    except ValueError:  # the counter expired: nothing to uncount
        pass
    except Exception:  # any cache backend error: the TTL resets the count
        logger.warning("delivery task counter unavailable", exc_info=True)
