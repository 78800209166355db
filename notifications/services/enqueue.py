"""Hand outbox rows to Celery: one `deliver` task per chunk of at most 100 ids."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from notifications import conf

logger = logging.getLogger(__name__)


def deliveries_enqueue(*, message_ids: Sequence[int], countdown: float | None = None) -> int:
    """Send `deliver` tasks for `message_ids` in chunks (NOTIFICATIONS_BATCH_SIZE, at most 100)
    to NOTIFICATIONS_CELERY_QUEUE (default routing when unset); returns the number of tasks.
    A broker error reaches the caller; the sweeper re-enqueues whatever was not sent."""
    from notifications.tasks import deliver  # tasks import services: import at call time

    ids = [int(pk) for pk in message_ids]
    size, queue = conf.batch_size(), conf.queue()
    options = {"queue": queue} if queue else {}
    if countdown:
        options["countdown"] = countdown
    chunks = [ids[start:start + size] for start in range(0, len(ids), size)]
    for chunk in chunks:
        deliver.apply_async(args=[chunk], **options)
    logger.debug("enqueued %d outbox ids in %d tasks", len(ids), len(chunks))
    return len(chunks)
