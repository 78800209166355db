"""Chains run by a Sendsay automation: hand an enrolment over (start the sequence or send the
ssec event that triggers it) and stop the sequence when the enrolment leaves the chain.

Network calls happen outside any transaction; each outcome is written to the enrolment row.
A retryable Sendsay error is retried by a later `chains_advance` with backoff, up to
MAX_ATTEMPTS; a permanent one ends the hand-over as ERROR (or gives up the stop), with
Sendsay's error id and explanation in `last_error` and in the account's error log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from chains.models import ChainEnrolment, FinishReason, SendsayTrigger
from sendsay_admin.client import SendsayClient, SendsayError
from sendsay_admin.services import (
    AccountNotConfiguredError,
    account_for_storefront,
    client_for_account,
    errors_recorded,
    module_is_active,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_MAX = timedelta(hours=6)
RELATED = ("chain", "company__storefront", "user__buyer_profile__storefront")


def _storefront(enrolment: ChainEnrolment):
    if enrolment.company_id:
        return enrolment.company.storefront
    profile = getattr(enrolment.user, "buyer_profile", None)
    return profile.storefront if profile is not None else None


def _address(enrolment: ChainEnrolment) -> str:
    return enrolment.company.email if enrolment.company_id else enrolment.user.email


def module_active_for(enrolment: ChainEnrolment, cache: dict) -> bool:
    """Whether the Sendsay module serves the recipient's storefront (cached per storefront)."""
    storefront = _storefront(enrolment)
    key = storefront.pk if storefront is not None else None
    if key not in cache:
        cache[key] = module_is_active(storefront)
    return cache[key]


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** attempts), BACKOFF_MAX)


def _client(enrolment: ChainEnrolment):
    account = account_for_storefront(_storefront(enrolment))
    if account is None:
        raise AccountNotConfiguredError("No Sendsay account serves this storefront.")
    return account, client_for_account(account)


def _start(client: SendsayClient, enrolment: ChainEnrolment, address: str) -> None:
    chain = enrolment.chain
    # The automation (and a later sequence.member.stop) needs a known member; "update" creates
    # a missing one and leaves an existing one as it is.
    client.member_set(address, addr_type="email", if_exists="update")
    if chain.sendsay_trigger == SendsayTrigger.SEQUENCE:
        client.sequence_member_start(chain.sendsay_sequence_id, address)
    else:
        event = {**(chain.sendsay_event_fields or {}), "event_type": chain.sendsay_event_type,
                 "email": address, "addr_type": "email"}
        client.ssec_events([event])


def enrolment_handover(*, enrolment_id: int, now: datetime | None = None) -> bool:
    """Hand one leased enrolment to its Sendsay automation; True when Sendsay accepted it."""
    now = now or timezone.now()
    enrolment = ChainEnrolment.objects.select_related(*RELATED).get(pk=enrolment_id)
    if enrolment.finished_at or enrolment.sendsay_started_at:
        return False
    try:
        account, client = _client(enrolment)
        with errors_recorded(account):
            _start(client, enrolment, _address(enrolment))
    except (SendsayError, AccountNotConfiguredError) as exc:
        _handover_failed(enrolment, exc, now)
        return False
    ChainEnrolment.objects.filter(pk=enrolment.pk).update(
        sendsay_started_at=now, next_run_at=None, attempts=0, last_error="")
    logger.info("chains: enrolment %s handed to Sendsay (%s)", enrolment.pk,
                enrolment.chain.sendsay_trigger)
    return True


def _handover_failed(enrolment: ChainEnrolment, exc: Exception, now: datetime) -> None:
    attempts = enrolment.attempts + 1
    retry = getattr(exc, "retryable", True) and attempts < MAX_ATTEMPTS
    changes = {"attempts": attempts, "last_error": str(exc)[:2000]}
    if retry:
        changes["next_run_at"] = now + _backoff(attempts)
    else:
        changes.update(finished_at=now, finish_reason=FinishReason.ERROR, next_run_at=None)
    ChainEnrolment.objects.filter(pk=enrolment.pk).update(**changes)
    logger.warning("chains: hand-over of enrolment %s failed (%s): %s", enrolment.pk,
                   "retrying" if retry else "gave up", exc)


def sendsay_stops(*, now: datetime | None = None, limit: int = 500) -> int:
    """Stop the Sendsay sequence of enrolments that left a chain after being handed over
    (`sequence.member.stop`); returns how many Sendsay confirmed. Chains without a sequence id
    (an ssec event started them) have nothing to stop there."""
    now = now or timezone.now()
    rows = (
        ChainEnrolment.objects.filter(
            finished_at__isnull=False, sendsay_started_at__isnull=False,
            sendsay_stopped_at__isnull=True, attempts__lt=MAX_ATTEMPTS,
        ).exclude(chain__sendsay_sequence_id="").select_related(*RELATED).order_by("pk")[:limit]
    )
    stopped = 0
    for enrolment in rows:
        try:
            account, client = _client(enrolment)
            with errors_recorded(account):
                client.sequence_member_stop(enrolment.chain.sendsay_sequence_id,
                                            _address(enrolment))
        except (SendsayError, AccountNotConfiguredError) as exc:
            retryable = getattr(exc, "retryable", True)
            ChainEnrolment.objects.filter(pk=enrolment.pk).update(
                attempts=F("attempts") + 1 if retryable else MAX_ATTEMPTS,
                last_error=str(exc)[:2000])
            continue
        ChainEnrolment.objects.filter(pk=enrolment.pk).update(sendsay_stopped_at=now,
                                                               last_error="")
        stopped += 1
    return stopped
