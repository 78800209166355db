"""The warehouse flow's messages: the stock-check request, the buyer's confirmed order with what
will come, and the labels link after the assembly. Each is emitted inside the transaction of
the change that causes it (see `chains.signals`) and is idempotent per order."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

import notifications
from chains.warehouse import links
from marketplace.models import Order, OrderLine, OrderStatus
from notifications.models import OutboxEvent
from notifications.payloads import money

STOCK_CHECK_EVENT = "order.stock_check_requested"

#: Orders of one placement are created moments before the cart is marked ordered.
PLACEMENT_WINDOW = timedelta(minutes=5)


def stock_check_request(*, order_id: int, company_id: int) -> list[int]:
    """Ask the seller's warehouse (e-mail, and Telegram when the company set an id) whether
    every line of the order is in stock, with a signed link to the answer page. Emitting it
    again for the same order sends nothing."""
    url = links.stock_check_url(order_id=order_id, company_id=company_id)
    return notifications.emit(STOCK_CHECK_EVENT, occurrence=f"order={order_id}",
                              order_id=order_id, stock_check_url=url)


def stock_checks_for_placement(*, buyer_id: int, storefront_id: int, ordered_at: datetime) -> int:
    """Request the stock check of every order the buyer just placed on the storefront: the
    PLACED orders created up to `ordered_at` (the moment `order_place` marks the cart ordered,
    in the same transaction) that were not asked about yet. One query finds them. Returns the
    number of requests."""
    requested = OutboxEvent.objects.filter(
        event=STOCK_CHECK_EVENT, variant="",
        occurrence=Concat(Value("order="), Cast(OuterRef("pk"), CharField())),
    )
    orders = Order.objects.filter(
        buyer_id=buyer_id, storefront_id=storefront_id, status=OrderStatus.PLACED,
        created_at__gte=ordered_at - PLACEMENT_WINDOW, created_at__lte=ordered_at,
    ).filter(~Exists(requested)).values_list("pk", "company_id")
    count = 0
    for order_id, company_id in orders:
        stock_check_request(order_id=order_id, company_id=company_id)
        count += 1
    return count


def _line(line: OrderLine) -> dict:
    return {"name": line.product_name, "quantity": line.quantity,
            "unit_price": money(line.unit_price), "line_total": money(line.line_total)}


def stock_confirmed_announce(*, order_id: int) -> list[int]:
    """Tell the buyer what the warehouse confirmed: the kept lines, the dropped ones and the
    recomputed total (the amount to pay). Nothing when the lines were not answered (a seller
    confirming without a stock check)."""
    lines = list(OrderLine.objects.filter(order_id=order_id).order_by("pk"))
    if not lines or any(line.is_available is None for line in lines):
        return []
    return notifications.emit(
        "order.stock_confirmed", order_id=order_id,
        kept=[_line(line) for line in lines if line.is_available],
        dropped=[_line(line) for line in lines if not line.is_available],
    )


def labels_ready_announce(*, order_id: int, company_id: int) -> list[int]:
    """After the assembly: a signed link to the order's address-label PDF for the seller and
    the warehouse."""
    url = links.labels_url(order_id=order_id, company_id=company_id)
    return notifications.emit("order.labels_ready", order_id=order_id, labels_url=url)
