"""Shared helpers for tests that talk to the real Sendsay emulator over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sendsay_admin.client import SendsayClient
from sendsay_admin.emulator import EmulatorServer


@contextmanager
def emulator_running(settings, accounts, **options) -> Iterator[EmulatorServer]:
    """Start the emulator on a free port and point the project's Sendsay settings at it."""
    server = EmulatorServer(accounts, port=0, **options).start()
    settings.SENDSAY_API_URL = f"{server.url}/general/api/v100/json/"
    settings.SENDSAY_SSEC_URL = f"{server.url}/general/ssec/v100/json/"
    settings.SENDSAY_TIMEOUT = 5.0
    SendsayClient.clear_redirect_cache()
    try:
        yield server
    finally:
        server.stop()
        SendsayClient.clear_redirect_cache()


def account_connected(*, login: str, api_key: str):
    """The marketplace-wide Sendsay account with these credentials, enabled and checked."""
    from sendsay_admin.models import SendsayAccount
    from sendsay_admin.services import (
        account_save_credentials,
        account_set_enabled,
        connection_check,
    )

    account = account_save_credentials(account=SendsayAccount(), login=login, api_key=api_key)
    account_set_enabled(account=account, enabled=True)
    assert connection_check(account=account).ok
    return account
