"""What a delivery batch writes: its attempts and the rows' new states, a few statements per
batch instead of two per message (bulk insert, one locked read, bulk update)."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction

from notifications.channels.base import (
    PermanentDeliveryError,
    SendOutcome,
    TemporaryDeliveryError,
)
from notifications.dispatch import Route
from notifications.models import AttemptOutcome, DeliveryAttempt, MessageStatus, OutboxMessage

from .rows import rows_insert

logger = logging.getLogger(__name__)

REPORT_LISTS = {
    MessageStatus.SENT: "sent", MessageStatus.FAILED: "failed",
    MessageStatus.SKIPPED: "skipped", MessageStatus.PENDING: "retrying",
}


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


def attempt_outcome(outcome: SendOutcome) -> str:
    if isinstance(outcome.error, TemporaryDeliveryError):
        return AttemptOutcome.TEMPORARY_ERROR
    if isinstance(outcome.error, PermanentDeliveryError):
        return AttemptOutcome.PERMANENT_ERROR
    return AttemptOutcome.SENT


class Recorder:
    """Collects a batch's attempts and outcomes and writes them every FLUSH_EVERY outcomes
    and at the end (`flush`). Channels hand outcomes over as they come with a bounded number
    in flight (`channels.base.in_flight`), so a worker killed mid-batch leaves at most
    FLUSH_EVERY + that many sent rows unrecorded; the sweeper sends those again (delivery is
    at least once, never lost).

    On PostgreSQL the writes commit asynchronously (`synchronous_commit = off` for their
    transaction only): PostgreSQL keeps them whatever happens to the worker, and only a crash
    of PostgreSQL itself within a fraction of a second could lose some, which again means a
    resend, never a loss. A synchronous commit is an fsync, and a flush every few messages
    would wait for one each time."""

    FLUSH_EVERY = 25

    def __init__(self, token: uuid.UUID, report: DeliveryReport) -> None:
        self.token, self.report = token, report
        self._attempts: list[dict] = []  # DeliveryAttempt column values
        self._finished: list[tuple[OutboxMessage, dict]] = []

    def attempt(self, message: OutboxMessage, route: Route, outcome: SendOutcome) -> None:
        provider_id = outcome.result.provider_id if outcome.result else ""
        self._attempts.append({
            "message_id": message.pk, "number": message.attempts,
            "started_at": outcome.started_at, "duration_ms": outcome.duration_ms,
            "backend": route.backend, "channel": route.channel, "provider_id": provider_id,
            "outcome": attempt_outcome(outcome),
            "error": str(outcome.error) if outcome.error else "",
        })

    def finish(self, message: OutboxMessage, status: str, **fields) -> None:
        """Store `status` and `fields` on the row if it is still ours (at the next flush)."""
        changes = {"status": status, **fields}
        if status != MessageStatus.PENDING:
            changes.setdefault("next_attempt_at", None)
        else:
            changes["claim_token"] = None
        self._finished.append((message, changes))
        if len(self._finished) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        attempts, self._attempts = self._attempts, []
        finished, self._finished = self._finished, []
        if not (attempts or finished):
            return
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            rows_insert(DeliveryAttempt, attempts)
            stored = self._store(finished)
        for message, changes in stored:
            getattr(self.report, REPORT_LISTS[changes["status"]]).append(message.pk)
            logger.info("outbox %s %s via %s (attempt %s)", message.pk, changes["status"],
                        changes.get("backend") or "-", message.attempts)

    def _store(self, finished: list[tuple[OutboxMessage, dict]]) -> list:
        """Write the rows still carrying our claim token (the sweeper may have taken one back);
        one UPDATE per set of changed fields. PostgreSQL tells which rows were still ours with
        RETURNING; elsewhere they are read, locked, first."""
        if not finished:
            return []
        if connection.vendor == "postgresql":  # the UPDATE's RETURNING says which were ours
            candidates = finished
        else:
            locked = set(
                OutboxMessage.objects.select_for_update()
                .filter(pk__in=[m.pk for m, _ in finished], claim_token=self.token)
                .values_list("pk", flat=True)
            )
            candidates = [item for item in finished if item[0].pk in locked]
        groups: dict[tuple, list[tuple[OutboxMessage, dict]]] = defaultdict(list)
        for item in candidates:
            groups[tuple(sorted(item[1]))].append(item)
        ours: set[int] = set()
        for names, items in groups.items():
            ours |= self._update(items, names)
        stored = []
        for message, changes in finished:
            if message.pk not in ours:
                logger.warning("outbox %s was taken back while being delivered", message.pk)
                continue
            for name, value in changes.items():
                setattr(message, name, value)
            stored.append((message, changes))
        return stored

    def _update(self, items: list[tuple[OutboxMessage, dict]], names: tuple[str, ...]
                ) -> set[int]:
        """One UPDATE of the rows of `items` (message, changes) that still carry our token: a
        value shared by every row is set as it is, a value that differs per row (provider id,
        sent at) as `CASE id WHEN ...`. Returns the ids it updated (PostgreSQL: RETURNING;
        elsewhere the rows were locked as ours before). Plain SQL: Django's `bulk_update` /
        `Case(When())` cost about 1 ms per row to build."""
        quote = connection.ops.quote_name
        sets, params = [], []
        for name in names:
            field = OutboxMessage._meta.get_field(name)
            values = [field.get_db_prep_save(changes[name], connection) for _, changes in items]
            if all(value == values[0] for value in values):
                sets.append(f"{quote(field.column)} = %s")
                params.append(values[0])
                continue
            sets.append(f"{quote(field.column)} = CASE {quote('id')} "
                        + " ".join(["WHEN %s THEN %s"] * len(items)) + " END")
            for (message, _), value in zip(items, values, strict=True):
                params += [message.pk, value]
        token = OutboxMessage._meta.get_field("claim_token").get_db_prep_save(self.token,
                                                                              connection)
        # Only quoted column names from the model and %s placeholders go into the text.
        sql = (f"UPDATE {quote(OutboxMessage._meta.db_table)} SET {', '.join(sets)} "  # noqa: S608
               f"WHERE {quote('id')} IN ({', '.join(['%s'] * len(items))}) "
               f"AND {quote('claim_token')} = %s")
        params += [*(message.pk for message, _ in items), token]
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute(sql, params)
                return {message.pk for message, _ in items}
            cursor.execute(f"{sql} RETURNING {quote('id')}", params)
            return {pk for (pk,) in cursor.fetchall()}
