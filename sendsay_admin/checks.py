"""System checks of the Sendsay module (tag "sendsay"); database checks skip a missing schema.

W001 enabled without a key, W002 enabled without a confirmed sender, W003 EMAIL_BACKEND that
bypasses the module, W004 the development encryption key with DEBUG off, W005 coalesced
delivery tasks without a shared cache, E001 a malformed key.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db import DatabaseError

from . import crypto

TAG = "sendsay"
#: Backends that keep mail on the module's path: Django's own ones (the SMTP fallback and the
#: development ones) and this app's backend.
OWN_BACKEND_PREFIXES = ("django.core.mail.backends.", "sendsay_admin.mail.")


def _enabled_accounts() -> list | None:
    """Enabled accounts, or None when the tables do not exist yet (fresh database)."""
    from .models import SendsayAccount

    try:
        return list(SendsayAccount.objects.filter(enabled=True))
    except DatabaseError:
        return None


@register(TAG)
def check_enabled_accounts(app_configs=None, **kwargs) -> list:
    accounts = _enabled_accounts()
    if not accounts:
        return []
    from .models import SenderAddress

    problems = [
        Warning(
            f"The Sendsay module is enabled for {account.scope_label} without an API login or "
            "key, so all mail goes through SMTP.",
            hint="Enter the login and API key in the admin (Sendsay accounts) and check the "
                 "connection, or disable the module.",
            obj=account, id="sendsay_admin.W001",
        )
        for account in accounts if not (account.login and account.has_api_key)
    ]
    try:
        has_sender = SenderAddress.objects.filter(confirmed_in_sendsay=True).exists()
    except DatabaseError:
        return problems
    if not has_sender:
        problems.append(Warning(
            "The Sendsay module is enabled but no sender address is confirmed in Sendsay, so "
            "nothing can be sent through it.",
            hint="Open Sendsay accounts -> Senders, request confirmation and click the link "
                 "Sendsay mails to the address, then refresh.",
            id="sendsay_admin.W002",
        ))
    return problems


@register(TAG)
def check_email_backend(app_configs=None, **kwargs) -> list:
    backend = str(getattr(settings, "EMAIL_BACKEND", ""))
    if backend.startswith(OWN_BACKEND_PREFIXES):
        return []
    return [Warning(
        f"EMAIL_BACKEND is {backend!r}: Django mail goes to another provider and bypasses the "
        "Sendsay module and its SMTP fallback.",
        hint='Use EMAIL_BACKEND = "sendsay_admin.mail.EmailBackend" (or Django\'s SMTP backend '
             "with EMAIL_URL).",
        id="sendsay_admin.W003",
    )]


@register(TAG)
def check_encryption_key(app_configs=None, **kwargs) -> list:
    try:
        crypto.secrets_key_check()
    except crypto.SecretsKeyError as exc:
        return [Error(str(exc), id="sendsay_admin.E001")]
    if crypto.default_key_in_use() and not settings.DEBUG:
        return [Warning(
            "SECRETS_ENCRYPTION_KEY is the public development key while DEBUG is off: stored "
            "Sendsay API keys can be decrypted by anyone with the database.",
            hint="Set SECRETS_ENCRYPTION_KEY to a new Fernet key and enter the API keys again.",
            id="sendsay_admin.W004",
        )]
    return []


@register(TAG)
def check_coalescing_cache(app_configs=None, **kwargs) -> list:
    if not getattr(settings, "NOTIFICATIONS_COALESCE_TASKS", False) or settings.SHARED_CACHE:
        return []
    return [Warning(
        "NOTIFICATIONS_COALESCE_TASKS is on but the cache is local to each process: the web "
        "process would count delivery tasks the workers never uncount, and notifications would "
        "wait for the sweeper.",
        hint="Set CACHE_URL to Redis (redis://host:6379/1), or NOTIFICATIONS_COALESCE_TASKS=false.",
        id="sendsay_admin.W005",
    )]
