"""Order services: placing a cart as one order per company (with a coupon), status changes,
recalculation."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.coupons import coupon_book, discounts_split, percent_off
from marketplace.exceptions import (
    CouponRefusedError,
    EmailNotConfirmedError,
    EmptyCartError,
    MarketplaceError,
    TransitionNotAllowedError,
)
from marketplace.models import (
    Cart,
    CartLine,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    Product,
    ShippingMethod,
    Storefront,
    User,
)
from marketplace.models.orders import ALLOWED_TRANSITIONS

from ._common import buyer_profile_get
from ._events import _notify
from ._stock import products_lock, stock_return, stock_take
from .buyers import buyer_touch_activity


@transaction.atomic
def order_place(
    *,
    buyer: User,
    storefront: Storefront,
    shipping_method: ShippingMethod,
    delivery_address: str = "",
    coupon_code: str = "",
    by: User | None = None,
) -> list[Order]:
    """Turn the buyer's open cart on `storefront` into one PLACED order per company.

    In one transaction: locks the cart and its products (in id order), decrements stock,
    creates the orders (lines copy product name and unit price; subtotal, shipping cost =
    the method's price per order, total), writes each order's first history row
    ('' -> placed, changed by `by` or the buyer) and marks the cart ordered. The address
    defaults to the profile's delivery address. Returns the orders by company id.

    `coupon_code` (blank: none; case and surrounding spaces do not matter) is redeemed in the
    same transaction: the coupon is marked used by the first order, and its discount is
    stored on the orders (`coupon_code`, `discount`, `discount_percent`) and taken off their
    totals, split as `discounts_split` says. Of two concurrent checkouts with one code,
    exactly one gets it. A cancellation before shipping gives the coupon back (see
    `order_set_status`).

    Raises EmailNotConfirmedError for an unconfirmed buyer (browsing and the cart keep
    working), EmptyCartError for no or an empty cart, OutOfStockError naming each short
    product, CouponRefusedError for a code that is unknown, someone else's, used, expired or
    for another storefront, MarketplaceError for a non-buyer, an inactive shipping method or
    product. On any error nothing is written: no order, stock and cart as they were.
    """
    profile = buyer_profile_get(buyer)
    _buyer_may_order(profile.email_confirmed, buyer=buyer)
    _shipping_method_check(shipping_method)
    cart = (
        Cart.objects.select_for_update()
        .filter(buyer=buyer, storefront=storefront, ordered_at__isnull=True)
        .first()
    )
    lines = list(cart.lines.order_by("id")) if cart is not None else []
    if not lines:
        raise EmptyCartError(_("Your cart is empty."), code="empty_cart")
    products = products_lock(line.product_id for line in lines)
    _products_active_check(products.values())
    stock_take(products, {line.product_id: line.quantity for line in lines})
    orders = _orders_create(
        lines,
        products,
        buyer=buyer,
        storefront=storefront,
        shipping_method=shipping_method,
        delivery_address=(delivery_address or profile.delivery_address).strip(),
        by=by or buyer,
    )
    if coupon_code.strip():
        _coupon_apply(orders, code=coupon_code.strip(), buyer=buyer, storefront=storefront)
    cart.ordered_at = timezone.now()
    cart.save(update_fields=["ordered_at", "updated_at"])
    if by is None or by.pk == buyer.pk:
        buyer_touch_activity(user=buyer, at=cart.ordered_at)
    for order in orders:
        _notify("order.placed", order_id=order.pk)
    return orders


def order_set_status(*, order: Order, status: str, by: User | None = None, note: str = "") -> Order:
    """Move `order` to `status` along ALLOWED_TRANSITIONS and return the updated row.

    Locks the order row, records an OrderStatusChange (who, from, to, note) and, when
    cancelling, gives the lines' quantities back to stock, and the coupon back to the buyer
    if the order was cancelled before shipping (placed or confirmed) and no other order of
    its checkout still stands; the order keeps its coupon code and discount as a record. The
    passed instance gets the new status too. Raises TransitionNotAllowedError naming both
    statuses for a step the lifecycle does not allow, MarketplaceError for an unknown status,
    ValidationError for a note longer than 500 characters.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        _transition_check(locked, status)
        change = OrderStatusChange(
            order=locked, from_status=locked.status, to_status=status, changed_by=by, note=note
        )
        change.clean_fields(exclude=["order", "changed_by"])
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        change.save()
        if status == OrderStatus.CANCELLED:
            stock_return(
                dict(locked.lines.exclude(is_available=False).values_list("product_id", "quantity"))
            )
            _coupon_release(locked, from_status=change.from_status)
        _notify(
            "order.status_changed",
            order_id=locked.pk,
            from_status=change.from_status,
            to_status=status,
            by_id=by.pk if by else None,
        )
    order.status, order.updated_at = locked.status, locked.updated_at
    return locked


def order_recalculate(*, order: Order) -> Order:
    """Recompute subtotal and total from the order's lines and return the updated row.

    Lines the warehouse marked unavailable (is_available=False) do not count; unanswered
    ones do. A percent coupon's discount is taken again from the new subtotal, an amount
    coupon's stays, capped at the subtotal. total = subtotal - discount + shipping_cost.
    Locks the row; the passed instance gets the new amounts too.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        rows = locked.lines.exclude(is_available=False).values_list("unit_price", "quantity")
        locked.subtotal = sum((price * quantity for price, quantity in rows), Decimal("0.00"))
        if locked.discount_percent is not None:
            locked.discount = percent_off(locked.subtotal, locked.discount_percent)
        locked.discount = min(locked.discount, locked.subtotal)
        locked.total = locked.subtotal - locked.discount + locked.shipping_cost
        locked.save(update_fields=["subtotal", "discount", "total", "updated_at"])
    order.subtotal, order.discount, order.total = locked.subtotal, locked.discount, locked.total
    return locked


def _coupon_apply(orders: list[Order], *, code: str, buyer: User, storefront: Storefront) -> None:
    """Redeem `code` for the first of `orders` and take its discount off all of them."""
    book = coupon_book()
    if book is None:
        raise CouponRefusedError(
            _("Coupon codes are not accepted here."), code="coupons_not_accepted"
        )
    terms = book.redeem(code=code, buyer=buyer, storefront=storefront, order=orders[0])
    discounts = discounts_split(terms, [order.subtotal for order in orders])
    for order, discount in zip(orders, discounts, strict=True):
        order.coupon_code, order.discount_percent = terms.code, terms.percent
        order.discount, order.total = discount, order.subtotal - discount + order.shipping_cost
    Order.objects.bulk_update(orders, ["coupon_code", "discount_percent", "discount", "total"])


def _coupon_release(order: Order, *, from_status: str) -> None:
    """Give the coupon of a cancelled `order` back if it never left the seller and no other
    order of its checkout (same buyer and code) still stands."""
    if not order.coupon_code or from_status not in (OrderStatus.PLACED, OrderStatus.CONFIRMED):
        return
    others = Order.objects.filter(buyer_id=order.buyer_id, coupon_code=order.coupon_code)
    book = coupon_book()
    if book is not None and not others.exclude(status=OrderStatus.CANCELLED).exists():
        book.release(code=order.coupon_code)


def _buyer_may_order(email_confirmed: bool, *, buyer: User) -> None:
    if not email_confirmed:
        raise EmailNotConfirmedError(
            _(
                "Please confirm your e-mail address %(email)s first: follow the link in the "
                "message we sent you, then place the order. Your cart is kept."
            ),
            code="email_not_confirmed",
            params={"email": buyer.email},
        )


def _shipping_method_check(shipping_method: ShippingMethod) -> None:
    if not shipping_method.is_active:
        raise MarketplaceError(
            _("The shipping method “%(method)s” is not available."),
            code="shipping_method_inactive",
            params={"method": shipping_method.name},
        )


def _products_active_check(products: Iterable[Product]) -> None:
    names = sorted(product.name for product in products if not product.is_active)
    if names:
        raise MarketplaceError(
            _("No longer on sale, please remove from the cart: %(products)s."),
            code="product_inactive",
            params={"products": ", ".join(names)},
        )


def _orders_create(
    lines: list[CartLine],
    products: dict[int, Product],
    *,
    buyer: User,
    by: User,
    storefront: Storefront,
    shipping_method: ShippingMethod,
    delivery_address: str,
) -> list[Order]:
    """One order per company (one INSERT each), then all lines and history rows in bulk."""
    by_company: dict[int, list[CartLine]] = defaultdict(list)
    for line in lines:
        by_company[products[line.product_id].company_id].append(line)
    orders, order_lines = [], []
    for company_id, group in sorted(by_company.items()):
        subtotal = sum((products[ln.product_id].price * ln.quantity for ln in group), Decimal("0"))
        order = Order.objects.create(
            storefront=storefront,
            company_id=company_id,
            buyer=buyer,
            status=OrderStatus.PLACED,
            shipping_method=shipping_method,
            delivery_address=delivery_address,
            subtotal=subtotal,
            shipping_cost=shipping_method.price,
            total=subtotal + shipping_method.price,
        )
        orders.append(order)
        order_lines += [_order_line(order, products[ln.product_id], ln.quantity) for ln in group]
    OrderLine.objects.bulk_create(order_lines)
    OrderStatusChange.objects.bulk_create(
        [
            OrderStatusChange(
                order=order, from_status="", to_status=OrderStatus.PLACED, changed_by=by
            )
            for order in orders
        ]
    )
    return orders


def _order_line(order: Order, product: Product, quantity: int) -> OrderLine:
    return OrderLine(
        order=order,
        product=product,
        product_name=product.name,
        unit_price=product.price,
        quantity=quantity,
    )


def _transition_check(order: Order, status: str) -> None:
    if status not in OrderStatus.values:
        raise MarketplaceError(
            _("“%(status)s” is not an order status."),
            code="invalid_status",
            params={"status": status},
        )
    if status not in ALLOWED_TRANSITIONS[order.status]:
        raise TransitionNotAllowedError(
            _("Order %(number)s cannot go from “%(from)s” to “%(to)s”."),
            code="transition_not_allowed",
            params={
                "number": order.number,
                "from": OrderStatus(order.status).label,
                "to": OrderStatus(status).label,
            },
        )
