"""Delivery: claim a batch of outbox rows, render, dispatch, send, record every attempt."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import conf
from notifications.channels.base import (
    DeliveryError,
    OutboundMessage,
    PermanentDeliveryError,
    SendOutcome,
)
from notifications.dispatch import Dispatcher, Envelope, Route, Skip
from notifications.events import Category, Channel, Role
from notifications.exceptions import TemplateError
from notifications.models import MessageStatus, OutboxMessage
from notifications.rendering import OverrideIndex, Rendered, render
from notifications.retry import backoff_seconds, gives_up

from .context import BatchFacts, batch_facts, context_extras, link_subject, marketing_headers
from .enqueue import deliveries_enqueue
from .recording import REPORT_LISTS, DeliveryReport, Recorder

__all__ = ["REPORT_LISTS", "DeliveryReport", "outbox_claim", "outbox_deliver",
           "outbox_release", "retry_delay"]

#: Rows waiting longer than this (seconds) are "behind": their own task is stuck in a queue
#: behind others, so any claimer with room in its batch takes them (setting
#: NOTIFICATIONS_CLAIM_FILL_AFTER_SECONDS; a negative value turns filling off).
FILL_AFTER_SECONDS = 2.0


@dataclass
class Batch:
    token: uuid.UUID
    dispatcher: Dispatcher
    overrides: OverrideIndex
    facts: BatchFacts
    report: DeliveryReport
    recorder: Recorder


def _fill_ids(now, limit: int, exclude: Sequence[int], *, fresh: bool = False) -> list[int]:
    """Up to `limit` ids of PENDING rows due and waiting longer than the fill age (`fresh`:
    any age), oldest due first; rows another claimer is locking are skipped (PostgreSQL,
    MySQL 8, MariaDB 10.6)."""
    age = float(getattr(settings, "NOTIFICATIONS_CLAIM_FILL_AFTER_SECONDS", FILL_AFTER_SECONDS))
    if limit <= 0 or (age < 0 and not fresh):  # a woken task must fill: rows rely on it
        return []
    rows = OutboxMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
    if not fresh:
        rows = rows.filter(created_at__lte=now - timedelta(seconds=age))
    rows = rows.exclude(pk__in=list(exclude)).order_by("next_attempt_at")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    return list(rows.values_list("pk", flat=True)[:limit])


def outbox_claim(
    *, message_ids: Sequence[int], token: uuid.UUID, fill: int = 0, fresh: bool = False
) -> list[OutboxMessage]:
    """Claim the due PENDING rows among `message_ids` for `token` and load them. With `fill`,
    a call that claimed rows of its own also claims up to `fill` other rows that are due and
    behind (see FILL_AFTER_SECONDS): a burst of small tasks is then delivered in full
    batches, and the later tasks, finding their rows gone, cost one SELECT. `fresh` (a woken
    task, `wakeups`): fill with any due rows, whether or not its own were still there."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    changes = {"status": MessageStatus.SENDING, "claimed_at": now, "claim_token": token,
               "attempts": F("attempts") + 1}
    # A plain read by primary key first: a task whose rows another claimer took (and may be
    # writing right now, rows locked) returns at once instead of waiting on those locks to
    # update nothing. Only the key in SQL: with the status and due conditions as well the
    # planner may walk the status index over every pending row of a backlog.
    pending = [pk for pk, status, next_at in OutboxMessage.objects.filter(
        pk__in=list(message_ids)).values_list("pk", "status", "next_attempt_at")
        if status == MessageStatus.PENDING and (next_at is None or next_at <= now)]
    claimed = bool(pending) and OutboxMessage.objects.filter(
        due, pk__in=pending, status=MessageStatus.PENDING).update(**changes)
    if fresh:  # the room its own rows (taken by others, or sent) left is filled too
        fill += len(message_ids) - (claimed or 0)
    if (claimed or fresh) and fill > 0:
        with transaction.atomic():  # the fill rows stay locked from choosing to claiming
            extra = _fill_ids(now, fill, message_ids, fresh=fresh)
            if extra:
                claimed = OutboxMessage.objects.filter(
                    due, pk__in=extra, status=MessageStatus.PENDING).update(**changes) or claimed
    if not claimed:
        return []
    return list(
        OutboxMessage.objects.filter(claim_token=token, status=MessageStatus.SENDING)
        .select_related("event", "recipient_user", "company").order_by("pk")
    )


