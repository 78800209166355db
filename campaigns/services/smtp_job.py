"""The SMTP campaign job: pending recipients in id order, in batches, over one SMTP connection,
at the configured rate, each marked in the same step as it is sent.

A step: pick the next batch by cursor (`id > cursor`, PENDING, id order), load the batch's
facts (opt-outs, storefronts, companies), mark opted-out rows SKIPPED and unrenderable rows
FAILED, render the rest, then send them one by one. Claims are conditional UPDATEs
(PENDING -> SENDING with this run's token): unthrottled, the whole batch is claimed at once
(one write per message: the SENT mark); throttled, each row is claimed just before it is
sent (the sleep between messages then holds no claim, so a crash during it loses nothing).
Either way a dead job leaves at most one row it may have sent unconfirmed: the lowest
SENDING row of its token (see `job.recipients_recover`).
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.channels.base import (
    DeliveryError,
    OutboundMessage,
    PermanentDeliveryError,
)
from notifications.channels.smtp import SmtpBackend
from notifications.events import Channel
from notifications.exceptions import TemplateError
from sendsay_admin.services import fallback_connection

from .. import conf
from ..models import Campaign, CampaignRecipient, RecipientStatus
from ..quiet import quiet_until
from ..rendering import Content, render_message
from .context import (
    BatchFacts,
    batch_facts,
    campaign_sender,
    campaign_zone,
    contents_of,
    link_subject,
    notify_channel,
    recipient_context,
    unsubscribe_headers,
)
from .job import CONTINUE, STOPPED, Lease, Outcome, delayed, failed, finished

logger = logging.getLogger(__name__)


class Pacer:
    """Sends on a fixed schedule of `rate` per second, so the average holds on a busy machine:
    after a stall it catches up back to back, but never more than `MAX_LAG` seconds of
    schedule (a long stall is written off instead of turning into a long burst)."""

    MAX_LAG = 1.0

    def __init__(self, rate: float | None, sleep: Callable[[float], object] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.max_lag = self.MAX_LAG
        self.sleep, self.clock = sleep, clock
        self._next: float | None = None

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        due = now if self._next is None else max(self._next, now - self.max_lag)
        if due > now:
            self.sleep(due - now)
        self._next = due + self.interval


@dataclass
class Job:
    campaign: Campaign
    lease: Lease
    backend: SmtpBackend
    pacer: Pacer
    deadline: float
    contents: dict[str, Content]
    sender: str
    channel: Channel
    throttled: bool
    zone: ZoneInfo
    confirm_every: int = 1
    confirmed: list[tuple[int, str]] = field(default_factory=list)  # SENT, not yet written

    @property
    def token(self):
        return self.lease.token


def campaign_smtp_run(*, campaign: Campaign, lease: Lease, run_seconds: float,
                      sleep: Callable[[float], object] = time.sleep) -> Outcome:
    """Send pending recipients until done, paused, delayed or `run_seconds` are used up.

    Stores each row's outcome as it happens: SENT (with the Message-ID), FAILED (5xx reply,
    template error, or 4xx refusals CAMPAIGNS_MAX_ATTEMPTS times), SKIPPED (opted out, or
    nobody to unsubscribe), UNKNOWN (the connection broke during the message: it may have
    been taken, so it is never sent again). A 4xx refusal or a refused connection delays the
    campaign by CAMPAIGNS_RETRY_SECONDS; CAMPAIGNS_MAX_CONNECT_FAILURES refused connections
    in a row fail it. Quiet hours delay it to their end; pending rows stay pending.
    """
    job = Job(
        campaign=campaign, lease=lease, backend=SmtpBackend(fallback_connection()),
        pacer=Pacer(campaign.throttle_rate, sleep), deadline=time.monotonic() + run_seconds,
        contents=contents_of(campaign), sender=campaign_sender(campaign),
        channel=notify_channel(campaign), throttled=bool(campaign.throttle_rate),
        zone=campaign_zone(campaign), confirm_every=confirm_every(),
    )
    try:
        return _run(job)
    finally:
        job.backend.close()


def confirm_every() -> int:
    return max(1, int(conf.get("CAMPAIGNS_CONFIRM_EVERY")))


def _batch_size(campaign: Campaign) -> int:
    size = int(conf.get("CAMPAIGNS_BATCH_SIZE"))
    if campaign.throttle_rate:
        size = min(size, int(campaign.throttle_rate * float(conf.get("CAMPAIGNS_BATCH_SECONDS"))))
    return max(1, size)


def _run(job: Job) -> Outcome:
    campaign = job.campaign
    stop = _stop_reason(job)
    if stop is not None:
        return stop
    opened = _open(job)
    if opened is not None:
        return opened
    size = _batch_size(campaign)
    while True:
        ids = list(
            CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING,
                                             pk__gt=campaign.cursor)
            .order_by("pk").values_list("pk", flat=True)[:size]
        )
        if not ids:
            if campaign.cursor and CampaignRecipient.objects.filter(
                    campaign=campaign, status=RecipientStatus.PENDING).exists():
                campaign.cursor = 0  # rows refused with 4xx earlier: another pass
                continue
            return finished()
        outcome = _batch(job, ids)
        campaign.cursor = ids[-1]
        if outcome is not None:
            job.lease.renew(cursor=campaign.cursor)
            return outcome
        if not job.lease.renew(cursor=campaign.cursor):
            return Outcome(STOPPED)
        stop = _stop_reason(job)
        if stop is not None:
            return stop


def _stop_reason(job: Job) -> Outcome | None:
    """Quiet hours (delay to their end), the lease (paused or lost) or the time slice."""
    campaign = job.campaign
    until = quiet_until(timezone.now(), job.zone, campaign.quiet_start, campaign.quiet_end)
    if until is not None:
        return delayed(until)
    if not job.lease.keep():
        return Outcome(STOPPED)
    if time.monotonic() >= job.deadline:
        return Outcome(CONTINUE)
    return None


def _open(job: Job) -> Outcome | None:
    try:
        job.backend.open()
    except DeliveryError as exc:
        failures = job.campaign.connect_failures + 1
        job.lease.renew(connect_failures=failures)
        if failures >= int(conf.get("CAMPAIGNS_MAX_CONNECT_FAILURES")):
            return failed(_("the SMTP server refused %(n)s connections in a row: %(error)s")
                          % {"n": failures, "error": exc})
        return _retry_later(str(exc))
    if job.campaign.connect_failures:
        job.lease.renew(connect_failures=0)
        job.campaign.connect_failures = 0
    return None


def _retry_later(error: str) -> Outcome:
    seconds = float(conf.get("CAMPAIGNS_RETRY_SECONDS"))
    return delayed(timezone.now() + timedelta(seconds=seconds), error=error)


# -- one batch --------------------------------------------------------------------------

def _batch(job: Job, ids: list[int]) -> Outcome | None:
    try:
        return _send_batch(job, ids)
    finally:
        _flush(job)  # what went out is written even when the run stops here


def _send_batch(job: Job, ids: list[int]) -> Outcome | None:
    rows = list(CampaignRecipient.objects.filter(pk__in=ids, status=RecipientStatus.PENDING)
                .order_by("pk"))
    facts = batch_facts(rows)
    # Unthrottled: render the whole batch first, so that between two sends there is nothing
    # but the send itself (the window a crash leaves uncertain). Throttled: render each
    # message in the time the pacer would otherwise sleep.
    ready = _prepare(job, rows, facts, render=not job.throttled)
    if not job.throttled:
        claimed = set(_claim(job, [row.pk for row, _m in ready]))
        ready = [(row, message) for row, message in ready if row.pk in claimed]
    for index, (row, prepared) in enumerate(ready):
        stop = _stop_reason(job)
        if stop is not None:
            _unclaim(job, [r.pk for r, _m in ready[index:]])
            return stop
        message = prepared or _render_or_fail(job, row, facts)
        if message is None:
            continue
        job.pacer.wait()
        if job.throttled and not _claim(job, [row.pk]):
            continue  # no longer pending (paused and edited, or taken over)
        stop = _send(job, row, message)
        if stop is not None:
            _unclaim(job, [r.pk for r, _m in ready[index + 1:]])
            return stop
    return None


def _render_or_fail(job: Job, row: CampaignRecipient, facts: BatchFacts
                    ) -> OutboundMessage | None:
    try:
        return _message(job, row, facts)
    except TemplateError as exc:
        CampaignRecipient.objects.filter(pk=row.pk, status=RecipientStatus.PENDING).update(
            status=RecipientStatus.FAILED, error=f"template: {exc}")
        return None


def _prepare(job: Job, rows: list[CampaignRecipient], facts: BatchFacts, *, render: bool
             ) -> list[tuple[CampaignRecipient, OutboundMessage | None]]:
    """Skip opted-out rows and, when rendering now, fail unrenderable ones (set-based
    UPDATEs); the rest with their message (None: rendered later)."""
    skipped: dict[str, list[int]] = {}
    failed_rows: dict[str, list[int]] = {}
    ready: list[tuple[CampaignRecipient, OutboundMessage | None]] = []
    for row in rows:
        reason = _skip_reason(job, row, facts)
        if reason:
            skipped.setdefault(reason, []).append(row.pk)
            continue
        try:
            ready.append((row, _message(job, row, facts) if render else None))
        except TemplateError as exc:
            failed_rows.setdefault(f"template: {exc}", []).append(row.pk)
    for status, groups in ((RecipientStatus.SKIPPED, skipped),
                           (RecipientStatus.FAILED, failed_rows)):
        for reason, pks in groups.items():
            CampaignRecipient.objects.filter(pk__in=pks, status=RecipientStatus.PENDING).update(
                status=status, error=reason)
    return ready


def _skip_reason(job: Job, row: CampaignRecipient, facts: BatchFacts) -> str:
    if link_subject(row) is None:
        return _("a marketing message needs someone who can unsubscribe")
    if facts.opted_out(row, job.channel):
        return _("opted out of marketing messages by %(channel)s") % {"channel": job.channel}
    if row.role not in job.contents:
        return _("the campaign has no content for %(role)s") % {"role": row.role}
    return ""


def _message(job: Job, row: CampaignRecipient, facts: BatchFacts) -> OutboundMessage:
    context = recipient_context(job.campaign, row, facts)
    rendered = render_message(job.contents[row.role], context, email=True)
    return OutboundMessage(
        outbox_id=row.pk, channel=Channel.EMAIL, to=row.address, sender=job.sender,
        subject=rendered.subject, text=rendered.text, html=rendered.html,
        headers=unsubscribe_headers(context, row.address),
    )


def _claim(job: Job, pks: list[int]) -> list[int]:
    if not pks:
        return []
    CampaignRecipient.objects.filter(pk__in=pks, status=RecipientStatus.PENDING).update(
        status=RecipientStatus.SENDING, claim_token=job.token, attempts=F("attempts") + 1)
    return list(CampaignRecipient.objects.filter(
        pk__in=pks, claim_token=job.token, status=RecipientStatus.SENDING
    ).values_list("pk", flat=True))


def _unclaim(job: Job, pks: list[int]) -> None:
    """Rows claimed but certainly not tried go back to PENDING (attempt not counted)."""
    if pks:
        CampaignRecipient.objects.filter(
            pk__in=pks, claim_token=job.token, status=RecipientStatus.SENDING
        ).update(status=RecipientStatus.PENDING, claim_token=None, attempts=F("attempts") - 1)


def _mark(job: Job, row: CampaignRecipient, status: str, **fields) -> None:
    """Write a row's outcome now (in send order: what is buffered goes first)."""
    row.status = status
    _flush(job)
    CampaignRecipient.objects.filter(pk=row.pk, claim_token=job.token).update(
        status=status, **fields)


