"""Sales milestones (a sale = a delivered order): the first sale and 100 / 500 / 1,000 sales are
congratulated exactly once each, in the transaction of the sale, through the SMTP sink."""

from decimal import Decimal

import pytest
from django.db import transaction

from chains.models import MilestoneThreshold, SellerMilestone
from marketplace import services as marketplace
from marketplace.models import Order, OrderStatus
from notifications.models import OutboxEvent
from tests import factories
from tests.chains.conftest import Sent, deliver, sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(storefront, marketplace_settings):
    return factories.CompanyFactory(storefront=storefront, email="shop@tea.example.ru")


def delivered_in_bulk(company, count):
    """`count` past sales written without the services (no signal, no milestone)."""
    template = factories.OrderFactory(company=company, status=OrderStatus.DELIVERED)
    Order.objects.bulk_create([
        Order(storefront=company.storefront, company=company, buyer=template.buyer,
              shipping_method=template.shipping_method, status=OrderStatus.DELIVERED,
              total=Decimal("1.00"))
        for _ in range(count - 1)
    ])


def sell(company):
    """One sale through the service: an order at the pickup point is delivered."""
    order = factories.OrderFactory(company=company, status=OrderStatus.AT_PICKUP_POINT)
    return marketplace.order_set_status(order=order, status=OrderStatus.DELIVERED)


def milestones(company):
    return list(SellerMilestone.objects.filter(company=company).values_list("milestone",
                                                                            flat=True))


def test_first_sale_then_100_500_and_1000_sales_are_congratulated_once_each(company, smtp_sink):
    sell(company)
    sell(company)  # the second sale: nothing
    delivered_in_bulk(company, 97)
    sell(company)  # the 100th
    sell(company)
    delivered_in_bulk(company, 398)
    sell(company)  # the 500th
    delivered_in_bulk(company, 499)
    sell(company)  # the 1,000th
    sell(company)
    assert milestones(company) == [1, 100, 500, 1000]
    deliver()
    assert sent(event__event="seller.milestone_reached") == [
        Sent("seller.milestone_reached", variant, "seller", "email", "shop@tea.example.ru")
        for variant in ("first_sale", "milestone", "milestone", "milestone")
    ]
    subjects = [m.subject.strip() for m in smtp_sink.messages]
    assert [s for s in subjects if "Поздравляем" in s] == [
        f"Первая продажа! Поздравляем, {company.name}",
        f"100 продаж! Поздравляем, {company.name}",
        f"500 продаж! Поздравляем, {company.name}",
        f"1000 продаж! Поздравляем, {company.name}",
    ]


def test_a_rolled_back_sale_leaves_no_milestone_and_no_message(company):
    order = factories.OrderFactory(company=company, status=OrderStatus.AT_PICKUP_POINT)
    with pytest.raises(RuntimeError), transaction.atomic():
        marketplace.order_set_status(order=order, status=OrderStatus.DELIVERED)
        raise RuntimeError("rolled back")
    assert milestones(company) == []
    assert not OutboxEvent.objects.filter(event="seller.milestone_reached").exists()
    sell(company)
    assert milestones(company) == [1]


def test_thresholds_edited_in_the_admin_are_used(company, admin_client):
    response = admin_client.post("/admin/chains/milestonethreshold/add/",
                                 {"sales": 3, "active": "on"})
    assert response.status_code == 302
    MilestoneThreshold.objects.filter(sales=1).update(active=False)
    for _ in range(3):
        sell(company)
    assert milestones(company) == [3]
    event = OutboxEvent.objects.get(event="seller.milestone_reached")
    assert (event.variant, event.payload["sales"]) == ("milestone", 3)
