"""What each marketplace event means for Sendsay, and the ssec event bodies (pure: no ORM
queries, no network; builders read attributes of objects the caller has loaded)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from sendsay_admin.client import AddrType, SsecEventType

JSON = dict[str, Any]
STAMP = "%Y-%m-%d %H:%M:%S"


class SsecKind(StrEnum):
    """The e-commerce events the marketplace reports (the ssec type is chosen at send time)."""

    REGISTRATION = "registration"
    VIEW_PRODUCT = "view_product"
    BASKET = "basket"
    ORDER = "order"


@dataclass(frozen=True)
class SyncRule:
    """`buyer` / `seller`: the event may change mapped profile fields of the buyer / the seller
    company (their member row becomes due); `ssec`: the e-commerce event it is reported as."""

    buyer: bool = False
    seller: bool = False
    ssec: SsecKind | None = None


#: The sync table. Events not listed here (and every message-only event) sync nothing.
#: Product views and basket changes move the buyer's `last_activity_at`; orders change the
#: buyer's order count, total and last order date and the seller's sales count; product changes
#: may change the seller's active product count.
SYNC_RULES: Mapping[str, SyncRule] = MappingProxyType({
    "buyer.registered": SyncRule(buyer=True, ssec=SsecKind.REGISTRATION),
    "buyer.email_confirmed": SyncRule(buyer=True),
    "buyer.profile_updated": SyncRule(buyer=True),
    "product.viewed": SyncRule(buyer=True, ssec=SsecKind.VIEW_PRODUCT),
    "cart.updated": SyncRule(buyer=True, ssec=SsecKind.BASKET),
    "order.placed": SyncRule(buyer=True, seller=True, ssec=SsecKind.ORDER),
    "order.status_changed": SyncRule(buyer=True, seller=True, ssec=SsecKind.ORDER),
    "seller.registered": SyncRule(seller=True),
    "company.status_changed": SyncRule(seller=True),
    "product.updated": SyncRule(seller=True),
})

#: Our order status -> ssec `transaction_status` (1..12). [R] 1 is the new order that fires
#: Sendsay's "new order" trigger; the meaning of 2..12 is not documented [I], so the lifecycle
#: is numbered in order and the table is the one place to change when Sendsay says otherwise.
ORDER_TRANSACTION_STATUS: Mapping[str, int] = MappingProxyType({
    "placed": 1, "confirmed": 2, "handed_to_carrier": 3, "arrived_in_city": 4,
    "at_pickup_point": 5, "delivered": 6, "cancelled": 7,
})


#: The ssec type each kind is stored with (a basket turns into BASKET_CLEAR when it is empty).
EVENT_TYPES: Mapping[SsecKind, SsecEventType] = MappingProxyType({
    SsecKind.REGISTRATION: SsecEventType.REGISTRATION,
    SsecKind.VIEW_PRODUCT: SsecEventType.VIEW_PRODUCT,
    SsecKind.BASKET: SsecEventType.BASKET_ADD,
    SsecKind.ORDER: SsecEventType.ORDER,
})


def rule_for(event: str) -> SyncRule | None:
    return SYNC_RULES.get(event)


def transaction_status(status: str) -> int:
    """The ssec status of one of our order statuses; unknown ones count as a new order."""
    return ORDER_TRANSACTION_STATUS.get(status, 1)


def amount(value: Decimal | int | None) -> float:
    """Money as a JSON number with two decimals (the ssec sums and prices are numbers)."""
    return float(Decimal(value or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def stamp(value: dt.datetime | None, time_zone: str) -> str:
    """`YYYY-MM-DD hh:mm:ss` in the storefront's time zone (the ssec date format)."""
    if value is None:
        return ""
    return timezone.localtime(value, ZoneInfo(time_zone)).strftime(STAMP)


def _personal(event_type: SsecEventType, email: str) -> JSON:
    return {"event_type": int(event_type), "email": email, "addr_type": str(AddrType.EMAIL)}


def registration_event(*, email: str, registered_at: dt.datetime | None, time_zone: str) -> JSON:
    event = _personal(SsecEventType.REGISTRATION, email)
    if registered_at is not None:
        event["dt"] = stamp(registered_at, time_zone)
    return event


def product_fields(product: Any) -> JSON:
    """The product card fields ssec events share (`id`, `name`, `price` ...)."""
    return {
        "id": str(product.pk), "name": product.name, "price": amount(product.price),
        "available": 1 if product.is_active and product.stock > 0 else 0,
        "category_id": str(product.category_id), "category": product.category.name,
        "vendor": product.company.name,
    }


def product_view_event(*, email: str, product: Any) -> JSON:
    return {**_personal(SsecEventType.VIEW_PRODUCT, email), **product_fields(product)}


def basket_event(*, email: str, cart: Any, lines: Iterable[Any], time_zone: str) -> JSON:
    """The whole basket as it is now (BASKET_ADD replaces Sendsay's copy); an empty one is
    BASKET_CLEAR. [R] both need a `transaction_id`: the cart's, prefixed so that it can never
    collide with an order number."""
    items = [{"id": str(line.product_id), "qnt": line.quantity,
              "price": amount(line.product.price), "name": line.product.name}
             for line in lines]
    kind = SsecEventType.BASKET_ADD if items else SsecEventType.BASKET_CLEAR
    event = {**_personal(kind, email), "transaction_id": f"cart-{cart.pk}",
             "transaction_dt": stamp(cart.updated_at, time_zone)}
    if items:
        event["transaction_sum"] = amount(sum(
            (Decimal(line.product.price) * line.quantity for line in lines), Decimal(0)))
        event["items"] = items
    return event


def order_event(*, email: str, order: Any, lines: Iterable[Any], status: str, update: bool,
                time_zone: str) -> JSON:
    """ORDER with the status mapped by `ORDER_TRANSACTION_STATUS`. `update` marks a status
    change of an order Sendsay already has ([R] `update: 1` errors for an unknown order, so
    the caller sets it only when the order's first event has been sent)."""
    event = {
        **_personal(SsecEventType.ORDER, email), "transaction_id": order.number,
        "transaction_dt": stamp(order.created_at, time_zone),
        "transaction_sum": amount(order.total), "delivery_price": amount(order.shipping_cost),
        "transaction_status": transaction_status(status),
        "items": [{"id": str(line.product_id), "qnt": line.quantity,
                   "price": amount(line.unit_price), "name": line.product_name}
                  for line in lines],
    }
    if update:
        event["update"] = 1
    return event
