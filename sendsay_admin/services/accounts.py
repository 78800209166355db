"""Account state changes: credentials, the module switch, the Sendsay error log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from sendsay_admin.client import SendsayError
from sendsay_admin.models import AccountStatus, SendsayAccount, SendsayErrorLog

from .bridge import account_for_storefront

#: How many errors each account keeps for the admin and the support report.
ERROR_LOG_KEEP = 50


def account_save_credentials(
    *, account: SendsayAccount, login: str, api_key: str | None = None
) -> SendsayAccount:
    """Store the login and, when given, the API key (encrypted; a blank key keeps the stored
    one). Changed credentials mark the account unchecked until the next connection check."""
    login = (login or "").strip()
    api_key = (api_key or "").strip()
    changed = login != account.login or bool(api_key)
    account.login = login
    if api_key:
        account.set_api_key(api_key)
    if changed:
        account.status = AccountStatus.NOT_CONFIGURED
        account.checked_at = None
    account.save()
    return account


def account_set_enabled(*, account: SendsayAccount, enabled: bool) -> SendsayAccount:
    """Switch the module on or off for this account (the caller re-checks the connection)."""
    account.enabled = enabled
    account.save(update_fields=["enabled", "updated_at"])
    return account


def module_is_active(storefront=None) -> bool:
    """True when the account serving `storefront` (or the marketplace) is enabled, has a key
    and its last connection check succeeded. Mail goes through SMTP otherwise."""
    account = account_for_storefront(storefront)
    return account is not None and account.state == AccountStatus.CONNECTED


def error_record(*, account: SendsayAccount, exc: SendsayError) -> SendsayErrorLog:
    """Remember a Sendsay error on the account and in its log (ids and explanations only)."""
    now = timezone.now()
    explain = exc.explain or exc.message or ""
    error_id = exc.error_id or type(exc).__name__
    summary = explain or str(exc)
    with transaction.atomic():
        SendsayAccount.objects.filter(pk=account.pk).update(
            last_error_id=error_id, last_error=summary, last_error_at=now
        )
        account.last_error_id, account.last_error, account.last_error_at = error_id, summary, now
        entry = SendsayErrorLog.objects.create(
            account=account, action=exc.action or "", error_id=error_id,
            explain=explain,
        )
        stale = account.errors.values_list("pk", flat=True)[ERROR_LOG_KEEP:]
        SendsayErrorLog.objects.filter(pk__in=list(stale)).delete()
    return entry


@contextmanager
def errors_recorded(account: SendsayAccount) -> Iterator[None]:
    """Record any `SendsayError` raised inside the block on `account`, then re-raise it."""
    try:
        yield
    except SendsayError as exc:
        error_record(account=account, exc=exc)
        raise
