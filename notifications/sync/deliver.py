"""Sync delivery: claim a batch of sync rows, send them to the right Sendsay account
(member.set per contact, one ssec POST per account), record the outcome, retry with backoff."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import conf as outbox_conf
from notifications.models import MessageStatus, SyncItem, SyncKind
from notifications.retry import backoff_seconds, gives_up
from sendsay_admin.client import SendsayConfigurationError, SendsayError
from sendsay_admin.crypto import SecretDecryptError
from sendsay_admin.services import (
    AccountNotConfiguredError,
    account_for_storefront,
    client_for_account,
    error_record,
    mapping_specs,
    module_is_active,
)

from . import conf
from .bodies import EventBuilder, Loaded, SkipError, batch_load, contact_email, member_datakey
from .bodies import scope_of as contact_scope

logger = logging.getLogger(__name__)
PENDING, SENDING = MessageStatus.PENDING, MessageStatus.SENDING
SENT, FAILED, SKIPPED = MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED
MODULE_OFF = "Sendsay module is off (or not connected) for this contact's storefront"


@dataclass
class SyncReport:
    """What one call did, by outcome (row ids)."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)  # profile changed again while sending
    retry_delays: list[float] = field(default_factory=list)


@dataclass
class Batch:
    token: uuid.UUID
    report: SyncReport
    finished_keys: set[str] = field(default_factory=set)


