"""Order placed -> buyer, seller and admin each get their role's letter; every status change
-> the buyer, and the seller when the order is delivered or cancelled (real SMTP sink)."""

import pytest

from marketplace import services
from marketplace.models import OrderStatus
from tests import factories

pytestmark = pytest.mark.django_db

ORDER_EVENTS = {"order.placed", "order.status_changed"}


def order_letters(postman):
    return sorted((x.event, x.role, x.to, x.subject) for x in postman.deliver()
                  if x.event in ORDER_EVENTS)


@pytest.fixture
def customer(shop):
    return factories.BuyerProfileFactory(storefront=shop.storefront,
                                         user__email="anna@example.org").user


def test_placing_and_moving_an_order_tells_each_role(shop, customer, postman, clock):
    services.cart_add(buyer=customer, storefront=shop.storefront, product=shop.green)
    [order] = services.order_place(buyer=customer, storefront=shop.storefront,
                                   shipping_method=shop.courier, delivery_address="Moscow")
    n = order.number
    assert order_letters(postman) == [
        ("order.placed", "admin", "all@market.example.ru",
         f"[{shop.storefront.name}] Заказ №{n} у продавца Tea House"),
        ("order.placed", "buyer", "anna@example.org", f"Заказ №{n} оформлен"),
        ("order.placed", "seller", shop.company.email, f"Новый заказ №{n}"),
    ]
    steps = [OrderStatus.CONFIRMED, OrderStatus.HANDED_TO_CARRIER, OrderStatus.ARRIVED_IN_CITY,
             OrderStatus.AT_PICKUP_POINT, OrderStatus.DELIVERED]
    heard = []
    for status in steps:
        services.order_set_status(order=order, status=status)
        heard.append((status, [(role, to) for _e, role, to, _s in order_letters(postman)]))
    buyer, seller = ("buyer", "anna@example.org"), ("seller", shop.company.email)
    assert heard == [
        ("confirmed", [buyer]), ("handed_to_carrier", [buyer]), ("arrived_in_city", [buyer]),
        ("at_pickup_point", [buyer]), ("delivered", [buyer, seller]),
    ]


def test_a_cancelled_order_tells_the_buyer_and_the_seller(shop, customer, postman, clock):
    services.cart_add(buyer=customer, storefront=shop.storefront, product=shop.mug)
    [order] = services.order_place(buyer=customer, storefront=shop.storefront,
                                   shipping_method=shop.courier, delivery_address="Moscow")
    postman.deliver()
    services.order_set_status(order=order, status=OrderStatus.CANCELLED, note="changed mind")
    assert order_letters(postman) == [
        ("order.status_changed", "buyer", "anna@example.org", f"Заказ №{order.number} отменён"),
        ("order.status_changed", "seller", shop.company.email,
         f"Заказ №{order.number} отменён"),
    ]
