"""Hand outbox rows to Celery: one `deliver` task per chunk of at most 100 ids, or, for a fresh
emit, a share of the tasks already waiting (`wakeups`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from notifications import conf

from . import wakeups

logger = logging.getLogger(__name__)


def deliveries_enqueue(*, message_ids: Sequence[int], countdown: float | None = None,
                       coalesce: bool = False) -> int:
    """Send `deliver` tasks for `message_ids` in chunks (NOTIFICATIONS_BATCH_SIZE, at most 100)
    to NOTIFICATIONS_CELERY_QUEUE (default routing when unset); returns the number of tasks.
    A broker error reaches the caller; the sweeper re-enqueues whatever was not sent.

    `coalesce` (fresh rows that fit one task, due now): with NOTIFICATIONS_COALESCE_TASKS on,
    the task is "woken" and counted, and none is sent when enough woken tasks already wait:
    one of them delivers these rows (see `wakeups`)."""
    from notifications.tasks import deliver  # tasks import services: import at call time

    ids = [int(pk) for pk in message_ids]
    size, queue = conf.batch_size(), conf.queue()
    options = {"queue": queue} if queue else {}
    if countdown:
        options["countdown"] = countdown
    if coalesce and not countdown and len(ids) <= size and wakeups.coalescing():
        if wakeups.wake_reserve() is False:
            return 0
        try:  # counted, or the cache failed: a woken task either way (it claims any due row)
            deliver.apply_async(args=[ids], kwargs={"woken": True}, **options)
        except Exception:
            wakeups.wake_release()
            raise
        return 1
    chunks = [ids[start:start + size] for start in range(0, len(ids), size)]
    for chunk in chunks:
        deliver.apply_async(args=[chunk], **options)
    logger.debug("enqueued %d outbox ids in %d tasks", len(ids), len(chunks))
    return len(chunks)
