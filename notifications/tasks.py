"""Celery tasks of the notification engine: thin wrappers taking ids and calling one service."""

from __future__ import annotations

import logging
import uuid

from celery import shared_task

from .services.delivery import outbox_deliver, outbox_release
from .services.sweeper import outbox_sweep
from .services.wakeups import wake_release
from .sync import tasks as sync_tasks  # noqa: F401 (registers notifications.sync.tasks.*)

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=150)
def deliver(message_ids: list[int], woken: bool = False) -> None:
    """Deliver a batch of outbox rows (JSON: a list of ints). Retries are per row, in the
    service (a batch mixes outcomes), so the task itself never retries. `acks_late` is safe:
    delivery claims each row atomically, a redelivered task finds nothing left to claim.
    A `woken` task (`services.wakeups`) is uncounted first, then claims any due rows."""
    if woken:
        wake_release()
    token = uuid.uuid4()
    try:
        outbox_deliver(message_ids=[int(pk) for pk in message_ids], claim_token=token,
                       woken=woken)
    except Exception as exc:  # the outermost wrapper: give the rows back, then re-raise
        released = outbox_release(claim_token=token, error=f"{type(exc).__name__}: {exc}")
        logger.exception("outbox delivery crashed; %d rows released", released)
        raise


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep() -> None:
    """Beat runs this every 30 s: stuck rows back to PENDING, lost tasks enqueued again."""
    outbox_sweep()
