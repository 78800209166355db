"""Fixtures for the contact export: the real Sendsay emulator over HTTP (free plan by default,
`@pytest.mark.tariff("paid")` for a paid one), a connected account with mapped fields, buyers
and sellers, and `export()` running one export the way the task does."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from contacts.models import ExportRun, RunTrigger
from contacts.services import contacts_export, export_request
from tests import factories
from tests.sendsay_helpers import account_connected, emulator_running

LOGIN = "x_contacts"
API_KEY = "C0ntacts-k3y-5eCr3t"


def pytest_configure(config):
    config.addinivalue_line("markers", "tariff(name): the emulator account's plan (free|paid)")


class Emulator:
    """The running emulator: control commands and what it received (`GET /_inspect`)."""

    def __init__(self, server) -> None:
        self.server = server
        self.url = server.url

    def control(self, command: str, **body) -> dict:
        reply = requests.post(f"{self.url}/_control/{command}", json=body, timeout=5)
        reply.raise_for_status()
        return reply.json()

    def inspect(self) -> dict:
        return requests.get(f"{self.url}/_inspect", timeout=5).json()["accounts"][LOGIN]

    def members(self) -> dict[str, dict]:
        return {m["email"]: m for m in self.inspect()["members"]}

    def list_members(self, group_id: str) -> set[str]:
        return {m["email"] for m in self.inspect()["members"] if group_id in m["groups"]}

    def fault(self, **options) -> dict:
        return self.control("fault", login=LOGIN, **options)


@pytest.fixture
def sendsay_emulator(request, settings):
    """The emulator on a free port (tracks advance on polls and every 0.05 s)."""
    marker = request.node.get_closest_marker("tariff")
    accounts = {LOGIN: {"apikey": API_KEY, "tariff": marker.args[0] if marker else "free"}}
    with emulator_running(settings, accounts, track_step_seconds=0.05) as server:
        yield Emulator(server)


@pytest.fixture
def account(db, sendsay_emulator):
    """The marketplace-wide account, enabled and checked against the emulator."""
    return account_connected(login=LOGIN, api_key=API_KEY)


@pytest.fixture
def mapped(account):
    """Buyer first name, city and orders count, seller company name, mapped (custom fields
    created in the emulator)."""
    from sendsay_admin.services import custom_field_create_for, field_mapping_save

    field_mapping_save(account=account, role="buyer", field_code="first_name",
                       sendsay_path="base.firstName")
    field_mapping_save(account=account, role="buyer", field_code="city",
                       sendsay_path="base.city")
    custom_field_create_for(account=account, role="buyer", field_code="orders_count")
    custom_field_create_for(account=account, role="seller", field_code="company_name")
    return account


@pytest.fixture
def storefront(db):
    return factories.StorefrontFactory(name="Alpha", company_name="Alpha Trading LLC")


def make_buyer(name: str, storefront, *, confirmed: bool = True, active_days_ago: float = 1,
               city: str = "Moscow"):
    user = factories.UserFactory(username=name, email=f"{name}@example.org",
                                 first_name=name.capitalize())
    now = timezone.now()
    factories.BuyerProfileFactory(
        user=user, storefront=storefront, city=city,
        email_confirmed_at=now - timedelta(days=30) if confirmed else None,
        last_activity_at=now - timedelta(days=active_days_ago),
    )
    return user


def make_buyers(count: int, storefront, *, prefix: str = "b", confirmed: bool = True,
                start: int = 0) -> list:
    """`count` buyers, the later ones less recently active."""
    return [make_buyer(f"{prefix}{index:04d}", storefront, confirmed=confirmed,
                       active_days_ago=1 + index)
            for index in range(start, start + count)]


def export(account, *, trigger: str = RunTrigger.ADMIN) -> ExportRun:
    """Queue an export and run it here, as the worker's task would (no broker)."""
    run = export_request(account=account, trigger=trigger)
    return contacts_export(run_id=run.pk)


def emails(users) -> set[str]:
    return {user.email for user in users}
