"""The sweeper: take back rows whose worker died, re-enqueue rows whose task was lost."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from notifications import conf
from notifications.models import MessageStatus, OutboxMessage

from .enqueue import deliveries_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    reset: int  # SENDING past the visibility timeout, back to PENDING
    failed: int  # the same, with no attempts left: FAILED
    requeued: int  # PENDING rows due for a while, enqueued again


def outbox_sweep(*, now: datetime | None = None) -> SweepReport:
    """One pass (beat runs it every 30 s):

    1. rows SENDING for longer than NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS (the worker was
       killed or lost the row) go back to PENDING, or to FAILED when their attempts are used up;
    2. PENDING rows due for longer than NOTIFICATIONS_SWEEP_GRACE_SECONDS (their task never
       arrived: broker down, task lost) are enqueued again, at most NOTIFICATIONS_SWEEP_LIMIT.
    Enqueuing a row twice is harmless: delivery claims it atomically.
    """
    now = now or timezone.now()
    stuck_before = now - timedelta(seconds=conf.get("NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS"))
    stuck = OutboxMessage.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=stuck_before)
    error = f"worker lost the message while sending (claimed before {stuck_before:%H:%M:%S})"
    failed = stuck.filter(attempts__gte=conf.max_attempts()).update(
        status=MessageStatus.FAILED, next_attempt_at=None,
        error=f"gave up after repeated lost deliveries: {error}",
    )
    reset_ids = list(stuck.values_list("pk", flat=True))
    reset = OutboxMessage.objects.filter(
        pk__in=reset_ids, status=MessageStatus.SENDING, claimed_at__lt=stuck_before
    ).update(status=MessageStatus.PENDING, claim_token=None, next_attempt_at=now, error=error)
    due_before = now - timedelta(seconds=conf.get("NOTIFICATIONS_SWEEP_GRACE_SECONDS"))
    due_ids = list(
        OutboxMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=due_before)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: conf.get("NOTIFICATIONS_SWEEP_LIMIT")]
    )
    ids = reset_ids + due_ids  # a row enqueued needlessly is ignored by the claim
    if ids:
        deliveries_enqueue(message_ids=ids)
    if reset or failed or due_ids:
        logger.info("sweep: %d reset, %d failed, %d requeued", reset, failed, len(due_ids))
    return SweepReport(reset=reset, failed=failed, requeued=len(ids))
