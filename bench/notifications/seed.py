"""Benchmark data in the benchmark database: one storefront, one seller, buyers, placed orders
(bulk-created, not measured), the Sendsay account and senders. Idempotent: reused across runs."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.utils import timezone

from marketplace.models import (
    BuyerProfile,
    Category,
    Company,
    MarketplaceSettings,
    Order,
    OrderLine,
    Product,
    ShippingMethod,
    Storefront,
    User,
)
from notifications.models import DeliveryAttempt, OutboxEvent, OutboxMessage
from sendsay_admin.models import AccountStatus, SenderAddress, SendsayAccount

from .infra import API_KEY, LOGIN, MARKET_SENDER, SHOP_SENDER

DOMAIN = "bench-shop.ru"


def storefront() -> Storefront:
    market = MarketplaceSettings.load()
    market.all_storefronts_email, market.quality_email = MARKET_SENDER, "quality@bench-market.ru"
    market.save()
    shop, _ = Storefront.objects.get_or_create(domain=DOMAIN, defaults={
        "name": "Bench Shop", "company_name": "Bench Shop LLC", "company_email": SHOP_SENDER,
        "admin_email": "admin@bench-shop.ru", "time_zone": "Europe/Moscow"})
    return shop


def company(shop: Storefront) -> Company:
    seller, _ = Company.objects.get_or_create(storefront=shop, name="Bench Vendor", defaults={
        "email": "orders@bench-vendor.ru", "warehouse_email": "stock@bench-vendor.ru",
        "status": "active"})
    return seller


def buyers(shop: Storefront, count: int, prefix: str = "buyer") -> list[int]:
    """Ids of `count` confirmed buyers named <prefix><n>@bench-mail.ru (created when missing)."""
    names = [f"bench-{prefix}-{n}" for n in range(count)]
    have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    new = [User(username=name, email=f"{prefix}{n}@bench-mail.ru", first_name="Anna",
                last_name="Ivanova", password="!")
           for n, name in enumerate(names) if name not in have]
    User.objects.bulk_create(new, batch_size=2000)
    users = list(User.objects.filter(username__in=names).order_by("pk"))
    with_profile = set(BuyerProfile.objects.filter(user__in=users).values_list("user_id",
                                                                               flat=True))
    now = timezone.now()
    BuyerProfile.objects.bulk_create(
        [BuyerProfile(user=u, storefront=shop, email_confirmed_at=now, city="Moscow")
         for u in users if u.pk not in with_profile], batch_size=2000)
    return [u.pk for u in users]


def orders(count: int) -> list[int]:
    """Ids of `count` placed orders of the bench storefront (one line each), oldest first."""
    shop = storefront()
    seller = company(shop)
    existing = list(Order.objects.filter(storefront=shop).order_by("pk")
                    .values_list("pk", flat=True)[:count])
    missing = count - len(existing)
    if missing > 0:
        buyer_ids = buyers(shop, 1000)
        method, _ = ShippingMethod.objects.get_or_create(
            code="courier", defaults={"name": "Courier", "price": Decimal("300.00")})
        category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
        product, _ = Product.objects.get_or_create(
            sku="BENCH-1", company=seller,
            defaults={"name": "Ceramic mug", "category": category, "price": Decimal("490.00"),
                      "stock": 10**9})
        start = len(existing)
        new = Order.objects.bulk_create([
            Order(storefront=shop, company=seller, buyer_id=buyer_ids[(start + n) % 1000],
                  shipping_method=method, delivery_address="Moscow, Tverskaya st. 1",
                  subtotal=Decimal("980.00"), shipping_cost=Decimal("300.00"),
                  total=Decimal("1280.00")) for n in range(missing)], batch_size=2000)
        OrderLine.objects.bulk_create([
            OrderLine(order=order, product=product, product_name=product.name,
                      unit_price=product.price, quantity=2) for order in new], batch_size=2000)
        existing += [order.pk for order in new]
    return existing


def sendsay(*, enabled: bool) -> None:
    """The marketplace-wide account (connected; on or off) and both senders confirmed."""
    account = SendsayAccount.objects.filter(storefront__isnull=True).first() or SendsayAccount(
        login=LOGIN)
    account.login, account.enabled, account.status = LOGIN, enabled, AccountStatus.CONNECTED
    account.set_api_key(API_KEY)
    account.save()
    for email in (SHOP_SENDER, MARKET_SENDER):
        SenderAddress.objects.update_or_create(email=email,
                                               defaults={"confirmed_in_sendsay": True})


def outbox_reset() -> None:
    """Empty the outbox (and what hangs off it) between runs."""
    tables = ", ".join(m._meta.db_table for m in (DeliveryAttempt, OutboxMessage, OutboxEvent))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY")
