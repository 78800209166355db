"""Fixtures for the Sendsay connection app: the real emulator over HTTP and stored accounts."""

from __future__ import annotations

import pytest
import requests

from sendsay_admin.emulator import EmulatorServer
from tests.sendsay_helpers import emulator_running

LOGIN = "x_marketplace"
#: Distinctive so a grep of pages, logs and tables cannot miss it.
API_KEY = "SsK3y-t0p-s3cr3t-7Q9wZ2"
WRONG_KEY = "WrOng-k3y-000000"


class Emulator:
    """The running emulator: its URL, the control endpoint and the inspection JSON."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.url = server.url

    def control(self, command: str, **body) -> dict:
        reply = requests.post(f"{self.url}/_control/{command}", json=body, timeout=5)
        reply.raise_for_status()
        return reply.json()

    def inspect(self, login: str = LOGIN) -> dict:
        return requests.get(f"{self.url}/_inspect", timeout=5).json()["accounts"][login]

    def confirm_sender(self, email: str, login: str = LOGIN) -> dict:
        return self.control("confirm_sender", login=login, email=email)


@pytest.fixture
def sendsay_emulator(settings):
    """The emulator on a free port with one free-plan account; settings point at it."""
    with emulator_running(settings, {LOGIN: API_KEY}) as server:
        yield Emulator(server)


@pytest.fixture
def sendsay_account(db, sendsay_emulator):
    """The marketplace-wide account with the emulator's login and key (not yet checked)."""
    from sendsay_admin.models import SendsayAccount
    from sendsay_admin.services import account_save_credentials

    return account_save_credentials(account=SendsayAccount(), login=LOGIN, api_key=API_KEY)


@pytest.fixture
def connected_account(sendsay_account):
    """`sendsay_account`, enabled and checked: the module is active."""
    from sendsay_admin.services import account_set_enabled, connection_check

    account_set_enabled(account=sendsay_account, enabled=True)
    assert connection_check(account=sendsay_account).ok
    return sendsay_account
