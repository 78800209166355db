"""Order services: placing carts (split per company, stock), the status lifecycle, totals."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from marketplace import services
from marketplace.exceptions import (
    EmailNotConfirmedError,
    EmptyCartError,
    MarketplaceError,
    OutOfStockError,
    TransitionNotAllowedError,
)
from marketplace.models import (
    Cart,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    Product,
    SellerProfile,
)
from marketplace.models.orders import ALLOWED_TRANSITIONS
from marketplace.selectors import cart_get
from marketplace.services import orders as orders_module
from tests import factories

pytestmark = pytest.mark.django_db

ALLOWED = sorted((src, dst) for src, targets in ALLOWED_TRANSITIONS.items() for dst in targets)
REFUSED = sorted(
    (src, dst)
    for src in OrderStatus.values
    for dst in OrderStatus.values
    if dst not in ALLOWED_TRANSITIONS[src]
)


@pytest.fixture
def events(monkeypatch):
    """The (event, refs) pairs the order services announce."""
    seen = []
    monkeypatch.setattr(orders_module, "_notify", lambda event, **refs: seen.append((event, refs)))
    return seen


@pytest.fixture
def kettle(company):
    return factories.ProductFactory(company=company, name="Kettle", price=Decimal("100.00"))


@pytest.fixture
def toaster(company):
    return factories.ProductFactory(company=company, name="Toaster", price=Decimal("250.00"))


def fill_cart(buyer, storefront, *items):
    for product, quantity in items:
        services.cart_add(buyer=buyer, storefront=storefront, product=product, quantity=quantity)


def stock_of(*products):
    return [Product.objects.get(pk=product.pk).stock for product in products]


@pytest.fixture
def placed(buyer, storefront, shipping_method, kettle, toaster):
    """One order: 2 × Kettle (100.00) + 1 × Toaster (250.00), courier 300.00."""
    fill_cart(buyer, storefront, (kettle, 2), (toaster, 1))
    [order] = services.order_place(
        buyer=buyer, storefront=storefront, shipping_method=shipping_method
    )
    return order


# --- order_place ---------------------------------------------------------------------------


def test_order_place_creates_the_order_with_exact_totals(placed, buyer, company, kettle, toaster):
    order = Order.objects.get()
    assert order.pk == placed.pk
    assert (order.buyer, order.company, order.status) == (buyer, company, OrderStatus.PLACED)
    assert (order.subtotal, order.shipping_cost, order.total) == (
        Decimal("450.00"),
        Decimal("300.00"),
        Decimal("750.00"),
    )
    assert sorted(order.lines.values_list("product_name", "unit_price", "quantity")) == [
        ("Kettle", Decimal("100.00"), 2),
        ("Toaster", Decimal("250.00"), 1),
    ]
    assert stock_of(kettle, toaster) == [8, 9]


def test_order_place_writes_the_first_history_row_and_closes_the_cart(placed, buyer, storefront):
    history = list(placed.history.values_list("from_status", "to_status", "changed_by"))
    assert history == [("", OrderStatus.PLACED, buyer.pk)]
    cart = Cart.objects.get(buyer=buyer, storefront=storefront)
    assert cart.ordered_at is not None
    assert cart_get(buyer=buyer, storefront=storefront) is None
    assert cart.lines.count() == 2  # kept for the record


def test_order_place_keeps_the_price_it_was_sold_at(placed, kettle):
    services.product_update(product=kettle, price=Decimal("999.00"), name="Kettle 2")
    line = OrderLine.objects.get(product=kettle)
    assert (line.product_name, line.unit_price, line.line_total) == (
        "Kettle",
        Decimal("100.00"),
        Decimal("200.00"),
    )


def test_order_place_splits_the_cart_per_company(buyer, storefront, shipping_method, kettle):
    other_company = factories.CompanyFactory(storefront=storefront)
    lamp = factories.ProductFactory(company=other_company, price=Decimal("40.00"))
    fill_cart(buyer, storefront, (lamp, 3), (kettle, 1))
    orders = services.order_place(
        buyer=buyer, storefront=storefront, shipping_method=shipping_method
    )
    summary = [(o.company, o.subtotal, o.shipping_cost, o.total, o.lines.count()) for o in orders]
    assert summary == sorted(
        [
            (kettle.company, Decimal("100.00"), Decimal("300.00"), Decimal("400.00"), 1),
            (other_company, Decimal("120.00"), Decimal("300.00"), Decimal("420.00"), 1),
        ],
        key=lambda row: row[0].pk,
    )
    assert OrderStatusChange.objects.filter(to_status=OrderStatus.PLACED).count() == 2
    assert stock_of(lamp, kettle) == [7, 9]


def test_order_place_refuses_an_unconfirmed_buyer_but_keeps_the_cart(
    storefront, shipping_method, kettle
):
    buyer = factories.BuyerProfileFactory(storefront=storefront, email_confirmed_at=None).user
    fill_cart(buyer, storefront, (kettle, 2))
    with pytest.raises(EmailNotConfirmedError) as info:
        services.order_place(buyer=buyer, storefront=storefront, shipping_method=shipping_method)
    with translation.override("en"):
        assert info.value.messages == [
            f"Please confirm your e-mail address {buyer.email} first: follow the link in the "
            "message we sent you, then place the order. Your cart is kept."
        ]
    fill_cart(buyer, storefront, (kettle, 1))  # the cart keeps working
    assert [
        (line.product, line.quantity)
        for line in cart_get(buyer=buyer, storefront=storefront).lines.all()
    ] == [(kettle, 3)]
    assert (Order.objects.count(), stock_of(kettle)) == (0, [10])


def test_order_place_works_once_the_email_is_confirmed(storefront, shipping_method, kettle):
    buyer = factories.BuyerProfileFactory(storefront=storefront, email_confirmed_at=None).user
    fill_cart(buyer, storefront, (kettle, 1))
    services.buyer_confirm_email(user=buyer)
    [order] = services.order_place(
        buyer=buyer, storefront=storefront, shipping_method=shipping_method
    )
    assert order.total == Decimal("400.00")


def test_order_place_refuses_a_missing_or_empty_cart(buyer, storefront, shipping_method, kettle):
    with pytest.raises(EmptyCartError):
        services.order_place(buyer=buyer, storefront=storefront, shipping_method=shipping_method)
    fill_cart(buyer, storefront, (kettle, 1))
    services.cart_clear(buyer=buyer, storefront=storefront)
    with pytest.raises(EmptyCartError) as info:
        services.order_place(buyer=buyer, storefront=storefront, shipping_method=shipping_method)
    with translation.override("en"):
        assert info.value.messages == ["Your cart is empty."]
    assert Order.objects.count() == 0


def test_order_place_refuses_short_stock_and_stores_nothing(
    buyer, storefront, shipping_method, kettle, toaster
):
    fill_cart(buyer, storefront, (kettle, 2), (toaster, 3))
    services.product_update(product=kettle, stock=1)
    services.product_update(product=toaster, stock=0)
    with pytest.raises(OutOfStockError) as info:
        services.order_place(buyer=buyer, storefront=storefront, shipping_method=shipping_method)
    with translation.override("en"):
        assert info.value.messages == [
            "Not enough “Kettle” in stock: 2 requested, 1 left.",
            "Not enough “Toaster” in stock: 3 requested, 0 left.",
        ]
    assert (Order.objects.count(), OrderLine.objects.count()) == (0, 0)
    assert stock_of(kettle, toaster) == [1, 0]
    assert cart_get(buyer=buyer, storefront=storefront) is not None


def test_order_place_takes_exactly_the_last_items(buyer, storefront, shipping_method, kettle):
    fill_cart(buyer, storefront, (kettle, 10))
    [order] = services.order_place(
        buyer=buyer, storefront=storefront, shipping_method=shipping_method
    )
    assert (order.subtotal, stock_of(kettle)) == (Decimal("1000.00"), [0])


def test_order_place_refuses_a_product_switched_off_after_adding(
    buyer, storefront, shipping_method, kettle
):
    fill_cart(buyer, storefront, (kettle, 1))
    services.product_update(product=kettle, is_active=False)
    with pytest.raises(MarketplaceError) as info:
        services.order_place(buyer=buyer, storefront=storefront, shipping_method=shipping_method)
    assert info.value.code == "product_inactive"
    assert (Order.objects.count(), stock_of(kettle)) == (0, [10])


def test_order_place_refuses_an_inactive_shipping_method(buyer, storefront, kettle):
    method = factories.ShippingMethodFactory(code="old", is_active=False)
    fill_cart(buyer, storefront, (kettle, 1))
    with pytest.raises(MarketplaceError) as info:
        services.order_place(buyer=buyer, storefront=storefront, shipping_method=method)
    assert info.value.code == "shipping_method_inactive"
    assert Order.objects.count() == 0


def test_order_place_refuses_a_user_who_is_not_a_buyer(seller, storefront, shipping_method):
    with pytest.raises(MarketplaceError) as info:
        services.order_place(buyer=seller, storefront=storefront, shipping_method=shipping_method)
    assert info.value.code == "not_a_buyer"


def test_order_place_uses_the_given_or_the_profile_address(
    buyer, storefront, shipping_method, kettle
):
    services.buyer_update_profile(user=buyer, delivery_address="Profile st. 1")
    fill_cart(buyer, storefront, (kettle, 1))
    [first] = services.order_place(
        buyer=buyer, storefront=storefront, shipping_method=shipping_method
    )
    fill_cart(buyer, storefront, (kettle, 1))
    [second] = services.order_place(
        buyer=buyer,
        storefront=storefront,
        shipping_method=shipping_method,
        delivery_address=" Given st. 2 ",
    )
    assert (first.delivery_address, second.delivery_address) == ("Profile st. 1", "Given st. 2")
    assert Cart.objects.filter(buyer=buyer, ordered_at__isnull=False).count() == 2


def test_order_place_records_who_placed_it(buyer, storefront, shipping_method, kettle):
    admin = factories.UserFactory(is_staff=True)
    fill_cart(buyer, storefront, (kettle, 1))
    [order] = services.order_place(
        buyer=buyer, storefront=storefront, shipping_method=shipping_method, by=admin
    )
    assert (order.buyer, order.history.get().changed_by) == (buyer, admin)


def test_a_seller_can_buy_as_a_buyer(seller, storefront, company, shipping_method, kettle):
    factories.BuyerProfileFactory(user=seller, storefront=storefront)
    elsewhere = factories.ProductFactory(
        company=factories.CompanyFactory(storefront=storefront), price=Decimal("10.00")
    )
    fill_cart(seller, storefront, (kettle, 1), (elsewhere, 2))
    orders = services.order_place(
        buyer=seller, storefront=storefront, shipping_method=shipping_method
    )
    assert sorted((o.company_id, o.buyer_id, o.total) for o in orders) == sorted(
        [
            (company.pk, seller.pk, Decimal("400.00")),
            (elsewhere.company_id, seller.pk, Decimal("320.00")),
        ]
    )
    assert SellerProfile.objects.get(user=seller).company == company


def test_order_place_query_count_does_not_grow_with_lines(
    buyer, storefront, shipping_method, company
):
    def queries_for(line_count):
        products = factories.ProductFactory.create_batch(line_count, company=company)
        fill_cart(buyer, storefront, *[(product, 1) for product in products])
        with CaptureQueriesContext(connection) as captured:
            services.order_place(
                buyer=buyer, storefront=storefront, shipping_method=shipping_method
            )
        return len(captured)

    queries_for(1)  # warm-up: first use creates the marketplace settings row
    assert queries_for(1) == queries_for(6)


def test_order_place_announces_each_order(buyer, storefront, shipping_method, kettle, events):
    lamp = factories.ProductFactory(company=factories.CompanyFactory(storefront=storefront))
    fill_cart(buyer, storefront, (kettle, 1), (lamp, 1))
    orders = services.order_place(
        buyer=buyer, storefront=storefront, shipping_method=shipping_method
    )
    assert events == [("order.placed", {"order_id": order.pk}) for order in orders]


# --- order_set_status -------------------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_order_set_status_allows_the_lifecycle(from_status, to_status, seller):
    order = factories.OrderFactory(status=from_status)
    result = services.order_set_status(order=order, status=to_status, by=seller, note="ok")
    assert (result.status, order.status) == (to_status, to_status)
    assert Order.objects.get(pk=order.pk).status == to_status
    change = OrderStatusChange.objects.get(order=order)
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        from_status,
        to_status,
        seller,
        "ok",
    )


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_order_set_status_refuses_other_steps(from_status, to_status):
    order = factories.OrderFactory(status=from_status)
    with pytest.raises(TransitionNotAllowedError):
        services.order_set_status(order=order, status=to_status)
    assert Order.objects.get(pk=order.pk).status == from_status
    assert OrderStatusChange.objects.count() == 0


def test_refused_transition_message_names_both_statuses_in_words():
    order = factories.OrderFactory(status=OrderStatus.DELIVERED)
    with pytest.raises(TransitionNotAllowedError) as info:
        services.order_set_status(order=order, status=OrderStatus.CANCELLED)
    with translation.override("en"):
        assert info.value.messages == [
            f"Order {order.number} cannot go from “Delivered to buyer” to “Cancelled”."
        ]
    assert info.value.code == "transition_not_allowed"


def test_order_set_status_refuses_an_unknown_status():
    order = factories.OrderFactory()
    with pytest.raises(MarketplaceError) as info:
        services.order_set_status(order=order, status="lost")
    assert not isinstance(info.value, TransitionNotAllowedError)
    assert info.value.code == "invalid_status"


def test_order_set_status_refuses_a_too_long_note():
    order = factories.OrderFactory()
    with pytest.raises(ValidationError) as info:
        services.order_set_status(order=order, status=OrderStatus.CONFIRMED, note="x" * 501)
    assert list(info.value.message_dict) == ["note"]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_the_full_lifecycle_is_recorded_in_order(placed, buyer, seller):
    steps = [
        OrderStatus.CONFIRMED,
        OrderStatus.HANDED_TO_CARRIER,
        OrderStatus.ARRIVED_IN_CITY,
        OrderStatus.AT_PICKUP_POINT,
        OrderStatus.DELIVERED,
    ]
    for status in steps:
        services.order_set_status(order=placed, status=status, by=seller)
    history = list(placed.history.values_list("from_status", "to_status", "changed_by"))
    assert history == [
        ("", "placed", buyer.pk),
        ("placed", "confirmed", seller.pk),
        ("confirmed", "handed_to_carrier", seller.pk),
        ("handed_to_carrier", "arrived_in_city", seller.pk),
        ("arrived_in_city", "at_pickup_point", seller.pk),
        ("at_pickup_point", "delivered", seller.pk),
    ]


@pytest.mark.parametrize("before", [[], [OrderStatus.CONFIRMED, OrderStatus.HANDED_TO_CARRIER]])
def test_cancelling_restores_the_stock(placed, kettle, toaster, before):
    for status in before:
        services.order_set_status(order=placed, status=status)
    assert stock_of(kettle, toaster) == [8, 9]
    services.order_set_status(order=placed, status=OrderStatus.CANCELLED, note="buyer asked")
    assert stock_of(kettle, toaster) == [10, 10]
    assert placed.history.last().note == "buyer asked"


def test_delivering_leaves_the_stock_alone(placed, kettle, toaster):
    for status in (
        OrderStatus.CONFIRMED,
        OrderStatus.HANDED_TO_CARRIER,
        OrderStatus.ARRIVED_IN_CITY,
        OrderStatus.DELIVERED,
    ):
        services.order_set_status(order=placed, status=status)
    assert stock_of(kettle, toaster) == [8, 9]


def test_order_set_status_announces_the_change(seller, events):
    order = factories.OrderFactory()
    services.order_set_status(order=order, status=OrderStatus.CONFIRMED, by=seller)
    assert events == [
        (
            "order.status_changed",
            {
                "order_id": order.pk,
                "from_status": "placed",
                "to_status": "confirmed",
                "by_id": seller.pk,
            },
        )
    ]


# --- order_recalculate ------------------------------------------------------------------------


def test_order_recalculate_leaves_out_unavailable_lines(placed, kettle, toaster):
    OrderLine.objects.filter(product=toaster).update(is_available=False)
    OrderLine.objects.filter(product=kettle).update(is_available=True)
    result = services.order_recalculate(order=placed)
    assert (result.subtotal, result.shipping_cost, result.total) == (
        Decimal("200.00"),
        Decimal("300.00"),
        Decimal("500.00"),
    )
    assert (placed.subtotal, placed.total) == (Decimal("200.00"), Decimal("500.00"))
    stored = Order.objects.get(pk=placed.pk)
    assert (stored.subtotal, stored.total) == (Decimal("200.00"), Decimal("500.00"))


def test_order_recalculate_counts_unanswered_lines(placed):
    Order.objects.filter(pk=placed.pk).update(subtotal=0, total=0)
    result = services.order_recalculate(order=placed)
    assert (result.subtotal, result.total) == (Decimal("450.00"), Decimal("750.00"))
