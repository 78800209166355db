"""Fixtures for segments: a small marketplace whose every member's attributes are known, frozen
on 15 June 2024 at noon in Moscow, and the real Sendsay emulator over HTTP.

Buyers on 2024-06-15 ("A" and "B" are Moscow storefronts; orders exclude cancelled ones):

| e-mail  | sf | sex | born       | age | confirmed | last activity    | orders (method, total)      | categories                  | cart                    |
|---------|----|-----|------------|-----|-----------|------------------|-----------------------------|-----------------------------|-------------------------|
| anna    | A  | f   | 1990-06-20 | 33  | yes       | 2024-06-10       | 2: courier 1000, 500        | likes Smartphones           | open, lines, 24 h old   |
| boris   | A  | m   | 1985-01-10 | 39  | yes       | 2024-01-05       | 1: pickup 300 (+cancelled)  | bought Books (cancelled: Smartphones) | -             |
| vera    | B  | f   | 2006-06-15 | 18  | no        | 2024-06-14       | 0                           | -                           | open, lines, 2 h old    |
| gleb    | B  | m   | -          | -   | yes       | never            | 3: courier 100 each         | bought Phones               | -                       |
| daria   | A  | ""  | 2000-02-29 | 24  | yes       | 2024-05-01       | 0                           | likes Books                 | open, no lines, old     |
| egor    | A  | m   | 1970-12-31 | 53  | no        | 2024-06-01 00:00 | 1: pickup 20000             | bought Electronics          | -                       |
| zoya    | B  | f   | 1995-06-16 | 28  | yes       | 2024-06-15       | 1: courier 700 (delivered)  | -                           | ordered, lines, old     |
| zhanna  | A  | f   | 1990-06-15 | 34  | yes       | 2024-06-15       | inactive user: never in a segment                          |                         |
| (blank) | A  | f   | 1990-06-15 | 34  | yes       | 2024-06-15       | no e-mail address: never in a segment                      |                         |

Categories: Electronics > Phones > Smartphones, and Books. Buyer orders are from company
"Neutral" (no staff). Sellers: s1, s2 at "Alpha" (A, active, 3 active + 1 inactive products, 2
delivered orders); s3 at "Beta" (B, pending, nothing); s4 at "Gamma" (A, active, 1 product, 1
delivered + 1 placed order). Admins: "staff" (is_staff) and "root" (superuser); "retired" is
staff but inactive.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from marketplace.models import Cart, CompanyStatus, OrderStatus, User
from tests import factories
from tests.sendsay_helpers import account_connected, emulator_running

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = datetime(2024, 6, 15, 12, 0, tzinfo=MSK)
LOGIN = "x_audience"
API_KEY = "Aud1ence-k3y-5eCr3t"

BUYERS = {"anna", "boris", "vera", "gleb", "daria", "egor", "zoya"}
SELLERS = {"s1", "s2", "s3", "s4"}


def emails(names) -> set[str]:
    return {f"{name}@example.org" for name in names}


@dataclass
class World:
    storefront_a: object
    storefront_b: object
    courier: object
    pickup: object
    categories: dict[str, object] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The factories set a password per user; the default hasher would take most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen(time_machine):
    """Today is 2024-06-15, noon in Moscow; the clock does not move."""
    time_machine.move_to(NOW, tick=False)
    return NOW


def _buyer(name, storefront, *, gender="", born=None, confirmed=True, active_at=None,
           is_active=True, email=None):
    user = factories.UserFactory(
        username=name, email=f"{name}@example.org" if email is None else email,
        first_name=name.capitalize(), last_name="Buyer", is_active=is_active,
    )
    factories.BuyerProfileFactory(
        user=user, storefront=storefront, gender=gender, birth_date=born,
        email_confirmed_at=NOW - timedelta(days=30) if confirmed else None,
        last_activity_at=active_at,
    )
    return user


def _order(buyer, company, method, total, *, status=OrderStatus.PLACED, category=None):
    order = factories.OrderFactory(
        buyer=buyer, company=company, storefront=company.storefront, shipping_method=method,
        total=Decimal(total), status=status,
    )
    if category is not None:
        product = factories.ProductFactory(company=company, category=category, is_active=False)
        factories.OrderLineFactory(order=order, product=product)
    return order


def _cart(buyer, storefront, *, age: timedelta, lines=True, ordered=False):
    cart = factories.CartFactory(buyer=buyer, storefront=storefront)
    if lines:
        factories.CartLineFactory(cart=cart)
    Cart.objects.filter(pk=cart.pk).update(
        updated_at=NOW - age, ordered_at=NOW - age if ordered else None
    )


@pytest.fixture
def world(db, frozen) -> World:
    """The storefronts, shipping methods and category tree the population uses."""
    a = factories.StorefrontFactory(name="Alpha shop", time_zone="Europe/Moscow")
    b = factories.StorefrontFactory(name="Beta shop", time_zone="Europe/Moscow")
    courier = factories.ShippingMethodFactory(code="courier", name="Courier")
    pickup = factories.ShippingMethodFactory(code="pickup", name="Pickup")
    electronics = factories.CategoryFactory(name="Electronics")
    phones = factories.CategoryFactory(name="Phones", parent=electronics)
    smartphones = factories.CategoryFactory(name="Smartphones", parent=phones)
    books = factories.CategoryFactory(name="Books")
    return World(a, b, courier, pickup, {
        "electronics": electronics, "phones": phones, "smartphones": smartphones, "books": books,
    })


@pytest.fixture
def buyers(world) -> dict[str, User]:
    """The buyers of the table in the module docstring."""
    w, cats, at = world, world.categories, lambda *args: datetime(*args, tzinfo=MSK)
    neutral = factories.CompanyFactory(name="Neutral", storefront=w.storefront_a,
                                       status=CompanyStatus.DISABLED)
    users = {
        "anna": _buyer("anna", w.storefront_a, gender="f", born=date(1990, 6, 20),
                       active_at=at(2024, 6, 10, 9)),
        "boris": _buyer("boris", w.storefront_a, gender="m", born=date(1985, 1, 10),
                        active_at=at(2024, 1, 5, 9)),
        "vera": _buyer("vera", w.storefront_b, gender="f", born=date(2006, 6, 15),
                       confirmed=False, active_at=at(2024, 6, 14, 9)),
        "gleb": _buyer("gleb", w.storefront_b, gender="m"),
        "daria": _buyer("daria", w.storefront_a, born=date(2000, 2, 29),
                        active_at=at(2024, 5, 1, 9)),
        "egor": _buyer("egor", w.storefront_a, gender="m", born=date(1970, 12, 31),
                       confirmed=False, active_at=at(2024, 6, 1, 0)),
        "zoya": _buyer("zoya", w.storefront_b, gender="f", born=date(1995, 6, 16),
                       active_at=at(2024, 6, 15, 9)),
        "zhanna": _buyer("zhanna", w.storefront_a, gender="f", born=date(1990, 6, 15),
                         active_at=NOW, is_active=False),
        "blank": _buyer("blank", w.storefront_a, gender="f", born=date(1990, 6, 15),
                        active_at=NOW, email=""),
    }
    users["anna"].buyer_profile.interests.add(cats["smartphones"])
    users["daria"].buyer_profile.interests.add(cats["books"])
    users["zhanna"].buyer_profile.interests.add(cats["books"])
    _order(users["anna"], neutral, w.courier, "1000", status=OrderStatus.DELIVERED)
    _order(users["anna"], neutral, w.courier, "500")
    _order(users["boris"], neutral, w.pickup, "300", category=cats["books"])
    _order(users["boris"], neutral, w.courier, "5000", status=OrderStatus.CANCELLED,
           category=cats["smartphones"])
    for index in range(3):
        _order(users["gleb"], neutral, w.courier, "100",
               category=cats["phones"] if index == 0 else None)
    _order(users["egor"], neutral, w.pickup, "20000", category=cats["electronics"])
    _order(users["zoya"], neutral, w.courier, "700", status=OrderStatus.DELIVERED)
    _order(users["zhanna"], neutral, w.courier, "900")
    _order(users["blank"], neutral, w.courier, "900")
    _cart(users["anna"], w.storefront_a, age=timedelta(hours=24))
    _cart(users["vera"], w.storefront_b, age=timedelta(hours=2))
    _cart(users["daria"], w.storefront_a, age=timedelta(days=30), lines=False)
    _cart(users["zoya"], w.storefront_b, age=timedelta(days=10), ordered=True)
    _cart(users["zhanna"], w.storefront_a, age=timedelta(days=10))
    return users


@pytest.fixture
def sellers(world) -> dict[str, User]:
    """s1, s2 (Alpha: active, 3 active products, 2 sales), s3 (Beta: pending, nothing),
    s4 (Gamma: active, 1 product, 1 sale and 1 placed order)."""
    w = world
    alpha = factories.CompanyFactory(name="Alpha", storefront=w.storefront_a,
                                     status=CompanyStatus.ACTIVE)
    beta = factories.CompanyFactory(name="Beta", storefront=w.storefront_b,
                                    status=CompanyStatus.PENDING)
    gamma = factories.CompanyFactory(name="Gamma", storefront=w.storefront_a,
                                     status=CompanyStatus.ACTIVE)
    for _ in range(3):
        factories.ProductFactory(company=alpha)
    factories.ProductFactory(company=alpha, is_active=False)
    factories.ProductFactory(company=gamma)
    shopper = factories.UserFactory(username="shopper", email="shopper@example.org")
    for company, status in [(alpha, OrderStatus.DELIVERED), (alpha, OrderStatus.DELIVERED),
                            (gamma, OrderStatus.DELIVERED), (gamma, OrderStatus.PLACED),
                            (beta, OrderStatus.CANCELLED)]:
        _order(shopper, company, w.courier, "100", status=status)
    users = {}
    for name, company in [("s1", alpha), ("s2", alpha), ("s3", beta), ("s4", gamma)]:
        users[name] = factories.UserFactory(username=name, email=f"{name}@example.org",
                                            first_name=name.upper(), last_name="Seller")
        factories.SellerProfileFactory(user=users[name], company=company)
    return users


@pytest.fixture
def admins(db) -> dict[str, User]:
    return {
        "staff": factories.UserFactory(username="staff", email="staff@example.org",
                                       is_staff=True),
        "root": factories.UserFactory(username="root", email="root@example.org",
                                      is_superuser=True),
        "retired": factories.UserFactory(username="retired", email="retired@example.org",
                                         is_staff=True, is_active=False),
    }


# -- Sendsay -----------------------------------------------------------------------------

class Emulator:
    """The running emulator and what it received (`GET /_inspect`)."""

    def __init__(self, server) -> None:
        self.server = server
        self.url = server.url

    def control(self, command: str, **body) -> dict:
        reply = requests.post(f"{self.url}/_control/{command}", json=body, timeout=5)
        reply.raise_for_status()
        return reply.json()

    def inspect(self) -> dict:
        return requests.get(f"{self.url}/_inspect", timeout=5).json()["accounts"][LOGIN]

    def list_members(self, group_id: str) -> set[str]:
        return {m["email"] for m in self.inspect()["members"] if group_id in m["groups"]}


@pytest.fixture
def sendsay_emulator(settings):
    """The real emulator over HTTP on a free port (paid plan, fast tracks); settings point at
    it."""
    accounts = {LOGIN: {"apikey": API_KEY, "tariff": "paid"}}
    with emulator_running(settings, accounts, track_step_seconds=0.05) as server:
        yield Emulator(server)


@pytest.fixture
def connected_account(db, sendsay_emulator):
    """The marketplace-wide Sendsay account, enabled and checked against the emulator."""
    return account_connected(login=LOGIN, api_key=API_KEY)
