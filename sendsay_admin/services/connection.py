"""The connection check: pong and sys.settings.get, results stored on the account."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sendsay_admin.client import SendsayConfigurationError, SendsayError
from sendsay_admin.crypto import SecretDecryptError
from sendsay_admin.models import AccountStatus, SendsayAccount

from .accounts import error_record
from .bridge import client_for_account
from .exceptions import AccountNotConfiguredError

logger = logging.getLogger(__name__)

SETTINGS_KEYS = ["about.id", "about.name", "about.tarif", "member.hard.limit", "member.hard.rest"]
#: [R] the free ("Пробный") plan allows 200 contact uploads.
FREE_PLAN_UPLOADS = 200
_FREE_MARKERS = ("free", "trial", "пробн", "бесплат")


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str
    error_id: str = ""
    explain: str = ""


def plan_is_free(tariff: str, contacts_limit: int | None) -> bool:
    """The tariff names a free/trial plan, or the upload limit is the free plan's [I]."""
    name = (tariff or "").casefold()
    if any(marker in name for marker in _FREE_MARKERS):
        return True
    return contacts_limit is not None and 0 < contacts_limit <= FREE_PLAN_UPLOADS


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _store_success(account: SendsayAccount, info: dict) -> None:
    account.account_name = str(info.get("about.name") or info.get("about.id") or "")[:300]
    account.tariff = str(info.get("about.tarif") or "")[:200]
    account.contacts_limit = _int_or_none(info.get("member.hard.limit"))
    account.contacts_rest = _int_or_none(info.get("member.hard.rest"))
    account.is_free_plan = plan_is_free(account.tariff, account.contacts_limit)
    account.status = AccountStatus.CONNECTED


def _store_failure(account: SendsayAccount, status: str, message: str, error_id: str) -> None:
    account.status = status
    account.last_error_id, account.last_error = error_id, message
    account.last_error_at = timezone.now()


def connection_check(*, account: SendsayAccount) -> ConnectionResult:
    """Call pong and sys.settings.get with the stored credentials; store the account name,
    tariff, contact limits, the time and the status. Never raises for Sendsay or credential
    problems: they are stored on the account (and Sendsay's in its error log) and returned."""
    account.checked_at = timezone.now()
    try:
        with client_for_account(account) as client:
            client.pong()
            info = client.settings_get(SETTINGS_KEYS)
    except AccountNotConfiguredError as exc:
        account.status = AccountStatus.NOT_CONFIGURED
        account.save()
        return ConnectionResult(False, str(exc), error_id="not_configured")
    except (SecretDecryptError, SendsayConfigurationError) as exc:
        _store_failure(account, AccountStatus.FAILING, str(exc), "configuration")
        account.save()
        return ConnectionResult(False, str(exc), error_id="configuration")
    except SendsayError as exc:
        account.status = AccountStatus.FAILING
        account.save()
        error_record(account=account, exc=exc)
        logger.info("sendsay account %s check failed: %s", account.pk, exc.error_id)
        return ConnectionResult(False, str(exc), exc.error_id or "", exc.explain or "")
    _store_success(account, info)
    account.save()
    logger.info("sendsay account %s connected", account.pk)
    return ConnectionResult(True, f"Connected to Sendsay account {account.account_name}")
