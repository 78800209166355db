"""The one bridge from Django to the pure client: a `SendsayClient` built from a stored account."""

from __future__ import annotations

import threading

import requests
from django.conf import settings

from sendsay_admin.client import SendsayClient, build_session
from sendsay_admin.models import SendsayAccount

from .exceptions import AccountNotConfiguredError

_session: requests.Session | None = None
_session_lock = threading.Lock()


def _shared_session() -> requests.Session:
    """One pooled HTTP session per process, shared by every client (the client is thread-safe)."""
    global _session
    with _session_lock:
        if _session is None:
            _session = build_session()
        return _session


def client_for_account(account: SendsayAccount) -> SendsayClient:
    """A client for `account` with the URLs and timeout from settings (read now, not at import).

    Raises `AccountNotConfiguredError` without a login or key, `crypto.SecretDecryptError` when
    the stored key cannot be decrypted and `SendsayConfigurationError` for a malformed login or
    URL.
    """
    if not account.login or not account.has_api_key:
        raise AccountNotConfiguredError("Enter the Sendsay API login and API key first.")
    return SendsayClient(
        account.login,
        account.api_key,
        api_url=settings.SENDSAY_API_URL,
        ssec_url=settings.SENDSAY_SSEC_URL,
        timeout=settings.SENDSAY_TIMEOUT,
        session=_shared_session(),
    )


def account_marketplace() -> SendsayAccount | None:
    """The marketplace-wide account, if one exists."""
    return SendsayAccount.objects.filter(storefront__isnull=True).first()


def account_for_storefront(storefront=None) -> SendsayAccount | None:
    """The storefront's own account, else the marketplace-wide one (None when neither exists)."""
    if storefront is not None:
        own = SendsayAccount.objects.filter(storefront=storefront).first()
        if own is not None:
            return own
    return account_marketplace()
