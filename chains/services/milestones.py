"""Sales milestones: a seller's first sale and 100 / 500 / 1,000 sales, each congratulated once.

A sale is a DELIVERED order (the vendor dashboard counts sales the same way): a placed order
may still be cancelled or lose lines in the stock check, a delivered one is final.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

import notifications
from chains.models import MilestoneThreshold, SellerMilestone
from marketplace.models import Company, Order, OrderStatus

logger = logging.getLogger(__name__)

EVENT = "seller.milestone_reached"


def thresholds_active() -> list[int]:
    """The active sales milestones, ascending (the vendor dashboard shows the same)."""
    return list(MilestoneThreshold.objects.filter(active=True).order_by("sales")
                .values_list("sales", flat=True))


def milestones_record(*, order: Order) -> list[int]:
    """Record and announce the milestones the delivery of `order` reached; return them.

    Call it INSIDE the transaction that delivered the order. It locks the company row
    (`FOR NO KEY UPDATE`), so concurrent deliveries of one company's orders count one after
    the other: under READ COMMITTED the count after the lock sees every committed sale, and
    each active threshold <= the count that has no `SellerMilestone` row gets one (unique per
    company and milestone, written in a savepoint: a conflict is skipped, never an error) and
    its `seller.milestone_reached` message, in the same transaction. A rollback of the sale
    removes both. A threshold missed for any reason is caught up at the next sale."""
    company_id = order.company_id
    # FOR NO KEY UPDATE where the database has it (PostgreSQL); MariaDB/MySQL lack it.
    no_key = connection.features.has_select_for_no_key_update
    list(Company.objects.select_for_update(no_key=no_key).filter(pk=company_id).values("pk"))
    sales = Order.objects.filter(company_id=company_id, status=OrderStatus.DELIVERED).count()
    reached = set(SellerMilestone.objects.filter(company_id=company_id)
                  .values_list("milestone", flat=True))
    due = [
        threshold for threshold in MilestoneThreshold.objects.filter(active=True, sales__lte=sales)
        .values_list("sales", flat=True) if threshold not in reached
    ]
    recorded = []
    for threshold in due:
        try:
            with transaction.atomic():
                SellerMilestone.objects.create(company_id=company_id, milestone=threshold,
                                               order_id=order.pk, reached_at=timezone.now())
        except IntegrityError:
            continue
        notifications.emit(EVENT, company_id=company_id, sales=threshold,
                           kind="first_sale" if threshold == 1 else "milestone")
        logger.info("chains: company %s reached %s sales", company_id, threshold)
        recorded.append(threshold)
    return recorded
