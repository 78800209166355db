"""Checkouts at the same moment: the last item sells once, a coupon is used once. Threads with
their own PostgreSQL connections; SQLite has no row locks (it serialises whole-file writes and
ignores `select_for_update`), so there is nothing concurrent to test on it, and a run whose
DATABASE_URL names PostgreSQL but ends up elsewhere fails instead of skipping."""

import os
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from journeys.models import Coupon
from journeys.services import coupon_issue, coupon_redeem
from marketplace import services
from marketplace.exceptions import CouponRefusedError, EmptyCartError, OutOfStockError
from marketplace.models import Order, Product
from tests import factories
from tests.concurrency import run_together
from tests.services import require

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _row_locks():
    if connection.vendor != "sqlite":
        return
    require(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
            f"DATABASE_URL names PostgreSQL but the tests run on {connection.vendor}")
    pytest.skip("needs row locks (PostgreSQL, MySQL, MariaDB); run with DATABASE_URL=...")


def race(work, *args) -> list[str]:
    """`run_together` with the marketplace errors a checkout may end in named by class."""
    return run_together(work, args,
                        expected=(OutOfStockError, CouponRefusedError, EmptyCartError))


def test_concurrent_orders_for_the_last_item_sell_it_once(storefront, shipping_method):
    product = factories.ProductFactory(
        company=factories.CompanyFactory(storefront=storefront), stock=1
    )
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(2)]
    for buyer in buyers:
        services.cart_add(buyer=buyer, storefront=storefront, product=product)

    def place(buyer):
        services.order_place(buyer=buyer, storefront=storefront, shipping_method=shipping_method)
        return "placed"

    assert race(place, *buyers) == ["OutOfStockError", "placed"]
    assert (Order.objects.count(), Product.objects.get(pk=product.pk).stock) == (1, 0)


@pytest.fixture
def gift(buyer, storefront):
    return coupon_issue(buyer=buyer, storefront=storefront, percent=10, valid_days=30)


def test_two_redemptions_in_open_transactions_use_the_coupon_once(gift, buyer, storefront):
    orders = [factories.OrderFactory(buyer=buyer, company__storefront=storefront)
              for _ in range(2)]

    def redeem(order):
        with transaction.atomic():
            coupon_redeem(code=gift.code, buyer=buyer, storefront=storefront, order=order)
            time.sleep(0.3)  # commit late: the other redemption runs while this one is open
        return "redeemed"

    assert race(redeem, *orders) == ["CouponError", "redeemed"]
    assert Coupon.objects.get().used_order_id in {order.pk for order in orders}


def test_two_checkouts_with_one_code_place_one_discounted_order(
    gift, buyer, storefront, company, shipping_method
):
    """The buyer's one open cart is locked first, so the loser usually finds it ordered
    (EmptyCartError); either way one order, one redemption."""
    product = factories.ProductFactory(company=company, price=Decimal("100.00"), stock=5)
    services.cart_add(buyer=buyer, storefront=storefront, product=product)

    def place(_):
        services.order_place(buyer=buyer, storefront=storefront,
                             shipping_method=shipping_method, coupon_code=gift.code)
        return "placed"

    outcomes = race(place, 1, 2)
    assert outcomes.count("placed") == 1 and len(outcomes) == 2
    order = Order.objects.get()
    assert (order.discount, order.total) == (Decimal("10.00"), order.subtotal - 10 + 300)
    assert Coupon.objects.get().used_order == order
