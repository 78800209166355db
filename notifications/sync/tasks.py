"""Celery tasks of the Sendsay sync: thin wrappers taking ids and calling one service
(registered through `notifications.tasks`, which imports this module)."""

from __future__ import annotations

import logging
import uuid

from celery import shared_task

from .deliver import sync_deliver, sync_release
from .flush import sync_flush

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=150)
def deliver(item_ids: list[int]) -> None:
    """Send a batch of sync rows (JSON: a list of ints). Retries are per row, in the service;
    `acks_late` is safe because every row is claimed atomically."""
    token = uuid.uuid4()
    try:
        sync_deliver(item_ids=[int(pk) for pk in item_ids], claim_token=token)
    except Exception as exc:  # the outermost wrapper: give the rows back, then re-raise
        released = sync_release(claim_token=token, error=f"{type(exc).__name__}: {exc}")
        logger.exception("sync delivery crashed; %d rows released", released)
        raise


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def flush() -> None:
    """Beat runs this every 10 s: new events, coalesced profile changes and lost rows go to
    workers in batches."""
    sync_flush()
