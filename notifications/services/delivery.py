"""Delivery: claim a batch of outbox rows, render, dispatch, send, record every attempt."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import conf
from notifications.channels.base import (
    DeliveryError,
    OutboundMessage,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from notifications.dispatch import Dispatcher, Envelope, Route, Skip
from notifications.events import Category, Channel, Role
from notifications.exceptions import TemplateError
from notifications.models import (
    AttemptOutcome,
    DeliveryAttempt,
    MessageStatus,
    OutboxMessage,
)
from notifications.rendering import OverrideIndex, Rendered, render
from notifications.retry import backoff_seconds, gives_up

from .context import BatchFacts, batch_facts, context_extras, link_subject, marketing_headers
from .enqueue import deliveries_enqueue

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one call did, by final state (ids)."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    retry_delays: list[float] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.sent) + len(self.failed) + len(self.skipped) + len(self.retrying)


@dataclass
class Batch:
    token: uuid.UUID
    dispatcher: Dispatcher
    overrides: OverrideIndex
    facts: BatchFacts
    report: DeliveryReport


def outbox_claim(*, message_ids: Sequence[int], token: uuid.UUID) -> list[OutboxMessage]:
    """Claim the due PENDING rows among `message_ids` for `token` and load them."""
    now = timezone.now()
    OutboxMessage.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk__in=list(message_ids), status=MessageStatus.PENDING,
    ).update(status=MessageStatus.SENDING, claimed_at=now, claim_token=token,
             attempts=F("attempts") + 1)
    return list(
        OutboxMessage.objects.filter(claim_token=token, status=MessageStatus.SENDING)
        .select_related("event", "recipient_user", "company").order_by("pk")
    )


def outbox_deliver(
    *, message_ids: Sequence[int], claim_token: uuid.UUID | None = None
) -> DeliveryReport:
    """Deliver the rows of `message_ids` this call manages to claim.

    * Claims atomically with one conditional UPDATE (PENDING and due -> SENDING, attempts + 1,
      a claim token of its own), so two workers never send one row; others are ignored.
    * Renders each row (a template problem ends it FAILED with the reason: never a blank
      message), lets `dispatch` choose the route (SKIPPED with the reason when there is none),
      sends through one backend connection per batch, records a `DeliveryAttempt` per try.
    * Ends every row SENT, FAILED (permanent error, or the last allowed try) or SKIPPED; a
      temporary error puts it back to PENDING with `next_attempt_at` = exponential backoff
      with jitter and enqueues a retry after commit (the sweeper catches a lost one).
    * Writes only rows still carrying its claim token (a row the sweeper took back belongs to
      whoever claimed it next). Unexpected errors propagate: the task calls `outbox_release`.
    """
    token = claim_token or uuid.uuid4()
    messages = outbox_claim(message_ids=message_ids, token=token)
    report = DeliveryReport()
    if not messages:
        return report
    batch = Batch(
        token=token, dispatcher=Dispatcher(), report=report,
        overrides=OverrideIndex({m.event.event for m in messages}),
        facts=batch_facts(messages),
    )
    try:
        for message in messages:
            _deliver_one(message, batch)
    finally:
        batch.dispatcher.close()
    if report.retrying:
        countdown = max(report.retry_delays) + 1
        transaction.on_commit(
            partial(deliveries_enqueue, message_ids=report.retrying, countdown=countdown),
            robust=True,
        )
    return report


def _precheck(message: OutboxMessage, batch: Batch) -> Route | Skip:
    """The dispatch decision, with marketing opt-outs checked for the channel it ends up on
    (a messenger falling back to e-mail must respect an e-mail opt-out too)."""
    marketing = message.event.category == Category.MARKETING
    if marketing and link_subject(message) is None:
        return Skip("a marketing message needs a buyer or seller who can unsubscribe")
    decision = batch.dispatcher.route(Envelope(
        channel=Channel(message.channel), role=Role(message.role), to=message.recipient,
        sender=message.sender, storefront_id=message.event.storefront_id,
        fallback_email=batch.facts.fallback_email(message),
    ))
    for channel in {message.channel, getattr(decision, "channel", message.channel)}:
        if marketing and batch.facts.opted_out(message, channel):
            return Skip(f"opted out of marketing messages by {channel}")
    return decision


def _render(message: OutboxMessage, route: Route, extras: dict, batch: Batch) -> Rendered:
    event = message.event
    return render(event.event, message.role, route.channel, event.variant, message.language,
                  event.storefront_id, event.payload, extras=extras, overrides=batch.overrides)


def _deliver_one(message: OutboxMessage, batch: Batch) -> None:
    decision = _precheck(message, batch)
    if isinstance(decision, Skip):
        _finish(message, batch, MessageStatus.SKIPPED, error=decision.reason)
        return
    extras = context_extras(message, decision)
    try:
        rendered = _render(message, decision, extras, batch)
    except TemplateError as exc:
        _finish(message, batch, MessageStatus.FAILED, error=f"template: {exc}")
        return
    outbound = OutboundMessage(
        outbox_id=message.pk, channel=decision.channel, to=decision.to, sender=message.sender,
        subject=rendered.subject, text=rendered.text, html=rendered.html,
        headers=marketing_headers(extras, decision),
        draft_id=rendered.sendsay_draft_id if decision.uses_draft(rendered.sendsay_draft_id)
        else "",
        extra={**message.event.payload, **extras},
    )
    _send(message, decision, outbound, batch)


def _send(message: OutboxMessage, route: Route, outbound: OutboundMessage, batch: Batch) -> None:
    started, clock = timezone.now(), time.monotonic()
    try:
        result = batch.dispatcher.backend(route).send(outbound)
    except DeliveryError as exc:
        _attempt(message, route, started, clock, error=exc)
        _failed_try(message, batch, exc)
        return
    _attempt(message, route, started, clock, provider_id=result.provider_id)
    _finish(message, batch, MessageStatus.SENT, backend=result.backend,
            provider_id=result.provider_id, sent_at=timezone.now(), error="")


def _attempt(message, route, started, clock, *, provider_id="", error=None) -> None:
    outcome = AttemptOutcome.SENT
    if isinstance(error, TemporaryDeliveryError):
        outcome = AttemptOutcome.TEMPORARY_ERROR
    elif isinstance(error, PermanentDeliveryError):
        outcome = AttemptOutcome.PERMANENT_ERROR
    DeliveryAttempt.objects.create(
        message=message, number=message.attempts, started_at=started,
        duration_ms=int((time.monotonic() - clock) * 1000), backend=route.backend,
        channel=route.channel, provider_id=provider_id, outcome=outcome,
        error=str(error) if error else "",
    )


def _failed_try(message: OutboxMessage, batch: Batch, exc: DeliveryError) -> None:
    backend = exc.backend
    if isinstance(exc, PermanentDeliveryError):
        _finish(message, batch, MessageStatus.FAILED, backend=backend, error=str(exc))
    elif gives_up(message.attempts, max_attempts=conf.max_attempts()):
        _finish(message, batch, MessageStatus.FAILED, backend=backend,
                error=f"gave up after {message.attempts} attempts: {exc}")
    else:
        delay = retry_delay(message.attempts)
        _finish(message, batch, MessageStatus.PENDING, backend=backend, error=str(exc),
                next_attempt_at=timezone.now() + timedelta(seconds=delay))
        batch.report.retry_delays.append(delay)


def retry_delay(attempts: int) -> float:
    return backoff_seconds(attempts, base=float(conf.get("NOTIFICATIONS_RETRY_BASE_SECONDS")),
                           cap=float(conf.get("NOTIFICATIONS_RETRY_MAX_SECONDS")))


REPORT_LISTS = {
    MessageStatus.SENT: "sent", MessageStatus.FAILED: "failed",
    MessageStatus.SKIPPED: "skipped", MessageStatus.PENDING: "retrying",
}


def _finish(message: OutboxMessage, batch: Batch, status: str, **fields) -> None:
    """Store the outcome if the row is still ours; log one line per outcome."""
    changes = {"status": status, **fields}
    if status != MessageStatus.PENDING:
        changes.setdefault("next_attempt_at", None)
    else:
        changes["claim_token"] = None
    updated = OutboxMessage.objects.filter(pk=message.pk, claim_token=batch.token).update(
        **changes
    )
    if not updated:
        logger.warning("outbox %s was taken back while being delivered", message.pk)
        return
    getattr(batch.report, REPORT_LISTS[status]).append(message.pk)
    logger.info("outbox %s %s via %s (attempt %s)", message.pk, status,
                fields.get("backend") or "-", message.attempts)


def outbox_release(*, claim_token: uuid.UUID, error: str) -> int:
    """Give back the rows a crashed delivery still holds: PENDING after a backoff, or FAILED
    when their attempts are used up. Returns the number of rows released."""
    rows = list(OutboxMessage.objects.filter(claim_token=claim_token,
                                             status=MessageStatus.SENDING))
    now = timezone.now()
    for row in rows:
        if gives_up(row.attempts, max_attempts=conf.max_attempts()):
            changes = {"status": MessageStatus.FAILED, "next_attempt_at": None,
                       "error": f"gave up after {row.attempts} attempts: {error}"}
        else:
            changes = {"status": MessageStatus.PENDING, "claim_token": None, "error": error,
                       "next_attempt_at": now + timedelta(seconds=retry_delay(row.attempts))}
        OutboxMessage.objects.filter(pk=row.pk, claim_token=claim_token).update(**changes)
    return len(rows)
