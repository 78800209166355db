"""Resend: a new delivery of finished outbox messages (the admin's "Resend")."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils import timezone

from notifications.models import MessageStatus, OutboxMessage

from .enqueue import deliveries_enqueue

#: A message still PENDING or SENDING is on its way already: resending it would send twice.
RESENDABLE = (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED)


@dataclass(frozen=True)
class ResendReport:
    queued: list[int] = field(default_factory=list)  # ids of the new rows
    repeated: list[int] = field(default_factory=list)  # originals this request had resent
    refused: list[int] = field(default_factory=list)  # originals not finished (or not found)


def resend_key(idempotency_key: str, request_token: str) -> str:
    return hashlib.sha256(f"{idempotency_key}\x1fresend\x1f{request_token}".encode()).hexdigest()


def outbox_resend(*, message_ids: Sequence[int], request_token: str) -> ResendReport:
    """Queue one new delivery of each SENT, FAILED or SKIPPED message of `message_ids`.

    The new delivery is a COPY of the row (same occurrence and payload, recipient, channel,
    sender and language; fresh status and attempts), so the original keeps its outcome and
    attempt history and the log shows both. Its idempotency key is derived from the original's
    and `request_token` (one per click of the admin's confirmation page): submitting the same
    request again queues nothing more. The copy goes through delivery like any row: dispatch,
    opt-outs and templates are decided again at send time. Enqueued after commit.
    """
    if not request_token:
        raise ValueError("a resend needs the request token of the click")
    now = timezone.now()
    wanted = [int(pk) for pk in message_ids]
    originals = list(OutboxMessage.objects.filter(pk__in=wanted, status__in=RESENDABLE)
                     .order_by("pk"))
    keys = {resend_key(o.idempotency_key, request_token): o.pk for o in originals}
    OutboxMessage.objects.bulk_create([
        OutboxMessage(
            event_id=o.event_id, role=o.role, channel=o.channel, recipient=o.recipient,
            recipient_user_id=o.recipient_user_id, company_id=o.company_id, sender=o.sender,
            language=o.language, next_attempt_at=now, created_at=now,
            idempotency_key=resend_key(o.idempotency_key, request_token),
        ) for o in originals
    ], ignore_conflicts=True)
    created = dict(OutboxMessage.objects.filter(idempotency_key__in=list(keys), created_at=now)
                   .values_list("idempotency_key", "pk"))
    if created:
        transaction.on_commit(partial(deliveries_enqueue, message_ids=sorted(created.values())),
                              robust=True)
    found = {o.pk for o in originals}
    return ResendReport(
        queued=sorted(created.values()),
        repeated=sorted(pk for key, pk in keys.items() if key not in created),
        refused=[pk for pk in wanted if pk not in found],
    )
