"""Hand sync rows to workers: the periodic flush (new events, coalesced profile changes, rows a
lost task or a dead worker left), a retry after its backoff, rows an ordering key held back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications import conf as outbox_conf
from notifications.models import MessageStatus, SyncItem, SyncKind

from . import conf

logger = logging.getLogger(__name__)
PENDING, SENDING = MessageStatus.PENDING, MessageStatus.SENDING


@dataclass(frozen=True)
class FlushReport:
    reset: int  # SENDING past the visibility timeout, back to PENDING
    failed: int  # the same, with no attempts left: FAILED
    enqueued: int  # rows handed to `sync.deliver` tasks


def sync_enqueue(*, item_ids: Sequence[int], countdown: float | None = None) -> int:
    """Send `deliver` tasks for `item_ids` in chunks of NOTIFICATIONS_SYNC_BATCH_SIZE to
    NOTIFICATIONS_CELERY_QUEUE; returns the number of tasks. Enqueuing a row twice is harmless:
    delivery claims it atomically."""
    from .tasks import deliver  # tasks import this module

    ids = [int(pk) for pk in item_ids]
    size, queue = conf.batch_size(), outbox_conf.queue()
    options: dict = {"queue": queue} if queue else {}
    if countdown:
        options["countdown"] = countdown
    chunks = [ids[start:start + size] for start in range(0, len(ids), size)]
    for chunk in chunks:
        deliver.apply_async(args=[chunk], **options)
    return len(chunks)


def sync_enqueue_followers(*, keys: Sequence[str]) -> int:
    """Enqueue the PENDING rows an older row of the same ordering key was holding back."""
    ids = list(SyncItem.objects.filter(ordering_key__in=list(keys), status=PENDING)
               .order_by("pk").values_list("pk", flat=True))
    return sync_enqueue(item_ids=ids) if ids else 0


def sync_flush(*, now: datetime | None = None) -> FlushReport:
    """One pass (beat runs it every few seconds):

    1. rows SENDING for longer than NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS (the worker died)
       go back to PENDING, or to FAILED when their attempts are used up;
    2. due rows are handed to workers in id order, in tasks of NOTIFICATIONS_SYNC_BATCH_SIZE,
       at most NOTIFICATIONS_SYNC_FLUSH_LIMIT per pass: new events, profiles whose coalescing
       delay has passed, rows whose backoff has passed. A handed-over row is stamped
       (`claimed_at`) and not handed over again for NOTIFICATIONS_SWEEP_GRACE_SECONDS, so a
       backlog does not pile up duplicate tasks; a row whose task was lost goes again after
       that. (A row also enqueued by its retry is claimed once.)
    """
    now = now or timezone.now()
    stuck_before = now - timedelta(
        seconds=outbox_conf.get("NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS"))
    stuck = SyncItem.objects.filter(status=SENDING, claimed_at__lt=stuck_before)
    error = f"worker lost the row while sending (claimed before {stuck_before:%H:%M:%S})"
    failed = stuck.filter(attempts__gte=outbox_conf.max_attempts()).update(
        status=MessageStatus.FAILED, next_attempt_at=None, claim_token=None,
        error=f"gave up after repeated lost deliveries: {error}")
    reset = stuck.update(status=PENDING, claim_token=None, next_attempt_at=now, error=error)
    handed_before = now - timedelta(seconds=outbox_conf.get("NOTIFICATIONS_SWEEP_GRACE_SECONDS"))
    due = ((Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
           & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=handed_before)))
    ids = list(
        SyncItem.objects.filter(due, status=PENDING).order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: conf.get("NOTIFICATIONS_SYNC_FLUSH_LIMIT")]
    )
    if ids:
        SyncItem.objects.filter(pk__in=ids, status=PENDING).update(claimed_at=now)
        sync_enqueue(item_ids=sorted(ids))
    if reset or failed or ids:
        logger.info("sync flush: %d reset, %d failed, %d enqueued", reset, failed, len(ids))
    return FlushReport(reset=reset, failed=failed, enqueued=len(ids))


#: What "send again" may restart: a profile in any finished state (it is re-read and sent
#: whole), an event only when it never reached Sendsay (a sent one would count twice there).
RETRYABLE = {
    SyncKind.MEMBER: (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED),
    SyncKind.EVENT: (MessageStatus.FAILED, MessageStatus.SKIPPED),
}


def sync_retry(*, item_ids: Sequence[int]) -> list[int]:
    """Make finished rows due again now (fresh attempts) and enqueue them after commit;
    returns the ids restarted. Rows still pending or sending, and sent events, are left alone,
    so pressing the button twice restarts nothing twice."""
    now = timezone.now()
    restart = Q()
    for kind, statuses in RETRYABLE.items():
        restart |= Q(kind=kind, status__in=statuses)
    with transaction.atomic():
        ids = list(SyncItem.objects.select_for_update().filter(restart, pk__in=list(item_ids))
                   .values_list("pk", flat=True))
        SyncItem.objects.filter(pk__in=ids).update(
            status=PENDING, attempts=0, next_attempt_at=now, error="", claim_token=None)
        if ids:
            transaction.on_commit(lambda: sync_enqueue(item_ids=ids), robust=True)
    return ids
