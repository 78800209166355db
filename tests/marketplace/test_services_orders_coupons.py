"""Coupons at checkout: `order_place(coupon_code=...)` with the journeys' coupons, refusals that
leave everything as it was, the coupon coming back on an early cancellation, recalculation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from journeys.models import Coupon
from journeys.services import coupon_issue
from marketplace import services
from marketplace.exceptions import CouponRefusedError
from marketplace.models import Cart, Order, OrderStatus, Product
from notifications.models import OutboxEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def kettle(company):
    return factories.ProductFactory(company=company, name="Kettle", price=Decimal("100.00"))


@pytest.fixture
def lamp(storefront):
    company = factories.CompanyFactory(storefront=storefront)
    return factories.ProductFactory(company=company, name="Lamp", price=Decimal("40.00"))


@pytest.fixture
def cart(buyer, storefront, kettle):
    """2 × Kettle (100.00): goods 200.00; the courier costs 300.00."""
    services.cart_add(buyer=buyer, storefront=storefront, product=kettle, quantity=2)


def coupon(buyer, storefront, *, percent=None, amount=None, valid_days=30) -> Coupon:
    return coupon_issue(buyer=buyer, storefront=storefront, percent=percent, amount=amount,
                        valid_days=valid_days, reason="test")


def place(buyer, storefront, shipping_method, code):
    with translation.override("en"):
        return services.order_place(buyer=buyer, storefront=storefront,
                                    shipping_method=shipping_method, coupon_code=code)


def amounts(order: Order) -> tuple:
    order.refresh_from_db()
    return (order.coupon_code, order.subtotal, order.discount, order.shipping_cost, order.total)


def test_a_percent_coupon_is_taken_off_the_goods_and_used_by_the_order(
    cart, buyer, storefront, shipping_method
):
    gift = coupon(buyer, storefront, percent=15)
    [order] = place(buyer, storefront, shipping_method, f"  {gift.code.lower()} ")
    assert amounts(order) == (gift.code, Decimal("200.00"), Decimal("30.00"),
                              Decimal("300.00"), Decimal("470.00"))
    assert order.discount_percent == 15
    gift.refresh_from_db()
    assert (gift.used_order, gift.used_at is not None) == (order, True)


def test_an_amount_coupon_is_shared_by_the_orders_of_one_checkout(
    cart, buyer, storefront, shipping_method, lamp
):
    services.cart_add(buyer=buyer, storefront=storefront, product=lamp, quantity=3)  # 120.00
    gift = coupon(buyer, storefront, amount=Decimal("50.00"))
    orders = place(buyer, storefront, shipping_method, gift.code)
    by_goods = sorted(amounts(order)[1:] for order in orders)
    assert by_goods == [
        (Decimal("120.00"), Decimal("18.75"), Decimal("300.00"), Decimal("401.25")),
        (Decimal("200.00"), Decimal("31.25"), Decimal("300.00"), Decimal("468.75")),
    ]
    assert Coupon.objects.get().used_order == orders[0]


def test_the_order_placed_message_carries_the_discounted_total(
    cart, buyer, storefront, shipping_method
):
    gift = coupon(buyer, storefront, amount=Decimal("25.00"))
    [order] = place(buyer, storefront, shipping_method, gift.code)
    event = OutboxEvent.objects.get(event="order.placed")
    assert (event.payload["order"]["id"], event.payload["order"]["total"]) == (order.pk, "475.00")


def test_no_code_no_discount(cart, buyer, storefront, shipping_method):
    [order] = place(buyer, storefront, shipping_method, "   ")
    assert amounts(order) == ("", Decimal("200.00"), Decimal("0.00"), Decimal("300.00"),
                              Decimal("500.00"))


def _used(buyer, storefront, code):
    Coupon.objects.filter(code=code).update(used_at=timezone.now())


def _expired(buyer, storefront, code):
    Coupon.objects.filter(code=code).update(valid_until=timezone.now() - timedelta(seconds=1))


def _someone_elses(buyer, storefront, code):
    other = factories.BuyerProfileFactory(storefront=storefront).user
    Coupon.objects.filter(code=code).update(buyer=other)


def _other_storefront(buyer, storefront, code):
    Coupon.objects.filter(code=code).update(
        storefront=factories.StorefrontFactory(name="Tea House"))


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_used, "This coupon has already been used."),
        (_expired, "This coupon has expired."),
        (_someone_elses, "There is no such coupon code."),
        (_other_storefront, "This coupon is for the storefront Tea House only."),
    ],
)
def test_a_bad_coupon_is_refused_and_nothing_changes(
    cart, buyer, storefront, shipping_method, kettle, spoil, message
):
    gift = coupon(buyer, storefront, percent=10)
    spoil(buyer, storefront, gift.code)
    before = Coupon.objects.values().get()
    with pytest.raises(CouponRefusedError) as refused:
        place(buyer, storefront, shipping_method, gift.code)
    assert refused.value.messages == [message]
    assert not Order.objects.exists()
    assert Product.objects.get(pk=kettle.pk).stock == kettle.stock
    open_cart = Cart.objects.get(buyer=buyer, storefront=storefront)
    assert (open_cart.ordered_at, list(open_cart.lines.values_list("quantity", flat=True))) == (
        None, [2])
    assert Coupon.objects.values().get() == before


def test_an_unknown_code_is_refused(cart, buyer, storefront, shipping_method):
    with pytest.raises(CouponRefusedError) as refused:
        place(buyer, storefront, shipping_method, "GIFT-NOPE0-NOPE0")
    assert refused.value.messages == ["There is no such coupon code."]
    assert not Order.objects.exists()


def test_the_refusal_is_translated(cart, buyer, storefront, shipping_method):
    gift = coupon(buyer, storefront, percent=10)
    _other_storefront(buyer, storefront, gift.code)
    with translation.override("ru"), pytest.raises(CouponRefusedError) as refused:
        services.order_place(buyer=buyer, storefront=storefront,
                             shipping_method=shipping_method, coupon_code=gift.code)
    assert refused.value.messages == ["Этот промокод действует только в магазине Tea House."]


def test_a_coupon_is_used_once(cart, buyer, storefront, shipping_method, kettle):
    gift = coupon(buyer, storefront, percent=10)
    place(buyer, storefront, shipping_method, gift.code)
    services.cart_add(buyer=buyer, storefront=storefront, product=kettle)
    with pytest.raises(CouponRefusedError, match="already been used"):
        place(buyer, storefront, shipping_method, gift.code)
    assert Order.objects.count() == 1


def test_a_cancellation_before_shipping_gives_the_coupon_back(
    cart, buyer, storefront, shipping_method, kettle
):
    gift = coupon(buyer, storefront, percent=10)
    [order] = place(buyer, storefront, shipping_method, gift.code)
    services.order_set_status(order=order, status=OrderStatus.CONFIRMED)
    services.order_set_status(order=order, status=OrderStatus.CANCELLED)
    assert Coupon.objects.values_list("used_at", "used_order").get() == (None, None)
    assert amounts(order)[:3] == (gift.code, Decimal("200.00"), Decimal("20.00"))  # the record
    services.cart_add(buyer=buyer, storefront=storefront, product=kettle)
    [again] = place(buyer, storefront, shipping_method, gift.code)
    assert Coupon.objects.get().used_order == again


def test_a_cancellation_after_shipping_keeps_the_coupon_used(
    cart, buyer, storefront, shipping_method
):
    gift = coupon(buyer, storefront, percent=10)
    [order] = place(buyer, storefront, shipping_method, gift.code)
    for status in (OrderStatus.CONFIRMED, OrderStatus.HANDED_TO_CARRIER, OrderStatus.CANCELLED):
        services.order_set_status(order=order, status=status)
    assert Coupon.objects.get().used_order == order


def test_the_coupon_comes_back_only_when_the_whole_checkout_is_cancelled(
    cart, buyer, storefront, shipping_method, lamp
):
    services.cart_add(buyer=buyer, storefront=storefront, product=lamp)
    gift = coupon(buyer, storefront, amount=Decimal("10.00"))
    first, second = place(buyer, storefront, shipping_method, gift.code)
    services.order_set_status(order=second, status=OrderStatus.CANCELLED)
    assert Coupon.objects.get().used_order == first
    services.order_set_status(order=first, status=OrderStatus.CANCELLED)
    assert Coupon.objects.values_list("used_at", flat=True).get() is None


@pytest.mark.parametrize(
    ("terms", "discount_after"),
    [
        ({"percent": 10}, Decimal("10.00")),  # the percent of what is left: 35.00 -> 10.00
        ({"amount": Decimal("200.00")}, Decimal("100.00")),  # capped at what is left
    ],
)
def test_recalculation_after_a_dropped_line_keeps_the_discount_within_the_goods(
    buyer, storefront, shipping_method, kettle, company, terms, discount_after
):
    toaster = factories.ProductFactory(company=company, price=Decimal("250.00"))
    services.cart_add(buyer=buyer, storefront=storefront, product=kettle)
    services.cart_add(buyer=buyer, storefront=storefront, product=toaster)
    [order] = place(buyer, storefront, shipping_method, coupon(buyer, storefront, **terms).code)
    order.lines.filter(product=toaster).update(is_available=False)
    services.order_recalculate(order=order)
    assert amounts(order)[1:] == (Decimal("100.00"), discount_after, Decimal("300.00"),
                                  Decimal("400.00") - discount_after)


def test_the_admin_order_page_shows_the_coupon_and_the_discount(
    cart, buyer, storefront, shipping_method, admin_client
):
    gift = coupon(buyer, storefront, percent=15)
    [order] = place(buyer, storefront, shipping_method, gift.code)
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = admin_client.get(reverse("admin:marketplace_order_change", args=[order.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Coupon code" in text and gift.code in text
    assert "Coupon discount" in text and "30.00" in text and "470.00" in text
