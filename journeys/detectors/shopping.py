"""Detectors about shopping left half-way: products viewed but none put in a cart, and carts
left without an order. ONE query finds the candidates; their views or cart lines are then
loaded for all of them at once."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Subquery

from journeys.models import JourneySettings, Scenario
from journeys.selections import Catalogue, product_url
from marketplace.models import BuyerProfile, Cart, CartLine, ProductView

from .base import Emission, chunks, confirmed_buyers, log_of_user, logged

#: How far back a browsing session counts (before the `browse_hours` of quiet).
BROWSE_WINDOW = timedelta(days=3)
#: At most one viewed-products reminder per buyer in this time.
BROWSE_COOLDOWN = timedelta(days=7)
#: Carts untouched for longer than this are not reminded of any more (stale).
CART_WINDOW = timedelta(days=14)
#: A cart line with fewer units left in stock than this is marked "few left".
FEW_LEFT = 5
VIEWED_MAX = 4


def browse(settings: JourneySettings, now: datetime) -> list[Emission]:
    """Buyers who viewed products in the last days, have viewed nothing for `browse_hours`
    and put nothing in a cart since their first view of the session: the viewed products
    that can still be bought and similar ones (same categories, best sellers first; the
    shop's best sellers when those categories run out)."""
    quiet = now - timedelta(hours=settings.browse_hours)
    start = quiet - BROWSE_WINDOW
    views = ProductView.objects.filter(buyer=OuterRef("user_id"))
    recent = ProductView.objects.filter(viewed_at__gte=start).values("buyer_id")
    added = CartLine.objects.filter(cart__buyer=OuterRef("user_id"),
                                    added_at__gte=OuterRef("first_view_at"))
    rows = list(
        BuyerProfile.objects.filter(confirmed_buyers("user__"), user_id__in=recent)
        .annotate(
            last_view_at=Subquery(views.order_by("-viewed_at", "-id").values("viewed_at")[:1]),
            last_view_id=Subquery(views.order_by("-viewed_at", "-id").values("id")[:1]),
            first_view_at=Subquery(
                views.filter(viewed_at__gte=start).order_by("viewed_at").values("viewed_at")[:1]
            ),
        )
        .filter(last_view_at__lte=quiet)
        .filter(~Exists(added))
        .filter(~Exists(log_of_user(Scenario.BROWSE, created_at__gte=now - BROWSE_COOLDOWN)))
        .order_by("last_view_at", "pk")
        .values_list("user_id", "storefront_id", "last_view_id")[: settings.max_per_run]
    )
    if not rows:
        return []
    catalogue = Catalogue(now=now, popular_days=settings.popular_days)
    viewed = _viewed([user_id for user_id, _sf, _view in rows], start)
    emissions = []
    for user_id, storefront_id, last_view_id in rows:
        products = viewed.get(user_id, {})
        cards = [catalogue.card(pk) for pk in products]
        cards = [c for c in cards if c is not None and c.storefront_id == storefront_id]
        shown = [card.payload() for card in cards[:VIEWED_MAX]]
        # Similar: the viewed products' categories, even when those products sold out; the
        # shop's best sellers when those categories have nothing left.
        similar = catalogue.for_buyer(storefront_id, set(products.values()),
                                      settings.selection_size, exclude=set(products))
        emissions.append(Emission(
            event="buyer.browse_reminder", user_id=user_id,
            occurrence=f"browse:{user_id}:{last_view_id}", subject_id=last_view_id,
            refs={"user_id": user_id, "storefront_id": storefront_id, "viewed": shown,
                  "similar": similar},
        ))
    return emissions


def _viewed(user_ids: list[int], since: datetime) -> dict[int, dict[int, int]]:
    """{product: category} each buyer viewed since `since`, latest first (query per chunk)."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    for part in chunks(user_ids):
        rows = (
            ProductView.objects.filter(buyer_id__in=part, viewed_at__gte=since)
            .order_by("-viewed_at", "-id")
            .values_list("buyer_id", "product_id", "product__category_id")
        )
        for user_id, product_id, category_id in rows:
            found[user_id].setdefault(product_id, category_id)
    return found


def abandoned_carts(settings: JourneySettings, now: datetime) -> list[Emission]:
    """Open carts with lines, unchanged for `abandoned_cart_hours` (and changed within the
    last two weeks): one reminder per cart contents, listing the lines with the current
    price and stock. The cart's change time is part of the occurrence key."""
    rows = list(
        Cart.objects.filter(
            confirmed_buyers("buyer__"), ordered_at__isnull=True,
            updated_at__lte=now - timedelta(hours=settings.abandoned_cart_hours),
            updated_at__gte=now - CART_WINDOW,
        )
        .filter(Exists(CartLine.objects.filter(cart=OuterRef("pk"))))
        .filter(~Exists(logged(Scenario.ABANDONED_CART, subject_id=OuterRef("pk"),
                               subject_at=OuterRef("updated_at"))))
        .order_by("updated_at", "pk")
        .values_list("pk", "buyer_id", "storefront_id", "storefront__domain", "updated_at")
        [: settings.max_per_run]
    )
    lines = _cart_lines([row[0] for row in rows])
    emissions = []
    for cart_id, user_id, storefront_id, domain, updated_at in rows:
        cart = _cart_payload(cart_id, domain, lines.get(cart_id, []))
        emissions.append(Emission(
            event="cart.abandoned", user_id=user_id,
            occurrence=f"cart:{cart_id}:{updated_at.isoformat()}",
            subject_id=cart_id, subject_at=updated_at,
            refs={"user_id": user_id, "storefront_id": storefront_id, "cart": cart},
        ))
    return emissions


def _cart_lines(cart_ids: list[int]) -> dict[int, list[tuple]]:
    found: dict[int, list[tuple]] = defaultdict(list)
    for part in chunks(cart_ids):
        rows = (
            CartLine.objects.filter(cart_id__in=part).order_by("cart_id", "added_at", "id")
            .values_list("cart_id", "product_id", "product__name", "product__price",
                         "quantity", "product__stock", "product__is_active")
        )
        for cart_id, *line in rows:
            found[cart_id].append(tuple(line))
    return found


def _cart_payload(cart_id: int, domain: str, lines: list[tuple]) -> dict:
    items, total = [], 0
    for product_id, name, price, quantity, stock, active in lines:
        available = bool(active) and stock >= quantity
        items.append({
            "name": name, "quantity": quantity, "unit_price": f"{price:.2f}",
            "line_total": f"{price * quantity:.2f}", "url": product_url(domain, product_id),
            "available": available, "few_left": available and stock < quantity + FEW_LEFT,
            "stock": stock,
        })
        total += price * quantity
    return {"id": cart_id, "url": f"https://{domain}/cart/", "items": items,
            "items_count": sum(item["quantity"] for item in items), "total": f"{total:.2f}"}
