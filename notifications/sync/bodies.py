"""What a batch of sync rows sends: the contact's address and Sendsay account scope, its mapped
profile fields (a few queries per contact) and the ssec event bodies (a fixed number of queries
per batch)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import Prefetch

from marketplace.models import Cart, CartLine, Order, OrderLine, Product
from notifications.models import MessageStatus, SyncItem, SyncKind, SyncRole
from sendsay_admin import fields as catalogue
from sendsay_admin.fields import MappingSpec
from sendsay_admin.services import MappingError
from sendsay_admin.services.profiles import buyer_facts, seller_facts

from .rules import (
    SsecKind,
    basket_event,
    order_event,
    product_view_event,
    registration_event,
)

JSON = dict[str, Any]


class SkipError(Exception):
    """This row cannot be sent and never will be as it is (the reason ends up on the row)."""


@dataclass
class Loaded:
    """The objects the event rows of one batch are built from (one query per kind)."""

    products: dict[int, Any] = field(default_factory=dict)
    carts: dict[int, Any] = field(default_factory=dict)
    orders: dict[int, Any] = field(default_factory=dict)
    #: `order:<id>` keys whose first ORDER event Sendsay already has (status changes update it).
    known_orders: set[str] = field(default_factory=set)


def _ref_ids(items: Iterable[SyncItem], name: str) -> set[int]:
    return {int(item.refs[name]) for item in items if item.refs.get(name)}


def batch_load(items: Sequence[SyncItem]) -> Loaded:
    events = [item for item in items if item.kind == SyncKind.EVENT]
    if not events:
        return Loaded()
    cart_lines = Prefetch("lines", queryset=CartLine.objects.select_related("product")
                          .order_by("id"))
    order_lines = Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    loaded = Loaded()
    if ids := _ref_ids(events, "product_id"):
        loaded.products = Product.objects.select_related("category", "company").in_bulk(ids)
    if ids := _ref_ids(events, "cart_id"):
        loaded.carts = (Cart.objects.select_related("storefront")
                        .prefetch_related(cart_lines).in_bulk(ids))
    if ids := _ref_ids(events, "order_id"):
        loaded.orders = (Order.objects.select_related("storefront")
                         .prefetch_related(order_lines).in_bulk(ids))
        loaded.known_orders = set(
            SyncItem.objects.filter(
                kind=SyncKind.EVENT, status=MessageStatus.SENT,
                ordering_key__in=[f"order:{pk}" for pk in ids],
            ).values_list("ordering_key", flat=True)
        )
    return loaded


def scope_of(item: SyncItem) -> int | None:
    """The storefront whose Sendsay account the contact belongs to (its own or the shared one):
    the buyer's storefront, or the seller company's."""
    if item.role == SyncRole.SELLER:
        return item.company.storefront_id
    profile = getattr(item.user, "buyer_profile", None)
    if profile is None:
        raise SkipError("the user is not a buyer")
    return profile.storefront_id


def contact_email(item: SyncItem) -> str:
    email = item.company.email if item.role == SyncRole.SELLER else item.user.email
    if not email:
        raise SkipError("the contact has no e-mail address")
    return email


def _company_facts(company) -> catalogue.SellerFacts:
    """The seller fields of a company. `seller_facts` reads them from a staff user's
    `seller_profile.company`; the company is all it uses, so it gets just that (a company
    without staff yet still syncs)."""
    return seller_facts(SimpleNamespace(seller_profile=SimpleNamespace(company=company)))


def member_datakey(item: SyncItem, specs: list[MappingSpec]) -> list[list[Any]]:
    """The `[path, "set", value]` triples of the contact's mapped fields, values read now and
    converted by the field catalogue (`sendsay_admin.fields`)."""
    role = catalogue.SELLER if item.role == SyncRole.SELLER else catalogue.BUYER
    if not specs:
        raise SkipError(f"no {item.role} field is mapped to a Sendsay field in this account")
    try:
        facts = _company_facts(item.company) if role == catalogue.SELLER else buyer_facts(
            item.user)
    except MappingError as exc:
        raise SkipError(str(exc)) from exc
    triples = catalogue.datakey_triples(role, facts, specs)
    if not triples:
        raise SkipError("every mapped field of this contact is empty")
    return triples


class EventBuilder:
    """Builds the ssec bodies of a batch in id order; remembers the orders it has announced,
    so that a status change sent in the same POST as its order updates it."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.announced: set[str] = set(loaded.known_orders)

    def body(self, item: SyncItem, email: str) -> JSON:
        kind = item.refs.get("kind")
        if kind == SsecKind.REGISTRATION:
            profile = item.user.buyer_profile
            return registration_event(email=email, registered_at=profile.created_at,
                                      time_zone=profile.storefront.time_zone)
        if kind == SsecKind.VIEW_PRODUCT:
            return product_view_event(email=email, product=self._get("products", item,
                                                                     "product_id"))
        if kind == SsecKind.BASKET:
            cart = self._get("carts", item, "cart_id")
            if cart.ordered_at is not None:
                raise SkipError("the basket has been ordered since (the order clears it)")
            return basket_event(email=email, cart=cart, lines=list(cart.lines.all()),
                                time_zone=cart.storefront.time_zone)
        if kind == SsecKind.ORDER:
            return self._order(item, email)
        raise SkipError(f"unknown e-commerce event kind {kind!r}")

    def _order(self, item: SyncItem, email: str) -> JSON:
        order = self._get("orders", item, "order_id")
        status = item.refs.get("status") or "placed"
        update = status != "placed" and item.ordering_key in self.announced
        self.announced.add(item.ordering_key)
        return order_event(email=email, order=order, lines=list(order.lines.all()),
                           status=status, update=update, time_zone=order.storefront.time_zone)

    def _get(self, kind: str, item: SyncItem, ref: str):
        found = getattr(self.loaded, kind).get(int(item.refs.get(ref) or 0))
        if found is None:
            raise SkipError(f"{ref.removesuffix('_id')} {item.refs.get(ref)} no longer exists")
        return found
