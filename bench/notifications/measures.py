"""Measurements that need no worker: outbox fan-out (rows/s) and the query count of placing
an order with its notifications, for few and many recipients."""

from __future__ import annotations

import os
import time
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import notifications
from marketplace.models import (
    Category,
    Company,
    CompanyNotificationSettings,
    Product,
    ShippingMethod,
    User,
)
from marketplace.services import cart_add, cart_clear, order_place
from notifications.models import OutboxMessage
from sendsay_admin.celery import app

from . import seed


def _throwaway_queue() -> str:
    """Tasks of these measurements go to a queue nobody consumes; purged afterwards."""
    queue = f"{os.environ.get('NOTIFICATIONS_CELERY_QUEUE', 'bench')}-void"
    settings.NOTIFICATIONS_CELERY_QUEUE = queue
    return queue


def _purge(queue: str) -> None:
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)


def _announce(shop, user_ids: list[int]) -> tuple[int, float, int]:
    """(rows, seconds from start to committed and enqueued, queries) of one announcement."""
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        ids = notifications.emit(
            "storefront.announcement", storefront=shop, user_ids=user_ids,
            occurrence=f"bench-{uuid.uuid4().hex}", title="Spring sale",
            text="Everything for tea, 20% off.", url="https://bench-shop.ru/sale")
    return len(ids), time.perf_counter() - started, _statements(captured)


def fanout(*, recipients: int) -> dict:
    """One storefront.announcement to `recipients` buyers (each once), three times."""
    seed.outbox_reset()
    queue = _throwaway_queue()
    shop = seed.storefront()
    user_ids = seed.buyers(shop, recipients, prefix="fan")
    _announce(shop, user_ids[:100])  # warm-up: imports, templates of the query compiler
    runs = [_announce(shop, user_ids) for _ in range(3)]
    queries = {n: _announce(shop, user_ids[:n])[2] for n in (10, 1000, recipients)}
    _purge(queue)
    seed.outbox_reset()
    return {"mode": "fanout", "recipients": recipients,
            "runs": [{"rows": rows, "seconds": secs, "rows_per_s": rows / secs}
                     for rows, secs, _ in runs],
            "queries_by_recipients": queries}


def _seller(shop, name: str, **contacts) -> tuple[Company, Product]:
    company, _ = Company.objects.get_or_create(storefront=shop, name=name, defaults={
        "email": f"{name.lower().replace(' ', '-')}@bench-vendor.ru", "status": "active",
        "phone": contacts.get("phone", "")})
    if contacts:
        CompanyNotificationSettings.objects.update_or_create(company=company, defaults={
            "telegram_id": "123456789", "vk_id": "987654321",
            "channels": {"transactional": ["email", "telegram", "sms", "vk"]}})
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    product, _ = Product.objects.get_or_create(
        sku=f"BENCH-{company.pk}", company=company,
        defaults={"name": "Tea", "category": category, "price": Decimal("150.00"),
                  "stock": 10**9})
    return company, product


CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _statements(captured: CaptureQueriesContext) -> int:
    """Queries, not counting transaction control (BEGIN shows up only sometimes)."""
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith(CONTROL))


def _place(shop, buyer: User, product: Product, method: ShippingMethod) -> dict:
    """Queries of `order_place` for a cart of one line, and the outbox rows it wrote."""
    cart_clear(buyer=buyer, storefront=shop)
    cart_add(buyer=buyer, storefront=shop, product=product, quantity=1)
    last = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with CaptureQueriesContext(connection) as captured:
        orders = order_place(buyer=buyer, storefront=shop, shipping_method=method)
    rows = OutboxMessage.objects.filter(pk__gt=last)
    return {"queries": _statements(captured), "orders": len(orders), "rows": rows.count(),
            "order": orders[0].pk,
            "messages": sorted(f"{e}:{r}/{c}" for e, r, c in
                               rows.values_list("event__event", "role", "channel"))}


def _emit_again(order_id: int) -> dict:
    """The queries of emitting order.placed (as a new occurrence) for `order_id` alone."""
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        ids = notifications.emit("order.placed", order_id=order_id,
                                 occurrence=f"bench-{uuid.uuid4().hex}")
    return {"queries": _statements(captured), "rows": len(ids)}


def queries() -> dict:
    """Placing an order: plain recipients (3 e-mails) vs. a buyer with a phone and a seller
    with four channels chosen (7 messages); plus announcements to 10 ... 10,000 buyers."""
    seed.outbox_reset()
    queue = _throwaway_queue()
    shop = seed.storefront()
    method, _ = ShippingMethod.objects.get_or_create(
        code="courier", defaults={"name": "Courier", "price": Decimal("300.00")})
    plain_buyer, rich_buyer = (User.objects.get(pk=pk)
                               for pk in seed.buyers(shop, 2, prefix="orderq"))
    rich_buyer.buyer_profile.phone = "+79161234567"
    rich_buyer.buyer_profile.save()
    _, plain_product = _seller(shop, "Plain Vendor")
    _, rich_product = _seller(shop, "Rich Vendor", phone="+74951234567")
    _place(shop, plain_buyer, plain_product, method)  # warm-up
    plain = _place(shop, plain_buyer, plain_product, method)
    rich = _place(shop, rich_buyer, rich_product, method)
    result = {"mode": "queries", "order_place": [plain, rich],
              "emit_order_placed": [_emit_again(plain["order"]), _emit_again(rich["order"])]}
    user_ids = seed.buyers(shop, 10_000, prefix="fan")
    result["announcement"] = {n: _announce(shop, user_ids[:n])[2] for n in (10, 1000, 10_000)}
    _purge(queue)
    seed.outbox_reset()
    return result
