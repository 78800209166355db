"""Enrolment: enter chains on a trigger, leave them when their exit condition holds (set-based)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from chains import registry
from chains.models import Chain, ChainAudience, ChainEnrolment, FinishReason

logger = logging.getLogger(__name__)


def _recipient(company_id: int | None, user_id: int | None) -> tuple[str, dict]:
    if (company_id is None) == (user_id is None):
        raise ValueError("pass exactly one of company_id and user_id")
    if company_id is not None:
        return ChainAudience.SELLER, {"company_id": company_id}
    return ChainAudience.BUYER, {"user_id": user_id}


def _exit_holds(chain: Chain, recipient: dict) -> bool:
    """Whether the chain's exit condition already holds for a recipient (one query)."""
    if not chain.exit_condition:
        return False
    (value,) = recipient.values()
    condition = registry.condition_get(chain.exit_condition)
    return Chain.objects.filter(pk=chain.pk).filter(condition.build(value)).exists()


def chains_trigger(
    *, trigger: str, company_id: int | None = None, user_id: int | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Enrol a recipient (a company for seller chains, a user for buyer chains) in every active
    chain entered on `trigger`; return the ids of the chains it entered now.

    Called inside the business transaction (a receiver of the change). A chain is skipped
    when its exit condition already holds, when it runs here and has no step, and when the
    recipient was ever enrolled in it (the unique enrolment: inserting again is a no-op). The
    first step is due after its delay; a chain handed to Sendsay is due at once (the next
    `chains_advance` hands it over)."""
    audience, recipient = _recipient(company_id, user_id)
    now = now or timezone.now()
    chains = Chain.objects.filter(active=True, trigger=trigger, audience=audience)
    chains = chains.exclude(enrolments__in=ChainEnrolment.objects.filter(**recipient))
    entered = []
    for chain in chains.prefetch_related("steps"):
        first = min(chain.steps.all(), key=lambda step: step.position, default=None)
        if (first is None and not chain.hands_over) or _exit_holds(chain, recipient):
            continue
        row = ChainEnrolment(
            chain=chain, enrolled_at=now, next_step=first.position if first else 1,
            next_run_at=now if chain.hands_over else now + first.delay, **recipient,
        )
        ChainEnrolment.objects.bulk_create([row], ignore_conflicts=True)
        entered.append(chain.pk)
    return entered


def _exit_codes() -> set[str]:
    return set(
        Chain.objects.exclude(exit_condition="").values_list("exit_condition", flat=True)
    )


def enrolments_exit(
    *, queryset: QuerySet | None = None, now: datetime | None = None
) -> int:
    """Finish every active enrolment (of `queryset`, default all) whose chain's exit condition
    holds: ONE UPDATE whatever the number of enrolments and chains. Returns how many.

    A finished enrolment that was handed to Sendsay keeps `sendsay_started_at`; the next
    `chains_advance` stops its Sendsay sequence (`sendsay_stops`)."""
    now = now or timezone.now()
    codes = _exit_codes()
    if not codes:
        return 0
    active = (queryset if queryset is not None else ChainEnrolment.objects).filter(
        finished_at__isnull=True
    )
    count = active.filter(registry.exit_expression(codes)).update(
        finished_at=now, finish_reason=FinishReason.EXIT, next_run_at=None, attempts=0,
    )
    if count:
        logger.info("chains: %d enrolments left on their exit condition", count)
    return count


def recipient_exits_apply(
    *, company_id: int | None = None, user_id: int | None = None, now: datetime | None = None
) -> int:
    """`enrolments_exit` for one recipient: called when its products or sales change, inside
    that transaction, so a chain stops as soon as its condition holds."""
    _audience, recipient = _recipient(company_id, user_id)
    return enrolments_exit(queryset=ChainEnrolment.objects.filter(**recipient), now=now)


def enrolments_cancel(*, queryset: QuerySet, now: datetime | None = None) -> int:
    """Finish the active enrolments of `queryset` as cancelled (the admin's action)."""
    return queryset.filter(finished_at__isnull=True).update(
        finished_at=now or timezone.now(), finish_reason=FinishReason.CANCELLED,
        next_run_at=None, attempts=0,
    )
