"""Fixtures of the notification engine tests: orders, the Sendsay emulator, a connected account,
confirmed senders, recorded task enqueues."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from tests import factories
from tests.sendsay_admin.conftest import Emulator as BaseEmulator
from tests.sendsay_helpers import emulator_running

LOGIN = "x_notify"
API_KEY = "notify-k3y-4f9a1c"


class Emulator(BaseEmulator):
    """The running emulator, with shortcuts to what our account sent and was asked."""

    def sends(self, channel: str | None = None) -> list[dict]:
        by_channel = self.inspect(LOGIN)["sends"]
        if channel is not None:
            return by_channel.get(channel, [])
        return [send for sends in by_channel.values() for send in sends]

    def requests_count(self, action: str = "issue.send") -> int:
        return requests.get(f"{self.url}/_inspect", timeout=5).json()["requests"].get(action, 0)


@pytest.fixture(autouse=True)
def _notification_settings(settings):
    """Signed links in messages need the notification pages in the URLconf; fast hashing for
    the many users fan-out tests create."""
    settings.ROOT_URLCONF = "tests.notifications.urls"
    settings.SITE_URL = "https://market.example.ru"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def order(marketplace, buyer, company, shipping_method):
    """A placed order of `buyer` from `company` with two lines (no notifications emitted)."""
    order = factories.OrderFactory(
        company=company, storefront=company.storefront, buyer=buyer,
        shipping_method=shipping_method, delivery_address="Moscow, Lenina 1",
        subtotal=Decimal("350.00"), shipping_cost=Decimal("300.00"), total=Decimal("650.00"),
    )
    factories.OrderLineFactory(order=order, quantity=2, unit_price=Decimal("100.00"),
                               product__price=Decimal("100.00"), product__name="Mug")
    factories.OrderLineFactory(order=order, quantity=1, unit_price=Decimal("150.00"),
                               product__price=Decimal("150.00"), product__name="Tea <b>green</b>")
    return order


@pytest.fixture
def enqueued(monkeypatch):
    """Record `deliver` tasks instead of sending them to the broker: a list of id lists."""
    from notifications import tasks

    calls: list[list[int]] = []
    monkeypatch.setattr(tasks.deliver, "apply_async",
                        lambda args, **options: calls.append(list(args[0])))
    return calls


@pytest.fixture
def emulator(settings):
    with emulator_running(settings, {LOGIN: API_KEY}, track_step_seconds=0) as server:
        yield Emulator(server)


@pytest.fixture
def sendsay_on(db, emulator):
    """The marketplace-wide account enabled and connected: the module is active."""
    from sendsay_admin.models import AccountStatus, SendsayAccount

    account = SendsayAccount(login=LOGIN, enabled=True, status=AccountStatus.CONNECTED)
    account.set_api_key(API_KEY)
    account.save()
    return account


@pytest.fixture
def confirm_sender(emulator):
    """Register and confirm a sender address in the emulator and in the product."""
    from sendsay_admin.models import SenderAddress

    def confirm(email: str) -> None:
        emulator.control("confirm_sender", login=LOGIN, email=email)
        SenderAddress.objects.update_or_create(
            email=email.lower(), defaults={"confirmed_in_sendsay": True}
        )

    return confirm
