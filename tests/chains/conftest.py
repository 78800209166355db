"""Fixtures of the chain tests: the marketplace addresses, the Sendsay emulator (from the
notification tests), delivery of every pending outbox row, and what was sent to whom."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
import requests
from django.utils import timezone

from marketplace import services as marketplace
from notifications.models import MessageStatus, OutboxMessage
from notifications.services import outbox_deliver
from tests import factories
from tests.notifications.conftest import (  # noqa: F401 (fixtures)
    LOGIN,
    confirm_sender,
    emulator,
    enqueued,
    sendsay_on,
)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://market.example.ru"
    settings.LANGUAGE_CODE = "ru"


@dataclass(frozen=True)
class Sent:
    """One outbox row as the tests compare it."""

    event: str
    variant: str
    role: str
    channel: str
    recipient: str


def deliver() -> list[int]:
    """Deliver every due PENDING row now (the worker's job, synchronously); return the ids."""
    ids = list(OutboxMessage.objects.filter(status=MessageStatus.PENDING,
                                            next_attempt_at__lte=timezone.now())
               .order_by("pk").values_list("pk", flat=True))
    if ids:
        outbox_deliver(message_ids=ids)
    return ids


def sent(**filters) -> list[Sent]:
    """The SENT rows (optionally filtered), oldest first."""
    rows = OutboxMessage.objects.filter(status=MessageStatus.SENT, **filters).select_related(
        "event").order_by("pk")
    return [Sent(r.event.event, r.event.variant, r.role, r.channel, r.recipient) for r in rows]


def inspect_account(emulator) -> dict:  # noqa: F811
    return requests.get(f"{emulator.url}/_inspect", timeout=5).json()["accounts"][LOGIN]


@pytest.fixture
def marketplace_settings(marketplace):
    """`marketplace` under another name: chains' test modules import the `marketplace`
    package."""
    return marketplace


@pytest.fixture
def storefront(db):
    return factories.StorefrontFactory(language="ru")


@pytest.fixture
def registered(storefront, marketplace_settings):
    """A seller registered through the service (no products yet)."""
    return marketplace.seller_register(
        storefront=storefront, company_name="Чайная лавка", email="shop@tea.example.ru",
        password="correct horse battery", warehouse_email="stock@tea.example.ru",
    )


@pytest.fixture
def category(db):
    return factories.CategoryFactory()


def product_add(company, category, name="Чайник", price="100.00", stock=10):
    return marketplace.product_create(company=company, category=category, name=name,
                                      sku=f"SKU-{name}", price=Decimal(price), stock=stock)