def outbox_deliver(
    *, message_ids: Sequence[int], claim_token: uuid.UUID | None = None,
    fill: int | None = None, woken: bool = False,
) -> DeliveryReport:
    """Deliver the rows of `message_ids` this call manages to claim.

    * Claims atomically with one conditional UPDATE (PENDING and due -> SENDING, attempts + 1,
      a claim token of its own), so two workers never send one row; others are ignored. The
      batch is filled up to NOTIFICATIONS_BATCH_SIZE with other due rows that have waited
      more than NOTIFICATIONS_CLAIM_FILL_AFTER_SECONDS (`fill`: how many at most; default the
      room left in the batch), so a backlog of small tasks goes out in full batches.
      `woken` (a coalesced task, `wakeups`): filled with any due rows; a full batch wakes
      another task before sending, so a backlog keeps every worker busy.
    * Renders each row (a template problem ends it FAILED with the reason: never a blank
      message), lets `dispatch` choose the route (SKIPPED with the reason when there is none),
      sends through one backend per route and batch (`send_batch`: one SMTP connection; many
      Sendsay calls in flight), records a `DeliveryAttempt` per try.
    * Ends every row SENT, FAILED (permanent error, or the last allowed try) or SKIPPED; a
      temporary error puts it back to PENDING with `next_attempt_at` = exponential backoff
      with jitter and enqueues a retry after commit (the sweeper catches a lost one).
    * Writes outcomes in bulk as they come (`recording.Recorder`: every FLUSH_EVERY and at
      the end, also when an error interrupts the batch), only to rows still carrying its
      claim token (a row the sweeper took back belongs to whoever claimed it next).
      Unexpected errors propagate: the task calls `outbox_release` for the rows still
      SENDING.
    """
    token = claim_token or uuid.uuid4()
    if fill is None:
        fill = conf.batch_size() - len(message_ids)
    messages = outbox_claim(message_ids=message_ids, token=token, fill=fill, fresh=woken)
    report = DeliveryReport()
    if not messages:
        return report
    if woken and len(messages) >= conf.batch_size():  # more may be due: wake another worker
        deliveries_enqueue(message_ids=[], coalesce=True)
    batch = Batch(
        token=token, dispatcher=Dispatcher(), report=report,
        overrides=OverrideIndex({m.event.event for m in messages}),
        facts=batch_facts(messages), recorder=Recorder(token, report),
    )
    try:
        _send_all([item for m in messages if (item := _deliver_one(m, batch)) is not None], batch)
    finally:
        try:
            batch.recorder.flush()
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


Prepared = tuple[OutboxMessage, Route, OutboundMessage]


def _deliver_one(message: OutboxMessage, batch: Batch) -> Prepared | None:
    """One row up to its send: the route and the rendered message to hand to the backend, or
    None when the row already ended (SKIPPED: no route; FAILED: a template problem)."""
    decision = _precheck(message, batch)
    if isinstance(decision, Skip):
        batch.recorder.finish(message, MessageStatus.SKIPPED, error=decision.reason)
        return None
    extras = context_extras(message, decision)
    try:
        rendered = _render(message, decision, extras, batch)
    except TemplateError as exc:
        batch.recorder.finish(message, MessageStatus.FAILED, error=f"template: {exc}")
        return None
    outbound = OutboundMessage(
        outbox_id=message.pk, channel=decision.channel, to=decision.to, sender=message.sender,
        subject=rendered.subject, text=rendered.text, html=rendered.html,
        headers=marketing_headers(extras, decision),
        draft_id=rendered.sendsay_draft_id if decision.uses_draft(rendered.sendsay_draft_id)
        else "",
        extra={**message.event.payload, **extras},
    )
    return message, decision, outbound


def _send_all(items: list[Prepared], batch: Batch) -> None:
    """One `send_batch` per backend (routes that share a backend go together, in row order)."""
    groups: dict[int, list[Prepared]] = {}
    backends = {}
    for item in items:
        backend = batch.dispatcher.backend(item[1])
        backends[id(backend)] = backend
        groups.setdefault(id(backend), []).append(item)
    for key, group in groups.items():
        with closing(backends[key].send_batch([outbound for _, _, outbound in group])) as sent:
            for (message, route, _), outcome in zip(group, sent, strict=True):
                _record(message, route, outcome, batch)


def _record(message: OutboxMessage, route: Route, outcome: SendOutcome, batch: Batch) -> None:
    batch.recorder.attempt(message, route, outcome)
    if outcome.error is not None:
        _failed_try(message, batch, outcome.error)
        return
    result = outcome.result
    batch.recorder.finish(message, MessageStatus.SENT, backend=result.backend,
                          provider_id=result.provider_id, sent_at=outcome.finished_at, error="")


def _failed_try(message: OutboxMessage, batch: Batch, exc: DeliveryError) -> None:
    backend, finish = exc.backend, batch.recorder.finish
    if isinstance(exc, PermanentDeliveryError):
        finish(message, MessageStatus.FAILED, backend=backend, error=str(exc))
    elif gives_up(message.attempts, max_attempts=conf.max_attempts()):
        finish(message, MessageStatus.FAILED, backend=backend,
               error=f"gave up after {message.attempts} attempts: {exc}")
    else:
        delay = retry_delay(message.attempts)
        finish(message, MessageStatus.PENDING, backend=backend, error=str(exc),
               next_attempt_at=timezone.now() + timedelta(seconds=delay))
        batch.report.retry_delays.append(delay)


def retry_delay(attempts: int) -> float:
    return backoff_seconds(attempts, base=float(conf.get("NOTIFICATIONS_RETRY_BASE_SECONDS")),
                           cap=float(conf.get("NOTIFICATIONS_RETRY_MAX_SECONDS")))


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