def sync_claim(*, item_ids: Sequence[int], token: uuid.UUID) -> list[SyncItem]:
    """Claim the due PENDING rows among `item_ids` (one conditional UPDATE), except those an
    older unfinished row of the same ordering key (the same order) holds back; load them."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    rows = list(SyncItem.objects.filter(due, pk__in=list(item_ids), status=PENDING)
                .values_list("pk", "ordering_key"))
    ids = _unblocked(rows)
    if ids:
        SyncItem.objects.filter(due, pk__in=ids, status=PENDING).update(
            status=SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    return list(
        SyncItem.objects.filter(claim_token=token, status=SENDING)
        .select_related("user__buyer_profile__storefront", "company__storefront").order_by("pk")
    )


def _unblocked(rows: list[tuple[int, str]]) -> list[int]:
    keys = {key for _pk, key in rows if key}
    if not keys:
        return [pk for pk, _key in rows]
    chosen = {pk for pk, _key in rows}
    first_other: dict[str, int] = {}
    for pk, key in SyncItem.objects.filter(
        ordering_key__in=keys, status__in=[PENDING, SENDING]
    ).values_list("pk", "ordering_key"):
        if pk not in chosen:
            first_other[key] = min(pk, first_other.get(key, pk))
    return [pk for pk, key in rows if not key or pk < first_other.get(key, pk + 1)]


def sync_deliver(
    *, item_ids: Sequence[int], claim_token: uuid.UUID | None = None
) -> SyncReport:
    """Send the rows of `item_ids` this call manages to claim.

    * Rows go to the Sendsay account of the contact's storefront. With the module off (or not
      connected) there they end SKIPPED with the reason: nothing is held back for later (a
      contact export brings Sendsay up to date when the module is switched on).
    * Profile rows: one member.set per contact with the mapped fields only, converted by
      `sendsay_admin.fields`; SKIPPED when nothing is mapped or every value is empty. A contact
      that changed again while it was being sent is made due again.
    * Event rows: built now from the stored ids, one ssec POST per account (in chunks of
      NOTIFICATIONS_SYNC_BATCH_SIZE); when Sendsay refuses a POST as invalid, its events are
      retried one by one so that only the bad one fails.
    * A retryable error (transport, 5xx, 429) puts the row back to PENDING with exponential
      backoff and jitter (the outbox settings) and stops calling that endpoint (the API or the
      ssec host) for the rest of the batch; other errors end the row FAILED with Sendsay's error
      id and explanation; the first error of a batch goes to the account's error log.
    Writes only rows still carrying the claim token. Unexpected errors propagate: the task calls
    `sync_release`.
    """
    token = claim_token or uuid.uuid4()
    items = sync_claim(item_ids=item_ids, token=token)
    batch = Batch(token=token, report=SyncReport())
    if not items:
        return batch.report
    loaded = batch_load(items)
    for scope, group in _by_scope(items, batch).items():
        _scope_deliver(scope, group, batch, loaded)
    _after_commit(batch)
    return batch.report


def _by_scope(items: list[SyncItem], batch: Batch) -> dict[int | None, list[SyncItem]]:
    groups: dict[int | None, list[SyncItem]] = defaultdict(list)
    for item in items:
        try:
            groups[contact_scope(item)].append(item)
        except SkipError as skip:
            _finish(item, batch, SKIPPED, error=str(skip))
    return groups


def _scope_deliver(scope: int | None, items: list[SyncItem], batch: Batch,
                   loaded: Loaded) -> None:
    if not module_is_active(scope):
        for item in items:
            _finish(item, batch, SKIPPED, error=MODULE_OFF)
        return
    account = account_for_storefront(scope)
    try:
        client = client_for_account(account)
    except (AccountNotConfiguredError, SecretDecryptError, SendsayConfigurationError) as exc:
        for item in items:
            _finish(item, batch, FAILED, error=f"Sendsay account unusable: {exc}")
        return
    with client:
        sender = AccountSender(client, account, batch, loaded)
        for item in items:
            if item.kind == SyncKind.MEMBER:
                sender.member(item)
        sender.events([item for item in items if item.kind == SyncKind.EVENT])


class AccountSender:
    """Sends one batch's rows to one account. After a retryable failure of an endpoint (the
    API for member.set, the ssec host for events) it stops calling that endpoint and puts the
    remaining rows back for later: no point waiting on each of them while it is down."""

    def __init__(self, client, account, batch: Batch, loaded: Loaded) -> None:
        self.client, self.account, self.batch = client, account, batch
        self.builder = EventBuilder(loaded)
        self.down: dict[str, SendsayError] = {}
        self.recorded = False
        self._specs: dict[str, list] = {}

    def specs(self, role: str) -> list:
        if role not in self._specs:
            self._specs[role] = mapping_specs(account=self.account, role=role)
        return self._specs[role]

    def member(self, item: SyncItem) -> None:
        if "api" in self.down:
            _failed_try(item, self.batch, self.down["api"])
            return
        try:
            email = contact_email(item)
            datakey = member_datakey(item, self.specs(item.role))
        except SkipError as skip:
            _finish(item, self.batch, SKIPPED, error=str(skip))
            return
        try:
            self.client.member_set(email, datakey=datakey)
        except SendsayError as exc:
            self.failed([item], exc, endpoint="api")
            return
        self.sent(item)

    def events(self, items: list[SyncItem]) -> None:
        ready = []
        for item in items:
            try:
                ready.append((item, self.builder.body(item, contact_email(item))))
            except SkipError as skip:
                _finish(item, self.batch, SKIPPED, error=str(skip))
        size = conf.batch_size()
        for start in range(0, len(ready), size):
            self.post(ready[start:start + size])

    def post(self, chunk: list[tuple[SyncItem, dict]]) -> None:
        if "ssec" in self.down:
            for item, _body in chunk:
                _failed_try(item, self.batch, self.down["ssec"])
            return
        try:
            self.client.ssec_events([body for _item, body in chunk])
        except SendsayError as exc:
            if not exc.retryable and len(chunk) > 1:
                for one in chunk:  # find the event Sendsay refuses; send the others
                    self.post([one])
                return
            self.failed([item for item, _body in chunk], exc, endpoint="ssec")
            return
        for item, body in chunk:
            self.sent(item, event_type=body["event_type"])

    def sent(self, item: SyncItem, **fields) -> None:
        _finish(item, self.batch, SENT, login=self.account.login, sent_at=timezone.now(),
                error="", **fields)

    def failed(self, items: list[SyncItem], exc: SendsayError, *, endpoint: str) -> None:
        if not self.recorded:
            error_record(account=self.account, exc=exc)
            self.recorded = True
        if exc.retryable:
            self.down[endpoint] = exc
        for item in items:
            _failed_try(item, self.batch, exc)


def retry_delay(attempts: int) -> float:
    return backoff_seconds(
        attempts, base=float(outbox_conf.get("NOTIFICATIONS_RETRY_BASE_SECONDS")),
        cap=float(outbox_conf.get("NOTIFICATIONS_RETRY_MAX_SECONDS")))


def _failed_try(item: SyncItem, batch: Batch, exc: SendsayError) -> None:
    if not exc.retryable:
        _finish(item, batch, FAILED, error=str(exc))
    elif gives_up(item.attempts, max_attempts=outbox_conf.max_attempts()):
        _finish(item, batch, FAILED, error=f"gave up after {item.attempts} attempts: {exc}")
    else:
        delay = retry_delay(item.attempts)
        _finish(item, batch, PENDING, error=str(exc),
                next_attempt_at=timezone.now() + timedelta(seconds=delay))
        batch.report.retry_delays.append(delay)


REPORT_LISTS = {SENT: "sent", FAILED: "failed", SKIPPED: "skipped", PENDING: "retrying"}


def _finish(item: SyncItem, batch: Batch, status: str, **fields) -> None:
    """Store the outcome if the row is still ours. A profile row whose contact changed while
    it was being sent (`generation` moved) is made due again instead of finished."""
    changes = {"status": status, **fields}
    if status == PENDING:
        changes["claim_token"] = None
    else:
        changes.setdefault("next_attempt_at", None)
    rows = SyncItem.objects.filter(pk=item.pk, claim_token=batch.token)
    outcome = REPORT_LISTS[status]
    if item.kind == SyncKind.MEMBER and status != PENDING:
        updated = rows.filter(generation=item.generation).update(**changes)
        if not updated:
            due = timezone.now() + timedelta(seconds=conf.delay_seconds())
            updated = rows.update(**{**changes, "status": PENDING, "claim_token": None,
                                     "attempts": 0, "next_attempt_at": due})
            outcome = "requeued"
    else:
        updated = rows.update(**changes)
    if not updated:
        logger.warning("sync %s was taken back while being sent", item.pk)
        return
    getattr(batch.report, outcome).append(item.pk)
    if status != PENDING and item.ordering_key:
        batch.finished_keys.add(item.ordering_key)
    logger.info("sync %s %s %s (attempt %s)", item.pk, item.kind, outcome, item.attempts)


def _after_commit(batch: Batch) -> None:
    """Enqueue the retries (after their backoff) and the rows an ordering key held back."""
    from .flush import sync_enqueue, sync_enqueue_followers

    report = batch.report
    if report.retrying:
        countdown = max(report.retry_delays) + 1
        transaction.on_commit(partial(sync_enqueue, item_ids=report.retrying,
                                      countdown=countdown), robust=True)
    if batch.finished_keys:
        transaction.on_commit(partial(sync_enqueue_followers, keys=sorted(batch.finished_keys)),
                              robust=True)


def sync_release(*, claim_token: uuid.UUID, error: str) -> int:
    """Give back the rows a crashed delivery still holds: PENDING after a backoff, or FAILED
    when their attempts are used up. Returns the number of rows released."""
    rows = list(SyncItem.objects.filter(claim_token=claim_token, status=SENDING)
                .only("pk", "attempts"))
    now = timezone.now()
    for row in rows:
        if gives_up(row.attempts, max_attempts=outbox_conf.max_attempts()):
            changes = {"status": FAILED, "next_attempt_at": None,
                       "error": f"gave up after {row.attempts} attempts: {error}"}
        else:
            changes = {"status": PENDING, "claim_token": None, "error": error,
                       "next_attempt_at": now + timedelta(seconds=retry_delay(row.attempts))}
        SyncItem.objects.filter(pk=row.pk, claim_token=claim_token).update(**changes)
    return len(rows)
