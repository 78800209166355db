"""Two buyers racing for the last item: the row lock lets exactly one order through.

Runs on PostgreSQL (or another database with real row locks); SQLite locks the whole file
and `select_for_update` is a no-op there, so the test is skipped on it.
"""

import threading

import pytest
from django.db import connection, connections

from marketplace import services
from marketplace.exceptions import OutOfStockError
from marketplace.models import Order, Product
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs row locks (PostgreSQL, MySQL, MariaDB)"
    ),
]


def test_concurrent_orders_for_the_last_item_sell_it_once(storefront, shipping_method):
    product = factories.ProductFactory(
        company=factories.CompanyFactory(storefront=storefront), stock=1
    )
    buyers = [factories.BuyerProfileFactory(storefront=storefront).user for _ in range(2)]
    for buyer in buyers:
        services.cart_add(buyer=buyer, storefront=storefront, product=product)
    barrier, outcomes = threading.Barrier(2), []

    def place(buyer):
        try:
            barrier.wait()
            services.order_place(
                buyer=buyer, storefront=storefront, shipping_method=shipping_method
            )
            outcomes.append("placed")
        except OutOfStockError:
            outcomes.append("out of stock")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=place, args=(buyer,)) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["out of stock", "placed"]
    assert (Order.objects.count(), Product.objects.get(pk=product.pk).stock) == (1, 0)
