"""Milestones under concurrent sales: threads, each with its own PostgreSQL connection, deliver
one company's orders at the same moment; every milestone is recorded and announced once.

Needs PostgreSQL's row locks: SQLite serialises whole-file writes and ignores
`select_for_update`, so there is nothing concurrent to test. The CI PostgreSQL pass runs it; a
run whose DATABASE_URL names PostgreSQL but ends up elsewhere fails in CI (`require`).
"""

import os
from decimal import Decimal

import pytest
from django.db import connection

from chains.models import MilestoneThreshold, SellerMilestone
from marketplace import services as marketplace
from marketplace.models import Order, OrderStatus
from notifications.models import OutboxEvent
from tests import factories
from tests.concurrency import run_together
from tests.services import require

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor == "postgresql":
        return
    require(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
            f"DATABASE_URL names PostgreSQL but the tests run on {connection.vendor}")
    pytest.skip("concurrent sales need PostgreSQL row locks (SQLite has none); run with "
                "DATABASE_URL=postgres://... as the CI PostgreSQL pass does")


@pytest.fixture
def company(enqueued, marketplace_settings):
    return factories.CompanyFactory(email="shop@tea.example.ru")


def thresholds(*values):
    MilestoneThreshold.objects.all().delete()  # a flushed database has none; start from known
    MilestoneThreshold.objects.bulk_create([MilestoneThreshold(sales=v) for v in values])


def at_pickup_point(company, count):
    return [factories.OrderFactory(company=company, status=OrderStatus.AT_PICKUP_POINT)
            for _ in range(count)]


def deliver_concurrently(orders) -> list[str]:
    """Deliver `orders` at the same moment; what went wrong (nothing: [])."""
    def deliver(order):
        marketplace.order_set_status(order=order, status=OrderStatus.DELIVERED)
        return "delivered"

    outcomes = run_together(deliver, orders, timeout=120)
    missing = ["still running"] * (len(orders) - len(outcomes))
    return [outcome for outcome in outcomes if outcome != "delivered"] + missing


def announced(company) -> list[tuple[str, int]]:
    return sorted(
        (e.variant, e.payload["sales"])
        for e in OutboxEvent.objects.filter(event="seller.milestone_reached",
                                            payload__company__id=company.pk)
    )


def test_concurrent_sales_cross_each_threshold_once(company):
    thresholds(1, 2, 4, 8)
    assert deliver_concurrently(at_pickup_point(company, THREADS)) == []
    assert Order.objects.filter(company=company, status=OrderStatus.DELIVERED).count() == THREADS
    assert sorted(SellerMilestone.objects.filter(company=company)
                  .values_list("milestone", flat=True)) == [1, 2, 4, 8]
    assert announced(company) == [("first_sale", 1), ("milestone", 2), ("milestone", 4),
                                  ("milestone", 8)]


def test_concurrent_sales_around_the_hundredth_congratulate_it_once(company):
    thresholds(1, 100, 500, 1000)
    template = factories.OrderFactory(company=company, status=OrderStatus.DELIVERED)
    Order.objects.bulk_create([
        Order(storefront=company.storefront, company=company, buyer=template.buyer,
              shipping_method=template.shipping_method, status=OrderStatus.DELIVERED,
              total=Decimal("1.00"))
        for _ in range(95)
    ])  # 96 past sales
    SellerMilestone.objects.create(company=company, milestone=1, reached_at=template.created_at)
    assert deliver_concurrently(at_pickup_point(company, THREADS)) == []
    assert sorted(SellerMilestone.objects.filter(company=company)
                  .values_list("milestone", flat=True)) == [1, 100]
    assert announced(company) == [("milestone", 100)]