def _sent(job: Job, row: CampaignRecipient, provider_id: str) -> None:
    """SENT, written at once, or with the next CAMPAIGNS_CONFIRM_EVERY - 1 (unthrottled)."""
    if job.confirm_every == 1 or job.throttled:
        _mark(job, row, RecipientStatus.SENT, sent_at=timezone.now(), provider_id=provider_id,
              error="")
        return
    row.status = RecipientStatus.SENT
    job.confirmed.append((row.pk, provider_id))
    if len(job.confirmed) >= job.confirm_every:
        _flush(job)


def _flush(job: Job) -> None:
    if not job.confirmed:
        return
    pks = [pk for pk, _id in job.confirmed]
    ids = Case(*(When(pk=pk, then=Value(provider_id)) for pk, provider_id in job.confirmed),
               default=Value(""))
    CampaignRecipient.objects.filter(pk__in=pks, claim_token=job.token).update(
        status=RecipientStatus.SENT, sent_at=timezone.now(), provider_id=ids, error="")
    job.confirmed.clear()


def _send(job: Job, row: CampaignRecipient, message: OutboundMessage) -> Outcome | None:
    try:
        result = job.backend.send(message)
    except PermanentDeliveryError as exc:
        _mark(job, row, RecipientStatus.FAILED, error=str(exc))
        return None
    except DeliveryError as exc:
        return _temporary(job, row, exc)
    _sent(job, row, result.provider_id[:255])
    return None


def _temporary(job: Job, row: CampaignRecipient, exc: DeliveryError) -> Outcome | None:
    """A 4xx reply refused the message: it was not taken, try it again later. A broken
    connection during the message: it may have been taken, never send it again."""
    cause = exc.__cause__
    if isinstance(cause, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
        attempts = row.attempts + 1
        if attempts >= int(conf.get("CAMPAIGNS_MAX_ATTEMPTS")):
            _mark(job, row, RecipientStatus.FAILED,
                  error=_("gave up after %(n)s refusals: %(error)s") % {"n": attempts,
                                                                         "error": exc})
            return None
        _mark(job, row, RecipientStatus.PENDING, claim_token=None, error=str(exc))
        return _retry_later(str(exc))
    _mark(job, row, RecipientStatus.UNKNOWN, error=f"{exc} ({_('not sent again')})")
    logger.warning("campaign %s recipient %s: connection lost mid-message", job.campaign.pk,
                   row.pk)
    return _open(job)
